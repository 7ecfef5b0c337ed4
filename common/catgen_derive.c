/* catgen_derive.c: from the CVE rows to every KB that carries the fix, per platform.
 *
 * Per platform (family, service pack, build; archs and Server Core merged):
 *  1. the KBs listed for the CVEs are the first fixes;
 *  2. every KB that supersedes a KB of the list joins it (the data's Supersedes chains: monthly
 *     rollups and Windows 10+ cumulative updates name the previous one);
 *  3. on cumulative platforms, a later month with no update of the list is a chain break (an
 *     out-of-band update the data lacks sits between, or the rollup chain of September 2019):
 *     the month's cumulative update joins, chosen as the month's largest update (Windows 10+),
 *     or for rollup platforms the month's rollup: the only large update, else the one also
 *     listed for Internet Explorer 11, else the one in the caller's list of known rollups;
 *     a month it cannot decide is reported, never guessed. Security-only updates never
 *     supersede each other, so they stay in their own month.
 * What may count (catgen_kind.c decides per KB): never an update of a side component (Secure
 * Boot, servicing stack, .NET, Internet Explorer) nor one listed for three or more Windows code
 * lines; never a KB released before the fix. Release order is the KB number order of one
 * platform's updates: a KB the data dates after two higher-numbered updates (a CVE revised
 * years later re-dates its updates: KB5004945 of July 2021 appears as 2023-06) is given the
 * date of the earlier of them, and its clause line says so. On rollup platforms a KB joins by
 * Supersedes only when it looks like a rollup (a later update supersedes it, or it is its
 * month's largest, IE11-listed or a known rollup): a security-only update that names the
 * previous rollup (KB5004951) carries none of the rollup line's fixes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catgen_int.h"
#include "kbs_err.h"

/* One KB of one platform, aggregated over its rows. */
typedef struct dkb {
    uint32_t kb, date, nRows, line;
    uint32_t *aSup;
    size_t nSup;
    int bIe, bIn, color;
    catgen_how_t how;
    uint32_t kbFrom;
    uint8_t why, nBase;          /* catgen_nc_t, code lines (catgen_kind.c) */
    uint32_t dateData, kbLater;  /* date overridden by KB order (see the file comment) */
    uint32_t lo;                 /* then: the newest date of a lower-numbered update */
} dkb_t;

typedef struct dtup {
    uint32_t kb, date, iRow;
} dtup_t;

typedef struct dplat {
    dkb_t *aKb;
    size_t nKb;
    uint32_t *aSupPool;
    size_t *aiByMonth; /* indexes of aKb by (month, kb) */
    size_t *aiSucc0;   /* aSucc[aiSucc0[i] .. aiSucc0[i+1]): the KBs that supersede aKb[i] */
    uint32_t *aSucc;
    uint32_t *aQ;      /* KBs in the list whose successors are still to visit */
    uint32_t *aMonthMax; /* per KB: the most rows of an eligible update of its month */
    size_t nQ, iQ;
    uint32_t fixMonth; /* YYYYMM of the first fix (after KB-order dates) */
    int bRollup;
    const uint32_t *aKnown;
    size_t nKnown;
} dplat_t;

static int catgen_tup_cmp(const void *a, const void *b)
{
    const dtup_t *x = a, *y = b;
    if (x->kb != y->kb) return x->kb < y->kb ? -1 : 1;
    if (x->date != y->date) return x->date < y->date ? -1 : 1;
    return x->iRow < y->iRow ? -1 : x->iRow > y->iRow;
}

static int catgen_u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int catgen_u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int catgen_same_key(const catgen_plat_t *a, const catgen_plat_t *b)
{
    return a->family == b->family && a->sp == b->sp && a->build == b->build;
}

/* A platform's updates: those of its release and of the releases one package serves with it
 * (Windows 10 2004-22H2, 1903/1909, 11 22H2/23H2, 24H2/25H2 take the same cumulative update;
 * the data lists KB5087544 of May 2026 under 21H2 only, yet 22H2 machines install it). */
static int catgen_same_line(const catgen_plat_t *a, const catgen_plat_t *key)
{
    return a->family == key->family && a->sp == key->sp &&
           (a->build == key->build || (key->build >= 10240 && catgen_base(a) == catgen_base(key)));
}

static void dplat_free(dplat_t *p)
{
    free(p->aKb);
    free(p->aSupPool);
    free(p->aiByMonth);
    free(p->aiSucc0);
    free(p->aSucc);
    free(p->aQ);
    free(p->aMonthMax);
    memset(p, 0, sizeof *p);
}

static dkb_t *dplat_find(const dplat_t *p, uint32_t kb)
{
    size_t lo = 0, hi = p->nKb;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (p->aKb[mid].kb < kb) lo = mid + 1;
        else hi = mid;
    }
    return lo < p->nKb && p->aKb[lo].kb == kb ? &p->aKb[lo] : NULL;
}

