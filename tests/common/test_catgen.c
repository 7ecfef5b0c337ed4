/* test_catgen.c: the MSRC data reader, product names, the derivation, zip files of it (the zip
 * reader itself: test_zip.c) and the overlay build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <pthread.h>
#endif

#include "../t_file.h"
#include "cat.h"
#include "catgen.h"
#include "catgen_int.h"
#include "kbbuild.h"
#include "kbs_err.h"

static char *t_read(const char *zName, size_t *pn)
{
    char zPath[512], *z;
    snprintf(zPath, sizeof zPath, "%s/catgen/%s", KBS_TEST_DATA, zName);
    z = t_file_read(zPath, pn);
    assert_non_null(z);
    return z;
}

static void test_products(void **state)
{
    static const struct {
        const char *zName;
        catgen_pkind_t kind;
        os_family_t fam;
        int sp;
        uint32_t build;
        os_arch_t arch;
    } a[] = {
        {"Windows 7 for x64-based Systems Service Pack 1", CATGEN_P_OS, OS_FAM_7, 1, 0, OS_ARCH_X64},
        {"Windows 7 for 32-bit Systems", CATGEN_P_OS, OS_FAM_7, 0, 0, OS_ARCH_X86},
        {"Windows Server 2008 R2 for x64-based Systems Service Pack 1 (Server Core installation)", CATGEN_P_OS,
         OS_FAM_2008R2, 1, 0, OS_ARCH_X64},
        {"Windows Server 2008 for Itanium-Based Systems Service Pack 2", CATGEN_P_OS, OS_FAM_2008, 2, 0, OS_ARCH_IA64},
        {"Windows Server 2008 for 32-bit Systems", CATGEN_P_OS, OS_FAM_2008, 1, 0, OS_ARCH_X86},
        {"Microsoft Windows XP Professional x64 Edition Service Pack 2", CATGEN_P_OS, OS_FAM_XP64, 2, 0, OS_ARCH_X64},
        {"Microsoft Windows XP Service Pack 3", CATGEN_P_OS, OS_FAM_XP, 3, 0, OS_ARCH_X86},
        {"Microsoft Windows Server 2003 x64 Edition Service Pack 2", CATGEN_P_OS, OS_FAM_2003, 2, 0, OS_ARCH_X64},
        {"Windows Vista x64 Edition Service Pack 2", CATGEN_P_OS, OS_FAM_VISTA, 2, 0, OS_ARCH_X64},
        {"Windows 8.1 for x64-based systems", CATGEN_P_OS, OS_FAM_81, -1, 0, OS_ARCH_X64},
        {"Windows Server 2012 R2 (server core installation)", CATGEN_P_OS, OS_FAM_2012R2, -1, 0, OS_ARCH_X64},
        {"Windows Server 2012", CATGEN_P_OS, OS_FAM_2012, -1, 0, OS_ARCH_X64},
        {"Windows 10 for 32-bit Systems", CATGEN_P_OS, OS_FAM_10, -1, 10240, OS_ARCH_X86},
        {"Windows 10 Version 1607 for x64-based Systems  ", CATGEN_P_OS, OS_FAM_10, -1, 14393, OS_ARCH_X64},
        {"Windows 10 Version 22H2 for ARM64-based Systems", CATGEN_P_OS, OS_FAM_10, -1, 19045, OS_ARCH_ARM64},
        {"Windows 11 Version 24H2 for x64-based Systems", CATGEN_P_OS, OS_FAM_11, -1, 26100, OS_ARCH_X64},
        {"Windows Server 2016  ", CATGEN_P_OS, OS_FAM_2016, -1, 14393, OS_ARCH_X64},
        {"Windows Server 2022, 23H2 Edition (Server Core installation)", CATGEN_P_OS, OS_FAM_SERVER_SAC, -1, 25398,
         OS_ARCH_X64},
        {"Windows Server, version 1803 (Server Core Installation)", CATGEN_P_OS, OS_FAM_SERVER_SAC, -1, 17134, OS_ARCH_X64},
        {"Internet Explorer 11 on Windows Server 2016", CATGEN_P_IE11, OS_FAM_2016, -1, 14393, OS_ARCH_X64},
        {"Internet Explorer 10 on Windows Server 2012", CATGEN_P_IE11, OS_FAM_2012, -1, 0, OS_ARCH_X64},
        {"Windows RT 8.1", CATGEN_P_UNTRACKED, OS_FAM_UNKNOWN, 0, 0, OS_ARCH_UNKNOWN},
        {"Windows 10 Version 1809 for HoloLens", CATGEN_P_UNTRACKED, OS_FAM_UNKNOWN, 0, 0, OS_ARCH_UNKNOWN},
        {"Windows 11 Version 26H1 for x64-based Systems - extra", CATGEN_P_UNTRACKED, OS_FAM_UNKNOWN, 0, 0, OS_ARCH_UNKNOWN},
        {"Adobe Flash Player on Windows 10 for x64-based Systems", CATGEN_P_OTHER, OS_FAM_UNKNOWN, 0, 0, OS_ARCH_UNKNOWN},
        {"Microsoft .NET Framework 3.5 on Windows Server 2012", CATGEN_P_OTHER, OS_FAM_UNKNOWN, 0, 0, OS_ARCH_UNKNOWN},
        {"CBL Mariner 2.0 x64", CATGEN_P_OTHER, OS_FAM_UNKNOWN, 0, 0, OS_ARCH_UNKNOWN},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        catgen_plat_t p;
        catgen_pkind_t k = catgen_product(a[i].zName, &p);
        if (k != a[i].kind) fail_msg("%s: kind %d, want %d", a[i].zName, (int)k, (int)a[i].kind);
        if (k != CATGEN_P_OS && k != CATGEN_P_IE11) continue;
        if (p.family != a[i].fam || p.sp != a[i].sp || p.build != a[i].build || p.arch != a[i].arch)
            fail_msg("%s: %s sp %d build %u arch %d", a[i].zName, os_family_key(p.family), p.sp,
                     (unsigned)p.build, (int)p.arch);
    }
}

/* Bad data: each case must fail with its reason on the right line. */
static void test_reader_errors(void **state)
{
    static const char zH[] = "\"DatePosted\",\"CVE\",\"BulletinKB\",\"Title\",\"AffectedProduct\","
                             "\"AffectedComponent\",\"Severity\",\"Impact\",\"Supersedes\",\"Exploits\"\n";
    static const char zRow[] = "\"20170314\",\"CVE-2017-0144\",\"4012212\",\"t\",\"Windows 7 for "
                               "x64-based Systems Service Pack 1\",\"\",\"\",\"\",\"\",\n";
    struct {
        const char *zBody;
        int rc;
        unsigned line;
        const char *zWhy;
    } a[] = {
        {"\"DatePosted\",\"CVE\",\"BulletinKB\",\"AffectedProduct\"\n", KBS_EPARSE, 1, "missing column 'AffectedComponent'"},
        {"", KBS_EPARSE, 0, "empty"},
        {"#ROW#\"20170314\",\"CVE-2017-0144\",\"4012212\n", KBS_EPARSE, 3, "unclosed quote"},
        {"#ROW#\"20170314\",\"CVE-2017-0144\",\"4012212\"\n", KBS_EPARSE, 3, "3 fields, the header has 10"},
        {"#ROW#\"2017031\",\"CVE\",\"1\",\"t\",\"p\",\"\",\"\",\"\",\"\",\n", KBS_EPARSE, 3, "not YYYYMMDD"},
        {"#ROW#\"20171399\",\"CVE\",\"1\",\"t\",\"p\",\"\",\"\",\"\",\"\",\n", KBS_EPARSE, 3, "not YYYYMMDD"},
        {"#ROW#\"20170314\",\"CVE\",\"1\",\"t\",\"p\"x,\"\",\"\",\"\",\"\",\n", KBS_EPARSE, 3, "after a closing quote"},
        {"#ROW#\"20170314\",\"CVE\",\"1\",\"t\",\"p\",\"\",\"\",\"\",\"\",\n\"2017\0", KBS_EPARSE, 4, "NUL byte"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        char z[2048];
        size_t n = 0;
        catgen_data_t d;
        catgen_err_t e;
        int rc;
        const char *zB = a[i].zBody;
        size_t nB = strlen(zB);
        if (i == sizeof a / sizeof a[0] - 1) nB = strlen(zB) + 2; /* the NUL, and the literal's own */
        if (a[i].line != 1 && a[i].line != 0) {
            n = (size_t)snprintf(z, sizeof z, "%s", zH);
            if (!strncmp(zB, "#ROW#", 5)) {
                n += (size_t)snprintf(z + n, sizeof z - n, "%s", zRow);
                zB += 5, nB -= 5;
            }
        }
        memcpy(z + n, zB, nB);
        n += nB;
        rc = catgen_data_read(z, n, "t.csv", &d, &e);
        if (rc != a[i].rc || e.line != a[i].line || !strstr(e.zReason, a[i].zWhy))
            fail_msg("case %u: rc %d line %u '%s'", (unsigned)i, rc, e.line, e.zReason);
        assert_int_equal(d.nRow, 0);
        catgen_data_release(&d);
    }
    {
        /* A field past the limit. */
        size_t nBig = CATGEN_FIELD_MAX + 10, n;
        char *zBig = malloc(sizeof zH + nBig + 64);
        catgen_data_t d;
        catgen_err_t e;
        assert_non_null(zBig);
        n = (size_t)sprintf(zBig, "%s\"20170314\",\"", zH);
        memset(zBig + n, 'A', nBig);
        n += nBig;
        n += (size_t)sprintf(zBig + n, "\",\"1\",\"t\",\"p\",\"\",\"\",\"\",\"\",\n");
        assert_int_equal(catgen_data_read(zBig, n, "t.csv", &d, &e), KBS_ETOOBIG);
        assert_int_equal(e.line, 2);
        assert_non_null(strstr(e.zReason, "longer than"));
        free(zBig);
    }
}

static const catgen_pres_t *t_plat(const catgen_res_t *r, os_family_t fam)
{
    size_t i;
    for (i = 0; i < r->nPlat; i++)
        if (r->aPlat[i].plat.family == fam) return &r->aPlat[i];
    return NULL;
}

static void t_expect(const catgen_pres_t *p, const uint32_t *aKb, size_t n)
{
    size_t i;
    assert_non_null(p);
    if (p->nKb != n) fail_msg("%s: %u KBs, want %u", os_family_key(p->plat.family), (unsigned)p->nKb, (unsigned)n);
    for (i = 0; i < n; i++)
        if (p->aKb[i].kb != aKb[i]) fail_msg("KB %u at %u, want %u", (unsigned)p->aKb[i].kb, (unsigned)i, (unsigned)aKb[i]);
}

/* Reads tests/data/catgen/zFile and derives azCve from it: *pd and *pr to release. */
static void t_derive_file(const char *zFile, const char *const *azCve, size_t nCve, catgen_data_t *pd,
                          catgen_res_t *pr)
{
    catgen_err_t e;
    size_t n;
    char *z = t_read(zFile, &n);
    assert_int_equal(catgen_data_read(z, n, zFile, pd, &e), KBS_OK);
    free(z);
    if (catgen_derive(pd, azCve, nCve, NULL, 0, pr, &e) != KBS_OK) fail_msg("%s: %u: %s", zFile, e.line, e.zReason);
}

static void t_derive_mini(const catgen_data_t *d)
{
    static const char *const azCve[] = {"CVE-2017-0144"};
    /* 1607: the fix, its successor, the IE-filed update that supersedes it, the month's large
     * update after the chain breaks, its successor; not the Flash update, not the small one. */
    static const uint32_t a10[] = {1000001, 1000002, 1000022, 1000003, 1000005};
    /* Windows 7: both fixes of March, April's rollup (chain), May's rollup (IE11 names it),
     * June's rollup (chain again); no later security-only update. */
    static const uint32_t a7[] = {2000001, 2000101, 2000002, 2000003, 2000004};
    catgen_res_t r;
    catgen_err_t e;
    catgen_buf_t b;
    size_t i;
    int bRt = 0;
    assert_int_equal(catgen_derive(d, azCve, 1, NULL, 0, &r, &e), KBS_OK);
    t_expect(t_plat(&r, OS_FAM_10), a10, 5);
    t_expect(t_plat(&r, OS_FAM_2016), a10, 5);
    t_expect(t_plat(&r, OS_FAM_7), a7, 5);
    assert_int_equal(t_plat(&r, OS_FAM_10)->aKb[3].how, CATGEN_HOW_MONTHLY);
    assert_int_equal(t_plat(&r, OS_FAM_7)->aKb[3].how, CATGEN_HOW_IE11);
    assert_int_equal(t_plat(&r, OS_FAM_7)->aKb[2].how, CATGEN_HOW_SUPERSEDES);
    assert_int_equal(t_plat(&r, OS_FAM_7)->aKb[2].kbFrom, 2000001);
    for (i = 0; i < r.nNote; i++) bRt |= strstr(r.aNote[i].zText, "Windows RT 8.1") != NULL;
    assert_true(bRt); /* reported, not dropped silently */
    memset(&b, 0, sizeof b);
    assert_int_equal(catgen_write_clauses(&r, &b), KBS_OK);
    catgen_buf_printf(&b, "%c", 0);
    assert_non_null(strstr(
        b.z, "fix 10,2016 build=14393\n  # no ubr=: the KB-to-build table (kbbuild.tsv) knows none "
             "of these KBs for build 14393\n  kb 1000001  # 2017-03-14 fix listed for the CVE\n"));
    assert_non_null(strstr(b.z, "  kb 2000003  # 2017-05-09 rollup of the month (also listed for IE11"));
    assert_non_null(strstr(b.z, "fix 7 sp=1\n"));
    assert_null(strstr(b.z, "2000102"));
    assert_null(strstr(b.z, "1000090"));
    assert_null(strstr(b.z, "1000004"));
    catgen_buf_free(&b);
    catgen_res_release(&r);
    /* Without the IE11 clue the month is reported, not guessed. */
}

static void test_derive(void **state)
{
    catgen_data_t d;
    catgen_err_t e;
    size_t n;
    char *z = t_read("mini.csv", &n);
    (void)state;
    assert_int_equal(catgen_data_read(z, n, "mini.csv", &d, &e), KBS_OK);
    assert_int_equal(d.dateMax, 20170613);
    t_derive_mini(&d);
    {
        static const char *const azNo[] = {"CVE-1999-0001"};
        catgen_res_t r;
        assert_int_equal(catgen_derive(&d, azNo, 1, NULL, 0, &r, &e), KBS_ENOTFOUND);
        assert_non_null(strstr(e.zReason, "no row"));
        catgen_res_release(&r);
    }
    catgen_data_release(&d);
    free(z);
}

/* Windows 10: an out-of-band fix no later update names is still in every later cumulative
 * update. Server 2008: a standalone fix and its standalone successor, no rollup of later months. */
static void test_out_of_band(void **state)
{
    static const char *const azCve[] = {"CVE-2020-0796", "CVE-2017-0144"};
    static const uint32_t a10[] = {5000001, 5000002, 5000003};
    static const uint32_t a08[] = {6000001, 6000002};
    catgen_data_t d;
    catgen_res_t r;
    (void)state;
    t_derive_file("oob.csv", azCve, 2, &d, &r);
    t_expect(t_plat(&r, OS_FAM_10), a10, 3);
    assert_int_equal(t_plat(&r, OS_FAM_10)->aKb[1].how, CATGEN_HOW_MONTHLY);
    t_expect(t_plat(&r, OS_FAM_2008), a08, 2);
    catgen_res_release(&r);
    catgen_data_release(&d);
}

static void test_zip(void **state)
{
    static const struct {
        const char *zFile;
        int rc;
    } a[] = {{"mini.zip", KBS_OK},         {"mini-stored.zip", KBS_OK},   {"truncated.zip", KBS_EPARSE},
             {"corrupt.zip", -1},          {"nocsv.zip", KBS_ENOTFOUND}, {"mini.csv", KBS_OK}};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        size_t n;
        char *z = t_read(a[i].zFile, &n);
        catgen_data_t d;
        catgen_err_t e;
        int rc = catgen_data_load((const unsigned char *)z, n, a[i].zFile, &d, &e);
        if (a[i].rc == -1 ? (rc != KBS_ECHECKSUM && rc != KBS_EPARSE) : rc != a[i].rc)
            fail_msg("%s: rc %d (%s)", a[i].zFile, rc, e.zReason);
        if (rc == KBS_OK) {
            assert_int_equal(d.nRow, 38);
            if (strstr(a[i].zFile, ".zip")) assert_non_null(strstr(d.zSource, ":CVEs_20990101.csv"));
            t_derive_mini(&d);
        } else {
            assert_true(e.zReason[0] != 0);
        }
        catgen_data_release(&d);
        free(z);
    }
}

