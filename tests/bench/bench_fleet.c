/* bench_fleet.c: a synthetic fleet end to end: cold collect, re-collect, HTML report, peak memory,
 * and what sharing hotfix lists saves. `bench_fleet --generate DIR N 2015|2017` only writes files. */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L
#endif
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <sys/resource.h>
#include <unistd.h>
#endif

#include "collect.h"
#include "db.h"
#include "fleet.h"
#include "kbs_err.h"
#include "plat.h"
#include "rep.h"
#include "bench_util.h"

static double bench_file_mb(const char *zPath)
{
    plat_stat_t st;
    if (plat_stat(zPath, &st)) return 0.0;
    return (double)st.size / (1024.0 * 1024.0);
}

/* The database's size on disk: its file and its WAL (pages not yet checkpointed live there). */
static double bench_db_mb(const char *zDb)
{
    char z[1100];
    snprintf(z, sizeof z, "%s-wal", zDb);
    return bench_file_mb(zDb) + bench_file_mb(z);
}

/* One timed collect of zPath into db: wall and CPU milliseconds into *pMs and *pCpu. */
static int bench_collect(db_t *db, const char *zPath, const coll_opts_t *o, coll_stats_t *pCs,
                         double *pMs, double *pCpu)
{
    char *azPath[1];
    double t0 = plat_now_ms(), c0 = bench_cpu_ms();
    int rc;
    azPath[0] = (char *)zPath;
    rc = coll_run(db, azPath, 1, o, pCs);
    *pMs = plat_now_ms() - t0;
    *pCpu = bench_cpu_ms() - c0;
    return rc;
}

static int bench_generate(const char *zDir, size_t n, fleet_mix_t mix)
{
    fleet_stats_t st;
    double t0 = plat_now_ms();
    int rc;
    memset(&st, 0, sizeof st);
    rc = fleet_generate(zDir, n, mix, 2017, &st);
    if (rc) {
        fprintf(stderr, "bench_fleet: generating into %s: %s\n", zDir, kbs_strerror(rc));
        return 2;
    }
    printf("generated %lu snapshots in %s (%.1f MB, %.0f ms): %lu XP (%lu on SP2), %lu 8.1, %lu 10;"
           " %lu missing MS17-010, %lu stale, %lu patch levels\n",
           (unsigned long)st.nHost, zDir, (double)st.nByte / 1048576.0, plat_now_ms() - t0,
           (unsigned long)st.nXp, (unsigned long)st.nXpSp2, (unsigned long)st.n81,
           (unsigned long)st.n10, (unsigned long)st.nMissing17010, (unsigned long)st.nStale,
           (unsigned long)st.nLevel);
    return 0;
}

/* The alternative schema: one row per hotfix per scan, no sharing. Returns ms and fills size. */
static double bench_unshared(const char *zPath, size_t n, fleet_mix_t mix, double *pMb)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    double t0;
    size_t i, j;
    snap_t s;
    remove(zPath);
    if (sqlite3_open(zPath, &h) != SQLITE_OK) return -1;
    sqlite3_exec(h,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768;"
                 "CREATE TABLE scan_hotfix(scan_id INTEGER NOT NULL, raw TEXT NOT NULL,"
                 " kb INTEGER NOT NULL, sources INTEGER NOT NULL, cbs_state INTEGER NOT NULL,"
                 " PRIMARY KEY(scan_id, raw)) WITHOUT ROWID;"
                 "CREATE INDEX scan_hotfix_kb ON scan_hotfix(kb);",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(h, "INSERT INTO scan_hotfix VALUES(?1, ?2, ?3, ?4, ?5)", -1, &st, NULL);
    t0 = plat_now_ms();
    sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
    for (i = 0; i < n; i++) {
        if (fleet_host(i, n, mix, 2017, &s, NULL)) break;
        for (j = 0; j < s.nHotfix; j++) {
            sqlite3_reset(st);
            sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
            sqlite3_bind_text(st, 2, s.aHotfix[j].zRaw, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, s.aHotfix[j].kb.num);
            sqlite3_bind_int(st, 4, (int)s.aHotfix[j].sources);
            sqlite3_bind_int(st, 5, s.aHotfix[j].cbsState);
            sqlite3_step(st);
        }
        snap_release(&s);
    }
    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
    t0 = plat_now_ms() - t0;
    sqlite3_finalize(st);
    sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sqlite3_close(h);
    *pMb = bench_file_mb(zPath);
    return t0;
}

