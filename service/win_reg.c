/* win_reg.c: registry collectors (OS facts, MachineGuid, Updates, HotFix and CBS hotfix lists);
 * every value read is checked for type, size and termination before use. */
#include "win_reg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"
#include "kbs_err.h"

#define REG_NAME_MAX   256    /* registry key names are at most 255 characters */
#define REG_ENUM_LIMIT 200000 /* no real key has more subkeys: a guard against a looping fake */

static const wchar_t g_zCurVer[] = L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";
static const wchar_t g_zCrypto[] = L"SOFTWARE\\Microsoft\\Cryptography";
static const wchar_t g_zUpdates[] = L"SOFTWARE\\Microsoft\\Updates";
static const wchar_t g_zHotFix[] = L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\HotFix";
static const wchar_t g_zCbs[] =
    L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages";

void reg_ctx_init(reg_ctx_t *r, const winsys_t *sys, HKEY hRoot)
{
    memset(r, 0, sizeof(*r));
    r->sys = sys ? sys : winsys_default();
    r->hRoot = hRoot ? hRoot : HKEY_LOCAL_MACHINE;
    if (winapi_is_64bit_os()) {
        r->aView[0] = KEY_WOW64_64KEY;
        r->aView[1] = KEY_WOW64_32KEY;
        r->nView = 2;
    } else {
        /* 32-bit Windows has one view; XP x86 may reject the WOW64 flags, so pass none. */
        r->aView[0] = 0;
        r->nView = 1;
    }
}

static void reg_keyname(const wchar_t *zKey, char *z, size_t n)
{
    winapi_utf8(zKey, (size_t)-1, z, n);
}

static void reg_err(char *zErr, size_t nErr, const char *zApi, const wchar_t *zKey, LONG code)
{
    char zName[160];

    reg_keyname(zKey, zName, sizeof(zName));
    winapi_errfmt(zErr, nErr, zApi, zName, (unsigned long)code);
}

int reg_value_str(DWORD type, const BYTE *p, DWORD cb, char *z, size_t n, char *zWhy, size_t nWhy)
{
    wchar_t aW[REG_VALUE_MAX / 2 + 1];
    size_t nW, i, len;
    int rc;

    if (n) z[0] = 0;
    if (type != REG_SZ && type != REG_EXPAND_SZ) {
        snprintf(zWhy, nWhy, "not a string (type %lu)", (unsigned long)type);
        return KBS_EPARSE;
    }
    if (cb > REG_VALUE_MAX) {
        snprintf(zWhy, nWhy, "string of %lu bytes is too long", (unsigned long)cb);
        return KBS_ETOOBIG;
    }
    /* An odd trailing byte is half a character: dropped. The buffer may be unaligned. */
    nW = cb / 2;
    if (nW) memcpy(aW, p, nW * sizeof(wchar_t));
    aW[nW] = 0;
    rc = winapi_utf8(aW, nW, z, n);
    if (rc != KBS_OK) {
        snprintf(zWhy, nWhy, "string too long (limit %u bytes)", (unsigned)n);
        return rc;
    }
    /* Leading and trailing blanks are never part of a name, version or id. */
    len = strlen(z);
    while (len && z[len - 1] == ' ')
        z[--len] = 0;
    for (i = 0; z[i] == ' '; i++) {
    }
    if (i) memmove(z, z + i, len - i + 1);
    return KBS_OK;
}

int reg_value_dword(DWORD type, const BYTE *p, DWORD cb, uint32_t *pOut, char *zWhy, size_t nWhy)
{
    *pOut = 0;
    if (type != REG_DWORD || cb != 4) {
        snprintf(zWhy, nWhy, "not a DWORD (type %lu, %lu bytes)", (unsigned long)type,
                 (unsigned long)cb);
        return KBS_EPARSE;
    }
    *pOut = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return KBS_OK;
}

/* Reads value zName of h into buf (REG_VALUE_MAX bytes). KBS_ENOTFOUND when absent,
 * KBS_ETOOBIG when larger, KBS_EIO on any other failure (zWhy says which code). */
