/* test_commands.c: the kbsentry commands end to end through cli_main: collect, report, check,
 * rules, hosts, their --help, options and exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli.h"
#include "dbtest_util.h"

#define T_DIR KBS_TEST_TMP "/test_commands"
#define T_DB KBS_TEST_TMP "/test_commands.db"

static char t_zOut[1 << 18], t_zErr[1 << 14];

/* Runs cli_main on a NULL-terminated argument list; output lands in t_zOut / t_zErr. */
static int t_run(const char *zFirst, ...)
{
    char *argv[32];
    int argc = 0, rc;
    FILE *out = tmpfile(), *err = tmpfile();
    size_t n;
    va_list ap;
    const char *z;
    assert_non_null(out);
    assert_non_null(err);
    argv[argc++] = "kbsentry";
    va_start(ap, zFirst);
    for (z = zFirst; z && argc < 31; z = va_arg(ap, const char *)) argv[argc++] = (char *)z;
    va_end(ap);
    argv[argc] = NULL;
    rc = cli_main(argc, argv, out, err);
    rewind(out);
    n = fread(t_zOut, 1, sizeof t_zOut - 1, out);
    t_zOut[n] = 0;
    rewind(err);
    n = fread(t_zErr, 1, sizeof t_zErr - 1, err);
    t_zErr[n] = 0;
    fclose(out);
    fclose(err);
    return rc;
}

static int setup(void **state)
{
    snap_t s;
    (void)state;
    plat_mkdir(T_DIR);
    t_rm_db(T_DB);
    t_snap_xp(&s, "PC-OK", "{ok}", T_NOW, 1);
    if (t_write_snap(T_DIR "/pc-ok.kbs", &s, 0)) return -1;
    snap_release(&s);
    t_snap_xp(&s, "PC-BAD", "{bad}", T_NOW, 0);
    if (t_write_snap(T_DIR "/pc-bad.kbs", &s, 0)) return -1;
    snap_release(&s);
    t_snap_xp(&s, "=cmd|' /C calc'!A0<script>", "{evil}", T_NOW, 1);
    if (t_write_snap(T_DIR "/evil.kbs", &s, 0)) return -1;
    snap_release(&s);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    t_rm_db(T_DB);
    return 0;
}

/* Scan age: stale by default after 30 days, on every verdict line of check and in the report's
 * summary; --stale 0 turns it off; --as-of judges at the end of a given day. */
static void test_scan_age(void **state)
{
    const char *zSnap = KBS_TEST_DATA "/snap/win81-patched.kbs"; /* scanned 2017-07-14 02:40 UTC */
    (void)state;
    assert_int_equal(t_run("check", zSnap, NULL), 0);
    assert_non_null(strstr(t_zOut, "PATCHED (STALE SCAN)"));
    assert_non_null(strstr(t_zOut, "STALE: not seen for more than 30 days"));
    assert_int_equal(t_run("check", "--stale", "0", zSnap, NULL), 0);
    assert_null(strstr(t_zOut, "STALE"));
    assert_int_equal(t_run("check", "--as-of", "2017-07-14", zSnap, NULL), 0);
    assert_null(strstr(t_zOut, "STALE"));
    assert_non_null(strstr(t_zOut, "21 hours ago")); /* the end of that day */
    assert_int_equal(t_run("check", "--as-of", "2017-08-12", zSnap, NULL), 0);
    assert_null(strstr(t_zOut, "STALE")); /* 29 days and 21 hours */
    assert_int_equal(t_run("check", "--as-of", "2017-08-13", zSnap, NULL), 0);
    assert_non_null(strstr(t_zOut, "STALE SCAN"));
    assert_int_equal(t_run("check", "--as-of", "2017-02-30x", zSnap, NULL), 2);
    assert_int_equal(t_run("collect", "--db", T_DB, zSnap, NULL), 0);
    assert_int_equal(t_run("report", "--db", T_DB, NULL), 0);
    assert_non_null(strstr(t_zOut, "1 stale (not seen for more than 30 days)"));
    assert_non_null(strstr(t_zOut, "catalog data of 20"));
    assert_int_equal(t_run("report", "--db", T_DB, "--stale", "0", NULL), 0);
    assert_null(strstr(t_zOut, "stale"));
    assert_int_equal(t_run("report", "--db", T_DB, "--as-of", "2017-07-20", NULL), 0);
    assert_non_null(strstr(t_zOut, "0 stale"));
    assert_int_equal(t_run("report", "--db", T_DB, "--status", "stale", "--stale", "0", NULL), 2);
}

