/* imp_csv.c: `wmic qfe ... /format:csv` and PowerShell `Get-HotFix | Export-Csv` read into one
 * snapshot per host. */
#include "imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "kb.h"
#include "kbs_err.h"

#define CSV_FIELDS_MAX 128

/* One record of decoded text: fields unquoted into aBuf. */
typedef struct csv_rec {
    size_t aOff[CSV_FIELDS_MAX], aLen[CSV_FIELDS_MAX];
    size_t nField;
    char *aBuf;
    size_t nBuf;
    unsigned line; /* where the record starts */
} csv_rec_t;

typedef struct csv_rd {
    const char *z;
    size_t n, off;
    unsigned line; /* line of z[off] */
    char delim;
} csv_rd_t;

/* Reads one record (which may span lines inside quotes). Returns 1, 0 at the end of input, or an
 * error. A record longer than IMP_LINE_MAX is refused before it is copied. */
static int csv_next(csv_rd_t *r, csv_rec_t *rec, imp_err_t *pErr)
{
    const char *z = r->z;
    size_t i = r->off, o = 0;
    if (i >= r->n) return 0;
    rec->nField = 0;
    rec->line = r->line;
    for (;;) {
        size_t start = o;
        if (rec->nField == CSV_FIELDS_MAX)
            return imp_err_set(pErr, KBS_ETOOBIG, rec->line, "more than %d fields", CSV_FIELDS_MAX);
        if (i < r->n && z[i] == '"') {
            i++;
            for (;;) {
                if (i >= r->n)
                    return imp_err_set(pErr, KBS_EPARSE, rec->line,
                                       "quoted field not closed before the end of the input");
                if (z[i] == '"' && !(i + 1 < r->n && z[i + 1] == '"')) {
                    i++;
                    break;
                }
                if (o >= rec->nBuf)
                    return imp_err_set(pErr, KBS_ETOOBIG, rec->line, "record longer than %u bytes",
                                       IMP_LINE_MAX);
                if (z[i] == '"') {
                    rec->aBuf[o++] = '"'; /* "" inside quotes */
                    i += 2;
                    continue;
                }
                if (z[i] == '\n') r->line++;
                rec->aBuf[o++] = z[i++];
            }
            while (i < r->n && z[i] == '\r')
                i++;
            if (i < r->n && z[i] != r->delim && z[i] != '\n')
                return imp_err_set(pErr, KBS_EPARSE, r->line, "text after a closing quote");
        } else {
            while (i < r->n && z[i] != r->delim && z[i] != '\n') {
                if (o >= rec->nBuf)
                    return imp_err_set(pErr, KBS_ETOOBIG, rec->line, "record longer than %u bytes",
                                       IMP_LINE_MAX);
                rec->aBuf[o++] = z[i++];
            }
            while (o > start && rec->aBuf[o - 1] == '\r')
                o--; /* CRLF and wmic's CR CR LF */
        }
        rec->aOff[rec->nField] = start;
        rec->aLen[rec->nField] = o - start;
        rec->nField++;
        if (i < r->n && z[i] == r->delim) {
            i++;
            continue;
        }
        if (i < r->n) { /* '\n' */
            i++;
            r->line++;
        }
        break;
    }
    r->off = i;
    return 1;
}

static int rec_blank(const csv_rec_t *rec)
{
    const char *z = rec->aBuf + rec->aOff[0];
    size_t n = rec->aLen[0];
    if (rec->nField != 1) return 0;
    imp_trim(&z, &n);
    return n == 0;
}

/* Column index of the first of the names, or -1. */
static int col_of(const csv_rec_t *h, const char *const *azName)
{
    size_t i;
    for (; *azName; azName++)
        for (i = 0; i < h->nField; i++) {
            const char *z = h->aBuf + h->aOff[i];
            size_t n = h->aLen[i];
            imp_trim(&z, &n);
            if (imp_ci_eq(z, n, *azName)) return (int)i;
        }
    return -1;
}

