/* snap_parse.c: the strict reader of snapshot format v1; every rejection names line and reason. */
#include "snap.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "snap_int.h"

typedef struct snap_rd {
    snap_t *s;
    snap_err_t *pErr;
    unsigned line;
    unsigned seen;       /* bit per singleton key already read */
    char zVal[SNAP_LINE_MAX + 1];
} snap_rd_t;

static int rd_fail(snap_rd_t *r, int rc, const char *zFmt, ...)
{
    va_list ap;
    if (r->pErr) {
        r->pErr->rc = rc;
        r->pErr->line = r->line;
        va_start(ap, zFmt);
        vsnprintf(r->pErr->zReason, sizeof r->pErr->zReason, zFmt, ap);
        va_end(ap);
    }
    return rc;
}

static int snap_hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Unescapes n bytes at z into zOut[nOut]; rejects a bad escape, a bare '|' and overlong values. */
static int rd_val(snap_rd_t *r, const char *z, size_t n, char *zOut, size_t nOut, const char *zWhat)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        char c = z[i];
        if (c == '%') {
            int hi, lo;
            if (i + 2 >= n) return rd_fail(r, KBS_EPARSE, "%s: bad %%-escape", zWhat);
            hi = snap_hexval(z[i + 1]);
            lo = snap_hexval(z[i + 2]);
            if (hi < 0 || lo < 0) return rd_fail(r, KBS_EPARSE, "%s: bad %%-escape", zWhat);
            c = (char)(hi * 16 + lo);
            if (c == 0) return rd_fail(r, KBS_EPARSE, "%s: escaped NUL byte", zWhat);
            /* Only what the writer escapes: an escaped byte >= 0x80 could make the value invalid
             * UTF-8 that no writer may emit again. */
            if ((unsigned char)c >= 0x80)
                return rd_fail(r, KBS_EPARSE, "%s: %%-escape of a non-ASCII byte", zWhat);
            i += 2;
        } else if (c == '|') {
            return rd_fail(r, KBS_EPARSE, "%s: unexpected '|'", zWhat);
        }
        if (o + 1 >= nOut) return rd_fail(r, KBS_ETOOBIG, "%s: longer than %u bytes", zWhat, (unsigned)nOut - 1);
        zOut[o++] = c;
    }
    zOut[o] = 0;
    return KBS_OK;
}

/* Splits n bytes at z on '|' into exactly nField fields (pointers into z, with lengths). */
static int rd_split(snap_rd_t *r, const char *z, size_t n, const char **az, size_t *an,
                    size_t nField, const char *zWhat)
{
    size_t k = 0;
    const char *zEnd = z + n, *p = z;
    for (;;) {
        const char *q = memchr(p, '|', (size_t)(zEnd - p));
        if (k == nField) return rd_fail(r, KBS_EPARSE, "%s: more than %u fields", zWhat, (unsigned)nField);
        az[k] = p;
        an[k] = (size_t)((q ? q : zEnd) - p);
        k++;
        if (!q) break;
        p = q + 1;
    }
    if (k != nField) return rd_fail(r, KBS_EPARSE, "%s: %u fields, expected %u", zWhat, (unsigned)k, (unsigned)nField);
    return KBS_OK;
}

/* A decimal number of at most 10 digits and at most nMax. */
static int rd_uint(snap_rd_t *r, const char *z, size_t n, unsigned long nMax, unsigned long *pOut,
                   const char *zWhat)
{
    /* 64 bits: ten digits overflow a 32-bit unsigned long (Windows) before the range check. */
    uint64_t v = 0;
    size_t i;
    if (n == 0 || n > 10) return rd_fail(r, KBS_EPARSE, "%s: not a number", zWhat);
    for (i = 0; i < n; i++) {
        if (z[i] < '0' || z[i] > '9') return rd_fail(r, KBS_EPARSE, "%s: not a number", zWhat);
        v = v * 10 + (uint64_t)(z[i] - '0');
        if (v > (uint64_t)nMax)
            return rd_fail(r, KBS_EPARSE, "%s: %.*s is out of range", zWhat, (int)n, z);
    }
    *pOut = (unsigned long)v;
    return KBS_OK;
}

