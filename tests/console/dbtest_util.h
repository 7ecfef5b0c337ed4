/* dbtest_util.h: snapshots and files for the database, collect and command tests. */
#ifndef KBS_DBTEST_UTIL_H
#define KBS_DBTEST_UTIL_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "db.h"
#include "kbs_err.h"
#include "plat.h"
#include "snap.h"

#define T_NOW 1494838800 /* 2017-05-15 09:00 UTC */

/* An XP SP3 agent snapshot; bFixed: KB4012598 and srv.sys 5.1.2600.7208 (MS17-010 patched). */
static inline void t_snap_xp(snap_t *s, const char *zHost, const char *zMid, int64_t scanTime,
                             int bFixed)
{
    ver_t v;
    snap_init(s);
    snprintf(s->zOrigin, sizeof s->zOrigin, "agent");
    snprintf(s->zHost, sizeof s->zHost, "%s", zHost);
    snprintf(s->zDomain, sizeof s->zDomain, "POLICE");
    snprintf(s->zMachineId, sizeof s->zMachineId, "%s", zMid ? zMid : "");
    snprintf(s->zAgentVersion, sizeof s->zAgentVersion, "0.1.0");
    s->scanTime = scanTime;
    s->osKnown = 1;
    s->os.major = 5, s->os.minor = 1, s->os.build = 2600, s->os.sp_major = 3, s->os.sp_known = 1;
    s->os.product_type = OS_PT_WORKSTATION;
    s->os.arch = OS_ARCH_X86;
    snprintf(s->os.zProductName, sizeof s->os.zProductName, "Microsoft Windows XP Professional");
    snprintf(s->os.zCsdVersion, sizeof s->os.zCsdVersion, "Service Pack 3");
    snap_add_source(s, "wmi-os", 1, "");
    snap_add_source(s, "wmi-qfe", 1, "");
    snap_add_source(s, "files", 1, "");
    snap_add_hotfix(s, "KB958644", SNAP_SRC_QFE, "2008-10-23", -1);
    snap_add_hotfix(s, "KB2347290", SNAP_SRC_QFE, "2010-09-14", -1);
    if (bFixed) snap_add_hotfix(s, "KB4012598", SNAP_SRC_QFE, "2017-05-13", -1);
    ver_parse(bFixed ? "5.1.2600.7208" : "5.1.2600.6475", &v);
    snap_add_file(s, "%SystemRoot%\\System32\\drivers\\srv.sys", 1, &v, "");
}

/* Writes zText (n bytes) to zPath; returns 0 on success. */
static inline int t_write(const char *zPath, const char *zText, size_t n)
{
    FILE *f = plat_fopen(zPath, "wb");
    int rc = 0;
    if (!f) return -1;
    if (fwrite(zText, 1, n, f) != n) rc = -1;
    if (fclose(f)) rc = -1;
    return rc;
}

/* Writes s as a snapshot file; nCut > 0 keeps only that many bytes (a torn file). */
static inline int t_write_snap(const char *zPath, const snap_t *s, size_t nCut)
{
    char *z = NULL;
    size_t n = 0;
    int rc = snap_write(s, &z, &n);
    if (rc) return rc;
    rc = t_write(zPath, z, nCut && nCut < n ? nCut : n);
    free(z);
    return rc;
}

/* The integer in the first column of zSql's first row on connection h, or -1. */
static inline long long t_sql_int(sqlite3 *h, const char *zSql)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(h, zSql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The same on the database at zPath, opened read-only for the query. */
static inline long long t_query_int(const char *zPath, const char *zSql)
{
    sqlite3 *h = NULL;
    long long n = -1;
    if (sqlite3_open_v2(zPath, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) n = t_sql_int(h, zSql);
    sqlite3_close(h);
    return n;
}

/* Removes a database and its WAL files. */
static inline void t_rm_db(const char *zPath)
{
    char z[1024];
    remove(zPath);
    snprintf(z, sizeof z, "%s-wal", zPath);
    remove(z);
    snprintf(z, sizeof z, "%s-shm", zPath);
    remove(z);
}

/* The verdict of zRule for host zHost in a fresh report, or -1 when the host is absent. */
static inline int t_verdict(db_t *db, const char *zHost, const char *zRule, char *zOs, size_t nOs)
{
    db_filter_t f;
    db_report_t r;
    size_t i, j;
    int st = -1;
    memset(&f, 0, sizeof f);
    f.status = -1;
    f.now = T_NOW;
    f.zHost = zHost;
    assert_int_equal(db_report_load(db, &f, &r), KBS_OK);
    for (i = 0; i < r.rep.nHost; i++)
        for (j = 0; j < r.rep.aHost[i].nVerdict; j++)
            if (!strcmp(r.rep.aHost[i].aVerdict[j].rule->zId, zRule)) {
                st = (int)r.rep.aHost[i].aVerdict[j].status;
                if (zOs) snprintf(zOs, nOs, "%s", r.rep.aHost[i].zOsName);
            }
    db_report_release(&r);
    return st;
}


/* The built-in catalog's text with its first rule (MS17-010) moved to the end: the same rules in
 * another order, another hash (malloc'd, NUL-terminated; NULL when the text is not as expected). */
static inline char *t_cat_reordered_text(size_t *pn)
{
    size_t n = 0, nHead, nRule, nTail;
    const char *z = cat_default_text(&n), *zRule, *zEnd, *zCatEnd;
    char *zOut;
    if (!(zRule = strstr(z, "\nrule MS17-010")) || !(zEnd = strstr(zRule, "\nend\n")) ||
        !(zCatEnd = strstr(z, "\nend-catalog")))
        return NULL;
    zRule++;
    zEnd += 5;
    nHead = (size_t)(zRule - z);
    nRule = (size_t)(zEnd - zRule);
    nTail = (size_t)(zCatEnd + 1 - zEnd);
    if (!(zOut = malloc(n + 1))) return NULL;
    memcpy(zOut, z, nHead);
    memcpy(zOut + nHead, zEnd, nTail);
    memcpy(zOut + nHead + nTail, zRule, nRule);
    memcpy(zOut + nHead + nTail + nRule, zCatEnd + 1, n - (size_t)(zCatEnd + 1 - z));
    zOut[n] = 0;
    *pn = n;
    return zOut;
}

#endif
