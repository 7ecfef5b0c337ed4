/* snap_fmt.c: snapshot format v1 text: the writer and the strict parser (docs/snapshot-format.md). */
#include "snap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "snap_crc_tab.h"
#include "snap_int.h"


/* ---- CRC-32 (IEEE, as zip) over the lines, each counted with a single '\n' ---------------- */

const uint32_t *snap_crc_table0(void)
{
    return snap_crc_table[0];
}

/* Slicing-by-8: the parser's checksum must keep up with 200 MB/s. crc is the running value
 * (start with 0). */
uint32_t snap_crc(uint32_t crc, const unsigned char *p, size_t n)
{
    uint32_t c = ~crc;
    while (n >= 8) {
        uint32_t a = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                          (uint32_t)p[3] << 24);
        c = snap_crc_table[7][a & 0xff] ^ snap_crc_table[6][(a >> 8) & 0xff] ^
            snap_crc_table[5][(a >> 16) & 0xff] ^ snap_crc_table[4][a >> 24] ^
            snap_crc_table[3][p[4]] ^ snap_crc_table[2][p[5]] ^ snap_crc_table[1][p[6]] ^
            snap_crc_table[0][p[7]];
        p += 8;
        n -= 8;
    }
    while (n--) c = snap_crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

/* ---- time ------------------------------------------------------------------------------ */

