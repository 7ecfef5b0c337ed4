/* catgen_out.c: derived KB lists written as catalog fix clauses, one commented `kb` line per KB. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "catgen_int.h"
#include "kbbuild.h"
#include "kbs_err.h"

void catgen_buf_printf(catgen_buf_t *b, const char *zFmt, ...)
{
    va_list ap;
    int n;
    if (b->bOom) return;
    for (;;) {
        size_t nFree = b->nCap - b->n;
        va_start(ap, zFmt);
        n = vsnprintf(b->z ? b->z + b->n : NULL, b->z ? nFree : 0, zFmt, ap);
        va_end(ap);
        if (n < 0) {
            b->bOom = 1;
            return;
        }
        if (b->z && (size_t)n < nFree) {
            b->n += (size_t)n;
            return;
        }
        {
            size_t nCap = b->nCap ? b->nCap : 4096;
            char *z;
            while (nCap - b->n <= (size_t)n) nCap *= 2;
            if (!(z = realloc(b->z, nCap))) {
                b->bOom = 1;
                return;
            }
            b->z = z;
            b->nCap = nCap;
        }
    }
}

void catgen_buf_free(catgen_buf_t *b)
{
    free(b->z);
    memset(b, 0, sizeof *b);
}

/* Two platforms share a clause line when sp, build and the KB list are the same. */
static int catgen_same_list(const catgen_pres_t *a, const catgen_pres_t *b)
{
    size_t i;
    if (a->plat.sp != b->plat.sp || a->plat.build != b->plat.build || a->nKb != b->nKb) return 0;
    for (i = 0; i < a->nKb; i++)
        if (a->aKb[i].kb != b->aKb[i].kb) return 0;
    return 1;
}

void catgen_write_kbs(const catgen_pres_t *p, catgen_buf_t *b)
{
    size_t i;
    for (i = 0; i < p->nKb; i++) {
        const catgen_kb_t *k = &p->aKb[i];
        catgen_buf_printf(b, "  kb %-8u # %04u-%02u-%02u ", (unsigned)k->kb, (unsigned)(k->date / 10000),
                          (unsigned)(k->date / 100 % 100), (unsigned)(k->date % 100));
        if (k->dateData)
            catgen_buf_printf(b, "or before (the data says %04u-%02u-%02u; KB%u of %04u-%02u-%02u has a higher number) ",
                              (unsigned)(k->dateData / 10000), (unsigned)(k->dateData / 100 % 100),
                              (unsigned)(k->dateData % 100), (unsigned)k->kbLater, (unsigned)(k->date / 10000),
                              (unsigned)(k->date / 100 % 100), (unsigned)(k->date % 100));
        if (k->how == CATGEN_HOW_SUPERSEDES)
            catgen_buf_printf(b, "supersedes KB%u\n", (unsigned)k->kbFrom);
        else
            catgen_buf_printf(b, "%s\n", catgen_how_text(k->how));
    }
}

int catgen_pres_has_ubr(const catgen_pres_t *p)
{
    switch (p->plat.family) {
    case OS_FAM_10:
    case OS_FAM_11:
    case OS_FAM_2016:
    case OS_FAM_2019:
    case OS_FAM_2022:
    case OS_FAM_2025:
    case OS_FAM_SERVER_SAC: return p->plat.build != 0;
    default: return 0;
    }
}

uint32_t catgen_pres_ubr(const catgen_pres_t *p, uint32_t *pKb)
{
    uint32_t ubr = 0, kb = 0;
    size_t i;
    if (catgen_pres_has_ubr(p)) {
        for (i = 0; i < p->nKb; i++) {
            uint32_t u = kbbuild_ubr(p->aKb[i].kb, p->plat.build);
            if (u && (!ubr || u < ubr)) ubr = u, kb = p->aKb[i].kb;
        }
    }
    if (pKb) *pKb = kb;
    return ubr;
}

/* ` ubr=N` for a Windows 10+ build clause, then its reason as a comment line (after the fix
 * line: the table's UBR, or why there is none). A guessed threshold would call machines patched
 * on the data's word alone, so an unknown KB leaves the clause to its KB list. */
static void catgen_write_ubr(const catgen_pres_t *p, catgen_buf_t *b)
{
    uint32_t kb = 0, ubr = catgen_pres_ubr(p, &kb);
    if (!catgen_pres_has_ubr(p)) {
        catgen_buf_printf(b, "\n");
        return;
    }
    if (!ubr) {
        catgen_buf_printf(b,
                          "\n  # no ubr=: the KB-to-build table (kbbuild.tsv) knows none of these "
                          "KBs for build %u\n",
                          (unsigned)p->plat.build);
        return;
    }
    catgen_buf_printf(b, " ubr=%u\n  # ubr=%u: KB%u gives %u.%u (kbbuild.tsv)", (unsigned)ubr,
                      (unsigned)ubr, (unsigned)kb, (unsigned)p->plat.build, (unsigned)ubr);
    if (p->nKb && p->aKb[0].kb != kb && !kbbuild_ubr(p->aKb[0].kb, p->plat.build))
        catgen_buf_printf(b, "; the table does not know the first fix KB%u for this build",
                          (unsigned)p->aKb[0].kb);
    catgen_buf_printf(b, "\n");
}

int catgen_write_clauses(const catgen_res_t *r, catgen_buf_t *b)
{
    size_t i, j;
    unsigned char *aDone = calloc(r->nPlat + 1, 1);
    if (!aDone) return KBS_ENOMEM;
    for (i = 0; i < r->nNote; i++) {
        if (r->aNote[i].line)
            catgen_buf_printf(b, "# NOTE (data line %u): %s\n", r->aNote[i].line, r->aNote[i].zText);
        else
            catgen_buf_printf(b, "# NOTE: %s\n", r->aNote[i].zText);
    }
    for (i = 0; i < r->nPlat; i++) {
        const catgen_pres_t *p = &r->aPlat[i];
        if (aDone[i]) continue;
        catgen_buf_printf(b, "fix %s", os_family_key(p->plat.family));
        for (j = i + 1; j < r->nPlat; j++) {
            if (!aDone[j] && catgen_same_list(p, &r->aPlat[j])) {
                aDone[j] = 1;
                catgen_buf_printf(b, ",%s", os_family_key(r->aPlat[j].plat.family));
            }
        }
        if (p->plat.sp >= 0) catgen_buf_printf(b, " sp=%d", p->plat.sp);
        if (p->plat.build) catgen_buf_printf(b, " build=%u", (unsigned)p->plat.build);
        catgen_write_ubr(p, b);
        catgen_write_kbs(p, b);
        if (p->nKb > CAT_KB_MAX)
            catgen_buf_printf(b, "# NOTE: %u KBs, more than the %u a clause may hold: split the clause by build or sp\n",
                              (unsigned)p->nKb, CAT_KB_MAX);
    }
    free(aDone);
    catgen_write_others(r, b);
    return b->bOom ? KBS_ENOMEM : KBS_OK;
}
