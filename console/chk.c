/* chk.c: the hosts of `kbsentry check FILE...`: each machine's facts joined across the files. */
#include "chk.h"

#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "merge.h"

void chk_set_init(chk_set_t *p)
{
    memset(p, 0, sizeof *p);
}

void chk_set_release(chk_set_t *p)
{
    size_t i;
    for (i = 0; i < p->n; i++) snap_release(&p->a[i].s);
    free(p->a);
    free(p->aSlot);
    chk_set_init(p);
}

static int chk_upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* FNV-1a of the name, ASCII case folded. */
static size_t chk_hash(const char *z)
{
    uint32_t h = 2166136261u;
    for (; *z; z++) h = (h ^ (uint32_t)chk_upper((unsigned char)*z)) * 16777619u;
    return (size_t)h;
}

static int chk_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = chk_upper((unsigned char)*a), y = chk_upper((unsigned char)*b);
        if (x != y || !x) return x - y;
    }
}

/* The slot of name z: the one holding it, or the empty one where it would go. */
static size_t chk_slot(const chk_set_t *p, const char *z)
{
    size_t i = chk_hash(z) & (p->nSlot - 1);
    while (p->aSlot[i] && chk_casecmp(p->a[p->aSlot[i] - 1].s.zHost, z))
        i = (i + 1) & (p->nSlot - 1);
    return i;
}

/* Room for one more host (doubling) and an index at most half full. */
static int chk_grow(chk_set_t *p)
{
    size_t i;
    if (p->n == p->nCap) {
        size_t nCap = p->nCap ? p->nCap * 2 : 16;
        chk_host_t *a = realloc(p->a, nCap * sizeof *a);
        if (!a) return KBS_ENOMEM;
        p->a = a;
        p->nCap = nCap;
    }
    if ((p->n + 1) * 2 > p->nSlot) {
        size_t nSlot = p->nSlot ? p->nSlot * 2 : 32, *aOld = p->aSlot;
        if (!(p->aSlot = calloc(nSlot, sizeof *p->aSlot))) {
            p->aSlot = aOld;
            return KBS_ENOMEM;
        }
        p->nSlot = nSlot;
        for (i = 0; i < p->n; i++)
            if (p->a[i].bNamed) p->aSlot[chk_slot(p, p->a[i].s.zHost)] = i + 1;
        free(aOld);
    }
    return KBS_OK;
}

/* Appends " + zPath" to the files a host came from (once). */
static void chk_from_add(chk_host_t *h, const char *zPath)
{
    size_t n = strlen(h->zFrom);
    if (strstr(h->zFrom, zPath) || n + 3 >= sizeof h->zFrom) return;
    memcpy(h->zFrom + n, " + ", 3);
    snap_copy_field(h->zFrom + n + 3, sizeof h->zFrom - n - 3, zPath);
}

/* 1 when snapshot a is a better base than b: it has OS facts and b not; else the later scan; of
 * two the same second, the higher build and UBR, then the longer list. The order of the files
 * never decides. */
static int chk_better_base(const snap_t *a, const snap_t *b)
{
    if (a->osKnown != b->osKnown) return a->osKnown;
    if (a->scanTime != b->scanTime) return a->scanTime > b->scanTime;
    if (a->os.build != b->os.build) return a->os.build > b->os.build;
    if (a->os.ubr != b->os.ubr) return a->os.ubr > b->os.ubr;
    return a->nHotfix > b->nHotfix;
}

/* Joins the facts of *pS (emptied) into host h, whose name stays. The better base of the two
 * (chk_better_base) keeps its OS facts and domain. */
static int chk_merge(chk_host_t *h, snap_t *pS)
{
    char zName[SNAP_HOST_MAX];
    int rc;
    snap_copy_field(zName, sizeof zName, h->s.zHost);
    if (chk_better_base(pS, &h->s)) {
        snap_t t = h->s;
        h->s = *pS;
        *pS = t;
    }
    rc = merge_into(&h->s, pS);
    snap_copy_field(h->s.zHost, sizeof h->s.zHost, zName);
    snap_release(pS);
    return rc;
}

int chk_set_add(chk_set_t *p, snap_t *pS, const char *zPath)
{
    int bNamed = strcmp(pS->zHost, zPath) != 0, rc;
    size_t iSlot = 0;
    chk_host_t *h;
    if ((rc = chk_grow(p))) return rc;
    if (bNamed) {
        iSlot = chk_slot(p, pS->zHost);
        if (p->aSlot[iSlot]) {
            h = &p->a[p->aSlot[iSlot] - 1];
            chk_from_add(h, zPath);
            return chk_merge(h, pS);
        }
        p->aSlot[iSlot] = p->n + 1;
    }
    h = &p->a[p->n++];
    h->s = *pS;
    snap_init(pS);
    snap_copy_field(h->zFrom, sizeof h->zFrom, zPath);
    h->bNamed = bNamed;
    return KBS_OK;
}

