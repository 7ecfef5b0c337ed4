/* test_cmd_report.c: the commands as a nightly job and a helpdesk use them: collect's skipped
 * files and --ignore-bad, report -o's exit code, --status lists, check --rule / --format and
 * "host not found", report --trend. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_capture.h"
#include "dbtest_util.h"

#define T_DIR KBS_TEST_TMP "/test_cmd_report"
#define T_DB KBS_TEST_TMP "/test_cmd_report.db"
#define T_HTML KBS_TEST_TMP "/test_cmd_report.html"

static char t_zOut[1 << 18], t_zErr[1 << 14];

T_CLI_RUNNER(t_zOut, t_zErr)

static const char *const t_azJunk[] = {
    "desktop.ini", "Thumbs.db", ".DS_Store", "~$fleet.xlsx", "PC-X.kbs.tmp3312-9f00a1b2c3d4e5f6",
    "test.txt", "pc-sp2.kbs",
};

static int setup(void **state)
{
    snap_t s;
    size_t i;
    char zPath[512];
    (void)state;
    plat_mkdir(T_DIR);
    t_rm_db(T_DB);
    for (i = 0; i < sizeof t_azJunk / sizeof t_azJunk[0]; i++) {
        snprintf(zPath, sizeof zPath, "%s/%s", T_DIR, t_azJunk[i]);
        remove(zPath);
    }
    t_snap_xp(&s, "PC-OK", "{ok}", T_NOW, 1);
    if (t_write_snap(T_DIR "/pc-ok.kbs", &s, 0)) return -1;
    snap_release(&s);
    t_snap_xp(&s, "PC-BAD", "{bad}", T_NOW, 0);
    if (t_write_snap(T_DIR "/pc-bad.kbs", &s, 0)) return -1;
    snap_release(&s);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    t_rm_db(T_DB);
    remove(T_HTML);
    return 0;
}

/* A drop share as a nightly job meets it: Explorer's and Office's files and the agent's file in
 * flight are skipped and counted (exit 0); a stray text file is bad (exit 2), and --ignore-bad
 * tells "some bad files" (reported, exit 0) from a failed collect (still 2). */
static void test_nightly_collect(void **state)
{
    snap_t s;
    (void)state;
    assert_int_equal(t_write(T_DIR "/desktop.ini", "[.ShellClassInfo]\r\n", 19), 0);
    assert_int_equal(t_write(T_DIR "/Thumbs.db", "\xd0\xcf\x11\xe0", 4), 0);
    assert_int_equal(t_write(T_DIR "/.DS_Store", "\0\0\0\1Bud1", 8), 0);
    assert_int_equal(t_write(T_DIR "/~$fleet.xlsx", "\x0bjsmith", 7), 0);
    t_snap_xp(&s, "PC-X", "{x}", T_NOW, 1);
    assert_int_equal(t_write_snap(T_DIR "/PC-X.kbs.tmp3312-9f00a1b2c3d4e5f6", &s, 200), 0);
    snap_release(&s);
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);
    assert_non_null(strstr(t_zOut, "2 files: 2 read"));
    assert_non_null(strstr(t_zOut, "5 skipped"));
    assert_string_equal(t_zErr, "");

    assert_int_equal(t_write(T_DIR "/test.txt", "notes\r\n", 7), 0);
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 2);
    assert_non_null(strstr(t_zErr, "test.txt:1:"));
    assert_non_null(strstr(t_zOut, "1 bad"));
    assert_int_equal(t_run("collect", "--ignore-bad", "--db", T_DB, T_DIR, NULL), 0);
    assert_non_null(strstr(t_zErr, "test.txt:1:"));
    assert_non_null(strstr(t_zOut, "1 bad"));
    /* A real error still fails with --ignore-bad. */
    assert_int_equal(t_run("collect", "--ignore-bad", "--db", T_DIR, T_DIR, NULL), 2);
}

/* report -o FILE: 0 once the file is written, whatever the verdicts (a `collect && report -o
 * x.html && mail` chain goes on); 2 when it cannot be written. To standard output the exit code
 * still says whether the fleet is compliant. */
static void test_report_to_file_exit(void **state)
{
    (void)state;
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);
    assert_int_equal(t_run("report", "--db", T_DB, NULL), 1);
    assert_int_equal(t_run("report", "--db", T_DB, "--format", "html", "-o", T_HTML, NULL), 0);
    assert_int_equal(t_run("report", "--db", T_DB, "-o", T_DIR "/no/such/dir/r.txt", NULL), 2);
}


/* --status takes a comma list, 'not-ok', and repeated options add up (the last one used to win
 * silently); the title says what the report was filtered by. */