#define M(date) ((date) / 100) /* YYYYMMDD -> YYYYMM */
/* October 2016: Windows 7 / 8.1 / Server 2008 R2 - 2012 R2 went to monthly rollups; before it
 * one update served a component on several Windows lines. */
#define CATGEN_CUMULATIVE_ERA 20161001u

/* Release order (monthly cumulative era): a KB the data dates three or more months after two
 * higher-numbered updates of the platform takes the date of the earlier of them (dateData keeps the data's). A revised CVE
 * re-dates its updates by a year or more; a KB number a month out of order is only numbering,
 * and the guard of two keeps one wrongly early date from moving others. */
static uint32_t catgen_months(uint32_t ym)
{
    return ym / 100 * 12 + ym % 100;
}

static void dplat_order(dplat_t *p)
{
    uint32_t d1 = 0xffffffffu, d2 = 0xffffffffu, kb1 = 0, lo = 0;
    size_t i;
    for (i = p->nKb; i-- > 0;) {
        dkb_t *k = &p->aKb[i];
        /* Before monthly cumulative updates a KB number was given when a fix was begun, months
         * before its release (KB2621440: March 2012, after KB2633171 of December 2011). */
        if (k->why != CATGEN_NC_NONE || k->date < CATGEN_CUMULATIVE_ERA) continue;
        if (d2 != 0xffffffffu && catgen_months(M(d2)) + 3 <= catgen_months(M(k->date))) {
            k->dateData = k->date;
            k->date = d1;
            k->kbLater = kb1;
        }
        if (k->dateData) continue; /* only the data's own dates are evidence */
        if (k->date <= d1) d2 = d1, d1 = k->date, kb1 = k->kb;
        else if (k->date < d2) d2 = k->date;
    }
    for (i = 0; i < p->nKb; i++) {
        dkb_t *k = &p->aKb[i];
        if (k->why != CATGEN_NC_NONE) continue;
        if (k->dateData) k->lo = lo;
        else if (k->date > lo) lo = k->date;
    }
}

/* The reverse of Supersedes (who supersedes whom, within the platform) and each month's only
 * largest update. */
static int dplat_index(dplat_t *p)
{
    size_t i, j, n = 0;
    if (!(p->aiSucc0 = calloc(p->nKb + 2, sizeof *p->aiSucc0)) || !(p->aQ = malloc((p->nKb + 1) * sizeof *p->aQ)) ||
        !(p->aMonthMax = calloc(p->nKb + 1, sizeof *p->aMonthMax)))
        return KBS_ENOMEM;
    for (i = 0; i < p->nKb; i++)
        for (j = 0; j < p->aKb[i].nSup; j++) {
            dkb_t *s = dplat_find(p, p->aKb[i].aSup[j]);
            if (s && s != &p->aKb[i]) p->aiSucc0[(size_t)(s - p->aKb) + 2]++, n++;
        }
    if (!(p->aSucc = malloc((n + 1) * sizeof *p->aSucc))) return KBS_ENOMEM;
    for (i = 2; i < p->nKb + 2; i++) p->aiSucc0[i] += p->aiSucc0[i - 1];
    for (i = 0; i < p->nKb; i++)
        for (j = 0; j < p->aKb[i].nSup; j++) {
            dkb_t *s = dplat_find(p, p->aKb[i].aSup[j]);
            if (s && s != &p->aKb[i]) p->aSucc[p->aiSucc0[(size_t)(s - p->aKb) + 1]++] = (uint32_t)i;
        }
    for (i = 0; i < p->nKb;) {
        uint32_t month = M(p->aKb[p->aiByMonth[i]].date), nMax = 0;
        size_t e;
        for (e = i; e < p->nKb && M(p->aKb[p->aiByMonth[e]].date) == month; e++) {
            dkb_t *k = &p->aKb[p->aiByMonth[e]];
            if (k->why != CATGEN_NC_NONE || k->dateData) continue;
            if (k->nRows > nMax) nMax = k->nRows;
        }
        for (e = i; e < p->nKb && M(p->aKb[p->aiByMonth[e]].date) == month; e++) p->aMonthMax[p->aiByMonth[e]] = nMax;
        i = e;
    }
    return KBS_OK;
}

