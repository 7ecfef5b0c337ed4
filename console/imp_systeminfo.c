/* imp_systeminfo.c: `systeminfo` output (any UI language, XP to Windows 11) read into a snapshot.
 */
#include "imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "kb.h"
#include "kbs_err.h"

/* systeminfo writes its fields in one fixed order in every language and every release since XP;
 * only the labels are translated. The reader therefore goes by position and checks the shape of
 * the values it relies on (a version, "[01]:" list entries) instead of matching label text. */
enum {
    SI_HOST = 0,
    SI_OS_NAME = 1,
    SI_OS_VERSION = 2,
    SI_OS_CONFIG = 4,
    SI_INSTALL_DATE = 9,
    SI_SYSTEM_TYPE = 13,
    SI_DOMAIN = 28,
    SI_HOTFIX = 30,
    SI_FIELDS_MIN = 31, /* through the hotfix list; network cards and Hyper-V may follow */
    SI_FIELDS_MAX = 64,
};

typedef struct si_line {
    const char *z;
    size_t n;
    unsigned line;
} si_line_t;

typedef struct si_field {
    size_t iLine; /* its label line in aLine; continuation lines follow up to the next field */
    size_t nCont;
} si_field_t;

typedef struct si_doc {
    si_line_t *aLine;
    size_t nLine, nAlloc;
    si_field_t aField[SI_FIELDS_MAX];
    size_t nField;
    size_t valueCol; /* column (in characters) where values start */
} si_doc_t;

static int is_blank(const char *z, size_t n)
{
    imp_trim(&z, &n);
    return n == 0;
}

/* Number of characters (code points) in z[0..n). */
static size_t cp_count(const char *z, size_t n)
{
    size_t i, c = 0;
    for (i = 0; i < n; i++)
        if (((unsigned char)z[i] & 0xC0) != 0x80) c++;
    return c;
}

/* Byte offset of character column col in z[0..n), or n when the line is shorter. */
static size_t cp_offset(const char *z, size_t n, size_t col)
{
    size_t i, c = 0;
    for (i = 0; i < n; i++) {
        if (((unsigned char)z[i] & 0xC0) != 0x80) {
            if (c == col) return i;
            c++;
        }
    }
    return n;
}

/* The value of a label line. Values start in one column for the whole output; a label that
 * overflows that column (none known, but translations vary) falls back to the text after the
 * first ": ". */
static void field_value(const si_doc_t *d, size_t iField, const char **pz, size_t *pn)
{
    const si_line_t *l = &d->aLine[d->aField[iField].iLine];
    size_t off = cp_offset(l->z, l->n, d->valueCol);
    const char *z;
    size_t n;
    if (off < l->n && off > 0 && (l->z[off - 1] == ' ' || l->z[off - 1] == ':')) {
        z = l->z + off, n = l->n - off;
    } else {
        const char *c = memchr(l->z, ':', l->n);
        if (off >= l->n && c && is_blank(c + 1, l->n - (size_t)(c + 1 - l->z))) {
            z = l->z + l->n, n = 0; /* an empty value, e.g. "Registered Organization:" */
        } else if (c) {
            z = c + 1, n = l->n - (size_t)(c + 1 - l->z);
        } else {
            z = l->z + l->n, n = 0;
        }
    }
    imp_trim(&z, &n);
    *pz = z;
    *pn = n;
}

/* "6.1.7601..." at the start of z: three dot-separated numbers. */
static int read_version(const char *z, size_t n, uint32_t aPart[3], size_t *pEnd)
{
    size_t i = 0;
    int k;
    for (k = 0; k < 3; k++) {
        uint32_t v = 0;
        size_t start = i;
        while (i < n && z[i] >= '0' && z[i] <= '9' && i - start < 9)
            v = v * 10 + (uint32_t)(z[i++] - '0');
        if (i == start) return 0;
        aPart[k] = v;
        if (k < 2) {
            if (i >= n || z[i] != '.') return 0;
            i++;
        }
    }
    if (i < n && z[i] != ' ' && z[i] != '\t') return 0;
    if (pEnd) *pEnd = i;
    return 1;
}