/* catalog derive: the data as a zip or CSV; bad data is FILE:LINE and leaves -o FILE as it was. */
static void test_catalog_derive(void **state)
{
    const char *zOut = KBS_TEST_TMP "/test_commands_derived.kbscat"; /* not in T_DIR: collect reads that */
    char *z = NULL;
    size_t n = 0;
    (void)state;
    assert_int_equal(t_write(zOut, "good old catalog\n", 17), 0);
    assert_int_equal(t_run("catalog", "derive", "--data", KBS_TEST_DATA "/catgen/truncated.zip", "-o", zOut,
                           "CVE-2017-0144", NULL), 2);
    assert_non_null(strstr(t_zErr, "truncated.zip:0: "));
    assert_int_equal(t_run("catalog", "derive", "--data", KBS_TEST_DATA "/catgen/loop.csv", "-o", zOut,
                           "CVE-2017-0144", NULL), 2);
    assert_non_null(strstr(t_zErr, "loop.csv:"));
    assert_non_null(strstr(t_zErr, "loop in Supersedes"));
    assert_int_equal(t_run("catalog", "derive", "--data", KBS_TEST_DATA "/snap/win81-patched.kbs", "-o", zOut,
                           "CVE-2017-0144", NULL), 2);
    assert_non_null(strstr(t_zErr, "win81-patched.kbs:1: missing column"));
    assert_int_equal(plat_read_file(zOut, 1 << 20, &z, &n), KBS_OK);
    assert_string_equal(z, "good old catalog\n"); /* nothing written over it */
    free(z);
    assert_int_equal(t_run("catalog", "derive", "--data", KBS_TEST_DATA "/catgen/mini.zip", "-o", zOut,
                           "CVE-2017-0144", NULL), 0);
    assert_non_null(strstr(t_zErr, "Windows RT 8.1")); /* reported */
    assert_int_equal(plat_read_file(zOut, 1 << 20, &z, &n), KBS_OK);
    assert_non_null(strstr(z, "fix 10,2016 build=14393\n  kb 1000001  # 2017-03-14 fix listed for the CVE\n"));
    assert_non_null(strstr(z, "BSD 3-Clause"));
    free(z);
    assert_int_equal(t_run("catalog", "derive", "--data", KBS_TEST_DATA "/catgen/mini.csv", "CVE-2017-0144", NULL), 0);
    assert_non_null(strstr(t_zOut, "fix 7 sp=1\n"));
    assert_int_equal(t_run("catalog", "derive", "--data", KBS_TEST_DATA "/catgen/mini.csv", "CVE-1999-1", NULL), 2);
    assert_int_equal(t_run("catalog", "derive", "--data", KBS_TEST_DATA "/catgen/mini.csv", "notacve", NULL), 2);
    assert_int_equal(t_run("catalog", "derive", "CVE-2017-0144", NULL), 2);
    assert_int_equal(t_run("catalog", "build", "--data", KBS_TEST_DATA "/catgen/mini.csv", NULL), 2);
    remove(zOut);
}

static void test_help_everywhere(void **state)
{
    static const char *const azCmd[] = {"collect", "report", "check", "rules", "hosts", "catalog"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof azCmd / sizeof azCmd[0]; i++) {
        char zWant[64];
        snprintf(zWant, sizeof zWant, "usage: kbsentry %s", azCmd[i]);
        assert_int_equal(t_run(azCmd[i], "--help", NULL), 0);
        assert_non_null(strstr(t_zOut, zWant));
        assert_int_equal(t_run(azCmd[i], "-h", NULL), 0);
    }
    assert_int_equal(t_run("help", NULL), 0);
    assert_non_null(strstr(t_zOut, "--db FILE"));
}

static void test_usage_errors(void **state)
{
    (void)state;
    assert_int_equal(t_run("collect", NULL), 2);
    assert_non_null(strstr(t_zErr, "no PATH given"));
    assert_int_equal(t_run("collect", "--db", NULL), 2);
    assert_non_null(strstr(t_zErr, "missing value after '--db'"));
    assert_int_equal(t_run("report", "--frobnicate", "--db", T_DB, NULL), 2);
    assert_int_equal(t_run("report", "--format", "pdf", "--db", T_DB, NULL), 2);
    assert_int_equal(t_run("report", "--status", "bogus", "--db", T_DB, NULL), 2);
    assert_int_equal(t_run("report", "--stale", "-3", "--db", T_DB, NULL), 2);
    assert_int_equal(t_run("check", "--db", T_DB, NULL), 2);
    assert_int_equal(t_run("check", "--format", "html", "x", "--db", T_DB, NULL), 2);
}