static void test_status_lists(void **state)
{
    snap_t s;
    (void)state;
    t_snap_xp(&s, "PC-SP2", "{sp2}", T_NOW, 0);
    s.os.sp_major = 2;
    snprintf(s.os.zCsdVersion, sizeof s.os.zCsdVersion, "Service Pack 2");
    assert_int_equal(t_write_snap(T_DIR "/pc-sp2.kbs", &s, 0), 0);
    snap_release(&s);
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);

    assert_int_equal(t_run("report", "--db", T_DB, "--rule", "MS17-010", "--status", "missing",
                           "--format", "csv", NULL), 1);
    assert_non_null(strstr(t_zOut, "PC-BAD"));
    assert_null(strstr(t_zOut, "PC-SP2"));
    assert_int_equal(t_run("report", "--db", T_DB, "--rule", "MS17-010", "--status",
                           "missing,unpatchable", "--format", "csv", NULL), 1);
    assert_non_null(strstr(t_zOut, "PC-BAD"));
    assert_non_null(strstr(t_zOut, "PC-SP2"));
    assert_null(strstr(t_zOut, "PC-OK"));
    assert_int_equal(t_run("report", "--db", T_DB, "--rule", "MS17-010", "--status", "missing",
                           "--status", "unpatchable", "--format", "csv", NULL), 1);
    assert_non_null(strstr(t_zOut, "PC-BAD"));
    assert_non_null(strstr(t_zOut, "PC-SP2"));
    assert_int_equal(t_run("report", "--db", T_DB, "--rule", "MS17-010", "--status", "not-ok",
                           "--format", "json", NULL), 1);
    assert_non_null(strstr(t_zOut, "PC-BAD"));
    assert_non_null(strstr(t_zOut, "PC-SP2"));
    assert_null(strstr(t_zOut, "PC-OK"));
    assert_non_null(strstr(t_zOut, "status missing, unpatchable or unknown"));
    assert_non_null(strstr(t_zOut, "rule MS17-010"));
    assert_int_equal(t_run("report", "--db", T_DB, "--status", "missing,bogus", NULL), 2);
    assert_non_null(strstr(t_zErr, "bogus"));
    assert_int_equal(t_run("report", "--db", T_DB, "--status", "missing,", NULL), 2);
}

/* check --rule (repeatable) shows and judges only those rules; csv and html as documented;
 * "host not found" has its own exit code (3), apart from errors (2). */
static void test_check_rule_format_notfound(void **state)
{
    (void)state;
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);
    assert_int_equal(t_run("check", "--db", T_DB, "--rule", "MS17-010", "PC-OK", NULL), 0);
    assert_non_null(strstr(t_zOut, "MS17-010"));
    assert_null(strstr(t_zOut, "CVE-2019-0708"));
    assert_int_equal(t_run("check", "--db", T_DB, "PC-OK", NULL), 1);
    assert_int_equal(t_run("check", "--db", T_DB, "--rule", "MS17-010", "--rule",
                           "CVE-2019-0708", "PC-OK", NULL), 1);
    assert_non_null(strstr(t_zOut, "MS17-010"));
    assert_non_null(strstr(t_zOut, "CVE-2019-0708"));
    assert_null(strstr(t_zOut, "MS08-067 "));
    assert_int_equal(t_run("check", "--db", T_DB, "--rule", "NOPE", "PC-OK", NULL), 2);
    assert_int_equal(t_run("check", "--rule", "MS17-010", T_DIR "/pc-bad.kbs", NULL), 1);
    assert_null(strstr(t_zOut, "CVE-2019-0708"));

    assert_int_equal(t_run("check", "--db", T_DB, "--format", "csv", "--rule", "MS17-010",
                           "PC-BAD", NULL), 1);
    assert_non_null(strstr(t_zOut, "PC-BAD"));
    assert_non_null(strstr(t_zOut, "missing"));
    assert_int_equal(t_run("check", "--db", T_DB, "--format", "html", "PC-BAD", NULL), 1);
    assert_non_null(strstr(t_zOut, "<html"));
    assert_int_equal(t_run("check", "--format", "csv", T_DIR "/pc-ok.kbs", T_DIR "/pc-bad.kbs",
                           NULL), 1);
    /* one header for both hosts */
    assert_non_null(strstr(t_zOut, "PC-OK"));
    assert_non_null(strstr(t_zOut, "PC-BAD"));
    assert_non_null(strstr(t_zOut, "host,domain,"));
    assert_null(strstr(strstr(t_zOut, "host,domain,") + 1, "host,domain,"));
    assert_int_equal(t_run("check", "--format", "pdf", "PC-BAD", NULL), 2);

    assert_int_equal(t_run("check", "--db", T_DB, "NO-SUCH-PC", NULL), 3);
    assert_non_null(strstr(t_zErr, "no host or file"));
}