static int reg_query(const reg_ctx_t *r, HKEY h, const wchar_t *zName, DWORD *pType, BYTE *buf,
                     DWORD *pcb, char *zWhy, size_t nWhy)
{
    LONG e;

    *pType = REG_NONE;
    *pcb = REG_VALUE_MAX;
    e = r->sys->pfnRegQueryValueExW(h, zName, NULL, pType, buf, pcb);
    if (e == ERROR_SUCCESS && *pcb <= REG_VALUE_MAX) return KBS_OK;
    if (e == ERROR_FILE_NOT_FOUND) return KBS_ENOTFOUND;
    if (e == ERROR_MORE_DATA || e == ERROR_SUCCESS) {
        snprintf(zWhy, nWhy, "value too large (limit %u bytes)", REG_VALUE_MAX);
        return KBS_ETOOBIG;
    }
    winapi_errfmt(zWhy, nWhy, "RegQueryValueExW", NULL, (unsigned long)e);
    return KBS_EIO;
}

/* One value as a string / DWORD. Absent is KBS_ENOTFOUND; anything malformed an error with
 * "Name: reason" in zWhy. */
static int reg_get_str(const reg_ctx_t *r, HKEY h, const wchar_t *zName, char *z, size_t n,
                       char *zWhy, size_t nWhy)
{
    BYTE buf[REG_VALUE_MAX];
    char zName8[64], zR[128];
    DWORD type, cb;
    int rc;

    z[0] = 0;
    rc = reg_query(r, h, zName, &type, buf, &cb, zR, sizeof(zR));
    if (rc == KBS_OK) rc = reg_value_str(type, buf, cb, z, n, zR, sizeof(zR));
    if (rc != KBS_OK && rc != KBS_ENOTFOUND) {
        reg_keyname(zName, zName8, sizeof(zName8));
        snprintf(zWhy, nWhy, "%s: %s", zName8, zR);
        z[0] = 0;
    }
    return rc;
}

static int reg_get_dword(const reg_ctx_t *r, HKEY h, const wchar_t *zName, uint32_t *pOut,
                         char *zWhy, size_t nWhy)
{
    BYTE buf[REG_VALUE_MAX];
    char zName8[64], zR[128];
    DWORD type, cb;
    int rc;

    *pOut = 0;
    rc = reg_query(r, h, zName, &type, buf, &cb, zR, sizeof(zR));
    if (rc == KBS_OK) rc = reg_value_dword(type, buf, cb, pOut, zR, sizeof(zR));
    if (rc != KBS_OK && rc != KBS_ENOTFOUND) {
        reg_keyname(zName, zName8, sizeof(zName8));
        snprintf(zWhy, nWhy, "%s: %s", zName8, zR);
    }
    return rc;
}

/* Keeps count and the first complaint of malformed values in *o. */
static void reg_note_bad(reg_os_t *o, int rc, const char *zWhy)
{
    if (rc == KBS_OK || rc == KBS_ENOTFOUND) return;
    if (o->nBad++ == 0) snprintf(o->zBad, sizeof(o->zBad), "%s", zWhy);
}