/* Line label and value split at the first ':' (for sniffing, before the value column is known). */
static int split_colon(const char *z, size_t n, const char **pv, size_t *pnv)
{
    const char *c = memchr(z, ':', n);
    if (!c || z[0] == ' ' || z[0] == '\t') return 0;
    *pv = c + 1;
    *pnv = n - (size_t)(c + 1 - z);
    imp_trim(pv, pnv);
    return 1;
}

int imp_systeminfo_sniff(const char *z, size_t n)
{
    imp_lines_t it;
    const char *zl, *zv;
    size_t nl, nv;
    int k = 0, rc;
    uint32_t aPart[3];
    imp_lines_init(&it, z, n);
    while ((rc = imp_lines_next(&it, &zl, &nl, NULL)) == 1) {
        if (k == 0 && is_blank(zl, nl)) continue;
        if (!split_colon(zl, nl, &zv, &nv)) return 0;
        if (k == 0 && nv == 0) return 0;
        if (k == SI_OS_VERSION) return read_version(zv, nv, aPart, NULL);
        k++;
    }
    return 0;
}

static int doc_add_line(si_doc_t *d, const char *z, size_t n, unsigned line, imp_err_t *pErr)
{
    if (d->nLine == d->nAlloc) {
        size_t nNew = d->nAlloc ? d->nAlloc * 2 : 256;
        si_line_t *a = realloc(d->aLine, nNew * sizeof *a);
        if (!a) return imp_err_set(pErr, KBS_ENOMEM, line, "out of memory");
        d->aLine = a;
        d->nAlloc = nNew;
    }
    d->aLine[d->nLine].z = z;
    d->aLine[d->nLine].n = n;
    d->aLine[d->nLine].line = line;
    d->nLine++;
    return KBS_OK;
}

/* Splits the text into label lines (fields) and their indented continuation lines. */
static int doc_read(si_doc_t *d, const char *z, size_t n, imp_err_t *pErr)
{
    imp_lines_t it;
    const char *zl;
    size_t nl;
    unsigned lastLine = 0, blankAfter = 0;
    int rc;
    imp_lines_init(&it, z, n);
    while ((rc = imp_lines_next(&it, &zl, &nl, pErr)) == 1) {
        lastLine = it.line;
        if (is_blank(zl, nl)) {
            if (d->nField && !blankAfter) blankAfter = it.line;
            continue;
        }
        if (blankAfter)
            return imp_err_set(pErr, KBS_EPARSE, it.line,
                               "text after the end of the systeminfo output (line %u is blank): "
                               "one machine per file",
                               blankAfter);
        if (zl[0] == ' ' || zl[0] == '\t') {
            if (!d->nField)
                return imp_err_set(pErr, KBS_EPARSE, it.line,
                                   "indented line before the first "
                                   "field: not systeminfo output");
            d->aField[d->nField - 1].nCont++;
        } else {
            if (d->nField == SI_FIELDS_MAX)
                return imp_err_set(pErr, KBS_EPARSE, it.line,
                                   "more than %d fields: not systeminfo output", SI_FIELDS_MAX);
            d->aField[d->nField].iLine = d->nLine;
            d->aField[d->nField].nCont = 0;
            d->nField++;
        }
        rc = doc_add_line(d, zl, nl, it.line, pErr);
        if (rc) return rc;
    }
    if (rc < 0) return rc;
    if (d->nField == 0) return imp_err_set(pErr, KBS_EPARSE, 0, "empty input");
    {
        const si_line_t *l = &d->aLine[d->aField[0].iLine];
        const char *c = memchr(l->z, ':', l->n);
        size_t off;
        if (!c) return imp_err_set(pErr, KBS_EPARSE, l->line, "\"label: value\" expected");
        off = (size_t)(c + 1 - l->z);
        while (off < l->n && (l->z[off] == ' ' || l->z[off] == '\t'))
            off++;
        d->valueCol = cp_count(l->z, off);
    }
    if (d->nField < SI_FIELDS_MIN)
        return imp_err_set(pErr, KBS_EPARSE, lastLine,
                           "truncated: %lu of the fields systeminfo writes, the hotfix list is "
                           "missing",
                           (unsigned long)d->nField);
    return KBS_OK;
}