/* Gathers every KB the data lists for platform key (and which of them IE11 lists too). */
static int dplat_build(const catgen_data_t *d, const catgen_plat_t *key, const catgen_kclass_t *aCls, size_t nCls,
                       dplat_t *p)
{
    dtup_t *aT = NULL;
    uint32_t *aIe = NULL;
    size_t nT = 0, nIe = 0, nSupAll = 0, i, j, nKbAll = 0;
    int rc = KBS_ENOMEM;
    /* On Windows 10 and later Internet Explorer is serviced only by the OS cumulative update,
     * and the data files some of them under "Internet Explorer 11 on ..." (KB4483229, the
     * out-of-band update of December 2018 for 1607): they are the platform's updates. On
     * rollup platforms IE has cumulative updates of its own: there the name is only a clue. */
    int bIeIsOs = !catgen_is_rollup_family(key->family);

    memset(p, 0, sizeof *p);
    for (i = 0; i < d->nRow; i++) {
        const catgen_row_t *r = &d->aRow[i];
        const catgen_prod_t *pr = &d->aProd[r->prod];
        if (!r->kb || r->bFlash || !catgen_same_line(&pr->plat, key)) continue;
        if (pr->kind == CATGEN_P_OS || (pr->kind == CATGEN_P_IE11 && bIeIsOs)) nT++, nSupAll += r->nSup;
        else if (pr->kind == CATGEN_P_IE11) nIe++;
    }
    if (!(aT = malloc((nT + 1) * sizeof *aT)) || !(aIe = malloc((nIe + 1) * sizeof *aIe))) goto out;
    for (nT = nIe = 0, i = 0; i < d->nRow; i++) {
        const catgen_row_t *r = &d->aRow[i];
        const catgen_prod_t *pr = &d->aProd[r->prod];
        if (!r->kb || r->bFlash || !catgen_same_line(&pr->plat, key)) continue;
        if (pr->kind == CATGEN_P_OS || (pr->kind == CATGEN_P_IE11 && bIeIsOs)) {
            aT[nT].kb = r->kb;
            aT[nT].date = r->date;
            aT[nT++].iRow = (uint32_t)i;
        } else if (pr->kind == CATGEN_P_IE11) {
            aIe[nIe++] = r->kb;
        }
    }
    qsort(aT, nT, sizeof *aT, catgen_tup_cmp);
    qsort(aIe, nIe, sizeof *aIe, catgen_u32_cmp);
    for (i = 0; i < nT; i++) nKbAll += i == 0 || aT[i].kb != aT[i - 1].kb;
    if (!(p->aKb = calloc(nKbAll + 1, sizeof *p->aKb)) || !(p->aSupPool = malloc((nSupAll + 1) * sizeof *p->aSupPool)) ||
        !(p->aiByMonth = malloc((nKbAll + 1) * sizeof *p->aiByMonth)))
        goto out;
    for (i = 0; i < nT;) {
        dkb_t *k = &p->aKb[p->nKb++];
        size_t iEnd = i, bestN = 0, runN, n;
        uint32_t *aS = p->aSupPool + (p->nKb > 1 ? (size_t)(k[-1].aSup - p->aSupPool) + k[-1].nSup : 0);
        while (iEnd < nT && aT[iEnd].kb == aT[i].kb) iEnd++;
        k->kb = aT[i].kb;
        k->line = d->aRow[aT[i].iRow].line;
        k->nRows = (uint32_t)(iEnd - i);
        /* Its release day: the DatePosted most of its rows carry (a revised CVE of another
         * month may name it too). Ties go to the earlier day. */
        {
            /* Rows of the OS product decide when there are any (IE rows come with IE's dates). */
            int bOsOnly = 0;
            for (j = i; j < iEnd && !bOsOnly; j++) bOsOnly = d->aProd[d->aRow[aT[j].iRow].prod].kind == CATGEN_P_OS;
            for (j = i; j < iEnd; j += runN) {
                size_t m;
                runN = 0;
                while (j + runN < iEnd && aT[j + runN].date == aT[j].date) runN++;
                for (m = j, n = 0; m < j + runN; m++)
                    n += !bOsOnly || d->aProd[d->aRow[aT[m].iRow].prod].kind == CATGEN_P_OS;
                if (n > bestN) bestN = n, k->date = aT[j].date;
            }
        }
        k->aSup = aS;
        for (j = i; j < iEnd; j++) {
            const catgen_row_t *r = &d->aRow[aT[j].iRow];
            if (r->nSup) memcpy(aS + k->nSup, d->aSup + r->iSup, r->nSup * sizeof *aS);
            k->nSup += r->nSup;
        }
        if (k->nSup) {
            size_t nU = 1;
            qsort(aS, k->nSup, sizeof *aS, catgen_u32_cmp);
            for (j = 1; j < k->nSup; j++)
                if (aS[j] != aS[nU - 1]) aS[nU++] = aS[j];
            k->nSup = nU;
        }
        k->bIe = bsearch(&k->kb, aIe, nIe, sizeof *aIe, catgen_u32_cmp) != NULL;
        {
            const catgen_kclass_t *c = catgen_class_find(aCls, nCls, k->kb);
            /* Before October 2016 one update served several Windows lines: not a reason. */
            if (c) k->why = c->why == CATGEN_NC_WIDE && k->date < CATGEN_CUMULATIVE_ERA ? CATGEN_NC_NONE : c->why, k->nBase = c->nBase;
        }
        i = iEnd;
    }
    dplat_order(p);
    {
        /* By month, then KB: aKb is in KB order, so (month, index) sorts the same way. */
        uint64_t *aKey = malloc((p->nKb + 1) * sizeof *aKey);
        if (!aKey) goto out;
        for (i = 0; i < p->nKb; i++) aKey[i] = (uint64_t)(p->aKb[i].date / 100) << 32 | i;
        qsort(aKey, p->nKb, sizeof *aKey, catgen_u64_cmp);
        for (i = 0; i < p->nKb; i++) p->aiByMonth[i] = (size_t)(aKey[i] & 0xffffffffu);
        free(aKey);
    }
    if ((rc = dplat_index(p)) != KBS_OK) goto out;
    rc = KBS_OK;
out:
    free(aT);
    free(aIe);
    if (rc != KBS_OK) dplat_free(p);
    return rc;
}

