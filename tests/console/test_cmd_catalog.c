/* test_cmd_catalog.c: `kbsentry catalog show` and `catalog add`: the catalog in effect printed in
 * the catalog format, and a derived rule added to the database's own catalog and applied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_capture.h"
#include "dbtest_util.h"

#define T_DIR KBS_TEST_TMP "/test_cmd_catalog"
#define T_DB KBS_TEST_TMP "/test_cmd_catalog.db"
#define T_DATA KBS_TEST_DATA "/catgen/mini.csv"

static char t_zOut[1 << 19], t_zErr[1 << 14];

T_CLI_RUNNER(t_zOut, t_zErr)

/* A Windows 7 SP1 x64 agent snapshot with one more hotfix (NULL: none). */
static int t_w7(const char *zPath, const char *zHost, const char *zKb)
{
    snap_t s;
    int rc;
    snap_init(&s);
    snprintf(s.zOrigin, sizeof s.zOrigin, "agent");
    snprintf(s.zHost, sizeof s.zHost, "%s", zHost);
    snprintf(s.zDomain, sizeof s.zDomain, "POLICE");
    s.scanTime = T_NOW;
    s.osKnown = 1;
    s.os.major = 6, s.os.minor = 1, s.os.build = 7601, s.os.sp_major = 1, s.os.sp_known = 1;
    s.os.product_type = OS_PT_WORKSTATION;
    s.os.arch = OS_ARCH_X64;
    snap_add_source(&s, "wmi-qfe", 1, "");
    snap_add_hotfix(&s, "KB2479943", SNAP_SRC_QFE, "2011-03-08", -1);
    if (zKb) snap_add_hotfix(&s, zKb, SNAP_SRC_QFE, "2017-04-12", -1);
    rc = t_write_snap(zPath, &s, 0);
    snap_release(&s);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    plat_mkdir(T_DIR);
    t_rm_db(T_DB);
    if (t_w7(T_DIR "/w7-new.kbs", "W7-NEW", "KB2000002") || t_w7(T_DIR "/w7-old.kbs", "W7-OLD", NULL))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    t_rm_db(T_DB);
    return 0;
}

/* show prints the built-in catalog as it is compiled in; one rule alone is a catalog too; a
 * database is not created by looking. */
static void test_show_builtin(void **state)
{
    size_t n = 0;
    const char *z = cat_default_text(&n);
    plat_stat_t st;
    cat_t c;
    (void)state;
    assert_int_equal(t_run("catalog", "show", "--db", T_DB, NULL), 0);
    assert_int_equal(strlen(t_zOut), n);
    assert_memory_equal(t_zOut, z, n);
    assert_int_equal(plat_stat(T_DB, &st), KBS_ENOTFOUND);
    assert_int_equal(t_run("catalog", "show", "--db", T_DB, "ms17-010", NULL), 0);
    assert_int_equal(cat_parse(t_zOut, strlen(t_zOut), "shown", &c, NULL), KBS_OK);
    assert_int_equal(c.nRule, 1);
    assert_string_equal(c.aRule[0].zId, "MS17-010");
    cat_release(&c);
    assert_int_equal(t_run("catalog", "show", "--db", T_DB, "MS99-999", NULL), 2);
    assert_non_null(strstr(t_zErr, "has no rule MS99-999"));
    assert_int_equal(t_run("catalog", "show", "--catalog", KBS_TEST_DATA "/cat/site.kbscat", NULL), 0);
    assert_non_null(strstr(t_zOut, "SITE-2024-01"));
    assert_int_equal(t_run("catalog", "show", "--catalog", KBS_TEST_DATA "/cat/truncated.kbscat", NULL), 2);
    assert_non_null(strstr(t_zErr, "truncated.kbscat:"));
}

/* The emergency-day path: collect, add a derived rule, the verdicts are there at once; show
 * prints it, the printed catalog passed back with --catalog gives the same verdicts. */
