/* rep.c: report dispatch and what every renderer shares: the write buffer, UTF-8, times, counts. */
#include "rep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "rep_int.h"

/* ---- buffered output ---- */

void rep_out_init(rep_out_t *o, FILE *f)
{
    o->f = f;
    o->n = 0;
    o->err = 0;
}

void rep_out_flush(rep_out_t *o)
{
    if (o->n && !o->err && fwrite(o->aBuf, 1, o->n, o->f) != o->n) o->err = 1;
    o->n = 0;
}

void rep_out_put(rep_out_t *o, const char *p, size_t n)
{
    if (n > REP_OUT_BUF - o->n) {
        rep_out_flush(o);
        if (n >= REP_OUT_BUF) {
            if (!o->err && fwrite(p, 1, n, o->f) != n) o->err = 1;
            return;
        }
    }
    memcpy(o->aBuf + o->n, p, n);
    o->n += n;
}

void rep_out_str(rep_out_t *o, const char *z)
{
    rep_out_put(o, z, strlen(z));
}

void rep_out_u64(rep_out_t *o, uint64_t v)
{
    char a[24];
    size_t i = sizeof a;
    do {
        a[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    rep_out_put(o, a + i, sizeof a - i);
}

void rep_out_cp(rep_out_t *o, uint32_t cp)
{
    char a[4];
    size_t n;
    if (cp < 0x80) {
        a[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        a[0] = (char)(0xC0 | (cp >> 6));
        a[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        a[0] = (char)(0xE0 | (cp >> 12));
        a[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        a[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        a[0] = (char)(0xF0 | (cp >> 18));
        a[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        a[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        a[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    rep_out_put(o, a, n);
}

void rep_out_pad(rep_out_t *o, size_t n)
{
    static const char zSp[] = "                                ";
    while (n > 0) {
        size_t k = n < sizeof zSp - 1 ? n : sizeof zSp - 1;
        rep_out_put(o, zSp, k);
        n -= k;
    }
}

int rep_out_finish(rep_out_t *o)
{
    rep_out_flush(o);
    if (fflush(o->f) != 0 || ferror(o->f)) o->err = 1;
    return o->err ? KBS_EIO : KBS_OK;
}

/* ---- UTF-8 ---- */

size_t rep_utf8_next(const unsigned char *z, size_t n, uint32_t *pCp)
{
    unsigned c = z[0], lo = 0x80, hi = 0xBF;
    size_t need, i;
    uint32_t cp;

    if (c < 0x80) {
        *pCp = c;
        return 1;
    }
    *pCp = 0xFFFD;
    if (c < 0xC2 || c > 0xF4) return 1;
    if (c < 0xE0) {
        need = 1;
        cp = c & 0x1F;
    } else if (c < 0xF0) {
        need = 2;
        cp = c & 0x0F;
        if (c == 0xE0) lo = 0xA0; /* overlong */
        if (c == 0xED) hi = 0x9F; /* UTF-16 surrogates */
    } else {
        need = 3;
        cp = c & 0x07;
        if (c == 0xF0) lo = 0x90; /* overlong */
        if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
    }
    for (i = 1; i <= need; i++) {
        unsigned b;
        if (i >= n) return i;
        b = z[i];
        if (i == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) return i;
        cp = (cp << 6) | (b & 0x3F);
    }
    *pCp = cp;
    return need + 1;
}

int rep_cp_unsafe_text(uint32_t cp)
{
    /* Bidi: the embeddings and overrides (U+202A..E), isolates (U+2066..9) and the marks
     * (LRM, RLM, ALM) that reorder or disguise what a reader sees. */
    return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

/* ---- times ---- */

static void rep_put2(char *z, unsigned v)
{
    z[0] = (char)('0' + v / 10 % 10);
    z[1] = (char)('0' + v % 10);
}

size_t rep_iso_time(int64_t t, char *zBuf)
{
    /* Days to civil date (proleptic Gregorian), so that no time_t width or gmtime of an old
     * C runtime limits the range. */
    int64_t days, secs, z, era, doe, yoe, y, doy, mp, d, m;

    zBuf[0] = 0;
    if (t == 0 || t < -62135596800LL || t > 253402300799LL) return 0;
    days = t / 86400;
    secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y++;
    rep_put2(zBuf, (unsigned)(y / 100));
    rep_put2(zBuf + 2, (unsigned)(y % 100));
    zBuf[4] = '-';
    rep_put2(zBuf + 5, (unsigned)m);
    zBuf[7] = '-';
    rep_put2(zBuf + 8, (unsigned)d);
    zBuf[10] = 'T';
    rep_put2(zBuf + 11, (unsigned)(secs / 3600));
    zBuf[13] = ':';
    rep_put2(zBuf + 14, (unsigned)(secs / 60 % 60));
    zBuf[16] = ':';
    rep_put2(zBuf + 17, (unsigned)(secs % 60));
    zBuf[19] = 'Z';
    zBuf[20] = 0;
    return 20;
}

/* ---- statuses ---- */

const verdict_status_t rep_aStatusOrder[VERDICT_COUNT] = {
    VERDICT_MISSING,   VERDICT_UNPATCHABLE, VERDICT_UNKNOWN,
    VERDICT_MITIGATED, VERDICT_PATCHED,     VERDICT_NOT_AFFECTED,
};

verdict_status_t rep_status(verdict_status_t st)
{
    return (unsigned)st < VERDICT_COUNT ? st : VERDICT_UNKNOWN;
}

const char *rep_status_key(verdict_status_t st)
{
    return verdict_status_name(rep_status(st));
}

const char *rep_action(const rep_verdict_t *v, char *zBuf, size_t nBuf)
{
    if (v->zAction && v->zAction[0]) {
        if (rep_status(v->status) != VERDICT_UNPATCHABLE || !nBuf) return v->zAction;
        snprintf(zBuf, nBuf, "no update exists for this OS level; the way out: %s", v->zAction);
        return zBuf;
    }
    switch (rep_status(v->status)) {
    case VERDICT_MISSING: return "install the fix listed in the catalog for this OS";
    case VERDICT_UNPATCHABLE: return "upgrade needed: no fix exists for this OS version";
    case VERDICT_UNKNOWN: return "rescan with the agent: the input lacks the facts to decide";
    case VERDICT_MITIGATED: return "install the fix: a workaround protects the machine meanwhile";
    default: return "";
    }
}

/* Rank for "worst": higher is worse. */
static int rep_status_rank(verdict_status_t st)
{
    switch (rep_status(st)) {
    case VERDICT_MISSING: return 5;
    case VERDICT_UNPATCHABLE: return 4;
    case VERDICT_UNKNOWN: return 3;
    case VERDICT_MITIGATED: return 2;
    case VERDICT_PATCHED: return 1;
    default: return 0;
    }
}

verdict_status_t rep_host_worst(const rep_host_t *h)
{
    verdict_status_t w = VERDICT_NOT_AFFECTED;
    size_t i;
    if (!h->nVerdict) return VERDICT_UNKNOWN;
    for (i = 0; i < h->nVerdict; i++)
        if (rep_status_rank(h->aVerdict[i].status) > rep_status_rank(w))
            w = rep_status(h->aVerdict[i].status);
    return w;
}

/* ---- summary ---- */

static const char *rep_family_of(const rep_host_t *h)
{
    return h->zOsFamily && h->zOsFamily[0] ? h->zOsFamily : "unknown";
}

static int rep_cmp_family(const void *a, const void *b)
{
    const rep_host_t *const *pa = a, *const *pb = b;
    return strcmp(rep_family_of(*pa), rep_family_of(*pb));
}

/* Column of a rule: catalog rules by index, others (a caller's own rule) by a short search. */
static long rep_col_of(const rep_sum_t *s, const rep_t *r, const cat_rule_t *rule)
{
    size_t c;
    if (!rule) return -1;
    if (r->cat && s->nCat && rule >= r->cat->aRule && rule < r->cat->aRule + s->nCat) {
        size_t k = s->aCatCol[rule - r->cat->aRule];
        return k ? (long)k - 1 : -1;
    }
    for (c = 0; c < s->nCol; c++)
        if (s->aCol[c] == rule) return (long)c;
    return -1;
}

void rep_host_cells(const rep_sum_t *s, const rep_t *r, const rep_host_t *h, long *aIdx)
{
    size_t c, i;
    for (c = 0; c < s->nCol; c++)
        aIdx[c] = -1;
    for (i = 0; i < h->nVerdict; i++) {
        long col = rep_col_of(s, r, h->aVerdict[i].rule);
        if (col >= 0 && aIdx[col] < 0) aIdx[col] = (long)i;
    }
}

static int rep_sum_groups(const rep_t *r, rep_sum_t *s);

int rep_sum_build(const rep_t *r, rep_sum_t *s)
{
    const rep_host_t **aSorted = NULL;
    size_t i, j, nExtra = 0, cap = 0;
    const cat_rule_t **aExtra = NULL;
    long *aIdx = NULL;
    int rc = KBS_ENOMEM;

    memset(s, 0, sizeof *s);
    s->nCat = r->cat ? r->cat->nRule : 0;
    if (s->nCat && !(s->aCatCol = calloc(s->nCat, sizeof *s->aCatCol))) goto out;

    /* Which rules occur: a bitmap over the catalog, a short list for rules outside it. */
    for (i = 0; i < r->nHost; i++) {
        const rep_host_t *h = &r->aHost[i];
        for (j = 0; j < h->nVerdict; j++) {
            const cat_rule_t *rule = h->aVerdict[j].rule;
            size_t k;
            if (!rule) continue;
            if (s->nCat && rule >= r->cat->aRule && rule < r->cat->aRule + s->nCat) {
                s->aCatCol[rule - r->cat->aRule] = 1;
                continue;
            }
            for (k = 0; k < nExtra && aExtra[k] != rule; k++) {
            }
            if (k < nExtra) continue;
            if (nExtra == cap) {
                size_t nNew = cap ? cap * 2 : 8;
                const cat_rule_t **aNew = realloc((void *)aExtra, nNew * sizeof *aNew);
                if (!aNew) goto out;
                aExtra = aNew;
                cap = nNew;
            }
            aExtra[nExtra++] = rule;
        }
    }
    for (i = 0; i < s->nCat; i++)
        s->nCol += s->aCatCol[i] ? 1 : 0;
    s->nCol += nExtra;
    if (s->nCol) {
        size_t c = 0;
        if (!(s->aCol = calloc(s->nCol, sizeof *s->aCol))) goto out;
        if (!(s->aColCount = calloc(s->nCol, sizeof *s->aColCount))) goto out;
        for (i = 0; i < s->nCat; i++)
            if (s->aCatCol[i]) {
                s->aCol[c] = &r->cat->aRule[i];
                s->aCatCol[i] = ++c;
            }
        for (i = 0; i < nExtra; i++)
            s->aCol[c++] = aExtra[i];
        if (!(aIdx = malloc(s->nCol * sizeof *aIdx))) goto out;
    }

    /* Families: sort host pointers by family key, then count each run. */
    if (r->nHost) {
        if (!(aSorted = malloc(r->nHost * sizeof *aSorted))) goto out;
        for (i = 0; i < r->nHost; i++)
            aSorted[i] = &r->aHost[i];
        qsort((void *)aSorted, r->nHost, sizeof *aSorted, rep_cmp_family);
        for (i = 0; i < r->nHost; i++)
            if (!i || strcmp(rep_family_of(aSorted[i]), rep_family_of(aSorted[i - 1]))) s->nFam++;
        if (!(s->aFam = calloc(s->nFam, sizeof *s->aFam))) goto out;
        for (i = 0, j = 0; i < r->nHost; i++) {
            const rep_host_t *h = aSorted[i];
            rep_fam_t *f;
            if (i && strcmp(rep_family_of(h), rep_family_of(aSorted[i - 1]))) j++;
            f = &s->aFam[j];
            f->zFamily = rep_family_of(h);
            f->nHost++;
            f->nStale += h->stale ? 1 : 0;
            f->aWorst[rep_host_worst(h)]++;
        }
    }
    for (i = 0; i < r->nHost; i++) {
        const rep_host_t *h = &r->aHost[i];
        size_t c;
        s->nStale += h->stale ? 1 : 0;
        s->aWorst[rep_host_worst(h)]++;
        if (!s->nCol) continue;
        rep_host_cells(s, r, h, aIdx);
        for (c = 0; c < s->nCol; c++)
            if (aIdx[c] >= 0) s->aColCount[c][rep_status(h->aVerdict[aIdx[c]].status)]++;
    }
    rc = r->group ? rep_sum_groups(r, s) : KBS_OK;
out:
    free((void *)aSorted);
    free((void *)aExtra);
    free(aIdx);
    return rc;
}

static int rep_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The groups of r's hosts into s (r->group set). Returns KBS_OK or KBS_ENOMEM. */
static int rep_sum_groups(const rep_t *r, rep_sum_t *s)
{
    char zKey[256];
    size_t i, j, nText = 0, off = 0;
    const char **aSorted = NULL;
    int rc = KBS_ENOMEM;
    if (!r->nHost) return KBS_OK;
    for (i = 0; i < r->nHost; i++)
        nText += strlen(rep_group_key(&r->aHost[i], r->group, zKey, sizeof zKey)) + 1;
    if (!(s->zGroupText = malloc(nText)) ||
        !(s->azHostGroup = malloc(r->nHost * sizeof *s->azHostGroup)) ||
        !(aSorted = malloc(r->nHost * sizeof *aSorted)))
        goto out;
    for (i = 0; i < r->nHost; i++) {
        const char *z = rep_group_key(&r->aHost[i], r->group, zKey, sizeof zKey);
        size_t n = strlen(z) + 1;
        memcpy(s->zGroupText + off, z, n);
        s->azHostGroup[i] = aSorted[i] = s->zGroupText + off;
        off += n;
    }
    qsort((void *)aSorted, r->nHost, sizeof *aSorted, rep_cmp_str);
    for (i = 0; i < r->nHost; i++)
        if (!i || strcmp(aSorted[i], aSorted[i - 1])) s->nGrp++;
    if (!(s->aGrp = calloc(s->nGrp, sizeof *s->aGrp))) goto out;
    for (i = 0, j = 0; i < r->nHost; i++) {
        if (i && strcmp(aSorted[i], aSorted[i - 1])) j++;
        s->aGrp[j].zFamily = aSorted[i];
    }
    for (i = 0; i < r->nHost; i++) {
        /* binary search of the host's group among the sorted names */
        size_t lo = 0, hi = s->nGrp;
        const rep_host_t *h = &r->aHost[i];
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(s->aGrp[mid].zFamily, s->azHostGroup[i]) <= 0) lo = mid;
            else hi = mid;
        }
        s->aGrp[lo].nHost++;
        s->aGrp[lo].nStale += h->stale ? 1 : 0;
        s->aGrp[lo].aWorst[rep_host_worst(h)]++;
    }
    rc = KBS_OK;
out:
    free((void *)aSorted);
    return rc;
}

void rep_sum_release(rep_sum_t *s)
{
    free((void *)s->azHostGroup);
    free(s->zGroupText);
    free(s->aGrp);
    free((void *)s->aCol);
    free(s->aColCount);
    free(s->aFam);
    free(s->aCatCol);
    memset(s, 0, sizeof *s);
}

/* ---- groups ---- */

int rep_group_from_name(const char *zName)
{
    if (!zName) return -1;
    if (!strcmp(zName, "folder")) return REP_GROUP_FOLDER;
    if (!strcmp(zName, "domain")) return REP_GROUP_DOMAIN;
    if (!strcmp(zName, "ou")) return REP_GROUP_OU;
    return -1;
}

const char *rep_group_key(const rep_host_t *h, rep_group_t kind, char *zBuf, size_t nBuf)
{
    const char *z, *zEnd, *p, *zDir = NULL;
    size_t n;
    switch (kind) {
    case REP_GROUP_DOMAIN:
        /* a machine of the directory by its account's DNS domain: its facts may give the
         * NetBIOS form, and one domain must make one group */
        if (h->dir.inDir && h->dir.zDomain && h->dir.zDomain[0]) return h->dir.zDomain;
        return h->zDomain && h->zDomain[0] ? h->zDomain : "(no domain)";
    case REP_GROUP_OU:
        return h->dir.inDir && h->dir.zOu && h->dir.zOu[0] ? h->dir.zOu : "(not in directory)";
    case REP_GROUP_FOLDER:
        /* the last folder of the (first) input file: \\fs01\kbs$\north\PC1.kbs -> north */
        z = rep_str(h->zSourcePath);
        zEnd = strstr(z, " + ");
        if (!zEnd) zEnd = z + strlen(z);
        for (p = z; p < zEnd; p++)
            if (*p == '/' || *p == '\\') zDir = p;
        if (!zDir || !nBuf) return "(no folder)";
        for (p = zDir; p > z && p[-1] != '/' && p[-1] != '\\'; p--) {
        }
        n = (size_t)(zDir - p);
        if (!n) return "(no folder)";
        if (n >= nBuf) n = nBuf - 1;
        memcpy(zBuf, p, n);
        zBuf[n] = 0;
        return zBuf;
    default:
        return "";
    }
}

/* ---- entry points ---- */

int rep_render(const rep_t *r, rep_format_t fmt, FILE *out)
{
    if (!r || !out) return KBS_EINVAL;
    switch (fmt) {
    case REP_FMT_TABLE: return rep_table_render(r, out);
    case REP_FMT_CSV: return rep_csv_render(r, out);
    case REP_FMT_JSON: return rep_json_render(r, out);
    case REP_FMT_HTML: return rep_html_render(r, out);
    default: return KBS_EINVAL;
    }
}

int rep_render_check(const rep_t *r, const rep_host_t *h, rep_format_t fmt, FILE *out)
{
    rep_t one;
    if (!r || !h || !out) return KBS_EINVAL;
    switch (fmt) {
    case REP_FMT_TABLE: return rep_check_text(r, h, out);
    case REP_FMT_JSON: return rep_json_check(r, h, out);
    case REP_FMT_CSV:
    case REP_FMT_HTML:
        /* The report formats of a one-host report. */
        one = *r;
        one.aHost = (rep_host_t *)h;
        one.nHost = 1;
        return rep_render(&one, fmt, out);
    default: return KBS_EINVAL;
    }
}

int rep_format_from_name(const char *zName)
{
    static const char *const azName[] = {"table", "csv", "json", "html"};
    size_t i;
    if (!zName) return -1;
    for (i = 0; i < sizeof azName / sizeof azName[0]; i++)
        if (!strcmp(zName, azName[i])) return (int)i;
    return -1;
}
