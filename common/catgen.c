/* catgen.c: reading Microsoft's security-update data (MSRC CSV, as wesng publishes it) strictly. */
#include "catgen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catgen_int.h"
#include "kbs_err.h"
#include "zip.h"

/* ---- interned strings: product names and CVE ids ---- */

struct catgen_strtab {
    char *zPool;
    size_t nPool, nPoolCap;
    uint32_t *aOff;   /* string i starts at zPool + aOff[i]; index 0 is "" */
    size_t nStr, nStrCap;
    uint32_t *aSlot;  /* open addressing: string index + 1, 0 empty */
    size_t nSlot;
};

static uint32_t catgen_hash(const char *z, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)z[i]) * 16777619u;
    return h;
}

static void catgen_strtab_free(catgen_strtab_t *t)
{
    if (!t) return;
    free(t->zPool);
    free(t->aOff);
    free(t->aSlot);
    free(t);
}

static int catgen_strtab_grow_slots(catgen_strtab_t *t)
{
    size_t nSlot = t->nSlot ? t->nSlot * 2 : 1024, i;
    uint32_t *a = calloc(nSlot, sizeof *a);
    if (!a) return KBS_ENOMEM;
    for (i = 1; i < t->nStr; i++) {
        const char *z = t->zPool + t->aOff[i];
        size_t j = catgen_hash(z, strlen(z)) & (nSlot - 1);
        while (a[j]) j = (j + 1) & (nSlot - 1);
        a[j] = (uint32_t)i + 1;
    }
    free(t->aSlot);
    t->aSlot = a;
    t->nSlot = nSlot;
    return KBS_OK;
}

/* The index of [z, z+n) in t, added when new. Returns KBS_OK or KBS_ENOMEM. */
static int catgen_intern(catgen_strtab_t *t, const char *z, size_t n, uint32_t *pIdx, int *pbNew)
{
    size_t j;
    *pbNew = 0;
    if (n == 0) {
        *pIdx = 0;
        return KBS_OK;
    }
    if ((t->nStr + 1) * 2 > t->nSlot && catgen_strtab_grow_slots(t) != KBS_OK) return KBS_ENOMEM;
    j = catgen_hash(z, n) & (t->nSlot - 1);
    while (t->aSlot[j]) {
        const char *zS = t->zPool + t->aOff[t->aSlot[j] - 1];
        if (strncmp(zS, z, n) == 0 && zS[n] == 0) {
            *pIdx = t->aSlot[j] - 1;
            return KBS_OK;
        }
        j = (j + 1) & (t->nSlot - 1);
    }
    if (t->nPool + n + 1 > t->nPoolCap) {
        size_t nCap = t->nPoolCap ? t->nPoolCap * 2 : 65536;
        char *zNew;
        while (nCap < t->nPool + n + 1) nCap *= 2;
        if (!(zNew = realloc(t->zPool, nCap))) return KBS_ENOMEM;
        t->zPool = zNew;
        t->nPoolCap = nCap;
    }
    if (t->nStr + 1 > t->nStrCap) {
        size_t nCap = t->nStrCap ? t->nStrCap * 2 : 1024;
        uint32_t *a = realloc(t->aOff, nCap * sizeof *a);
        if (!a) return KBS_ENOMEM;
        t->aOff = a;
        t->nStrCap = nCap;
    }
    t->aOff[t->nStr] = (uint32_t)t->nPool;
    memcpy(t->zPool + t->nPool, z, n);
    t->zPool[t->nPool + n] = 0;
    t->nPool += n + 1;
    t->aSlot[j] = (uint32_t)t->nStr + 1;
    *pIdx = (uint32_t)t->nStr++;
    *pbNew = 1;
    return KBS_OK;
}

static int catgen_strtab_new(catgen_strtab_t **pp)
{
    uint32_t idx;
    int bNew;
    catgen_strtab_t *t = calloc(1, sizeof *t);
    if (!t) return KBS_ENOMEM;
    /* Index 0 stands for the empty string. */
    if (catgen_intern(t, "\x01", 1, &idx, &bNew) != KBS_OK) {
        catgen_strtab_free(t);
        return KBS_ENOMEM;
    }
    *pp = t;
    return KBS_OK;
}