static int catgen_note(catgen_res_t *r, unsigned line, const char *zFmt, ...)
{
    catgen_note_t *a;
    va_list ap;
    /* Bad data may give a note per KB: past the limit one last note says so. */
    if (r->nNote >= CATGEN_NOTE_MAX) return KBS_OK;
    if (r->nNote == CATGEN_NOTE_MAX - 1) zFmt = "further notes left out (more than 512)";
    if (!(a = realloc(r->aNote, (r->nNote + 1) * sizeof *a))) return KBS_ENOMEM;
    r->aNote = a;
    a[r->nNote].line = line;
    va_start(ap, zFmt);
    vsnprintf(a[r->nNote].zText, sizeof a[r->nNote].zText, zFmt, ap);
    va_end(ap);
    {
        /* Product names come from the data: no control character reaches a comment line. */
        char *z;
        for (z = a[r->nNote].zText; *z; z++)
            if ((unsigned char)*z < 0x20 || *z == 0x7f) *z = '?';
    }
    r->nNote++;
    return KBS_OK;
}

static void catgen_plat_name(const catgen_plat_t *p, char *z, size_t n)
{
    size_t k = (size_t)snprintf(z, n, "%s", os_family_key(p->family));
    if (p->sp >= 0 && k < n) k += (size_t)snprintf(z + k, n - k, " sp=%d", p->sp);
    if (p->build && k < n) snprintf(z + k, n - k, " build=%u", (unsigned)p->build);
}

static int catgen_known(const uint32_t *a, size_t n, uint32_t kb);

/* May k count at all: a cumulative update of the platform released in the fix's month or later
 * (an overridden date must be later at both ends). */
static int dplat_eligible(const dplat_t *p, const dkb_t *k)
{
    return k->why == CATGEN_NC_NONE && M(k->date) >= p->fixMonth && (!k->dateData || M(k->lo) >= p->fixMonth);
}

/* On rollup platforms: is k one of its month's large updates (a rollup or security-only one)
 * rather than a small out-of-band or side update? A security-only update that names the
 * previous rollup (KB5004951, two rows against the month's rollups of 26 and more) is not. */
static int dplat_large(const dplat_t *p, const dkb_t *k)
{
    return k->nRows * 2 >= p->aMonthMax[(size_t)(k - p->aKb)];
}

static void dplat_push(dplat_t *p, dkb_t *k)
{
    p->aQ[p->nQ++] = (uint32_t)(k - p->aKb);
}

/* Step 2: KBs that supersede a KB of the list, breadth first from the KBs added since the last
 * call: each KB and Supersedes edge is visited once. */
static void dplat_closure(dplat_t *p)
{
    while (p->iQ < p->nQ) {
        size_t i = p->aQ[p->iQ++], j;
        for (j = p->aiSucc0[i]; j < p->aiSucc0[i + 1]; j++) {
            dkb_t *s = &p->aKb[p->aSucc[j]];
            if (s->bIn || !dplat_eligible(p, s) || (p->bRollup && s->date >= CATGEN_CUMULATIVE_ERA && !dplat_large(p, s))) continue;
            s->bIn = 1;
            s->how = CATGEN_HOW_SUPERSEDES;
            s->kbFrom = p->aKb[i].kb;
            dplat_push(p, s);
        }
    }
}

/* A loop in Supersedes among the list's KBs (A supersedes B supersedes A) is not data anyone
 * should trust: depth-first search with colours and a stack of its own (a chain may be as long
 * as the data). Returns the KB where it closes (*ppTo: the one it reaches again), or NULL. */
