/* test_collect.c: collect over folders: bad files reported and skipped, idempotent re-runs,
 * content-hash skips, clock skew between duplicate hosts, oversized files refused unread, the
 * same result whatever the number of worker threads, and a file failing to store amid others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#ifndef _WIN32
#include <errno.h>
#endif

#include "../t_tmpfile.h"
#include "cat.h"
#include "collect.h"
#include "db.h"
#include "db_int.h"
#include "dbtest_util.h"
#include "plat_ops.h"

#define T_DIR KBS_TEST_TMP "/test_collect"
#define T_DB KBS_TEST_TMP "/test_collect.db"
#define T_DB2 KBS_TEST_TMP "/test_collect2.db"
#define T_PIPE_DIR KBS_TEST_TMP "/test_collect_pipe"
#define T_PIPE_HOSTS 60
#define T_GROUP_DIR KBS_TEST_TMP "/test_collect_group"
#define T_GROUP_FILES 40

typedef struct t_ctx {
    cat_t cat;
    db_t *db;
    FILE *err;
} t_ctx_t;

static const char *const t_azFile[] = {
    "good1.kbs", "good2.kbs", "torn.kbs", "foreign.txt", "sub/good3.kbs", "sub/big.bin",
    "sub/nulbyte.kbs", "empty.kbs", "PC7.kbs.tmp1234-7", "sub/PC8.kbs.tmp99",
    "PC9.kbs.tmp4242-0a1b2c3d4E5F6a7b", "sub/desktop.ini", "Thumbs.db", "sub/.DS_Store",
    "~$fleet.xlsx", "PC10.kbs.tmp12-zz", "PC11.kbs.tmp", "Desktop.INI",
};

static int setup(void **state)
{
    static t_ctx_t c;
    char zErr[DB_ERR_MAX], zPath[512];
    size_t i;
    memset(&c, 0, sizeof c);
    plat_mkdir(T_DIR);
    plat_mkdir(T_DIR "/sub");
    for (i = 0; i < sizeof t_azFile / sizeof t_azFile[0]; i++) {
        snprintf(zPath, sizeof zPath, "%s/%s", T_DIR, t_azFile[i]);
        remove(zPath);
    }
    t_rm_db(T_DB);
    if (cat_load_default(&c.cat)) return -1;
    if (db_open(T_DB, &c.db, zErr, sizeof zErr) || db_use_catalog(c.db, &c.cat, NULL)) return -1;
    if (!(c.err = t_tmpfile())) return -1;
    *state = &c;
    return 0;
}

static int teardown(void **state)
{
    t_ctx_t *c = *state;
    db_close(c->db);
    cat_release(&c->cat);
    fclose(c->err);
    t_rm_db(T_DB);
    return 0;
}

/* Everything written to c->err so far (static buffer). */
static const char *t_err(t_ctx_t *c)
{
    static char z[8192];
    size_t n;
    fflush(c->err);
    rewind(c->err);
    n = fread(z, 1, sizeof z - 1, c->err);
    z[n] = 0;
    return z;
}

static int t_collect(t_ctx_t *c, coll_stats_t *pSt, size_t nMax)
{
    coll_opts_t o;
    char *azPath[1];
    azPath[0] = T_DIR;
    memset(&o, 0, sizeof o);
    o.err = c->err;
    o.nFileMax = nMax;
    return coll_run(c->db, azPath, 1, &o, pSt);
}

