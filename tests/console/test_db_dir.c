/* test_db_dir.c: directory syncs (dated, gone marking, the shrink guard, undo) and the join of
 * hosts to accounts in reports: silent machines, coverage, --ou, the exit code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_capture.h"
#include "dbtest_util.h"

#define T_DBD KBS_TEST_TMP "/test_db_dir.db"

typedef struct tctx {
    db_t *db;
    cat_t cat;
} tctx_t;

static int setup(void **state)
{
    tctx_t *c = calloc(1, sizeof *c);
    char zErr[DB_ERR_MAX];
    t_rm_db(T_DBD);
    if (!c || cat_load_default(&c->cat) || db_open(T_DBD, &c->db, zErr, sizeof zErr) ||
        db_use_catalog(c->db, &c->cat, NULL))
        return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    tctx_t *c = *state;
    db_close(c->db);
    cat_release(&c->cat);
    free(c);
    t_rm_db(T_DBD);
    return 0;
}

static void t_acc(adc_t *a, const char *zName, const char *zDomain, const char *zOu, const char *zOs,
                  const char *zSp, const char *zVer, int enabled)
{
    memset(a, 0, sizeof *a);
    snprintf(a->zName, sizeof a->zName, "%s", zName);
    snprintf(a->zDn, sizeof a->zDn, "CN=%s,%s", zName, zOu);
    snprintf(a->zDomain, sizeof a->zDomain, "%s", zDomain);
    snprintf(a->zOs, sizeof a->zOs, "%s", zOs);
    snprintf(a->zOsSp, sizeof a->zOsSp, "%s", zSp);
    snprintf(a->zOsVer, sizeof a->zOsVer, "%s", zVer);
    a->enabled = enabled;
    a->whenCreated = 1262304000;
    a->lastLogon = 1494577800;
}

#define T_OU_DESK "OU=Desktops,OU=HQ,DC=police,DC=example,DC=com"
#define T_OU_LAB "OU=Lab,DC=police,DC=example,DC=com"

/* Stores the accounts of names azName (XP SP3, under T_OU_DESK) as one sync. */
static void t_sync(db_t *db, const char *const *azName, size_t n, int bReplace, db_dir_res_t *pRes)
{
    int64_t id = 0;
    size_t i;
    adc_t a;
    assert_int_equal(db_dir_begin(db, "test", "", T_NOW, &id), KBS_OK);
    for (i = 0; i < n; i++) {
        t_acc(&a, azName[i], "police.example.com", T_OU_DESK, "Windows XP Professional",
              "Service Pack 3", "5.1 (2600)", 1);
        assert_int_equal(db_dir_put(db, id, &a, NULL), KBS_OK);
    }
    assert_int_equal(db_dir_end(db, id, bReplace, pRes), KBS_OK);
    assert_int_equal(db_commit(db), KBS_OK);
}

static long long t_present(const char *zName)
{
    char zSql[256];
    snprintf(zSql, sizeof zSql,
             "SELECT gone_sync_id IS NULL FROM dir_computer WHERE name = '%s'", zName);
    return t_query_int(T_DBD, zSql);
}

static void test_sync_gone_and_guard(void **state)
{
    tctx_t *c = *state;
    static const char *const az[] = {"PC1", "PC2", "PC3", "PC4"};
    db_dir_res_t r;
    t_sync(c->db, az, 4, 0, &r);
    assert_int_equal(r.nSeen, 4);
    assert_int_equal(r.nNew, 4);
    /* one machine deleted from the directory: marked gone, not forgotten */
    t_sync(c->db, az, 3, 0, &r);
    assert_int_equal(r.nGone, 1);
    assert_int_equal(t_present("PC4"), 0);
    assert_int_equal(t_query_int(T_DBD, "SELECT count(*) FROM dir_computer"), 4);
    /* it comes back */
    t_sync(c->db, az, 4, 0, &r);
    assert_int_equal(r.nNew, 0);
    assert_int_equal(t_present("PC4"), 1);
    /* a sync of 1 of 4 (a wrong base, a filtered export) marks nothing gone ... */
    t_sync(c->db, az, 1, 0, &r);
    assert_int_equal(r.nGone, 0);
    assert_int_equal(r.nKept, 3);
    assert_int_equal(t_present("PC2"), 1);
    /* ... unless asked to */
    t_sync(c->db, az, 1, 1, &r);
    assert_int_equal(r.nGone, 3);
    assert_int_equal(t_present("PC2"), 0);
    assert_int_equal(t_query_int(T_DBD, "SELECT count(*) FROM dir_sync"), 5);
}

static void test_undone_sync_changes_nothing(void **state)
{
    tctx_t *c = *state;
    static const char *const az[] = {"PC1", "PC2"};
    db_dir_res_t r;
    int64_t id = 0;
    adc_t a;
    t_sync(c->db, az, 2, 0, &r);
    assert_int_equal(db_dir_begin(c->db, "test", "", T_NOW, &id), KBS_OK);
    t_acc(&a, "PC9", "police.example.com", T_OU_DESK, "", "", "", 1);
    assert_int_equal(db_dir_put(c->db, id, &a, NULL), KBS_OK);
    assert_int_equal(db_rollback(c->db), KBS_OK);
    assert_int_equal(t_query_int(T_DBD, "SELECT count(*) FROM dir_computer"), 2);
    assert_int_equal(t_query_int(T_DBD, "SELECT count(*) FROM dir_sync"), 1);
}

