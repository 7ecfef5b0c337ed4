/* test_commands.c: the kbsentry commands end to end through cli_main: collect, report, check,
 * rules, hosts, their --help, options and exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_capture.h"
#include "dbtest_util.h"

#define T_DIR KBS_TEST_TMP "/test_commands"
#define T_DB KBS_TEST_TMP "/test_commands.db"

static char t_zOut[1 << 18], t_zErr[1 << 14];

/* Runs cli_main on a NULL-terminated argument list; output lands in t_zOut / t_zErr. */
T_CLI_RUNNER(t_zOut, t_zErr)

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
    /* exit 1 throughout: a scan of 2017 misses the fixes of 2019 and later (DejaBlue ...) */
    assert_int_equal(t_run("check", zSnap, NULL), 1);
    assert_non_null(strstr(t_zOut, "PATCHED (STALE SCAN)"));
    assert_non_null(strstr(t_zOut, "STALE: not seen for more than 30 days"));
    assert_int_equal(t_run("check", "--stale", "0", zSnap, NULL), 1);
    assert_null(strstr(t_zOut, "STALE"));
    assert_int_equal(t_run("check", "--as-of", "2017-07-14", zSnap, NULL), 1);
    assert_null(strstr(t_zOut, "STALE"));
    assert_non_null(strstr(t_zOut, "21 hours ago")); /* the end of that day */
    assert_int_equal(t_run("check", "--as-of", "2017-08-12", zSnap, NULL), 1);
    assert_null(strstr(t_zOut, "STALE")); /* 29 days and 21 hours */
    assert_int_equal(t_run("check", "--as-of", "2017-08-13", zSnap, NULL), 1);
    assert_non_null(strstr(t_zOut, "STALE SCAN"));
    assert_int_equal(t_run("check", "--as-of", "2017-02-30x", zSnap, NULL), 2);
    assert_int_equal(t_run("collect", "--db", T_DB, zSnap, NULL), 0);
    assert_int_equal(t_run("report", "--db", T_DB, NULL), 1);
    assert_non_null(strstr(t_zOut, "1 stale (not seen for more than 30 days)"));
    assert_non_null(strstr(t_zOut, "catalog data of 20"));
    assert_int_equal(t_run("report", "--db", T_DB, "--stale", "0", NULL), 1);
    assert_null(strstr(t_zOut, "stale"));
    assert_int_equal(t_run("report", "--db", T_DB, "--as-of", "2017-07-20", NULL), 1);
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
    assert_non_null(strstr(z,
                           "fix 10,2016 build=14393\n  # no ubr=: the KB-to-build table "
                           "(kbbuild.tsv) knows none of these KBs "
                           "for build 14393\n  kb 1000001  # 2017-03-14 fix listed for the CVE\n"));
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
    static const char *const azCmd[] = {"collect", "report", "check", "rules", "hosts",
                                        "recompute", "catalog"};
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
    assert_int_equal(t_run("check", "--format", "pdf", "x", "--db", T_DB, NULL), 2);
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
    assert_int_equal(t_run("report", "--db", T_DB, "--format", "html", "-o", T_DIR "/r.html", NULL), 0);
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
    assert_int_equal(t_run("check", "--db", T_DB, "NO-SUCH-PC", NULL), 3);
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

#define T_MIX KBS_TEST_DATA "/cat/site.kbscat"

/* A Windows 7 SP1 x64 agent snapshot for the site catalog's SITE-2024-01: 'p' patched (KB and
 * srv.sys), 'm' missing (old srv.sys), 'u' unknown (a cut-short list, no file facts). */