int reg_read_os(const reg_ctx_t *r, reg_os_t *o, char *zErr, size_t nErr)
{
    HKEY h = NULL;
    LONG e;
    char zWhy[SNAP_ERR_MAX];
    int rc;

    memset(o, 0, sizeof(*o));
    e = r->sys->pfnRegOpenKeyExW(r->hRoot, g_zCurVer, 0, KEY_READ | r->aView[0], &h);
    if (e != ERROR_SUCCESS) {
        h = NULL;
        reg_err(zErr, nErr, "RegOpenKeyExW", g_zCurVer, e);
        rc = e == ERROR_FILE_NOT_FOUND  ? KBS_ENOTFOUND
             : e == ERROR_ACCESS_DENIED ? KBS_EACCESS
                                        : KBS_EIO;
        goto out;
    }
    reg_note_bad(o,
                 reg_get_str(r, h, L"ProductName", o->zProductName, sizeof(o->zProductName), zWhy,
                             sizeof(zWhy)),
                 zWhy);
    reg_note_bad(o,
                 reg_get_str(r, h, L"CurrentVersion", o->zCurrentVersion,
                             sizeof(o->zCurrentVersion), zWhy, sizeof(zWhy)),
                 zWhy);
    reg_note_bad(
        o,
        reg_get_str(r, h, L"CurrentBuildNumber", o->zBuild, sizeof(o->zBuild), zWhy, sizeof(zWhy)),
        zWhy);
    reg_note_bad(o,
                 reg_get_str(r, h, L"CSDVersion", o->zCsdVersion, sizeof(o->zCsdVersion), zWhy,
                             sizeof(zWhy)),
                 zWhy);
    reg_note_bad(
        o,
        reg_get_str(r, h, L"ReleaseId", o->zReleaseId, sizeof(o->zReleaseId), zWhy, sizeof(zWhy)),
        zWhy);
    reg_note_bad(o,
                 reg_get_str(r, h, L"DisplayVersion", o->zDisplayVersion,
                             sizeof(o->zDisplayVersion), zWhy, sizeof(zWhy)),
                 zWhy);
    reg_note_bad(
        o, reg_get_str(r, h, L"EditionID", o->zEdition, sizeof(o->zEdition), zWhy, sizeof(zWhy)),
        zWhy);
    rc = reg_get_dword(r, h, L"UBR", &o->ubr, zWhy, sizeof(zWhy));
    o->hasUbr = rc == KBS_OK;
    reg_note_bad(o, rc, zWhy);
    rc = reg_get_dword(r, h, L"InstallDate", &o->installDate, zWhy, sizeof(zWhy));
    o->hasInstallDate = rc == KBS_OK && o->installDate != 0;
    reg_note_bad(o, rc, zWhy);
    rc = reg_get_dword(r, h, L"CurrentMajorVersionNumber", &o->major, zWhy, sizeof(zWhy));
    reg_note_bad(o, rc, zWhy);
    if (rc == KBS_OK) {
        rc = reg_get_dword(r, h, L"CurrentMinorVersionNumber", &o->minor, zWhy, sizeof(zWhy));
        reg_note_bad(o, rc, zWhy);
        o->hasMajor = rc == KBS_OK;
    }
    r->sys->pfnRegCloseKey(h);
    h = NULL;

    /* MachineGuid is optional (missing on some cloned XP images): no error when absent. */
    e = r->sys->pfnRegOpenKeyExW(r->hRoot, g_zCrypto, 0, KEY_READ | r->aView[0], &h);
    if (e == ERROR_SUCCESS) {
        reg_note_bad(o,
                     reg_get_str(r, h, L"MachineGuid", o->zMachineGuid, sizeof(o->zMachineGuid),
                                 zWhy, sizeof(zWhy)),
                     zWhy);
    } else {
        h = NULL;
    }
    rc = KBS_OK;
out:
    if (h) r->sys->pfnRegCloseKey(h);
    return rc;
}

/* Enumerates subkey i of h into zName. 1 = got one, 0 = no more, -1 = error (code in *pE).
 * Names too long for a registry key name (a fake registry) are skipped as "got none" = 2. */
static int reg_enum(const reg_ctx_t *r, HKEY h, DWORD i, wchar_t *zName, LONG *pE)
{
    DWORD n = REG_NAME_MAX;
    LONG e = r->sys->pfnRegEnumKeyExW(h, i, zName, &n, NULL, NULL, NULL, NULL);

    *pE = e;
    if (e == ERROR_SUCCESS) {
        zName[n < REG_NAME_MAX ? n : REG_NAME_MAX - 1] = 0;
        return 1;
    }
    if (e == ERROR_NO_MORE_ITEMS) return 0;
    if (e == ERROR_MORE_DATA) return 2;
    return -1;
}

static int reg_open_sub(const reg_ctx_t *r, HKEY hParent, const wchar_t *zSub, REGSAM view,
                        HKEY *ph)
{
    LONG e = r->sys->pfnRegOpenKeyExW(hParent, zSub, 0, KEY_READ | view, ph);

    if (e != ERROR_SUCCESS) *ph = NULL;
    return (int)e;
}

