/* imp_hosts.c: the hosts of a hotfix CSV or console table, one snapshot each, found again by
 * name through an open-addressing hash (a fleet export holds tens of thousands of hosts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "kbs_err.h"

static uint32_t host_hash(const char *z, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)z[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        h = (h ^ c) * 16777619u;
    }
    return h;
}

static int host_same(const char *zStored, const char *z, size_t n)
{
    return strlen(zStored) == n && imp_ci_eq(z, n, zStored);
}

static int hosts_grow(imp_hosts_t *hs)
{
    size_t nNew = hs->nSlot ? hs->nSlot * 2 : 64, i;
    size_t *a = calloc(nNew, sizeof *a);
    if (!a) return KBS_ENOMEM;
    for (i = 0; i < hs->nSnap; i++) {
        const char *zh = hs->aSnap[i].zHost;
        size_t j = host_hash(zh, strlen(zh)) & (nNew - 1);
        while (a[j])
            j = (j + 1) & (nNew - 1);
        a[j] = i + 1;
    }
    free(hs->aSlot);
    hs->aSlot = a;
    hs->nSlot = nNew;
    return KBS_OK;
}

int imp_hosts_get(imp_hosts_t *hs, const char *z, size_t n, const char *zOrigin, snap_t **pp)
{
    size_t j;
    if ((hs->nSnap + 1) * 2 > hs->nSlot && hosts_grow(hs)) return KBS_ENOMEM;
    j = host_hash(z, n) & (hs->nSlot - 1);
    while (hs->aSlot[j]) {
        snap_t *s = &hs->aSnap[hs->aSlot[j] - 1];
        if (host_same(s->zHost, z, n)) {
            *pp = s;
            return KBS_OK;
        }
        j = (j + 1) & (hs->nSlot - 1);
    }
    if (hs->nSnap == hs->nAlloc) {
        size_t nNew = hs->nAlloc ? hs->nAlloc * 2 : 4;
        snap_t *a = realloc(hs->aSnap, nNew * sizeof *a);
        size_t *an;
        char(*az)[40];
        if (!a) return KBS_ENOMEM;
        hs->aSnap = a;
        an = realloc(hs->anNonKb, nNew * sizeof *an);
        if (!an) return KBS_ENOMEM;
        hs->anNonKb = an;
        az = realloc(hs->azNonKb, nNew * sizeof *az);
        if (!az) return KBS_ENOMEM;
        hs->azNonKb = az;
        hs->nAlloc = nNew;
    }
    *pp = &hs->aSnap[hs->nSnap];
    snap_init(*pp);
    imp_copy((*pp)->zHost, sizeof(*pp)->zHost, z, n);
    snprintf((*pp)->zOrigin, sizeof(*pp)->zOrigin, "%s", zOrigin);
    (*pp)->osKnown = 0;
    hs->anNonKb[hs->nSnap] = 0;
    hs->azNonKb[hs->nSnap][0] = 0;
    hs->aSlot[j] = ++hs->nSnap;
    return KBS_OK;
}

void imp_hosts_release(imp_hosts_t *hs)
{
    imp_free_snaps(hs->aSnap, hs->nSnap);
    free(hs->aSlot);
    free(hs->anNonKb);
    free(hs->azNonKb);
    memset(hs, 0, sizeof *hs);
}
