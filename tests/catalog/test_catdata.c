/* test_catdata.c: the built-in catalog against Microsoft's data: reproducible, justified, complete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../t_file.h"
#include "cat.h"
#include "catgen.h"
#include "catgen_int.h"
#include "kbbuild.h"
#include "kbs_err.h"

typedef struct t_ctx {
    catgen_data_t d;
    char *zOverlay, *zCatalog;
    size_t nOverlay, nCatalog;
    cat_t cat;
} t_ctx_t;

static char *t_read(const char *zPath, size_t *pn)
{
    char *z = t_file_read(zPath, pn);
    if (!z)
        fprintf(stderr, "test_catdata: cannot read %s: Microsoft's data is needed (set the CMake "
                        "variable KBS_MSRC_DIR to the folder with definitions.zip)\n", zPath);
    return z;
}

static int t_setup(void **state)
{
    static t_ctx_t c;
    catgen_err_t e;
    char *zZip;
    size_t nZip;
    memset(&c, 0, sizeof c);
    /* No data is a failure, not a skip: the catalog's proof is this data. */
    if (!(zZip = t_read(KBS_MSRC_DIR "/definitions.zip", &nZip))) return -1;
    if (catgen_data_load((unsigned char *)zZip, nZip, "definitions.zip", &c.d, &e) != KBS_OK) {
        fprintf(stderr, "%s:%u: %s\n", c.d.zSource, e.line, e.zReason);
        free(zZip);
        return -1;
    }
    free(zZip);
    if (!(c.zOverlay = t_read(KBS_SRC_DIR "/common/catalog/overlay.kbsov", &c.nOverlay))) return -1;
    if (!(c.zCatalog = t_read(KBS_SRC_DIR "/common/catalog/emergency.kbscat", &c.nCatalog))) return -1;
    if (cat_load_default(&c.cat) != KBS_OK) return -1;
    *state = &c;
    return 0;
}

static int t_teardown(void **state)
{
    t_ctx_t *c = *state;
    if (!c) return 0; /* the setup failed and said why */
    catgen_data_release(&c->d);
    free(c->zOverlay);
    free(c->zCatalog);
    cat_release(&c->cat);
    return 0;
}

/* catalog build --data definitions.zip --overlay overlay.kbsov gives the committed file. */
static void test_regenerates(void **state)
{
    t_ctx_t *c = *state;
    catgen_buf_t out, notes;
    catgen_err_t e;
    memset(&out, 0, sizeof out);
    memset(&notes, 0, sizeof notes);
    assert_int_equal(catgen_build(&c->d, c->zOverlay, c->nOverlay, "overlay.kbsov", &out, &notes, &e), KBS_OK);
    if (out.n != c->nCatalog || memcmp(out.z, c->zCatalog, out.n) != 0) {
        size_t i;
        for (i = 0; i < out.n && i < c->nCatalog && out.z[i] == c->zCatalog[i]; i++) {
        }
        fail_msg("the committed catalog differs from the regenerated one at byte %u: run kbsentry catalog build",
                 (unsigned)i);
    }
    catgen_buf_free(&out);
    catgen_buf_free(&notes);
}

/* The overlay text of rule zId: [*pz, *pzEnd). */
static void t_overlay_rule(const t_ctx_t *c, const char *zId, const char **pz, const char **pzEnd)
{
    char zKey[40];
    const char *z, *zEnd;
    snprintf(zKey, sizeof zKey, "\nrule %s\n", zId);
    z = strstr(c->zOverlay, zKey);
    assert_non_null(z);
    zEnd = strstr(z, "\nend\n");
    assert_non_null(zEnd);
    *pz = z;
    *pzEnd = zEnd;
}

/* Every KB of the catalog is in the data for that family, or written in the overlay's rule
 * (hand-written: the generator demands a reference comment on each hand kb line). */
