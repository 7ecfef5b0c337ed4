/* imp_sicsv.c: `systeminfo /FO CSV` (a header row, then one quoted row per machine, every list in
 * one cell) rewritten into the list form the systeminfo reader reads. */
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "kbs_err.h"

/* systeminfo writes 32 to 34 columns; a few more leave room for newer releases. */
#define SICSV_FIELDS_MAX 48
#define SICSV_LABEL_COL  27 /* where the list form's values start */

/* One record: fields unquoted into zBuf, with the line breaks a console wrap put inside them
 * dropped. */
typedef struct sicsv_rec {
    char *zBuf;
    size_t nBuf;
    size_t aOff[SICSV_FIELDS_MAX], aLen[SICSV_FIELDS_MAX];
    size_t nField;
} sicsv_rec_t;

static int is_nl(char c)
{
    return c == '\r' || c == '\n';
}

/* Reads the quoted record starting at z[*pi] (a '"'). A row pasted from a console is wrapped
 * at the window's width, anywhere: inside a field, after a closing quote, after a comma. Such
 * breaks are stepped over; the record ends at a line end after a closing quote that no comma
 * follows. Returns 1 with *pi after the record, 0 when z[*pi..] is not such a record (*pi
 * unchanged). */
static int read_rec(const char *z, size_t n, size_t *pi, sicsv_rec_t *r)
{
    size_t i = *pi, o = 0;
    r->nField = 0;
    for (;;) {
        size_t start = o;
        if (i >= n || z[i] != '"' || r->nField == SICSV_FIELDS_MAX) return 0;
        i++;
        for (;;) {
            if (i >= n) return 0;
            if (z[i] == '"') {
                if (i + 1 < n && z[i + 1] == '"') {
                    if (o < r->nBuf) r->zBuf[o++] = '"';
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            if (!is_nl(z[i]) && o < r->nBuf) r->zBuf[o++] = z[i];
            i++;
        }
        r->aOff[r->nField] = start;
        r->aLen[r->nField] = o - start;
        r->nField++;
        {
            size_t j = i;
            while (j < n && is_nl(z[j]))
                j++;
            if (j < n && z[j] == ',') {
                i = j + 1;
                while (i < n && is_nl(z[i]))
                    i++;
                continue;
            }
        }
        break;
    }
    while (i < n && is_nl(z[i]))
        i++;
    *pi = i;
    return 1;
}

/* Growing output text. */
typedef struct sicsv_out {
    char *z;
    size_t n, nAlloc;
    int bOom;
} sicsv_out_t;

static void out_put(sicsv_out_t *o, const char *z, size_t n)
{
    if (o->bOom) return;
    if (o->n + n + 1 > o->nAlloc) {
        size_t nNew = o->nAlloc ? o->nAlloc : 4096;
        char *zNew;
        while (o->n + n + 1 > nNew)
            nNew *= 2;
        zNew = realloc(o->z, nNew);
        if (!zNew) {
            o->bOom = 1;
            return;
        }
        o->z = zNew;
        o->nAlloc = nNew;
    }
    memcpy(o->z + o->n, z, n);
    o->n += n;
    o->z[o->n] = 0;
}

static void out_pad(sicsv_out_t *o, size_t nCol)
{
    static const char zSp[] = "                                        ";
    while (nCol) {
        size_t k = nCol < sizeof zSp - 1 ? nCol : sizeof zSp - 1;
        out_put(o, zSp, k);
        nCol -= k;
    }
}

/* 1 when z[i..n) starts another entry of a list cell: spaces, then "[NN]". */
static int entry_at(const char *z, size_t n, size_t i)
{
    while (i < n && z[i] == ' ')
        i++;
    return i + 1 < n && z[i] == '[' && z[i + 1] >= '0' && z[i + 1] <= '9';
}

/* Writes one cell as a list-form field: "Label:" and the value, a list cell ("2 Hotfix(s)
 * Installed.,[01]: KB...,[02]: ...") split at its entries (and a network card's indented
 * details) onto continuation lines, as systeminfo's list form writes them. */
static void put_field(sicsv_out_t *o, const char *zLabel, size_t nLabel, const char *z, size_t n)
{
    size_t i, s = 0;
    int bList = 0;
    for (i = 0; i + 1 < n; i++)
        if (z[i] == ',' && entry_at(z, n, i + 1)) bList = 1;
    out_put(o, zLabel, nLabel);
    out_put(o, ":", 1);
    out_pad(o, nLabel + 1 < SICSV_LABEL_COL ? SICSV_LABEL_COL - nLabel - 1 : 1);
    if (!bList) {
        out_put(o, z, n);
        out_put(o, "\r\n", 2);
        return;
    }
    for (i = 0; i <= n; i++) {
        size_t k;
        if (i < n && !(z[i] == ',' && (entry_at(z, n, i + 1) ||
                                       (i + 2 < n && z[i + 1] == ' ' && z[i + 2] == ' '))))
            continue;
        out_put(o, z + s, i - s);
        out_put(o, "\r\n", 2);
        if (i == n) break;
        s = i + 1;
        for (k = s; k < n && z[k] == ' '; k++)
            ;
        /* top-level entries under the values; a card's details and addresses further in */
        out_pad(o, SICSV_LABEL_COL + (k > s ? 6 : 0));
        s = k;
    }
}

/* 1 when the record is a machine's row: its third cell is an OS version. */
static int rec_is_row(const sicsv_rec_t *r)
{
    return r->nField >= 3 && imp_os_version_like(r->zBuf + r->aOff[2], r->aLen[2]);
}

int imp_sicsv_to_list(const char *z, size_t n, int bSniff, char **pzOut, size_t *pnOut)
{
    sicsv_rec_t rec, hdr;
    sicsv_out_t o;
    size_t i = 0, nRow = 0, k;
    int bHdr = 0;

    *pzOut = NULL;
    *pnOut = 0;
    memset(&o, 0, sizeof o);
    /* most inputs have no line starting with a quote: no need for the buffers */
    for (k = 0; k < n && !(z[k] == '"' &&
                           (k == 0 || z[k - 1] == '\n' || z[k - 1] == ' ' || z[k - 1] == '\t'));
         k++)
        ;
    if (k == n) return 0;
    rec.nField = hdr.nField = 0;
    rec.nBuf = hdr.nBuf = IMP_LINE_MAX;
    rec.zBuf = malloc(rec.nBuf);
    hdr.zBuf = malloc(hdr.nBuf);
    if (!rec.zBuf || !hdr.zBuf) {
        free(rec.zBuf);
        free(hdr.zBuf);
        return KBS_ENOMEM;
    }
    while (i < n) {
        size_t j = i;
        while (j < n && (z[j] == ' ' || z[j] == '\t'))
            j++;
        if (j < n && z[j] == '"' && read_rec(z, n, &j, &rec)) {
            i = j;
            if (rec_is_row(&rec)) {
                nRow++;
                if (bSniff) break;
                for (k = 0; k < rec.nField; k++) {
                    int bLabel = bHdr && k < hdr.nField && hdr.aLen[k];
                    put_field(&o, bLabel ? hdr.zBuf + hdr.aOff[k] : "Field",
                              bLabel ? hdr.aLen[k] : 5, rec.zBuf + rec.aOff[k], rec.aLen[k]);
                }
                out_put(&o, "\r\n", 2);
            } else if (rec.nField >= 3) {
                sicsv_rec_t t = hdr; /* the header: its labels name the next rows' cells */
                hdr = rec;
                rec = t;
                bHdr = 1;
            }
            continue;
        }
        while (i < n && z[i] != '\n')
            i++;
        if (i < n) i++;
    }
    free(rec.zBuf);
    free(hdr.zBuf);
    if (o.bOom) {
        free(o.z);
        return KBS_ENOMEM;
    }
    if (!nRow || bSniff) {
        free(o.z);
        return nRow ? 1 : 0;
    }
    *pzOut = o.z;
    *pnOut = o.n;
    return 1;
}
