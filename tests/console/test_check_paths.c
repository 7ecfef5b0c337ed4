/* test_check_paths.c: the same facts give the same verdict by every path (check FILES, collect
 * then check --db, recompute) and in every argument order; cut host names join on proof only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_capture.h"
#include "dbtest_util.h"

#define T_DIR KBS_TEST_TMP "/test_check_paths"
#define T_DB KBS_TEST_TMP "/test_check_paths.db"

static char t_zOut[1 << 18], t_zErr[1 << 14];

/* Runs cli_main on a NULL-terminated argument list; output lands in t_zOut / t_zErr. */
#define t_run(...) t_cli_run(t_zOut, sizeof t_zOut, t_zErr, sizeof t_zErr, __VA_ARGS__)

/* Writes the systeminfo output of zHost to T_DIR/zFile: Windows 7 SP1 (zBuild NULL) or Windows 10
 * of that build; nCounted hotfixes counted, the blank-separated zKbs listed. */
static void t_write_si(const char *zFile, const char *zHost, const char *zBuild, unsigned nCounted,
                       const char *zKbs)
{
    char z[4096], zPath[512], zKb[32];
    size_t o = 0, k = 0;
    const char *p = zKbs;
    o += (size_t)snprintf(
        z + o, sizeof z - o,
        "\r\nHost Name:                 %s\r\n"
        "OS Name:                   %s\r\n"
        "OS Version:                %s\r\n"
        "OS Manufacturer:           Microsoft Corporation\r\n"
        "OS Configuration:          Member Workstation\r\n"
        "OS Build Type:             Multiprocessor Free\r\n"
        "System Type:               x64-based PC\r\n"
        "Domain:                    metro.example.org\r\n"
        "Hotfix(s):                 %u Hotfix(s) Installed.\r\n",
        zHost, zBuild ? "Microsoft Windows 10 Enterprise" : "Microsoft Windows 7 Professional",
        zBuild ? zBuild : "6.1.7601 Service Pack 1 Build 7601", nCounted);
    while (*p) {
        size_t n = strcspn(p, " ");
        snprintf(zKb, sizeof zKb, "%.*s", (int)n, p);
        o += (size_t)snprintf(z + o, sizeof z - o, "                           [%02u]: %s\r\n",
                              (unsigned)++k, zKb);
        p += n;
        while (*p == ' ') p++;
    }
    o += (size_t)snprintf(z + o, sizeof z - o,
                          "Network Card(s):           1 NIC(s) Installed.\r\n"
                          "                           [01]: Intel(R) Ethernet\r\n");
    snprintf(zPath, sizeof zPath, "%s/%s", T_DIR, zFile);
    assert_int_equal(t_write(zPath, z, o), 0);
}

static void t_write_file(const char *zFile, const char *zText)
{
    char zPath[512];
    snprintf(zPath, sizeof zPath, "%s/%s", T_DIR, zFile);
    assert_int_equal(t_write(zPath, zText, strlen(zText)), 0);
}

/* The verdict line of rule zRule in check's table output ("MS17-010 ... MISSING"), as a status
 * word copied to zOut. */
static void t_status(const char *zText, const char *zRule, char *zOut, size_t nOut)
{
    const char *p = strstr(zText, zRule), *e;
    size_t i = 0;
    zOut[0] = 0;
    if (!p) return;
    e = strchr(p, '\n');
    if (!e) e = p + strlen(p);
    for (; p < e && i + 1 < nOut; p++) {
        static const char *const az[] = {"PATCHED", "MISSING", "UNKNOWN", "UNPATCHABLE",
                                         "NOT AFFECTED", "NOT-AFFECTED", "MITIGATED"};
        size_t k;
        for (k = 0; k < sizeof az / sizeof az[0]; k++)
            if (!strncmp(p, az[k], strlen(az[k]))) {
                snprintf(zOut, nOut, "%s", az[k]);
                return;
            }
    }
}

static int setup(void **state)
{
    (void)state;
    plat_mkdir(T_DIR);
    t_rm_db(T_DB);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    t_rm_db(T_DB);
    return 0;
}

/* A console table whose Source column is cut ("WS-PC0...") fits WS-PC01 and WS-PC02: it is
 * joined to neither, the output says so, and the order of the files changes nothing. */