static dkb_t *dplat_loop(dplat_t *p, dkb_t *kStart, dkb_t **ppTo, size_t *aiStack, size_t *aiEdge)
{
    size_t n = 0;
    kStart->color = 1;
    aiStack[n] = (size_t)(kStart - p->aKb), aiEdge[n++] = 0;
    while (n) {
        dkb_t *k = &p->aKb[aiStack[n - 1]];
        if (aiEdge[n - 1] < k->nSup) {
            dkb_t *s = dplat_find(p, k->aSup[aiEdge[n - 1]++]);
            if (!s || !s->bIn || s == k) continue;
            if (s->color == 1) {
                *ppTo = s;
                return k;
            }
            if (s->color == 0) {
                s->color = 1;
                aiStack[n] = (size_t)(s - p->aKb), aiEdge[n++] = 0;
            }
            continue;
        }
        k->color = 2;
        n--;
    }
    return NULL;
}

static int catgen_known(const uint32_t *a, size_t n, uint32_t kb)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (a[i] == kb) return 1;
    return 0;
}

/* Step 3 for one month [iFirst, iEnd) of aiByMonth: adds the month's cumulative update, or
 * reports why it cannot. */
static int dplat_month(dplat_t *p, const catgen_plat_t *key, size_t iFirst, size_t iEnd,
                       const uint32_t *aKnown, size_t nKnown, catgen_res_t *pRes, int *pbAdded)
{
    uint32_t nMax = 0, month = p->aKb[p->aiByMonth[iFirst]].date / 100;
    size_t i, j, nCand = 0, nTop = 0, nIe = 0, nKn = 0, nPrev = 0, nSupAny = 0;
    dkb_t *pTop = NULL, *pIe = NULL, *pKn = NULL, *pAny = NULL, *pPrev = NULL, *pSupAny = NULL, *pAdd = NULL;
    char zPlat[48], zList[120];
    size_t nList = 0;
    *pbAdded = 0;
    /* Only the platform's own updates of this month: no side-component or re-dated one. */
    for (i = iFirst; i < iEnd; i++) {
        const dkb_t *k = &p->aKb[p->aiByMonth[i]];
        if (k->why == CATGEN_NC_NONE && !k->dateData && k->nRows > nMax) nMax = k->nRows;
    }
    zList[0] = 0;
    for (i = iFirst; i < iEnd; i++) {
        dkb_t *k = &p->aKb[p->aiByMonth[i]];
        if (k->why != CATGEN_NC_NONE || k->dateData) continue;
        if (k->nRows * 2 < nMax) continue; /* a small side update (servicing stack, one fix) */
        if (k->bIn) return KBS_OK;         /* the month is covered */
        nCand++;
        pAny = k;
        if (k->nRows == nMax) nTop++, pTop = k;
        if (k->bIe) nIe++, pIe = k;
        if (catgen_known(aKnown, nKnown, k->kb)) nKn++, pKn = k;
        /* A rollup names an update of an earlier month in Supersedes (after 2019 often the
         * previous security-only one); a security-only update names none of them. */
        if (k->nSup) nSupAny++, pSupAny = k;
        for (j = 0; j < k->nSup; j++) {
            const dkb_t *s = dplat_find(p, k->aSup[j]);
            if (s && s->date / 100 < month) {
                nPrev++, pPrev = k;
                break;
            }
        }
        if (nList < sizeof zList)
            nList += (size_t)snprintf(zList + nList, sizeof zList - nList, " KB%u", (unsigned)k->kb);
    }
    if (!nCand) return KBS_OK;
    catgen_plat_name(key, zPlat, sizeof zPlat);
    if (!catgen_is_rollup_family(key->family)) {
        if (nTop == 1) {
            pTop->bIn = 1, pTop->how = CATGEN_HOW_MONTHLY;
            dplat_push(p, pTop);
            *pbAdded = 1;
            return KBS_OK;
        }
        return catgen_note(pRes, pAny->line, "%s %04u-%02u: several updates of equal size (%s), no cumulative update chosen",
                           zPlat, (unsigned)(month / 100), (unsigned)(month % 100), zList + 1);
    }
    if (nCand == 1) {
        pAdd = pAny, pAny->how = CATGEN_HOW_ONLY;
    } else if (nIe == 1) {
        pAdd = pIe, pIe->how = CATGEN_HOW_IE11;
    } else if (nPrev == 1) {
        pAdd = pPrev, pPrev->how = CATGEN_HOW_PREV;
    } else if (nPrev == 0 && nSupAny == 1) {
        /* It supersedes an update the data lacks (an out-of-band one); the other names none. */
        pAdd = pSupAny, pSupAny->how = CATGEN_HOW_PREV;
    } else if (nKn == 1) {
        pAdd = pKn, pKn->how = CATGEN_HOW_KNOWN;
    } else {
        return catgen_note(pRes, pAny->line,
                           "%s %04u-%02u: cannot tell the monthly rollup from the security-only update (%s): neither listed",
                           zPlat, (unsigned)(month / 100), (unsigned)(month % 100), zList + 1);
    }
    pAdd->bIn = 1;
    dplat_push(p, pAdd);
    *pbAdded = 1;
    return KBS_OK;
}