/* Adds one hotfix named zNameW (a key name) with sources/date/state; counts it. */
static int reg_add(snap_t *s, const wchar_t *zNameW, unsigned src, const char *zDate, int state,
                   size_t *pn)
{
    char zRaw[SNAP_RAW_MAX];

    winapi_utf8(zNameW, (size_t)-1, zRaw, sizeof(zRaw));
    if (!zRaw[0]) return KBS_OK;
    (*pn)++;
    return snap_add_hotfix(s, zRaw, src, zDate && zDate[0] ? zDate : NULL, state);
}

/* One <KB> key of the Updates tree: its name, and InstalledDate when it reads as M/D/YYYY. */
static int reg_updates_kb(const reg_ctx_t *r, HKEY hParent, const wchar_t *zKb, REGSAM view,
                          snap_t *s, size_t *pn)
{
    HKEY h = NULL;
    char zDate[64] = "", zIso[24] = "", zWhy[128];

    if (reg_open_sub(r, hParent, zKb, view, &h) == ERROR_SUCCESS) {
        if (reg_get_str(r, h, L"InstalledDate", zDate, sizeof(zDate), zWhy, sizeof(zWhy)) == KBS_OK)
            reg_mdy_iso(zDate, zIso, sizeof(zIso));
        r->sys->pfnRegCloseKey(h);
    }
    /* A KB key we cannot open is still listed: its name is the fact. */
    return reg_add(s, zKb, SNAP_SRC_UPDATES, zIso, -1, pn);
}

/* 1 when a key name is itself a hotfix id (Updates\<product>\<KB> without an SP level). */
static int reg_is_kb_name(const wchar_t *zW)
{
    char z[SNAP_RAW_MAX];
    kb_id_t kb;

    winapi_utf8(zW, (size_t)-1, z, sizeof(z));
    if ((z[0] == 'S' || z[0] == 's') && (z[1] == 'P' || z[1] == 'p')) return 0;
    return kb_parse(z, &kb) == KBS_OK;
}

/* Updates\<product>\... in one view. */
static int reg_updates_view(const reg_ctx_t *r, REGSAM view, snap_t *s, size_t *pn, char *zErr,
                            size_t nErr)
{
    HKEY hTop = NULL, hProd = NULL, hSp = NULL;
    wchar_t zProd[REG_NAME_MAX], zSp[REG_NAME_MAX], zKb[REG_NAME_MAX];
    DWORD i, j, k;
    LONG e;
    int g, rc = KBS_OK;

    e = (LONG)reg_open_sub(r, r->hRoot, g_zUpdates, view, &hTop);
    if (e != ERROR_SUCCESS) {
        reg_err(zErr, nErr, "RegOpenKeyExW", g_zUpdates, e);
        rc = e == ERROR_FILE_NOT_FOUND ? KBS_ENOTFOUND : KBS_EIO;
        goto out;
    }
    for (i = 0; i < REG_ENUM_LIMIT && (g = reg_enum(r, hTop, i, zProd, &e)) != 0; i++) {
        if (g < 0) {
            reg_err(zErr, nErr, "RegEnumKeyExW", g_zUpdates, e);
            rc = KBS_EIO;
            goto out;
        }
        if (g == 2) continue;
        if ((e = (LONG)reg_open_sub(r, hTop, zProd, view, &hProd)) != ERROR_SUCCESS) {
            reg_err(zErr, nErr, "RegOpenKeyExW", zProd, e);
            rc = KBS_EIO;
            continue; /* the other products still count; the list is marked incomplete */
        }
        for (j = 0; j < REG_ENUM_LIMIT && (g = reg_enum(r, hProd, j, zSp, &e)) != 0; j++) {
            if (g < 0) {
                reg_err(zErr, nErr, "RegEnumKeyExW", zProd, e);
                rc = KBS_EIO;
                break;
            }
            if (g == 2) continue;
            if (reg_is_kb_name(zSp)) {
                if ((g = reg_updates_kb(r, hProd, zSp, view, s, pn)) != KBS_OK) {
                    rc = g;
                    goto out;
                }
                continue;
            }
            if ((e = (LONG)reg_open_sub(r, hProd, zSp, view, &hSp)) != ERROR_SUCCESS) {
                reg_err(zErr, nErr, "RegOpenKeyExW", zSp, e);
                rc = KBS_EIO;
                continue;
            }
            for (k = 0; k < REG_ENUM_LIMIT && (g = reg_enum(r, hSp, k, zKb, &e)) != 0; k++) {
                if (g < 0) {
                    reg_err(zErr, nErr, "RegEnumKeyExW", zSp, e);
                    rc = KBS_EIO;
                    break;
                }
                if (g == 2) continue;
                if ((g = reg_updates_kb(r, hSp, zKb, view, s, pn)) != KBS_OK) {
                    rc = g;
                    goto out;
                }
            }
            r->sys->pfnRegCloseKey(hSp);
            hSp = NULL;
        }
        r->sys->pfnRegCloseKey(hProd);
        hProd = NULL;
    }
out:
    if (hSp) r->sys->pfnRegCloseKey(hSp);
    if (hProd) r->sys->pfnRegCloseKey(hProd);
    if (hTop) r->sys->pfnRegCloseKey(hTop);
    return rc;
}