static void test_cut_name_ambiguous(void **state)
{
    static const char *const aazOrder[][3] = {
        {T_DIR "/a.txt", T_DIR "/b.txt", T_DIR "/tbl.txt"},
        {T_DIR "/b.txt", T_DIR "/a.txt", T_DIR "/tbl.txt"},
        {T_DIR "/tbl.txt", T_DIR "/a.txt", T_DIR "/b.txt"},
        {T_DIR "/a.txt", T_DIR "/tbl.txt", T_DIR "/b.txt"},
    };
    size_t k;
    (void)state;
    t_write_si("a.txt", "WS-PC01", NULL, 1, "KB976902");
    t_write_si("b.txt", "WS-PC02", NULL, 2, "KB976902 KB4012212");
    t_write_file("tbl.txt",
                 "Source        Description      HotFixID      InstalledBy          InstalledOn\r\n"
                 "------        -----------      --------      -----------          -----------\r\n"
                 "WS-PC0...     Security Update  KB4012212     NT AUTHORITY\\SYSTEM  3/15/2017 12:00:00 AM\r\n");
    for (k = 0; k < sizeof aazOrder / sizeof aazOrder[0]; k++) {
        char zPc01[32], *pPc01, *pPc02;
        int ex = t_run("check", "--stale", "0", aazOrder[k][0], aazOrder[k][1], aazOrder[k][2], NULL);
        if (ex != 1 || !strstr(t_zErr, "WS-PC0...") || !strstr(t_zErr, "joined to none of them"))
            fail_msg("order %u: exit %d, stderr: %s", (unsigned)k, ex, t_zErr);
        /* WS-PC01 lists only KB976902: MS17-010 missing, whatever the table says */
        pPc01 = strstr(t_zOut, "WS-PC01");
        pPc02 = strstr(t_zOut, "WS-PC02");
        assert_non_null(pPc01);
        assert_non_null(pPc02);
        t_status(pPc01, "MS17-010", zPc01, sizeof zPc01);
        if (strcmp(zPc01, "MISSING"))
            fail_msg("order %u: WS-PC01 MS17-010 %s\n%s", (unsigned)k, zPc01, t_zOut);
    }
    /* A cut name that fits one machine only is that machine's, in either order. */
    t_write_si("c.txt", "WS-PC01", NULL, 1, "KB976902");
    t_write_file("tbl1.txt",
                 "Source        Description      HotFixID      InstalledBy          InstalledOn\r\n"
                 "------        -----------      --------      -----------          -----------\r\n"
                 "WS-PC0...     Security Update  KB4012212     NT AUTHORITY\\SYSTEM  3/15/2017 12:00:00 AM\r\n");
    assert_int_equal(t_run("check", "--stale", "0", T_DIR "/tbl1.txt", T_DIR "/c.txt", NULL), 1);
    assert_non_null(strstr(t_zOut, "tbl1.txt"));
    assert_null(strstr(t_zErr, "joined to none of them"));
    {
        char z[32];
        t_status(t_zOut, "MS17-010", z, sizeof z);
        assert_string_equal(z, "PATCHED");
    }
}

/* systeminfo counts 10 hotfixes and lists 2; the Get-HotFix table of the same machine has 3 rows:
 * the joined list is still not complete, by file and after collect alike. */
static void test_counted_list_one_merge(void **state)
{
    char zFile[32], zDb[32];
    (void)state;
    t_write_si("si10.txt", "WS-PC10", NULL, 10, "KB976902 KB2999226");
    t_write_file("hf3.csv", "\"Source\",\"Description\",\"HotFixID\",\"InstalledBy\",\"InstalledOn\"\r\n"
                            "\"WS-PC10\",\"Update\",\"KB976902\",\"NT AUTHORITY\\SYSTEM\",\"2/22/2011 12:00:00 AM\"\r\n"
                            "\"WS-PC10\",\"Update\",\"KB2999226\",\"NT AUTHORITY\\SYSTEM\",\"10/14/2015 12:00:00 AM\"\r\n"
                            "\"WS-PC10\",\"Update\",\"KB3020369\",\"NT AUTHORITY\\SYSTEM\",\"4/14/2015 12:00:00 AM\"\r\n");
    assert_int_equal(t_run("check", "--stale", "0", T_DIR "/si10.txt", T_DIR "/hf3.csv", NULL), 1);
    t_status(t_zOut, "MS17-010", zFile, sizeof zFile);
    assert_string_equal(zFile, "UNKNOWN");
    assert_int_equal(t_run("check", "--stale", "0", T_DIR "/hf3.csv", T_DIR "/si10.txt", NULL), 1);
    t_status(t_zOut, "MS17-010", zFile, sizeof zFile);
    assert_string_equal(zFile, "UNKNOWN");
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR "/si10.txt", T_DIR "/hf3.csv", NULL), 0);
    assert_int_equal(t_run("check", "--db", T_DB, "--stale", "0", "WS-PC10", NULL), 1);
    t_status(t_zOut, "MS17-010", zDb, sizeof zDb);
    assert_string_equal(zDb, zFile);
}

