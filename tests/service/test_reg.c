/* test_reg.c: registry collectors: untrusted value checks, dates, CBS names, the XP and CBS hotfix
 * lists from a fixture tree, and failures injected through the Win32 call table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <shlwapi.h>

#include "kbs_err.h"
#include "regfix.h"
#include "win_reg.h"

static const snap_hotfix_t *t_find(const snap_t *s, uint32_t num, const char *zQual)
{
    size_t i;

    for (i = 0; i < s->nHotfix; i++)
        if (s->aHotfix[i].kb.num == num && !strcmp(s->aHotfix[i].kb.zQual, zQual))
            return &s->aHotfix[i];
    return NULL;
}

static void test_value_str(void **state)
{
    char z[64], zWhy[128];
    static const wchar_t zOk[] = L"  Windows XP  ";
    static const wchar_t zNoNul[] = {L'a', L'b', L'c'};
    static const wchar_t zEmbedded[] = L"ab\0cd";
    static const wchar_t zCtl[] = L"a\r\nb\tc";
    static const wchar_t zSur[] = {0xD800, L'x', 0xDFFF, 0xD83D, 0xDE00, 0};
    BYTE big[REG_VALUE_MAX + 2];
    wchar_t zLong[100];
    (void)state;

    assert_int_equal(reg_value_str(REG_SZ, (const BYTE *)zOk, sizeof(zOk), z, sizeof(z), zWhy, 128),
                     KBS_OK);
    assert_string_equal(z, "Windows XP");
    /* Not NUL-terminated, odd size (a half character at the end). */
    assert_int_equal(reg_value_str(REG_SZ, (const BYTE *)zNoNul, sizeof(zNoNul), z, 64, zWhy, 128),
                     KBS_OK);
    assert_string_equal(z, "abc");
    assert_int_equal(
        reg_value_str(REG_SZ, (const BYTE *)zNoNul, sizeof(zNoNul) - 1, z, 64, zWhy, 128), KBS_OK);
    assert_string_equal(z, "ab");
    assert_int_equal(
        reg_value_str(REG_EXPAND_SZ, (const BYTE *)zEmbedded, sizeof(zEmbedded), z, 64, zWhy, 128),
        KBS_OK);
    assert_string_equal(z, "ab");
    /* Control characters would break a line-based snapshot. */
    assert_int_equal(reg_value_str(REG_SZ, (const BYTE *)zCtl, sizeof(zCtl), z, 64, zWhy, 128),
                     KBS_OK);
    assert_string_equal(z, "a??b?c");
    /* Lone surrogates become U+FFFD; a pair becomes one 4-byte character. */
    assert_int_equal(reg_value_str(REG_SZ, (const BYTE *)zSur, sizeof(zSur), z, 64, zWhy, 128),
                     KBS_OK);
    assert_string_equal(z, "\xEF\xBF\xBDx\xEF\xBF\xBD\xF0\x9F\x98\x80");
    /* Empty and zero-length values. */
    assert_int_equal(reg_value_str(REG_SZ, (const BYTE *)zOk, 0, z, 64, zWhy, 128), KBS_OK);
    assert_string_equal(z, "");
    /* Wrong types. */
    assert_int_equal(reg_value_str(REG_DWORD, (const BYTE *)zOk, 4, z, 64, zWhy, 128), KBS_EPARSE);
    assert_non_null(strstr(zWhy, "type 4"));
    assert_int_equal(reg_value_str(REG_MULTI_SZ, (const BYTE *)zOk, sizeof(zOk), z, 64, zWhy, 128),
                     KBS_EPARSE);
    assert_int_equal(reg_value_str(REG_BINARY, (const BYTE *)zOk, sizeof(zOk), z, 64, zWhy, 128),
                     KBS_EPARSE);
    /* Oversized value, and a value too long for the caller's buffer. */
    memset(big, 'A', sizeof(big));
    assert_int_equal(reg_value_str(REG_SZ, big, sizeof(big), z, 64, zWhy, 128), KBS_ETOOBIG);
    wmemset(zLong, L'x', 99);
    zLong[99] = 0;
    assert_int_equal(reg_value_str(REG_SZ, (const BYTE *)zLong, sizeof(zLong), z, 16, zWhy, 128),
                     KBS_ETOOBIG);
    assert_true(strlen(z) < 16);
}