static void test_bad_files_reported_rest_collected(void **state)
{
    t_ctx_t *c = *state;
    coll_stats_t st;
    snap_t s;
    int64_t nHost;
    const char *zErr;
    static const char zNul[] = "KBSENTRY-SNAPSHOT 1.0\r\nhost=a\0b\r\n";

    t_snap_xp(&s, "GOOD1", "{g1}", T_NOW, 1);
    assert_int_equal(t_write_snap(T_DIR "/good1.kbs", &s, 0), 0);
    snap_release(&s);
    t_snap_xp(&s, "GOOD2", "{g2}", T_NOW, 0);
    assert_int_equal(t_write_snap(T_DIR "/good2.kbs", &s, 0), 0);
    assert_int_equal(t_write_snap(T_DIR "/torn.kbs", &s, 300), 0); /* cut mid-file */
    snap_release(&s);
    t_snap_xp(&s, "GOOD3", "{g3}", T_NOW, 1);
    assert_int_equal(t_write_snap(T_DIR "/sub/good3.kbs", &s, 0), 0);
    snap_release(&s);
    assert_int_equal(t_write(T_DIR "/foreign.txt", "shopping list\r\neggs\r\n", 21), 0);
    assert_int_equal(t_write(T_DIR "/sub/nulbyte.kbs", zNul, sizeof zNul - 1), 0);
    assert_int_equal(t_write(T_DIR "/empty.kbs", "", 0), 0);
    {
        /* Bigger than the limit given below: refused by its size, never read. */
        char zBig[9000];
        memset(zBig, 'A', sizeof zBig);
        assert_int_equal(t_write(T_DIR "/sub/big.bin", zBig, sizeof zBig), 0);
    }

    assert_int_equal(t_collect(c, &st, 8192), KBS_EPARSE);
    assert_int_equal(st.nFile, 8);
    assert_int_equal(st.nRead, 3);
    assert_int_equal(st.nBad, 5);
    assert_int_equal(st.nNewHost, 3);
    zErr = t_err(c);
    assert_non_null(strstr(zErr, "torn.kbs:"));
    assert_non_null(strstr(zErr, "foreign.txt:1: not a kbsentry snapshot"));
    assert_non_null(strstr(zErr, "big.bin:0: file too large"));
    assert_non_null(strstr(zErr, "nulbyte.kbs:"));
    assert_non_null(strstr(zErr, "empty.kbs:"));
    assert_int_equal(db_counts(c->db, &nHost, NULL, NULL, NULL), KBS_OK);
    assert_int_equal(nHost, 3);

    /* Again: the good files are skipped by size and mtime, the bad ones reported again, nothing
     * stored changes. */
    assert_int_equal(t_collect(c, &st, 8192), KBS_EPARSE);
    assert_int_equal(st.nUnchanged, 3);
    assert_int_equal(st.nRead, 0);
    assert_int_equal(st.nBad, 5);
    assert_int_equal(db_counts(c->db, &nHost, NULL, NULL, NULL), KBS_OK);
    assert_int_equal(nHost, 3);
}

/* The agent's temp files in a drop share (in flight, or left by a killed write) are not inputs. */
static void test_agent_temp_files_ignored(void **state)
{
    t_ctx_t *c = *state;
    coll_stats_t st;
    snap_t s;
    t_snap_xp(&s, "GOOD1", "{g1}", T_NOW, 1);
    assert_int_equal(t_write_snap(T_DIR "/good1.kbs", &s, 0), 0);
    assert_int_equal(t_write_snap(T_DIR "/PC7.kbs.tmp1234-7", &s, 300), 0);
    assert_int_equal(t_write_snap(T_DIR "/sub/PC8.kbs.tmp99", &s, 100), 0);
    snap_release(&s);
    assert_int_equal(t_collect(c, &st, 8192), KBS_OK);
    assert_int_equal(st.nFile, 1);
    assert_int_equal(st.nBad, 0);
    assert_int_equal(st.nSkipped, 2);
    assert_null(strstr(t_err(c), "tmp"));
}

/* A drop share as Windows leaves it: Explorer's desktop.ini and Thumbs.db, a Mac's .DS_Store,
 * Office's owner file ~$..., and the agent's in-flight file as it names it now
 * (<HOST>.kbs.tmp<pid>-<16 hex digits>): skipped by name, counted, no error. A name that only
 * looks like a temp (no pid, or not hex after it) is still read, and reported when bad. */
