/* catgen_kind.c: which KBs of Microsoft's data are cumulative updates of one Windows, and which are
 * not. */
#include <stdlib.h>
#include <string.h>

#include "catgen_int.h"
#include "kbs_err.h"

/* Components whose updates are not the OS's cumulative update (lower case). The data names
 * Secure Boot DBX (KB4535680, KB5012170), .NET, Internet Explorer cumulative updates on
 * rollup platforms (KB5003636, "Windows MSHTML Platform") and scripting updates this way. */
static const char *const catgen_azSide[] = {
    "secure boot",
    "servicing stack",
    ".net",
    "internet explorer",
    "adobe flash",
    "mshtml",
    "html platform",
    "scripting engine",
    "windows scripting",
    "vbscript",
    "jscript",
    "mapurltozone",
    "security zone mapping",
    "internet shortcut",
};

int catgen_side_component(const char *z, size_t n)
{
    char zLow[96];
    size_t i;
    if (n == 0 || n >= sizeof zLow) return 0;
    for (i = 0; i < n; i++)
        zLow[i] = (char)(z[i] >= 'A' && z[i] <= 'Z' ? z[i] - 'A' + 'a' : z[i]);
    zLow[n] = 0;
    for (i = 0; i < sizeof catgen_azSide / sizeof catgen_azSide[0]; i++)
        if (strstr(zLow, catgen_azSide[i])) return 1;
    return 0;
}

uint32_t catgen_base(const catgen_plat_t *p)
{
    switch (p->family) {
    case OS_FAM_NT4: return 1;
    case OS_FAM_2000: return 2;
    case OS_FAM_XP:
    case OS_FAM_XP64:
    case OS_FAM_2003: return 3;
    case OS_FAM_VISTA:
    case OS_FAM_2008: return 4;
    case OS_FAM_7:
    case OS_FAM_2008R2: return 5;
    case OS_FAM_8:
    case OS_FAM_2012: return 6;
    case OS_FAM_81:
    case OS_FAM_2012R2: return 7;
    default: break;
    }
    /* One package serves these builds (enablement packages): one code line. */
    if (p->build == 18363) return 18362;
    if (p->build >= 19041 && p->build <= 19045) return 19041;
    if (p->build == 22631) return 22621;
    if (p->build == 26200) return 26100;
    return p->build ? p->build : 8;
}

static int catgen_u64_order(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int catgen_classify(const catgen_data_t *d, catgen_kclass_t **paOut, size_t *pn)
{
    uint64_t *aT = NULL;
    catgen_kclass_t *aC = NULL;
    size_t nT = 0, nC = 0, i, j;
    int rc = KBS_ENOMEM;

    *paOut = NULL;
    *pn = 0;
    /* (kb, code line, core row) packed: kb << 32 | line << 1 | core */
    if (!(aT = malloc((d->nRow + 1) * sizeof *aT))) goto out;
    for (i = 0; i < d->nRow; i++) {
        const catgen_row_t *r = &d->aRow[i];
        const catgen_prod_t *pr = &d->aProd[r->prod];
        if (!r->kb || pr->kind != CATGEN_P_OS) continue;
        aT[nT++] = (uint64_t)r->kb << 32 | (uint64_t)(catgen_base(&pr->plat) & 0x7fffffffu) << 1 |
                   (uint64_t)(!r->bSide && !r->bFlash);
    }
    qsort(aT, nT, sizeof *aT, catgen_u64_order);
    if (!(aC = calloc(nT + 1, sizeof *aC))) goto out;
    for (i = 0; i < nT; i = j) {
        uint32_t kb = (uint32_t)(aT[i] >> 32), nBase = 0, lastBase = 0xffffffffu;
        int bCore = 0;
        for (j = i; j < nT && (uint32_t)(aT[j] >> 32) == kb; j++) {
            uint32_t base = (uint32_t)(aT[j] >> 1) & 0x7fffffffu;
            if (base != lastBase) nBase++, lastBase = base;
            bCore |= (int)(aT[j] & 1);
        }
        aC[nC].kb = kb;
        aC[nC].nBase = (uint8_t)(nBase > 255 ? 255 : nBase);
        aC[nC].why = !bCore ? CATGEN_NC_SIDE : nBase >= 3 ? CATGEN_NC_WIDE : CATGEN_NC_NONE;
        nC++;
    }
    *paOut = aC;
    *pn = nC;
    aC = NULL;
    rc = KBS_OK;
out:
    free(aT);
    free(aC);
    return rc;
}

const catgen_kclass_t *catgen_class_find(const catgen_kclass_t *a, size_t n, uint32_t kb)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a[mid].kb < kb)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && a[lo].kb == kb ? &a[lo] : NULL;
}
