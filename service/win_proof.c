/* win_proof.c: reads the policy's ProofFiles and ProofValues lists and records the files' versions
 * and the values as facts; every entry is checked (common/proof.c) before anything is opened. */
#include "win_proof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "kbs_err.h"
#include "proof.h"
#include "win_file.h"
#include "win_settings.h"

/* What one list's reading found wrong: counts and the first reasons, for its source line. */
typedef struct proof_bad {
    unsigned nBad, nEntry;
    char zText[SNAP_ERR_MAX];
} proof_bad_t;

static void proof_bad_add(proof_bad_t *b, const char *zEntry, const char *zWhy)
{
    size_t n = strlen(b->zText);
    b->nBad++;
    /* The first reasons are named; the count says how many there were. */
    if (n + 16 < sizeof(b->zText))
        snprintf(b->zText + n, sizeof(b->zText) - n, "%s'%.60s': %s", n ? "; " : "", zEntry, zWhy);
}

/* The list value zName as UTF-16 units in *ppBuf (malloc'd) and *pnUnits; *pbSet 0 when absent. */
static int proof_read_list(const reg_ctx_t *r, HKEY hPol, const wchar_t *zName, uint16_t **ppBuf,
                           size_t *pnUnits, int *pbSet, proof_bad_t *b)
{
    DWORD type = REG_NONE, cb = PROOF_LIST_BYTES_MAX;
    BYTE *p = NULL;
    char zWhy[SNAP_ERR_MAX];
    LONG e;

    *ppBuf = NULL;
    *pnUnits = 0;
    *pbSet = 0;
    if (!(p = malloc(PROOF_LIST_BYTES_MAX))) return KBS_ENOMEM;
    e = r->sys->pfnRegQueryValueExW(hPol, zName, NULL, &type, p, &cb);
    if (e == ERROR_FILE_NOT_FOUND) {
        free(p);
        return KBS_OK;
    }
    *pbSet = 1;
    if (e == ERROR_MORE_DATA) {
        proof_bad_add(b, "(list)", "longer than 64 KiB");
    } else if (e != ERROR_SUCCESS) {
        winapi_errfmt(zWhy, sizeof(zWhy), "RegQueryValueExW", NULL, (unsigned long)e);
        proof_bad_add(b, "(list)", zWhy);
    } else if (type != REG_MULTI_SZ && type != REG_SZ) {
        snprintf(zWhy, sizeof(zWhy),
                 "type %lu, not REG_MULTI_SZ (or a REG_SZ list separated by ';')",
                 (unsigned long)type);
        proof_bad_add(b, "(list)", zWhy);
    } else {
        /* An odd byte count drops its last byte: half a character is no character. */
        *ppBuf = (uint16_t *)p;
        *pnUnits = type == REG_SZ ? proof_sz_to_msz(*ppBuf, cb / 2) : cb / 2;
        return KBS_OK;
    }
    free(p);
    return KBS_OK;
}

/* Calls fn for each of the first PROOF_ENTRY_MAX entries (as checked UTF-8); counts the rest. */
typedef int (*proof_entry_fn)(const reg_ctx_t *r, const wchar_t *zRoot, const char *zEntry,
                              snap_t *s, proof_bad_t *b);

static int proof_each(const reg_ctx_t *r, const wchar_t *zRoot, const uint16_t *p, size_t n,
                      proof_entry_fn fn, snap_t *s, proof_bad_t *b)
{
    const uint16_t *z;
    size_t off = 0, nz, nOver = 0;
    char zEntry[PROOF_VALUE_LEN_MAX + 8], zWhy[64];
    int rc;

    while (proof_msz_next(p, n, &off, &z, &nz)) {
        if (b->nEntry++ >= PROOF_ENTRY_MAX) {
            nOver++;
            continue;
        }
        if (winapi_utf8((const wchar_t *)z, nz, zEntry, sizeof(zEntry)) != KBS_OK) {
            proof_bad_add(b, zEntry, "longer than 400 bytes");
            continue;
        }
        if ((rc = fn(r, zRoot, zEntry, s, b)) != KBS_OK) return rc;
    }
    if (nOver) {
        snprintf(zWhy, sizeof(zWhy), "%lu entries past the first %u not read", (unsigned long)nOver,
                 (unsigned)PROOF_ENTRY_MAX);
        b->nBad += (unsigned)nOver - 1;
        proof_bad_add(b, "(list)", zWhy);
    }
    return KBS_OK;
}

/* The checked UTF-8 text as UTF-16 for the API (what is opened is exactly what was checked). */
static int proof_wide(const char *z, wchar_t *zW, int nW)
{
    return MultiByteToWideChar(CP_UTF8, 0, z, -1, zW, nW) > 0;
}