static void test_loop(void **state)
{
    static const char *const azCve[] = {"CVE-2017-0144"};
    catgen_data_t d;
    catgen_err_t e;
    catgen_res_t r;
    size_t n;
    char *z = t_read("loop.csv", &n);
    (void)state;
    assert_int_equal(catgen_data_read(z, n, "loop.csv", &d, &e), KBS_OK);
    assert_int_equal(catgen_derive(&d, azCve, 1, NULL, 0, &r, &e), KBS_EPARSE);
    assert_non_null(strstr(e.zReason, "loop in Supersedes"));
    assert_true(e.line == 2 || e.line == 3);
    catgen_res_release(&r);
    catgen_data_release(&d);
    free(z);
}

static void test_build(void **state)
{
    static const char zOv[] = "kbscat 1.1\n"
                              "rule MS17-010\n"
                              "title t\n"
                              "cve CVE-2017-0144\n"
                              "ref https://example.invalid/\n"
                              "fix 7,2008r2 sp=1 file=srv.sys ver=6.1.7601.23689 kb=data\n"
                              "  kb 3125574  # overlay: reference\n"
                              "fix 10,2016 build=14393 ubr=953 kb=data note=\"x\"\n"
                              "not-affected 11 note=\"shipped with the fix\"\n"
                              "end\n"
                              "end-catalog 1\n";
    catgen_data_t d;
    catgen_err_t e;
    catgen_buf_t out, notes;
    cat_t c;
    size_t n;
    char *z = t_read("mini.csv", &n);
    (void)state;
    assert_int_equal(catgen_data_read(z, n, "mini.csv", &d, &e), KBS_OK);
    memset(&out, 0, sizeof out);
    memset(&notes, 0, sizeof notes);
    /* 2008r2 has no data here: the overlay claims data it does not have. */
    assert_int_equal(catgen_build(&d, zOv, sizeof zOv - 1, "ov", &out, &notes, &e), KBS_EPARSE);
    assert_int_equal(e.line, 6);
    assert_non_null(strstr(e.zReason, "no fixing KB for '2008r2'"));
    catgen_buf_free(&out);
    catgen_buf_free(&notes);
    {
        char zOk[sizeof zOv];
        char *zAt;
        memcpy(zOk, zOv, sizeof zOv);
        zAt = strstr(zOk, "7,2008r2 sp=1");
        memcpy(zAt, "7 sp=1       ", 13);
        assert_int_equal(catgen_build(&d, zOk, sizeof zOk - 1, "ov", &out, &notes, &e), KBS_OK);
        catgen_buf_printf(&out, "%c", 0);
        catgen_buf_printf(&notes, "%c", 0);
        assert_non_null(strstr(out.z, "kbscat 1.1\ndata-date 2017-06-13\n"));
        assert_non_null(strstr(out.z, "fix 7 sp=1        file=srv.sys ver=6.1.7601.23689\n  kb 2000001 "));
        assert_non_null(strstr(out.z, "fix 10,2016 build=14393 ubr=953 note=\"x\"\n  kb 1000001 "));
        assert_non_null(strstr(out.z, "  kb 3125574  # overlay: reference\n"));
        assert_non_null(strstr(notes.z, "Windows RT 8.1"));
        assert_int_equal(cat_parse(out.z, out.n - 1, "built", &c, NULL), KBS_OK);
        assert_string_equal(c.zDataDate, "2017-06-13");
        assert_int_equal(c.aRule[0].aPlat[0].nKb, 6);
        cat_release(&c);
        catgen_buf_free(&out);
        catgen_buf_free(&notes);
        /* A hand kb line without its reference is refused. */
        zAt = strstr(zOk, "  # overlay: reference");
        memset(zAt, ' ', strlen("  # overlay: reference"));
        assert_int_equal(catgen_build(&d, zOk, sizeof zOk - 1, "ov", &out, &notes, &e), KBS_EPARSE);
        assert_int_equal(e.line, 7);
        catgen_buf_free(&out);
        catgen_buf_free(&notes);
    }
    catgen_data_release(&d);
    free(z);
}