static void test_not_inputs_skipped_by_name(void **state)
{
    t_ctx_t *c = *state;
    coll_stats_t st;
    snap_t s;
    t_snap_xp(&s, "GOOD1", "{g1}", T_NOW, 1);
    assert_int_equal(t_write_snap(T_DIR "/good1.kbs", &s, 0), 0);
    assert_int_equal(t_write_snap(T_DIR "/PC9.kbs.tmp4242-0a1b2c3d4E5F6a7b", &s, 300), 0);
    snap_release(&s);
    assert_int_equal(t_write(T_DIR "/sub/desktop.ini", "[.ShellClassInfo]\r\n", 19), 0);
    assert_int_equal(t_write(T_DIR "/Desktop.INI", "[.ShellClassInfo]\r\n", 19), 0);
    assert_int_equal(t_write(T_DIR "/Thumbs.db", "\xd0\xcf\x11\xe0", 4), 0);
    assert_int_equal(t_write(T_DIR "/sub/.DS_Store", "\0\0\0\1Bud1", 8), 0);
    assert_int_equal(t_write(T_DIR "/~$fleet.xlsx", "\x0bjsmith", 7), 0);
    assert_int_equal(t_collect(c, &st, 8192), KBS_OK);
    assert_int_equal(st.nFile, 1);
    assert_int_equal(st.nRead, 1);
    assert_int_equal(st.nBad, 0);
    assert_int_equal(st.nSkipped, 6);
    assert_string_equal(t_err(c), "");

    /* Not the agent's pattern: read as inputs, and bad. */
    assert_int_equal(t_write(T_DIR "/PC10.kbs.tmp12-zz", "x", 1), 0);
    assert_int_equal(t_write(T_DIR "/PC11.kbs.tmp", "x", 1), 0);
    assert_int_equal(t_collect(c, &st, 8192), KBS_EPARSE);
    assert_int_equal(st.nBad, 2);
    assert_int_equal(st.nSkipped, 6);
}

static void test_rewritten_same_content_is_skipped_by_hash(void **state)
{
    t_ctx_t *c = *state;
    coll_stats_t st;
    snap_t s;
    int64_t nScan;
    t_snap_xp(&s, "H1", "{h1}", T_NOW, 1);
    assert_int_equal(t_write_snap(T_DIR "/good1.kbs", &s, 0), 0);
    assert_int_equal(t_collect(c, &st, 0), KBS_OK);
    assert_int_equal(st.nRead, 1);
    /* The same bytes with another mtime (copied again, touched): the content hash says
     * unchanged. The stored mtime is moved instead of the file's: no portable utime(). */
    {
        char *z = NULL, zPath[1024];
        size_t n = 0;
        db_report_t r;
        db_filter_t f;
        db_file_t df;
        memset(&f, 0, sizeof f);
        f.status = -1;
        assert_int_equal(db_report_load(c->db, &f, &r), KBS_OK);
        snprintf(zPath, sizeof zPath, "%s", r.rep.aHost[0].zSourcePath);
        db_report_release(&r);
        assert_int_equal(plat_read_file(zPath, 1 << 20, &z, &n), KBS_OK);
        df.zPath = zPath;
        df.size = (int64_t)n;
        df.mtime = 12345;
        df.hash = db_hash64(z, n);
        df.zKind = "snapshot";
        assert_int_equal(db_file_record(c->db, &df), KBS_OK);
        free(z);
    }
    assert_int_equal(t_collect(c, &st, 0), KBS_OK);
    assert_int_equal(st.nUnchanged, 1);
    assert_int_equal(st.nRead, 0);
    /* A new scan in the same file is read and becomes the state. */
    s.scanTime += 3600;
    assert_int_equal(t_write_snap(T_DIR "/good1.kbs", &s, 0), 0);
    assert_int_equal(t_collect(c, &st, 0), KBS_OK);
    assert_int_equal(st.nRead, 1);
    assert_int_equal(st.nCurrent, 1);
    snap_release(&s);
    assert_int_equal(db_counts(c->db, NULL, &nScan, NULL, NULL), KBS_OK);
    assert_int_equal(nScan, 2);
}

