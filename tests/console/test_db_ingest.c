/* test_db_ingest.c: storing scans: host identity (same-named hosts of two domains and a
 * domain-less hotfix file), companion files merged in either order, and scans dated ahead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "../t_tmpfile.h"
#include "cat.h"
#include "db.h"
#include "db_int.h"
#include "dbtest_util.h"

#define T_DB KBS_TEST_TMP "/test_db_ingest.db"

typedef struct t_ctx {
    cat_t cat;
    db_t *db;
} t_ctx_t;

static t_ctx_t t_c;

static void t_open(void)
{
    char zErr[DB_ERR_MAX];
    t_rm_db(T_DB);
    assert_int_equal(db_open(T_DB, &t_c.db, zErr, sizeof zErr), KBS_OK);
    assert_int_equal(db_use_catalog(t_c.db, &t_c.cat, NULL), KBS_OK);
}

static void t_close(void)
{
    db_close(t_c.db);
    t_c.db = NULL;
    t_rm_db(T_DB);
}

static int setup(void **state)
{
    (void)state;
    return cat_load_default(&t_c.cat);
}

static int teardown(void **state)
{
    (void)state;
    cat_release(&t_c.cat);
    return 0;
}

/* A systeminfo-like scan of XP SP3 zHost in zDomain: no proof files, KB4012598 only when bFixed. */
static void t_si(snap_t *s, const char *zHost, const char *zDomain, int bFixed)
{
    t_snap_xp(s, zHost, NULL, 0, bFixed);
    snprintf(s->zOrigin, sizeof s->zOrigin, "systeminfo");
    snprintf(s->zDomain, sizeof s->zDomain, "%s", zDomain);
    s->nFile = 0;
}

/* A Get-HotFix file of zHost (no domain, no OS) listing zKb and n - 1 other KBs. */
static void t_csv(snap_t *s, const char *zHost, const char *zKb, unsigned n)
{
    unsigned i;
    snap_init(s);
    snprintf(s->zOrigin, sizeof s->zOrigin, "get-hotfix-csv");
    snprintf(s->zHost, sizeof s->zHost, "%s", zHost);
    if (zKb) snap_add_hotfix(s, zKb, SNAP_SRC_QFE, NULL, -1);
    for (i = zKb ? 1 : 0; i < n; i++) {
        char z[16];
        snprintf(z, sizeof z, "KB9%05u", i);
        snap_add_hotfix(s, z, SNAP_SRC_QFE, NULL, -1);
    }
}

/* The status of zRule for the host zHost of domain zDomain ("" none), or -1 when absent. */
static int t_status(const char *zHost, const char *zDomain, const char *zRule)
{
    char zWho[600];
    if (zDomain[0])
        snprintf(zWho, sizeof zWho, "%s.%s", zHost, zDomain);
    else
        snprintf(zWho, sizeof zWho, "%s", zHost);
    return t_verdict(t_c.db, zWho, zRule, NULL, 0);
}

/* The reproduction of issue 1: CORP\PC01 (no fix) and LAB\PC01 both scanned, and a Get-HotFix
 * file of LAB's PC01 listing the fix. Whatever the order, neither host takes the file's list:
 * both stay missing, and the file is kept apart on a host of its own (unknown OS: unknown). */
static void test_domainless_csv_of_two_same_named_hosts(void **state)
{
    static const char *const azOrder[] = {"CLX", "XCL", "CXL", "LCX", "XLC"};
    size_t k;
    (void)state;
    for (k = 0; k < sizeof azOrder / sizeof azOrder[0]; k++) {
        const char *z;
        int bApart = 0;
        t_open();
        for (z = azOrder[k]; *z; z++) {
            snap_t s;
            db_ingest_res_t res;
            if (*z == 'X')
                t_csv(&s, "pc01", "KB4012598", 3);
            else
                t_si(&s, "PC01", *z == 'C' ? "CORP" : "LAB", 0);
            assert_int_equal(db_ingest(t_c.db, &s, *z == 'X' ? "lab-pc01.csv" : "si.txt", T_NOW, &res),
                             KBS_OK);
            if (res == DB_ING_APART) {
                bApart = 1;
                assert_non_null(strstr(db_ingest_note(t_c.db), "PC01: 2 hosts of that name"));
                assert_non_null(strstr(db_ingest_note(t_c.db), "give its domain"));
            }
            snap_release(&s);
        }
        /* The file came last: it was reported as not merged. */
        assert_int_equal(bApart, azOrder[k][2] == 'X');
        assert_int_equal(t_status("PC01", "CORP", "MS17-010"), VERDICT_MISSING);
        assert_int_equal(t_status("PC01", "LAB", "MS17-010"), VERDICT_MISSING);
        assert_int_equal(t_sql_int(t_c.db->h, "SELECT count(*) FROM host"), 3);
        assert_int_equal(t_sql_int(t_c.db->h,
                                   "SELECT count(*) FROM host h JOIN scan s ON s.host_id = h.id"
                                   " WHERE h.domain = '' AND s.source_path = 'lab-pc01.csv'"),
                         1);
        t_close();
    }
}