/* CVE-2024-38063 on a Windows 10 22H2 without UBR whose newest update is newer than the catalog:
 * unknown ("catalog older"), by file, after collect and after recompute; the install dates are
 * kept in the database. PrintNightmare: 22H2 shipped with its fix, patched by the build. */
static void test_dates_survive_the_database(void **state)
{
    char zFile[32], zDb[32];
    (void)state;
    t_write_si("w10_si.txt", "WS-W10", "10.0.19045 N/A Build 19045", 2, "KB5011048 KB5099999");
    t_write_file("w10_hf.csv", "\"Source\",\"Description\",\"HotFixID\",\"InstalledBy\",\"InstalledOn\"\r\n"
                               "\"WS-W10\",\"Update\",\"KB5011048\",\"NT AUTHORITY\\SYSTEM\",\"2/15/2022 12:00:00 AM\"\r\n"
                               "\"WS-W10\",\"Security Update\",\"KB5099999\",\"NT AUTHORITY\\SYSTEM\",\"8/11/2026 12:00:00 AM\"\r\n");
    assert_int_equal(t_run("check", "--stale", "0", T_DIR "/w10_si.txt", T_DIR "/w10_hf.csv", NULL), 1);
    t_status(t_zOut, "CVE-2024-38063", zFile, sizeof zFile);
    assert_string_equal(zFile, "UNKNOWN");
    assert_non_null(strstr(t_zOut, "installed 2026-08-11"));
    t_status(t_zOut, "CVE-2021-34527", zFile, sizeof zFile);
    assert_string_equal(zFile, "PATCHED");

    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR "/w10_si.txt", T_DIR "/w10_hf.csv", NULL), 0);
    assert_int_equal(t_run("check", "--db", T_DB, "--stale", "0", "WS-W10", NULL), 1);
    t_status(t_zOut, "CVE-2024-38063", zDb, sizeof zDb);
    assert_string_equal(zDb, "UNKNOWN");
    assert_non_null(strstr(t_zOut, "installed 2026-08-11"));
    assert_int_equal(t_run("recompute", "--db", T_DB, NULL), 0);
    assert_int_equal(t_run("check", "--db", T_DB, "--stale", "0", "WS-W10", NULL), 1);
    t_status(t_zOut, "CVE-2024-38063", zDb, sizeof zDb);
    assert_string_equal(zDb, "UNKNOWN");
    t_status(t_zOut, "CVE-2021-34527", zDb, sizeof zDb);
    assert_string_equal(zDb, "PATCHED");
}

/* An agent snapshot's dates: its UNKNOWN stays UNKNOWN when the state is rebuilt from the stored
 * scan (a view through another catalog, a recompute with it). */
static void test_agent_dates_recompute(void **state)
{
    snap_t s;
    char z1[32], z2[32], *zCat;
    size_t nCat = 0;
    (void)state;
    snap_init(&s);
    snprintf(s.zOrigin, sizeof s.zOrigin, "agent");
    snprintf(s.zHost, sizeof s.zHost, "WS-AGENT");
    snprintf(s.zDomain, sizeof s.zDomain, "METRO");
    snprintf(s.zMachineId, sizeof s.zMachineId, "{agent-1}");
    s.scanTime = T_NOW;
    s.osKnown = 1;
    s.os.major = 10, s.os.build = 19045, s.os.product_type = OS_PT_WORKSTATION, s.os.arch = OS_ARCH_X64;
    snprintf(s.os.zProductName, sizeof s.os.zProductName, "Windows 10 Enterprise");
    snap_add_source(&s, "wmi-qfe", 1, NULL);
    assert_int_equal(snap_add_hotfix(&s, "KB5011048", SNAP_SRC_QFE, "2022-02-15", -1), KBS_OK);
    assert_int_equal(snap_add_hotfix(&s, "KB5099999", SNAP_SRC_QFE, "2026-08-11", -1), KBS_OK);
    assert_int_equal(t_write_snap(T_DIR "/agent.kbs", &s, 0), 0);
    assert_non_null(zCat = t_cat_reordered_text(&nCat));
    assert_int_equal(t_write(KBS_TEST_TMP "/test_check_paths.kbscat", zCat, nCat), 0);
    free(zCat);
    assert_int_equal(t_run("collect", "--db", T_DB, T_DIR "/agent.kbs", NULL), 0);
    assert_int_equal(t_run("check", "--db", T_DB, "--stale", "0", "WS-AGENT", NULL), 1);
    t_status(t_zOut, "CVE-2024-38063", z1, sizeof z1);
    assert_string_equal(z1, "UNKNOWN");
    assert_int_equal(t_run("check", "--db", T_DB, "--stale", "0", "--catalog",
                           KBS_TEST_TMP "/test_check_paths.kbscat", "WS-AGENT", NULL), 1);
    t_status(t_zOut, "CVE-2024-38063", z2, sizeof z2);
    assert_string_equal(z2, z1);
    assert_int_equal(t_run("recompute", "--db", T_DB, "--catalog", KBS_TEST_TMP "/test_check_paths.kbscat",
                           NULL), 0);
    assert_int_equal(t_run("check", "--db", T_DB, "--stale", "0", "WS-AGENT", NULL), 1);
    t_status(t_zOut, "CVE-2024-38063", z2, sizeof z2);
    assert_string_equal(z2, z1);
    snap_release(&s);
}