/* Two snapshots of one machine whose clock jumped: the later scan time wins whatever the order. */
static void test_clock_skew_duplicates(void **state)
{
    t_ctx_t *c = *state;
    coll_stats_t st;
    snap_t s;
    db_filter_t f;
    db_report_t r;

    /* good1 (collected first, by path order) holds the newer scan; good2 the older one. */
    t_snap_xp(&s, "SKEW", "{skew}", T_NOW + 3600, 1);
    assert_int_equal(t_write_snap(T_DIR "/good1.kbs", &s, 0), 0);
    snap_release(&s);
    t_snap_xp(&s, "SKEW", "{skew}", T_NOW, 0);
    assert_int_equal(t_write_snap(T_DIR "/good2.kbs", &s, 0), 0);
    snap_release(&s);
    assert_int_equal(t_collect(c, &st, 0), KBS_OK);
    assert_int_equal(st.nNewHost, 1);
    assert_int_equal(st.nHistory, 1);
    memset(&f, 0, sizeof f);
    f.status = -1;
    f.now = T_NOW;
    assert_int_equal(db_report_load(c->db, &f, &r), KBS_OK);
    assert_int_equal(r.rep.nHost, 1);
    assert_int_equal(r.rep.aHost[0].scanTime, T_NOW + 3600);
    assert_non_null(strstr(r.rep.aHost[0].zSourcePath, "good1.kbs"));
    db_report_release(&r);
}

static void test_huge_sparse_file_refused_unread(void **state)
{
    t_ctx_t *c = *state;
    coll_stats_t st;
    FILE *f = plat_fopen(T_DIR "/sub/big.bin", "wb");
    assert_non_null(f);
    /* 1 GB, sparse: no time or disk spent writing it. */
    assert_int_equal(fseek(f, (1L << 30) - 1, SEEK_SET), 0);
    assert_int_equal(fputc('x', f), 'x');
    assert_int_equal(fclose(f), 0);
    assert_int_equal(t_collect(c, &st, 0), KBS_EPARSE);
    assert_int_equal(st.nBad, 1);
    assert_non_null(strstr(t_err(c), "big.bin:0: file too large (1073741824 bytes; the limit is 16 MB)"));
    remove(T_DIR "/sub/big.bin");
}

static void test_agentless_inputs_by_content(void **state)
{
    t_ctx_t *c = *state;
    coll_stats_t st;
    coll_opts_t o;
    char *azPath[2];
    azPath[0] = KBS_TEST_DATA "/imp/xp_sp3_en_file1.txt";
    azPath[1] = KBS_TEST_DATA "/imp/qfe_2hosts_utf16.csv";
    memset(&o, 0, sizeof o);
    o.err = c->err;
    assert_int_equal(coll_run(c->db, azPath, 2, &o, &st), KBS_OK);
    assert_int_equal(st.nRead, 2);
    assert_true(st.nScan >= 3); /* one systeminfo + two CSV hosts */
}

static void test_missing_path_is_an_error(void **state)
{
    t_ctx_t *c = *state;
    coll_stats_t st;
    coll_opts_t o;
    char *azPath[1];
    azPath[0] = T_DIR "/no-such-dir";
    memset(&o, 0, sizeof o);
    o.err = c->err;
    assert_int_equal(coll_run(c->db, azPath, 1, &o, &st), KBS_EPARSE);
    assert_int_equal(st.nBad, 1);
    assert_non_null(strstr(t_err(c), "no-such-dir:0: cannot read"));
}

/* Each host's last scan and verdicts, one line per host, in name order. */
static void t_summary(db_t *db, char *z, size_t n)
{
    db_filter_t f;
    db_report_t r;
    size_t i, j, at = 0;
    memset(&f, 0, sizeof f);
    f.status = -1;
    f.now = T_NOW;
    assert_int_equal(db_report_load(db, &f, &r), KBS_OK);
    z[0] = 0;
    for (i = 0; i < r.rep.nHost && at < n; i++) {
        const rep_host_t *h = &r.rep.aHost[i];
        at += (size_t)snprintf(z + at, n - at, "%s %lld", h->zHost, (long long)h->scanTime);
        for (j = 0; j < h->nVerdict && at < n; j++)
            at += (size_t)snprintf(z + at, n - at, " %d", (int)h->aVerdict[j].status);
        if (at < n) at += (size_t)snprintf(z + at, n - at, "\n");
    }
    db_report_release(&r);
}