static int catgen_kb_date_cmp(const void *a, const void *b)
{
    const catgen_kb_t *x = a, *y = b;
    if (x->date != y->date) return x->date < y->date ? -1 : 1;
    return x->kb < y->kb ? -1 : x->kb > y->kb;
}

static const char *catgen_nc_text(int why)
{
    return why == CATGEN_NC_SIDE ? "an update of a side component (Secure Boot, servicing stack, .NET, Internet Explorer, scripting)"
                                 : "listed for three or more Windows code lines, not one Windows's cumulative update";
}

/* Derives one platform key from its fixing KBs aFix (nFix, may repeat). */
static int catgen_derive_plat(const catgen_data_t *d, const catgen_plat_t *key, const uint32_t *aFix,
                              size_t nFix, const uint32_t *aKnown, size_t nKnown, const catgen_kclass_t *aCls,
                              size_t nCls, catgen_res_t *pRes, catgen_err_t *pErr)
{
    dplat_t p;
    catgen_pres_t *pr;
    size_t i, j, n;
    size_t *aiStack = NULL, *aiEdge = NULL;
    char zPlat[48];
    uint32_t m;
    int rc;

    if ((rc = dplat_build(d, key, aCls, nCls, &p)) != KBS_OK) return rc;
    catgen_plat_name(key, zPlat, sizeof zPlat);
    p.bRollup = catgen_is_rollup_family(key->family);
    p.aKnown = aKnown;
    p.nKnown = nKnown;
    for (i = 0; i < nFix; i++) {
        dkb_t *k = dplat_find(&p, aFix[i]);
        if (!k || k->bIn || k->color) continue;
        if (k->why != CATGEN_NC_NONE) {
            k->color = 2; /* noted once */
            if ((rc = catgen_note(pRes, k->line, "%s: KB%u is listed for the CVE but is %s: not counted", zPlat,
                                  (unsigned)k->kb, catgen_nc_text(k->why))) != KBS_OK)
                goto out;
            continue;
        }
        k->bIn = 1;
        k->how = CATGEN_HOW_FIX;
        dplat_push(&p, k);
        /* A re-dated fix: the month of the newest lower-numbered update, the earliest it can be
         * (a later update superseding it may be of that month: KB5004289 after KB5004953). */
        m = k->dateData && k->lo ? M(k->lo) : M(k->date);
        if (!p.fixMonth || m < p.fixMonth) p.fixMonth = m;
    }
    for (i = 0; i < p.nKb; i++) p.aKb[i].color = 0;
    if (!p.nQ) {
        rc = catgen_note(pRes, 0, "%s: no cumulative update listed for the CVE: no fix clause", zPlat);
        goto out;
    }
    dplat_closure(&p);
    /* Windows 10 and later: every monthly cumulative update after the fix contains it, even
     * when the fix was an out-of-band update no later one names (KB4551762, CVE-2020-0796).
     * Rollup platforms: months are filled only where the data shows a monthly chain from the
     * fix, an update superseding the one of the month before (or an out-of-band one of its own
     * month); a fix replaced now and then by a standalone update (KB4012598, then KB4018466 on
     * Server 2008) is in no rollup it shows. */
    for (i = p.bRollup ? 0 : p.nKb; i < p.nKb; i++) {
        const dkb_t *k = &p.aKb[i], *f;
        if (!k->bIn || k->how != CATGEN_HOW_SUPERSEDES || !(f = dplat_find(&p, k->kbFrom))) continue;
        m = M(f->date);
        m = m % 100 == 12 ? (m / 100 + 1) * 100 + 1 : m + 1;
        if (M(k->date) == m || (M(k->date) == M(f->date) && k->date >= CATGEN_CUMULATIVE_ERA)) break;
    }
    if (catgen_is_cumulative(key->family) && (i < p.nKb || !p.bRollup)) {
        /* Month by month after the fix: each added update may restart a chain. */
        for (i = 0; i < p.nKb;) {
            uint32_t month = M(p.aKb[p.aiByMonth[i]].date);
            int bAdded = 0;
            for (j = i; j < p.nKb && M(p.aKb[p.aiByMonth[j]].date) == month; j++) {
            }
            if (month > p.fixMonth) {
                if ((rc = dplat_month(&p, key, i, j, aKnown, nKnown, pRes, &bAdded)) != KBS_OK) goto out;
                if (bAdded) dplat_closure(&p);
            }
            i = j;
        }
    }
    if (!(aiStack = malloc((p.nKb + 1) * sizeof *aiStack)) || !(aiEdge = malloc((p.nKb + 1) * sizeof *aiEdge))) {
        rc = KBS_ENOMEM;
        goto out;
    }
    for (i = 0; i < p.nKb; i++) {
        dkb_t *pTo = NULL, *pAt;
        if (!p.aKb[i].bIn || p.aKb[i].color) continue;
        if ((pAt = dplat_loop(&p, &p.aKb[i], &pTo, aiStack, aiEdge)) != NULL) {
            rc = KBS_EPARSE;
            if (pErr) {
                pErr->rc = rc;
                pErr->line = pAt->line;
                snprintf(pErr->zReason, sizeof pErr->zReason,
                         "loop in Supersedes: KB%u and KB%u supersede each other (directly or through others)",
                         (unsigned)pAt->kb, (unsigned)pTo->kb);
            }
            goto out;
        }
    }
    for (i = 0; i < p.nKb; i++) {
        const dkb_t *k = &p.aKb[i];
        if (k->bIn && k->nBase == 2 && k->date >= CATGEN_CUMULATIVE_ERA &&
            (rc = catgen_note(pRes, k->line, "%s: KB%u is listed for two Windows code lines in the data (one of them wrongly): kept here",
                              zPlat, (unsigned)k->kb)) != KBS_OK)
            goto out;
    }
    {
        catgen_pres_t *a = realloc(pRes->aPlat, (pRes->nPlat + 1) * sizeof *a);
        if (!a) {
            rc = KBS_ENOMEM;
            goto out;
        }
        pRes->aPlat = a;
    }
    pr = &pRes->aPlat[pRes->nPlat++];
    memset(pr, 0, sizeof *pr);
    pr->plat = *key;
    pr->plat.arch = OS_ARCH_UNKNOWN;
    pr->bCumulative = catgen_is_cumulative(key->family);
    pr->fixMonth = p.fixMonth;
    for (i = n = 0; i < p.nKb; i++) n += p.aKb[i].bIn;
    if (!(pr->aKb = calloc(n + 1, sizeof *pr->aKb))) {
        rc = KBS_ENOMEM;
        goto out;
    }
    for (i = 0; i < p.nKb; i++) {
        const dkb_t *k = &p.aKb[i];
        if (k->why == CATGEN_NC_NONE && M(k->date) > pr->lastMonth) pr->lastMonth = M(k->date);
        if (!k->bIn) continue;
        pr->aKb[pr->nKb].kb = k->kb;
        pr->aKb[pr->nKb].date = k->date;
        pr->aKb[pr->nKb].how = k->how;
        pr->aKb[pr->nKb].kbFrom = k->kbFrom;
        pr->aKb[pr->nKb].dateData = k->dateData;
        pr->aKb[pr->nKb].kbLater = k->kbLater;
        pr->aKb[pr->nKb++].line = k->line;
    }
    qsort(pr->aKb, pr->nKb, sizeof *pr->aKb, catgen_kb_date_cmp);
out:
    free(aiStack);
    free(aiEdge);
    dplat_free(&p);
    return rc;
}