/* The traps of Microsoft's data (tests/data/catgen/traps.csv, made after the real cases): an
 * out-of-band update re-dated two years late (KB5004945), a Secure Boot update listed across
 * Windows lines (KB5012170), a security-only update claiming to supersede a rollup (KB5004951). */
static void test_traps(void **state)
{
    static const char *const azHttp[] = {"CVE-2022-21907"}, *const azZl[] = {"CVE-2020-1472"},
                             *const azPn[] = {"CVE-2021-34527"};
    static const uint32_t aHttp[] = {7000400, 7000500, 7000700, 7000800, 7000900};
    static const uint32_t aZl[] = {8000100, 8000110, 8000200, 8000300, 8000400};
    static const uint32_t aPn[] = {8000250, 8000260, 8000300, 8000400};
    catgen_data_t d;
    catgen_err_t e;
    catgen_res_t r;
    catgen_buf_t b;
    size_t n, i;
    char *z = t_read("traps.csv", &n);
    (void)state;
    assert_int_equal(catgen_data_read(z, n, "traps.csv", &d, &e), KBS_OK);
    /* Nothing before January 2022, no Secure Boot update, for 20H2 out of support since (21H1
     * to 22H2 rows of 2023 are the same package's and join from the data's later months). */
    assert_int_equal(catgen_derive(&d, azHttp, 1, NULL, 0, &r, &e), KBS_OK);
    t_expect(t_plat(&r, OS_FAM_10), aHttp, 5);
    catgen_res_release(&r);
    /* The security-only update that names the June rollup does not carry May's fix. */
    assert_int_equal(catgen_derive(&d, azZl, 1, NULL, 0, &r, &e), KBS_OK);
    t_expect(t_plat(&r, OS_FAM_2008R2), aZl, 5);
    catgen_res_release(&r);
    /* The re-dated fix is placed by KB order (before KB8000300 of July 2021): the rollups after
     * it join, and the clause says the data's date was overridden. */
    assert_int_equal(catgen_derive(&d, azPn, 1, NULL, 0, &r, &e), KBS_OK);
    t_expect(t_plat(&r, OS_FAM_2008R2), aPn, 4);
    for (i = 0; i < 2; i++) {
        assert_int_equal(t_plat(&r, OS_FAM_2008R2)->aKb[i].dateData, 20230613);
        assert_int_equal(t_plat(&r, OS_FAM_2008R2)->aKb[i].date, 20210713);
    }
    memset(&b, 0, sizeof b);
    assert_int_equal(catgen_write_clauses(&r, &b), KBS_OK);
    assert_non_null(strstr(b.z, "kb 8000250  # 2021-07-13 or before (the data says 2023-06-13; KB8000300 of 2021-07-13 has a higher number)"));
    catgen_buf_free(&b);
    catgen_res_release(&r);
    catgen_data_release(&d);
    free(z);
}

