/* win_settings.c: reads and validates the agent settings from the registry. */
#include "win_settings.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "kbs_err.h"

#define SETTINGS_RAW_MAX 2048 /* bytes of one value we are willing to look at */

void settings_defaults(settings_t *s)
{
    memset(s, 0, sizeof(*s));
    s->intervalMin = SETTINGS_INTERVAL_DEFAULT;
    s->startDelayMaxSec = SETTINGS_DELAY_DEFAULT;
}

int settings_equal(const settings_t *a, const settings_t *b)
{
    return a->intervalMin == b->intervalMin && a->startDelayMaxSec == b->startDelayMaxSec &&
           !wcscmp(a->zDropShare, b->zDropShare) && !wcscmp(a->zDataDir, b->zDataDir);
}

/* A REG_SZ may lack its NUL or carry several: the text is what comes before trailing NULs, and a
 * NUL inside it is an error (someone wrote a REG_MULTI_SZ-like blob). */
static int settings_wtext(const BYTE *pData, DWORD nData, wchar_t *zOut, size_t nOut,
                          char *zReason, size_t nReason)
{
    size_t n, i;

    if (nData % sizeof(wchar_t)) {
        snprintf(zReason, nReason, "odd byte count %lu for a string", (unsigned long)nData);
        return KBS_EPARSE;
    }
    n = nData / sizeof(wchar_t);
    while (n && ((const wchar_t *)pData)[n - 1] == 0) n--;
    if (n + 1 > nOut) {
        snprintf(zReason, nReason, "longer than %u characters", (unsigned)(nOut - 1));
        return KBS_ETOOBIG;
    }
    memcpy(zOut, pData, n * sizeof(wchar_t));
    zOut[n] = 0;
    for (i = 0; i < n; i++) {
        if (zOut[i] == 0) {
            snprintf(zReason, nReason, "contains a NUL character at position %u", (unsigned)i);
            return KBS_EPARSE;
        }
        if (zOut[i] < 0x20) {
            snprintf(zReason, nReason, "contains control character 0x%02x", (unsigned)zOut[i]);
            return KBS_EPARSE;
        }
    }
    return KBS_OK;
}

int settings_parse_uint(DWORD type, const BYTE *pData, DWORD nData, unsigned lo, unsigned hi,
                        unsigned *pOut, char *zReason, size_t nReason)
{
    unsigned long long v = 0;
    wchar_t z[24];
    int rc;
    size_t i, nDigit = 0;

    zReason[0] = 0;
    if (type == REG_DWORD) {
        DWORD d;
        if (nData != sizeof(DWORD)) {
            snprintf(zReason, nReason, "REG_DWORD of %lu bytes", (unsigned long)nData);
            return KBS_EPARSE;
        }
        memcpy(&d, pData, sizeof(d));
        v = d;
    } else if (type == REG_SZ) {
        rc = settings_wtext(pData, nData, z, sizeof(z) / sizeof(z[0]), zReason, nReason);
        if (rc) return rc;
        for (i = 0; z[i] == L' '; i++) {}
        for (; z[i] >= L'0' && z[i] <= L'9'; i++, nDigit++) {
            /* Saturate: a huge number is "out of range", not "not a number". */
            v = v > 0xFFFFFFFFull ? v : v * 10 + (unsigned)(z[i] - L'0');
        }
        for (; z[i] == L' '; i++) {}
        if (!nDigit || z[i]) {
            snprintf(zReason, nReason, "not a decimal number");
            return KBS_EPARSE;
        }
    } else {
        snprintf(zReason, nReason, "registry type %lu, expected REG_DWORD", (unsigned long)type);
        return KBS_EPARSE;
    }
    if (v < lo || v > hi) {
        snprintf(zReason, nReason, "%llu is outside %u..%u", v, lo, hi);
        return KBS_ETOOBIG;
    }
    *pOut = (unsigned)v;
    return KBS_OK;
}

static int settings_bad_char(wchar_t c)
{
    return c == L'/' || c == L'*' || c == L'?' || c == L'"' || c == L'<' || c == L'>' ||
           c == L'|';
}