/* An XP SP2 machine: unpatchable as it is, and the way out (SP3, then the KB) is said as such,
 * not as an action that contradicts the verdict. */
static void test_xp_sp2_wording(void **state)
{
    (void)state;
    assert_int_equal(t_run("check", "--rule", "MS17-010",
                           KBS_TEST_DATA "/real/wxpsp2_en_27_systeminfo.txt", NULL), 1);
    assert_non_null(strstr(t_zOut, "UNPATCHABLE"));
    assert_non_null(strstr(t_zOut, "no update exists for this OS level; the way out: install XP SP3, then KB4012598"));
}

/* A hotfix table without OS facts: one "no OS facts" line for the host, not one per rule. */
static void test_no_os_facts_once(void **state)
{
    const char *p;
    int n = 0;
    (void)state;
    assert_int_equal(t_run("check", KBS_TEST_DATA "/real/w10-1809_zh_26_gethotfix.txt", NULL), 1);
    for (p = t_zOut; (p = strstr(p, "no OS facts")) != NULL; p++) n++;
    assert_int_equal(n, 1);
    assert_non_null(strstr(t_zOut, "MS17-010"));
    assert_non_null(strstr(t_zOut, "CVE-2019-0708"));
}

/* A systeminfo file carries no scan date: checked directly and after collect, "Last scan" says
 * the same (unknown, with the file's date), never the mtime as "0 hours ago" one way only. */
static void test_last_scan_same_both_ways(void **state)
{
    char zDirect[256], zStored[256];
    const char *p;
    const char *zFile = KBS_TEST_DATA "/real/w10-1809_ru_09_systeminfo.txt";
    (void)state;
    t_run("check", "--stale", "0", zFile, NULL);
    assert_non_null(p = strstr(t_zOut, "Last scan"));
    snprintf(zDirect, sizeof zDirect, "%.*s", (int)strcspn(p, "\n"), p);
    assert_int_equal(t_run("collect", "--db", T_DB, zFile, NULL), 0);
    assert_int_not_equal(t_run("check", "--stale", "0", "--db", T_DB, "DESKTOP-IVE607I", NULL), 3);
    assert_non_null(p = strstr(t_zOut, "Last scan"));
    snprintf(zStored, sizeof zStored, "%.*s", (int)strcspn(p, "\n"), p);
    assert_string_equal(zDirect, zStored);
    assert_non_null(strstr(zDirect, "scan date unknown"));
    assert_null(strstr(zDirect, "hours ago"));
}

#define T_TREND_DIR KBS_TEST_TMP "/test_cmd_report_trend"

/* report --trend RULE: one row per day, ISO date first, the hosts by verdict as the fleet stood
 * at the end of that day, from the stored history (older scans are history rows). */
static void test_trend(void **state)
{
    snap_t s;
    (void)state;
    plat_mkdir(T_TREND_DIR);
    t_snap_xp(&s, "PC-A", "{a}", T_NOW - 2 * 86400, 0); /* 2017-05-13: missing */
    assert_int_equal(t_write_snap(T_TREND_DIR "/a1.kbs", &s, 0), 0);
    snap_release(&s);
    t_snap_xp(&s, "PC-A", "{a}", T_NOW, 1); /* 2017-05-15: patched */
    assert_int_equal(t_write_snap(T_TREND_DIR "/a2.kbs", &s, 0), 0);
    snap_release(&s);
    t_snap_xp(&s, "PC-B", "{b}", T_NOW - 86400, 1); /* 2017-05-14: patched */
    assert_int_equal(t_write_snap(T_TREND_DIR "/b1.kbs", &s, 0), 0);
    snap_release(&s);
    assert_int_equal(t_run("collect", "--db", T_DB, T_TREND_DIR, NULL), 0);

    assert_int_equal(t_run("report", "--db", T_DB, "--trend", "MS17-010", "--format", "csv",
                           "--as-of", "2017-05-16", NULL), 0);
    assert_string_equal(t_zOut,
                        "\xEF\xBB\xBF" "date,hosts,missing,unpatchable,unknown,mitigated,patched,not-affected\r\n"
                        "2017-05-13,1,1,0,0,0,0,0\r\n"
                        "2017-05-14,2,1,0,0,0,1,0\r\n"
                        "2017-05-15,2,0,0,0,0,2,0\r\n"
                        "2017-05-16,2,0,0,0,0,2,0\r\n");
    assert_int_equal(t_run("report", "--db", T_DB, "--trend", "MS17-010", "--format", "csv",
                           "--as-of", "2017-05-15", "--since", "2017-05-14", NULL), 0);
    assert_string_equal(t_zOut,
                        "\xEF\xBB\xBF" "date,hosts,missing,unpatchable,unknown,mitigated,patched,not-affected\r\n"
                        "2017-05-14,2,1,0,0,0,1,0\r\n"
                        "2017-05-15,2,0,0,0,0,2,0\r\n");
    assert_int_equal(t_run("report", "--db", T_DB, "--trend", "MS17-010", "--as-of",
                           "2017-05-15", NULL), 0);
    assert_non_null(strstr(t_zOut, "MS17-010"));
    assert_non_null(strstr(t_zOut, "2017-05-14      2       1"));
    assert_int_equal(t_run("report", "--db", T_DB, "--trend", "MS17-010", "--format", "json",
                           "--as-of", "2017-05-15", NULL), 0);
    assert_non_null(strstr(t_zOut, "\"rule\":\"MS17-010\""));
    assert_non_null(strstr(t_zOut, "{\"date\":\"2017-05-14\",\"hosts\":2,\"missing\":1,"));
    assert_int_equal(t_run("report", "--db", T_DB, "--trend", "MS17-010", "--format", "html",
                           "--as-of", "2017-05-15", NULL), 0);
    assert_non_null(strstr(t_zOut, "<svg"));
    assert_non_null(strstr(t_zOut, "<polyline"));
    assert_non_null(strstr(t_zOut, "<td>2017-05-14</td>"));

    assert_int_equal(t_run("report", "--db", T_DB, "--trend", "NOPE", NULL), 2);
    assert_int_equal(t_run("report", "--db", T_DB, "--trend", "MS17-010", "--since", "May", NULL), 2);
    assert_int_equal(t_run("report", "--db", T_DB, "--since", "2017-05-14", NULL), 2);
    remove(T_TREND_DIR "/a1.kbs");
    remove(T_TREND_DIR "/a2.kbs");
    remove(T_TREND_DIR "/b1.kbs");
}