/* A CVE whose rows name no Windows release: an error alone, a note beside another CVE. */
static void test_no_windows_row(void **state)
{
    static const char *const azOffice[] = {"CVE-2022-60"}, *const azBoth[] = {"CVE-2022-21907", "CVE-2022-60"};
    catgen_data_t d;
    catgen_res_t r;
    catgen_err_t e;
    size_t n, i;
    int bNote = 0;
    char *z = t_read("traps.csv", &n);
    (void)state;
    assert_int_equal(catgen_data_read(z, n, "traps.csv", &d, &e), KBS_OK);
    free(z);
    assert_int_equal(catgen_derive(&d, azOffice, 1, NULL, 0, &r, &e), KBS_ENOTFOUND);
    assert_non_null(strstr(e.zReason, "no Windows row with a KB for CVE-2022-60"));
    catgen_res_release(&r);
    assert_int_equal(catgen_derive(&d, azBoth, 2, NULL, 0, &r, &e), KBS_OK);
    for (i = 0; i < r.nNote; i++) bNote |= strstr(r.aNote[i].zText, "CVE-2022-60: no Windows release") != NULL;
    assert_true(bNote);
    assert_non_null(t_plat(&r, OS_FAM_10));
    catgen_res_release(&r);
    catgen_data_release(&d);
}