/* HotFix\<KB> with Installed=1, in one view. */
static int reg_hotfix_view(const reg_ctx_t *r, REGSAM view, snap_t *s, size_t *pn, char *zErr,
                           size_t nErr)
{
    HKEY hTop = NULL, h = NULL;
    wchar_t zKb[REG_NAME_MAX];
    char zWhy[128];
    uint32_t inst;
    DWORD i;
    LONG e;
    int g, rc = KBS_OK;

    e = (LONG)reg_open_sub(r, r->hRoot, g_zHotFix, view, &hTop);
    if (e != ERROR_SUCCESS) {
        reg_err(zErr, nErr, "RegOpenKeyExW", g_zHotFix, e);
        rc = e == ERROR_FILE_NOT_FOUND ? KBS_ENOTFOUND : KBS_EIO;
        goto out;
    }
    for (i = 0; i < REG_ENUM_LIMIT && (g = reg_enum(r, hTop, i, zKb, &e)) != 0; i++) {
        if (g < 0) {
            reg_err(zErr, nErr, "RegEnumKeyExW", g_zHotFix, e);
            rc = KBS_EIO;
            goto out;
        }
        if (g == 2) continue;
        if ((e = (LONG)reg_open_sub(r, hTop, zKb, view, &h)) != ERROR_SUCCESS) {
            reg_err(zErr, nErr, "RegOpenKeyExW", zKb, e);
            rc = KBS_EIO;
            continue;
        }
        /* Installed=1 is what marks a real install; uninstalled fixes keep their key. */
        g = reg_get_dword(r, h, L"Installed", &inst, zWhy, sizeof(zWhy));
        r->sys->pfnRegCloseKey(h);
        h = NULL;
        if (g == KBS_OK && inst == 1 &&
            (g = reg_add(s, zKb, SNAP_SRC_HOTFIX, NULL, -1, pn)) != KBS_OK) {
            rc = g;
            goto out;
        }
    }
out:
    if (h) r->sys->pfnRegCloseKey(h);
    if (hTop) r->sys->pfnRegCloseKey(hTop);
    return rc;
}

/* Reads all views with fn; KBS_ENOTFOUND only when the key exists in none of them. */
static int reg_all_views(const reg_ctx_t *r, snap_t *s, size_t *pn, char *zErr, size_t nErr,
                         int (*fn)(const reg_ctx_t *, REGSAM, snap_t *, size_t *, char *, size_t))
{
    char zE[SNAP_ERR_MAX] = "";
    int v, rc, nFound = 0, rcFail = KBS_OK;

    *pn = 0;
    zErr[0] = 0;
    for (v = 0; v < r->nView; v++) {
        rc = fn(r, r->aView[v], s, pn, zE, sizeof(zE));
        if (rc == KBS_OK) {
            nFound++;
        } else if (rc == KBS_ENOTFOUND) {
            if (!zErr[0]) snprintf(zErr, nErr, "%s", zE);
        } else {
            nFound++;
            if (rcFail == KBS_OK) {
                rcFail = rc;
                snprintf(zErr, nErr, "%s", zE);
            }
        }
    }
    if (rcFail != KBS_OK) return rcFail;
    if (!nFound) return KBS_ENOTFOUND;
    zErr[0] = 0;
    return KBS_OK;
}