static void t_snap_w7(snap_t *s, const char *zHost, char mode)
{
    ver_t v;
    t_snap_xp(s, zHost, NULL, T_NOW, 0);
    s->os.major = 6, s->os.minor = 1, s->os.build = 7601, s->os.sp_major = 1;
    s->os.arch = OS_ARCH_X64;
    snprintf(s->os.zProductName, sizeof s->os.zProductName, "Windows 7 Enterprise");
    s->nFile = 0;
    if (mode == 'p') snap_add_hotfix(s, "KB4012212", SNAP_SRC_QFE, NULL, -1);
    if (mode != 'u') {
        ver_parse(mode == 'p' ? "6.1.7601.23689" : "6.1.7601.17514", &v);
        snap_add_file(s, "%SystemRoot%\\System32\\drivers\\srv.sys", 1, &v, "");
    } else {
        s->hotfixesComplete = 0;
        snprintf(s->zHotfixNote, sizeof s->zHotfixNote, "systeminfo listed 100 of 263 hotfixes");
    }
}

/* Exit codes for each mix of verdicts: 0 only when every verdict is patched or not-affected;
 * unknown is non-compliant unless --accept-unknown. */
static void test_exit_codes_per_verdict_mix(void **state)
{
    static const struct {
        const char *zFile;
        int ex, exAccept;
    } aOne[] = {{"w7p.kbs", 0, 0}, {"xp.kbs", 0, 0}, {"w7m.kbs", 1, 1}, {"w7u.kbs", 1, 0}};
    static const struct {
        const char *zFiles; /* which of p, x, m, u are in the fleet */
        int ex, exAccept;
    } aMix[] = {{"px", 0, 0}, {"pxu", 1, 0}, {"pxm", 1, 1}, {"pxmu", 1, 1}, {"u", 1, 0}};
    snap_t s;
    size_t i;
    (void)state;
    plat_mkdir(T_DIR "_mix");
    t_snap_w7(&s, "W7-P", 'p');
    assert_int_equal(t_write_snap(T_DIR "_mix/w7p.kbs", &s, 0), 0);
    snap_release(&s);
    t_snap_w7(&s, "W7-M", 'm');
    assert_int_equal(t_write_snap(T_DIR "_mix/w7m.kbs", &s, 0), 0);
    snap_release(&s);
    t_snap_w7(&s, "W7-U", 'u');
    assert_int_equal(t_write_snap(T_DIR "_mix/w7u.kbs", &s, 0), 0);
    snap_release(&s);
    t_snap_xp(&s, "XP-N", NULL, T_NOW, 0);
    assert_int_equal(t_write_snap(T_DIR "_mix/xp.kbs", &s, 0), 0);
    snap_release(&s);

    for (i = 0; i < sizeof aOne / sizeof aOne[0]; i++) {
        char zPath[256];
        snprintf(zPath, sizeof zPath, T_DIR "_mix/%s", aOne[i].zFile);
        assert_int_equal(t_run("check", "--catalog", T_MIX, zPath, NULL), aOne[i].ex);
        assert_int_equal(t_run("check", "--catalog", T_MIX, "--accept-unknown", zPath, NULL),
                         aOne[i].exAccept);
    }
    assert_int_equal(t_run("check", "--catalog", T_MIX, T_DIR "_mix/w7u.kbs", NULL), 1);
    assert_non_null(strstr(t_zOut, "unknown"));

    for (i = 0; i < sizeof aMix / sizeof aMix[0]; i++) {
        const char *z;
        t_rm_db(T_DB);
        for (z = aMix[i].zFiles; *z; z++) {
            char zPath[256];
            snprintf(zPath, sizeof zPath, T_DIR "_mix/%s",
                     *z == 'p' ? "w7p.kbs" : *z == 'x' ? "xp.kbs" : *z == 'm' ? "w7m.kbs" : "w7u.kbs");
            assert_int_equal(t_run("collect", "--db", T_DB, "--catalog", T_MIX, zPath, NULL), 0);
        }
        assert_int_equal(t_run("report", "--db", T_DB, "--catalog", T_MIX, NULL), aMix[i].ex);
        assert_int_equal(t_run("report", "--db", T_DB, "--catalog", T_MIX, "--accept-unknown",
                               "--format", "csv", NULL),
                         aMix[i].exAccept);
    }
    assert_int_equal(t_run("check", "--db", T_DB, "--catalog", T_MIX, "W7-U", NULL), 1);
    assert_int_equal(t_run("check", "--db", T_DB, "--catalog", T_MIX, "--accept-unknown", "W7-U",
                           NULL),
                     0);
    assert_int_equal(t_run("report", "--help", NULL), 0);
    assert_non_null(strstr(t_zOut, "--accept-unknown"));
    assert_int_equal(t_run("check", "--help", NULL), 0);
    assert_non_null(strstr(t_zOut, "--accept-unknown"));
}