static void test_every_kb_justified(void **state)
{
    t_ctx_t *c = *state;
    size_t i, j, k, r, nData = 0, nHand = 0;
    for (i = 0; i < c->cat.nRule; i++) {
        const cat_rule_t *ru = &c->cat.aRule[i];
        const char *zOv, *zOvEnd;
        t_overlay_rule(c, ru->zId, &zOv, &zOvEnd);
        for (j = 0; j < ru->nPlat; j++) {
            const cat_plat_t *pl = &ru->aPlat[j];
            for (k = 0; k < pl->nKb; k++) {
                int bFound = 0;
                char zKb[16];
                for (r = 0; r < c->d.nRow && !bFound; r++) {
                    const catgen_row_t *row = &c->d.aRow[r];
                    const catgen_prod_t *pr = &c->d.aProd[row->prod];
                    bFound = row->kb == pl->aKb[k] && (pr->kind == CATGEN_P_OS || pr->kind == CATGEN_P_IE11) &&
                             pr->plat.family == pl->family;
                }
                if (bFound) {
                    nData++;
                    continue;
                }
                snprintf(zKb, sizeof zKb, "%u", (unsigned)pl->aKb[k]);
                {
                    const char *zAt = strstr(zOv, zKb);
                    if (!zAt || zAt > zOvEnd)
                        fail_msg("%s %s: KB%s is neither in the data for the family nor in the overlay", ru->zId,
                                 os_family_key(pl->family), zKb);
                }
                nHand++;
            }
        }
    }
    print_message("%u KBs from the data, %u hand-written in the overlay\n", (unsigned)nData, (unsigned)nHand);
    assert_true(nData > 1000);
}

/* One cumulative platform's months, computed here without the derivation's chain logic. */
typedef struct t_kbm {
    uint32_t kb, month, n;
} t_kbm_t;

static int t_kbm_cmp(const void *a, const void *b)
{
    const t_kbm_t *x = a, *y = b;
    if (x->month != y->month) return x->month < y->month ? -1 : 1;
    return x->kb < y->kb ? -1 : x->kb > y->kb;
}

/* For a cumulative platform of a rule: every month after the fix that has a large update in
 * the data has one in the catalog; on Windows 10 / Server 2016 it is the month's largest. */
static void t_complete(t_ctx_t *c, const char *zRule, os_family_t fam, int sp, uint32_t build, int bRollup)
{
    const cat_rule_t *ru = cat_find_rule(&c->cat, zRule);
    const cat_plat_t *pl = NULL;
    t_kbm_t *a = calloc(c->d.nRow, sizeof *a);
    size_t i, j, n = 0, nMonth = 0;
    uint32_t fixMonth = 0;
    assert_non_null(ru);
    assert_non_null(a);
    for (i = 0; i < ru->nPlat; i++) {
        const cat_plat_t *p = &ru->aPlat[i];
        if (p->family == fam && p->kind == CAT_KIND_FIX &&
            (sp < 0 || p->spMin < 0 || (p->spMin <= sp && (p->spMax < 0 || sp <= p->spMax))) &&
            (!build || !p->buildMin || (p->buildMin <= build && (!p->buildMax || build <= p->buildMax)))) {
            pl = p;
            break;
        }
    }
    assert_non_null(pl);
    /* KB -> rows and most frequent month, over the platform's OS rows. */
    for (i = 0; i < c->d.nRow; i++) {
        const catgen_row_t *row = &c->d.aRow[i];
        const catgen_prod_t *pr = &c->d.aProd[row->prod];
        if (!row->kb || row->bFlash || pr->kind != CATGEN_P_OS || pr->plat.family != fam ||
            (sp >= 0 && pr->plat.sp != sp) || (build && pr->plat.build != build))
            continue;
        for (j = 0; j < n && !(a[j].kb == row->kb && a[j].month == row->date / 100); j++) {
        }
        if (j == n) a[n].kb = row->kb, a[n].month = row->date / 100, n++;
        a[j].n++;
    }
    /* keep each KB's most frequent month only */
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            if (i != j && a[i].kb == a[j].kb && a[i].n && a[j].n && (a[j].n > a[i].n || (a[j].n == a[i].n && j < i)))
                a[i].n = 0;
    for (i = j = 0; i < n; i++)
        if (a[i].n) a[j++] = a[i];
    n = j;
    qsort(a, n, sizeof *a, t_kbm_cmp);
    for (i = 0; i < pl->nKb && !fixMonth; i++)
        for (j = 0; j < n; j++)
            if (a[j].kb == pl->aKb[0]) fixMonth = a[j].month;
    assert_true(fixMonth != 0);
    for (i = 0; i < n;) {
        uint32_t m = a[i].month, nMax = 0, bHas = 0;
        size_t e = i, kTop = i;
        while (e < n && a[e].month == m) {
            if (a[e].n > nMax) nMax = a[e].n, kTop = e;
            e++;
        }
        if (m > fixMonth) {
            for (j = i; j < e; j++) {
                size_t k;
                if (a[j].n * 2 < nMax) continue;
                for (k = 0; k < pl->nKb; k++)
                    if (pl->aKb[k] == a[j].kb && (bRollup || j == kTop)) bHas = 1;
            }
            if (!bHas)
                fail_msg("%s %s: no update of %04u-%02u in the catalog (largest KB%u)", zRule, os_family_key(fam),
                         (unsigned)(m / 100), (unsigned)(m % 100), (unsigned)a[kTop].kb);
            nMonth++;
        }
        i = e;
    }
    print_message("%s %s: %u months after the fix, each with its update\n", zRule, os_family_key(fam), (unsigned)nMonth);
    free(a);
}