static void test_add_applies_and_round_trips(void **state)
{
    const char *zSaved = KBS_TEST_TMP "/test_cmd_catalog_saved.kbscat";
    char zHashAdd[24];
    const char *p;
    (void)state;
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", T_DATA, "--id", "SITE-SMB",
                           "--title", "SMB emergency", "CVE-2017-0144", NULL),
                     0);
    assert_non_null(strstr(t_zOut, "added rule SITE-SMB"));
    assert_non_null(strstr(t_zOut, "recomputed for 2 hosts"));
    assert_non_null(p = strstr(t_zOut, "1 added rule, "));
    snprintf(zHashAdd, sizeof zHashAdd, "%.16s", p + 14);
    assert_int_equal(t_run("check", "--db", T_DB, "W7-OLD", NULL), 1);
    assert_non_null(p = strstr(t_zOut, "SITE-SMB"));
    assert_non_null(strstr(p, "MISSING"));
    assert_int_equal(t_run("report", "--db", T_DB, "--rule", "SITE-SMB", "--format", "csv", NULL), 1);
    assert_non_null(p = strstr(t_zOut, "W7-NEW"));
    assert_non_null(strstr(p, "patched"));
    assert_int_equal(t_run("rules", "--db", T_DB, NULL), 0);
    assert_non_null(strstr(t_zOut, "SITE-SMB  SMB emergency"));
    assert_non_null(strstr(t_zOut, zHashAdd));
    /* A collect goes on with it, without a note about another catalog. */
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);
    assert_null(strstr(t_zErr, "not the built-in one"));

    assert_int_equal(t_run("catalog", "show", "--db", T_DB, "-o", zSaved, NULL), 0);
    assert_int_equal(t_run("catalog", "show", "--db", T_DB, "SITE-SMB", NULL), 0);
    assert_non_null(strstr(t_zOut, "rule SITE-SMB\ntitle SMB emergency\ncve CVE-2017-0144\n"));
    assert_non_null(strstr(t_zOut, "fix 7 sp=1\n"));
    assert_non_null(strstr(t_zOut, "end-catalog 1\n"));
    /* The saved text is the catalog in effect: the same hash, no view of another catalog. */
    assert_int_equal(t_run("rules", "--catalog", zSaved, NULL), 0);
    assert_non_null(strstr(t_zOut, zHashAdd));
    assert_int_equal(t_run("check", "--db", T_DB, "--catalog", zSaved, "W7-NEW", NULL), 1);
    assert_non_null(p = strstr(t_zOut, "SITE-SMB"));
    assert_non_null(strstr(p, "PATCHED"));
    remove(zSaved);
}

/* An id already in effect is refused unless --replace; add never takes --catalog; arguments
 * that would break into the catalog text are refused; nothing is stored on any refusal. */
static void test_add_refusals(void **state)
{
    (void)state;
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", T_DATA, "--id", "MS17-010",
                           "CVE-2017-0144", NULL),
                     2);
    assert_non_null(strstr(t_zErr, "already in the built-in catalog: --replace"));
    assert_int_equal(t_query_int(T_DB, "SELECT count(*) FROM catalog_rule"), 0);
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", T_DATA, "CVE-2017-0144", NULL), 0);
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", T_DATA, "CVE-2017-0144", NULL), 2);
    assert_non_null(strstr(t_zErr, "already in the database's catalog"));
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", T_DATA, "--replace",
                           "--title", "second", "CVE-2017-0144", NULL),
                     0);
    assert_non_null(strstr(t_zErr, "replaces the one in the database's catalog"));
    assert_int_equal(t_query_int(T_DB, "SELECT count(*) FROM catalog_rule"), 1);
    assert_int_equal(t_run("rules", "--db", T_DB, NULL), 0);
    assert_non_null(strstr(t_zOut, "CVE-2017-0144  second"));
    /* Replacing a built-in rule: the catalog keeps its number of rules. */
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", T_DATA, "--id", "MS17-010",
                           "--replace", "CVE-2017-0144", NULL),
                     0);
    assert_non_null(strstr(t_zErr, "replaces the one in the built-in catalog"));
    assert_non_null(strstr(t_zOut, "2 added rules"));
    assert_int_equal(t_run("rules", "--db", T_DB, NULL), 0);
    assert_non_null(strstr(t_zOut, ", 17 rules\n"));

    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--catalog", KBS_TEST_DATA "/cat/site.kbscat",
                           "--data", T_DATA, "CVE-2017-0144", NULL),
                     2);
    assert_non_null(strstr(t_zErr, "catalog derive"));
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", T_DATA, "--id", "A\nfix 7 kb=1",
                           "CVE-2017-0144", NULL),
                     2);
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", T_DATA, "--title", "x\nend",
                           "CVE-2017-0144", NULL),
                     2);
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", T_DATA, "--id", "NEW",
                           "CVE-1999-1", NULL),
                     2);
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", KBS_TEST_DATA "/catgen/loop.csv",
                           "--id", "NEW", "CVE-2017-0144", NULL),
                     2);
    assert_non_null(strstr(t_zErr, "loop.csv:"));
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "CVE-2017-0144", NULL), 2);
    assert_int_equal(t_query_int(T_DB, "SELECT count(*) FROM catalog_rule"), 2);

    /* remove: the built-in MS17-010 applies again; built-in rules cannot be removed. */
    assert_int_equal(t_run("catalog", "remove", "--db", T_DB, "ms17-010", NULL), 0);
    assert_non_null(strstr(t_zOut, "removed rule ms17-010"));
    assert_non_null(strstr(t_zOut, "1 added rule"));
    assert_int_equal(t_run("rules", "--db", T_DB, NULL), 0);
    assert_non_null(strstr(t_zOut, "MS17-010  Security update for Windows SMB Server"));
    assert_int_equal(t_run("catalog", "remove", "--db", T_DB, "MS17-010", NULL), 2);
    assert_non_null(strstr(t_zErr, "added no rule MS17-010"));
    assert_int_equal(t_run("catalog", "remove", "--db", T_DB, "CVE-2017-0144", NULL), 0);
    assert_non_null(strstr(t_zOut, "(built-in, "));
    assert_int_equal(t_query_int(T_DB, "SELECT count(*) FROM catalog_rule"), 0);
    assert_int_equal(t_run("catalog", "show", "--db", T_DB, NULL), 0);
    assert_null(strstr(t_zErr, "note"));
    assert_int_equal(t_run("catalog", "remove", "--db", T_DB, NULL), 2);
}