int reg_read_updates(const reg_ctx_t *r, snap_t *s, size_t *pnFound, char *zErr, size_t nErr)
{
    return reg_all_views(r, s, pnFound, zErr, nErr, reg_updates_view);
}

int reg_read_hotfix(const reg_ctx_t *r, snap_t *s, size_t *pnFound, char *zErr, size_t nErr)
{
    return reg_all_views(r, s, pnFound, zErr, nErr, reg_hotfix_view);
}

int reg_cbs_kb(const char *zName, char *z, size_t n)
{
    const char *p = zName;
    size_t nDig = 0;

    if (n) z[0] = 0;
    /* "Package_for_KB...", "Package_12_for_KB...": the KB follows the first "_for_KB". */
    while ((p = strstr(p, "_for_")) != NULL) {
        p += 5;
        if ((p[0] == 'K' || p[0] == 'k') && (p[1] == 'B' || p[1] == 'b')) break;
    }
    if (!p) return KBS_EPARSE;
    p += 2;
    while (isdigit((unsigned char)p[nDig]))
        nDig++;
    if (nDig < 4 || nDig > 8 || n < nDig + 3) return KBS_EPARSE;
    z[0] = 'K';
    z[1] = 'B';
    memcpy(z + 2, p, nDig);
    z[nDig + 2] = 0;
    return KBS_OK;
}

typedef struct reg_cbs_ent {
    char zKb[16];
    int state;
    char zWhen[24];
} reg_cbs_ent_t;

int reg_read_cbs(const reg_ctx_t *r, snap_t *s, size_t *pnFound, char *zErr, size_t nErr)
{
    HKEY hTop = NULL, h = NULL;
    wchar_t zPkgW[REG_NAME_MAX];
    char zPkg[REG_NAME_MAX * 3], zKb[16], zWhy[128];
    reg_cbs_ent_t *a = NULL, *aNew;
    size_t nA = 0, capA = 0, k;
    uint32_t state, hi, lo;
    DWORD i;
    LONG e;
    int g, pass, rc = KBS_OK;

    *pnFound = 0;
    zErr[0] = 0;
    /* CBS lives in the native view only; the 32-bit view holds no packages. */
    e = (LONG)reg_open_sub(r, r->hRoot, g_zCbs, r->aView[0], &hTop);
    if (e != ERROR_SUCCESS) {
        reg_err(zErr, nErr, "RegOpenKeyExW", g_zCbs, e);
        rc = e == ERROR_FILE_NOT_FOUND ? KBS_ENOTFOUND : KBS_EIO;
        goto out;
    }
    for (i = 0; i < REG_ENUM_LIMIT && (g = reg_enum(r, hTop, i, zPkgW, &e)) != 0; i++) {
        if (g < 0) {
            reg_err(zErr, nErr, "RegEnumKeyExW", g_zCbs, e);
            rc = KBS_EIO;
            goto out;
        }
        if (g == 2) continue;
        winapi_utf8(zPkgW, (size_t)-1, zPkg, sizeof(zPkg));
        if (reg_cbs_kb(zPkg, zKb, sizeof(zKb)) != KBS_OK) continue;
        if ((e = (LONG)reg_open_sub(r, hTop, zPkgW, r->aView[0], &h)) != ERROR_SUCCESS) {
            reg_err(zErr, nErr, "RegOpenKeyExW", zPkgW, e);
            rc = KBS_EIO;
            continue;
        }
        g = reg_get_dword(r, h, L"CurrentState", &state, zWhy, sizeof(zWhy));
        if (nA == capA) {
            capA = capA ? capA * 2 : 64;
            aNew = realloc(a, capA * sizeof(*a));
            if (!aNew) {
                rc = KBS_ENOMEM;
                goto out;
            }
            a = aNew;
        }
        memset(&a[nA], 0, sizeof(a[nA]));
        snprintf(a[nA].zKb, sizeof(a[nA].zKb), "%s", zKb);
        /* A package without a readable state is listed with state 0 (absent), never as installed.
         */
        a[nA].state = g == KBS_OK && state <= 0x7fffffff ? (int)state : 0;
        if (reg_get_dword(r, h, L"InstallTimeHigh", &hi, zWhy, sizeof(zWhy)) == KBS_OK &&
            reg_get_dword(r, h, L"InstallTimeLow", &lo, zWhy, sizeof(zWhy)) == KBS_OK)
            reg_filetime_iso((uint64_t)hi << 32 | lo, a[nA].zWhen, sizeof(a[nA].zWhen));
        nA++;
        r->sys->pfnRegCloseKey(h);
        h = NULL;
    }
    /* Installed packages first: the merged entry of a KB keeps the first state it was given. */
    for (pass = 0; pass < 2; pass++) {
        for (k = 0; k < nA; k++) {
            if ((a[k].state == SNAP_CBS_INSTALLED) != (pass == 0)) continue;
            g = snap_add_hotfix(s, a[k].zKb, SNAP_SRC_CBS, a[k].zWhen[0] ? a[k].zWhen : NULL,
                                a[k].state);
            if (g != KBS_OK) {
                rc = g;
                goto out;
            }
            (*pnFound)++;
        }
    }
out:
    free(a);
    if (h) r->sys->pfnRegCloseKey(h);
    if (hTop) r->sys->pfnRegCloseKey(hTop);
    return rc;
}