static const char *const azHotfixCol[] = {"HotFixID", NULL};
static const char *const azPsHostCol[] = {"PSComputerName", "CSName", "__SERVER", "Source", NULL};

/* The delimiter of a header line: Export-Csv -UseCulture writes ';' in much of Europe. */
static char header_delim(const char *z, size_t n)
{
    size_t i, nComma = 0, nSemi = 0, nTab = 0;
    int q = 0;
    for (i = 0; i < n && z[i] != '\n'; i++) {
        if (z[i] == '"') q = !q;
        if (q) continue;
        if (z[i] == ',') nComma++;
        if (z[i] == ';') nSemi++;
        if (z[i] == '\t') nTab++;
    }
    if (nSemi > nComma && nSemi >= nTab) return ';';
    if (nTab > nComma) return '\t';
    return ',';
}

/* Skips blank lines, a "#TYPE ..." line and a few lines of text without any delimiter (wmic's
 * "Please wait while WMIC is being installed." on its first run); returns the offset of the
 * header line. */
static size_t skip_preamble(const char *z, size_t n, int *pHasType, unsigned *pLine)
{
    size_t i = 0;
    unsigned nNotice = 0;
    *pHasType = 0;
    *pLine = 1;
    for (;;) {
        size_t s = i;
        while (i < n && (z[i] == ' ' || z[i] == '\t' || z[i] == '\r'))
            i++;
        if (i < n && z[i] == '\n') {
            i++;
            (*pLine)++;
            continue;
        }
        if (!*pHasType && n - i >= 5 && memcmp(z + i, "#TYPE", 5) == 0) {
            const char *e = memchr(z + i, '\n', n - i);
            *pHasType = 1;
            if (!e) return n;
            i = (size_t)(e - z) + 1;
            (*pLine)++;
            continue;
        }
        if (nNotice < 4) {
            const char *e = memchr(z + i, '\n', n - i);
            size_t k, nl = e ? (size_t)(e - z) - i : n - i;
            for (k = 0; k < nl; k++)
                if (z[i + k] == ',' || z[i + k] == ';' || z[i + k] == '\t') break;
            if (e && k == nl) {
                nNotice++;
                i = (size_t)(e - z) + 1;
                (*pLine)++;
                continue;
            }
        }
        return s;
    }
}

static imp_kind_t kind_of_header(const csv_rec_t *h, int hasType)
{
    const char *z = h->aBuf + h->aOff[0];
    size_t n = h->aLen[0];
    if (col_of(h, azHotfixCol) < 0) return IMP_KIND_UNKNOWN;
    imp_trim(&z, &n);
    if (imp_ci_eq(z, n, "Node")) return IMP_KIND_QFE_CSV;
    if (hasType || col_of(h, azPsHostCol) >= 0) return IMP_KIND_GETHOTFIX_CSV;
    return IMP_KIND_UNKNOWN;
}

/* Reads the header; on success *pKind and r positioned after it. */
static int read_header(const char *z, size_t n, csv_rd_t *r, csv_rec_t *h, imp_kind_t *pKind,
                       imp_err_t *pErr)
{
    int hasType, rc;
    unsigned line;
    size_t off = skip_preamble(z, n, &hasType, &line);
    r->z = z, r->n = n, r->off = off, r->line = line;
    r->delim = header_delim(z + off, n - off);
    rc = csv_next(r, h, pErr);
    if (rc < 0) return rc;
    if (rc == 0) return imp_err_set(pErr, KBS_EPARSE, line, "no CSV header");
    *pKind = kind_of_header(h, hasType);
    if (*pKind == IMP_KIND_UNKNOWN)
        return imp_err_set(pErr, KBS_EPARSE, h->line,
                           "not a hotfix CSV: header without HotFixID and a host column");
    return KBS_OK;
}