static int has_ascii_ci(const char *z, size_t n, const char *zNeedle)
{
    size_t m = strlen(zNeedle), i, j;
    for (i = 0; i + m <= n; i++) {
        for (j = 0; j < m; j++) {
            char a = z[i + j], b = zNeedle[j];
            if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
            if (a != b) break;
        }
        if (j == m) return 1;
    }
    return 0;
}

static int has_any(const char *z, size_t n, const char *const *azNeedle)
{
    for (; *azNeedle; azNeedle++)
        if (has_ascii_ci(z, n, *azNeedle)) return 1;
    return 0;
}

/* "OS Configuration" in the languages we know; Cyrillic stems skip the first letter so that
 * capitalisation does not matter. */
static os_ptype_t product_type(const char *zConf, size_t nConf, const char *zName)
{
    static const char *const azDc[] = {"controller",
                                       "controlador",
                                       "contr\xc3\xb4leur",
                                       "controleur",
                                       "kontroler",
                                       "\xd0\xbe\xd0\xbd\xd1\x82\xd1"
                                       "\x80\xd0\xbe\xd0\xbb\xd0\xbb\xd0\xb5\xd1\x80",
                                       NULL};
    static const char *const azWs[] = {"workstation",
                                       "arbeitsstation",
                                       "station de travail",
                                       "werkstation",
                                       "trabajo",
                                       "trabalho",
                                       "stacja",
                                       "\xd1\x82\xd0\xb0\xd0\xbd\xd1\x86\xd0\xb8\xd1\x8f",
                                       NULL};
    static const char *const azSrv[] = {
        "server", "serveur", "servidor", "serwer", "\xd0\xb5\xd1\x80\xd0\xb2\xd0\xb5\xd1\x80",
        NULL};
    if (has_any(zConf, nConf, azDc)) return OS_PT_DC;
    if (has_any(zConf, nConf, azWs)) return OS_PT_WORKSTATION;
    if (has_any(zConf, nConf, azSrv)) return OS_PT_SERVER;
    if (has_ascii_ci(zName, strlen(zName), "server")) return OS_PT_SERVER;
    if (has_ascii_ci(zName, strlen(zName), "windows")) return OS_PT_WORKSTATION;
    return OS_PT_UNKNOWN;
}

static os_arch_t arch_of(const char *z, size_t n)
{
    if (has_ascii_ci(z, n, "arm64")) return OS_ARCH_ARM64;
    if (has_ascii_ci(z, n, "x64") || has_ascii_ci(z, n, "amd64")) return OS_ARCH_X64;
    if (has_ascii_ci(z, n, "ia64") || has_ascii_ci(z, n, "itanium")) return OS_ARCH_IA64;
    if (has_ascii_ci(z, n, "x86")) return OS_ARCH_X86;
    return OS_ARCH_UNKNOWN;
}

/* "5.1.2600 Service Pack 3 Build 2600", "10.0.19045 N/A Build 19045", "6.1.7601 Service Pack 1
 * сборка 7601": the words are translated, the numbers are not. The text between the version
 * and the closing "<word> <build>" is the service pack, or "N/A" in some language. */