int settings_parse_path(DWORD type, const BYTE *pData, DWORD nData, int isShare, wchar_t *zOut,
                        size_t nOut, char *zReason, size_t nReason)
{
    wchar_t zRaw[SETTINGS_PATH_MAX], zExp[SETTINGS_PATH_MAX];
    const wchar_t *z = zRaw;
    size_t n, i, start;
    int rc;

    zReason[0] = 0;
    zOut[0] = 0;
    if (type != REG_SZ && type != REG_EXPAND_SZ) {
        snprintf(zReason, nReason, "registry type %lu, expected REG_SZ", (unsigned long)type);
        return KBS_EPARSE;
    }
    rc = settings_wtext(pData, nData, zRaw, SETTINGS_PATH_MAX, zReason, nReason);
    if (rc) return rc;
    if (type == REG_EXPAND_SZ) {
        DWORD nExp = ExpandEnvironmentStringsW(zRaw, zExp, SETTINGS_PATH_MAX);
        if (!nExp || nExp > SETTINGS_PATH_MAX) {
            snprintf(zReason, nReason, "does not expand to a path under %u characters",
                     SETTINGS_PATH_MAX);
            return KBS_ETOOBIG;
        }
        z = zExp;
    }
    while (*z == L' ') z++;
    n = wcslen(z);
    while (n && z[n - 1] == L' ') n--;
    if (n == 0) return KBS_OK; /* empty: not set */
    if (n + 1 > nOut) {
        snprintf(zReason, nReason, "longer than %u characters", (unsigned)(nOut - 1));
        return KBS_ETOOBIG;
    }
    for (i = 0; i < n; i++) {
        if (settings_bad_char(z[i]) || (z[i] == L':' && i != 1)) {
            snprintf(zReason, nReason, "character '%c' is not allowed in a path",
                     z[i] < 0x80 ? (char)z[i] : '?');
            return KBS_EPARSE;
        }
    }
    if (n >= 2 && z[0] == L'\\' && z[1] == L'\\') {
        if (!isShare) {
            snprintf(zReason, nReason, "must be a local path like C:\\dir, not a share");
            return KBS_EPARSE;
        }
        /* \\server\share: both parts present, no empty components. */
        start = 2;
        for (i = start; i < n && z[i] != L'\\'; i++) {}
        if (i == start || i >= n - 1 || z[i + 1] == L'\\') {
            snprintf(zReason, nReason, "not a share path like \\\\server\\share");
            return KBS_EPARSE;
        }
    } else if (n >= 3 && ((z[0] | 0x20) >= L'a' && (z[0] | 0x20) <= L'z') && z[1] == L':' &&
               z[2] == L'\\') {
        /* absolute drive path */
    } else {
        snprintf(zReason, nReason, "%s", isShare ? "not \\\\server\\share or an absolute path"
                                                 : "not an absolute path like C:\\dir");
        return KBS_EPARSE;
    }
    for (i = 2; i + 1 < n; i++) {
        if (z[i] == L'\\' && z[i + 1] == L'\\') {
            snprintf(zReason, nReason, "empty path component");
            return KBS_EPARSE;
        }
    }
    while (n > 3 && z[n - 1] == L'\\') n--;
    memcpy(zOut, z, n * sizeof(wchar_t));
    zOut[n] = 0;
    return KBS_OK;
}

enum { SET_INTERVAL, SET_DELAY, SET_DROP, SET_DATADIR, SET_COUNT };
static const wchar_t *const settings_awName[SET_COUNT] = {
    L"ScanIntervalMinutes", L"StartDelayMaxSeconds", L"DropShare", L"DataDir"};
static const char *const settings_azName[SET_COUNT] = {
    "ScanIntervalMinutes", "StartDelayMaxSeconds", "DropShare", "DataDir"};

const char *settings_from_name(settings_from_t f)
{
    return f == SETTINGS_FROM_POLICY    ? "policy"
           : f == SETTINGS_FROM_INSTALL ? "install"
                                        : "default";
}

/* What the agent uses for value `which` of s and where it came from (zFrom: its key, or NULL for
 * the built-in default), for event 1302 (UTF-8). */
static void settings_using(const settings_t *s, int which, const char *zFrom, char *z, size_t n)
{
    char zVal[SETTINGS_PATH_MAX * 3 + 32], zPath[SETTINGS_PATH_MAX * 3];
    const wchar_t *zW = which == SET_DROP ? s->zDropShare : s->zDataDir;

    if (which == SET_INTERVAL || which == SET_DELAY) {
        snprintf(zVal, sizeof(zVal), "%u %s",
                 which == SET_INTERVAL ? s->intervalMin : s->startDelayMaxSec,
                 which == SET_INTERVAL ? "minutes" : "seconds");
    } else if (!zW[0]) {
        snprintf(zVal, sizeof(zVal), "%s",
                 which == SET_DROP ? "no drop share" : "the default data directory");
    } else {
        if (!WideCharToMultiByte(CP_UTF8, 0, zW, -1, zPath, (int)sizeof(zPath), NULL, NULL))
            zPath[0] = 0;
        snprintf(zVal, sizeof(zVal), "%s %s",
                 which == SET_DROP ? "the drop share" : "the data directory", zPath);
    }
    if (zFrom)
        snprintf(z, n, "%s from %s", zVal, zFrom);
    else
        snprintf(z, n, "%s (the built-in default)", zVal);
}