/* A database switched to a --catalog file: show prints that one (it is what reports use) and
 * says how to take the built-in one with the database's rules; add says it leaves it. */
static void test_show_stored_other_catalog(void **state)
{
    (void)state;
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);
    assert_int_equal(t_run("recompute", "--db", T_DB, "--catalog", KBS_TEST_DATA "/cat/site.kbscat", NULL), 0);
    assert_int_equal(t_run("catalog", "show", "--db", T_DB, NULL), 0);
    assert_non_null(strstr(t_zOut, "SITE-2024-01"));
    assert_non_null(strstr(t_zErr, "kbsentry recompute"));
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", T_DATA, "CVE-2017-0144", NULL), 0);
    assert_non_null(strstr(t_zErr, "recompute --catalog FILE' goes back"));
    assert_int_equal(t_run("catalog", "show", "--db", T_DB, NULL), 0);
    assert_null(strstr(t_zOut, "SITE-2024-01"));
    assert_non_null(strstr(t_zOut, "rule CVE-2017-0144\n"));
    assert_non_null(strstr(t_zOut, "rule MS17-010\n"));
}

/* Two adds at once: the one whose catalog was built from rules that changed meanwhile stores
 * nothing (its transaction re-reads them). */
static void test_add_race_refused(void **state)
{
    static const char zRule[] = "rule RACE-1\ntitle t\ncve CVE-2017-0144\nref https://x.invalid/\n"
                                "fix 7 kb=4012212\nend\n";
    char zErr[DB_ERR_MAX];
    db_catrule_t r, *a = NULL;
    size_t n = 0;
    uint64_t hBefore;
    db_t *db = NULL;
    cat_t c;
    (void)state;
    assert_int_equal(t_run("catalog", "add", "--db", T_DB, "--data", T_DATA, "CVE-2017-0144", NULL), 0);
    assert_int_equal(db_open(T_DB, &db, zErr, sizeof zErr), KBS_OK);
    assert_int_equal(db_catrules_load(db, &a, &n), KBS_OK);
    assert_int_equal(n, 1);
    hBefore = db_catrules_hash(a, n);
    db_catrules_free(a, n);
    assert_int_equal(cat_load_default(&c), KBS_OK);
    memset(&r, 0, sizeof r);
    snprintf(r.zId, sizeof r.zId, "RACE-1");
    r.zText = (char *)zRule;
    r.nText = sizeof zRule - 1;
    /* Built as if the database had no rule yet. */
    assert_int_equal(db_catrule_add(db, &c, &r, db_catrules_hash(NULL, 0), NULL), KBS_ECONFLICT);
    assert_int_equal(db_catrules_load(db, &a, &n), KBS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(db_catrules_hash(a, n), hBefore);
    db_catrules_free(a, n);
    db_close(db);
    cat_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_show_builtin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_applies_and_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_show_stored_other_catalog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_race_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