const char *catgen_str(const catgen_strtab_t *t, uint32_t idx)
{
    return idx && idx < t->nStr ? t->zPool + t->aOff[idx] : "";
}

int catgen_find_str(const catgen_strtab_t *t, const char *z, uint32_t *pIdx)
{
    size_t n = strlen(z), j;
    if (!n || !t->nSlot) return KBS_ENOTFOUND;
    j = catgen_hash(z, n) & (t->nSlot - 1);
    while (t->aSlot[j]) {
        if (strcmp(t->zPool + t->aOff[t->aSlot[j] - 1], z) == 0) {
            *pIdx = t->aSlot[j] - 1;
            return KBS_OK;
        }
        j = (j + 1) & (t->nSlot - 1);
    }
    return KBS_ENOTFOUND;
}

/* ---- the CSV reader ---- */

enum { COL_DATE, COL_CVE, COL_KB, COL_PRODUCT, COL_COMPONENT, COL_SUPERSEDES, COL_COUNT };
static const char *const catgen_azCol[COL_COUNT] = {"DatePosted", "CVE", "BulletinKB",
                                                    "AffectedProduct", "AffectedComponent",
                                                    "Supersedes"};
#define CATGEN_NF_MAX 64 /* fields of one record */

typedef struct catgen_rd {
    catgen_data_t *d;
    catgen_err_t *pErr;
    const char *z, *zEnd;
    unsigned line;
    char *zField;            /* CATGEN_FIELD_MAX + 1 bytes, for a field with "" escapes */
    int aiCol[COL_COUNT];    /* field index of each needed column */
    size_t nCol;             /* fields per record (from the header) */
} catgen_rd_t;

static int catgen_fail(catgen_err_t *pErr, int rc, unsigned line, const char *zFmt, ...)
{
    if (pErr) {
        va_list ap;
        pErr->rc = rc;
        pErr->line = line;
        va_start(ap, zFmt);
        vsnprintf(pErr->zReason, sizeof pErr->zReason, zFmt, ap);
        va_end(ap);
    }
    return rc;
}

/* A field as [*pz, *pzEnd) (unescaped into r->zField when it had "" inside). */
typedef struct catgen_fld {
    const char *z;
    size_t n;
} catgen_fld_t;

/* Reads one record into aF (at most CATGEN_NF_MAX fields). Returns the field count, 0 at the
 * end of input, or a negative error (reported). Quoted fields may hold commas and line ends. */
static int catgen_record(catgen_rd_t *r, catgen_fld_t *aF, char *zBuf, size_t nBuf)
{
    const char *z = r->z, *zStart = r->z;
    size_t nF = 0, nUsed = 0;
    unsigned lineStart = ++r->line;
    if (z >= r->zEnd) return 0;
    for (;;) {
        catgen_fld_t f;
        if (nF >= CATGEN_NF_MAX)
            return catgen_fail(r->pErr, KBS_ETOOBIG, lineStart, "more than %u fields", CATGEN_NF_MAX);
        if (z < r->zEnd && *z == '"') {
            /* Quoted: copy with "" -> " into zBuf. */
            z++;
            f.z = zBuf + nUsed;
            f.n = 0;
            for (;;) {
                if (z >= r->zEnd)
                    return catgen_fail(r->pErr, KBS_EPARSE, lineStart, "unclosed quote (file cut short?)");
                if (*z == '"') {
                    if (z + 1 < r->zEnd && z[1] == '"') {
                        z++;
                    } else {
                        z++;
                        break;
                    }
                } else if (*z == '\n') {
                    r->line++;
                }
                if (f.n >= CATGEN_FIELD_MAX)
                    return catgen_fail(r->pErr, KBS_ETOOBIG, lineStart, "field %u longer than %u bytes",
                                       (unsigned)nF + 1, CATGEN_FIELD_MAX);
                if (nUsed + f.n + 1 >= nBuf)
                    return catgen_fail(r->pErr, KBS_ETOOBIG, lineStart, "record longer than %u bytes", CATGEN_LINE_MAX);
                zBuf[nUsed + f.n++] = *z++;
            }
            nUsed += f.n;
            if (z < r->zEnd && *z != ',' && *z != '\r' && *z != '\n')
                return catgen_fail(r->pErr, KBS_EPARSE, lineStart, "text after a closing quote in field %u",
                                   (unsigned)nF + 1);
        } else {
            f.z = z;
            while (z < r->zEnd && *z != ',' && *z != '\r' && *z != '\n') {
                if (*z == '"')
                    return catgen_fail(r->pErr, KBS_EPARSE, lineStart, "stray quote in field %u", (unsigned)nF + 1);
                z++;
            }
            f.n = (size_t)(z - f.z);
            if (f.n > CATGEN_FIELD_MAX)
                return catgen_fail(r->pErr, KBS_ETOOBIG, lineStart, "field %u longer than %u bytes",
                                   (unsigned)nF + 1, CATGEN_FIELD_MAX);
        }
        if ((size_t)(z - zStart) > CATGEN_LINE_MAX)
            return catgen_fail(r->pErr, KBS_ETOOBIG, lineStart, "record longer than %u bytes", CATGEN_LINE_MAX);
        aF[nF++] = f;
        if (z < r->zEnd && *z == ',') {
            z++;
            continue;
        }
        if (z < r->zEnd && *z == '\r') z++;
        if (z < r->zEnd && *z == '\n') {
            z++;
        } else if (z < r->zEnd) {
            return catgen_fail(r->pErr, KBS_EPARSE, lineStart, "bare carriage return");
        }
        break;
    }
    r->z = z;
    return (int)nF;
}