/* A whole host name and its host, sorted by name for the lookups of cut names. */
typedef struct chk_name {
    const char *z;
    size_t i;
} chk_name_t;

static int chk_cmp_name(const void *pa, const void *pb)
{
    return chk_casecmp(((const chk_name_t *)pa)->z, ((const chk_name_t *)pb)->z);
}

/* The first n bytes of z against zPre (ASCII case folded), like strncmp. */
static int chk_prefix_cmp(const char *z, const char *zPre, size_t n)
{
    size_t k;
    for (k = 0; k < n; k++) {
        int x = chk_upper((unsigned char)z[k]), y = chk_upper((unsigned char)zPre[k]);
        if (x != y || !x) return x - y;
    }
    return 0;
}

/* Most machines one message names. */
#define CHK_NAMES_SHOWN 3

/* Joins each cut name to the one whole name it fits (a sorted lookup: a table of 40,000 cut
 * names is not quadratic); a name that fits several is kept apart, and fErr says so. Merged hosts
 * are left with an empty zFrom. */
static int chk_join_cut(chk_set_t *p, FILE *fErr)
{
    chk_name_t *aName = NULL;
    size_t nName = 0, i;
    int rc = KBS_OK;
    for (i = 0; i < p->n; i++) nName += p->a[i].bNamed && !merge_cut_len(p->a[i].s.zHost);
    if (nName == p->n) return KBS_OK;
    if (!(aName = malloc((nName ? nName : 1) * sizeof *aName))) return KBS_ENOMEM;
    nName = 0;
    for (i = 0; i < p->n; i++) {
        if (!p->a[i].bNamed || merge_cut_len(p->a[i].s.zHost)) continue;
        aName[nName].z = p->a[i].s.zHost;
        aName[nName++].i = i;
    }
    qsort(aName, nName, sizeof *aName, chk_cmp_name);
    for (i = 0; i < p->n && !rc; i++) {
        chk_host_t *h = &p->a[i];
        size_t nCut = merge_cut_len(h->s.zHost), lo = 0, hi = nName, k, nFit = 0;
        if (!h->bNamed || !nCut) continue;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (chk_prefix_cmp(aName[mid].z, h->s.zHost, nCut) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (k = lo; k < nName && merge_cut_fits(h->s.zHost, aName[k].z); k++) nFit++;
        if (nFit == 1) {
            chk_host_t *d = &p->a[aName[lo].i];
            chk_from_add(d, h->zFrom);
            rc = chk_merge(d, &h->s);
            h->zFrom[0] = 0;
        } else if (nFit > 1) {
            fputs(h->zFrom, fErr);
            fprintf(fErr, ": host name '%s' is cut and fits %lu machines (", h->s.zHost,
                    (unsigned long)nFit);
            for (k = 0; k < nFit && k < CHK_NAMES_SHOWN; k++)
                fprintf(fErr, "%s%s", k ? ", " : "", aName[lo + k].z);
            fprintf(fErr, "%s): its facts are joined to none of them\n",
                    nFit > CHK_NAMES_SHOWN ? ", ..." : "");
        }
    }
    free(aName);
    return rc;
}

/* A file without a host name (a paste without its Host Name line, a table without Source)
 * joins the one named host of the check, when there is exactly one. */
static int chk_join_unnamed(chk_set_t *p)
{
    size_t i, nNamed = 0, iNamed = 0;
    int rc = KBS_OK;
    for (i = 0; i < p->n; i++)
        if (p->a[i].bNamed && p->a[i].zFrom[0]) nNamed++, iNamed = i;
    if (nNamed != 1) return KBS_OK;
    for (i = 0; i < p->n; i++) {
        chk_host_t *h = &p->a[i];
        if (h->bNamed || !h->zFrom[0]) continue;
        chk_from_add(&p->a[iNamed], h->zFrom);
        if (!rc) rc = chk_merge(&p->a[iNamed], &h->s);
        snap_release(&h->s);
        h->zFrom[0] = 0;
    }
    return rc;
}

int chk_set_join(chk_set_t *p, FILE *fErr)
{
    size_t i, j = 0;
    int rc = chk_join_cut(p, fErr);
    if (!rc) rc = chk_join_unnamed(p);
    for (i = 0; i < p->n; i++) {
        if (p->a[i].zFrom[0])
            p->a[j++] = p->a[i];
        else
            snap_release(&p->a[i].s);
    }
    p->n = j;
    /* the index is stale now; nothing looks names up after the join */
    free(p->aSlot);
    p->aSlot = NULL;
    p->nSlot = 0;
    return rc;
}