/* One host of the name: the domain-less file merges, in either order. */
static void test_domainless_csv_of_one_host_merges(void **state)
{
    int order;
    (void)state;
    for (order = 0; order < 2; order++) {
        snap_t si, csv;
        db_ingest_res_t res;
        t_open();
        t_si(&si, "PC02", "CORP", 0);
        t_csv(&csv, "PC02", "KB4012598", 2);
        assert_int_equal(db_ingest(t_c.db, order ? &csv : &si, "a", T_NOW, &res), KBS_OK);
        assert_int_equal(db_ingest(t_c.db, order ? &si : &csv, "b", T_NOW - 60, &res), KBS_OK);
        assert_int_equal(res, DB_ING_MERGED);
        assert_int_equal(t_status("PC02", "CORP", "MS17-010"), VERDICT_PATCHED);
        assert_int_equal(t_sql_int(t_c.db->h, "SELECT count(*) FROM host"), 1);
        snap_release(&si);
        snap_release(&csv);
        t_close();
    }
}

/* A systeminfo list cut short (hotfixesComplete 0: 5 counted, 2 listed) and the Get-HotFix file
 * of the same host, in both orders: a complete file of at least 5 rows makes the list whole (the
 * fix it lists patches; a file without the fix proves it missing); a shorter file does not. */
static void test_qfe_companion_of_cut_short_systeminfo(void **state)
{
    static const struct {
        const char *zKb;
        unsigned nRow;
        int want;
    } aCase[] = {{"KB4012598", 5, VERDICT_PATCHED},
                 {NULL, 5, VERDICT_MISSING},
                 {NULL, 4, VERDICT_UNKNOWN},
                 {"KB4012598", 4, VERDICT_PATCHED}};
    size_t k;
    int order;
    (void)state;
    for (k = 0; k < sizeof aCase / sizeof aCase[0]; k++)
        for (order = 0; order < 2; order++) {
            snap_t si, csv;
            db_ingest_res_t res;
            t_open();
            t_si(&si, "PC-Q", "CORP", 0);
            si.hotfixesComplete = 0;
            si.nHotfixCounted = 5;
            snprintf(si.zHotfixNote, sizeof si.zHotfixNote, "systeminfo lists 2 of the 5 hotfixes");
            t_csv(&csv, "pc-q", aCase[k].zKb, aCase[k].nRow);
            assert_int_equal(db_ingest(t_c.db, order ? &csv : &si, order ? "q.csv" : "q.txt",
                                       T_NOW - 120, &res),
                             KBS_OK);
            assert_int_equal(db_ingest(t_c.db, order ? &si : &csv, order ? "q.txt" : "q.csv", T_NOW,
                                       &res),
                             KBS_OK);
            assert_int_equal(res, DB_ING_MERGED);
            if (t_status("PC-Q", "CORP", "MS17-010") != aCase[k].want)
                print_error("case %u order %d\n", (unsigned)k, order);
            assert_int_equal(t_status("PC-Q", "CORP", "MS17-010"), aCase[k].want);
            snap_release(&si);
            snap_release(&csv);
            t_close();
        }
}

/* A scan dated five years ahead (KB listed, new srv.sys) does not outrank today's scan (old
 * srv.sys): the host stays missing, can go stale, and the report flags the scan. */