static int parse_version(const char *z, size_t n, os_info_t *os)
{
    uint32_t aPart[3];
    size_t end, i, midEnd;
    const char *zMid;
    size_t nMid;
    if (!read_version(z, n, aPart, &end)) return KBS_EPARSE;
    os->major = aPart[0], os->minor = aPart[1], os->build = aPart[2];
    midEnd = n;
    /* drop a trailing number and the word before it */
    i = n;
    while (i > end && z[i - 1] >= '0' && z[i - 1] <= '9')
        i--;
    if (i < n && i > end && (z[i - 1] == ' ' || z[i - 1] == '\t')) {
        while (i > end && (z[i - 1] == ' ' || z[i - 1] == '\t'))
            i--;
        while (i > end && z[i - 1] != ' ' && z[i - 1] != '\t')
            i--;
        midEnd = i;
    }
    zMid = z + end, nMid = midEnd - end;
    imp_trim(&zMid, &nMid);
    os->sp_known = 1;
    os->sp_major = os->sp_minor = 0;
    for (i = 0; i < nMid; i++) {
        if (zMid[i] >= '0' && zMid[i] <= '9') {
            uint32_t sp = 0;
            size_t j = i;
            while (j < nMid && zMid[j] >= '0' && zMid[j] <= '9' && j - i < 3)
                sp = sp * 10 + (uint32_t)(zMid[j++] - '0');
            os->sp_major = sp;
            imp_copy(os->zCsdVersion, sizeof os->zCsdVersion, zMid, nMid);
            break;
        }
    }
    return KBS_OK;
}

/* The first run of digits in z as a number, or -1. */
static long first_number(const char *z, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (z[i] >= '0' && z[i] <= '9') {
            long v = 0;
            while (i < n && z[i] >= '0' && z[i] <= '9' && v < 10000000)
                v = v * 10 + (z[i++] - '0');
            return v;
        }
    }
    return -1;
}

/* "[12]: KB2479943", "[03]: File 1", "[44]: KB893803v2 - Update": index and entry text. */
static int hotfix_entry(const char *z, size_t n, long *pIdx, const char **pe, size_t *pne)
{
    size_t i = 1;
    long idx = 0;
    imp_trim(&z, &n);
    if (n < 4 || z[0] != '[') return 0;
    while (i < n && z[i] >= '0' && z[i] <= '9' && idx < 1000000)
        idx = idx * 10 + (z[i++] - '0');
    if (i == 1 || i + 1 >= n || z[i] != ']' || z[i + 1] != ':') return 0;
    *pIdx = idx;
    *pe = z + i + 2;
    *pne = n - i - 2;
    imp_trim(pe, pne);
    return 1;
}

static int read_hotfixes(const si_doc_t *d, snap_t *s, imp_err_t *pErr)
{
    const si_field_t *f = &d->aField[SI_HOTFIX];
    const char *zv, *ze, *zExample = NULL;
    size_t nv, ne, nExample = 0, k, nListed = 0, nNonKb = 0;
    long nClaimed, idx, expect = 1;
    unsigned gapLine = 0;
    char zRaw[SNAP_RAW_MAX];
    int rc;

    field_value(d, SI_HOTFIX, &zv, &nv);
    nClaimed = first_number(zv, nv);
    for (k = 1; k <= f->nCont; k++) {
        const si_line_t *l = &d->aLine[f->iLine + k];
        if (!hotfix_entry(l->z, l->n, &idx, &ze, &ne))
            return imp_err_set(pErr, KBS_EPARSE, l->line,
                               "hotfix list entry \"[NN]: KB...\" expected (is the hotfix list "
                               "the 31st field?)");
        if (idx != expect && !gapLine) gapLine = l->line;
        expect = idx + 1;
        nListed++;
        if (!imp_hotfix_raw(ze, ne, zRaw, sizeof zRaw)) {
            if (!nNonKb) zExample = ze, nExample = ne;
            nNonKb++;
        }
        if (zRaw[0]) {
            rc = snap_add_hotfix(s, zRaw, SNAP_SRC_SYSTEMINFO, NULL, -1);
            if (rc) return imp_err_set(pErr, rc, l->line, "hotfix list: %s", kbs_strerror(rc));
        }
    }
    if (nClaimed < 0 && nListed > 0)
        return imp_err_set(pErr, KBS_EPARSE, d->aLine[f->iLine].line,
                           "hotfix count expected before the list");

    /* The count lets a complete QFE list of the same run make a cut-short list whole. */
    if (nClaimed > 0 && (unsigned long)nClaimed <= 0xFFFFFFFFul) s->nHotfixCounted = (uint32_t)nClaimed;
    /* Why the list may not be the machine's whole truth, most telling reason first. */
    if (nClaimed > 0 && (size_t)nClaimed > nListed) {
        s->hotfixesComplete = 0;
        snprintf(s->zHotfixNote, sizeof s->zHotfixNote,
                 "systeminfo lists %lu of the %ld hotfixes it counts: the list was cut short",
                 (unsigned long)nListed, nClaimed);
    } else if (nNonKb) {
        char zEx[40];
        imp_copy(zEx, sizeof zEx, zExample, nExample);
        s->hotfixesComplete = 0;
        snprintf(s->zHotfixNote, sizeof s->zHotfixNote,
                 "systeminfo shows %lu of %lu hotfix entries without a KB id (e.g. \"%s\"): "
                 "the KBs behind them are unknown",
                 (unsigned long)nNonKb, (unsigned long)nListed, zEx);
    } else if (gapLine) {
        s->hotfixesComplete = 0;
        snprintf(s->zHotfixNote, sizeof s->zHotfixNote,
                 "systeminfo hotfix list numbering skips entries (line %u)", gapLine);
    }
    return KBS_OK;
}

