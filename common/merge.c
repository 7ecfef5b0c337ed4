/* merge.c: one machine's facts from several inputs joined (kbsentry check FILE1 FILE2). */
#include "merge.h"

#include <stdio.h>
#include <string.h>

#include "kbs_err.h"

static int ci_eqn(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return 1;
}

/* 1 when cut ends in "..." and its text before that starts whole. */
static int cut_prefix_of(const char *cut, const char *whole)
{
    size_t n = strlen(cut);
    if (n < 4 || strcmp(cut + n - 3, "...") != 0) return 0;
    n -= 3;
    return strlen(whole) >= n && ci_eqn(cut, whole, n);
}

int merge_same_host(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (!na || !nb) return 0;
    if (na == nb && ci_eqn(a, b, na)) return 1;
    return cut_prefix_of(a, b) || cut_prefix_of(b, a);
}

int merge_into(snap_t *dst, const snap_t *src)
{
    size_t i;
    int rc;
    for (i = 0; i < src->nHotfix; i++) {
        const snap_hotfix_t *h = &src->aHotfix[i];
        rc = snap_add_hotfix(dst, h->zRaw, h->sources, h->zInstalled[0] ? h->zInstalled : NULL,
                             h->cbsState);
        if (rc) return rc;
    }
    for (i = 0; i < src->nFile; i++) {
        const snap_file_t *f = &src->aFile[i];
        rc = snap_add_file(dst, f->zPath, f->present, &f->ver, f->zError);
        if (rc) return rc;
    }
    for (i = 0; i < src->nSource; i++) {
        rc = snap_add_source(dst, src->aSource[i].zName, src->aSource[i].ok,
                             src->aSource[i].zError);
        if (rc) return rc;
    }
    if (!dst->osKnown && src->osKnown) {
        dst->os = src->os;
        dst->osKnown = 1;
    }
    /* a name cut with "..." gives way to the whole one */
    if (strlen(src->zHost) > 3 && cut_prefix_of(dst->zHost, src->zHost))
        snprintf(dst->zHost, sizeof dst->zHost, "%s", src->zHost);
    if (!dst->zDomain[0]) snprintf(dst->zDomain, sizeof dst->zDomain, "%s", src->zDomain);
    if (!dst->zMachineId[0]) snprintf(dst->zMachineId, sizeof dst->zMachineId, "%s", src->zMachineId);
    if (src->scanTime > dst->scanTime) dst->scanTime = src->scanTime;
    if (src->hotfixesComplete && !dst->hotfixesComplete) {
        dst->hotfixesComplete = 1;
        dst->zHotfixNote[0] = 0;
    }
    if (strcmp(dst->zOrigin, src->zOrigin) != 0 && !strstr(dst->zOrigin, src->zOrigin)) {
        size_t n = strlen(dst->zOrigin);
        snprintf(dst->zOrigin + n, sizeof dst->zOrigin - n, "+%s", src->zOrigin);
    }
    return KBS_OK;
}
