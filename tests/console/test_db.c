/* test_db.c: the console database: schema and migration, host identity, history, shared hotfix
 * sets, merging of hotfix CSVs, catalog changes and hostile host names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "cat.h"
#include "collect.h"
#include "db.h"
#include "db_int.h"
#include "dbtest_util.h"
#include "imp.h"

#define T_DB KBS_TEST_TMP "/test_db.db"

typedef struct t_ctx {
    cat_t cat;
    db_t *db;
} t_ctx_t;

static int setup(void **state)
{
    static t_ctx_t c;
    char zErr[DB_ERR_MAX];
    memset(&c, 0, sizeof c);
    t_rm_db(T_DB);
    if (cat_load_default(&c.cat)) return -1;
    if (db_open(T_DB, &c.db, zErr, sizeof zErr)) return -1;
    if (db_use_catalog(c.db, &c.cat, NULL)) return -1;
    *state = &c;
    return 0;
}

static int teardown(void **state)
{
    t_ctx_t *c = *state;
    db_close(c->db);
    cat_release(&c->cat);
    t_rm_db(T_DB);
    return 0;
}

static int64_t t_count(db_t *db, int which)
{
    int64_t a[3];
    assert_int_equal(db_counts(db, &a[0], &a[1], &a[2], NULL), KBS_OK);
    return a[which];
}

/* Opens zPath and steps zSql to its first row (*ph and *pst to be finalised and closed). */
static void t_first_row(const char *zPath, const char *zSql, sqlite3 **ph, sqlite3_stmt **pst)
{
    assert_int_equal(sqlite3_open(zPath, ph), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(*ph, zSql, -1, pst, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(*pst), SQLITE_ROW);
}

/* Every host's verdicts as one text, "name|rule|status|evidence|action" per line in host and
 * rule order, read with plain SQL as a user would (sqlite3 shell). */
static char *t_verdict_dump(const char *zPath)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    char *z = NULL;
    t_first_row(zPath, "SELECT group_concat(line, char(10)) FROM (SELECT h.name || '|' || r.code"
                       " || '|' || v.status || '|' || v.evidence || '|' || v.action AS line FROM"
                       " verdict v JOIN host h ON h.id = v.host_id JOIN rule r ON r.id = v.rule_id"
                       " ORDER BY h.id, r.code)",
                &h, &st);
    if (sqlite3_column_text(st, 0)) {
        const char *zCol = (const char *)sqlite3_column_text(st, 0);
        z = malloc(strlen(zCol) + 1);
        assert_non_null(z);
        memcpy(z, zCol, strlen(zCol) + 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return z;
}

/* The lines of dump zAll whose rule (second field) also has a line in zRef: the verdicts of the
 * rules an older catalog had, after a newer catalog added rules. Frees zAll. */
static char *t_dump_rules_of(char *zAll, const char *zRef)
{
    char *zOut = malloc(strlen(zAll) + 1), *zLine, *zNext;
    size_t n = 0;
    assert_non_null(zOut);
    for (zLine = zAll; zLine && *zLine; zLine = zNext) {
        char zKey[64], *zBar = strchr(zLine, '|'), *zBar2 = zBar ? strchr(zBar + 1, '|') : NULL;
        size_t nLine;
        zNext = strchr(zLine, '\n');
        nLine = zNext ? (size_t)(zNext - zLine) : strlen(zLine);
        if (zNext) zNext++;
        if (!zBar2 || (size_t)(zBar2 - zBar) + 1 >= sizeof zKey) continue;
        memcpy(zKey, zBar, (size_t)(zBar2 - zBar) + 1);
        zKey[zBar2 - zBar + 1] = 0;
        if (!strstr(zRef, zKey)) continue;
        if (n) zOut[n++] = '\n';
        memcpy(zOut + n, zLine, nLine);
        n += nLine;
    }
    zOut[n] = 0;
    free(zAll);
    return zOut;
}

static void test_schema_and_version(void **state)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    db_t *db2 = NULL;
    char zErr[DB_ERR_MAX];
    (void)state;
    assert_int_equal(sqlite3_open(T_DB, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), DB_SCHEMA_VERSION);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(h);

    /* A database from a newer kbsentry is refused, not "migrated" backwards. */
    t_rm_db(KBS_TEST_TMP "/test_db_new.db");
    assert_int_equal(sqlite3_open(KBS_TEST_TMP "/test_db_new.db", &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(db_open(KBS_TEST_TMP "/test_db_new.db", &db2, zErr, sizeof zErr),
                     KBS_EVERSION);
    assert_null(db2);
    assert_non_null(strstr(zErr, "newer"));
    t_rm_db(KBS_TEST_TMP "/test_db_new.db");
}

static void test_newer_scan_wins_older_is_history(void **state)
{
    t_ctx_t *c = *state;
    snap_t s;
    db_ingest_res_t res;

    t_snap_xp(&s, "PC-A", "{aaaa}", T_NOW - 86400, 0);
    assert_int_equal(db_ingest(c->db, &s, "a1.kbs", 0, &res), KBS_OK);
    assert_int_equal(res, DB_ING_NEW_HOST);
    snap_release(&s);
    assert_int_equal(t_verdict(c->db, "PC-A", "MS17-010", NULL, 0), VERDICT_MISSING);

    /* Patched a day later: the newer scan is the state. */
    t_snap_xp(&s, "PC-A", "{aaaa}", T_NOW, 1);
    assert_int_equal(db_ingest(c->db, &s, "a2.kbs", 0, &res), KBS_OK);
    assert_int_equal(res, DB_ING_CURRENT);
    snap_release(&s);
    assert_int_equal(t_verdict(c->db, "PC-A", "MS17-010", NULL, 0), VERDICT_PATCHED);

    /* An old unpatched scan found later (clock skew, an old USB stick) changes nothing. */
    t_snap_xp(&s, "PC-A", "{aaaa}", T_NOW - 7 * 86400, 0);
    assert_int_equal(db_ingest(c->db, &s, "a0.kbs", 0, &res), KBS_OK);
    assert_int_equal(res, DB_ING_HISTORY);
    /* The same scan again is a duplicate. */
    assert_int_equal(db_ingest(c->db, &s, "copy-of-a0.kbs", 0, &res), KBS_OK);
    assert_int_equal(res, DB_ING_DUPLICATE);
    snap_release(&s);
    assert_int_equal(t_verdict(c->db, "PC-A", "MS17-010", NULL, 0), VERDICT_PATCHED);
    assert_int_equal(t_count(c->db, 0), 1);
    assert_int_equal(t_count(c->db, 1), 3);
}

/* An agent's next scan becomes the state as it was read: the host row says what a host first seen
 * with that scan says, and recomputing the verdicts from the stored state (a catalog change)
 * gives the same verdicts. */
static void test_next_scan_state_is_the_scan(void **state)
{
    t_ctx_t *c = *state;
    cat_t other;
    snap_t s;
    db_ingest_res_t res;
    char *zBefore, *zAfter;
    size_t nRedone = 0;
    int i;

    t_snap_xp(&s, "NEXT", "{next}", T_NOW - 86400, 0);
    assert_int_equal(db_ingest(c->db, &s, "n1.kbs", 0, &res), KBS_OK);
    snap_release(&s);
    for (i = 0; i < 2; i++) {
        t_snap_xp(&s, i ? "FIRST" : "NEXT", i ? "{first}" : "{next}", T_NOW, 1);
        snap_add_source(&s, "registry", 0, "access denied");
        s.hotfixesComplete = 0;
        snprintf(s.zHotfixNote, sizeof s.zHotfixNote, "%s", "registry: access denied");
        assert_int_equal(db_ingest(c->db, &s, "n2.kbs", 0, &res), KBS_OK);
        assert_int_equal(res, i ? DB_ING_NEW_HOST : DB_ING_CURRENT);
        snap_release(&s);
    }
    assert_int_equal(t_sql_int(c->db->h,
                               "SELECT count(*) FROM host a JOIN host b ON a.name = 'NEXT' AND b.name ="
                               " 'FIRST' WHERE a.last_scan = b.last_scan AND a.os_family = b.os_family"
                               " AND a.os_name = b.os_name AND a.os_detail = b.os_detail AND a.origin ="
                               " b.origin AND a.source_path = b.source_path AND a.state_set_id ="
                               " b.state_set_id AND a.state_complete = b.state_complete AND"
                               " a.state_note = b.state_note AND a.state_sources = b.state_sources AND"
                               " a.n_hotfix = b.n_hotfix AND a.verdict_set_id = b.verdict_set_id AND"
                               " a.cur_scan_id = a.os_scan_id AND a.state_complete = 0"),
                     1);
    assert_int_equal(t_verdict(c->db, "NEXT", "MS17-010", NULL, 0), VERDICT_PATCHED);

    zBefore = t_verdict_dump(T_DB);
    assert_int_equal(cat_load_default(&other), KBS_OK);
    snprintf(other.zHash, sizeof other.zHash, "%s", "0123456789abcdef");
    assert_int_equal(db_use_catalog(c->db, &other, &nRedone), KBS_ECONFLICT);
    assert_int_equal(db_recompute(c->db, &other, &nRedone), KBS_OK);
    assert_int_equal(nRedone, 2);
    zAfter = t_verdict_dump(T_DB);
    assert_string_equal(zAfter, zBefore);
    assert_int_equal(db_recompute(c->db, &c->cat, NULL), KBS_OK);
    cat_release(&other);
    free(zBefore);
    free(zAfter);
}

static void test_machine_id_is_identity(void **state)
{
    t_ctx_t *c = *state;
    snap_t s;
    db_ingest_res_t res;
    db_filter_t f;
    db_report_t r;

    t_snap_xp(&s, "DESK-1", "{m1}", T_NOW - 100, 1);
    assert_int_equal(db_ingest(c->db, &s, "d1.kbs", 0, &res), KBS_OK);
    snap_release(&s);
    /* Renamed (hot desk): same machine id, one host with the new name. */
    t_snap_xp(&s, "DESK-7", "{m1}", T_NOW, 1);
    assert_int_equal(db_ingest(c->db, &s, "d7.kbs", 0, &res), KBS_OK);
    assert_int_equal(res, DB_ING_CURRENT);
    snap_release(&s);
    /* Another machine now called DESK-1: a second host. */
    t_snap_xp(&s, "DESK-1", "{m2}", T_NOW, 0);
    assert_int_equal(db_ingest(c->db, &s, "d1b.kbs", 0, &res), KBS_OK);
    assert_int_equal(res, DB_ING_NEW_HOST);
    snap_release(&s);
    assert_int_equal(t_count(c->db, 0), 2);
    memset(&f, 0, sizeof f);
    f.status = -1;
    f.now = T_NOW;
    assert_int_equal(db_report_load(c->db, &f, &r), KBS_OK);
    assert_int_equal(r.rep.nHost, 2);
    assert_string_equal(r.rep.aHost[0].zHost, "DESK-1");
    assert_string_equal(r.rep.aHost[0].zMachineId, "{m2}");
    assert_string_equal(r.rep.aHost[1].zHost, "DESK-7");
    db_report_release(&r);
}

static void test_hotfix_sets_are_shared(void **state)
{
    t_ctx_t *c = *state;
    snap_t s;
    db_ingest_res_t res;
    int i;
    for (i = 0; i < 10; i++) {
        char zName[16], zMid[16];
        snprintf(zName, sizeof zName, "PC-%d", i);
        snprintf(zMid, sizeof zMid, "{%d}", i);
        t_snap_xp(&s, zName, zMid, T_NOW, i % 2);
        assert_int_equal(db_ingest(c->db, &s, zName, 0, &res), KBS_OK);
        snap_release(&s);
    }
    assert_int_equal(t_count(c->db, 0), 10);
    assert_int_equal(t_count(c->db, 2), 2); /* two distinct lists among ten hosts */
}

/* A CSV-only host has an unknown OS; a systeminfo of the same host brings the OS and the two
 * hotfix lists are merged (in either order). */
static void test_csv_merges_with_os_scan(void **state)
{
    t_ctx_t *c = *state;
    snap_t csv, si;
    db_ingest_res_t res;
    char zOs[64];

    snap_init(&csv);
    snprintf(csv.zOrigin, sizeof csv.zOrigin, "qfe-csv");
    snprintf(csv.zHost, sizeof csv.zHost, "pc-q");
    snap_add_hotfix(&csv, "KB4012598", SNAP_SRC_QFE, NULL, -1);
    csv.osKnown = 0;
    assert_int_equal(db_ingest(c->db, &csv, "q.csv", T_NOW, &res), KBS_OK);
    assert_int_equal(res, DB_ING_NEW_HOST);
    assert_int_equal(t_verdict(c->db, "PC-Q", "MS17-010", zOs, sizeof zOs), VERDICT_UNKNOWN);
    assert_string_equal(zOs, "Unknown OS");

    /* systeminfo a few minutes earlier, without KB4012598 in its (cut) list and no file facts. */
    t_snap_xp(&si, "PC-Q", NULL, 0, 0);
    snprintf(si.zOrigin, sizeof si.zOrigin, "systeminfo");
    si.nFile = 0;
    assert_int_equal(db_ingest(c->db, &si, "q.txt", T_NOW - 300, &res), KBS_OK);
    assert_int_equal(res, DB_ING_MERGED);
    assert_int_equal(t_count(c->db, 0), 1);
    assert_int_equal(t_verdict(c->db, "pc-q", "MS17-010", zOs, sizeof zOs), VERDICT_PATCHED);
    assert_non_null(strstr(zOs, "XP"));
    snap_release(&si);
    snap_release(&csv);
}

static void test_catalog_change_recomputes(void **state)
{
    t_ctx_t *c = *state;
    snap_t s;
    db_ingest_res_t res;
    cat_t site;
    size_t nRedo = 0;
    long long nRuleIds;
    char *zText = NULL;
    size_t n = 0;

    t_snap_xp(&s, "PC-C", "{c}", T_NOW, 1);
    assert_int_equal(db_ingest(c->db, &s, "c.kbs", 0, &res), KBS_OK);
    snap_release(&s);
    assert_int_equal(t_verdict(c->db, "PC-C", "MS17-010", NULL, 0), VERDICT_PATCHED);

    assert_int_equal(plat_read_file(KBS_TEST_DATA "/cat/site.kbscat", 1 << 20, &zText, &n), KBS_OK);
    assert_int_equal(cat_parse(zText, n, "site.kbscat", &site, NULL), KBS_OK);
    free(zText);
    nRuleIds = t_sql_int(c->db->h, "SELECT sum(id * length(code)) FROM rule");
    /* Only an explicit recompute changes the stored catalog. */
    assert_int_equal(db_use_catalog(c->db, &site, &nRedo), KBS_ECONFLICT);
    assert_int_equal(nRedo, 0);
    assert_int_equal(db_recompute(c->db, &site, &nRedo), KBS_OK);
    assert_int_equal(nRedo, 1);
    assert_int_equal(t_verdict(c->db, "PC-C", "MS17-010", NULL, 0), -1);
    assert_int_equal(t_verdict(c->db, "PC-C", "SITE-2024-01", NULL, 0), VERDICT_NOT_AFFECTED);
    /* The same catalog again: nothing to redo. */
    assert_int_equal(db_use_catalog(c->db, &site, &nRedo), KBS_OK);
    assert_int_equal(db_recompute(c->db, &site, &nRedo), KBS_OK);
    assert_int_equal(nRedo, 0);
    /* Back to the built-in one: the rule rows kept their ids (none renumbered, none removed). */
    assert_int_equal(db_recompute(c->db, &c->cat, &nRedo), KBS_OK);
    assert_int_equal(nRedo, 1);
    assert_int_equal(t_verdict(c->db, "PC-C", "MS17-010", NULL, 0), VERDICT_PATCHED);
    assert_int_equal(t_sql_int(c->db->h, "SELECT sum(id * length(code)) FROM rule WHERE code <>"
                                         " 'SITE-2024-01'"),
                     nRuleIds);
    cat_release(&site);
}

static void test_hostile_names_are_data(void **state)
{
    static const char *const azName[] = {
        "x'); DROP TABLE host; --", "<script>alert(1)</script>", "..\\..\\windows\\evil",
        "../../etc/passwd", "=cmd|' /C calc'!A0", "tab\there\nnewline\\back",
    };
    t_ctx_t *c = *state;
    db_filter_t f;
    db_report_t r;
    size_t i, j;
    for (i = 0; i < sizeof azName / sizeof azName[0]; i++) {
        snap_t s;
        db_ingest_res_t res;
        char zMid[16];
        snprintf(zMid, sizeof zMid, "{h%d}", (int)i);
        t_snap_xp(&s, azName[i], zMid, T_NOW, 1);
        snprintf(s.zDomain, sizeof s.zDomain, "%s", azName[i]);
        assert_int_equal(db_ingest(c->db, &s, azName[i], 0, &res), KBS_OK);
        snap_release(&s);
    }
    memset(&f, 0, sizeof f);
    f.status = -1;
    f.now = T_NOW;
    assert_int_equal(db_report_load(c->db, &f, &r), KBS_OK);
    assert_int_equal(r.rep.nHost, sizeof azName / sizeof azName[0]);
    for (i = 0; i < sizeof azName / sizeof azName[0]; i++) {
        int bFound = 0;
        for (j = 0; j < r.rep.nHost; j++)
            if (!strcmp(r.rep.aHost[j].zHost, azName[i]) && !strcmp(r.rep.aHost[j].zDomain, azName[i]) &&
                !strcmp(r.rep.aHost[j].zSourcePath, azName[i]))
                bFound = 1;
        assert_true(bFound);
    }
    db_report_release(&r);
}

static void test_filters(void **state)
{
    t_ctx_t *c = *state;
    snap_t s;
    db_ingest_res_t res;
    db_filter_t f;
    db_report_t r;

    t_snap_xp(&s, "OLD", "{o}", T_NOW - 90 * 86400, 1);
    assert_int_equal(db_ingest(c->db, &s, "o", 0, &res), KBS_OK);
    snap_release(&s);
    t_snap_xp(&s, "NEW", "{n}", T_NOW, 0);
    assert_int_equal(db_ingest(c->db, &s, "n", 0, &res), KBS_OK);
    snap_release(&s);

    memset(&f, 0, sizeof f);
    f.now = T_NOW;
    f.status = VERDICT_MISSING;
    f.zRule = "ms17-010";
    assert_int_equal(db_report_load(c->db, &f, &r), KBS_OK);
    assert_int_equal(r.rep.nHost, 1);
    assert_string_equal(r.rep.aHost[0].zHost, "NEW");
    assert_int_equal(r.rep.aHost[0].nVerdict, 1);
    assert_int_equal(r.rep.cat->nRule, 1);
    db_report_release(&r);

    memset(&f, 0, sizeof f);
    f.now = T_NOW;
    f.status = -1;
    f.staleDays = 30;
    f.staleOnly = 1;
    assert_int_equal(db_report_load(c->db, &f, &r), KBS_OK);
    assert_int_equal(r.rep.nHost, 1);
    assert_string_equal(r.rep.aHost[0].zHost, "OLD");
    assert_int_equal(r.rep.aHost[0].stale, 1);
    db_report_release(&r);

    f.zRule = "NO-SUCH-RULE";
    assert_int_equal(db_report_load(c->db, &f, &r), KBS_ENOTFOUND);
}

/* A database of schema 1 (one verdict row per host and rule; made by kbsentry 0.1 from
 * tests/data/snap and tests/data/imp) opens as the current schema: hosts and scans are kept, every host's
 * verdicts are recomputed into shared sets, and the `verdict` view answers the same query with
 * the same rows as the old table did. */
static void test_migrates_schema1(void **state)
{
    const char *zV1 = KBS_TEST_TMP "/test_db_v1.db";
    char zErr[DB_ERR_MAX], *zText = NULL, *zBefore, *zAfter;
    size_t n = 0, nRedone = 0, i;
    int64_t nSet;
    db_t *db2 = NULL;
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    cat_t cat1;

    (void)state;
    memset(&cat1, 0, sizeof cat1);
    t_rm_db(zV1);
    assert_int_equal(plat_read_file(KBS_TEST_DATA "/db/schema1.db", 1 << 20, &zText, &n), KBS_OK);
    assert_int_equal(t_write(zV1, zText, n), 0);
    free(zText);
    zBefore = t_verdict_dump(zV1);
    assert_non_null(zBefore);
    assert_non_null(strstr(zBefore, "PC-0042|MS17-010|patched|"));

    assert_int_equal(db_open(zV1, &db2, zErr, sizeof zErr), KBS_OK);
    /* The catalog the database was made with: the migration must not change a verdict. */
    {
        char *zCat = NULL;
        size_t nCat = 0;
        assert_int_equal(plat_read_file(KBS_TEST_DATA "/db/schema1.kbscat", CAT_IN_MAX, &zCat, &nCat), KBS_OK);
        assert_int_equal(cat_parse(zCat, nCat, "schema1.kbscat", &cat1, NULL), KBS_OK);
        free(zCat);
    }
    assert_int_equal(db_use_catalog(db2, &cat1, &nRedone), KBS_OK);
    assert_int_equal(nRedone, 14);
    assert_int_equal(t_count(db2, 0), 14);
    assert_int_equal(t_count(db2, 1), 19);
    nSet = t_count(db2, 2);
    /* The canonical hotfix-list text is the one schema 1 stored: a later scan of the same lists
     * finds their sets instead of adding copies. */
    for (i = 0; i < 2; i++) {
        static const char *const azSnap[2] = {KBS_TEST_DATA "/snap/xp-sp3-patched.kbs",
                                              KBS_TEST_DATA "/snap/win81-patched.kbs"};
        snap_t *aSnap = NULL;
        size_t nSnap = 0;
        char zWhy[512];
        db_ingest_res_t res;
        assert_int_equal(coll_read_input(azSnap[i], 0, &aSnap, &nSnap, NULL, 0, NULL, zWhy,
                                         sizeof zWhy),
                         KBS_OK);
        assert_int_equal(nSnap, 1);
        aSnap[0].scanTime += 3600;
        assert_int_equal(db_ingest(db2, &aSnap[0], "later.kbs", 0, &res), KBS_OK);
        assert_int_equal(res, DB_ING_CURRENT);
        imp_free_snaps(aSnap, nSnap);
    }
    assert_int_equal(t_count(db2, 1), 21);
    assert_int_equal(t_count(db2, 2), nSet);
    db_close(db2);

    zAfter = t_verdict_dump(zV1);
    assert_non_null(zAfter);
    zAfter = t_dump_rules_of(zAfter, zBefore); /* the built-in catalog has rules schema 1 had not */
    assert_string_equal(zAfter, zBefore);
    t_first_row(zV1, "SELECT (SELECT user_version FROM pragma_user_version), (SELECT type FROM"
                     " sqlite_master WHERE name = 'verdict'), (SELECT count(*) FROM verdict_set) < 14,"
                     " (SELECT count(*) FROM scan WHERE hotfix_counted = 0)",
                &h, &st);
    assert_int_equal(sqlite3_column_int(st, 0), DB_SCHEMA_VERSION);
    /* Version 3: the scans of before say no hotfix count. */
    assert_int_equal(sqlite3_column_int(st, 3), 21);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "view");
    assert_int_equal(sqlite3_column_int(st, 2), 1);
    sqlite3_finalize(st);
    sqlite3_close(h);
    free(zBefore);
    free(zAfter);
    cat_release(&cat1);
    t_rm_db(zV1);
}

/* Verdicts evaluated ahead (db_prep_make with the catalog, as collect's workers do) are stored
 * exactly like the ones db_ingest evaluates itself; a prep made with another catalog is not
 * trusted. */
static void test_prep_verdicts_match_ingest(void **state)
{
    t_ctx_t *c = *state;
    db_prep_t *p = db_prep_new();
    cat_t other;
    snap_t s;
    db_ingest_res_t res;
    int i;
    assert_non_null(p);
    assert_int_equal(cat_load_default(&other), KBS_OK);
    for (i = 0; i < 3; i++) {
        char zHost[16], zMid[16];
        snprintf(zHost, sizeof zHost, "P%d", i);
        snprintf(zMid, sizeof zMid, "{p%d}", i);
        t_snap_xp(&s, zHost, zMid, T_NOW, i == 1);
        /* i == 2: made with a different catalog object: db_ingest_prep evaluates again. */
        assert_int_equal(db_prep_make(p, i == 2 ? &other : &c->cat, &s), KBS_OK);
        assert_int_equal(db_ingest_prep(c->db, &s, p, "p.kbs", 0, &res), KBS_OK);
        assert_int_equal(res, DB_ING_NEW_HOST);
        snap_release(&s);
        snprintf(zHost, sizeof zHost, "Q%d", i);
        snprintf(zMid, sizeof zMid, "{q%d}", i);
        t_snap_xp(&s, zHost, zMid, T_NOW, i == 1);
        assert_int_equal(db_ingest(c->db, &s, "q.kbs", 0, &res), KBS_OK);
        snap_release(&s);
        {
            char zP[16], zQ[16];
            snprintf(zP, sizeof zP, "P%d", i);
            snprintf(zQ, sizeof zQ, "Q%d", i);
            assert_int_equal(t_verdict(c->db, zP, "MS17-010", NULL, 0),
                             t_verdict(c->db, zQ, "MS17-010", NULL, 0));
            assert_int_equal(t_verdict(c->db, zP, "MS17-010", NULL, 0),
                             i == 1 ? VERDICT_PATCHED : VERDICT_MISSING);
        }
    }
    /* Every stored verdict row of P* equals the one of the matching Q*. */
    assert_int_equal(t_sql_int(c->db->h,
                               "SELECT count(*) FROM verdict a JOIN host ha ON ha.id = a.host_id JOIN"
                               " host hb ON hb.name = 'Q' || substr(ha.name, 2) JOIN verdict b ON"
                               " b.host_id = hb.id AND b.rule_id = a.rule_id WHERE ha.name LIKE 'P%'"
                               " AND a.status = b.status AND a.evidence = b.evidence AND a.action ="
                               " b.action"),
                     3 * (long long)c->cat.nRule);
    /* Prepared and evaluated verdicts give the same texts, so P* and Q* share sets: one for the
     * patched pair, one for the four missing. */
    assert_int_equal(t_sql_int(c->db->h, "SELECT count(DISTINCT verdict_set_id) FROM host"), 2);
    cat_release(&other);
    db_prep_free(p);
}

static void test_field_escaping_round_trip(void **state)
{
    db_buf_t b;
    char zOut[64];
    const char *p;
    (void)state;
    memset(&b, 0, sizeof b);
    db_buf_field(&b, "a\tb\\c\nd", '\t');
    db_buf_field(&b, "", '\n');
    p = b.z;
    assert_int_equal(db_field_next(&p, zOut, sizeof zOut), '\t');
    assert_string_equal(zOut, "a\tb\\c\nd");
    assert_int_equal(db_field_next(&p, zOut, sizeof zOut), '\n');
    assert_string_equal(zOut, "");
    assert_int_equal(db_field_next(&p, zOut, sizeof zOut), 0);
    free(b.z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_scan_wins_older_is_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_next_scan_state_is_the_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_machine_id_is_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hotfix_sets_are_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_merges_with_os_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_change_recomputes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_names_are_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrates_schema1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prep_verdicts_match_ingest, setup, teardown),
        cmocka_unit_test(test_field_escaping_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