static void test_value_dword(void **state)
{
    BYTE a[8] = {0x70, 0, 0, 0, 1, 2, 3, 4};
    uint32_t v = 7;
    char zWhy[128];
    (void)state;

    assert_int_equal(reg_value_dword(REG_DWORD, a, 4, &v, zWhy, 128), KBS_OK);
    assert_int_equal(v, 112);
    assert_int_equal(reg_value_dword(REG_DWORD, a, 3, &v, zWhy, 128), KBS_EPARSE);
    assert_int_equal(v, 0);
    assert_int_equal(reg_value_dword(REG_DWORD, a, 8, &v, zWhy, 128), KBS_EPARSE);
    assert_int_equal(reg_value_dword(REG_QWORD, a, 8, &v, zWhy, 128), KBS_EPARSE);
    assert_int_equal(reg_value_dword(REG_SZ, a, 4, &v, zWhy, 128), KBS_EPARSE);
    assert_non_null(strstr(zWhy, "not a DWORD"));
}

static void test_cbs_kb(void **state)
{
    char z[16];
    (void)state;

    assert_int_equal(reg_cbs_kb("Package_for_KB4012212~31bf3856ad364e35~amd64~~6.1.1.2", z, 16),
                     KBS_OK);
    assert_string_equal(z, "KB4012212");
    assert_int_equal(reg_cbs_kb("Package_12_for_KB3000483~31bf3856ad364e35~x86~~6.1.1.0", z, 16),
                     KBS_OK);
    assert_string_equal(z, "KB3000483");
    assert_int_equal(reg_cbs_kb("Package_for_KB976902_RTM~31bf", z, 16), KBS_OK);
    assert_string_equal(z, "KB976902");
    assert_int_equal(reg_cbs_kb("Package_for_RollupFix~31bf3856ad364e35~amd64~~17763.1.1", z, 16),
                     KBS_EPARSE);
    assert_int_equal(reg_cbs_kb("Microsoft-Windows-Foundation-Package~31bf", z, 16), KBS_EPARSE);
    assert_int_equal(reg_cbs_kb("Package_for_KB~", z, 16), KBS_EPARSE);
    assert_int_equal(reg_cbs_kb("Package_for_KB123~", z, 16), KBS_EPARSE);
    assert_int_equal(reg_cbs_kb("Package_for_KB1234567890123~", z, 16), KBS_EPARSE);
    assert_int_equal(reg_cbs_kb("", z, 16), KBS_EPARSE);
    assert_int_equal(reg_cbs_kb("Package_for_KB4012212", z, 8), KBS_EPARSE); /* no room */
}