static void test_cumulative_complete(void **state)
{
    t_ctx_t *c = *state;
    t_complete(c, "MS17-010", OS_FAM_7, 1, 0, 1);
    t_complete(c, "MS17-010", OS_FAM_2008R2, 1, 0, 1);
    t_complete(c, "MS17-010", OS_FAM_81, -1, 0, 1);
    t_complete(c, "MS17-010", OS_FAM_2012R2, -1, 0, 1);
    t_complete(c, "MS17-010", OS_FAM_2012, -1, 0, 1);
    t_complete(c, "MS17-010", OS_FAM_10, -1, 10240, 0);
    t_complete(c, "MS17-010", OS_FAM_10, -1, 10586, 0);
    t_complete(c, "MS17-010", OS_FAM_10, -1, 14393, 0);
    t_complete(c, "MS17-010", OS_FAM_2016, -1, 14393, 0);
    t_complete(c, "CVE-2019-0708", OS_FAM_7, 1, 0, 1);
    t_complete(c, "CVE-2019-0708", OS_FAM_2008R2, 1, 0, 1);
    t_complete(c, "CVE-2019-0708", OS_FAM_2008, 2, 0, 1);
}

/* Independent of the derivation: is KB kb, on the OS rows of family fam, only a side component
 * (Secure Boot, servicing stack, .NET, Internet Explorer) or does it lack any row there? Its
 * month (most of its rows) and whether it names superseded KBs go to *pMonth, *pbSup. */
static int t_side_only(const t_ctx_t *c, uint32_t kb, os_family_t fam, uint32_t *pMonth, int *pbSup)
{
    uint32_t aM[64], aN[64], nBest = 0;
    size_t i, j, nM = 0;
    int bCore = 0, bAny = 0;
    *pMonth = 0;
    *pbSup = 0;
    for (i = 0; i < c->d.nRow; i++) {
        const catgen_row_t *row = &c->d.aRow[i];
        const catgen_prod_t *pr = &c->d.aProd[row->prod];
        if (row->kb != kb || pr->kind != CATGEN_P_OS || pr->plat.family != fam) continue;
        bAny = 1;
        bCore |= !row->bSide && !row->bFlash;
        /* its month: the one most of its rows carry (a revised CVE re-dates a few) */
        for (j = 0; j < nM && aM[j] != row->date / 100; j++) {
        }
        if (j == nM && nM < 64) aM[nM] = row->date / 100, aN[nM++] = 0;
        if (j < nM && ++aN[j] > nBest) nBest = aN[j], *pMonth = aM[j];
        *pbSup |= row->nSup > 0;
    }
    return !bAny || !bCore;
}