static int proof_file(const reg_ctx_t *r, const wchar_t *zRoot, const char *zEntry, snap_t *s,
                      proof_bad_t *b)
{
    char zRel[PROOF_FILE_LEN_MAX + 1], zWhy[SNAP_ERR_MAX], zShown[SNAP_PATH_MAX];
    wchar_t zRelW[PROOF_FILE_LEN_MAX + 1], zPath[MAX_PATH + PROOF_FILE_LEN_MAX + 2];
    PVOID pOld = NULL;
    int redir = 0, rc;
    size_t i;
    ver_t v;

    if (proof_file_check(zEntry, zRel, sizeof(zRel), zWhy, sizeof(zWhy)) != KBS_OK) {
        proof_bad_add(b, zEntry, zWhy);
        return KBS_OK;
    }
    snprintf(zShown, sizeof(zShown), "%%SystemRoot%%\\%s", zRel);
    /* A file the agent reads anyway is recorded once. */
    for (i = 0; i < s->nFile; i++)
        if (!_stricmp(s->aFile[i].zPath, zShown)) return KBS_OK;
    if (!zRoot[0]) return snap_add_file(s, zShown, 0, NULL, "the Windows directory is unknown");
    if (!proof_wide(zRel, zRelW, PROOF_FILE_LEN_MAX + 1)) {
        proof_bad_add(b, zEntry, "not UTF-16");
        return KBS_OK;
    }
    _snwprintf(zPath, sizeof(zPath) / sizeof(zPath[0]) - 1, L"%ls\\%ls", zRoot, zRelW);
    zPath[sizeof(zPath) / sizeof(zPath[0]) - 1] = 0;
    winapi_fsredir_off(&pOld, &redir);
    rc = file_version(r->sys, zPath, &v, zWhy, sizeof(zWhy));
    winapi_fsredir_restore(pOld, redir);
    if (rc == KBS_OK) return snap_add_file(s, zShown, 1, &v, NULL);
    if (rc == KBS_ENOTFOUND) return snap_add_file(s, zShown, 0, NULL, NULL);
    if (rc == KBS_ENOMEM) return rc;
    rc = snap_add_file(s, zShown, 0, NULL, zWhy);
    return rc == KBS_ENOMEM ? rc : KBS_OK;
}

/* A registry value as a fact value: numbers in decimal, a string when it is a fact word. */
static int proof_fact_value(DWORD type, const BYTE *p, DWORD cb, char *zVal, size_t nVal,
                            char *zWhy, size_t nWhy)
{
    if (type == REG_DWORD && cb == 4) {
        DWORD d;
        memcpy(&d, p, 4);
        snprintf(zVal, nVal, "%lu", (unsigned long)d);
        return KBS_OK;
    }
    if (type == REG_QWORD && cb == 8) {
        unsigned long long q;
        memcpy(&q, p, 8);
        snprintf(zVal, nVal, "%llu", q);
        return KBS_OK;
    }
    if (type == REG_SZ || type == REG_EXPAND_SZ) {
        char zWhyStr[64];
        if (reg_value_str(type, p, cb, zVal, nVal, zWhyStr, sizeof(zWhyStr)) == KBS_OK &&
            (!zVal[0] || snap_fact_word_ok(zVal, strlen(zVal), SNAP_FACT_VALUE_MAX))) {
            if (!zVal[0]) snprintf(zVal, nVal, "empty");
            return KBS_OK;
        }
        snprintf(zWhy, nWhy, "text is not 1-63 of A-Z a-z 0-9 . _ -");
        return KBS_EPARSE;
    }
    snprintf(zWhy, nWhy, "type %lu of %lu bytes is not a number or a short text",
             (unsigned long)type, (unsigned long)cb);
    return KBS_EPARSE;
}

