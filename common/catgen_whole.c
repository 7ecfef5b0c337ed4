/* catgen_whole.c: the rest of a derived rule: not-affected, no-fix or undecided for every other
 * Windows release the data knows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catgen_int.h"
#include "kbs_err.h"

static int catgen_same_rel(const catgen_plat_t *a, const catgen_plat_t *b)
{
    return a->family == b->family && a->sp == b->sp && a->build == b->build;
}

static uint32_t catgen_month_n(uint32_t ym)
{
    return ym / 100 * 12 + ym % 100;
}

/* The decision (docs/catalog-format.md, "Whole rules"): a release whose first update in the data
 * is two or more months after the last platform's fix shipped after it; one whose last update
 * is older than the first fix was out of support; anything else is not said by the data. */
static catgen_okind_t catgen_decide(const catgen_other_t *o, uint32_t fixFirst, uint32_t fixLast)
{
    if (!o->firstMonth) return CATGEN_O_UNDECIDED;
    if (catgen_month_n(o->firstMonth) >= catgen_month_n(fixLast) + 2) return CATGEN_O_NOT_AFFECTED;
    if (o->lastMonth < fixFirst) return CATGEN_O_NO_FIX;
    return CATGEN_O_UNDECIDED;
}

int catgen_whole(const catgen_data_t *d, catgen_res_t *r)
{
    uint32_t *aiOther = NULL, fixFirst = 0, fixLast = 0;
    size_t i, j;
    int rc = KBS_ENOMEM;

    free(r->aOther);
    r->aOther = NULL;
    r->nOther = 0;
    if (!r->nPlat) return KBS_OK;
    for (i = 0; i < r->nPlat; i++) {
        uint32_t m = r->aPlat[i].fixMonth;
        if (!fixFirst || m < fixFirst) fixFirst = m;
        if (m > fixLast) fixLast = m;
    }
    /* Product index -> other release index + 1 (0: a fix platform or not a Windows release). */
    if (!(aiOther = calloc(d->nProd + 1, sizeof *aiOther)) ||
        !(r->aOther = calloc(d->nProd + 1, sizeof *r->aOther)))
        goto out;
    for (i = 0; i < d->nProd; i++) {
        const catgen_prod_t *pr = &d->aProd[i];
        if (pr->kind != CATGEN_P_OS) continue;
        for (j = 0; j < r->nPlat && !catgen_same_rel(&r->aPlat[j].plat, &pr->plat); j++) {
        }
        if (j < r->nPlat) continue;
        for (j = 0; j < r->nOther && !catgen_same_rel(&r->aOther[j].plat, &pr->plat); j++) {
        }
        if (j == r->nOther) {
            r->aOther[j].plat = pr->plat;
            r->aOther[j].plat.arch = OS_ARCH_UNKNOWN;
            r->nOther++;
        }
        aiOther[i] = (uint32_t)j + 1;
    }
    /* Its updates: rows with a KB that are not Flash or a side component. */
    for (i = 0; i < d->nRow; i++) {
        const catgen_row_t *row = &d->aRow[i];
        catgen_other_t *o;
        uint32_t m = row->date / 100;
        if (!row->kb || row->bFlash || row->bSide || !aiOther[row->prod]) continue;
        o = &r->aOther[aiOther[row->prod] - 1];
        if (!o->firstMonth || m < o->firstMonth) o->firstMonth = m;
        if (m > o->lastMonth) o->lastMonth = m;
    }
    for (i = 0; i < r->nOther; i++)
        r->aOther[i].kind = catgen_decide(&r->aOther[i], fixFirst, fixLast);
    /* family, service pack, build order */
    for (i = 1; i < r->nOther; i++) {
        catgen_other_t t = r->aOther[i];
        for (j = i; j > 0 && (r->aOther[j - 1].plat.family > t.plat.family ||
                              (r->aOther[j - 1].plat.family == t.plat.family &&
                               (r->aOther[j - 1].plat.sp > t.plat.sp ||
                                (r->aOther[j - 1].plat.sp == t.plat.sp &&
                                 r->aOther[j - 1].plat.build > t.plat.build))));
             j--)
            r->aOther[j] = r->aOther[j - 1];
        r->aOther[j] = t;
    }
    rc = KBS_OK;
out:
    free(aiOther);
    if (rc != KBS_OK) {
        free(r->aOther);
        r->aOther = NULL;
        r->nOther = 0;
    }
    return rc;
}

