/* test_db_catalog.c: the stored catalog: views through another catalog leave stored verdicts
 * alone, recompute changes them without renumbering rules, a collect stops when the catalog
 * changes under it, and any collect order with any interleaving of views stores the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "../t_tmpfile.h"
#include "cat.h"
#include "collect.h"
#include "db.h"
#include "dbtest_util.h"

#define T_DB KBS_TEST_TMP "/test_db_catalog.db"
#define T_DIR KBS_TEST_TMP "/test_db_catalog"
#define T_HOSTS 12

static cat_t t_builtin, t_reordered;

static int setup(void **state)
{
    char *z;
    size_t n = 0;
    int rc;
    (void)state;
    if (cat_load_default(&t_builtin)) return -1;
    if (!(z = t_cat_reordered_text(&n))) return -1;
    rc = cat_parse(z, n, "reordered.kbscat", &t_reordered, NULL);
    free(z);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    cat_release(&t_builtin);
    cat_release(&t_reordered);
    return 0;
}

/* A fleet of XP agent snapshots in T_DIR: f-NN.kbs, patched or not, a few hosts twice. */
static void t_fleet(unsigned seed)
{
    int i;
    plat_mkdir(T_DIR);
    for (i = 0; i < T_HOSTS; i++) {
        char zPath[512], zHost[32], zMid[32];
        snap_t s;
        int iHost = i % 9;
        snprintf(zHost, sizeof zHost, "PC%02d", iHost);
        snprintf(zMid, sizeof zMid, "{m%02d}", iHost);
        t_snap_xp(&s, zHost, zMid, T_NOW - 3600 * (int64_t)((i * 7 + seed) % 5), (int)((i + seed) % 3 == 0));
        if ((i + seed) % 4 == 1) s.nFile = 0;
        if (i >= 8) {
            /* Outcomes only the later files have: verdict sets made after a switch. */
            s.nFile = 0;
            s.hotfixesComplete = 0;
            snprintf(s.zHotfixNote, sizeof s.zHotfixNote, "systeminfo lists 3 of the %d hotfixes", i);
        }
        snprintf(zPath, sizeof zPath, "%s/f-%02d.kbs", T_DIR, i);
        assert_int_equal(t_write_snap(zPath, &s, 0), 0);
        snap_release(&s);
    }
}

static void t_fleet_rm(void)
{
    int i;
    for (i = 0; i < T_HOSTS; i++) {
        char zPath[512];
        snprintf(zPath, sizeof zPath, "%s/f-%02d.kbs", T_DIR, i);
        remove(zPath);
    }
}

/* Every host's stored verdicts by host name and rule code (not by row ids), with SQL as a user
 * would read them (malloc'd; "" when none). */