static int catgen_digits(const char *z, size_t n, uint32_t *pOut)
{
    uint32_t v = 0;
    size_t i;
    if (n == 0 || n > 9) return -1;
    for (i = 0; i < n; i++) {
        if (z[i] < '0' || z[i] > '9') return -1;
        v = v * 10 + (uint32_t)(z[i] - '0');
    }
    *pOut = v;
    return 0;
}

static int catgen_header(catgen_rd_t *r, const catgen_fld_t *aF, int nF)
{
    int i, j;
    for (j = 0; j < COL_COUNT; j++) r->aiCol[j] = -1;
    for (i = 0; i < nF; i++) {
        const char *z = aF[i].z;
        size_t n = aF[i].n;
        if (i == 0 && n >= 3 && memcmp(z, "\xEF\xBB\xBF", 3) == 0) z += 3, n -= 3;
        for (j = 0; j < COL_COUNT; j++) {
            if (strlen(catgen_azCol[j]) == n && memcmp(catgen_azCol[j], z, n) == 0) {
                if (r->aiCol[j] >= 0)
                    return catgen_fail(r->pErr, KBS_EPARSE, 1, "column '%s' twice", catgen_azCol[j]);
                r->aiCol[j] = i;
            }
        }
    }
    for (j = 0; j < COL_COUNT; j++) {
        if (r->aiCol[j] < 0)
            return catgen_fail(r->pErr, KBS_EPARSE, 1, "missing column '%s' (not MSRC CVE data?)",
                               catgen_azCol[j]);
    }
    r->nCol = (size_t)nF;
    return KBS_OK;
}

/* The product table entry of an interned product name (mapped once, when first seen). */
static int catgen_add_prod(catgen_data_t *d, uint32_t idx, const char *zName)
{
    if (idx >= d->nProd) {
        catgen_prod_t *a = realloc(d->aProd, (idx + 1) * sizeof *a);
        if (!a) return KBS_ENOMEM;
        memset(a + d->nProd, 0, (idx + 1 - d->nProd) * sizeof *a);
        d->aProd = a;
        d->nProd = idx + 1;
    }
    d->aProd[idx].kind = catgen_product(zName, &d->aProd[idx].plat);
    return KBS_OK;
}

