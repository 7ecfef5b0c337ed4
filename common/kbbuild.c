/* kbbuild.c: lookups in the compiled-in KB -> OS build table (common/catalog/kbbuild.tsv). */
#include "kbbuild.h"

/* Made from common/catalog/kbbuild.tsv at build time: cmake/kbbuild.cmake writes the entries in
 * the file's order (KB ascending, one line per KB, its builds ascending), cmake/embed.cmake the
 * text. */
extern const kbbuild_ent_t kbbuild_aEnt[];
extern const size_t kbbuild_nEnt;
extern const char kbbuild_tsv_data[];
extern const size_t kbbuild_tsv_data_len;

size_t kbbuild_find(uint32_t kb, const kbbuild_ent_t **ppFirst)
{
    size_t lo = 0, hi = kbbuild_nEnt, n = 0;
    /* Lower bound of kb: the table is sorted by KB (the generator refuses anything else). */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (kbbuild_aEnt[mid].kb < kb)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo + n < kbbuild_nEnt && kbbuild_aEnt[lo + n].kb == kb) n++;
    if (ppFirst) *ppFirst = n ? &kbbuild_aEnt[lo] : NULL;
    return n;
}

uint32_t kbbuild_ubr(uint32_t kb, uint32_t build)
{
    const kbbuild_ent_t *a;
    size_t i, n = kbbuild_find(kb, &a);
    /* Builds, then UBRs, ascending within a KB: the first match is the lower UBR. */
    for (i = 0; i < n; i++)
        if (a[i].build == build) return a[i].ubr;
    return 0;
}

/* 1 when a sorts before b in a build line: UBR, then KB. */
static int line_before(const kbbuild_ent_t *a, const kbbuild_ent_t *b)
{
    return a->ubr < b->ubr || (a->ubr == b->ubr && a->kb < b->kb);
}

size_t kbbuild_line(uint32_t build, const kbbuild_ent_t **aOut, size_t nOut)
{
    size_t i, n = 0;
    /* A scan of the whole table (about 1,400 entries): the derive asks a few times per rule, the
     * verdict engine never. Insertion keeps aOut sorted; entries past nOut are only counted. */
    for (i = 0; i < kbbuild_nEnt; i++) {
        const kbbuild_ent_t *e = &kbbuild_aEnt[i];
        size_t k, nHave;
        if (e->build != build) continue;
        nHave = n < nOut ? n : nOut;
        k = nHave;
        while (k > 0 && line_before(e, aOut[k - 1])) k--;
        if (k < nOut) {
            size_t j = nHave < nOut ? nHave : nOut - 1;
            for (; j > k; j--) aOut[j] = aOut[j - 1];
            aOut[k] = e;
        }
        n++;
    }
    return n;
}

const kbbuild_ent_t *kbbuild_first_at(uint32_t build, uint32_t ubr)
{
    const kbbuild_ent_t *pBest = NULL;
    size_t i;
    for (i = 0; i < kbbuild_nEnt; i++) {
        const kbbuild_ent_t *e = &kbbuild_aEnt[i];
        if (e->build == build && e->ubr >= ubr && (!pBest || line_before(e, pBest))) pBest = e;
    }
    return pBest;
}

size_t kbbuild_all(const kbbuild_ent_t **ppAll)
{
    if (ppAll) *ppAll = kbbuild_aEnt;
    return kbbuild_nEnt;
}

const char *kbbuild_text(size_t *pnLen)
{
    if (pnLen) *pnLen = kbbuild_tsv_data_len;
    return kbbuild_tsv_data;
}

const char *kbbuild_kind_name(kbbuild_kind_t kind)
{
    switch (kind) {
    case KBBUILD_KIND_RELEASE: return "release";
    case KBBUILD_KIND_SECURITY: return "security";
    case KBBUILD_KIND_PREVIEW: return "preview";
    case KBBUILD_KIND_OPTIONAL: return "optional";
    case KBBUILD_KIND_OOB: return "out-of-band";
    default: return "unknown";
    }
}