int imp_systeminfo_parse(const char *zIn, size_t nIn, snap_t *s, imp_err_t *pErr)
{
    imp_text_t t;
    si_doc_t d;
    const char *zv;
    size_t nv;
    int rc;
    imp_err_t errLocal;

    if (!pErr) pErr = &errLocal;
    memset(pErr, 0, sizeof *pErr);
    memset(&d, 0, sizeof d);
    snap_init(s);
    if (!zIn) return imp_err_set(pErr, KBS_EINVAL, 0, "no input");
    rc = imp_text_decode(zIn, nIn, 0, &t, pErr);
    if (rc) return rc;
    rc = doc_read(&d, t.z, t.n, pErr);
    if (rc) goto out;

    snprintf(s->zOrigin, sizeof s->zOrigin, "systeminfo");
    s->osKnown = 1;
    s->scanTime = 0;

    field_value(&d, SI_HOST, &zv, &nv);
    rc = imp_host_check(nv, d.aLine[d.aField[SI_HOST].iLine].line, pErr);
    if (rc) goto out;
    imp_copy(s->zHost, sizeof s->zHost, zv, nv);

    field_value(&d, SI_OS_VERSION, &zv, &nv);
    if (parse_version(zv, nv, &s->os)) {
        rc = imp_err_set(pErr, KBS_EPARSE, d.aLine[d.aField[SI_OS_VERSION].iLine].line,
                         "OS version \"major.minor.build ...\" expected in the third field");
        goto out;
    }
    field_value(&d, SI_OS_NAME, &zv, &nv);
    imp_copy(s->os.zProductName, sizeof s->os.zProductName, zv, nv);
    field_value(&d, SI_OS_CONFIG, &zv, &nv);
    s->os.product_type = product_type(zv, nv, s->os.zProductName);
    field_value(&d, SI_SYSTEM_TYPE, &zv, &nv);
    s->os.arch = arch_of(zv, nv);
    field_value(&d, SI_INSTALL_DATE, &zv, &nv);
    {
        char zDate[64];
        int mdy;
        imp_copy(zDate, sizeof zDate, zv, nv);
        /* a 12-hour clock marks the US order */
        mdy = has_ascii_ci(zv, nv, " am") || has_ascii_ci(zv, nv, " pm");
        imp_date_iso(zDate, mdy, s->os.zInstallDate, sizeof s->os.zInstallDate);
    }
    field_value(&d, SI_DOMAIN, &zv, &nv);
    if (nv >= SNAP_HOST_MAX) {
        rc = imp_err_set(pErr, KBS_ETOOBIG, d.aLine[d.aField[SI_DOMAIN].iLine].line,
                         "domain name of %lu bytes (limit %d)", (unsigned long)nv,
                         SNAP_HOST_MAX - 1);
        goto out;
    }
    imp_copy(s->zDomain, sizeof s->zDomain, zv, nv);

    rc = read_hotfixes(&d, s, pErr);

out:
    if (rc) snap_release(s);
    free(d.aLine);
    imp_text_release(&t);
    return rc;
}
