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

static void test_help_everywhere(void **state)
{
    static const char *const azCmd[] = {"collect", "report", "check", "rules", "hosts"};
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

#define T_MIT_DIR KBS_TEST_TMP "/test_commands_mit"
#define T_MIT_DB KBS_TEST_TMP "/test_commands_mit.db"

/* A Windows 7 SP1 agent snapshot without MS17-010; bSmb1Off: the SMBv1 server disabled. */
static void t_snap_w7(snap_t *s, const char *zHost, os_ptype_t pt, int bSmb1Off)
{
    snap_init(s);
    snprintf(s->zOrigin, sizeof s->zOrigin, "agent");
    snprintf(s->zHost, sizeof s->zHost, "%s", zHost);
    snprintf(s->zDomain, sizeof s->zDomain, "POLICE");
    s->scanTime = T_NOW;
    s->osKnown = 1;
    s->os.major = 6, s->os.minor = 1, s->os.build = 7601, s->os.sp_major = 1, s->os.sp_known = 1;
    s->os.product_type = pt;
    s->os.arch = OS_ARCH_X64;
    snap_add_source(s, "wmi-qfe", 1, "");
    snap_add_source(s, "reg-cbs", 1, "");
    snap_add_hotfix(s, "KB2479943", SNAP_SRC_QFE, "2011-03-08", -1);
    snap_add_fact(s, "LanmanServer.SMB1", bSmb1Off ? "0" : "absent", NULL);
    snap_add_fact(s, "Spooler.Start", "2", NULL);
}

/* The "done when": SMBv1 disabled and no MS17-010 update shows mitigated, with its
 * evidence, in check, table, CSV, JSON and HTML; it exits 0 unless --strict. */
static void test_mitigated_everywhere(void **state)
{
    static const char zCat[] =
        "kbscat 1.1\nrule MS17-010\ntitle SMB\nref https://support.microsoft.com/help/4012212\n"
        "fix 7,2008r2 sp=1 kb=4012212,4012215\n"
        "mitigation fact=LanmanServer.SMB1 value=0 note=\"SMBv1 server disabled\"\nend\nend-catalog 1\n";
    static const char zEvid[] = "mitigated: SMBv1 server disabled (LanmanServer.SMB1=0)";
    snap_t s;
    (void)state;
    plat_mkdir(T_MIT_DIR);
    t_rm_db(T_MIT_DB);
    t_snap_w7(&s, "PC-SMB1OFF", OS_PT_WORKSTATION, 1);
    assert_int_equal(t_write_snap(T_MIT_DIR "/pc-smb1off.kbs", &s, 0), 0);
    snap_release(&s);
    assert_int_equal(t_write(KBS_TEST_TMP "/test_commands_mit.kbscat", zCat, sizeof zCat - 1), 0);

    /* check of the file: only MS17-010, mitigated -> 0; --strict -> 1. */
    assert_int_equal(t_run("check", "--catalog", KBS_TEST_TMP "/test_commands_mit.kbscat", T_MIT_DIR "/pc-smb1off.kbs",
                           NULL),
                     0);
    assert_non_null(strstr(t_zOut, "MITIGATED"));
    assert_non_null(strstr(t_zOut, zEvid));
    assert_non_null(strstr(t_zOut, "Result: COMPLIANT (1 mitigated"));
    assert_int_equal(t_run("check", "--strict", "--catalog", KBS_TEST_TMP "/test_commands_mit.kbscat",
                           T_MIT_DIR "/pc-smb1off.kbs", NULL),
                     1);
    assert_int_equal(t_run("check", "--format", "json", "--catalog", KBS_TEST_TMP "/test_commands_mit.kbscat",
                           T_MIT_DIR "/pc-smb1off.kbs", NULL),
                     0);
    assert_non_null(strstr(t_zOut, "\"verdict\":\"mitigated\""));

    /* The database, built-in catalog, one rule: every format. */
    t_snap_w7(&s, "DC-01", OS_PT_DC, 0);
    assert_int_equal(t_write_snap(T_MIT_DIR "/dc-01.kbs", &s, 0), 0);
    snap_release(&s);
    assert_int_equal(t_run("collect", "--db", T_MIT_DB, T_MIT_DIR, NULL), 0);
    assert_int_equal(t_run("check", "--db", T_MIT_DB, "PC-SMB1OFF", NULL), 1); /* other rules missing */
    assert_non_null(strstr(t_zOut, zEvid));
    assert_int_equal(t_run("report", "--db", T_MIT_DB, "--rule", "MS17-010", "--role", "workstation",
                           NULL),
                     0);
    assert_non_null(strstr(t_zOut, "mitigated"));
    assert_non_null(strstr(t_zOut, zEvid));
    assert_null(strstr(t_zOut, "DC-01"));
    assert_int_equal(t_run("report", "--db", T_MIT_DB, "--rule", "MS17-010", "--role", "workstation",
                           "--strict", NULL),
                     1);
    assert_int_equal(t_run("report", "--db", T_MIT_DB, "--rule", "MS17-010", "--format", "csv", NULL), 1);
    assert_non_null(strstr(t_zOut, "mitigated"));
    assert_non_null(strstr(t_zOut, zEvid));
    assert_non_null(strstr(t_zOut, "DC-01")); /* missing: no workaround */
    assert_int_equal(t_run("report", "--db", T_MIT_DB, "--rule", "MS17-010", "--format", "json", NULL), 1);
    assert_non_null(strstr(t_zOut, "\"verdict\":\"mitigated\""));
    assert_non_null(strstr(t_zOut, "\"mitigated\":1"));
    assert_non_null(strstr(t_zOut, zEvid));
    assert_int_equal(t_run("report", "--db", T_MIT_DB, "--rule", "MS17-010", "--format", "html", NULL), 1);
    assert_non_null(strstr(t_zOut, "class=\"g\""));
    assert_non_null(strstr(t_zOut, zEvid));
    assert_non_null(strstr(t_zOut, "#e0a800")); /* the chart's colour for mitigated */
    assert_int_equal(t_run("report", "--db", T_MIT_DB, "--role", "dc", "--format", "csv", NULL), 1);
    assert_non_null(strstr(t_zOut, "DC-01"));
    assert_null(strstr(t_zOut, "PC-SMB1OFF"));
    assert_non_null(strstr(t_zOut, "domain controller; none of")); /* Zerologon names the role */
    assert_int_equal(t_run("report", "--db", T_MIT_DB, "--role", "printer", NULL), 2);
    /* A catalog change recomputes verdicts from the stored scans: the facts are kept. */
    assert_int_equal(t_run("report", "--db", T_MIT_DB, "--catalog", KBS_TEST_TMP "/test_commands_mit.kbscat",
                           "--role", "workstation", NULL),
                     0);
    assert_non_null(strstr(t_zOut, "mitigated"));
    t_rm_db(T_MIT_DB);
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
        cmocka_unit_test(test_mitigated_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