/* check --format json on a file of several hosts: one JSON array (not objects back to back). */
static void test_check_multi_host_json_parses(void **state)
{
    size_t i, nTop = 0;
    int depth = 0, bStr = 0;
    (void)state;
    assert_int_not_equal(t_run("check", "--format", "json", KBS_TEST_DATA "/imp/qfe_2hosts_utf16.csv",
                               NULL),
                         2);
    assert_true(t_zOut[0] == '[');
    /* Top-level values: the brackets balance once, at the very end, around two objects. */
    for (i = 0; t_zOut[i]; i++) {
        char ch = t_zOut[i];
        if (bStr) {
            if (ch == '\\') i++;
            else if (ch == '"') bStr = 0;
            continue;
        }
        if (ch == '"') bStr = 1;
        if (ch == '{' || ch == '[') {
            if (depth == 1 && ch == '{') nTop++;
            depth++;
        }
        if (ch == '}' || ch == ']') {
            depth--;
            assert_true(depth >= 0);
            if (!depth) break;
        }
    }
    assert_int_equal(depth, 0);
    assert_int_equal(nTop, 2);
    assert_string_equal(t_zOut + i, "]\n");
    /* One host stays one object. */
    assert_int_equal(t_run("check", "--format", "json", T_DIR "/pc-bad.kbs", NULL), 1);
    assert_true(t_zOut[0] == '{');
}

/* `hosts` shows bidi controls (U+202E RLO, U+2066 LRI, U+200F RLM) and controls as '?'. */
static void test_hosts_filters_bidi(void **state)
{
    snap_t s;
    (void)state;
    t_snap_xp(&s, "PC\xE2\x80\xAE" "exe.scr", "{bidi}", T_NOW, 1);
    snprintf(s.zDomain, sizeof s.zDomain, "D\xE2\x81\xA6" "X\xE2\x80\x8F" "\x1b[31m");
    plat_mkdir(T_DIR "_bidi");
    assert_int_equal(t_write_snap(T_DIR "_bidi/b.kbs", &s, 0), 0);
    snap_release(&s);
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR "_bidi", NULL), 0);
    assert_int_equal(t_run("hosts", "--db", T_DB, NULL), 0);
    assert_null(strstr(t_zOut, "\xE2\x80\xAE"));
    assert_null(strstr(t_zOut, "\xE2\x81\xA6"));
    assert_null(strstr(t_zOut, "\xE2\x80\x8F"));
    assert_null(strstr(t_zOut, "\x1b"));
    assert_non_null(strstr(t_zOut, "PC?exe.scr\tD?X??[31m"));
}

/* A checksum of what is stored: rule rows with their ids, and every verdict by rule id. */
static long long t_stored_sum(void)
{
    return t_query_int(T_DB, "SELECT (SELECT sum(id * length(code)) FROM rule) * 1000003 +"
                             " (SELECT sum(length(evidence) * rule_id + length(status)) FROM verdict)");
}

/* report/check --catalog FILE is a view: stored verdicts and rule rows stay as they are (the
 * reproduction of issue 2 rewrote them); recompute changes them, keeping rule ids; collect keeps
 * the stored catalog and refuses another one. */