/* Many files, two scans of each host (the older one sometimes later in path order) and bad files
 * among them: one worker or four, the stored states are the same, newest scan wins, the bad
 * files are reported by path, and every host has a verdict for every rule through the shared
 * verdict sets (far fewer sets than hosts). */
static void test_pipeline_same_result_any_width(void **state)
{
    t_ctx_t *c = *state;
    static char zA[T_PIPE_HOSTS * 80], zB[T_PIPE_HOSTS * 80];
    char zPath[512], zHost[32], zMid[32], zErr[DB_ERR_MAX], *azPath[1];
    coll_stats_t st;
    coll_opts_t o;
    db_t *db2 = NULL;
    snap_t s;
    int i;

    plat_mkdir(T_PIPE_DIR);
    for (i = 0; i < T_PIPE_HOSTS; i++) {
        snprintf(zHost, sizeof zHost, "PC%03d", i);
        snprintf(zMid, sizeof zMid, "{m%03d}", i);
        /* The newer scan is "a-..." for odd hosts: read before the older "b-..." one. */
        t_snap_xp(&s, zHost, zMid, T_NOW - 86400, 0);
        snprintf(zPath, sizeof zPath, "%s/%c-%03d.kbs", T_PIPE_DIR, i % 2 ? 'b' : 'a', i);
        assert_int_equal(t_write_snap(zPath, &s, 0), 0);
        snap_release(&s);
        t_snap_xp(&s, zHost, zMid, T_NOW, i % 3 == 0);
        snprintf(zPath, sizeof zPath, "%s/%c-%03d.kbs", T_PIPE_DIR, i % 2 ? 'a' : 'b', i);
        assert_int_equal(t_write_snap(zPath, &s, 0), 0);
        snap_release(&s);
    }
    assert_int_equal(t_write(T_PIPE_DIR "/a-torn.kbs", "KBSENTRY-SNAPSHOT 1.0\r\nhost=X\r\n", 31), 0);
    assert_int_equal(t_write(T_PIPE_DIR "/b-foreign.txt", "not a scan\r\n", 12), 0);

    azPath[0] = T_PIPE_DIR;
    memset(&o, 0, sizeof o);
    o.err = c->err;
    o.nWorker = 4;
    assert_int_equal(coll_run(c->db, azPath, 1, &o, &st), KBS_EPARSE);
    assert_int_equal(st.nBad, 2);
    assert_int_equal(st.nRead, 2 * T_PIPE_HOSTS);
    assert_int_equal(st.nNewHost, T_PIPE_HOSTS);
    assert_int_equal(st.nCurrent + st.nHistory, T_PIPE_HOSTS);
    assert_non_null(strstr(t_err(c), "a-torn.kbs:"));
    assert_non_null(strstr(t_err(c), "b-foreign.txt:1:"));
    assert_int_equal(t_query_int(T_DB, "SELECT count(*) FROM verdict"),
                     (long long)T_PIPE_HOSTS * (long long)c->cat.nRule);
    assert_int_equal(t_query_int(T_DB, "SELECT count(*) FROM host h WHERE (SELECT count(*) FROM"
                                       " verdict v WHERE v.host_id = h.id) <> (SELECT count(*)"
                                       " FROM rule)"),
                     0);
    assert_in_range(t_query_int(T_DB, "SELECT count(*) FROM verdict_set"), 1, T_PIPE_HOSTS / 4);
    t_summary(c->db, zA, sizeof zA);
    for (i = 0; i < T_PIPE_HOSTS; i++) {
        char zLine[64];
        snprintf(zLine, sizeof zLine, "PC%03d %lld ", i, (long long)T_NOW);
        assert_non_null(strstr(zA, zLine));
    }

    t_rm_db(T_DB2);
    assert_int_equal(db_open(T_DB2, &db2, zErr, sizeof zErr), KBS_OK);
    assert_int_equal(db_use_catalog(db2, &c->cat, NULL), KBS_OK);
    o.nWorker = 1;
    assert_int_equal(coll_run(db2, azPath, 1, &o, &st), KBS_EPARSE);
    assert_int_equal(st.nRead, 2 * T_PIPE_HOSTS);
    t_summary(db2, zB, sizeof zB);
    assert_string_equal(zA, zB);

    /* Nothing changed: nothing read again, with any width. */
    o.nWorker = 3;
    assert_int_equal(coll_run(db2, azPath, 1, &o, &st), KBS_EPARSE);
    assert_int_equal(st.nRead, 0);
    assert_int_equal(st.nUnchanged, 2 * T_PIPE_HOSTS);
    db_close(db2);
    t_rm_db(T_DB2);
    for (i = 0; i < T_PIPE_HOSTS; i++) {
        snprintf(zPath, sizeof zPath, "%s/a-%03d.kbs", T_PIPE_DIR, i);
        remove(zPath);
        snprintf(zPath, sizeof zPath, "%s/b-%03d.kbs", T_PIPE_DIR, i);
        remove(zPath);
    }
    remove(T_PIPE_DIR "/a-torn.kbs");
    remove(T_PIPE_DIR "/b-foreign.txt");
}