/* --as-of takes real days only: 2026-02-31 is refused with the reason. */
static void test_as_of_impossible_date(void **state)
{
    (void)state;
    t_write_si("d.txt", "WS-PC01", NULL, 1, "KB976902");
    assert_int_equal(t_run("check", "--as-of", "2026-02-31", T_DIR "/d.txt", NULL), 2);
    assert_non_null(strstr(t_zErr, "2026-02-31"));
    assert_non_null(strstr(t_zErr, "no such day"));
    assert_int_equal(t_run("check", "--as-of", "2025-02-29", T_DIR "/d.txt", NULL), 2);
    assert_int_equal(t_run("check", "--as-of", "2026-04-31", T_DIR "/d.txt", NULL), 2);
    assert_int_equal(t_run("check", "--as-of", "2024-02-29", T_DIR "/d.txt", NULL), 1);
    assert_int_equal(t_run("check", "--as-of", "2000-02-29", T_DIR "/d.txt", NULL), 1);
    assert_int_equal(t_run("check", "--as-of", "1900-02-29", T_DIR "/d.txt", NULL), 2);
    assert_int_equal(t_run("report", "--db", T_DB, "--as-of", "2026-02-31", NULL), 2);
    assert_non_null(strstr(t_zErr, "no such day"));
}

/* Two agent snapshots of one machine taken the same second (a copy and a rescan): the one that
 * is further on (the higher UBR) is the base, whichever file comes first. */
static void test_same_time_snapshots_any_order(void **state)
{
    snap_t s;
    char z1[32], z2[32];
    unsigned k;
    int ex1, ex2;
    (void)state;
    for (k = 0; k < 2; k++) {
        snap_init(&s);
        snprintf(s.zOrigin, sizeof s.zOrigin, "agent");
        snprintf(s.zHost, sizeof s.zHost, "WS-TWICE");
        snprintf(s.zDomain, sizeof s.zDomain, "METRO");
        s.scanTime = T_NOW;
        s.osKnown = 1;
        s.os.major = 10, s.os.build = 19045, s.os.ubr = k ? 4780 : 1000;
        s.os.product_type = OS_PT_WORKSTATION, s.os.arch = OS_ARCH_X64;
        snap_add_source(&s, "wmi-qfe", 1, NULL);
        assert_int_equal(snap_add_hotfix(&s, "KB5011048", SNAP_SRC_QFE, "2022-02-15", -1), KBS_OK);
        assert_int_equal(t_write_snap(k ? T_DIR "/twice-b.kbs" : T_DIR "/twice-a.kbs", &s, 0), 0);
        snap_release(&s);
    }
    ex1 = t_run("check", "--stale", "0", T_DIR "/twice-a.kbs", T_DIR "/twice-b.kbs", NULL);
    t_status(t_zOut, "CVE-2024-38063", z1, sizeof z1);
    ex2 = t_run("check", "--stale", "0", T_DIR "/twice-b.kbs", T_DIR "/twice-a.kbs", NULL);
    t_status(t_zOut, "CVE-2024-38063", z2, sizeof z2);
    assert_string_equal(z1, "PATCHED");
    assert_string_equal(z2, z1);
    assert_int_equal(ex1, ex2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cut_name_ambiguous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counted_list_one_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dates_survive_the_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agent_dates_recompute, setup, teardown),
        cmocka_unit_test_setup_teardown(test_as_of_impossible_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_time_snapshots_any_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