/* One value: 1 set, 0 absent, -1 bad (zReason, nReason bytes, says why). */
static int settings_read_one(settings_t *s, HKEY hKey, int which, const settings_t *pDef,
                             char *zReason, size_t nReason)
{
    BYTE aBuf[SETTINGS_RAW_MAX];
    DWORD type = 0, nData = sizeof(aBuf);
    LONG lrc;
    int rc;

    lrc = RegQueryValueExW(hKey, settings_awName[which], NULL, &type, aBuf, &nData);
    if (lrc == ERROR_FILE_NOT_FOUND) return 0;
    if (lrc == ERROR_MORE_DATA) {
        snprintf(zReason, nReason, "value larger than %u bytes", SETTINGS_RAW_MAX);
        rc = KBS_ETOOBIG;
    } else if (lrc != ERROR_SUCCESS) {
        snprintf(zReason, nReason, "RegQueryValueEx failed: error %ld", (long)lrc);
        rc = KBS_EIO;
    } else {
        switch (which) {
        case SET_INTERVAL:
            rc = settings_parse_uint(type, aBuf, nData, SETTINGS_INTERVAL_MIN,
                                     SETTINGS_INTERVAL_MAX, &s->intervalMin, zReason, nReason);
            break;
        case SET_DELAY:
            rc = settings_parse_uint(type, aBuf, nData, 0, SETTINGS_DELAY_MAX, &s->startDelayMaxSec,
                                     zReason, nReason);
            break;
        case SET_DROP:
            rc = settings_parse_path(type, aBuf, nData, 1, s->zDropShare, SETTINGS_PATH_MAX,
                                     zReason, nReason);
            break;
        default:
            rc = settings_parse_path(type, aBuf, nData, 0, s->zDataDir, SETTINGS_PATH_MAX, zReason,
                                     nReason);
            break;
        }
    }
    if (rc == KBS_OK) return 1;
    switch (which) {
    case SET_INTERVAL: s->intervalMin = pDef->intervalMin; break;
    case SET_DELAY: s->startDelayMaxSec = pDef->startDelayMaxSec; break;
    case SET_DROP: s->zDropShare[0] = 0; break;
    default: s->zDataDir[0] = 0; break;
    }
    return -1;
}

int settings_load(settings_t *s, HKEY hRoot, const wchar_t *zPolicyKey, const wchar_t *zBaseKey,
                  settings_err_fn pfnErr, void *pArg)
{
    const wchar_t *azKey[2] = {zPolicyKey, zBaseKey};
    char zWhere[2][160];
    HKEY ahKey[2] = {NULL, NULL};
    settings_t def;
    int k, w;

    settings_defaults(s);
    settings_defaults(&def);
    for (k = 0; k < 2; k++) {
        snprintf(zWhere[k], sizeof(zWhere[k]), "HKLM\\%ls", azKey[k]);
        /* The 64-bit view holds what GPO and the installer wrote, also for a 32-bit agent. */
        if (RegOpenKeyExW(hRoot, azKey[k], 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &ahKey[k]) !=
            ERROR_SUCCESS)
            ahKey[k] = NULL;
    }
    for (w = 0; w < SET_COUNT; w++) {
        char azReason[2][160], zUsing[SETTINGS_PATH_MAX * 3 + 200];
        int aBad[2] = {0, 0}, kFrom = -1;
        for (k = 0; k < 2 && kFrom < 0; k++) {
            int r = ahKey[k]
                        ? settings_read_one(s, ahKey[k], w, &def, azReason[k], sizeof(azReason[k]))
                        : 0;
            if (r == 1) kFrom = k;
            aBad[k] = r < 0;
        }
        if (w < SETTINGS_FROM_MAX)
            s->aFrom[w] = (unsigned char)(kFrom == 0   ? SETTINGS_FROM_POLICY
                                          : kFrom == 1 ? SETTINGS_FROM_INSTALL
                                                       : SETTINGS_FROM_DEFAULT);
        /* Reported once the value really used is known: a bad policy value falls back to the
         * install-time value, not straight to the built-in default. */
        settings_using(s, w, kFrom >= 0 ? zWhere[kFrom] : NULL, zUsing, sizeof(zUsing));
        for (k = 0; k < 2; k++)
            if (aBad[k] && pfnErr) pfnErr(pArg, settings_azName[w], zWhere[k], azReason[k], zUsing);
    }
    for (k = 0; k < 2; k++)
        if (ahKey[k]) RegCloseKey(ahKey[k]);
    return KBS_OK;
}

int settings_set_drop(const wchar_t *zBaseKey, const wchar_t *zShare)
{
    wchar_t zNorm[SETTINGS_PATH_MAX];
    char zReason[160];
    HKEY hKey = NULL;
    LONG lrc;
    size_t n = wcslen(zShare);

    if (n >= SETTINGS_PATH_MAX ||
        settings_parse_path(REG_SZ, (const BYTE *)zShare, (DWORD)(n * sizeof(wchar_t)), 1, zNorm,
                            SETTINGS_PATH_MAX, zReason, sizeof(zReason)) ||
        !zNorm[0])
        return KBS_EINVAL;
    lrc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, zBaseKey, 0, NULL, 0,
                          KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &hKey, NULL);
    if (lrc == ERROR_SUCCESS)
        lrc = RegSetValueExW(hKey, L"DropShare", 0, REG_SZ, (const BYTE *)zNorm,
                             (DWORD)((wcslen(zNorm) + 1) * sizeof(wchar_t)));
    if (hKey) RegCloseKey(hKey);
    if (lrc == ERROR_SUCCESS) return KBS_OK;
    return lrc == ERROR_ACCESS_DENIED ? KBS_EACCESS : KBS_EIO;
}