static void test_catalog_view_and_recompute(void **state)
{
    char *zText;
    size_t n = 0;
    long long nBefore;
    (void)state;
    plat_mkdir(T_DIR "_cat");
    assert_non_null(zText = t_cat_reordered_text(&n));
    assert_int_equal(t_write(T_DIR "_cat/reordered.kbscat", zText, n), 0);
    free(zText);
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);
    nBefore = t_stored_sum();
    assert_true(nBefore > 0);
    assert_int_equal(t_run("report", "--db", T_DB, "--catalog", T_DIR "_cat/reordered.kbscat",
                           "--format", "csv", NULL),
                     1);
    assert_non_null(strstr(t_zOut, "MS17-010"));
    assert_int_equal(t_run("check", "--db", T_DB, "--catalog", KBS_TEST_DATA "/cat/site.kbscat",
                           "PC-BAD", NULL),
                     0);
    assert_non_null(strstr(t_zOut, "SITE-2024-01"));
    assert_int_equal(t_stored_sum(), nBefore);
    /* A collect with another catalog is refused, pointing at recompute. */
    assert_int_equal(t_run("collect", "--db", T_DB, "--catalog", KBS_TEST_DATA "/cat/site.kbscat",
                           T_DIR, NULL),
                     2);
    assert_non_null(strstr(t_zErr, "kbsentry recompute --catalog"));
    assert_int_equal(t_stored_sum(), nBefore);

    /* The explicit switch: the same rules in another order keep their rows and verdicts. */
    assert_int_equal(t_run("recompute", "--db", T_DB, "--catalog", T_DIR "_cat/reordered.kbscat",
                           NULL),
                     0);
    assert_non_null(strstr(t_zOut, "3 hosts recomputed"));
    assert_int_equal(t_stored_sum(), nBefore);
    /* Reports without --catalog read the stored (reordered) catalog's verdicts; a collect without
     * --catalog goes on with it. */
    assert_int_equal(t_run("report", "--db", T_DB, "--format", "csv", NULL), 1);
    assert_non_null(strstr(t_zOut, "MS17-010"));
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR, NULL), 0);
    assert_non_null(strstr(t_zErr, "not the built-in one"));
    assert_int_equal(t_run("recompute", "--db", T_DB, "--catalog", KBS_TEST_DATA "/cat/site.kbscat",
                           NULL),
                     0);
    assert_int_equal(t_run("report", "--db", T_DB, "--format", "csv", NULL), 0);
    assert_non_null(strstr(t_zOut, "SITE-2024-01"));
    assert_null(strstr(t_zOut, "MS17-010"));
    remove(T_DIR "_cat/reordered.kbscat");
}

#define T_MIT_DIR KBS_TEST_TMP "/test_commands_mit"
#define T_MIT_DB KBS_TEST_TMP "/test_commands_mit.db"

/* A Windows 7 SP1 agent snapshot without MS17-010; bSmb1Off: the SMBv1 server disabled. */
static void t_snap_w7_mit(snap_t *s, const char *zHost, os_ptype_t pt, int bSmb1Off)
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
    t_snap_w7_mit(&s, "PC-SMB1OFF", OS_PT_WORKSTATION, 1);
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
    t_snap_w7_mit(&s, "DC-01", OS_PT_DC, 0);
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


#define T_ROLE_DIR KBS_TEST_TMP "/test_commands_role"
#define T_ROLE_DB KBS_TEST_TMP "/test_commands_role.db"

/* A Server 2016 systeminfo (UTF-16LE with BOM, as PowerShell redirects it) whose OS
 * Configuration value is zConf (ASCII or UTF-8 of the BMP). */
