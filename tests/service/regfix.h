/* regfix.h: registry fixtures for the collector tests: a private HKCU tree shaped like HKLM's
 * SOFTWARE\... (XP Updates and HotFix keys, CBS packages, CurrentVersion), made and removed. */
#ifndef KBS_TEST_REGFIX_H
#define KBS_TEST_REGFIX_H

#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>
#include <shlwapi.h> /* SHDeleteKeyW */

#define RF_CV  L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
#define RF_UPD L"SOFTWARE\\Microsoft\\Updates"
#define RF_HFX L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\HotFix"
#define RF_CBS L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages"

/* Sets value zName of root\zSub (made when missing) to cb bytes of p with type. */
static inline int rf_set(HKEY hRoot, const wchar_t *zSub, const wchar_t *zName, DWORD type, const void *p,
                  DWORD cb)
{
    HKEY h = NULL;
    LONG e = RegCreateKeyExW(hRoot, zSub, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &h, NULL);

    if (e != ERROR_SUCCESS) return (int)e;
    if (zName) e = RegSetValueExW(h, zName, 0, type, (const BYTE *)p, cb);
    RegCloseKey(h);
    return (int)e;
}

static inline int rf_sz(HKEY hRoot, const wchar_t *zSub, const wchar_t *zName, const wchar_t *zVal)
{
    return rf_set(hRoot, zSub, zName, REG_SZ, zVal, (DWORD)((wcslen(zVal) + 1) * sizeof(wchar_t)));
}

static inline int rf_dword(HKEY hRoot, const wchar_t *zSub, const wchar_t *zName, DWORD v)
{
    return rf_set(hRoot, zSub, zName, REG_DWORD, &v, 4);
}

/* Makes HKCU\Software\kbsentry-test-<tag>-<pid> (emptied first) and opens it into *ph. */
static inline int rf_root(const wchar_t *zTag, wchar_t *zPath, size_t nPath, HKEY *ph)
{
    _snwprintf(zPath, nPath, L"Software\\kbsentry-test-%ls-%lu", zTag,
               (unsigned long)GetCurrentProcessId());
    zPath[nPath - 1] = 0;
    SHDeleteKeyW(HKEY_CURRENT_USER, zPath);
    return (int)RegCreateKeyExW(HKEY_CURRENT_USER, zPath, 0, NULL, 0, KEY_ALL_ACCESS, NULL, ph,
                                NULL);
}

static inline void rf_drop(HKEY h, const wchar_t *zPath)
{
    if (h) RegCloseKey(h);
    SHDeleteKeyW(HKEY_CURRENT_USER, zPath);
}

/* The XP and Vista+ hotfix fixture: what the tests below expect to find. */
static inline int rf_hotfixes(HKEY hRoot)
{
    int e = 0;

    e |= rf_sz(hRoot, RF_UPD L"\\Windows XP\\SP4\\KB958644", L"InstalledDate", L"10/26/2008");
    e |= rf_sz(hRoot, RF_UPD L"\\Windows XP\\SP4\\KB958644", L"Description", L"Security Update");
    e |= rf_sz(hRoot, RF_UPD L"\\Windows XP\\SP4\\KB4012598", L"InstalledDate", L"5/13/2017");
    e |= rf_set(hRoot, RF_UPD L"\\Windows XP\\SP3\\KB2347290", NULL, 0, NULL, 0);
    /* InstalledDate of the wrong type and a garbage one: the KB still counts, the date not. */
    e |= rf_dword(hRoot, RF_UPD L"\\Windows XP\\SP3\\KB2509553", L"InstalledDate", 20110101);
    e |= rf_sz(hRoot, RF_UPD L"\\Windows Internet Explorer 8\\SP0\\KB2510531-IE8", L"InstalledDate",
               L"13/45/2011");
    /* A fix directly under the product (no SP level). */
    e |= rf_set(hRoot, RF_UPD L"\\Windows Media Player\\KB952069", NULL, 0, NULL, 0);

    e |= rf_dword(hRoot, RF_HFX L"\\KB958644", L"Installed", 1);
    e |= rf_dword(hRoot, RF_HFX L"\\KB893803-v2", L"Installed", 1);
    e |= rf_dword(hRoot, RF_HFX L"\\KB111111", L"Installed", 0); /* uninstalled */
    e |= rf_sz(hRoot, RF_HFX L"\\KB222222", L"Installed", L"1"); /* wrong type */
    e |= rf_set(hRoot, RF_HFX L"\\KB333333", NULL, 0, NULL, 0);  /* no Installed value */

    e |= rf_dword(hRoot, RF_CBS L"\\Package_for_KB4012212~31bf3856ad364e35~amd64~~6.1.1.2",
                  L"CurrentState", 112);
    e |= rf_dword(hRoot, RF_CBS L"\\Package_for_KB4012212~31bf3856ad364e35~amd64~~6.1.1.2",
                  L"InstallTimeHigh", 0x01d29ce4);
    e |= rf_dword(hRoot, RF_CBS L"\\Package_for_KB4012212~31bf3856ad364e35~amd64~~6.1.1.2",
                  L"InstallTimeLow", 0x6a79a800);
    /* A staged second package of an installed KB, enumerated first ("1" < "f"). */
    e |= rf_dword(hRoot, RF_CBS L"\\Package_1_for_KB4012212~31bf3856ad364e35~amd64~~6.1.1.2",
                  L"CurrentState", 32);
    e |= rf_dword(hRoot, RF_CBS L"\\Package_for_KB3000483~31bf3856ad364e35~amd64~~6.1.1.0",
                  L"CurrentState", 5); /* uninstall pending */
    e |= rf_dword(hRoot, RF_CBS L"\\Package_for_RollupFix~31bf3856ad364e35~amd64~~17763.1.1",
                  L"CurrentState", 112); /* no KB in the name: not listed */
    e |= rf_sz(hRoot, RF_CBS L"\\Package_for_KB4500331~31bf3856ad364e35~amd64~~6.1.1.0",
               L"CurrentState", L"112"); /* wrong type: listed with state 0, never installed */
    return e;
}

#endif