/* Reads a decimal number without sign or leading zero (at most nMaxDigit digits) at *pz, up to
 * zEnd; advances *pz. Returns 0, or -1 when there is none. */
static int rd_dec(const char **pz, const char *zEnd, int nMaxDigit, unsigned *pOut)
{
    const char *z = *pz;
    unsigned v = 0;
    int n = 0;
    while (z < zEnd && *z >= '0' && *z <= '9') {
        if (++n > nMaxDigit || (n == 2 && v == 0)) return -1;
        v = v * 10 + (unsigned)(*z++ - '0');
    }
    if (n == 0) return -1;
    *pz = z;
    *pOut = v;
    return 0;
}

/* "END records=<n> crc32=<8 upper-case hex digits>" and nothing else. */
static int rd_end_line(const char *z, size_t n, unsigned *pnRecord, unsigned *pCrc)
{
    const char *zEnd = z + n;
    unsigned crc = 0;
    int i;
    if (n < 12 || memcmp(z, "END records=", 12) != 0) return -1;
    z += 12;
    if (rd_dec(&z, zEnd, 9, pnRecord)) return -1;
    if (zEnd - z != 15 || memcmp(z, " crc32=", 7) != 0) return -1;
    for (z += 7, i = 0; i < 8; i++, z++) {
        if (*z >= '0' && *z <= '9') crc = crc << 4 | (unsigned)(*z - '0');
        else if (*z >= 'A' && *z <= 'F') crc = crc << 4 | (unsigned)(*z - 'A' + 10);
        else return -1;
    }
    *pCrc = crc;
    return 0;
}

#define SNAP_B8(x) (0x0101010101010101ull * (x))

/* Valid UTF-8 without overlongs and surrogates; with bNoCtl also free of control bytes
 * (below 0x20, and DEL), which the writer always escapes. */