static void t_si_2016(const char *zPath, const char *zHost, const char *zName, const char *zConf)
{
    char z[2048], a[4200];
    size_t i = 0, o = 0, n;
    n = (size_t)snprintf(z, sizeof z,
                         "Host Name:                 %s\r\nOS Name:                   %s\r\n"
                         "OS Version:                10.0.14393 N/A Build 14393\r\n"
                         "OS Manufacturer:           Microsoft Corporation\r\n"
                         "OS Configuration:          %s\r\n"
                         "OS Build Type:             Multiprocessor Free\r\n"
                         "Original Install Date:     2018/01/15, 10:22:31\r\n"
                         "System Type:               x64-based PC\r\n"
                         "Hotfix(s):                 1 Hotfix(s) Installed.\r\n"
                         "                           [01]: KB3192137\r\n",
                         zHost, zName, zConf);
    a[o++] = (char)0xFF, a[o++] = (char)0xFE;
    while (i < n) {
        unsigned char b = (unsigned char)z[i];
        unsigned cp;
        if (b < 0x80) cp = b, i++;
        else if (b < 0xE0) cp = (b & 0x1Fu) << 6 | (z[i + 1] & 0x3Fu), i += 2;
        else cp = (b & 0x0Fu) << 12 | (z[i + 1] & 0x3Fu) << 6 | (z[i + 2] & 0x3Fu), i += 3;
        a[o++] = (char)(cp & 0xFF), a[o++] = (char)(cp >> 8);
    }
    assert_int_equal(t_write(zPath, a, o), 0);
}

/* A Japanese domain controller is a domain controller; a server whose role wording is not
 * recognised is of unknown role, and `report --role dc` keeps it with a note. */
static void test_role_languages(void **state)
{
    (void)state;
    plat_mkdir(T_ROLE_DIR);
    t_rm_db(T_ROLE_DB);
    t_si_2016(T_ROLE_DIR "/jp-dc01.txt", "JP-DC01", "Microsoft Windows Server 2016 Standard",
              "\xe3\x83\x97\xe3\x83\xa9\xe3\x82\xa4\xe3\x83\x9e\xe3\x83\xaa \xe3\x83\x89\xe3\x83\xa1"
              "\xe3\x82\xa4\xe3\x83\xb3 \xe3\x82\xb3\xe3\x83\xb3\xe3\x83\x88\xe3\x83\xad\xe3\x83\xbc"
              "\xe3\x83\xa9\xe3\x83\xbc");
    t_si_2016(T_ROLE_DIR "/xx-srv01.txt", "XX-SRV01", "Microsoft Windows Server 2016 Standard",
              "??????? ????????");
    t_si_2016(T_ROLE_DIR "/fr-srv02.txt", "FR-SRV02", "Microsoft Windows Server 2016 Standard",
              "Serveur membre");
    assert_int_equal(t_run("collect", "--db", T_ROLE_DB, T_ROLE_DIR, NULL), 0);
    assert_int_equal(t_run("report", "--db", T_ROLE_DB, "--rule", "CVE-2020-1472", "--role", "dc",
                           "--format", "csv", NULL),
                     1);
    assert_non_null(strstr(t_zOut, "JP-DC01"));
    assert_non_null(strstr(t_zOut, "XX-SRV01"));
    assert_null(strstr(t_zOut, "FR-SRV02"));
    assert_non_null(strstr(t_zErr, "XX-SRV01"));
    assert_non_null(strstr(t_zErr, "role unknown"));
    assert_null(strstr(t_zErr, "JP-DC01"));
    /* the verdict of a flaw exploited on domain controllers says the role is not known */
    assert_int_equal(t_run("check", T_ROLE_DIR "/xx-srv01.txt", NULL), 1);
    assert_non_null(strstr(t_zOut, "role unknown: it may be a domain controller"));
    assert_null(strstr(t_zOut, "member machine"));
    assert_int_equal(t_run("report", "--db", T_ROLE_DB, "--role", "server", "--format", "csv", NULL), 1);
    assert_non_null(strstr(t_zOut, "FR-SRV02"));
    assert_null(strstr(t_zOut, "XX-SRV01"));
    assert_null(strstr(t_zOut, "JP-DC01"));
    t_rm_db(T_ROLE_DB);
}