static void test_collect_report_check(void **state)
{
    (void)state;
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);
    assert_non_null(strstr(t_zOut, "3 files: 3 read"));
    assert_int_equal(t_run("collect", "--db=" T_DB, T_DIR, NULL), 0);
    assert_non_null(strstr(t_zOut, "3 unchanged"));

    /* PC-BAD misses MS17-010: the fleet is non-compliant. */
    assert_int_equal(t_run("report", "--db", T_DB, NULL), 1);
    assert_non_null(strstr(t_zOut, "PC-OK"));
    assert_int_equal(t_run("report", "--db", T_DB, "--format", "json", NULL), 1);
    assert_true(t_zOut[0] == '{');
    assert_non_null(strstr(t_zOut, "\"hosts\""));
    assert_non_null(strstr(t_zOut, "\"MS17-010\""));
    /* Only the patched view of MS17-010: compliant. */
    assert_int_equal(t_run("report", "--db", T_DB, "--rule", "MS17-010", "--status", "patched",
                           "--format", "csv", NULL),
                     0);
    assert_null(strstr(t_zOut, "PC-BAD"));
    assert_non_null(strstr(t_zOut, "PC-OK"));
    /* A planted formula is defused in CSV. */
    assert_null(strstr(t_zOut, "\n=cmd"));
    assert_null(strstr(t_zOut, ",=cmd"));
    assert_int_equal(t_run("report", "--db", T_DB, "--rule", "NOPE", NULL), 2);
    assert_int_equal(t_run("report", "--db", T_DB, "--format", "html", "-o", T_DIR "/r.html", NULL), 1);
    {
        char *z = NULL;
        size_t n = 0;
        assert_int_equal(plat_read_file(T_DIR "/r.html", 1 << 24, &z, &n), KBS_OK);
        assert_non_null(strstr(z, "<html"));
        assert_null(strstr(z, "<script>'"));
        assert_null(strstr(z, "calc'!A0<script>"));
        free(z);
    }
    remove(T_DIR "/r.html");

    /* PC-OK has MS17-010 but misses other rules (e.g. CVE-2019-0708): non-compliant. */
    assert_int_equal(t_run("check", "--db", T_DB, "pc-ok", "--format", "json", NULL), 1);
    assert_true(t_zOut[0] == '{');
    assert_non_null(strstr(t_zOut, "\"host\""));
    assert_non_null(strstr(t_zOut, "\"last_scan\""));
    assert_non_null(strstr(t_zOut, "patched"));
    assert_int_equal(t_run("check", "--db", T_DB, "PC-BAD", NULL), 1);
    assert_non_null(strstr(t_zOut, "KB4012598"));
    assert_int_equal(t_run("check", "--db", T_DB, "{bad}", NULL), 1);
    assert_int_equal(t_run("check", "--db", T_DB, "NO-SUCH-PC", NULL), 2);
    assert_non_null(strstr(t_zErr, "no host or file"));

    assert_int_equal(t_run("hosts", "--db", T_DB, NULL), 0);
    assert_non_null(strstr(t_zOut, "PC-BAD\tPOLICE\tWindows XP"));
    assert_non_null(strstr(t_zOut, "{ok}"));
}

static void test_check_file_without_database(void **state)
{
    plat_stat_t st;
    (void)state;
    t_rm_db(T_DB);
    assert_int_equal(t_run("check", "--db", T_DB, T_DIR "/pc-bad.kbs", NULL), 1);
    assert_non_null(strstr(t_zOut, "PC-BAD"));
    /* systeminfo output: XP's "File 1" entries make some verdicts unknown, none an error. */
    assert_int_not_equal(t_run("check", "--db", T_DB, "--format", "json",
                               KBS_TEST_DATA "/imp/xp_sp3_en_file1.txt", NULL),
                         2);
    assert_true(t_zOut[0] == '{');
    /* No database was made for a desk check. */
    assert_int_equal(plat_stat(T_DB, &st), KBS_ENOTFOUND);
    assert_int_equal(t_run("check", T_DIR "/../test_commands/nothing.kbs", NULL), 2);
}

static void test_bad_input_gives_2_and_keeps_the_rest(void **state)
{
    (void)state;
    assert_int_equal(t_write(T_DIR "/junk.kbs", "KBSENTRY-SNAPSHOT 1.0\r\nhost=x\r\n", 31), 0);
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 2);
    assert_non_null(strstr(t_zErr, "junk.kbs:"));
    assert_non_null(strstr(t_zOut, "3 read"));
    assert_int_equal(t_run("hosts", "--db", T_DB, NULL), 0);
    assert_non_null(strstr(t_zOut, "PC-OK"));
    remove(T_DIR "/junk.kbs");
}

static void test_rules_and_catalog_override(void **state)
{
    (void)state;
    assert_int_equal(t_run("rules", NULL), 0);
    assert_non_null(strstr(t_zOut, "MS17-010"));
    assert_non_null(strstr(t_zOut, "built-in"));
    assert_int_equal(t_run("rules", "--catalog", KBS_TEST_DATA "/cat/site.kbscat", NULL), 0);
    assert_non_null(strstr(t_zOut, "SITE-2024-01"));
    assert_null(strstr(t_zOut, "MS17-010"));
    assert_int_equal(t_run("rules", "--catalog", KBS_TEST_DATA "/cat/truncated.kbscat", NULL), 2);
    assert_non_null(strstr(t_zErr, "truncated.kbscat:"));
    /* Verdicts follow the catalog given. */
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);
    assert_int_equal(t_run("report", "--db", T_DB, "--catalog", KBS_TEST_DATA "/cat/site.kbscat",
                           "--format", "csv", NULL),
                     0);
    assert_non_null(strstr(t_zOut, "SITE-2024-01"));
    assert_int_equal(t_run("report", "--db", T_DB, NULL), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_everywhere),
        cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collect_report_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_file_without_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input_gives_2_and_keeps_the_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_and_catalog_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_age, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_derive, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