int main(int argc, char **argv)
{
    const char *zMix = "2015", *zWork = NULL;
    fleet_mix_t mix;
    size_t n = 0, nAlt;
    char zFleet[1024], zDb[1024], zHtml[1024], zAlt[1024], zDbErr[DB_ERR_MAX];
    db_t *db = NULL;
    cat_t cat;
    coll_opts_t o;
    coll_stats_t cs;
    db_filter_t flt;
    db_report_t rep;
    double t0, tCold, tWarm, tLoad, tHtml, mbAlt = 0, tAlt, rss, c0, cCold, cWarm, cHtml;
    double tRedo, cRedo, tView, cView, tRescan, cRescan, mbCold;
    char zRescan[1100];
    coll_stats_t csCold;
    int64_t nHost = 0, nScan = 0, nSet = 0, nVset = 0;
    FILE *f;
    int rc;

    db_global_init();
    if (argc == 5 && !strcmp(argv[1], "--generate")) {
        int m = fleet_mix_from_name(argv[4]);
        if (m < 0) {
            fprintf(stderr, "usage: bench_fleet --generate DIR N 2015|2017\n");
            return 2;
        }
        return bench_generate(argv[2], (size_t)strtoul(argv[3], NULL, 10), (fleet_mix_t)m);
    }
    if (argc > 1) zMix = argv[1];
    if (argc > 2) n = (size_t)strtoul(argv[2], NULL, 10);
    if (argc > 3) zWork = argv[3];
    if (fleet_mix_from_name(zMix) < 0) {
        fprintf(stderr, "usage: bench_fleet [2015|2017 [N [WORKDIR]]] | --generate DIR N 2015|2017\n");
        return 2;
    }
    mix = (fleet_mix_t)fleet_mix_from_name(zMix);
    if (!n) n = fleet_default_n(mix);
    if (!zWork) zWork = "kbs-bench-fleet";
    plat_mkdir(zWork);
    snprintf(zFleet, sizeof zFleet, "%s/fleet-%s-%lu", zWork, zMix, (unsigned long)n);
    snprintf(zDb, sizeof zDb, "%s/bench.db", zWork);
    snprintf(zHtml, sizeof zHtml, "%s/report.html", zWork);
    snprintf(zAlt, sizeof zAlt, "%s/unshared.db", zWork);

    {
        plat_stat_t st;
        if (plat_stat(zFleet, &st) != KBS_OK && bench_generate(zFleet, n, mix)) return 2;
    }
    remove(zDb);
    {
        char z[1100];
        snprintf(z, sizeof z, "%s-wal", zDb);
        remove(z);
        snprintf(z, sizeof z, "%s-shm", zDb);
        remove(z);
    }
    if ((rc = cat_load_default(&cat))) return 2;
    if ((rc = db_open(zDb, &db, zDbErr, sizeof zDbErr)) || (rc = db_use_catalog(db, &cat, NULL))) {
        fprintf(stderr, "bench_fleet: %s\n", zDbErr);
        return 2;
    }
    memset(&o, 0, sizeof o);
    o.err = stderr;
    /* KBS_BENCH_WORKERS=N compares pipeline widths (default: by CPU count). */
    if (getenv("KBS_BENCH_WORKERS")) o.nWorker = (size_t)strtoul(getenv("KBS_BENCH_WORKERS"), NULL, 10);

    rc = bench_collect(db, zFleet, &o, &cs, &tCold, &cCold);
    csCold = cs;
    mbCold = bench_db_mb(zDb);
    if (rc || cs.nNewHost != n) {
        fprintf(stderr, "bench_fleet: cold collect: %s, %lu new hosts of %lu\n", kbs_strerror(rc),
                (unsigned long)cs.nNewHost, (unsigned long)n);
        return 2;
    }
    rc = bench_collect(db, zFleet, &o, &cs, &tWarm, &cWarm);
    if (rc || cs.nUnchanged != n) {
        fprintf(stderr, "bench_fleet: re-collect: %s, %lu unchanged of %lu\n", kbs_strerror(rc),
                (unsigned long)cs.nUnchanged, (unsigned long)n);
        return 2;
    }
    db_counts(db, &nHost, &nScan, &nSet, &nVset);

    memset(&flt, 0, sizeof flt);
    flt.status = -1;
    flt.staleDays = 30;
    flt.now = fleet_now(mix);
    t0 = plat_now_ms();
    c0 = bench_cpu_ms();
    if ((rc = db_report_load(db, &flt, &rep))) return 2;
    tLoad = plat_now_ms() - t0;
    if (!(f = plat_fopen(zHtml, "wb"))) return 2;
    rc = rep_render(&rep.rep, REP_FMT_HTML, f);
    fclose(f);
    tHtml = plat_now_ms() - t0;
    cHtml = bench_cpu_ms() - c0;
    db_report_release(&rep);
    if (rc) return 2;
    /* A report through another catalog (here: the same rules under another hash) is a view
     * computed in memory from every host's stored state; `recompute` stores it, in one
     * transaction. */
    {
        cat_t cat2;
        size_t nRedone = 0;
        if ((rc = cat_load_default(&cat2))) return 2;
        snprintf(cat2.zHash, sizeof cat2.zHash, "%s", "0000000000000000");
        t0 = plat_now_ms();
        c0 = bench_cpu_ms();
        rc = db_view_catalog(db, &cat2);
        if (!rc) rc = db_report_load(db, &flt, &rep);
        tView = plat_now_ms() - t0;
        cView = bench_cpu_ms() - c0;
        if (!rc) db_report_release(&rep);
        t0 = plat_now_ms();
        c0 = bench_cpu_ms();
        if (!rc) rc = db_recompute(db, &cat2, &nRedone);
        tRedo = plat_now_ms() - t0;
        cRedo = bench_cpu_ms() - c0;
        if (!rc) rc = db_recompute(db, &cat, NULL); /* back, before cat2 goes */
        cat_release(&cat2);
        if (rc || nRedone != n) {
            fprintf(stderr, "bench_fleet: catalog change: %s, %lu hosts redone\n", kbs_strerror(rc),
                    (unsigned long)nRedone);
            return 2;
        }
    }
    /* Six hours later every agent reports again (the next round of scans in a drop share): each
     * file is new, each host known, so each scan goes the general path (newest scan becomes the
     * state, the old one history). */
    snprintf(zRescan, sizeof zRescan, "%s-6h", zFleet);
    {
        plat_stat_t st;
        if (plat_stat(zRescan, &st) != KBS_OK &&
            fleet_generate_at(zRescan, n, mix, 2017, 6 * 3600, NULL) != KBS_OK) {
            fprintf(stderr, "bench_fleet: generating %s failed\n", zRescan);
            return 2;
        }
    }
    rc = bench_collect(db, zRescan, &o, &cs, &tRescan, &cRescan);
    if (rc || cs.nCurrent != n) {
        fprintf(stderr, "bench_fleet: re-scan collect: %s, %lu current of %lu\n", kbs_strerror(rc),
                (unsigned long)cs.nCurrent, (unsigned long)n);
        return 2;
    }
    rss = bench_peak_rss_mb();
    db_close(db);

    printf("fleet %s: %lu snapshots, %lu hosts, %lu scans, %lu shared hotfix sets, %lu shared"
           " verdict sets\n", zMix, (unsigned long)n, (unsigned long)nHost, (unsigned long)nScan,
           (unsigned long)nSet, (unsigned long)nVset);
    printf("                      wall ms   cpu ms (user+sys)\n");
    printf("cold collect          %8.0f %8.0f  (target <= 3000)\n", tCold, cCold);
    printf("  storing thread: walk %.0f, store %.0f, commit %.0f, waiting for workers %.0f ms;"
           " workers: read %.0f, parse+prepare %.0f ms\n",
           csCold.msWalk, csCold.msStore, csCold.msCommit, csCold.msWait, csCold.msRead,
           csCold.msParse);
    printf("re-collect, unchanged %8.0f %8.0f  (target <= 300)\n", tWarm, cWarm);
    printf("HTML report           %8.0f %8.0f  (target <= 1000; %.0f ms loading, %.1f MB)\n", tHtml,
           cHtml, tLoad, bench_file_mb(zHtml));
    printf("next round of scans   %8.0f %8.0f  (every host known, its new scan its state)\n",
           tRescan, cRescan);
    printf("view, other catalog   %8.0f %8.0f  (report --catalog: every host evaluated in memory)\n",
           tView, cView);
    printf("recompute             %8.0f %8.0f  (every host's stored verdicts recomputed)\n", tRedo,
           cRedo);
    if (rss >= 0)
        printf("peak RSS              %8.1f MB  (target <= 200)\n", rss);
    printf("database              %8.1f MB  after the cold collect, %.1f MB with the next round"
           " (hotfix lists and verdicts shared)\n", mbCold, bench_db_mb(zDb));
    /* A sample is enough to see the cost: the full fleet takes minutes this way. */
    nAlt = n < 5000 ? n : 5000;
    tAlt = bench_unshared(zAlt, nAlt, mix, &mbAlt);
    printf("unshared hotfix rows  %8.1f MB  and %.0f ms to insert them alone, for %lu hosts"
           " (the alternative not taken; x%.1f for the fleet)\n",
           mbAlt, tAlt, (unsigned long)nAlt, (double)n / (double)nAlt);
    remove(zAlt);
    cat_release(&cat);
    return 0;
}
