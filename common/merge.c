/* merge.c: one machine's facts from several inputs joined, by `check FILES` and by collect alike. */
#include "merge.h"

#include <stdio.h>
#include <string.h>

#include "kbs_err.h"
#include "snap_int.h"

static int merge_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

size_t merge_cut_len(const char *zName)
{
    size_t n = strlen(zName);
    return n >= 4 && !strcmp(zName + n - 3, "...") ? n - 3 : 0;
}

int merge_cut_fits(const char *zCut, const char *zWhole)
{
    size_t i, n = merge_cut_len(zCut);
    if (!n || merge_cut_len(zWhole) || strlen(zWhole) < n) return 0;
    for (i = 0; i < n; i++)
        if (merge_lower((unsigned char)zCut[i]) != merge_lower((unsigned char)zWhole[i])) return 0;
    return 1;
}

/* 1 when the complete list c covers the incomplete list i: i says how many hotfixes the machine
 * has and c lists at least that many (both read the same WMI class), or i does not count. */
static int merge_covers(const snap_t *c, const snap_t *i)
{
    return !i->nHotfixCounted || c->nHotfix >= i->nHotfixCounted;
}

int merge_into(snap_t *dst, const snap_t *src)
{
    size_t i;
    int rc, bComplete;
    uint32_t nCounted = dst->nHotfixCounted > src->nHotfixCounted ? dst->nHotfixCounted
                                                                    : src->nHotfixCounted;
    if (dst->hotfixesComplete && src->hotfixesComplete)
        bComplete = 1;
    else if (dst->hotfixesComplete)
        bComplete = merge_covers(dst, src);
    else if (src->hotfixesComplete)
        bComplete = merge_covers(src, dst);
    else
        bComplete = 0;
    for (i = 0; i < src->nHotfix; i++) {
        const snap_hotfix_t *h = &src->aHotfix[i];
        if ((rc = snap_add_hotfix_kb(dst, &h->kb, h->zRaw, h->sources, h->zInstalled, h->cbsState)))
            return rc;
    }
    for (i = 0; i < src->nFile; i++) {
        const snap_file_t *f = &src->aFile[i];
        if ((rc = snap_add_file(dst, f->zPath, f->present, &f->ver, f->zError))) return rc;
    }
    for (i = 0; i < src->nSource; i++)
        if ((rc = snap_add_source(dst, src->aSource[i].zName, src->aSource[i].ok,
                                  src->aSource[i].zError)))
            return rc;
    if (bComplete) {
        dst->hotfixesComplete = 1;
        dst->zHotfixNote[0] = 0;
    } else if (dst->hotfixesComplete) {
        /* dst was the complete one but too short: say why the union is not. */
        dst->hotfixesComplete = 0;
        snprintf(dst->zHotfixNote, sizeof dst->zHotfixNote, "%s", src->zHotfixNote);
    }
    dst->nHotfixCounted = nCounted;
    if (!dst->osKnown && src->osKnown) {
        dst->os = src->os;
        dst->osKnown = 1;
    }
    if (!dst->zDomain[0]) snprintf(dst->zDomain, sizeof dst->zDomain, "%s", src->zDomain);
    if (!dst->zMachineId[0]) snprintf(dst->zMachineId, sizeof dst->zMachineId, "%s", src->zMachineId);
    if (src->scanTime > dst->scanTime) dst->scanTime = src->scanTime;
    if (strcmp(dst->zOrigin, src->zOrigin) != 0 && !strstr(dst->zOrigin, src->zOrigin)) {
        size_t n = strlen(dst->zOrigin);
        snprintf(dst->zOrigin + n, sizeof dst->zOrigin - n, "+%s", src->zOrigin);
    }
    return KBS_OK;
}