#define T_STEM_DIR KBS_TEST_TMP "/test_commands_stem"
#define T_STEM_DB KBS_TEST_TMP "/test_commands_stem.db"

/* An XP SP3 systeminfo of zHost listing KB958644 only. */
static void t_si_xp(const char *zPath, const char *zHost)
{
    char z[1024];
    int n = snprintf(z, sizeof z,
                     "Host Name:                 %s\r\nOS Name:                   Microsoft Windows XP Professional\r\n"
                     "OS Version:                5.1.2600 Service Pack 3 Build 2600\r\n"
                     "OS Manufacturer:           Microsoft Corporation\r\n"
                     "OS Configuration:          Member Workstation\r\n"
                     "OS Build Type:             Uniprocessor Free\r\n"
                     "Original Install Date:     3/15/2011, 10:22:31 AM\r\n"
                     "System Type:               X86-based PC\r\n"
                     "Hotfix(s):                 1 Hotfix(s) Installed.\r\n"
                     "                           [01]: KB958644 - Update\r\n",
                     zHost);
    assert_int_equal(t_write(zPath, z, (size_t)n), 0);
}

/* `wmic qfe get HotFixID,InstalledOn` (no CSName) beside a systeminfo of the same machine:
 * collect joins them by the shared file-name stem when exactly one systeminfo matches. */
static void test_stem_join(void **state)
{
    static const char zQfe[] = "HotFixID   InstalledOn  \r\r\nKB4012598  5/13/2017    \r\r\n"
                               "KB958644   11/4/2008    \r\r\n\r\r\n";
    (void)state;
    plat_mkdir(T_STEM_DIR);
    t_rm_db(T_STEM_DB);
    t_si_xp(T_STEM_DIR "/ws12_systeminfo.txt", "PD-WS-0412");
    assert_int_equal(t_write(T_STEM_DIR "/ws12_qfe.txt", zQfe, sizeof zQfe - 1), 0);
    /* two systeminfo files of one stem: which machine the list is is not known, kept apart */
    t_si_xp(T_STEM_DIR "/lab_systeminfo.txt", "PD-LAB-01");
    t_si_xp(T_STEM_DIR "/lab-sysinfo.txt", "PD-LAB-02");
    assert_int_equal(t_write(T_STEM_DIR "/lab_qfe.txt", zQfe, sizeof zQfe - 1), 0);
    assert_int_equal(t_run("collect", "--db", T_STEM_DB, T_STEM_DIR, NULL), 0);
    assert_non_null(strstr(t_zOut, "1 hotfix list without a host name joined"));
    assert_non_null(strstr(t_zErr, "ws12_qfe.txt: no host name in this hotfix list: joined to PD-WS-0412"));
    assert_non_null(strstr(t_zErr, "lab_qfe.txt: no host name in this hotfix list and 2 systeminfo"));
    assert_int_equal(t_run("check", "--db", T_STEM_DB, "PD-WS-0412", NULL), 1);
    assert_non_null(strstr(t_zOut, "KB4012598 listed"));
    assert_int_equal(t_run("report", "--db", T_STEM_DB, "--rule", "MS17-010", "--format", "csv", NULL), 1);
    assert_null(strstr(t_zOut, "ws12_qfe.txt"));
    assert_non_null(strstr(t_zOut, "lab_qfe.txt")); /* apart, named by its file, as before */
    t_rm_db(T_STEM_DB);
}

/* XP's systeminfo lists some updates as "File 1"; wmic qfe of the same machine shows the KB of
 * each such row in ServicePackInEffect. Together they are a whole list with every KB known. */