/* --group folder|domain|ou in every format: the drop share's subfolder is the site, the domain
 * comes from the host's facts, ou waits for the directory (every host outside it). The HTML page
 * draws each rule's rollout from the stored history and says what to do. */
static void test_group_and_page(void **state)
{
    snap_t s;
    (void)state;
    plat_mkdir(T_DIR "/north");
    t_snap_xp(&s, "PC-N", "{n}", T_NOW - 86400, 0);
    assert_int_equal(t_write_snap(T_DIR "/north/pc-n-old.kbs", &s, 0), 0);
    snap_release(&s);
    t_snap_xp(&s, "PC-N", "{n}", T_NOW, 0);
    assert_int_equal(t_write_snap(T_DIR "/north/pc-n.kbs", &s, 0), 0);
    snap_release(&s);
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);

    assert_int_equal(t_run("report", "--db", T_DB, "--group", "folder", "--format", "csv",
                           "--rule", "MS17-010", NULL), 1);
    assert_non_null(strstr(t_zOut, ",action,group\r\n"));
    assert_non_null(strstr(t_zOut, ",north\r\n"));
    assert_non_null(strstr(t_zOut, ",test_cmd_report\r\n"));
    assert_int_equal(t_run("report", "--db", T_DB, "--group", "folder", "--format", "json", NULL), 1);
    assert_non_null(strstr(t_zOut, "\"group\":\"north\""));
    assert_non_null(strstr(t_zOut, "\"by_group\":["));
    assert_int_equal(t_run("report", "--db", T_DB, "--group", "domain", NULL), 1);
    assert_non_null(strstr(t_zOut, "By domain"));
    assert_non_null(strstr(t_zOut, "POLICE"));
    assert_int_equal(t_run("report", "--db", T_DB, "--group", "ou", "--format", "csv", NULL), 1);
    assert_non_null(strstr(t_zOut, ",(not in directory)\r\n"));
    assert_int_equal(t_run("report", "--db", T_DB, "--group", "site", NULL), 2);

    assert_int_equal(t_run("report", "--db", T_DB, "--group", "folder", "--format", "html",
                           "--as-of", "2017-05-15", "--status", "not-ok", NULL), 1);
    assert_non_null(strstr(t_zOut, "<title>kbsentry compliance report: status missing, "
                                   "unpatchable or unknown</title>"));
    assert_non_null(strstr(t_zOut, "Hosts per folder"));
    assert_non_null(strstr(t_zOut, "<polyline class=\"s-missing\""));
    assert_non_null(strstr(t_zOut, "<h2>What to do</h2>"));
    assert_non_null(strstr(t_zOut, "install KB4012598</td><td>2 Windows XP SP3 x86 machines"));
    remove(T_DIR "/north/pc-n-old.kbs");
    remove(T_DIR "/north/pc-n.kbs");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nightly_collect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_to_file_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_rule_format_notfound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xp_sp2_wording, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_os_facts_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_scan_same_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_and_page, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