static char *t_dump(const char *zPath)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    const char *zCol;
    char *z;
    assert_int_equal(sqlite3_open(zPath, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT group_concat(line, char(10)) FROM (SELECT h.name || '|'"
                                        " || h.domain || '|' || r.code || '|' || v.status || '|' ||"
                                        " v.evidence AS line FROM verdict v JOIN host h ON h.id ="
                                        " v.host_id JOIN rule r ON r.id = v.rule_id ORDER BY"
                                        " h.name_key, h.domain, r.code)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    zCol = (const char *)sqlite3_column_text(st, 0);
    z = malloc(zCol ? strlen(zCol) + 1 : 1);
    assert_non_null(z);
    strcpy(z, zCol ? zCol : "");
    sqlite3_finalize(st);
    sqlite3_close(h);
    return z;
}

static int t_collect(db_t *db, coll_opts_t *o)
{
    char *azPath[1];
    coll_stats_t st;
    azPath[0] = T_DIR;
    return coll_run(db, azPath, 1, o, &st);
}

typedef struct t_switch {
    size_t iAt;              /* the batch before which the catalog is switched */
    int bDone;
} t_switch_t;

/* Between two batches of a running collect another kbsentry switches the stored catalog. */
static void t_switch_hook(void *pCtx, size_t iBatch)
{
    t_switch_t *w = pCtx;
    char zErr[DB_ERR_MAX];
    db_t *db2 = NULL;
    if (iBatch != w->iAt || w->bDone) return;
    assert_int_equal(db_open(T_DB, &db2, zErr, sizeof zErr), KBS_OK);
    assert_int_equal(db_recompute(db2, &t_reordered, NULL), KBS_OK);
    db_close(db2);
    w->bDone = 1;
}

/* Every host's verdicts as db reports them (stored, or through a view), one line each. */
static char *t_report_text(db_t *db)
{
    db_filter_t f;
    db_report_t r;
    size_t i, j, n = 0, cap = 1 << 16;
    char *z = malloc(cap);
    assert_non_null(z);
    z[0] = 0;
    memset(&f, 0, sizeof f);
    f.status = -1;
    f.now = T_NOW;
    assert_int_equal(db_report_load(db, &f, &r), KBS_OK);
    for (i = 0; i < r.rep.nHost; i++)
        for (j = 0; j < r.rep.aHost[i].nVerdict; j++) {
            const rep_verdict_t *v = &r.rep.aHost[i].aVerdict[j];
            n += (size_t)snprintf(z + n, cap - n, "%s|%s|%s|%s\n", r.rep.aHost[i].zHost,
                                  v->rule->zId, verdict_status_name(v->status), v->zEvidence);
            assert_true(n < cap);
        }
    db_report_release(&r);
    return z;
}

/* The reproduction of issue 2, made deterministic: the catalog is switched (kbsentry recompute,
 * another connection) between two batches of a collect. The collect stops there with a clear
 * error instead of writing under the rule ids it mapped before: what is stored reads the same as
 * the new catalog evaluated afresh, and a rerun gives what a collect with the new catalog from
 * the start gives. */
static void test_catalog_switch_during_collect(void **state)
{
    char zErr[DB_ERR_MAX], *zGot, *zWant, zMsg[1024];
    db_t *db = NULL;
    coll_opts_t o;
    t_switch_t w = {1, 0};
    FILE *err = t_tmpfile();
    size_t n;
    int rc;
    (void)state;
    assert_non_null(err);
    t_fleet(0);
    t_rm_db(T_DB);
    assert_int_equal(db_open(T_DB, &db, zErr, sizeof zErr), KBS_OK);
    assert_int_equal(db_use_catalog(db, &t_builtin, NULL), KBS_OK);
    memset(&o, 0, sizeof o);
    o.err = err;
    o.nWorker = 2;
    o.nBatchFiles = 4;
    o.fnBatch = t_switch_hook;
    o.pBatchCtx = &w;
    rc = t_collect(db, &o);
    db_close(db);
    assert_true(w.bDone);
    assert_int_equal(rc, KBS_ECONFLICT);
    rewind(err);
    n = fread(zMsg, 1, sizeof zMsg - 1, err);
    zMsg[n] = 0;
    assert_non_null(strstr(zMsg, "catalog was changed"));
    /* Every stored host has a verdict for each rule of the new catalog, none silently without. */
    snprintf(zMsg, sizeof zMsg,
             "SELECT count(*) FROM host h WHERE (SELECT count(*) FROM verdict v"
             " WHERE v.host_id = h.id) <> %lu",
             (unsigned long)t_reordered.nRule);
    assert_int_equal(t_query_int(T_DB, zMsg),
                     0);

    /* Stored verdicts == the new catalog evaluated on each stored state. */
    assert_int_equal(db_open(T_DB, &db, zErr, sizeof zErr), KBS_OK);
    assert_int_equal(db_use_catalog(db, &t_reordered, NULL), KBS_OK);
    zGot = t_report_text(db);
    assert_int_equal(db_view_catalog(db, &t_reordered), KBS_OK);
    zWant = t_report_text(db);
    assert_string_equal(zGot, zWant);
    free(zGot);
    free(zWant);
    /* The rerun the message asks for completes it. */
    assert_int_equal(db_use_catalog(db, &t_reordered, NULL), KBS_OK);
    memset(&o, 0, sizeof o);
    o.err = err;
    assert_int_equal(t_collect(db, &o), KBS_OK);
    db_close(db);
    zGot = t_dump(T_DB);

    t_rm_db(T_DB);
    assert_int_equal(db_open(T_DB, &db, zErr, sizeof zErr), KBS_OK);
    assert_int_equal(db_use_catalog(db, &t_reordered, NULL), KBS_OK);
    assert_int_equal(t_collect(db, &o), KBS_OK);
    db_close(db);
    zWant = t_dump(T_DB);
    assert_string_equal(zGot, zWant);
    free(zGot);
    free(zWant);
    fclose(err);
    t_fleet_rm();
    t_rm_db(T_DB);
}

/* ---- property: any collect order, any interleaving with views, the same stored verdicts ---- */

#define T_PROP_SEEDS 24
#define T_PROP_ORDERS 6
#define T_PROP_SCANS_MAX 40

static uint32_t t_rand(uint32_t *pSeed)
{
    *pSeed = *pSeed * 1103515245u + 12345u;
    return (*pSeed >> 16) & 0x7fff;
}

/* A generated fleet: machines (name, domain, machine id or none), each with scans from the agent,
 * systeminfo (sometimes cut short) and a domain-less Get-HotFix file, at distinct times (a few
 * dated years ahead); some names are used in two domains. */
static size_t t_gen_fleet(uint32_t seed, snap_t *aScan)
{
    size_t n = 0;
    int iName, iDom;
    int64_t t = T_NOW - 50 * 3600;
    for (iName = 0; iName < 5; iName++) {
        int nDom = 1 + (int)(t_rand(&seed) % 2);
        for (iDom = 0; iDom < nDom; iDom++) {
            char zHost[16], zMid[16];
            int bMid = (int)(t_rand(&seed) % 2), k, nKind = 1 + (int)(t_rand(&seed) % 3);
            snprintf(zHost, sizeof zHost, "PC%d", iName);
            snprintf(zMid, sizeof zMid, "{%d-%d}", iName, iDom);
            for (k = 0; k < nKind && n < T_PROP_SCANS_MAX; k++) {
                snap_t *s = &aScan[n++];
                uint32_t kind = t_rand(&seed) % 3, bFix = t_rand(&seed) % 2;
                t += 600 + (int64_t)(t_rand(&seed) % 3600);
                if (kind == 2) {
                    /* Get-HotFix: no domain, no OS. */
                    snap_init(s);
                    snprintf(s->zOrigin, sizeof s->zOrigin, "get-hotfix-csv");
                    snprintf(s->zHost, sizeof s->zHost, "%s", zHost);
                    s->scanTime = t;
                    if (bFix) snap_add_hotfix(s, "KB4012598", SNAP_SRC_QFE, NULL, -1);
                    snap_add_hotfix(s, "KB958644", SNAP_SRC_QFE, NULL, -1);
                    snap_add_hotfix(s, "KB2347290", SNAP_SRC_QFE, NULL, -1);
                    continue;
                }
                t_snap_xp(s, zHost, kind == 0 && bMid ? zMid : NULL, t, (int)bFix);
                snprintf(s->zDomain, sizeof s->zDomain, "%s", iDom ? "LAB" : "CORP");
                if (kind == 1) {
                    snprintf(s->zOrigin, sizeof s->zOrigin, "systeminfo");
                    s->nFile = 0;
                    if (t_rand(&seed) % 2) {
                        s->hotfixesComplete = 0;
                        s->nHotfixCounted = 3;
                        snprintf(s->zHotfixNote, sizeof s->zHotfixNote, "systeminfo lists 2 of 3");
                    }
                }
                if (t_rand(&seed) % 7 == 0) s->scanTime = T_NOW + 5 * 365 * 86400LL + t % 1000;
            }
        }
    }
    return n;
}

/* Another connection looks at the database through the reordered catalog (report --catalog). */
static void t_view_elsewhere(void)
{
    char zErr[DB_ERR_MAX];
    db_t *db2 = NULL;
    char *z;
    assert_int_equal(db_open(T_DB, &db2, zErr, sizeof zErr), KBS_OK);
    if (db_use_catalog(db2, &t_reordered, NULL) == KBS_ECONFLICT)
        assert_int_equal(db_view_catalog(db2, &t_reordered), KBS_OK);
    z = t_report_text(db2);
    free(z);
    db_close(db2);
}

static void test_property_any_order_any_views(void **state)
{
    static snap_t aScan[T_PROP_SCANS_MAX];
    uint32_t seed;
    (void)state;
    for (seed = 1; seed <= T_PROP_SEEDS; seed++) {
        size_t nScan = t_gen_fleet(seed, aScan), i, k;
        char *zFirst = NULL;
        uint32_t r = seed * 7919u;
        int order;
        for (order = 0; order < T_PROP_ORDERS; order++) {
            size_t aIdx[T_PROP_SCANS_MAX];
            char zErr[DB_ERR_MAX], *zDump;
            db_t *db = NULL;
            for (i = 0; i < nScan; i++) aIdx[i] = order == 1 ? nScan - 1 - i : i;
            if (order > 1)
                for (i = nScan; i > 1; i--) {
                    size_t j = t_rand(&r) % i, x = aIdx[i - 1];
                    aIdx[i - 1] = aIdx[j];
                    aIdx[j] = x;
                }
            t_rm_db(T_DB);
            assert_int_equal(db_open(T_DB, &db, zErr, sizeof zErr), KBS_OK);
            assert_int_equal(db_use_catalog(db, &t_builtin, NULL), KBS_OK);
            for (k = 0; k < nScan; k++) {
                db_ingest_res_t res;
                char zPath[32];
                snprintf(zPath, sizeof zPath, "scan-%02u.txt", (unsigned)aIdx[k]);
                assert_int_equal(db_ingest(db, &aScan[aIdx[k]], zPath, T_NOW, &res), KBS_OK);
                if (t_rand(&r) % 4 == 0) t_view_elsewhere();
            }
            db_close(db);
            zDump = t_dump(T_DB);
            if (!zFirst) {
                zFirst = zDump;
                continue;
            }
            if (strcmp(zFirst, zDump))
                print_error("seed %u order %d differs:\n%s\n---\n%s\n", (unsigned)seed, order,
                            zFirst, zDump);
            assert_string_equal(zFirst, zDump);
            free(zDump);
        }
        free(zFirst);
        for (i = 0; i < nScan; i++) snap_release(&aScan[i]);
    }
    t_rm_db(T_DB);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_switch_during_collect),
        cmocka_unit_test(test_property_any_order_any_views),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