/* Is there a fix platform of family fam strictly between two releases (by sp, then build)? */
static int catgen_fix_between(const catgen_res_t *r, const catgen_plat_t *a, const catgen_plat_t *b)
{
    size_t i;
    for (i = 0; i < r->nPlat; i++) {
        const catgen_plat_t *p = &r->aPlat[i].plat;
        if (p->family != a->family) continue;
        if ((p->sp > a->sp || (p->sp == a->sp && p->build > a->build)) &&
            (p->sp < b->sp || (p->sp == b->sp && p->build < b->build)))
            return 1;
    }
    return 0;
}

void catgen_write_others(const catgen_res_t *r, catgen_buf_t *b)
{
    uint32_t fixFirst = 0, fixLast = 0;
    size_t i, j;
    for (i = 0; i < r->nPlat; i++) {
        uint32_t m = r->aPlat[i].fixMonth;
        if (!fixFirst || m < fixFirst) fixFirst = m;
        if (m > fixLast) fixLast = m;
    }
    if (r->nOther)
        catgen_buf_printf(b,
                          "# The other Windows releases of the data: after the fix (first update "
                          "two or more months\n"
                          "# after %04u-%02u), out of support before it (last update before "
                          "%04u-%02u), or neither.\n",
                          (unsigned)(fixLast / 100), (unsigned)(fixLast % 100),
                          (unsigned)(fixFirst / 100), (unsigned)(fixFirst % 100));
    for (i = 0; i < r->nOther; i = j) {
        const catgen_other_t *o = &r->aOther[i], *e = o;
        /* Neighbours of one family and kind share a clause, unless a fix platform lies between. */
        for (j = i + 1; j < r->nOther && r->aOther[j].plat.family == o->plat.family &&
                        r->aOther[j].kind == o->kind &&
                        (r->aOther[j].plat.sp == o->plat.sp || !o->plat.build) &&
                        !catgen_fix_between(r, &r->aOther[j - 1].plat, &r->aOther[j].plat);
             j++)
            e = &r->aOther[j];
        catgen_buf_printf(b, "%s %s",
                          o->kind == CATGEN_O_NOT_AFFECTED ? "not-affected"
                          : o->kind == CATGEN_O_NO_FIX     ? "no-fix"
                                                           : "undecided",
                          os_family_key(o->plat.family));
        if (o->plat.sp >= 0) {
            if (e->plat.sp != o->plat.sp)
                catgen_buf_printf(b, " sp=%d-%d", o->plat.sp, e->plat.sp);
            else
                catgen_buf_printf(b, " sp=%d", o->plat.sp);
        }
        if (o->plat.build) {
            if (e->plat.build != o->plat.build)
                catgen_buf_printf(b, " build=%u-%u", (unsigned)o->plat.build,
                                  (unsigned)e->plat.build);
            else
                catgen_buf_printf(b, " build=%u", (unsigned)o->plat.build);
        }
        switch (o->kind) {
        case CATGEN_O_NOT_AFFECTED:
            catgen_buf_printf(
                b, " note=\"released after the fix (its first update in the data: %04u-%02u)\"\n",
                (unsigned)(o->firstMonth / 100), (unsigned)(o->firstMonth % 100));
            break;
        case CATGEN_O_NO_FIX:
            catgen_buf_printf(
                b,
                " note=\"out of support before the fix (its last update in the data: %04u-%02u)\""
                " action=\"upgrade to a supported Windows release\"\n",
                (unsigned)(e->lastMonth / 100), (unsigned)(e->lastMonth % 100));
            break;
        default:
            catgen_buf_printf(b, " note=\"Microsoft's data lists no update for this release "
                                 "although it was serviced "
                                 "then: affected or not is not said\" action=\"read the CVE's page "
                                 "for this Windows\"\n");
            break;
        }
    }
}