/* One package serves Windows 10 21H2 and 22H2: an update the data lists under 21H2 only is
 * 22H2's too (KB5087544 of May 2026). */
static void test_one_package(void **state)
{
    static const char *const azCve[] = {"CVE-2023-50"};
    static const uint32_t a[] = {7000800, 7000900};
    catgen_data_t d;
    catgen_res_t r;
    size_t i;
    (void)state;
    t_derive_file("traps.csv", azCve, 1, &d, &r);
    for (i = 0; i < r.nPlat; i++) {
        assert_int_equal(r.aPlat[i].plat.family, OS_FAM_10);
        t_expect(&r.aPlat[i], a, 2);
    }
    assert_int_equal(r.nPlat, 2);
    catgen_res_release(&r);
    catgen_data_release(&d);
}

/* The derive's `ubr=` comes from the KB-to-build table: KB5009543 (known there for 19044) gives
 * the 21H2 clause its UBR; a Server 2016 fix the table does not know gives no ubr= and a comment
 * saying so, and a later KB the table knows does not stand in for the unknown first fix unsaid. */
static void test_ubr_from_table(void **state)
{
    static const char zCsv[] = "\"DatePosted\",\"CVE\",\"BulletinKB\",\"Title\","
                               "\"AffectedProduct\",\"AffectedComponent\",\"Severity\","
                               "\"Impact\",\"Supersedes\",\"Exploits\"\n"
                               "\"20220111\",\"CVE-2022-21907\",\"5009543\",\"t\",\"Windows 10 "
                               "Version 21H2 for x64-based Systems\",\"\",\"\",\"\",\"\",\n"
                               "\"20220111\",\"CVE-2022-21907\",\"1234567\",\"t\",\"Windows Server "
                               "2016\",\"\",\"\",\"\",\"\",\n"
                               "\"20220111\",\"CVE-2022-21907\",\"1234568\",\"t\",\"Windows Server "
                               "2019\",\"\",\"\",\"\",\"\",\n"
                               "\"20220208\",\"CVE-2022-22000\",\"5010351\",\"t\",\"Windows Server "
                               "2019\",\"\",\"\",\"\",\"1234568\",\n";
    static const char *const azCve[] = {"CVE-2022-21907"};
    uint32_t u21h2 = kbbuild_ubr(5009543, 19044), u2019 = kbbuild_ubr(5010351, 17763), kb = 0;
    catgen_data_t d;
    catgen_res_t r;
    catgen_err_t e;
    catgen_buf_t b;
    char zWant[160];
    size_t i;
    (void)state;
    assert_true(u21h2 > 0 && u2019 > 0);
    assert_int_equal(kbbuild_ubr(1234567, 14393), 0);
    assert_int_equal(catgen_data_read(zCsv, sizeof zCsv - 1, "ubr.csv", &d, &e), KBS_OK);
    assert_int_equal(catgen_derive(&d, azCve, 1, NULL, 0, &r, &e), KBS_OK);
    for (i = 0; i < r.nPlat; i++) {
        const catgen_pres_t *p = &r.aPlat[i];
        if (p->plat.family == OS_FAM_10 && p->plat.build == 19044) {
            assert_int_equal(catgen_pres_ubr(p, &kb), u21h2);
            assert_int_equal(kb, 5009543);
        }
    }
    assert_int_equal(catgen_pres_ubr(t_plat(&r, OS_FAM_2016), &kb), 0);
    assert_int_equal(kb, 0);
    memset(&b, 0, sizeof b);
    assert_int_equal(catgen_write_clauses(&r, &b), KBS_OK);
    catgen_buf_printf(&b, "%c", 0);
    snprintf(zWant, sizeof zWant,
             "build=19044 ubr=%u\n  # ubr=%u: KB5009543 gives 19044.%u (kbbuild.tsv)\n",
             (unsigned)u21h2, (unsigned)u21h2, (unsigned)u21h2);
    if (!strstr(b.z, zWant)) fail_msg("no '%s' in\n%s", zWant, b.z);
    assert_non_null(strstr(
        b.z, "fix 2016 build=14393\n  # no ubr=: the KB-to-build table (kbbuild.tsv) knows none of "
             "these KBs for build 14393\n  kb 1234567 "));
    snprintf(zWant, sizeof zWant,
             "build=17763 ubr=%u\n  # ubr=%u: KB5010351 gives 17763.%u (kbbuild.tsv); the table "
             "does not know the first fix KB1234568 for this build\n",
             (unsigned)u2019, (unsigned)u2019, (unsigned)u2019);
    if (!strstr(b.z, zWant)) fail_msg("no '%s' in\n%s", zWant, b.z);
    catgen_buf_free(&b);
    catgen_res_release(&r);
    catgen_data_release(&d);
}