static const rep_host_t *t_row(const db_report_t *r, const char *zHost, const char *zDomain)
{
    size_t i;
    for (i = 0; i < r->rep.nHost; i++)
        if (!strcmp(r->rep.aHost[i].zHost, zHost) && (!zDomain || !strcmp(r->rep.aHost[i].zDomain, zDomain)))
            return &r->rep.aHost[i];
    return NULL;
}

/* The done-when of the directory: XP SP2 never reporting is unpatchable, XP SP3 unknown, the
 * reporting machine keeps its verdict; a name in two domains is two machines. */
static void test_report_silent_machines(void **state)
{
    tctx_t *c = *state;
    snap_t s;
    db_ingest_res_t res;
    db_filter_t f;
    db_report_t r;
    db_dir_res_t dr;
    const rep_host_t *h;
    int64_t id = 0;
    adc_t a;

    /* the reporting machine: agent snapshot of XP-REP in domain POLICE, patched */
    t_snap_xp(&s, "XP-REP", "{m1}", T_NOW - 3600, 1);
    assert_int_equal(db_ingest(c->db, &s, "a.kbs", 0, &res), KBS_OK);
    snap_release(&s);
    /* a host the directory does not know */
    t_snap_xp(&s, "ROGUE", "{m2}", T_NOW - 3600, 1);
    assert_int_equal(db_ingest(c->db, &s, "b.kbs", 0, &res), KBS_OK);
    snap_release(&s);

    assert_int_equal(db_dir_begin(c->db, "test", "", T_NOW, &id), KBS_OK);
    t_acc(&a, "XP-REP", "police.example.com", T_OU_DESK, "Windows XP Professional", "Service Pack 3",
          "5.1 (2600)", 1);
    assert_int_equal(db_dir_put(c->db, id, &a, NULL), KBS_OK);
    /* the same name in another domain: another machine, which never reported */
    t_acc(&a, "XP-REP", "other.example.com", "OU=X,DC=other,DC=example,DC=com",
          "Windows XP Professional", "Service Pack 3", "5.1 (2600)", 1);
    assert_int_equal(db_dir_put(c->db, id, &a, NULL), KBS_OK);
    t_acc(&a, "XP-SP2", "police.example.com", T_OU_DESK, "Windows XP Professional", "Service Pack 2",
          "5.1 (2600)", 1);
    assert_int_equal(db_dir_put(c->db, id, &a, NULL), KBS_OK);
    t_acc(&a, "XP-SP3", "police.example.com", T_OU_LAB, "Windows XP Professional", "Service Pack 3",
          "5.1 (2600)", 1);
    assert_int_equal(db_dir_put(c->db, id, &a, NULL), KBS_OK);
    t_acc(&a, "OFF", "police.example.com", T_OU_LAB, "Windows XP Professional", "Service Pack 2",
          "5.1 (2600)", 0);
    assert_int_equal(db_dir_put(c->db, id, &a, NULL), KBS_OK);
    assert_int_equal(db_dir_end(c->db, id, 0, &dr), KBS_OK);
    assert_int_equal(db_commit(c->db), KBS_OK);

    memset(&f, 0, sizeof f);
    f.status = -1;
    f.now = T_NOW;
    f.staleDays = 30;
    f.zRule = "MS17-010";
    assert_int_equal(db_report_load(c->db, &f, &r), KBS_OK);
    assert_true(r.rep.cov.bDir);
    assert_int_equal(r.rep.cov.nInDir, 5);
    assert_int_equal(r.rep.cov.nReporting, 1);
    assert_int_equal(r.rep.cov.nNever, 3);
    assert_int_equal(r.rep.cov.nDisabled, 1);
    assert_int_equal(r.rep.cov.nStale, 0);
    assert_int_equal(r.rep.cov.nNotInDir, 1);
    /* 2 hosts + 3 silent rows; the disabled account is counted, not a row */
    assert_int_equal(r.rep.nHost, 5);
    assert_null(t_row(&r, "OFF", NULL));
    h = t_row(&r, "XP-REP", "POLICE");
    assert_non_null(h);
    assert_int_equal(h->aVerdict[0].status, VERDICT_PATCHED);
    assert_true(h->dir.inDir);
    assert_false(h->dir.silent);
    assert_string_equal(h->dir.zOu, T_OU_DESK);
    assert_string_equal(h->dir.zDomain, "police.example.com");
    h = t_row(&r, "XP-REP", "other.example.com");
    assert_non_null(h);
    assert_true(h->dir.silent);
    assert_int_equal(h->aVerdict[0].status, VERDICT_UNKNOWN);
    h = t_row(&r, "XP-SP2", NULL);
    assert_non_null(h);
    assert_int_equal(h->aVerdict[0].status, VERDICT_UNPATCHABLE);
    assert_non_null(strstr(h->aVerdict[0].zEvidence, "by the directory's OS only"));
    h = t_row(&r, "XP-SP3", NULL);
    assert_non_null(h);
    assert_int_equal(h->aVerdict[0].status, VERDICT_UNKNOWN);
    assert_non_null(strstr(h->aVerdict[0].zEvidence, "no scan: in the directory since 2010-01-01, last logon 2017-05-12"));
    h = t_row(&r, "ROGUE", NULL);
    assert_non_null(h);
    assert_false(h->dir.inDir);
    db_report_release(&r);

    /* --ou: the subtree only; hosts outside any account leave */
    f.zOu = "ou=lab,DC=police,DC=example,DC=com";
    assert_int_equal(db_report_load(c->db, &f, &r), KBS_OK);
    assert_int_equal(r.rep.nHost, 1);
    assert_string_equal(r.rep.aHost[0].zHost, "XP-SP3");
    assert_int_equal(r.rep.cov.nInDir, 2);
    assert_int_equal(r.rep.cov.nDisabled, 1);
    assert_int_equal(r.rep.cov.nNotInDir, 0);
    db_report_release(&r);

    /* the stored hosts alone (kbsentry hosts) */
    f.bNoDir = 1;
    assert_int_equal(db_report_load(c->db, &f, &r), KBS_OK);
    assert_int_equal(r.rep.nHost, 2);
    assert_false(r.rep.cov.bDir);
    db_report_release(&r);
    f.bNoDir = 0;

    /* a month later the reporting machine is stale: counted, and it keeps its own verdict */
    f.zOu = NULL;
    f.now = T_NOW + 40 * 86400;
    assert_int_equal(db_report_load(c->db, &f, &r), KBS_OK);
    assert_int_equal(r.rep.cov.nStale, 1);
    h = t_row(&r, "XP-REP", "POLICE");
    assert_non_null(h);
    assert_int_equal(h->aVerdict[0].status, VERDICT_PATCHED);
    db_report_release(&r);
}