static void test_xp_file1_resolved(void **state)
{
    static const char zSi[] =
        "Host Name:                 PD-WS-0413\r\nOS Name:                   Microsoft Windows XP Professional\r\n"
        "OS Version:                5.1.2600 Service Pack 3 Build 2600\r\n"
        "OS Manufacturer:           Microsoft Corporation\r\n"
        "OS Configuration:          Member Workstation\r\n"
        "OS Build Type:             Uniprocessor Free\r\n"
        "Original Install Date:     3/15/2011, 10:22:31 AM\r\n"
        "System Type:               X86-based PC\r\n"
        "Hotfix(s):                 3 Hotfix(s) Installed.\r\n"
        "                           [01]: File 1\r\n"
        "                           [02]: File 1\r\n"
        "                           [03]: KB958644 - Update\r\n";
    static const char zQfe[] =
        "\r\r\nNode,Caption,CSName,Description,FixComments,HotFixID,InstallDate,InstalledBy,InstalledOn,Name,ServicePackInEffect,Status\r\r\n"
        "PD-WS-0413,http://support.microsoft.com/?kbid=2115168,PD-WS-0413,Update,,File 1,,,,,KB2115168,\r\r\n"
        "PD-WS-0413,http://support.microsoft.com/?kbid=2536276,PD-WS-0413,Update,,File 1,,,,,KB2536276,\r\r\n"
        "PD-WS-0413,http://support.microsoft.com/?kbid=958644,PD-WS-0413,Security Update,,KB958644,,Administrator,11/4/2008,,SP3,\r\r\n";
    static const char zQfeOpen[] =
        "\r\r\nNode,Caption,CSName,Description,FixComments,HotFixID,InstallDate,InstalledBy,InstalledOn,Name,ServicePackInEffect,Status\r\r\n"
        "PD-WS-0413,,PD-WS-0413,Update,,File 1,,,,,KB2115168,\r\r\n"
        "PD-WS-0413,,PD-WS-0413,Update,,File 1,,,,,SP3,\r\r\n"
        "PD-WS-0413,,PD-WS-0413,Security Update,,KB958644,,Administrator,11/4/2008,,SP3,\r\r\n";
    (void)state;
    plat_mkdir(T_STEM_DIR);
    assert_int_equal(t_write(T_STEM_DIR "/xp13_si.txt", zSi, sizeof zSi - 1), 0);
    assert_int_equal(t_write(T_STEM_DIR "/xp13_qfe.csv", zQfe, sizeof zQfe - 1), 0);
    assert_int_equal(t_write(T_STEM_DIR "/xp13_open.csv", zQfeOpen, sizeof zQfeOpen - 1), 0);
    /* alone, systeminfo cannot tell which KBs the "File 1" entries are */
    t_run("check", T_STEM_DIR "/xp13_si.txt", NULL);
    assert_non_null(strstr(t_zOut, "without a KB id"));
    /* with the QFE list resolving every such row: judged on the whole list */
    assert_int_equal(t_run("check", T_STEM_DIR "/xp13_si.txt",
                           T_STEM_DIR "/xp13_qfe.csv", NULL),
                     1);
    assert_null(strstr(t_zOut, "without a KB id"));
    assert_non_null(strstr(t_zOut, "CVE-2019-0708   MISSING"));
    /* a QFE row without a KB anywhere still hides one */
    t_run("check", T_STEM_DIR "/xp13_si.txt", T_STEM_DIR "/xp13_open.csv", NULL);
    assert_non_null(strstr(t_zOut, "without a KB id"));
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
        cmocka_unit_test_setup_teardown(test_exit_codes_per_verdict_mix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_multi_host_json_parses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hosts_filters_bidi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_view_and_recompute, setup, teardown),
        cmocka_unit_test(test_mitigated_everywhere),
        cmocka_unit_test(test_role_languages),
        cmocka_unit_test(test_stem_join),
        cmocka_unit_test(test_xp_file1_resolved),
        cmocka_unit_test_setup_teardown(test_scan_age, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_derive, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