static int catgen_row_add(catgen_rd_t *r, const catgen_fld_t *aF)
{
    catgen_data_t *d = r->d;
    catgen_row_t row;
    const catgen_fld_t *f;
    uint32_t v;
    int bNew, rc;
    const char *z, *zE;

    memset(&row, 0, sizeof row);
    row.line = r->line;
    f = &aF[r->aiCol[COL_DATE]];
    if (catgen_digits(f->z, f->n, &row.date) || f->n != 8 || row.date / 10000 < 1990 ||
        row.date % 10000 / 100 < 1 || row.date % 10000 / 100 > 12 || row.date % 100 < 1 || row.date % 100 > 31)
        return catgen_fail(r->pErr, KBS_EPARSE, r->line, "DatePosted '%.*s' is not YYYYMMDD",
                           (int)(f->n > 20 ? 20 : f->n), f->z);
    if (row.date > d->dateMax) d->dateMax = row.date;
    /* BulletinKB: a KB number, empty, or (for non-Windows products) a package or page name. */
    f = &aF[r->aiCol[COL_KB]];
    if (catgen_digits(f->z, f->n, &v) == 0 && v >= CATGEN_KB_MIN && v <= CATGEN_KB_MAX) row.kb = v;
    f = &aF[r->aiCol[COL_CVE]];
    if (f->n > 128) return catgen_fail(r->pErr, KBS_ETOOBIG, r->line, "CVE field longer than 128 bytes");
    if ((rc = catgen_intern(d->pCve, f->z, f->n, &row.cve, &bNew)) != KBS_OK) goto oom;
    f = &aF[r->aiCol[COL_PRODUCT]];
    if (f->n > 300) return catgen_fail(r->pErr, KBS_ETOOBIG, r->line, "product name longer than 300 bytes");
    if ((rc = catgen_intern(d->pProd, f->z, f->n, &row.prod, &bNew)) != KBS_OK) goto oom;
    if ((bNew || row.prod >= d->nProd) && catgen_add_prod(d, row.prod, catgen_str(d->pProd, row.prod)) != KBS_OK)
        goto oom;
    f = &aF[r->aiCol[COL_COMPONENT]];
    row.bFlash = f->n == 18 && memcmp(f->z, "Adobe Flash Player", 18) == 0;
    row.bSide = (uint8_t)catgen_side_component(f->z, f->n);
    /* Supersedes: KB numbers separated by ';' (sometimes ','); other tokens are not KBs. */
    f = &aF[r->aiCol[COL_SUPERSEDES]];
    row.iSup = (uint32_t)d->nSup;
    for (z = f->z, zE = f->z + f->n; z < zE;) {
        const char *zTok = z;
        while (z < zE && *z != ';' && *z != ',') z++;
        while (zTok < z && *zTok == ' ') zTok++;
        if (catgen_digits(zTok, (size_t)(z - zTok), &v) == 0 && v >= CATGEN_KB_MIN && v <= CATGEN_KB_MAX) {
            if (row.nSup >= CATGEN_SUP_MAX)
                return catgen_fail(r->pErr, KBS_ETOOBIG, r->line, "more than %u KBs in Supersedes", CATGEN_SUP_MAX);
            if (d->nSup >= d->nSupCap) {
                size_t nCap = d->nSupCap ? d->nSupCap * 2 : 65536;
                uint32_t *a = realloc(d->aSup, nCap * sizeof *a);
                if (!a) goto oom;
                d->aSup = a;
                d->nSupCap = nCap;
            }
            d->aSup[d->nSup++] = v;
            row.nSup++;
        }
        if (z < zE) z++;
    }
    if (d->nRow >= CATGEN_ROW_MAX)
        return catgen_fail(r->pErr, KBS_ETOOBIG, r->line, "more than %u records", CATGEN_ROW_MAX);
    if (d->nRow >= d->nRowCap) {
        size_t nCap = d->nRowCap ? d->nRowCap * 2 : 65536;
        catgen_row_t *a = realloc(d->aRow, nCap * sizeof *a);
        if (!a) goto oom;
        d->aRow = a;
        d->nRowCap = nCap;
    }
    d->aRow[d->nRow++] = row;
    return KBS_OK;
oom:
    return catgen_fail(r->pErr, KBS_ENOMEM, r->line, "out of memory");
}

void catgen_data_release(catgen_data_t *d)
{
    if (!d) return;
    free(d->aRow);
    free(d->aSup);
    free(d->aProd);
    catgen_strtab_free(d->pProd);
    catgen_strtab_free(d->pCve);
    memset(d, 0, sizeof *d);
}