int reg_mdy_iso(const char *zIn, char *z, size_t n)
{
    unsigned m = 0, d = 0, y = 0;
    int nm = 0, nd = 0, ny = 0;
    const char *p = zIn;

    if (n) z[0] = 0;
    while (isdigit((unsigned char)*p) && nm < 3)
        m = m * 10 + (unsigned)(*p++ - '0'), nm++;
    if (*p++ != '/') return KBS_EPARSE;
    while (isdigit((unsigned char)*p) && nd < 3)
        d = d * 10 + (unsigned)(*p++ - '0'), nd++;
    if (*p++ != '/') return KBS_EPARSE;
    while (isdigit((unsigned char)*p) && ny < 5)
        y = y * 10 + (unsigned)(*p++ - '0'), ny++;
    if (*p || nm < 1 || nm > 2 || nd < 1 || nd > 2 || ny != 4) return KBS_EPARSE;
    if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1980 || y > 9999 || n < 11) return KBS_EPARSE;
    snprintf(z, n, "%04u-%02u-%02u", y, m, d);
    return KBS_OK;
}

/* Days since 1970-01-01 -> y/m/d (the civil-calendar algorithm, proleptic Gregorian). */
static void reg_civil(int64_t days, int *py, unsigned *pm, unsigned *pd)
{
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;

    *py = (int)(yoe + era * 400 + (m <= 2));
    *pm = m;
    *pd = d;
}

int reg_unix_iso(int64_t t, char *z, size_t n)
{
    int y;
    unsigned m, d, sec;

    if (n) z[0] = 0;
    /* 1980-01-01 .. 9999-12-31 */
    if (t < 315532800 || t > 253402300799LL || n < 21) return KBS_EPARSE;
    reg_civil(t / 86400, &y, &m, &d);
    sec = (unsigned)(t % 86400);
    snprintf(z, n, "%04d-%02u-%02uT%02u:%02u:%02uZ", y, m, d, sec / 3600, sec / 60 % 60, sec % 60);
    return KBS_OK;
}

int reg_filetime_iso(uint64_t ft, char *z, size_t n)
{
    /* 100 ns intervals between 1601-01-01 and 1970-01-01. */
    const uint64_t unixEpoch = 116444736000000000ULL;

    if (n) z[0] = 0;
    if (ft < unixEpoch) return KBS_EPARSE;
    return reg_unix_iso((int64_t)((ft - unixEpoch) / 10000000ULL), z, n);
}