static int snap_text_ok(const unsigned char *p, size_t n, int bNoCtl)
{
    size_t i = 0;
    while (i < n) {
        unsigned c;
        size_t k;
        unsigned cp;
        /* ASCII fast path, eight bytes at a time: leave it at a non-ASCII byte, or (bNoCtl) at a
         * byte below 0x20 or equal to 0x7F. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & SNAP_B8(0x80)) break;
            if (bNoCtl && (((w - SNAP_B8(0x20)) | ((w ^ SNAP_B8(0x7F)) - SNAP_B8(1))) & SNAP_B8(0x80)))
                break;
            i += 8;
        }
        if (i >= n) break;
        c = p[i];
        if (c < 0x80) {
            if (bNoCtl && (c < 0x20 || c == 0x7F)) return 0;
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) k = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF) k = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4) k = 3, cp = c & 0x07;
        else return 0;
        if (i + k >= n) return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (p[i + j] & 0x3F);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += k + 1;
    }
    return 1;
}

int snap_utf8_ok(const unsigned char *p, size_t n)
{
    return snap_text_ok(p, n, 0);
}

enum {
    K_ORIGIN, K_HOST, K_DOMAIN, K_MACHINE_ID, K_AGENT_VERSION, K_SCAN_TIME, K_OS_KNOWN,
    K_OS_PRODUCT, K_OS_VERSION, K_OS_UBR, K_OS_SP, K_OS_PTYPE, K_OS_ARCH, K_OS_EDITION, K_OS_CSD,
    K_OS_DISPVER, K_OS_INSTALL, K_OS_UILANG, K_HF_COMPLETE, K_HF_NOTE, K_SOURCE, K_HOTFIX, K_FILE,
    K_FACT, K_COUNT
};

static const char *const snap_azKey[K_COUNT] = {
    "origin", "host", "domain", "machine-id", "agent-version", "scan-time", "os-known",
    "os.product", "os.version", "os.ubr", "os.sp", "os.product-type", "os.arch", "os.edition",
    "os.csd", "os.display-version", "os.install-date", "os.ui-language", "hotfixes-complete",
    "hotfix-note", "source", "hotfix", "file", "fact"};

/* strlen of each key above (constant: parsers may run on several threads). */
static const unsigned char snap_anKey[K_COUNT] = {6, 4, 6, 10, 13, 9, 8, 10, 10, 6, 5, 15, 7, 10, 6, 18, 15, 14, 17, 11, 6, 6, 4, 4};

static int rd_key(const char *z, size_t n)
{
    int k;
    /* Most lines are hotfixes: look at the list keys first. */
    for (k = K_COUNT - 1; k >= 0; k--) {
        if (snap_anKey[k] == n && memcmp(snap_azKey[k], z, n) == 0) return k;
    }
    return -1;
}

static int rd_hotfix(snap_rd_t *r, const char *z, size_t n)
{
    /* Lengths of snap_azSrcName: three words on most lines, so no strlen per word. */
    static const size_t anSrcName[SNAP_NSRC] = {3, 11, 10, 3, 10};
    const char *az[5] = {0};
    size_t an[5] = {0}, i, nBefore;
    char zRaw[SNAP_RAW_MAX], zDate[24], zNorm[64];
    unsigned sources = 0;
    unsigned long cbs = 0;
    int rc;
    kb_id_t kb;

    if ((rc = rd_split(r, z, n, az, an, 5, "hotfix"))) return rc;
    if ((rc = rd_val(r, az[1], an[1], zRaw, sizeof zRaw, "hotfix raw id"))) return rc;
    if (!zRaw[0]) return rd_fail(r, KBS_EPARSE, "hotfix: empty raw id");
    if (kb_parse(zRaw, &kb) == KBS_OK) kb_format(&kb, zNorm, sizeof zNorm);
    else {
        memset(&kb, 0, sizeof kb);
        zNorm[0] = 0;
    }
    if (an[0] != strlen(zNorm) || memcmp(az[0], zNorm, an[0]) != 0)
        return rd_fail(r, KBS_EPARSE, "hotfix: normalised id '%.*s' does not match raw '%s'",
                       (int)(an[0] > 40 ? 40 : an[0]), az[0], zRaw);
    for (i = 0; i < an[2];) {
        const char *p = az[2] + i, *q = memchr(p, ',', an[2] - i);
        size_t nWord = q ? (size_t)(q - p) : an[2] - i;
        size_t j;
        for (j = 0; j < SNAP_NSRC; j++) {
            if (anSrcName[j] == nWord && memcmp(snap_azSrcName[j], p, nWord) == 0) break;
        }
        if (j == SNAP_NSRC)
            return rd_fail(r, KBS_EPARSE, "hotfix: unknown source '%.*s'", (int)(nWord > 40 ? 40 : nWord), p);
        sources |= 1u << j;
        i += nWord + (q ? 1 : 0);
        if (q && i == an[2]) return rd_fail(r, KBS_EPARSE, "hotfix: empty source word");
    }
    if ((rc = rd_val(r, az[3], an[3], zDate, sizeof zDate, "hotfix install date"))) return rc;
    if (an[4] && (rc = rd_uint(r, az[4], an[4], 0xFFFF, &cbs, "hotfix CBS state"))) return rc;
    nBefore = r->s->nHotfix;
    rc = snap_add_hotfix_kb(r->s, &kb, zRaw, sources, zDate, an[4] ? (int)cbs : -1);
    if (rc == KBS_OK && r->s->nHotfix == nBefore) return rd_fail(r, KBS_EPARSE, "duplicate hotfix '%s'", zRaw);
    if (rc == KBS_ETOOBIG) return rd_fail(r, rc, "more than %u hotfixes", SNAP_HOTFIX_MAX);
    if (rc) return rd_fail(r, rc, "hotfix: %s", kbs_strerror(rc));
    return KBS_OK;
}

static int rd_file(snap_rd_t *r, const char *z, size_t n)
{
    const char *az[3] = {0};
    size_t an[3] = {0};
    char zPath[SNAP_PATH_MAX], zErr[SNAP_ERR_MAX], zVer[32];
    ver_t v = {{0, 0, 0, 0}};
    int rc, present = 1;

    if ((rc = rd_split(r, z, n, az, an, 3, "file"))) return rc;
    if ((rc = rd_val(r, az[0], an[0], zPath, sizeof zPath, "file path"))) return rc;
    if (!zPath[0]) return rd_fail(r, KBS_EPARSE, "file: empty path");
    if ((rc = rd_val(r, az[1], an[1], zVer, sizeof zVer, "file version"))) return rc;
    if (strcmp(zVer, "absent") == 0) present = 0;
    else if (ver_parse(zVer, &v) != KBS_OK || strchr(zVer, ' '))
        return rd_fail(r, KBS_EPARSE, "file: '%s' is not a version or 'absent'", zVer);
    if ((rc = rd_val(r, az[2], an[2], zErr, sizeof zErr, "file error"))) return rc;
    rc = snap_add_file(r->s, zPath, present, &v, zErr);
    if (rc) return rd_fail(r, rc, "file: %s", rc == KBS_ETOOBIG ? "too many files" : kbs_strerror(rc));
    return KBS_OK;
}

static int rd_source(snap_rd_t *r, const char *z, size_t n)
{
    const char *az[3] = {0};
    size_t an[3] = {0};
    char zName[32], zErr[SNAP_ERR_MAX];
    int rc, ok;

    if ((rc = rd_split(r, z, n, az, an, 3, "source"))) return rc;
    if ((rc = rd_val(r, az[0], an[0], zName, sizeof zName, "source name"))) return rc;
    if (!zName[0]) return rd_fail(r, KBS_EPARSE, "source: empty name");
    if (an[1] == 2 && memcmp(az[1], "ok", 2) == 0) ok = 1;
    else if (an[1] == 6 && memcmp(az[1], "failed", 6) == 0) ok = 0;
    else return rd_fail(r, KBS_EPARSE, "source: state must be 'ok' or 'failed'");
    if ((rc = rd_val(r, az[2], an[2], zErr, sizeof zErr, "source error"))) return rc;
    if (ok && zErr[0]) return rd_fail(r, KBS_EPARSE, "source: an 'ok' source has no error text");
    rc = snap_add_source(r->s, zName, ok, zErr);
    if (rc) return rd_fail(r, rc, "source: %s", rc == KBS_ETOOBIG ? "too many sources" : kbs_strerror(rc));
    return KBS_OK;
}

/* "name|value|error" (format 1.1): exactly one of value and error. */
static int rd_fact(snap_rd_t *r, const char *z, size_t n)
{
    const char *az[3] = {0};
    size_t an[3] = {0};
    char zName[SNAP_FACT_NAME_MAX], zValue[SNAP_FACT_VALUE_MAX], zErr[SNAP_ERR_MAX];
    int rc;

    if ((rc = rd_split(r, z, n, az, an, 3, "fact"))) return rc;
    if (!snap_fact_word_ok(az[0], an[0], SNAP_FACT_NAME_MAX))
        return rd_fail(r, KBS_EPARSE, "fact: name must be 1-%u of A-Z a-z 0-9 . _ -", SNAP_FACT_NAME_MAX - 1);
    memcpy(zName, az[0], an[0]);
    zName[an[0]] = 0;
    if (an[1] && !snap_fact_word_ok(az[1], an[1], SNAP_FACT_VALUE_MAX))
        return rd_fail(r, KBS_EPARSE, "fact %s: value must be 1-%u of A-Z a-z 0-9 . _ -", zName,
                       SNAP_FACT_VALUE_MAX - 1);
    memcpy(zValue, az[1], an[1]);
    zValue[an[1]] = 0;
    if ((rc = rd_val(r, az[2], an[2], zErr, sizeof zErr, "fact error"))) return rc;
    if (!zValue[0] == !zErr[0])
        return rd_fail(r, KBS_EPARSE, "fact %s: needs either a value or an error text", zName);
    if (snap_find_fact(r->s, zName)) return rd_fail(r, KBS_EPARSE, "duplicate fact '%s'", zName);
    rc = snap_add_fact(r->s, zName, zValue, zErr);
    if (rc) return rd_fail(r, rc, "fact: %s", rc == KBS_ETOOBIG ? "too many facts" : kbs_strerror(rc));
    return KBS_OK;
}

/* Fixed-size string fields and where they go. */
static char *rd_str_field(snap_t *s, int k, size_t *pn)
{
    switch (k) {
    case K_ORIGIN: *pn = sizeof s->zOrigin; return s->zOrigin;
    case K_HOST: *pn = sizeof s->zHost; return s->zHost;
    case K_DOMAIN: *pn = sizeof s->zDomain; return s->zDomain;
    case K_MACHINE_ID: *pn = sizeof s->zMachineId; return s->zMachineId;
    case K_AGENT_VERSION: *pn = sizeof s->zAgentVersion; return s->zAgentVersion;
    case K_OS_PRODUCT: *pn = sizeof s->os.zProductName; return s->os.zProductName;
    case K_OS_EDITION: *pn = sizeof s->os.zEdition; return s->os.zEdition;
    case K_OS_CSD: *pn = sizeof s->os.zCsdVersion; return s->os.zCsdVersion;
    case K_OS_DISPVER: *pn = sizeof s->os.zDisplayVersion; return s->os.zDisplayVersion;
    case K_OS_INSTALL: *pn = sizeof s->os.zInstallDate; return s->os.zInstallDate;
    case K_OS_UILANG: *pn = sizeof s->os.zUiLanguage; return s->os.zUiLanguage;
    case K_HF_NOTE: *pn = sizeof s->zHotfixNote; return s->zHotfixNote;
    default: return NULL;
    }
}

static int rd_line(snap_rd_t *r, const char *z, size_t n)
{
    const char *eq = memchr(z, '=', n);
    const char *v;
    size_t nv, nField;
    unsigned long u = 0, u2 = 0; /* set on every path; gcc -O3 cannot tell */
    char *zField;
    int k, rc;
    snap_t *s = r->s;

    if (!eq) return rd_fail(r, KBS_EPARSE, "expected key=value");
    k = rd_key(z, (size_t)(eq - z));
    v = eq + 1;
    nv = n - (size_t)(v - z);
    if (k < 0) {
        /* A newer minor may add keys: keep them. Our own minor has no unknown keys. */
        if (s->fmtMinor > SNAP_FMT_MINOR && eq > z) {
            rc = snap_add_extra(s, z, n);
            if (rc) return rd_fail(r, rc, "%s", rc == KBS_ETOOBIG ? "too many unknown keys" : kbs_strerror(rc));
            return KBS_OK;
        }
        return rd_fail(r, KBS_EPARSE, "unknown key '%.*s'", (int)((eq - z) > 40 ? 40 : (eq - z)), z);
    }
    if (k < K_SOURCE) {
        if (r->seen & (1u << k)) return rd_fail(r, KBS_EPARSE, "duplicate key '%s'", snap_azKey[k]);
        r->seen |= 1u << k;
    }
    if ((zField = rd_str_field(s, k, &nField)) != NULL) return rd_val(r, v, nv, zField, nField, snap_azKey[k]);

    switch (k) {
    case K_SCAN_TIME:
        if (nv && snap_time_parse(v, nv, &s->scanTime))
            return rd_fail(r, KBS_EPARSE, "scan-time: expected YYYY-MM-DDTHH:MM:SSZ");
        return KBS_OK;
    case K_OS_KNOWN:
    case K_HF_COMPLETE:
        if ((rc = rd_uint(r, v, nv, 1, &u, snap_azKey[k]))) return rc;
        if (k == K_OS_KNOWN) s->osKnown = (int)u;
        else s->hotfixesComplete = (int)u;
        return KBS_OK;
    case K_OS_VERSION: {
        ver_t ver;
        if ((rc = rd_val(r, v, nv, r->zVal, sizeof r->zVal, "os.version"))) return rc;
        if (ver_parse(r->zVal, &ver) || strchr(r->zVal, ' ') || ver.part[3])
            return rd_fail(r, KBS_EPARSE, "os.version: expected major.minor.build");
        s->os.major = ver.part[0];
        s->os.minor = ver.part[1];
        s->os.build = ver.part[2];
        return KBS_OK;
    }
    case K_OS_UBR:
        if ((rc = rd_uint(r, v, nv, 0xFFFFFFFFul, &u, "os.ubr"))) return rc;
        s->os.ubr = (uint32_t)u;
        return KBS_OK;
    case K_OS_SP: {
        const char *dot = memchr(v, '.', nv);
        if (!nv) return KBS_OK;
        if (!dot) return rd_fail(r, KBS_EPARSE, "os.sp: expected major.minor");
        if ((rc = rd_uint(r, v, (size_t)(dot - v), 255, &u, "os.sp"))) return rc;
        if ((rc = rd_uint(r, dot + 1, nv - (size_t)(dot + 1 - v), 255, &u2, "os.sp"))) return rc;
        s->os.sp_major = (uint32_t)u;
        s->os.sp_minor = (uint32_t)u2;
        s->os.sp_known = 1;
        return KBS_OK;
    }
    case K_OS_PTYPE:
        if (nv == 11 && !memcmp(v, "workstation", 11)) s->os.product_type = OS_PT_WORKSTATION;
        else if (nv == 2 && !memcmp(v, "dc", 2)) s->os.product_type = OS_PT_DC;
        else if (nv == 6 && !memcmp(v, "server", 6)) s->os.product_type = OS_PT_SERVER;
        else if (nv == 7 && !memcmp(v, "unknown", 7)) s->os.product_type = OS_PT_UNKNOWN;
        else return rd_fail(r, KBS_EPARSE, "os.product-type: unknown value");
        return KBS_OK;
    case K_OS_ARCH:
        if ((rc = rd_val(r, v, nv, r->zVal, 16, "os.arch"))) return rc;
        s->os.arch = os_arch_from_key(r->zVal);
        if (s->os.arch == OS_ARCH_UNKNOWN && strcmp(r->zVal, "unknown") != 0)
            return rd_fail(r, KBS_EPARSE, "os.arch: unknown value '%s'", r->zVal);
        return KBS_OK;
    case K_SOURCE: return rd_source(r, v, nv);
    case K_HOTFIX: return rd_hotfix(r, v, nv);
    case K_FILE: return rd_file(r, v, nv);
    case K_FACT: return rd_fact(r, v, nv);
    }
    return rd_fail(r, KBS_EPARSE, "unhandled key");
}

/* Length of line at z (up to but not including CR LF / LF) within n bytes; *pnNext skips the end. */
static size_t snap_line(const char *z, size_t n, size_t *pnNext, int *pHasEol)
{
    const char *nl = memchr(z, '\n', n);
    size_t nLine = nl ? (size_t)(nl - z) : n;
    *pnNext = nl ? nLine + 1 : n;
    *pHasEol = nl != NULL;
    if (nLine && z[nLine - 1] == '\r') nLine--;
    return nLine;
}

int snap_parse(const char *zIn, size_t nIn, snap_t *s, snap_err_t *pErr)
{
    snap_rd_t *r = NULL;
    const char *z = zIn, *zEnd = zIn + nIn, *zNul;
    size_t nLine, nNext;
    unsigned major, minor, nRecord = 0, nEndRecords, endCrc, i;
    uint32_t crc = 0;
    int rc = KBS_OK, hasEol, ended = 0;
    char zHead[32];

    snap_init(s);
    if (pErr) memset(pErr, 0, sizeof *pErr);
    r = malloc(sizeof *r);
    if (!r) return KBS_ENOMEM;
    memset(r, 0, offsetof(snap_rd_t, zVal));
    r->s = s;
    r->pErr = pErr;

    if (nIn >= 3 && !memcmp(z, "\xEF\xBB\xBF", 3)) z += 3; /* Notepad's UTF-8 BOM */
    if (z == zEnd) {
        r->line = 0;
        rc = rd_fail(r, KBS_EPARSE, "empty file");
        goto out;
    }
    if ((zNul = memchr(z, 0, (size_t)(zEnd - z))) != NULL) {
        for (r->line = 1; z < zNul; z++) r->line += *z == '\n';
        rc = rd_fail(r, KBS_EPARSE, "NUL byte in the file");
        goto out;
    }
    for (r->line = 1; z < zEnd; z += nNext, r->line++) {
        nLine = snap_line(z, (size_t)(zEnd - z), &nNext, &hasEol);
        if (nLine > SNAP_LINE_MAX) {
            rc = rd_fail(r, KBS_ETOOBIG, "line longer than %u bytes", SNAP_LINE_MAX);
            goto out;
        }
        if (ended) {
            /* Only blank lines may follow the end line (an editor's trailing newline). */
            if (nLine) {
                rc = rd_fail(r, KBS_EPARSE, "text after the end line");
                goto out;
            }
            continue;
        }
        if (!snap_text_ok((const unsigned char *)z, nLine, 1)) {
            rc = rd_fail(r, KBS_EPARSE, "%s", snap_utf8_ok((const unsigned char *)z, nLine)
                                                  ? "control character (the writer escapes them as %XX)"
                                                  : "invalid UTF-8");
            goto out;
        }
        if (r->line == 1) {
            if (nLine < SNAP_MAGIC_LEN || memcmp(z, SNAP_MAGIC, SNAP_MAGIC_LEN)) {
                rc = rd_fail(r, KBS_EPARSE, "not a kbsentry snapshot (no KBSENTRY-SNAPSHOT header)");
                goto out;
            }
            const char *zv = z + SNAP_MAGIC_LEN, *zvEnd = z + nLine;
            snprintf(zHead, sizeof zHead, "%.*s", (int)(nLine - SNAP_MAGIC_LEN > 20 ? 20 : nLine - SNAP_MAGIC_LEN),
                     z + SNAP_MAGIC_LEN);
            if (rd_dec(&zv, zvEnd, 3, &major) || zv == zvEnd || *zv++ != '.' ||
                rd_dec(&zv, zvEnd, 3, &minor) || zv != zvEnd) {
                rc = rd_fail(r, KBS_EPARSE, "bad format version '%s'", zHead);
                goto out;
            }
            if (major != SNAP_FMT_MAJOR) {
                rc = rd_fail(r, KBS_EVERSION, "format %u.%u is not supported (this reader knows %u.x)",
                             major, minor, SNAP_FMT_MAJOR);
                goto out;
            }
            s->fmtMajor = major;
            s->fmtMinor = minor;
        } else if (nLine >= 4 && !memcmp(z, "END ", 4)) {
            /* Parsed by hand: a record count of five digits made a fixed-size copy cut the
             * checksum and reject big, whole files as torn. */
            if (rd_end_line(z, nLine, &nEndRecords, &endCrc)) {
                rc = rd_fail(r, KBS_EPARSE, "bad end line");
                goto out;
            }
            if (nEndRecords != nRecord) {
                rc = rd_fail(r, KBS_ECHECKSUM, "end line says %u records, file has %u (torn file)",
                             nEndRecords, nRecord);
                goto out;
            }
            if (endCrc != crc) {
                rc = rd_fail(r, KBS_ECHECKSUM, "checksum %08X does not match %08X (torn or edited file)",
                             (unsigned)crc, endCrc);
                goto out;
            }
            ended = 1;
            continue;
        } else {
            if (nLine == 0) {
                rc = rd_fail(r, KBS_EPARSE, "empty line");
                goto out;
            }
            if (!hasEol) break; /* a last line without its end: the file was cut */
            rc = rd_line(r, z, nLine);
            if (rc) goto out;
            nRecord++;
        }
        crc = snap_crc(crc, (const unsigned char *)z, nLine);
        crc = snap_crc(crc, (const unsigned char *)"\n", 1);
    }
    if (!ended) {
        rc = rd_fail(r, KBS_ECHECKSUM, "no end line: the file is truncated");
        goto out;
    }
    for (i = K_ORIGIN; i <= K_HF_NOTE; i++) {
        if (i == K_OS_UBR || i == K_OS_SP || i == K_HF_NOTE) continue;
        if (!(r->seen & (1u << i))) {
            r->line = 0;
            rc = rd_fail(r, KBS_EPARSE, "missing key '%s'", snap_azKey[i]);
            goto out;
        }
    }
    if (!s->zHost[0]) {
        r->line = 0;
        rc = rd_fail(r, KBS_EPARSE, "empty host name");
        goto out;
    }
out:
    if (rc) snap_release(s);
    free(r);
    return rc;
}
