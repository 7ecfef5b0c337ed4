/* cat_text.c: a catalog's text edited as text: one rule's block cut out, rules added or replaced.
 */
#include "cat_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"

/* One line of the text: [zWord, zWordEnd) is its first word, [zArg, zArgEnd) its second. */
typedef struct cat_tline {
    size_t off, len; /* the line, its end (LF) included */
    const char *zWord, *zWordEnd, *zArg, *zArgEnd;
} cat_tline_t;

static int cat_text_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* The line at *pOff; advances *pOff past it. Returns 0 at the end of the text. */
static int cat_text_line(const char *z, size_t n, size_t *pOff, cat_tline_t *l)
{
    const char *p = z + *pOff, *zEnd = z + n, *q;
    if (*pOff >= n) return 0;
    q = memchr(p, '\n', (size_t)(zEnd - p));
    l->off = *pOff;
    l->len = q ? (size_t)(q + 1 - p) : (size_t)(zEnd - p);
    *pOff += l->len;
    zEnd = p + l->len;
    while (p < zEnd && (*p == ' ' || *p == '\t'))
        p++;
    l->zWord = p;
    while (p < zEnd && !cat_text_blank(*p))
        p++;
    l->zWordEnd = p;
    while (p < zEnd && (*p == ' ' || *p == '\t'))
        p++;
    l->zArg = p;
    while (p < zEnd && !cat_text_blank(*p))
        p++;
    l->zArgEnd = p;
    return 1;
}

static int cat_text_is(const char *z, const char *zEnd, const char *zWord)
{
    size_t n = strlen(zWord);
    return (size_t)(zEnd - z) == n && !memcmp(z, zWord, n);
}

/* A line the parser reads as `rule ID` (comments start with '#', never with "rule"). */
static int cat_text_is_rule(const cat_tline_t *l)
{
    return cat_text_is(l->zWord, l->zWordEnd, "rule");
}

static int cat_text_id_eq(const cat_tline_t *l, const char *zId)
{
    size_t n = strlen(zId), i;
    if ((size_t)(l->zArgEnd - l->zArg) != n) return 0;
    for (i = 0; i < n; i++) {
        char a = l->zArg[i], b = zId[i];
        if (a >= 'a' && a <= 'z') a = (char)(a - 32);
        if (b >= 'a' && b <= 'z') b = (char)(b - 32);
        if (a != b) return 0;
    }
    return 1;
}

size_t cat_text_rule_id(const char *z, size_t n, char *zId, size_t nId)
{
    cat_tline_t l;
    size_t off = 0, nRule = 0;
    if (nId) zId[0] = 0;
    while (cat_text_line(z, n, &off, &l)) {
        size_t m = (size_t)(l.zArgEnd - l.zArg);
        if (!cat_text_is_rule(&l)) continue;
        if (nRule++ == 0 && m < nId) {
            memcpy(zId, l.zArg, m);
            zId[m] = 0;
        }
    }
    return nRule;
}

int cat_text_find(const char *z, size_t n, const char *zId, size_t *pOff, size_t *pLen)
{
    cat_tline_t l;
    size_t off = 0, start = 0;
    int bIn = 0;
    while (cat_text_line(z, n, &off, &l)) {
        if (!bIn) {
            if (cat_text_is_rule(&l) && cat_text_id_eq(&l, zId)) {
                bIn = 1;
                start = l.off;
            }
            continue;
        }
        if (cat_text_is(l.zWord, l.zWordEnd, "end")) {
            *pOff = start;
            *pLen = l.off + l.len - start;
            return KBS_OK;
        }
        if (cat_text_is_rule(&l)) return KBS_EPARSE;
    }
    return bIn ? KBS_EPARSE : KBS_ENOTFOUND;
}

/* A growing output text; bOom once an allocation failed. */
typedef struct cat_tbuf {
    char *z;
    size_t n, nCap;
    int bOom;
} cat_tbuf_t;

static void cat_tbuf_put(cat_tbuf_t *b, const char *z, size_t n)
{
    if (b->bOom) return;
    if (b->n + n + 1 > b->nCap) {
        size_t nNew = (b->n + n + 1) * 2;
        char *p = realloc(b->z, nNew);
        if (!p) {
            b->bOom = 1;
            return;
        }
        b->z = p;
        b->nCap = nNew;
    }
    memcpy(b->z + b->n, z, n);
    b->n += n;
    b->z[b->n] = 0;
}

