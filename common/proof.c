/* proof.c: the proof files and values a site names by policy (ProofFiles, ProofValues), each
 * entry checked before anything is read: the agent reads nothing outside them. */
#include "proof.h"

#include <stdio.h>
#include <string.h>

#include "kbs_err.h"

static int proof_fail(int rc, char *zWhy, size_t nWhy, const char *zReason)
{
    snprintf(zWhy, nWhy, "%s", zReason);
    return rc;
}

/* Components of z ('\'-separated) are neither empty nor "." nor "..". */
static int proof_components_ok(const char *z)
{
    const char *p = z;
    for (;;) {
        const char *q = strchr(p, '\\');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return 0;
        if (!q) return 1;
        p = q + 1;
    }
}

int proof_file_check(const char *zEntry, char *zRel, size_t nRel, char *zWhy, size_t nWhy)
{
    size_t n = strlen(zEntry), i;
    if (nWhy) zWhy[0] = 0;
    if (nRel) zRel[0] = 0;
    if (n == 0) return proof_fail(KBS_EINVAL, zWhy, nWhy, "empty entry");
    if (n > PROOF_FILE_LEN_MAX || n >= nRel)
        return proof_fail(KBS_ETOOBIG, zWhy, nWhy, "longer than 200 bytes");
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)zEntry[i];
        if (ch < 0x20 || ch == 0x7f) return proof_fail(KBS_EINVAL, zWhy, nWhy, "control character");
        if (ch == ':')
            return proof_fail(
                KBS_EINVAL, zWhy, nWhy,
                "a drive letter or stream (':'): paths are relative to the Windows directory");
        if (strchr("<>\"|?*", ch))
            return proof_fail(KBS_EINVAL, zWhy, nWhy, "character not allowed in a file name");
    }
    for (i = 0; i < n; i++)
        zRel[i] = zEntry[i] == '/' ? '\\' : zEntry[i];
    zRel[n] = 0;
    if (zRel[0] == '\\') {
        zRel[0] = 0;
        return proof_fail(KBS_EINVAL, zWhy, nWhy,
                          "absolute path: paths are relative to the Windows directory");
    }
    if (!proof_components_ok(zRel)) {
        zRel[0] = 0;
        return proof_fail(KBS_EINVAL, zWhy, nWhy, "'..', '.' or an empty component");
    }
    return KBS_OK;
}

/* The prefix of z naming HKLM ("HKLM\" or "HKEY_LOCAL_MACHINE\", any case): its length, or 0. */
static size_t proof_hklm(const char *z)
{
    static const char *const azHive[] = {"HKLM\\", "HKEY_LOCAL_MACHINE\\"};
    size_t i, j;
    for (i = 0; i < 2; i++) {
        size_t n = strlen(azHive[i]);
        for (j = 0; j < n; j++) {
            char a = z[j], b = azHive[i][j];
            if (a >= 'a' && a <= 'z') a = (char)(a - 32);
            if (a != b) break;
        }
        if (j == n) return n;
    }
    return 0;
}

int proof_value_check(const char *zEntry, char *zKey, size_t nKey, char *zValue, size_t nValue,
                      char *zFact, size_t nFact, char *zWhy, size_t nWhy)
{
    size_t n = strlen(zEntry), nHive, nK, nV, nLast, i;
    const char *zSep, *zLast;
    if (nWhy) zWhy[0] = 0;
    if (nKey) zKey[0] = 0;
    if (nValue) zValue[0] = 0;
    if (nFact) zFact[0] = 0;
    if (n == 0) return proof_fail(KBS_EINVAL, zWhy, nWhy, "empty entry");
    if (n > PROOF_VALUE_LEN_MAX)
        return proof_fail(KBS_ETOOBIG, zWhy, nWhy, "longer than 400 bytes");
    for (i = 0; i < n; i++)
        if ((unsigned char)zEntry[i] < 0x20 || zEntry[i] == 0x7f)
            return proof_fail(KBS_EINVAL, zWhy, nWhy, "control character");
    if (!(nHive = proof_hklm(zEntry)))
        return proof_fail(KBS_EINVAL, zWhy, nWhy, "not under HKLM (HKLM\\key\\value)");
    zSep = strrchr(zEntry, '\\');
    if ((size_t)(zSep - zEntry) < nHive)
        return proof_fail(KBS_EINVAL, zWhy, nWhy, "no value name (HKLM\\key\\value)");
    nK = (size_t)(zSep - zEntry) - nHive;
    nV = strlen(zSep + 1);
    if (nK >= nKey || nV >= nValue) return proof_fail(KBS_ETOOBIG, zWhy, nWhy, "too long");
    memcpy(zKey, zEntry + nHive, nK);
    zKey[nK] = 0;
    memcpy(zValue, zSep + 1, nV + 1);
    if (nV == 0 || !proof_components_ok(zKey)) {
        zKey[0] = zValue[0] = 0;
        return proof_fail(KBS_EINVAL, zWhy, nWhy, "an empty, '.' or '..' key or value name");
    }
    zLast = strrchr(zKey, '\\');
    zLast = zLast ? zLast + 1 : zKey;
    nLast = strlen(zLast);
    if (nLast + 1 + nV >= nFact || nLast + 1 + nV >= PROOF_NAME_MAX) {
        zKey[0] = zValue[0] = 0;
        return proof_fail(KBS_ETOOBIG, zWhy, nWhy, "fact name <key>.<value> longer than 95 bytes");
    }
    snprintf(zFact, nFact, "%s.%s", zLast, zValue);
    for (i = 0; zFact[i]; i++) {
        char ch = zFact[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              ch == '.' || ch == '_' || ch == '-'))
            zFact[i] = '_';
    }
    return KBS_OK;
}

int proof_msz_next(const uint16_t *p, size_t n, size_t *pOff, const uint16_t **pzStr, size_t *pnStr)
{
    size_t i = *pOff, j = i;
    if (i >= n) return 0;
    while (j < n && p[j])
        j++;
    if (j == i) return 0;
    *pzStr = p + i;
    *pnStr = j - i;
    *pOff = j < n ? j + 1 : n;
    return 1;
}

size_t proof_sz_to_msz(uint16_t *p, size_t n)
{
    size_t i = 0, o = 0;
    while (i < n && p[i]) {
        size_t start, end;
        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        start = i;
        while (i < n && p[i] && p[i] != ';')
            i++;
        end = i;
        while (end > start && (p[end - 1] == ' ' || p[end - 1] == '\t'))
            end--;
        if (i < n && p[i] == ';') i++;
        if (end == start) continue;
        /* o <= start: the copy only moves text left. */
        memmove(p + o, p + start, (end - start) * sizeof *p);
        o += end - start;
        /* A text without its NUL that fills the buffer keeps its last entry unterminated. */
        if (o < n) p[o++] = 0;
    }
    return o;
}