/* The commands: inventory from a Get-ADComputer CSV, a broken file changes nothing, report exits
 * 1 with the coverage heading every format. */
static void test_commands(void **state)
{
    static char zOut[1 << 20];
    char zErr[2048];
    char *azInv[] = {"kbsentry", "inventory", "--db", T_DBD, KBS_TEST_DATA "/inv/adcomputer.csv"};
    char *azBad[] = {"kbsentry", "inventory", "--db", T_DBD, KBS_TEST_DATA "/inv/csvde.csv",
                     KBS_TEST_DATA "/inv/broken_b64.ldf"};
    char *azRep[] = {"kbsentry", "report", "--db", T_DBD, "--rule", "MS17-010", "--format", "x"};
    static const char *const azFmt[] = {"table", "csv", "json", "html"};
    size_t i;
    (void)state;
    assert_int_equal(t_cli_capture(5, azInv, zOut, sizeof zOut, zErr, sizeof zErr), 0);
    assert_non_null(strstr(zOut, "3 computer accounts read"));
    assert_int_equal(t_cli_capture(6, azBad, zOut, sizeof zOut, zErr, sizeof zErr), 2);
    assert_non_null(strstr(zErr, "broken_b64.ldf:5: broken base64 value"));
    assert_int_equal(t_query_int(T_DBD, "SELECT count(*) FROM dir_sync"), 1);
    assert_int_equal(t_query_int(T_DBD, "SELECT count(*) FROM dir_computer"), 3);
    for (i = 0; i < 4; i++) {
        azRep[7] = (char *)azFmt[i];
        assert_int_equal(t_cli_capture(8, azRep, zOut, sizeof zOut, zErr, sizeof zErr), 1);
        assert_true(strstr(zOut, "Directory coverage") || strstr(zOut, "coverage"));
        assert_non_null(strstr(zOut, "never"));
        assert_non_null(strstr(zOut, "XP-SP2-01"));
    }
    assert_non_null(strstr(zOut, "3 in the directory &middot; 0 reporting &middot; 2 never reported &middot; 0 stale &middot; 1 disabled"));

    /* --group ou and --group domain take the account's OU and DNS domain */
    {
        char *azGrp[] = {"kbsentry", "report", "--db", T_DBD, "--rule", "MS17-010", "--format",
                         "csv", "--group", "ou"};
        assert_int_equal(t_cli_capture(10, azGrp, zOut, sizeof zOut, zErr, sizeof zErr), 1);
        assert_non_null(strstr(zOut, ",group\r\n"));
        assert_non_null(strstr(zOut, "XP-SP2-01,"));
        assert_non_null(strstr(zOut, ",\"OU=Desktops,OU=HQ,DC=corp,DC=example,DC=com\"\r\n"));
        assert_null(strstr(zOut, "(not in directory)"));
        azGrp[9] = "domain";
        assert_int_equal(t_cli_capture(10, azGrp, zOut, sizeof zOut, zErr, sizeof zErr), 1);
        assert_non_null(strstr(zOut, ",corp.example.com\r\n"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sync_gone_and_guard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undone_sync_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_silent_machines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
