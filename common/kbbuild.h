/* kbbuild.h: which OS build (build.UBR) a Windows 10 / 11 / Server 2016+ cumulative update gives. */
#ifndef KBS_KBBUILD_H
#define KBS_KBBUILD_H

#include <stddef.h>
#include <stdint.h>

/* The update type of Microsoft's release-information table. */
typedef enum kbbuild_kind {
    KBBUILD_KIND_UNKNOWN = 0, /* the sources give no type ("-") */
    KBBUILD_KIND_RELEASE,     /* A: first release of the version */
    KBBUILD_KIND_SECURITY,    /* B: monthly security update (Patch Tuesday) */
    KBBUILD_KIND_PREVIEW,     /* C / D: optional non-security preview */
    KBBUILD_KIND_OPTIONAL,    /* E: other optional update */
    KBBUILD_KIND_OOB,         /* out-of-band */
} kbbuild_kind_t;

/* One (KB, build, UBR) of the table (common/catalog/kbbuild.tsv, compiled in). */
typedef struct kbbuild_ent {
    uint32_t kb;       /* 5006670 */
    uint32_t build;    /* 19042 */
    uint32_t ubr;      /* 1288 */
    uint32_t date;     /* release date as YYYYMMDD (20211012), 0 unknown */
    kbbuild_kind_t kind;
} kbbuild_ent_t;

/* kbbuild_find: the entries of KB kb (one per build it serves, ascending by build then UBR) as
 * *ppFirst[0 .. n-1], pointing into the static table (never freed). Returns n, 0 when the table
 * does not know kb (*ppFirst NULL). */
size_t kbbuild_find(uint32_t kb, const kbbuild_ent_t **ppFirst);

/* kbbuild_ubr: the UBR KB kb gives on build `build` (the lower one when the KB was released
 * twice for it), 0 when the table has no such pair. */
uint32_t kbbuild_ubr(uint32_t kb, uint32_t build);

/* kbbuild_line: the entries of one build line, ascending by UBR (then KB), written as pointers
 * into the static table to aOut[0 .. min(n, nOut)-1]. Returns n, the number the line has (may
 * exceed nOut: call again with more room). For the catalog derive: "which update first gave
 * UBR >= N", "every update of this build from the fix on". */
size_t kbbuild_line(uint32_t build, const kbbuild_ent_t **aOut, size_t nOut);

/* kbbuild_first_at: the first update of build line `build` (lowest UBR, then lowest KB) whose UBR
 * is at or above ubr, or NULL when the line has none. The derive's "ubr=" for a fix is
 * kbbuild_ubr(fixing KB, build); this is the other way round. */
const kbbuild_ent_t *kbbuild_first_at(uint32_t build, uint32_t ubr);

/* kbbuild_all: the whole table, sorted by KB, then build, then UBR (static). Returns its size. */
size_t kbbuild_all(const kbbuild_ent_t **ppAll);

/* kbbuild_text: the table's source text (kbbuild.tsv as compiled in) and its length (static). */
const char *kbbuild_text(size_t *pnLen);

/* kbbuild_kind_name: "release", "security", "preview", "optional", "out-of-band", "unknown". */
const char *kbbuild_kind_name(kbbuild_kind_t kind);

#endif