/* A Supersedes chain of 90,000 KBs (one day, each superseding the next higher KB: the order
 * that made the closure quadratic) derived on a thread with a 256 KiB stack: the loop check
 * must not recurse once per KB. */
#define T_CHAIN 90000u
static int t_chain_rc = -99;
static size_t t_chain_n;
static void t_chain_run(void)
{
    static const char zH[] = "\"DatePosted\",\"CVE\",\"BulletinKB\",\"Title\",\"AffectedProduct\","
                             "\"AffectedComponent\",\"Severity\",\"Impact\",\"Supersedes\",\"Exploits\"\n";
    static const char *const azCve[] = {"CVE-2017-0144"};
    size_t nCap = sizeof zH + (size_t)T_CHAIN * 128, n, i;
    char *z = malloc(nCap);
    catgen_data_t d;
    catgen_err_t e;
    catgen_res_t r;
    if (!z) return;
    n = (size_t)snprintf(z, nCap, "%s", zH);
    for (i = 0; i < T_CHAIN; i++)
        n += (size_t)snprintf(z + n, nCap - n, "\"20170314\",\"%s\",\"%u\",\"t\",\"Windows 10 Version 1607 for x64-based "
                              "Systems\",\"k\",\"\",\"\",\"%u\",\n", i == T_CHAIN - 1 ? "CVE-2017-0144" : "CVE-2017-1",
                              (unsigned)(1000000 + i), (unsigned)(1000000 + i + 1));
    if (catgen_data_read(z, n, "chain.csv", &d, &e) == KBS_OK) {
        t_chain_rc = catgen_derive(&d, azCve, 1, NULL, 0, &r, &e);
        if (t_chain_rc == KBS_OK && r.nPlat == 1) t_chain_n = r.aPlat[0].nKb;
        catgen_res_release(&r);
        catgen_data_release(&d);
    }
    free(z);
}
#ifdef _WIN32
static DWORD WINAPI t_chain_thread(LPVOID p)
{
    (void)p;
    t_chain_run();
    return 0;
}
#else
static void *t_chain_thread(void *p)
{
    (void)p;
    t_chain_run();
    return NULL;
}
#endif