static int proof_value(const reg_ctx_t *r, const wchar_t *zRoot, const char *zEntry, snap_t *s,
                       proof_bad_t *b)
{
    char zKey[PROOF_VALUE_LEN_MAX + 1], zVal[PROOF_VALUE_LEN_MAX + 1], zFact[PROOF_NAME_MAX];
    char zWhy[SNAP_ERR_MAX], zFv[SNAP_FACT_VALUE_MAX];
    wchar_t zKeyW[PROOF_VALUE_LEN_MAX + 1], zValW[PROOF_VALUE_LEN_MAX + 1];
    BYTE buf[512];
    DWORD type = REG_NONE, cb = sizeof(buf);
    HKEY h = NULL;
    LONG e;
    int rc;

    (void)zRoot;
    if (proof_value_check(zEntry, zKey, sizeof(zKey), zVal, sizeof(zVal), zFact, sizeof(zFact),
                          zWhy, sizeof(zWhy)) != KBS_OK) {
        proof_bad_add(b, zEntry, zWhy);
        return KBS_OK;
    }
    if (snap_find_fact(s, zFact)) {
        proof_bad_add(b, zEntry, "its fact name is already recorded");
        return KBS_OK;
    }
    if (!proof_wide(zKey, zKeyW, PROOF_VALUE_LEN_MAX + 1) ||
        !proof_wide(zVal, zValW, PROOF_VALUE_LEN_MAX + 1)) {
        proof_bad_add(b, zEntry, "not UTF-16");
        return KBS_OK;
    }
    e = r->sys->pfnRegOpenKeyExW(r->hRoot, zKeyW, 0, KEY_QUERY_VALUE | r->aView[0], &h);
    if (e == ERROR_FILE_NOT_FOUND) {
        rc = snap_add_fact(s, zFact, "absent", NULL);
    } else if (e != ERROR_SUCCESS) {
        winapi_errfmt(zWhy, sizeof(zWhy), "RegOpenKeyExW", NULL, (unsigned long)e);
        rc = snap_add_fact(s, zFact, NULL, zWhy);
    } else {
        e = r->sys->pfnRegQueryValueExW(h, zValW, NULL, &type, buf, &cb);
        r->sys->pfnRegCloseKey(h);
        if (e == ERROR_FILE_NOT_FOUND) {
            rc = snap_add_fact(s, zFact, "absent", NULL);
        } else if (e == ERROR_MORE_DATA) {
            rc = snap_add_fact(s, zFact, NULL, "value longer than 512 bytes");
        } else if (e != ERROR_SUCCESS) {
            winapi_errfmt(zWhy, sizeof(zWhy), "RegQueryValueExW", NULL, (unsigned long)e);
            rc = snap_add_fact(s, zFact, NULL, zWhy);
        } else if (proof_fact_value(type, buf, cb, zFv, sizeof(zFv), zWhy, sizeof(zWhy)) ==
                   KBS_OK) {
            rc = snap_add_fact(s, zFact, zFv, NULL);
        } else {
            rc = snap_add_fact(s, zFact, NULL, zWhy);
        }
    }
    if (rc == KBS_ENOMEM) return rc;
    if (rc != KBS_OK)
        proof_bad_add(b, zEntry, rc == KBS_ETOOBIG ? "too many facts" : "not recorded");
    return KBS_OK;
}

static int proof_list(const reg_ctx_t *r, HKEY hPol, const wchar_t *zRoot, const wchar_t *zName,
                      const char *zSource, proof_entry_fn fn, snap_t *s)
{
    proof_bad_t b;
    uint16_t *p = NULL;
    size_t n = 0;
    char zErr[SNAP_ERR_MAX];
    int bSet = 0, rc;

    memset(&b, 0, sizeof(b));
    if ((rc = proof_read_list(r, hPol, zName, &p, &n, &bSet, &b)) != KBS_OK || !bSet) return rc;
    if (p) rc = proof_each(r, zRoot, p, n, fn, s, &b);
    free(p);
    if (rc != KBS_OK) return rc;
    if (b.nBad) snprintf(zErr, sizeof(zErr), "%u refused: %s", b.nBad, b.zText);
    rc = snap_add_source(s, zSource, b.nBad == 0, b.nBad ? zErr : NULL);
    return rc == KBS_ENOMEM ? rc : KBS_OK;
}

int proof_collect(const reg_ctx_t *r, const wchar_t *zSystemRoot, snap_t *s)
{
    wchar_t zRoot[MAX_PATH];
    HKEY hPol = NULL;
    LONG e;
    int rc;
    UINT n;

    e = r->sys->pfnRegOpenKeyExW(r->hRoot, SETTINGS_POLICY_KEY, 0, KEY_QUERY_VALUE | r->aView[0],
                                 &hPol);
    if (e == ERROR_FILE_NOT_FOUND) return KBS_OK;
    if (e != ERROR_SUCCESS) {
        char zWhy[SNAP_ERR_MAX];
        winapi_errfmt(zWhy, sizeof(zWhy), "RegOpenKeyExW", "SOFTWARE\\Policies\\kbsentry",
                      (unsigned long)e);
        rc = snap_add_source(s, "policy-files", 0, zWhy);
        return rc == KBS_ENOMEM ? rc : KBS_OK;
    }
    if (zSystemRoot && wcslen(zSystemRoot) < MAX_PATH) {
        wcscpy(zRoot, zSystemRoot);
    } else {
        n = r->sys->pfnGetSystemWindowsDirectoryW(zRoot, MAX_PATH);
        if (n == 0 || n >= MAX_PATH) zRoot[0] = 0;
    }
    rc = proof_list(r, hPol, zRoot, L"ProofFiles", "policy-files", proof_file, s);
    if (rc == KBS_OK)
        rc = proof_list(r, hPol, zRoot, L"ProofValues", "policy-values", proof_value, s);
    r->sys->pfnRegCloseKey(hPol);
    return rc;
}
