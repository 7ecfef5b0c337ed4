/* coll_stem.c: a hotfix list without a host name (`wmic qfe get HotFixID,...` has no CSName)
 * joined to the systeminfo of the same machine saved beside it under the same file-name stem. */
#include "coll_stem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "imp.h"
#include "kbs_err.h"

/* Words people end such file names with; the stem is what comes before. */
static const char *const azStemWord[] = {"qfe",     "wmic", "hotfix",  "hotfixes", "gethotfix",
                                         "kb",      "kbs",  "updates", "patches",  "systeminfo",
                                         "sysinfo", "si",   NULL};

static int stem_sep(char c)
{
    return c == '_' || c == '-' || c == '.' || c == ' ';
}

/* "dir/PC12_qfe.txt" -> "dir/pc12" (malloc'd); NULL on memory failure. */
static char *stem_key(const char *zPath)
{
    size_t n = strlen(zPath), iBase = 0, iEnd, i;
    char *z;
    for (i = 0; i < n; i++)
        if (zPath[i] == '/' || zPath[i] == '\\') iBase = i + 1;
    iEnd = n;
    for (i = n; i > iBase + 1; i--) {
        if (zPath[i - 1] == '.') {
            iEnd = i - 1;
            break;
        }
    }
    z = malloc(iEnd + 1);
    if (!z) return NULL;
    for (i = 0; i < iEnd; i++)
        z[i] = (char)(zPath[i] >= 'A' && zPath[i] <= 'Z' ? zPath[i] - 'A' + 'a' : zPath[i]);
    z[iEnd] = 0;
    /* a trailing "_qfe", "-systeminfo", ... (only one: "pc12_kb" keeps "pc12") */
    for (i = iEnd; i > iBase; i--) {
        if (stem_sep(z[i - 1])) {
            const char *const *pw;
            for (pw = azStemWord; *pw; pw++) {
                if (!strcmp(z + i, *pw)) {
                    z[i - 1] = 0;
                    return z;
                }
            }
            break;
        }
    }
    if (iEnd > iBase) {
        /* the whole name is the word ("qfe.txt", "systeminfo.txt"): the stem is empty */
        const char *const *pw;
        for (pw = azStemWord; *pw; pw++)
            if (!strcmp(z + iBase, *pw)) z[iBase] = 0;
    }
    return z;
}

static int stem_cmp(const void *a, const void *b)
{
    return strcmp(((const coll_stem_t *)a)->zKey, ((const coll_stem_t *)b)->zKey);
}

int coll_stems_build(coll_stems_t *p, char *const *azPath, size_t nPath)
{
    size_t i;
    memset(p, 0, sizeof *p);
    if (!nPath) return KBS_OK;
    p->a = calloc(nPath, sizeof *p->a);
    if (!p->a) return KBS_ENOMEM;
    for (i = 0; i < nPath; i++) {
        p->a[i].zPath = azPath[i];
        p->a[i].zKey = stem_key(azPath[i]);
        p->n = i + 1;
        if (!p->a[i].zKey) {
            coll_stems_release(p);
            return KBS_ENOMEM;
        }
    }
    qsort(p->a, p->n, sizeof *p->a, stem_cmp);
    return KBS_OK;
}

void coll_stems_release(coll_stems_t *p)
{
    size_t i;
    for (i = 0; i < p->n; i++)
        free(p->a[i].zKey);
    free(p->a);
    memset(p, 0, sizeof *p);
}

void coll_stems_find(const coll_stems_t *p, const char *zPath, const coll_stem_t **paSib,
                     size_t *pnSib)
{
    coll_stem_t key;
    const coll_stem_t *hit;
    size_t lo, hi;
    *paSib = NULL;
    *pnSib = 0;
    if (!p->n || !(key.zKey = stem_key(zPath))) return;
    hit = bsearch(&key, p->a, p->n, sizeof *p->a, stem_cmp);
    if (hit) {
        lo = hi = (size_t)(hit - p->a);
        while (lo > 0 && !strcmp(p->a[lo - 1].zKey, key.zKey))
            lo--;
        while (hi + 1 < p->n && !strcmp(p->a[hi + 1].zKey, key.zKey))
            hi++;
        *paSib = p->a + lo;
        *pnSib = hi - lo + 1;
    }
    free(key.zKey);
}

int coll_stem_join(const coll_stem_t *aSib, size_t nSib, const char *zPath, size_t nFileMax,
                   snap_t *s, char *zNote, size_t nNote)
{
    size_t i, nSi = 0;
    char zHost[SNAP_HOST_MAX] = "", zDomain[sizeof s->zDomain] = "", zFrom[512] = "";

    zNote[0] = 0;
    /* named by its content, not by its file (whose path may have been cut to fit) */
    if (nSib < 2 || strncmp(s->zHost, zPath, sizeof s->zHost - 1) != 0) return 0;
    for (i = 0; i < nSib; i++) {
        snap_t *a = NULL;
        size_t n = 0, k;
        char zKind[32], zErr[256];
        int rc;
        if (!strcmp(aSib[i].zPath, zPath)) continue;
        rc = coll_read_input(aSib[i].zPath, nFileMax, &a, &n, zKind, sizeof zKind, NULL, zErr,
                             sizeof zErr);
        if (rc == KBS_ENOMEM) return rc;
        if (!rc && !strcmp(zKind, "systeminfo") && a[0].zHost[0] &&
            strncmp(a[0].zHost, aSib[i].zPath, sizeof a[0].zHost - 1) != 0) {
            /* one machine per file: every run names the same host */
            for (k = 1; k < n && !strcmp(a[k].zHost, a[0].zHost); k++)
                ;
            if (k == n) {
                nSi++;
                snprintf(zHost, sizeof zHost, "%s", a[0].zHost);
                snprintf(zDomain, sizeof zDomain, "%s", a[0].zDomain);
                snprintf(zFrom, sizeof zFrom, "%s", aSib[i].zPath);
            }
        }
        imp_free_snaps(a, n);
    }
    if (nSi == 1) {
        snprintf(s->zHost, sizeof s->zHost, "%s", zHost);
        snprintf(s->zDomain, sizeof s->zDomain, "%s", zDomain);
        snprintf(zNote, nNote,
                 "%s: no host name in this hotfix list: joined to %s, whose systeminfo %s shares "
                 "its file-name stem",
                 zPath, zHost, zFrom);
        return 1;
    }
    if (nSi > 1)
        snprintf(zNote, nNote,
                 "%s: no host name in this hotfix list and %lu systeminfo files share its "
                 "file-name stem: kept apart, named by its file",
                 zPath, (unsigned long)nSi);
    return 0;
}