void catgen_res_release(catgen_res_t *r)
{
    size_t i;
    if (!r) return;
    for (i = 0; i < r->nPlat; i++) free(r->aPlat[i].aKb);
    free(r->aPlat);
    free(r->aOther);
    free(r->aNote);
    memset(r, 0, sizeof *r);
}

const char *catgen_how_text(catgen_how_t how)
{
    switch (how) {
    case CATGEN_HOW_FIX: return "fix listed for the CVE";
    case CATGEN_HOW_SUPERSEDES: return "supersedes";
    case CATGEN_HOW_MONTHLY: return "cumulative update of the month (Supersedes chain broken)";
    case CATGEN_HOW_IE11: return "rollup of the month (also listed for IE11; chain broken)";
    case CATGEN_HOW_ONLY: return "only large update of the month (chain broken)";
    case CATGEN_HOW_PREV: return "rollup of the month (the one that supersedes an update; chain broken)";
    case CATGEN_HOW_KNOWN: return "rollup of the month per the overlay's known rollups (chain broken)";
    }
    return "?";
}

int catgen_derive(const catgen_data_t *d, const char *const *azCve, size_t nCve,
                  const uint32_t *aKnownRollup, size_t nKnown, catgen_res_t *pRes,
                  catgen_err_t *pErr)
{
    uint32_t aCve[CATGEN_CVE_MAX];
    unsigned char aWin[CATGEN_CVE_MAX] = {0}; /* per CVE: a Windows row seen */
    catgen_plat_t *aKey = NULL;
    uint32_t *aFix = NULL;
    size_t nId = 0, nKey = 0, nFixRow = 0, i, j, k;
    uint32_t *aSeenProd = NULL;
    size_t nSeenProd = 0, nCls = 0;
    catgen_kclass_t *aCls = NULL;
    int rc = KBS_OK;

    memset(pRes, 0, sizeof *pRes);
    if (pErr) memset(pErr, 0, sizeof *pErr);
    if (!d || !azCve || nCve == 0 || nCve > CATGEN_CVE_MAX) return KBS_EINVAL;
    pRes->dateMax = d->dateMax;
    for (i = 0; i < nCve; i++) {
        uint32_t idx;
        if (catgen_find_str(d->pCve, azCve[i], &idx) == KBS_OK) aCve[nId++] = idx;
        else if ((rc = catgen_note(pRes, 0, "%s: no row in the data", azCve[i])) != KBS_OK) goto out;
    }
    /* The fix rows, the platforms they name, and the products we cannot place. */
    for (i = 0; i < d->nRow; i++) {
        const catgen_row_t *r = &d->aRow[i];
        for (j = 0; j < nId && r->cve != aCve[j]; j++) {
        }
        if (j == nId || !r->kb || r->bFlash) continue;
        nFixRow++;
    }
    if (nFixRow == 0) {
        if (pErr) {
            pErr->rc = KBS_ENOTFOUND;
            snprintf(pErr->zReason, sizeof pErr->zReason, "no row with a KB for %s%s", azCve[0],
                     nCve > 1 ? " or the other CVEs" : "");
        }
        rc = KBS_ENOTFOUND;
        goto out;
    }
    if (!(aKey = malloc(nFixRow * sizeof *aKey)) || !(aFix = malloc(nFixRow * 2 * sizeof *aFix)) ||
        !(aSeenProd = malloc(nFixRow * sizeof *aSeenProd))) {
        rc = KBS_ENOMEM;
        goto out;
    }
    for (i = 0; i < d->nRow; i++) {
        const catgen_row_t *r = &d->aRow[i];
        const catgen_prod_t *pr;
        for (j = 0; j < nId && r->cve != aCve[j]; j++) {
        }
        if (j == nId || !r->kb || r->bFlash) continue;
        pr = &d->aProd[r->prod];
        if (pr->kind != CATGEN_P_OS) {
            for (k = 0; k < nSeenProd && aSeenProd[k] != r->prod; k++) {
            }
            if (k == nSeenProd) {
                aSeenProd[nSeenProd++] = r->prod;
                if ((rc = catgen_note(pRes, r->line, "product '%s' (KB%u) %s", pr->zName, (unsigned)r->kb,
                                      pr->kind == CATGEN_P_UNTRACKED ? "is a Windows release kbsentry has no family for: not derived"
                                      : pr->kind == CATGEN_P_IE11 ? "is Internet Explorer: not derived"
                                                                  : "is not a Windows release: not derived")) != KBS_OK)
                    goto out;
            }
            continue;
        }
        aWin[j] = 1;
        for (k = 0; k < nKey && !catgen_same_key(&aKey[k], &pr->plat); k++) {
        }
        if (k == nKey) aKey[nKey++] = pr->plat;
    }
    /* A CVE whose rows name no Windows release (Office, .NET, Edge ...) is said, not dropped. */
    for (j = 0; j < nId; j++)
        if (!aWin[j] && (rc = catgen_note(pRes, 0, "%s: no Windows release among its rows with a KB: no clause derived for it",
                                          catgen_str(d->pCve, aCve[j]))) != KBS_OK)
            goto out;
    if (nKey == 0) {
        rc = KBS_ENOTFOUND;
        if (pErr) {
            pErr->rc = rc;
            snprintf(pErr->zReason, sizeof pErr->zReason, "no Windows row with a KB for %s%s", azCve[0],
                     nCve > 1 ? " or the other CVEs" : "");
        }
        goto out;
    }
    if ((rc = catgen_classify(d, &aCls, &nCls)) != KBS_OK) goto out;
    /* One derivation per platform, in family order. */
    for (i = 1; i < nKey; i++) {
        catgen_plat_t t = aKey[i];
        for (j = i; j > 0 && (aKey[j - 1].family > t.family ||
                              (aKey[j - 1].family == t.family &&
                               (aKey[j - 1].build > t.build || (aKey[j - 1].build == t.build && aKey[j - 1].sp < t.sp))));
             j--)
            aKey[j] = aKey[j - 1];
        aKey[j] = t;
    }
    for (k = 0; k < nKey; k++) {
        size_t nFix = 0;
        for (i = 0; i < d->nRow; i++) {
            const catgen_row_t *r = &d->aRow[i];
            for (j = 0; j < nId && r->cve != aCve[j]; j++) {
            }
            if (j == nId || !r->kb || r->bFlash || d->aProd[r->prod].kind != CATGEN_P_OS ||
                !catgen_same_key(&d->aProd[r->prod].plat, &aKey[k]))
                continue;
            aFix[nFix++] = r->kb;
        }
        if ((rc = catgen_derive_plat(d, &aKey[k], aFix, nFix, aKnownRollup, nKnown, aCls, nCls, pRes, pErr)) != KBS_OK)
            goto out;
    }
    if ((rc = catgen_whole(d, pRes)) != KBS_OK) goto out;
out:
    free(aCls);
    free(aKey);
    free(aFix);
    free(aSeenProd);
    if (rc != KBS_OK && rc != KBS_ENOTFOUND) {
        catgen_res_release(pRes);
    }
    return rc;
}