static void test_dates(void **state)
{
    char z[32];
    (void)state;

    assert_int_equal(reg_mdy_iso("10/26/2008", z, sizeof(z)), KBS_OK);
    assert_string_equal(z, "2008-10-26");
    assert_int_equal(reg_mdy_iso("3/4/2017", z, sizeof(z)), KBS_OK);
    assert_string_equal(z, "2017-03-04");
    assert_int_equal(reg_mdy_iso("13/45/2011", z, sizeof(z)), KBS_EPARSE);
    assert_string_equal(z, "");
    assert_int_equal(reg_mdy_iso("10/26/08", z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(reg_mdy_iso("10/26/2008x", z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(reg_mdy_iso("10/26", z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(reg_mdy_iso("", z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(reg_mdy_iso("1/1/1601", z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(reg_unix_iso(1494633600, z, sizeof(z)), KBS_OK); /* 2017-05-13 */
    assert_string_equal(z, "2017-05-13T00:00:00Z");
    assert_int_equal(reg_unix_iso(951782400 + 86399, z, sizeof(z)), KBS_OK); /* leap day 2000 */
    assert_string_equal(z, "2000-02-29T23:59:59Z");
    assert_int_equal(reg_unix_iso(0, z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(reg_unix_iso(1494633600, z, 20), KBS_EPARSE);
    /* 0x01d29ce46a79a800 is 2017-03-14 17:00 UTC. */
    assert_int_equal(reg_filetime_iso(0x01d29ce46a79a800ULL, z, sizeof(z)), KBS_OK);
    assert_string_equal(z, "2017-03-14T17:00:00Z");
    assert_int_equal(reg_filetime_iso(0, z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(reg_filetime_iso(0xFFFFFFFFFFFFFFFFULL, z, sizeof(z)), KBS_EPARSE);
}

/* The fixture tree under a private key, read through one view. */
typedef struct t_fix {
    wchar_t zPath[128];
    HKEY h;
    reg_ctx_t r;
    snap_t s;
} t_fix_t;

static int t_setup(void **state)
{
    static t_fix_t f;

    memset(&f, 0, sizeof(f));
    if (rf_root(L"reg", f.zPath, 128, &f.h) != 0) return -1;
    if (rf_hotfixes(f.h) != 0) return -1;
    reg_ctx_init(&f.r, NULL, f.h);
    f.r.nView = 1;
    snap_init(&f.s);
    *state = &f;
    return 0;
}

static int t_teardown(void **state)
{
    t_fix_t *f = *state;

    snap_release(&f->s);
    rf_drop(f->h, f->zPath);
    return 0;
}

static void test_updates(void **state)
{
    t_fix_t *f = *state;
    const snap_hotfix_t *h;
    char zErr[256];
    size_t n = 0;

    assert_int_equal(reg_read_updates(&f->r, &f->s, &n, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(n, 6);
    assert_int_equal(f->s.nHotfix, 6);
    h = t_find(&f->s, 958644, "");
    assert_non_null(h);
    assert_int_equal(h->sources, SNAP_SRC_UPDATES);
    assert_string_equal(h->zInstalled, "2008-10-26");
    assert_string_equal(t_find(&f->s, 4012598, "")->zInstalled, "2017-05-13");
    assert_string_equal(t_find(&f->s, 2347290, "")->zInstalled, "");
    assert_string_equal(t_find(&f->s, 2509553, "")->zInstalled, ""); /* DWORD date ignored */
    h = t_find(&f->s, 2510531, "IE8");
    assert_non_null(h);
    assert_string_equal(h->zInstalled, ""); /* 13/45/2011 rejected */
    assert_non_null(t_find(&f->s, 952069, ""));
}

static void test_hotfix_merge(void **state)
{
    t_fix_t *f = *state;
    const snap_hotfix_t *h;
    char zErr[256];
    size_t n = 0;

    assert_int_equal(reg_read_updates(&f->r, &f->s, &n, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(reg_read_hotfix(&f->r, &f->s, &n, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(n, 2); /* Installed=0, a string "1" and no value do not count */
    assert_null(t_find(&f->s, 111111, ""));
    assert_null(t_find(&f->s, 222222, ""));
    assert_null(t_find(&f->s, 333333, ""));
    h = t_find(&f->s, 958644, "");
    assert_int_equal(h->sources, SNAP_SRC_UPDATES | SNAP_SRC_HOTFIX);
    assert_string_equal(h->zInstalled, "2008-10-26");
    assert_non_null(t_find(&f->s, 893803, "v2"));
    assert_int_equal(f->s.nHotfix, 7);
}

static void test_cbs(void **state)
{
    t_fix_t *f = *state;
    const snap_hotfix_t *h;
    char zErr[256];
    size_t n = 0;

    assert_int_equal(reg_read_cbs(&f->r, &f->s, &n, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(n, 4); /* two packages of 4012212, 3000483, 4500331; not the rollup */
    assert_int_equal(f->s.nHotfix, 3);
    h = t_find(&f->s, 4012212, "");
    assert_non_null(h);
    assert_int_equal(h->sources, SNAP_SRC_CBS);
    assert_int_equal(h->cbsState, SNAP_CBS_INSTALLED); /* the staged package does not win */
    assert_memory_equal(h->zInstalled, "2017-03-14T", 11);
    assert_int_equal(t_find(&f->s, 3000483, "")->cbsState, 5);
    assert_int_equal(t_find(&f->s, 4500331, "")->cbsState, 0);
}

static void test_missing_keys(void **state)
{
    wchar_t zPath[128];
    HKEY h = NULL;
    reg_ctx_t r;
    reg_os_t o;
    snap_t s;
    char zErr[256];
    size_t n = 9;
    (void)state;

    assert_int_equal(rf_root(L"empty", zPath, 128, &h), 0);
    reg_ctx_init(&r, NULL, h);
    r.nView = 1;
    snap_init(&s);
    assert_int_equal(reg_read_updates(&r, &s, &n, zErr, sizeof(zErr)), KBS_ENOTFOUND);
    assert_int_equal(n, 0);
    assert_non_null(strstr(zErr, "RegOpenKeyExW SOFTWARE\\Microsoft\\Updates: 2"));
    assert_int_equal(reg_read_hotfix(&r, &s, &n, zErr, sizeof(zErr)), KBS_ENOTFOUND);
    assert_int_equal(reg_read_cbs(&r, &s, &n, zErr, sizeof(zErr)), KBS_ENOTFOUND);
    assert_non_null(strstr(zErr, "Component Based Servicing"));
    assert_int_equal(reg_read_os(&r, &o, zErr, sizeof(zErr)), KBS_ENOTFOUND);
    assert_int_equal(s.nHotfix, 0);
    snap_release(&s);
    rf_drop(h, zPath);
}

static void test_os(void **state)
{
    wchar_t zPath[128], zHuge[3000];
    HKEY h = NULL;
    reg_ctx_t r;
    reg_os_t o;
    char zErr[256];
    static const wchar_t zGuid[] = L"{3a1d2c44-0b5e-4f0e-9d0e-1234567890ab}";
    static const wchar_t zNoNul[] = {L'2', L'2', L'H', L'2'};
    (void)state;

    assert_int_equal(rf_root(L"os", zPath, 128, &h), 0);
    rf_sz(h, RF_CV, L"ProductName", L"Windows 10 Pro");
    rf_sz(h, RF_CV, L"CurrentVersion", L"6.3");
    rf_sz(h, RF_CV, L"CurrentBuildNumber", L"19045");
    rf_set(h, RF_CV, L"DisplayVersion", REG_SZ, zNoNul, sizeof(zNoNul));
    rf_sz(h, RF_CV, L"ReleaseId", L"2009");
    rf_sz(h, RF_CV, L"EditionID", L"Professional");
    rf_dword(h, RF_CV, L"UBR", 4529);
    rf_dword(h, RF_CV, L"InstallDate", 1494633600);
    rf_dword(h, RF_CV, L"CurrentMajorVersionNumber", 10);
    rf_dword(h, RF_CV, L"CurrentMinorVersionNumber", 0);
    wmemset(zHuge, L'X', 2999);
    zHuge[2999] = 0;
    rf_sz(h, RF_CV, L"CSDVersion", zHuge); /* 6000 bytes: refused */
    rf_sz(h, L"SOFTWARE\\Microsoft\\Cryptography", L"MachineGuid", zGuid);
    reg_ctx_init(&r, NULL, h);
    r.nView = 1;
    assert_int_equal(reg_read_os(&r, &o, zErr, sizeof(zErr)), KBS_OK);
    assert_string_equal(o.zProductName, "Windows 10 Pro");
    assert_string_equal(o.zCurrentVersion, "6.3");
    assert_string_equal(o.zBuild, "19045");
    assert_string_equal(o.zDisplayVersion, "22H2");
    assert_string_equal(o.zReleaseId, "2009");
    assert_string_equal(o.zEdition, "Professional");
    assert_true(o.hasUbr);
    assert_int_equal(o.ubr, 4529);
    assert_true(o.hasInstallDate);
    assert_int_equal(o.installDate, 1494633600);
    assert_true(o.hasMajor);
    assert_int_equal(o.major, 10);
    assert_string_equal(o.zCsdVersion, "");
    assert_int_equal(o.nBad, 1);
    assert_non_null(strstr(o.zBad, "CSDVersion"));
    assert_string_equal(o.zMachineGuid, "{3a1d2c44-0b5e-4f0e-9d0e-1234567890ab}");

    /* An XP-style key: UBR as a string is malformed, no major number. */
    rf_sz(h, RF_CV, L"UBR", L"4529");
    {
        HKEY hCv = NULL; /* RegDeleteKeyValueW is Vista+: open and delete */
        assert_int_equal(RegOpenKeyExW(h, RF_CV, 0, KEY_ALL_ACCESS, &hCv), 0);
        assert_int_equal(RegDeleteValueW(hCv, L"CurrentMajorVersionNumber"), 0);
        RegCloseKey(hCv);
    }
    assert_int_equal(reg_read_os(&r, &o, zErr, sizeof(zErr)), KBS_OK);
    assert_false(o.hasUbr);
    assert_false(o.hasMajor);
    assert_int_equal(o.nBad, 2);
    rf_drop(h, zPath);
}

/* Injected failures. */
static LONG WINAPI t_open_denied(HKEY h, LPCWSTR z, DWORD o, REGSAM sam, PHKEY ph)
{
    (void)h, (void)z, (void)o, (void)sam;
    *ph = NULL;
    return ERROR_ACCESS_DENIED;
}

static LONG WINAPI t_enum_fail_second(HKEY h, DWORD i, LPWSTR z, LPDWORD pn, LPDWORD r, LPWSTR c,
                                      LPDWORD pc, PFILETIME ft)
{
    if (i >= 1) return ERROR_INVALID_HANDLE;
    return RegEnumKeyExW(h, i, z, pn, r, c, pc, ft);
}

static LONG WINAPI t_query_huge(HKEY h, LPCWSTR z, LPDWORD r, LPDWORD pType, LPBYTE p, LPDWORD pcb)
{
    (void)h, (void)z, (void)r, (void)p;
    /* A value that claims to be larger than anything we read. */
    *pType = REG_SZ;
    *pcb = 1u << 20;
    return ERROR_MORE_DATA;
}

static void test_injected(void **state)
{
    t_fix_t *f = *state;
    winsys_t sys = *winsys_default();
    reg_ctx_t r;
    reg_os_t o;
    char zErr[256];
    size_t n = 0;

    sys.pfnRegOpenKeyExW = t_open_denied;
    reg_ctx_init(&r, &sys, f->h);
    r.nView = 1;
    assert_int_equal(reg_read_os(&r, &o, zErr, sizeof(zErr)), KBS_EACCESS);
    assert_string_equal(zErr, "RegOpenKeyExW SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion: 5");
    assert_int_equal(reg_read_cbs(&r, &f->s, &n, zErr, sizeof(zErr)), KBS_EIO);
    assert_non_null(strstr(zErr, ": 5"));

    /* The enumeration breaks after the first package: what was read stays, the error is told. */
    sys = *winsys_default();
    sys.pfnRegEnumKeyExW = t_enum_fail_second;
    reg_ctx_init(&r, &sys, f->h);
    r.nView = 1;
    assert_int_equal(reg_read_hotfix(&r, &f->s, &n, zErr, sizeof(zErr)), KBS_EIO);
    assert_non_null(strstr(zErr, "RegEnumKeyExW"));
    assert_non_null(strstr(zErr, ": 6"));

    /* Every value too large: nothing read, each one counted as malformed. */
    sys = *winsys_default();
    sys.pfnRegQueryValueExW = t_query_huge;
    rf_sz(f->h, RF_CV, L"ProductName", L"x");
    reg_ctx_init(&r, &sys, f->h);
    r.nView = 1;
    assert_int_equal(reg_read_os(&r, &o, zErr, sizeof(zErr)), KBS_OK);
    assert_string_equal(o.zProductName, "");
    assert_true(o.nBad >= 7);
    assert_non_null(strstr(o.zBad, "too large"));
}

/* Both views on 64-bit Windows: the same hotfix under Wow6432Node merges into one entry. */
static void test_views(void **state)
{
    reg_ctx_t r;
    (void)state;

    reg_ctx_init(&r, NULL, NULL);
    assert_true(r.hRoot == HKEY_LOCAL_MACHINE);
    if (sizeof(void *) == 8) {
        assert_int_equal(r.nView, 2);
        assert_int_equal(r.aView[0], KEY_WOW64_64KEY);
        assert_int_equal(r.aView[1], KEY_WOW64_32KEY);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_str),
        cmocka_unit_test(test_value_dword),
        cmocka_unit_test(test_cbs_kb),
        cmocka_unit_test(test_dates),
        cmocka_unit_test_setup_teardown(test_updates, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_hotfix_merge, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_cbs, t_setup, t_teardown),
        cmocka_unit_test(test_missing_keys),
        cmocka_unit_test(test_os),
        cmocka_unit_test_setup_teardown(test_injected, t_setup, t_teardown),
        cmocka_unit_test(test_views),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