/* A line copied with its line end; a last line without one gets LF. */
static void cat_tbuf_line(cat_tbuf_t *b, const char *z, const cat_tline_t *l)
{
    cat_tbuf_put(b, z + l->off, l->len);
    if (!l->len || z[l->off + l->len - 1] != '\n') cat_tbuf_put(b, "\n", 1);
}

static int cat_tbuf_done(cat_tbuf_t *b, char **pzOut, size_t *pnOut)
{
    if (b->bOom || !b->z) {
        free(b->z);
        return KBS_ENOMEM;
    }
    *pzOut = b->z;
    *pnOut = b->n;
    return KBS_OK;
}

int cat_text_one(const char *z, size_t n, const char *zId, const char *zSource, char **pzOut,
                 size_t *pnOut)
{
    cat_tbuf_t b;
    cat_tline_t l;
    size_t off = 0, start = 0, len = 0;
    char zLine[320];
    int rc;

    *pzOut = NULL;
    *pnOut = 0;
    if ((rc = cat_text_find(z, n, zId, &start, &len)) != KBS_OK) return rc;
    memset(&b, 0, sizeof b);
    /* The header directives come before the first rule. */
    while (cat_text_line(z, n, &off, &l) && !cat_text_is_rule(&l))
        if (cat_text_is(l.zWord, l.zWordEnd, "kbscat") ||
            cat_text_is(l.zWord, l.zWordEnd, "data-date"))
            cat_tbuf_line(&b, z, &l);
    snprintf(zLine, sizeof zLine, "# Rule %s of the catalog %s (kbsentry catalog show).\n", zId,
             zSource);
    cat_tbuf_put(&b, zLine, strlen(zLine));
    cat_tbuf_put(&b, z + start, len);
    if (len && z[start + len - 1] != '\n') cat_tbuf_put(&b, "\n", 1);
    cat_tbuf_put(&b, "end-catalog 1\n", 14);
    return cat_tbuf_done(&b, pzOut, pnOut);
}

/* 1 when the base rule on line l is replaced by one of the added blocks. */
static int cat_text_replaced(const cat_tline_t *l, char (*aId)[64], size_t nAdd)
{
    size_t i;
    for (i = 0; i < nAdd; i++)
        if (cat_text_id_eq(l, aId[i])) return 1;
    return 0;
}

int cat_text_merge(const char *zBase, size_t nBase, const char *const *azAdd, const size_t *anAdd,
                   size_t nAdd, char **pzOut, size_t *pnOut)
{
    static const char zHead[] =
        "\n# ---- Rules added to this database (kbsentry catalog add); a rule of the same id\n"
        "# ---- above is replaced by the one here.\n";
    char(*aId)[64] = NULL;
    cat_tbuf_t b;
    cat_tline_t l;
    size_t off = 0, i, nRule = 0;
    int rc = KBS_EPARSE, bSkip = 0;
    char zEnd[48];

    *pzOut = NULL;
    *pnOut = 0;
    memset(&b, 0, sizeof b);
    if (!(aId = calloc(nAdd ? nAdd : 1, sizeof *aId))) return KBS_ENOMEM;
    for (i = 0; i < nAdd; i++)
        if (cat_text_rule_id(azAdd[i], anAdd[i], aId[i], sizeof aId[i]) != 1 || !aId[i][0])
            goto out;
    while (cat_text_line(zBase, nBase, &off, &l)) {
        if (bSkip) {
            if (cat_text_is(l.zWord, l.zWordEnd, "end"))
                bSkip = 0;
            else if (cat_text_is_rule(&l))
                goto out;
            continue;
        }
        if (cat_text_is(l.zWord, l.zWordEnd, "end-catalog")) continue;
        if (cat_text_is_rule(&l)) {
            if (cat_text_replaced(&l, aId, nAdd)) {
                bSkip = 1;
                continue;
            }
            nRule++;
        }
        cat_tbuf_line(&b, zBase, &l);
    }
    if (bSkip) goto out;
    if (nAdd) cat_tbuf_put(&b, zHead, sizeof zHead - 1);
    for (i = 0; i < nAdd; i++) {
        cat_tbuf_put(&b, azAdd[i], anAdd[i]);
        if (anAdd[i] && azAdd[i][anAdd[i] - 1] != '\n') cat_tbuf_put(&b, "\n", 1);
    }
    snprintf(zEnd, sizeof zEnd, "end-catalog %lu\n", (unsigned long)(nRule + nAdd));
    cat_tbuf_put(&b, zEnd, strlen(zEnd));
    free(aId);
    return cat_tbuf_done(&b, pzOut, pnOut);
out:
    free(aId);
    free(b.z);
    return rc;
}