static void test_future_dated_scan(void **state)
{
    int order;
    (void)state;
    for (order = 0; order < 2; order++) {
        int64_t now = plat_time();
        snap_t today, ahead;
        db_ingest_res_t res;
        db_filter_t f;
        db_report_t r;
        t_open();
        t_snap_xp(&today, "PC-T", "{t}", now - 3600, 0);
        t_snap_xp(&ahead, "PC-T", "{t}", now + 5 * 365 * 86400LL, 1);
        assert_int_equal(db_ingest(t_c.db, order ? &ahead : &today, "1.kbs", 0, &res), KBS_OK);
        assert_int_equal(db_ingest(t_c.db, order ? &today : &ahead, "2.kbs", 0, &res), KBS_OK);
        assert_int_equal(t_verdict(t_c.db, "PC-T", "MS17-010", NULL, 0), VERDICT_MISSING);
        memset(&f, 0, sizeof f);
        f.status = -1;
        f.now = now;
        f.staleDays = 1;
        f.zHost = "PC-T";
        assert_int_equal(db_report_load(t_c.db, &f, &r), KBS_OK);
        assert_int_equal(r.rep.nHost, 1);
        assert_true(r.rep.aHost[0].scanTime <= now);
        assert_int_equal(r.rep.aHost[0].futureScanTime, now + 5 * 365 * 86400LL);
        {
            /* The helpdesk view and JSON name the ignored scan. */
            char zOut[8192];
            size_t n;
            FILE *pf = t_tmpfile();
            assert_non_null(pf);
            assert_int_equal(rep_render_check(&r.rep, &r.rep.aHost[0], REP_FMT_TABLE, pf), KBS_OK);
            assert_int_equal(rep_render_check(&r.rep, &r.rep.aHost[0], REP_FMT_JSON, pf), KBS_OK);
            rewind(pf);
            n = fread(zOut, 1, sizeof zOut - 1, pf);
            zOut[n] = 0;
            fclose(pf);
            assert_non_null(strstr(zOut, "Ignored scan: dated "));
            assert_non_null(strstr(zOut, "\"ignored_future_scan\":\""));
        }
        db_report_release(&r);
        /* A week later, without a new scan, it is stale: the future date does not keep it fresh. */
        f.now = now + 7 * 86400;
        assert_int_equal(db_report_load(t_c.db, &f, &r), KBS_OK);
        assert_int_equal(r.rep.aHost[0].stale, 1);
        db_report_release(&r);
        snap_release(&today);
        snap_release(&ahead);
        t_close();
    }
}

/* Install dates survive the database: kept per scan and per merged state (lists shared like the
 * hotfix lists), given back when the state is rebuilt from rows; a database of before (schema 1)
 * migrates, its scans without dates. */
static void test_install_dates_kept(void **state)
{
    const char *zOld = KBS_TEST_TMP "/test_db_ingest_v1.db";
    char zErr[DB_ERR_MAX], *zText = NULL;
    size_t n = 0, i;
    db_t *db2 = NULL;
    snap_t si, csv, back;
    db_ingest_res_t res;
    int64_t hostId;
    (void)state;

    t_rm_db(zOld);
    assert_int_equal(plat_read_file(KBS_TEST_DATA "/db/schema1.db", 1 << 20, &zText, &n), KBS_OK);
    assert_int_equal(t_write(zOld, zText, n), 0);
    free(zText);
    assert_int_equal(db_open(zOld, &db2, zErr, sizeof zErr), KBS_OK);
    assert_int_equal(t_sql_int(db2->h, "SELECT user_version FROM pragma_user_version"), DB_SCHEMA_VERSION);
    assert_int_equal(t_sql_int(db2->h, "SELECT count(*) FROM scan WHERE date_set_id IS NOT NULL"), 0);
    assert_int_equal(t_sql_int(db2->h, "SELECT count(*) FROM host WHERE state_date_set_id IS NOT NULL"), 0);
    assert_int_equal(t_sql_int(db2->h, "SELECT count(*) FROM date_set"), 0);
    assert_true(t_sql_int(db2->h, "SELECT count(*) FROM scan") > 0);
    db_close(db2);
    t_rm_db(zOld);

    /* a systeminfo (no dates) and the Get-HotFix file of the same run (dates): a merged state */
    t_open();
    t_si(&si, "PC07", "CORP", 0);
    si.scanTime = T_NOW;
    t_csv(&csv, "PC07", NULL, 0);
    csv.scanTime = T_NOW - 60;
    assert_int_equal(snap_add_hotfix(&csv, "KB4012598", SNAP_SRC_QFE, "2017-03-14", -1), KBS_OK);
    assert_int_equal(snap_add_hotfix(&csv, "KB958644", SNAP_SRC_QFE, "2008-10-23", -1), KBS_OK);
    assert_int_equal(db_ingest(t_c.db, &csv, "pc07.csv", T_NOW, &res), KBS_OK);
    assert_int_equal(db_ingest(t_c.db, &si, "pc07.txt", T_NOW, &res), KBS_OK);
    assert_int_equal(res, DB_ING_MERGED);
    /* the file's dates, one line per entry of its list (KB958644, KB4012598), stored once */
    assert_int_equal(t_sql_int(t_c.db->h, "SELECT count(*) FROM scan s JOIN date_set d ON d.id = s.date_set_id"
                                          " WHERE d.list = '2008-10-23' || char(10) || '2017-03-14' || char(10)"),
                     1);
    assert_int_equal(t_sql_int(t_c.db->h, "SELECT count(*) FROM host WHERE state_date_set_id IS NOT NULL"), 1);
    hostId = t_sql_int(t_c.db->h, "SELECT id FROM host WHERE name = 'PC07'");
    assert_int_equal(db_state_load(t_c.db, hostId, &back), KBS_OK);
    for (i = 0; i < back.nHotfix; i++) {
        const snap_hotfix_t *h = &back.aHotfix[i];
        if (h->kb.num == 4012598) assert_string_equal(h->zInstalled, "2017-03-14");
        if (h->kb.num == 958644) assert_string_equal(h->zInstalled, "2008-10-23");
    }
    assert_true(back.nHotfix >= 2);
    snap_release(&back);
    snap_release(&si);
    snap_release(&csv);
    t_close();
}