/* A derived rule, written as a catalog of one rule, covers every release of a modern fleet. */
static void t_whole_rule_covers(const catgen_res_t *res, const char *zCve)
{
    static const struct {
        os_family_t fam;
        uint32_t build;
    } aRel[] = {{OS_FAM_10, 19044}, {OS_FAM_10, 19045}, {OS_FAM_11, 22000}, {OS_FAM_11, 22621}, {OS_FAM_11, 22631},
                {OS_FAM_11, 26100}, {OS_FAM_2016, 14393}, {OS_FAM_2019, 17763}, {OS_FAM_2022, 20348}, {OS_FAM_2025, 26100}};
    catgen_buf_t b;
    cat_t c;
    cat_err_t e;
    size_t i, j;
    memset(&b, 0, sizeof b);
    catgen_buf_printf(&b, "kbscat 1.3\nrule T\ntitle t\ncve %s\nref https://msrc.microsoft.com/\n", zCve);
    assert_int_equal(catgen_write_clauses(res, &b), KBS_OK);
    catgen_buf_printf(&b, "end\nend-catalog 1\n");
    if (cat_parse(b.z, b.n, zCve, &c, &e) != KBS_OK) fail_msg("%s: derived rule line %u: %s", zCve, e.line, e.zReason);
    for (i = 0; i < sizeof aRel / sizeof aRel[0]; i++) {
        const cat_rule_t *ru = &c.aRule[0];
        for (j = 0; j < ru->nPlat; j++) {
            const cat_plat_t *p = &ru->aPlat[j];
            if (p->family == aRel[i].fam && (!p->buildMin || (p->buildMin <= aRel[i].build &&
                                                              (!p->buildMax || aRel[i].build <= p->buildMax))))
                break;
        }
        if (j == ru->nPlat)
            fail_msg("%s: the derived rule has no clause for %s build %u", zCve, os_family_key(aRel[i].fam),
                     (unsigned)aRel[i].build);
    }
    cat_release(&c);
    catgen_buf_free(&b);
}

/* The done-when check of the emergency-day derive: for six CVEs outside the built-in catalog,
 * every derived clause lists only updates released on or after the fix (KB number at least the
 * first fixing KB's, the data's month at least the fix's unless the clause says the date was
 * overridden) and none that is not cumulative (KB4535680 / KB5012170 Secure Boot, KB5004951
 * security-only, side components; on rollup platforms after January 2023 only updates naming
 * the one before); each derived rule, whole, covers Windows 10 21H2 / 22H2, 11 and Server
 * 2016-2025. */
static void test_six_cves(void **state)
{
    static const char *const azCve[] = {"CVE-2022-21907", "CVE-2021-31166", "CVE-2020-16898",
                                        "CVE-2023-21554", "CVE-2022-34718", "CVE-2021-40444"};
    t_ctx_t *c = *state;
    size_t iCve, i, j, r, nChecked = 0;
    for (iCve = 0; iCve < sizeof azCve / sizeof azCve[0]; iCve++) {
        catgen_res_t res;
        catgen_err_t e;
        uint32_t idx;
        assert_int_equal(catgen_derive(&c->d, &azCve[iCve], 1, NULL, 0, &res, &e), KBS_OK);
        assert_true(res.nPlat > 0);
        assert_int_equal(catgen_find_str(c->d.pCve, azCve[iCve], &idx), KBS_OK);
        for (i = 0; i < res.nPlat; i++) {
            const catgen_pres_t *p = &res.aPlat[i];
            uint32_t fixKb = 0xffffffffu, fixMonth = 0xffffffffu;
            for (r = 0; r < c->d.nRow; r++) {
                const catgen_row_t *row = &c->d.aRow[r];
                const catgen_prod_t *pr = &c->d.aProd[row->prod];
                if (row->cve != idx || !row->kb || (pr->kind != CATGEN_P_OS && pr->kind != CATGEN_P_IE11) ||
                    pr->plat.family != p->plat.family ||
                    pr->plat.build != p->plat.build || (p->plat.sp >= 0 && pr->plat.sp != p->plat.sp))
                    continue;
                if (row->kb < fixKb) fixKb = row->kb;
            }
            if (fixKb == 0xffffffffu)
                fail_msg("%s %s sp %d build %u: no fix row", azCve[iCve], os_family_key(p->plat.family), p->plat.sp,
                         (unsigned)p->plat.build);
            /* The fix's month: the first month of the first fixing KB's rows (a revised CVE's rows
             * carry the revision's date, the update's own rows its release). */
            for (j = 0; j < p->nKb; j++) {
                uint32_t month = 0;
                int bSup = 0;
                if (p->aKb[j].how != CATGEN_HOW_FIX || p->aKb[j].dateData) continue;
                t_side_only(c, p->aKb[j].kb, p->plat.family, &month, &bSup);
                if (month && month < fixMonth) fixMonth = month;
            }
            for (j = 0; j < p->nKb; j++) {
                const catgen_kb_t *k = &p->aKb[j];
                uint32_t month = 0;
                int bSup = 0;
                if (k->kb == 4535680 || k->kb == 5012170 || k->kb == 5004951 ||
                    t_side_only(c, k->kb, p->plat.family, &month, &bSup))
                    fail_msg("%s %s build %u: KB%u is not a cumulative update", azCve[iCve], os_family_key(p->plat.family),
                             (unsigned)p->plat.build, (unsigned)k->kb);
                if (k->kb < fixKb)
                    fail_msg("%s %s build %u: KB%u is numbered before the first fix KB%u", azCve[iCve],
                             os_family_key(p->plat.family), (unsigned)p->plat.build, (unsigned)k->kb, (unsigned)fixKb);
                if (!k->dateData && fixMonth != 0xffffffffu && month < fixMonth)
                    fail_msg("%s %s: KB%u of %u is before the fix (%u)", azCve[iCve], os_family_key(p->plat.family),
                             (unsigned)k->kb, (unsigned)month, (unsigned)fixMonth);
                if (p->bCumulative && k->date / 100 > 202301 && k->how != CATGEN_HOW_FIX && !bSup &&
                    (p->plat.family == OS_FAM_7 || p->plat.family == OS_FAM_2008R2 || p->plat.family == OS_FAM_2008 ||
                     p->plat.family == OS_FAM_2012 || p->plat.family == OS_FAM_2012R2 || p->plat.family == OS_FAM_81))
                    fail_msg("%s %s: KB%u names no earlier update (a security-only one?)", azCve[iCve],
                             os_family_key(p->plat.family), (unsigned)k->kb);
                nChecked++;
            }
        }
        t_whole_rule_covers(&res, azCve[iCve]);
        catgen_res_release(&res);
    }
    print_message("%u derived KB lines checked\n", (unsigned)nChecked);
    assert_true(nChecked > 500);
}