static void test_long_chain(void **state)
{
    (void)state;
#ifdef _WIN32
    {
        HANDLE h = CreateThread(NULL, 256 * 1024, t_chain_thread, NULL, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
        assert_non_null(h);
        WaitForSingleObject(h, INFINITE);
        CloseHandle(h);
    }
#else
    {
        pthread_t th;
        pthread_attr_t at;
        assert_int_equal(pthread_attr_init(&at), 0);
        assert_int_equal(pthread_attr_setstacksize(&at, 256 * 1024), 0);
        assert_int_equal(pthread_create(&th, &at, t_chain_thread, NULL), 0);
        assert_int_equal(pthread_join(th, NULL), 0);
        pthread_attr_destroy(&at);
    }
#endif
    assert_int_equal(t_chain_rc, KBS_OK);
    assert_int_equal(t_chain_n, T_CHAIN);
}

/* A derived rule as a whole catalog of one rule: parsed as any catalog. */
static void t_whole_cat(const catgen_res_t *r, cat_t *c)
{
    catgen_buf_t b;
    cat_err_t e;
    memset(&b, 0, sizeof b);
    catgen_buf_printf(&b, "kbscat 1.2\nrule T-1\ntitle t\ncve CVE-2022-21907\nref https://msrc.microsoft.com/\n");
    assert_int_equal(catgen_write_clauses(r, &b), KBS_OK);
    catgen_buf_printf(&b, "end\nend-catalog 1\n");
    if (cat_parse(b.z, b.n, "derived", c, &e) != KBS_OK) fail_msg("derived rule: line %u: %s\n%s", e.line, e.zReason, b.z);
    catgen_buf_free(&b);
}

/* The kind of the first clause of rule 0 for a release, -1 when none covers it. */
static int t_kind_for(const cat_t *c, os_family_t fam, int sp, uint32_t build)
{
    size_t i;
    const cat_rule_t *ru = &c->aRule[0];
    for (i = 0; i < ru->nPlat; i++) {
        const cat_plat_t *p = &ru->aPlat[i];
        if (p->family != fam) continue;
        if (p->spMin >= 0 && (sp < p->spMin || (p->spMax >= 0 && sp > p->spMax))) continue;
        if (p->buildMin && (build < p->buildMin || (p->buildMax && build > p->buildMax))) continue;
        return (int)p->kind;
    }
    return -1;
}

/* Item 3: derive writes whole rules: every release the data knows gets a clause. 22H2 shipped
 * after the fix; 1511's last update is older than it; 1607 has no update of its own
 * in the data (only a Secure Boot one) and is left undecided. */
static void test_whole_rule(void **state)
{
    static const char *const azHttp[] = {"CVE-2022-21907"};
    catgen_data_t d;
    catgen_res_t r;
    cat_t c;
    (void)state;
    t_derive_file("traps.csv", azHttp, 1, &d, &r);
    t_whole_cat(&r, &c);
    assert_int_equal(t_kind_for(&c, OS_FAM_10, -1, 19042), CAT_KIND_FIX);
    assert_int_equal(t_kind_for(&c, OS_FAM_10, -1, 19045), CAT_KIND_NOT_AFFECTED);
    assert_int_equal(t_kind_for(&c, OS_FAM_10, -1, 10586), CAT_KIND_NO_FIX);
    /* Its re-dated out-of-band rows of 2023 keep Server 2008 R2 open: undecided, not no-fix. */
    assert_int_equal(t_kind_for(&c, OS_FAM_2008R2, 1, 7601), CAT_KIND_UNDECIDED);
    assert_int_equal(t_kind_for(&c, OS_FAM_10, -1, 14393), CAT_KIND_UNDECIDED);
    assert_int_equal(t_kind_for(&c, OS_FAM_81, -1, 9600), CAT_KIND_UNDECIDED);
    cat_release(&c);
    catgen_res_release(&r);
    catgen_data_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_products),
        cmocka_unit_test(test_reader_errors),
        cmocka_unit_test(test_derive),
        cmocka_unit_test(test_out_of_band),
        cmocka_unit_test(test_zip),
        cmocka_unit_test(test_loop),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_traps),
        cmocka_unit_test(test_long_chain),
        cmocka_unit_test(test_whole_rule),
        cmocka_unit_test(test_one_package),
        cmocka_unit_test(test_no_windows_row),
        cmocka_unit_test(test_ubr_from_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