int catgen_data_read(const char *zIn, size_t nIn, const char *zSource, catgen_data_t *d,
                     catgen_err_t *pErr)
{
    catgen_rd_t r;
    catgen_fld_t aF[CATGEN_NF_MAX];
    char *zBuf = NULL;
    int rc = KBS_OK, nF;
    size_t i;

    memset(d, 0, sizeof *d);
    memset(&r, 0, sizeof r);
    if (pErr) memset(pErr, 0, sizeof *pErr);
    snprintf(d->zSource, sizeof d->zSource, "%s", zSource ? zSource : "");
    r.d = d;
    r.pErr = pErr;
    r.z = zIn;
    r.zEnd = zIn + nIn;
    if (!zIn || nIn == 0) return catgen_fail(pErr, KBS_EPARSE, 0, "empty input");
    if (memchr(zIn, 0, nIn)) {
        const char *zNul = memchr(zIn, 0, nIn);
        unsigned line = 1;
        const char *z;
        for (z = zIn; z < zNul; z++) line += *z == '\n';
        return catgen_fail(pErr, KBS_EPARSE, line, "NUL byte (binary file, not CSV)");
    }
    if (!(zBuf = malloc(CATGEN_LINE_MAX + 1))) return catgen_fail(pErr, KBS_ENOMEM, 0, "out of memory");
    if ((rc = catgen_strtab_new(&d->pProd)) != KBS_OK || (rc = catgen_strtab_new(&d->pCve)) != KBS_OK) {
        rc = catgen_fail(pErr, KBS_ENOMEM, 0, "out of memory");
        goto out;
    }
    if ((nF = catgen_record(&r, aF, zBuf, CATGEN_LINE_MAX + 1)) <= 0) {
        rc = nF < 0 ? nF : catgen_fail(pErr, KBS_EPARSE, 1, "no header row");
        goto out;
    }
    if ((rc = catgen_header(&r, aF, nF)) != KBS_OK) goto out;
    while ((nF = catgen_record(&r, aF, zBuf, CATGEN_LINE_MAX + 1)) != 0) {
        if (nF < 0) {
            rc = nF;
            goto out;
        }
        if (nF == 1 && aF[0].n == 0) continue; /* a blank line */
        if ((size_t)nF != r.nCol) {
            rc = catgen_fail(pErr, KBS_EPARSE, r.line, "%d fields, the header has %u (file cut short?)", nF,
                             (unsigned)r.nCol);
            goto out;
        }
        if ((rc = catgen_row_add(&r, aF)) != KBS_OK) goto out;
    }
    if (d->nRow == 0) {
        rc = catgen_fail(pErr, KBS_EPARSE, 0, "no records after the header");
        goto out;
    }
    for (i = 0; i < d->nProd; i++) d->aProd[i].zName = catgen_str(d->pProd, (uint32_t)i);
out:
    free(zBuf);
    if (rc != KBS_OK) {
        char zSrc[sizeof d->zSource];
        memcpy(zSrc, d->zSource, sizeof zSrc);
        catgen_data_release(d);
        memcpy(d->zSource, zSrc, sizeof zSrc);
    }
    return rc;
}

int catgen_data_load(const unsigned char *p, size_t n, const char *zSource, catgen_data_t *d,
                     catgen_err_t *pErr)
{
    char *zCsv = NULL, zName[ZIP_NAME_MAX], zWhy[120], zSrc[sizeof d->zSource];
    size_t nCsv = 0;
    int rc;
    if (!zip_is_zip(p, n)) return catgen_data_read((const char *)p, n, zSource, d, pErr);
    memset(d, 0, sizeof *d);
    snprintf(d->zSource, sizeof d->zSource, "%s", zSource ? zSource : "");
    if (pErr) memset(pErr, 0, sizeof *pErr);
    rc = zip_extract(p, n, "CVEs_", ".csv", &zCsv, &nCsv, zName, sizeof zName, zWhy, sizeof zWhy);
    if (rc != KBS_OK) {
        return catgen_fail(pErr, rc, 0, "%s%s", zWhy,
                           rc == KBS_ENOTFOUND ? " (wants a CVEs_*.csv member)" : "");
    }
    snprintf(zSrc, sizeof zSrc, "%s:%s", zSource ? zSource : "", zName);
    rc = catgen_data_read(zCsv, nCsv, zSrc, d, pErr);
    free(zCsv);
    return rc;
}