/* The derive writes each Windows 10+ build clause's ubr= from the KB-to-build table: for
 * CVE-2022-21907 the January 2022 cumulative updates (KB5009543 for 20H2 / 21H1 / 21H2, whose
 * table entry is 19044.1466; KB5009555 for Server 2022; KB5009566 for Windows 11 21H2). */
static void test_derive_ubr(void **state)
{
    static const struct {
        uint32_t build, kb;
    } aWant[] = {
        {19042, 5009543}, {19043, 5009543}, {19044, 5009543}, {20348, 5009555}, {22000, 5009566}};
    static const char *const azCve[] = {"CVE-2022-21907"};
    t_ctx_t *c = *state;
    catgen_res_t res;
    catgen_err_t e;
    catgen_buf_t b;
    size_t i, j, nSeen = 0;
    assert_int_equal(kbbuild_ubr(5009543, 19044), 1466);
    assert_int_equal(catgen_derive(&c->d, azCve, 1, NULL, 0, &res, &e), KBS_OK);
    memset(&b, 0, sizeof b);
    assert_int_equal(catgen_write_clauses(&res, &b), KBS_OK);
    catgen_buf_printf(&b, "%c", 0);
    for (i = 0; i < sizeof aWant / sizeof aWant[0]; i++) {
        uint32_t want = kbbuild_ubr(aWant[i].kb, aWant[i].build);
        char zWant[64];
        assert_true(want > 0);
        for (j = 0; j < res.nPlat; j++) {
            uint32_t kb = 0;
            if (res.aPlat[j].plat.build != aWant[i].build) continue;
            if (catgen_pres_ubr(&res.aPlat[j], &kb) != want || kb != aWant[i].kb)
                fail_msg("%s build %u: ubr=%u from KB%u, want %u from KB%u",
                         os_family_key(res.aPlat[j].plat.family), (unsigned)aWant[i].build,
                         (unsigned)catgen_pres_ubr(&res.aPlat[j], NULL), (unsigned)kb,
                         (unsigned)want, (unsigned)aWant[i].kb);
            nSeen++;
        }
        snprintf(zWant, sizeof zWant, " build=%u ubr=%u\n", (unsigned)aWant[i].build,
                 (unsigned)want);
        if (!strstr(b.z, zWant)) fail_msg("no '%s' in the derived rule:\n%s", zWant, b.z);
    }
    assert_true(nSeen >= sizeof aWant / sizeof aWant[0]);
    catgen_buf_free(&b);
    catgen_res_release(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regenerates),         cmocka_unit_test(test_every_kb_justified),
        cmocka_unit_test(test_cumulative_complete), cmocka_unit_test(test_six_cves),
        cmocka_unit_test(test_derive_ubr),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