/* A second domain's host of a name when no domain-less scan is to be moved: no scan-less
 * "holder" host is made for nothing. */
static void test_no_empty_holder(void **state)
{
    snap_t s;
    db_ingest_res_t res;
    (void)state;
    t_open();
    t_si(&s, "PC02", "CORP", 0);
    assert_int_equal(db_ingest(t_c.db, &s, "corp.txt", T_NOW, &res), KBS_OK);
    snap_release(&s);
    t_si(&s, "PC02", "LAB", 0);
    assert_int_equal(db_ingest(t_c.db, &s, "lab.txt", T_NOW, &res), KBS_OK);
    snap_release(&s);
    assert_int_equal(t_sql_int(t_c.db->h, "SELECT count(*) FROM host"), 2);
    assert_int_equal(t_sql_int(t_c.db->h, "SELECT count(*) FROM host WHERE cur_scan_id IS NULL"), 0);
    t_close();
}

/* More hosts of one name than any fixed limit (70 workgroups with an ADMIN-PC): a later scan of
 * each still finds its own host. */
static void test_many_hosts_of_one_name(void **state)
{
    unsigned i, k;
    (void)state;
    t_open();
    for (k = 0; k < 2; k++)
        for (i = 0; i < 70; i++) {
            snap_t s;
            char zDom[32];
            db_ingest_res_t res;
            snprintf(zDom, sizeof zDom, "WG%02u", i);
            t_si(&s, "ADMIN-PC", zDom, 0);
            s.scanTime = T_NOW + (int64_t)k * 3600;
            assert_int_equal(db_ingest(t_c.db, &s, "si.txt", T_NOW, &res), KBS_OK);
            assert_int_equal(res, k ? DB_ING_CURRENT : DB_ING_NEW_HOST);
            snap_release(&s);
        }
    assert_int_equal(t_sql_int(t_c.db->h, "SELECT count(*) FROM host"), 70);
    assert_int_equal(t_sql_int(t_c.db->h, "SELECT count(*) FROM scan"), 140);
    t_close();
}

/* A name a console table cut ("WS-PC0...") is no proof of a machine in the database: its scan is
 * kept on a host of its own, and collect says why. */
static void test_cut_name_kept_apart(void **state)
{
    snap_t s;
    db_ingest_res_t res;
    (void)state;
    t_open();
    t_si(&s, "WS-PC01", "CORP", 0);
    assert_int_equal(db_ingest(t_c.db, &s, "a.txt", T_NOW, &res), KBS_OK);
    snap_release(&s);
    assert_string_equal(db_ingest_note(t_c.db), "");
    t_csv(&s, "WS-PC0...", "KB4012598", 1);
    assert_int_equal(db_ingest(t_c.db, &s, "tbl.txt", T_NOW, &res), KBS_OK);
    snap_release(&s);
    assert_int_equal(res, DB_ING_NEW_HOST);
    assert_non_null(strstr(db_ingest_note(t_c.db), "WS-PC0...: host name cut"));
    assert_int_equal(t_status("WS-PC01", "CORP", "MS17-010"), VERDICT_MISSING);
    assert_int_equal(t_sql_int(t_c.db->h, "SELECT count(*) FROM host"), 2);
    t_close();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domainless_csv_of_two_same_named_hosts),
        cmocka_unit_test(test_domainless_csv_of_one_host_merges),
        cmocka_unit_test(test_qfe_companion_of_cut_short_systeminfo),
        cmocka_unit_test(test_future_dated_scan),
        cmocka_unit_test(test_install_dates_kept),
        cmocka_unit_test(test_no_empty_holder),
        cmocka_unit_test(test_many_hosts_of_one_name),
        cmocka_unit_test(test_cut_name_kept_apart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