static int64_t snap_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int snap_time_format(int64_t t, char *zBuf, size_t nBuf)
{
    int64_t days = t / 86400, secs = t % 86400, era, y;
    unsigned doe, yoe, doy, mp, d, m;
    int n;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    days += 719468;
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = (unsigned)(days - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    n = snprintf(zBuf, nBuf, "%04d-%02u-%02uT%02u:%02u:%02uZ", (int)y, m, d,
                 (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
    if (n < 0 || (size_t)n >= nBuf) {
        if (nBuf) zBuf[0] = 0;
        return KBS_ETOOBIG;
    }
    return KBS_OK;
}

/* Reads exactly nDigit digits at z. */
static int snap_digits(const char *z, int nDigit, unsigned *pOut)
{
    unsigned v = 0;
    int i;
    for (i = 0; i < nDigit; i++) {
        if (z[i] < '0' || z[i] > '9') return -1;
        v = v * 10 + (unsigned)(z[i] - '0');
    }
    *pOut = v;
    return 0;
}

int snap_time_parse(const char *z, size_t n, int64_t *pOut)
{
    unsigned y, mo, d, h, mi, s;
    static const unsigned aDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    *pOut = 0;
    if (n != 20 || z[4] != '-' || z[7] != '-' || z[10] != 'T' || z[13] != ':' || z[16] != ':' ||
        z[19] != 'Z')
        return KBS_EPARSE;
    if (snap_digits(z, 4, &y) || snap_digits(z + 5, 2, &mo) || snap_digits(z + 8, 2, &d) ||
        snap_digits(z + 11, 2, &h) || snap_digits(z + 14, 2, &mi) || snap_digits(z + 17, 2, &s))
        return KBS_EPARSE;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > aDays[mo - 1] || h > 23 || mi > 59 || s > 60)
        return KBS_EPARSE;
    *pOut = snap_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return KBS_OK;
}

/* ---- writer ---------------------------------------------------------------------------- */

typedef struct snap_buf {
    char *z;
    size_t n, nAlloc;
    int oom;
    uint32_t crc;        /* over the lines written so far (each ending in '\n') */
    size_t nLineStart;   /* where the current line began */
    int tooLong;         /* a line came out longer than SNAP_LINE_MAX */
    unsigned nRecord;
} snap_buf_t;

static void sb_need(snap_buf_t *b, size_t nMore)
{
    char *zNew;
    size_t nNew;
    if (b->oom || b->n + nMore <= b->nAlloc) return;
    nNew = b->nAlloc ? b->nAlloc : 4096;
    while (nNew < b->n + nMore) nNew *= 2;
    zNew = realloc(b->z, nNew);
    if (!zNew) {
        b->oom = 1;
        return;
    }
    b->z = zNew;
    b->nAlloc = nNew;
}

static void sb_put(snap_buf_t *b, const char *z, size_t n)
{
    sb_need(b, n);
    if (b->oom) return;
    memcpy(b->z + b->n, z, n);
    b->n += n;
}

static void sb_str(snap_buf_t *b, const char *z)
{
    sb_put(b, z, strlen(z));
}

/* Values escape '%', '|' and control bytes as %XX; everything else stays readable UTF-8. */
static void sb_val(snap_buf_t *b, const char *z)
{
    static const char aHex[] = "0123456789ABCDEF";
    const char *zRun = z;
    for (; *z; z++) {
        unsigned char c = (unsigned char)*z;
        if (c >= 0x20 && c != 0x7F && c != '%' && c != '|') continue;
        sb_put(b, zRun, (size_t)(z - zRun));
        {
            char e[3] = {'%', aHex[c >> 4], aHex[c & 15]};
            sb_put(b, e, 3);
        }
        zRun = z + 1;
    }
    sb_put(b, zRun, (size_t)(z - zRun));
}

/* Ends the current line: the checksum sees it with '\n', the file gets CRLF. */
static void sb_eol(snap_buf_t *b, int isRecord)
{
    if (b->n - b->nLineStart > SNAP_LINE_MAX) b->tooLong = 1;
    if (!b->oom) {
        static const char nl = '\n';
        b->crc = snap_crc(b->crc, (const unsigned char *)b->z + b->nLineStart, b->n - b->nLineStart);
        b->crc = snap_crc(b->crc, (const unsigned char *)&nl, 1);
    }
    sb_put(b, "\r\n", 2);
    b->nLineStart = b->n;
    if (isRecord) b->nRecord++;
}

static void sb_kv(snap_buf_t *b, const char *zKey, const char *zVal)
{
    sb_str(b, zKey);
    sb_put(b, "=", 1);
    sb_val(b, zVal);
    sb_eol(b, 1);
}

static void sb_kv_u(snap_buf_t *b, const char *zKey, unsigned long long v)
{
    char z[24];
    snprintf(z, sizeof z, "%llu", v);
    sb_kv(b, zKey, z);
}

const char *const snap_azSrcName[SNAP_NSRC] = {"qfe", "updates-key", "hotfix-key", "cbs",
                                               "systeminfo"};

const char *snap_ptype_name(os_ptype_t t)
{
    switch (t) {
    case OS_PT_WORKSTATION: return "workstation";
    case OS_PT_DC: return "dc";
    case OS_PT_SERVER: return "server";
    default: return "unknown";
    }
}

/* 1 when the fixed-size field z[nField] is NUL-terminated valid UTF-8 (and not empty if bNeed). */
static int sw_str(const char *z, size_t nField, int bNeed)
{
    const char *zNul = memchr(z, 0, nField);
    if (!zNul || (bNeed && zNul == z)) return 0;
    return snap_utf8_ok((const unsigned char *)z, (size_t)(zNul - z));
}

#define SW_STR(f, bNeed) sw_str((f), sizeof(f), (bNeed))
#define SNAP_TIME_LAST 253402300799LL /* 9999-12-31T23:59:59Z: four-digit years only */

/* Everything the parser would reject is refused here, so that no writer makes a file that no
 * reader takes (an agent's snapshot must never be lost at the console). 0 or KBS_EINVAL. */
static int snap_write_check(const snap_t *s)
{
    size_t i;
    if (!SW_STR(s->zOrigin, 0) || !SW_STR(s->zHost, 1) || !SW_STR(s->zDomain, 0) ||
        !SW_STR(s->zMachineId, 0) || !SW_STR(s->zAgentVersion, 0) || !SW_STR(s->zHotfixNote, 0))
        return KBS_EINVAL;
    if (s->scanTime < 0 || s->scanTime > SNAP_TIME_LAST) return KBS_EINVAL;
    if (!SW_STR(s->os.zProductName, 0) || !SW_STR(s->os.zEdition, 0) ||
        !SW_STR(s->os.zCsdVersion, 0) || !SW_STR(s->os.zDisplayVersion, 0) ||
        !SW_STR(s->os.zInstallDate, 0) || !SW_STR(s->os.zUiLanguage, 0))
        return KBS_EINVAL;
    if (s->os.major > 0xFFFF || s->os.minor > 0xFFFF || s->os.build > 0xFFFF) return KBS_EINVAL;
    if (s->os.sp_known && (s->os.sp_major > 255 || s->os.sp_minor > 255)) return KBS_EINVAL;
    for (i = 0; i < s->nSource; i++) {
        if (!SW_STR(s->aSource[i].zName, 1) || !SW_STR(s->aSource[i].zError, 0)) return KBS_EINVAL;
    }
    for (i = 0; i < s->nHotfix; i++) {
        const snap_hotfix_t *h = &s->aHotfix[i];
        if (!SW_STR(h->zRaw, 1) || !SW_STR(h->zInstalled, 0) || h->cbsState > 0xFFFF)
            return KBS_EINVAL;
        if (h->sources >= 1u << SNAP_NSRC) return KBS_EINVAL;
    }
    for (i = 0; i < s->nFile; i++) {
        if (!SW_STR(s->aFile[i].zPath, 1) || !SW_STR(s->aFile[i].zError, 0)) return KBS_EINVAL;
    }
    for (i = 0; i < s->nFact; i++) {
        const snap_fact_t *f = &s->aFact[i];
        if (!SW_STR(f->zName, 1) || !SW_STR(f->zValue, 0) || !SW_STR(f->zError, 0) ||
            !snap_fact_word_ok(f->zName, strlen(f->zName), SNAP_FACT_NAME_MAX) ||
            (f->zValue[0] && (f->zError[0] || !snap_fact_word_ok(f->zValue, strlen(f->zValue),
                                                                 SNAP_FACT_VALUE_MAX))) ||
            (!f->zValue[0] && !f->zError[0]))
            return KBS_EINVAL;
    }
    for (i = 0; i < s->nExtra; i++) {
        /* Kept lines of a newer minor go out verbatim: one line of "key=value" text. */
        const char *z = s->azExtra[i];
        size_t n = z ? strlen(z) : 0, k;
        if (n == 0 || z[0] == '=' || !memchr(z, '=', n)) return KBS_EINVAL;
        for (k = 0; k < n; k++) {
            if ((unsigned char)z[k] < 0x20 || z[k] == 0x7F) return KBS_EINVAL;
        }
        if (!snap_utf8_ok((const unsigned char *)z, n)) return KBS_EINVAL;
    }
    return KBS_OK;
}

int snap_write(const snap_t *s, char **pzOut, size_t *pnOut)
{
    snap_buf_t b = {0};
    char z[64];
    size_t i, j;
    /* The lowest minor that has every key written: a file without facts stays 1.0. */
    unsigned minor = s->nFact ? 1 : 0;
    int rc;

    *pzOut = NULL;
    *pnOut = 0;
    if ((rc = snap_write_check(s)) != KBS_OK) return rc;
    /* Unknown keys kept from a newer minor are written under that minor, so that a reader (this
     * one included) takes them back instead of calling them unknown. */
    if (s->nExtra && s->fmtMajor == SNAP_FMT_MAJOR && s->fmtMinor > SNAP_FMT_MINOR) {
        if (s->fmtMinor > 999) return KBS_EINVAL;
        minor = s->fmtMinor;
    } else if (s->nExtra) {
        return KBS_EINVAL; /* under our own minor they would be unknown keys */
    }
    snprintf(z, sizeof z, "%s%u.%u", SNAP_MAGIC, SNAP_FMT_MAJOR, minor);
    sb_str(&b, z);
    sb_eol(&b, 0);
    sb_kv(&b, "origin", s->zOrigin);
    sb_kv(&b, "host", s->zHost);
    sb_kv(&b, "domain", s->zDomain);
    sb_kv(&b, "machine-id", s->zMachineId);
    sb_kv(&b, "agent-version", s->zAgentVersion);
    if (s->scanTime > 0) snap_time_format(s->scanTime, z, sizeof z);
    else z[0] = 0;
    sb_kv(&b, "scan-time", z);
    sb_kv_u(&b, "os-known", s->osKnown ? 1 : 0);
    sb_kv(&b, "os.product", s->os.zProductName);
    snprintf(z, sizeof z, "%u.%u.%u", (unsigned)s->os.major, (unsigned)s->os.minor,
             (unsigned)s->os.build);
    sb_kv(&b, "os.version", z);
    sb_kv_u(&b, "os.ubr", s->os.ubr);
    if (s->os.sp_known) snprintf(z, sizeof z, "%u.%u", (unsigned)s->os.sp_major, (unsigned)s->os.sp_minor);
    else z[0] = 0;
    sb_kv(&b, "os.sp", z);
    sb_kv(&b, "os.product-type", snap_ptype_name(s->os.product_type));
    sb_kv(&b, "os.arch", os_arch_key(s->os.arch));
    sb_kv(&b, "os.edition", s->os.zEdition);
    sb_kv(&b, "os.csd", s->os.zCsdVersion);
    sb_kv(&b, "os.display-version", s->os.zDisplayVersion);
    sb_kv(&b, "os.install-date", s->os.zInstallDate);
    sb_kv(&b, "os.ui-language", s->os.zUiLanguage);
    sb_kv_u(&b, "hotfixes-complete", s->hotfixesComplete ? 1 : 0);
    sb_kv(&b, "hotfix-note", s->zHotfixNote);
    for (i = 0; i < s->nSource; i++) {
        sb_str(&b, "source=");
        sb_val(&b, s->aSource[i].zName);
        sb_str(&b, s->aSource[i].ok ? "|ok|" : "|failed|");
        sb_val(&b, s->aSource[i].zError);
        sb_eol(&b, 1);
    }
    for (i = 0; i < s->nHotfix; i++) {
        const snap_hotfix_t *h = &s->aHotfix[i];
        int nSrc = 0;
        sb_str(&b, "hotfix=");
        if (h->kb.num && kb_format(&h->kb, z, sizeof z) == KBS_OK) sb_str(&b, z);
        sb_put(&b, "|", 1);
        sb_val(&b, h->zRaw);
        sb_put(&b, "|", 1);
        for (j = 0; j < SNAP_NSRC; j++) {
            if (!(h->sources & (1u << j))) continue;
            if (nSrc++) sb_put(&b, ",", 1);
            sb_str(&b, snap_azSrcName[j]);
        }
        sb_put(&b, "|", 1);
        sb_val(&b, h->zInstalled);
        sb_put(&b, "|", 1);
        if (h->cbsState >= 0) {
            snprintf(z, sizeof z, "%d", h->cbsState);
            sb_str(&b, z);
        }
        sb_eol(&b, 1);
    }
    for (i = 0; i < s->nFile; i++) {
        const snap_file_t *f = &s->aFile[i];
        sb_str(&b, "file=");
        sb_val(&b, f->zPath);
        sb_put(&b, "|", 1);
        if (f->present) ver_format(&f->ver, z, sizeof z);
        sb_str(&b, f->present ? z : "absent");
        sb_put(&b, "|", 1);
        sb_val(&b, f->zError);
        sb_eol(&b, 1);
    }
    for (i = 0; i < s->nFact; i++) {
        const snap_fact_t *f = &s->aFact[i];
        sb_str(&b, "fact=");
        sb_str(&b, f->zName);
        sb_put(&b, "|", 1);
        sb_str(&b, f->zValue);
        sb_put(&b, "|", 1);
        sb_val(&b, f->zError);
        sb_eol(&b, 1);
    }
    for (i = 0; i < s->nExtra; i++) {
        /* Kept verbatim: they were validated as one line of UTF-8 when read. */
        sb_str(&b, s->azExtra[i]);
        sb_eol(&b, 1);
    }
    snprintf(z, sizeof z, "END records=%u crc32=%08X", b.nRecord, (unsigned)b.crc);
    sb_str(&b, z);
    sb_put(&b, "\r\n", 2);
    sb_need(&b, 1); /* a NUL after the text, not counted: callers may treat it as a string */
    if (!b.oom) b.z[b.n] = 0;
    if (b.oom || b.tooLong) {
        free(b.z);
        return b.oom ? KBS_ENOMEM : KBS_EINVAL;
    }
    *pzOut = b.z;
    *pnOut = b.n;
    return KBS_OK;
}

int snap_is_snapshot(const char *zIn, size_t nIn)
{
    if (nIn >= 3 && (unsigned char)zIn[0] == 0xEF && (unsigned char)zIn[1] == 0xBB &&
        (unsigned char)zIn[2] == 0xBF) {
        zIn += 3;
        nIn -= 3;
    }
    return nIn >= SNAP_MAGIC_LEN && memcmp(zIn, SNAP_MAGIC, SNAP_MAGIC_LEN) == 0;
}