/* Runs zSql on the test database through a second connection (a trigger the collect must meet). */
static void t_sql(const char *zSql)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(T_DB, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, zSql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

/* A file that parses but whose rows the database refuses, in the middle of the files stored
 * under one savepoint: a database fault, so the collect stops, naming that file (not its
 * neighbours), and keeps nothing of the open transaction; once the cause is gone a rerun stores
 * every file, newest scan winning. */
static void test_store_failure_in_group(void **state)
{
    t_ctx_t *c = *state;
    static char zSum[T_GROUP_FILES * 80];
    char zPath[512], zHost[32], zMid[32], *azPath[1];
    coll_stats_t st;
    coll_opts_t o;
    snap_t s;
    int64_t nHost;
    int i;

    plat_mkdir(T_GROUP_DIR);
    for (i = 0; i < T_GROUP_FILES; i++) {
        /* g-030 is a newer scan of PC005 (stored in the same group as g-017). */
        int iHost = i == 30 ? 5 : i;
        snprintf(zHost, sizeof zHost, "PC%03d", iHost);
        snprintf(zMid, sizeof zMid, "{m%03d}", iHost);
        t_snap_xp(&s, zHost, zMid, i == 30 ? T_NOW : T_NOW - 86400, i % 2);
        snprintf(zPath, sizeof zPath, "%s/g-%03d.kbs", T_GROUP_DIR, i);
        assert_int_equal(t_write_snap(zPath, &s, 0), 0);
        snap_release(&s);
    }
    /* Its host and scan rows go in first; then recording the file fails. */
    t_sql("CREATE TRIGGER t_refuse BEFORE INSERT ON file WHEN NEW.path LIKE '%g-017.kbs' "
          "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");

    azPath[0] = T_GROUP_DIR;
    memset(&o, 0, sizeof o);
    o.err = c->err;
    o.nWorker = 2;
    assert_int_equal(coll_run(c->db, azPath, 1, &o, &st), KBS_EDB);
    assert_non_null(strstr(t_err(c), "g-017.kbs:0: not stored:"));
    assert_non_null(strstr(t_err(c), "refused by the test"));
    assert_null(strstr(t_err(c), "g-016.kbs"));
    assert_null(strstr(t_err(c), "g-018.kbs"));
    assert_int_equal(db_counts(c->db, &nHost, NULL, NULL, NULL), KBS_OK);
    assert_int_equal(nHost, 0);

    /* The cause gone, a rerun stores the one file left and nothing else. */
    t_sql("DROP TRIGGER t_refuse;");
    assert_int_equal(coll_run(c->db, azPath, 1, &o, &st), KBS_OK);
    assert_int_equal(st.nRead, T_GROUP_FILES);
    assert_int_equal(st.nScan, T_GROUP_FILES);
    assert_int_equal(st.nNewHost, T_GROUP_FILES - 1);
    assert_int_equal(st.nBad, 0);
    assert_int_equal(db_counts(c->db, &nHost, NULL, NULL, NULL), KBS_OK);
    assert_int_equal(nHost, T_GROUP_FILES - 1);
    t_summary(c->db, zSum, sizeof zSum);
    {
        char zLine[64];
        snprintf(zLine, sizeof zLine, "PC005 %lld ", (long long)T_NOW);
        assert_non_null(strstr(zSum, zLine));
        snprintf(zLine, sizeof zLine, "PC017 %lld ", (long long)(T_NOW - 86400));
        assert_non_null(strstr(zSum, zLine));
    }
    /* Again: nothing to store. */
    assert_int_equal(coll_run(c->db, azPath, 1, &o, &st), KBS_OK);
    assert_int_equal(st.nRead, 0);
    assert_int_equal(st.nUnchanged, T_GROUP_FILES);
    for (i = 0; i < T_GROUP_FILES; i++) {
        snprintf(zPath, sizeof zPath, "%s/g-%03d.kbs", T_GROUP_DIR, i);
        remove(zPath);
    }
}

#define T_FULL_DIR KBS_TEST_TMP "/test_collect_full"
#define T_FULL_FILES 100
#define T_BIG_DIR KBS_TEST_TMP "/test_collect_big"

/* The database fills up during a collect (SQLITE_FULL, as on a full disk) after some groups of
 * files were stored in the open transaction: SQLite undoes it, and the counts say that nothing
 * of it was stored (they said "64 read ... 64 new hosts" while the database held none). */
static void test_disk_full_summary(void **state)
{
    t_ctx_t *c = *state;
    char zPath[512], zHost[32], *azPath[1];
    coll_stats_t st;
    coll_opts_t o;
    snap_t s;
    int64_t nHost = -1;
    long long nPage;
    int i;

    plat_mkdir(T_FULL_DIR);
    for (i = 0; i < T_FULL_FILES; i++) {
        int k;
        snprintf(zHost, sizeof zHost, "FULL%03d", i);
        t_snap_xp(&s, zHost, NULL, T_NOW, i % 2);
        for (k = 0; k < 40; k++) {
            char zKb[16];
            snprintf(zKb, sizeof zKb, "KB%d", 3000000 + i * 100 + k);
            snap_add_hotfix(&s, zKb, SNAP_SRC_QFE, NULL, -1);
        }
        snprintf(zPath, sizeof zPath, "%s/f-%03d.kbs", T_FULL_DIR, i);
        assert_int_equal(t_write_snap(zPath, &s, 0), 0);
        snap_release(&s);
    }
    nPage = t_sql_int(c->db->h, "PRAGMA page_count");
    assert_true(nPage > 0);
    {
        char zSql[64];
        snprintf(zSql, sizeof zSql, "PRAGMA max_page_count = %lld", nPage + 60);
        assert_true(t_sql_int(c->db->h, zSql) > 0);
    }
    azPath[0] = T_FULL_DIR;
    memset(&o, 0, sizeof o);
    o.err = c->err;
    o.nWorker = 2;
    assert_int_equal(coll_run(c->db, azPath, 1, &o, &st), KBS_EDB);
    if (!strstr(t_err(c), "full")) print_error("%s\n", t_err(c));
    assert_non_null(strstr(t_err(c), "full"));
    assert_int_equal(db_counts(c->db, &nHost, NULL, NULL, NULL), KBS_OK);
    assert_int_equal(nHost, 0);
    assert_int_equal(st.nRead, 0);
    assert_int_equal(st.nNewHost, 0);
    assert_int_equal(st.nScan, 0);
    assert_true(st.nLost > 0);
    for (i = 0; i < T_FULL_FILES; i++) {
        snprintf(zPath, sizeof zPath, "%s/f-%03d.kbs", T_FULL_DIR, i);
        remove(zPath);
    }
}

/* A store failing for a reason other than the database says that reason, without SQLite's
 * last message (which then is a stale one, e.g. "not an error"). */
static void test_non_database_failure_message(void **state)
{
    t_ctx_t *c = *state;
    char *azPath[1];
    coll_stats_t st;
    coll_opts_t o;
    snap_t s;
    int i;

    plat_mkdir(T_BIG_DIR);
    /* An OS scan and an OS-less list of the same host, each of 12,000 hotfixes: their union is
     * more than a snapshot may hold. */
    for (i = 0; i < 2; i++) {
        int k;
        t_snap_xp(&s, "BIG", NULL, T_NOW - i, 0);
        if (i) {
            s.osKnown = 0;
            s.nFile = 0;
            snprintf(s.zOrigin, sizeof s.zOrigin, "qfe-csv");
        }
        for (k = 0; k < 12000; k++) {
            char zKb[16];
            snprintf(zKb, sizeof zKb, "KB%d", 1000000 + i * 20000 + k);
            snap_add_hotfix(&s, zKb, SNAP_SRC_QFE, NULL, -1);
        }
        assert_int_equal(t_write_snap(i ? T_BIG_DIR "/b.kbs" : T_BIG_DIR "/a.kbs", &s, 0), 0);
        snap_release(&s);
    }
    azPath[0] = T_BIG_DIR;
    memset(&o, 0, sizeof o);
    o.err = c->err;
    assert_int_equal(coll_run(c->db, azPath, 1, &o, &st), KBS_EPARSE);
    assert_non_null(strstr(t_err(c), "b.kbs:0: not stored: too large\n"));
    assert_int_equal(st.nRead, 1);
    remove(T_BIG_DIR "/a.kbs");
    remove(T_BIG_DIR "/b.kbs");
}

#ifndef _WIN32
/* readdir ends a listing with NULL for an error too (a share gone, an I/O error): the folder is
 * reported and the collect is incomplete (an error), not taken as complete. */
static DIR *t_pBadDir;
static int t_nRead;
static struct dirent *t_readdir_fails(DIR *d)
{
    if (!t_pBadDir) {
        t_pBadDir = d;
        t_nRead = 0;
    }
    if (d == t_pBadDir && ++t_nRead > 3) {
        errno = EIO;
        return NULL;
    }
    return readdir(d);
}

static void test_folder_read_error_is_incomplete(void **state)
{
    t_ctx_t *c = *state;
    char zPath[512], zHost[32], *azPath[1];
    plat_dir_ops_t saved = plat_dirOps;
    coll_stats_t st;
    coll_opts_t o;
    snap_t s;
    int i;

    plat_mkdir(T_FULL_DIR);
    for (i = 0; i < 8; i++) {
        snprintf(zHost, sizeof zHost, "DIR%03d", i);
        t_snap_xp(&s, zHost, NULL, T_NOW, 1);
        snprintf(zPath, sizeof zPath, "%s/d-%03d.kbs", T_FULL_DIR, i);
        assert_int_equal(t_write_snap(zPath, &s, 0), 0);
        snap_release(&s);
    }
    t_pBadDir = NULL;
    plat_dirOps.pReaddir = t_readdir_fails;
    azPath[0] = T_FULL_DIR;
    memset(&o, 0, sizeof o);
    o.err = c->err;
    i = coll_run(c->db, azPath, 1, &o, &st);
    plat_dirOps = saved;
    assert_int_equal(i, KBS_EPARSE);
    assert_int_equal(st.nDirErr, 1);
    assert_true(st.nRead >= 1 && st.nRead < 8);
    assert_non_null(strstr(t_err(c), T_FULL_DIR ": folder not read completely: input/output error"));
    for (i = 0; i < 8; i++) {
        snprintf(zPath, sizeof zPath, "%s/d-%03d.kbs", T_FULL_DIR, i);
        remove(zPath);
    }
}

#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_files_reported_rest_collected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agent_temp_files_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_inputs_skipped_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rewritten_same_content_is_skipped_by_hash, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_clock_skew_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_sparse_file_refused_unread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agentless_inputs_by_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_path_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_same_result_any_width, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_failure_in_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disk_full_summary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_database_failure_message, setup, teardown),
#ifndef _WIN32
        cmocka_unit_test_setup_teardown(test_folder_read_error_is_incomplete, setup, teardown),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