imp_kind_t imp_csv_sniff(const char *z, size_t n)
{
    csv_rd_t r;
    csv_rec_t h;
    imp_kind_t k = IMP_KIND_UNKNOWN;
    h.nBuf = 4096;
    h.aBuf = malloc(h.nBuf);
    if (!h.aBuf) return IMP_KIND_UNKNOWN;
    if (read_header(z, n, &r, &h, &k, NULL) != KBS_OK) k = IMP_KIND_UNKNOWN;
    free(h.aBuf);
    return k;
}

static void field(const csv_rec_t *rec, int col, const char **pz, size_t *pn)
{
    if (col < 0) {
        *pz = "", *pn = 0;
        return;
    }
    *pz = rec->aBuf + rec->aOff[col];
    *pn = rec->aLen[col];
    imp_trim(pz, pn);
}

/* A CSV whose rows repeat the header (wmic run against several nodes) or that has the header
 * again after a blank line. */
static int rec_is_header(const csv_rec_t *rec, const csv_rec_t *h, int colId)
{
    const char *a, *b;
    size_t na, nb;
    field(rec, colId, &a, &na);
    field(h, colId, &b, &nb);
    return na == nb && memcmp(a, b, na) == 0;
}

int imp_csv_parse(const char *zIn, size_t nIn, snap_t **paSnap, size_t *pnSnap, imp_err_t *pErr)
{
    imp_text_t t;
    csv_rd_t r;
    csv_rec_t h, rec;
    imp_hosts_t hs;
    imp_kind_t kind;
    const char *zOrigin;
    int rc, colId, colHost, colHost2, colDate, colSpie;
    size_t i;
    imp_err_t errLocal;

    if (!pErr) pErr = &errLocal;
    memset(pErr, 0, sizeof *pErr);
    memset(&hs, 0, sizeof hs);
    memset(&t, 0, sizeof t);
    h.aBuf = rec.aBuf = NULL;
    *paSnap = NULL;
    *pnSnap = 0;
    if (!zIn) return imp_err_set(pErr, KBS_EINVAL, 0, "no input");
    rc = imp_text_decode(zIn, nIn, 0, &t, pErr);
    if (rc) return rc;
    h.nBuf = rec.nBuf = IMP_LINE_MAX;
    h.aBuf = malloc(h.nBuf);
    rec.aBuf = malloc(rec.nBuf);
    if (!h.aBuf || !rec.aBuf) {
        rc = imp_err_set(pErr, KBS_ENOMEM, 0, "out of memory");
        goto out;
    }
    rc = read_header(t.z, t.n, &r, &h, &kind, pErr);
    if (rc) goto out;
    zOrigin = kind == IMP_KIND_QFE_CSV ? "qfe-csv" : "get-hotfix-csv";
    colId = col_of(&h, azHotfixCol);
    if (kind == IMP_KIND_QFE_CSV) {
        static const char *const azCs[] = {"CSName", NULL};
        colHost = 0;
        colHost2 = col_of(&h, azCs);
    } else {
        colHost = col_of(&h, azPsHostCol);
        colHost2 = -1;
    }
    if (colHost < 0) {
        rc = imp_err_set(pErr, KBS_EPARSE, h.line,
                         "no host column (PSComputerName, CSName, __SERVER or Source)");
        goto out;
    }
    {
        static const char *const azDate[] = {"InstalledOn", NULL};
        static const char *const azSpie[] = {"ServicePackInEffect", NULL};
        colDate = col_of(&h, azDate);
        colSpie = col_of(&h, azSpie);
    }

    while ((rc = csv_next(&r, &rec, pErr)) == 1) {
        const char *zHost, *zId, *zDate, *zSpie;
        size_t nHost, nId, nDate, nSpie;
        char zRaw[SNAP_RAW_MAX], zIso[24], zDateBuf[64];
        snap_t *s;
        size_t iHost;
        int nonKb = 0;
        if (rec_blank(&rec)) continue;
        if (rec.nField != h.nField) {
            rc = imp_err_set(pErr, KBS_EPARSE, rec.line, "%lu fields where the header has %lu",
                             (unsigned long)rec.nField, (unsigned long)h.nField);
            goto out;
        }
        if (rec_is_header(&rec, &h, colId)) continue;
        field(&rec, colHost, &zHost, &nHost);
        if (nHost == 0 && colHost2 >= 0) field(&rec, colHost2, &zHost, &nHost);
        rc = imp_host_check(nHost, rec.line, pErr);
        if (rc) goto out;
        rc = imp_hosts_get(&hs, zHost, nHost, zOrigin, &s);
        if (rc) {
            imp_err_set(pErr, rc, rec.line, "out of memory");
            goto out;
        }
        iHost = (size_t)(s - hs.aSnap);
        field(&rec, colId, &zId, &nId);
        field(&rec, colSpie, &zSpie, &nSpie);
        field(&rec, colDate, &zDate, &nDate);
        if (imp_hotfix_raw(zId, nId, zRaw, sizeof zRaw)) {
            /* a KB id */
        } else if (imp_kb_like(zSpie, nSpie) && imp_hotfix_raw(zSpie, nSpie, zRaw, sizeof zRaw)) {
            /* XP lists some updates as HotFixID "File 1" with the KB in ServicePackInEffect */
        } else {
            imp_hotfix_raw(nId ? zId : "(empty HotFixID)", nId ? nId : strlen("(empty HotFixID)"),
                           zRaw, sizeof zRaw);
            nonKb = 1;
        }
        imp_copy(zDateBuf, sizeof zDateBuf, zDate, nDate);
        /* WMI's InstalledOn is month first ("3/15/2011"); PowerShell writes the user's
         * culture, month first only when a 12-hour clock says it is the US format */
        imp_date_iso(zDateBuf,
                     kind == IMP_KIND_QFE_CSV || strstr(zDateBuf, " AM") || strstr(zDateBuf, " PM"),
                     zIso, sizeof zIso);
        rc = snap_add_hotfix(s, zRaw, SNAP_SRC_QFE, zIso[0] ? zIso : NULL, -1);
        if (rc) {
            imp_err_set(pErr, rc, rec.line, "hotfix list of %s: %s", s->zHost, kbs_strerror(rc));
            goto out;
        }
        if (nonKb) {
            if (!hs.anNonKb[iHost])
                imp_copy(hs.azNonKb[iHost], sizeof hs.azNonKb[iHost], zRaw, strlen(zRaw));
            hs.anNonKb[iHost]++;
        }
    }
    if (rc < 0) goto out;
    rc = KBS_OK;
    if (hs.nSnap == 0) {
        rc = imp_err_set(pErr, KBS_EPARSE, h.line, "header but no hotfix rows: no host to read");
        goto out;
    }
    /* Entries without a KB id hide KBs only on XP / 2003, which a CSV does not name: the
     * verdict decides from the OS the host turns out to run. The note says what was seen. */
    for (i = 0; i < hs.nSnap; i++) {
        if (!hs.anNonKb[i]) continue;
        snprintf(hs.aSnap[i].zHotfixNote, sizeof hs.aSnap[i].zHotfixNote,
                 "%lu QFE entries without a KB id (e.g. \"%s\"): the KBs behind them are unknown",
                 (unsigned long)hs.anNonKb[i], hs.azNonKb[i]);
    }
    *paSnap = hs.aSnap;
    *pnSnap = hs.nSnap;
    hs.aSnap = NULL;
    hs.nSnap = 0;

out:
    imp_hosts_release(&hs);
    free(h.aBuf);
    free(rec.aBuf);
    imp_text_release(&t);
    return rc;
}

void imp_free_snaps(snap_t *aSnap, size_t nSnap)
{
    size_t i;
    if (!aSnap) return;
    for (i = 0; i < nSnap; i++)
        snap_release(&aSnap[i]);
    free(aSnap);
}
