/* history.c: the agent's local SQLite history: scans, hotfix set and its changes, bounded. */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <windows.h>

#include "kbs_err.h"

#define HIST_SCHEMA_VERSION 1

static const char hist_zSchema[] =
    "CREATE TABLE IF NOT EXISTS scan("
    " id INTEGER PRIMARY KEY, time INTEGER NOT NULL, ms INTEGER NOT NULL,"
    " n_hotfix INTEGER NOT NULL, n_source_ok INTEGER NOT NULL, n_source INTEGER NOT NULL,"
    " n_missing INTEGER NOT NULL, complete INTEGER NOT NULL, result TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS hotfix("
    " kb TEXT PRIMARY KEY, first_seen INTEGER NOT NULL, scan_id INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS change("
    " id INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL, time INTEGER NOT NULL,"
    " kb TEXT NOT NULL, action TEXT NOT NULL CHECK(action IN ('added','removed')));"
    "PRAGMA user_version=1;";

static void hist_err(hist_t *h, char *zErr, size_t nErr, const char *zWhat)
{
    snprintf(zErr, nErr, "%s: %s (%s)", zWhat, h->db ? sqlite3_errmsg(h->db) : "no database",
             h->zPath);
}

/* quick_check reports damage as rows, not as an error, and leaves sqlite3_errcode() at SQLITE_OK
 * (its statement stepped): its verdict travels back as *pDamaged, decided from the rows. Returns
 * SQLITE_OK when the check ran (damaged or not), else the error that kept it from running. */
static int hist_quick_check(hist_t *h, int *pDamaged)
{
    sqlite3_stmt *p = NULL;
    const char *z;
    int src = sqlite3_prepare_v2(h->db, "PRAGMA quick_check", -1, &p, NULL);

    *pDamaged = 0;
    if (src == SQLITE_OK) {
        src = sqlite3_step(p);
        if (src == SQLITE_ROW) {
            z = (const char *)sqlite3_column_text(p, 0);
            *pDamaged = !z || strcmp(z, "ok") != 0;
            src = SQLITE_OK;
        } else if (src == SQLITE_DONE) {
            src = SQLITE_OK;
        }
    }
    sqlite3_finalize(p);
    if (src == SQLITE_CORRUPT || src == SQLITE_NOTADB) {
        *pDamaged = 1;
        src = SQLITE_OK;
    }
    return src;
}

/* The pragmas make it safe against power loss: a rollback journal that is synced before and after
 * each commit. WAL would do too but needs shared memory that older systems handle less well.
 * The database is small; a 256 KB page cache keeps the agent's working set small. */
static int hist_setup(hist_t *h, int *pDamaged, char *zErr, size_t nErr)
{
    int src;

    *pDamaged = 0;
    if (sqlite3_busy_timeout(h->db, 5000) != SQLITE_OK) goto fail;
    src = sqlite3_exec(h->db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; "
                       "PRAGMA cache_size=-256;", NULL, NULL, NULL);
    if (src == SQLITE_CORRUPT || src == SQLITE_NOTADB) {
        *pDamaged = 1;
        goto fail;
    }
    if (src != SQLITE_OK || hist_quick_check(h, pDamaged) != SQLITE_OK) goto fail;
    if (*pDamaged) {
        snprintf(zErr, nErr, "setting up the history: quick_check reports damage (%s)", h->zPath);
        return KBS_EDB;
    }
    src = sqlite3_exec(h->db, hist_zSchema, NULL, NULL, NULL);
    if (src == SQLITE_CORRUPT || src == SQLITE_NOTADB) *pDamaged = 1;
    if (src == SQLITE_OK) return KBS_OK;
fail:
    hist_err(h, zErr, nErr, "setting up the history");
    return KBS_EDB;
}

/* Moves the damaged zPath to zAside, replacing an older one. Wide-character calls: the UTF-8
 * path may hold any character (Czech XP's "Data aplikac\u00ed"), which remove()/rename() would
 * take through the ANSI code page. Returns 0 or the Win32 error. */
static unsigned long hist_move_aside(const char *zPath, const char *zAside)
{
    wchar_t zFromW[HIST_PATH_MAX], zToW[HIST_PATH_MAX];

    if (!MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, zPath, -1, zFromW, HIST_PATH_MAX) ||
        !MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, zAside, -1, zToW, HIST_PATH_MAX))
        return ERROR_INVALID_NAME;
    if (MoveFileExW(zFromW, zToW, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) return 0;
    return GetLastError();
}

int hist_open(hist_t *h, const char *zPath, char *zErr, size_t nErr)
{
    char zAside[sizeof(h->zPath) + 16];
    unsigned long e;
    int rc, src, damaged = 0;

    memset(h, 0, sizeof(*h));
    zErr[0] = 0;
    if (strlen(zPath) >= sizeof(h->zPath)) {
        snprintf(zErr, nErr, "history path too long");
        return KBS_EINVAL;
    }
    strcpy(h->zPath, zPath);
    src = sqlite3_open_v2(zPath, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (src == SQLITE_NOMEM) return KBS_ENOMEM;
    rc = src == SQLITE_OK ? hist_setup(h, &damaged, zErr, nErr) : KBS_EDB;
    if (rc == KBS_OK) return KBS_OK;
    if (src == SQLITE_NOTADB || src == SQLITE_CORRUPT) damaged = 1;
    if (damaged) {
        /* Keep the damaged file for inspection and start afresh: history is a convenience,
         * the scan and snapshot must go on. */
        sqlite3_close(h->db);
        h->db = NULL;
        snprintf(zAside, sizeof(zAside), "%s.corrupt", zPath);
        if ((e = hist_move_aside(zPath, zAside)) != 0) {
            snprintf(zErr, nErr, "damaged database %s cannot be moved aside: MoveFileExW: %lu",
                     zPath, e);
            return KBS_EDB;
        }
        zErr[0] = 0;
        src = sqlite3_open_v2(zPath, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
        rc = src == SQLITE_OK ? hist_setup(h, &damaged, zErr, nErr) : KBS_EDB;
        if (rc == KBS_OK) {
            snprintf(zErr, nErr, "damaged database moved to %s", zAside);
            return KBS_OK;
        }
    }
    if (!zErr[0]) hist_err(h, zErr, nErr, "opening the history");
    hist_close(h);
    return KBS_EDB;
}

void hist_close(hist_t *h)
{
    if (h->db) sqlite3_close(h->db);
    h->db = NULL;
}

static char *hist_strdup(const char *z)
{
    size_t n = strlen(z) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, z, n);
    return p;
}

static int hist_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t hist_sort_unique(const char **az, size_t n)
{
    size_t i, j = 0;

    if (n < 2) return n;
    qsort(az, n, sizeof(*az), hist_cmp);
    for (i = 1; i < n; i++)
        if (strcmp(az[i], az[j])) az[++j] = az[i];
    return j + 1;
}

int hist_diff(const char *const *azOld, size_t nOld, const char *const *azNew, size_t nNew,
              hist_diff_fn pfn, void *pArg)
{
    size_t i = 0, j = 0;
    int rc = 0;

    while (!rc && (i < nOld || j < nNew)) {
        int c = i >= nOld ? 1 : j >= nNew ? -1 : strcmp(azOld[i], azNew[j]);
        if (c < 0)
            rc = pfn(pArg, azOld[i++], 0);
        else if (c > 0)
            rc = pfn(pArg, azNew[j++], 1);
        else
            i++, j++;
    }
    return rc;
}

typedef struct hist_rec {
    hist_t *h;
    const hist_scan_t *pScan;
    int complete;
    sqlite3_stmt *pAddFix, *pDelFix, *pChange;
    hist_change_t *pOut;
    size_t nSum;
} hist_rec_t;

static void hist_summary(hist_rec_t *r, const char *zKb, int added)
{
    hist_change_t *c = r->pOut;
    size_t room = sizeof(c->zSummary) - r->nSum;
    int n;

    if (room < 8) return;
    n = snprintf(c->zSummary + r->nSum, room, "%s%s%s", r->nSum ? " " : "",
                 added ? "+" : "-", zKb);
    if (n < 0 || (size_t)n >= room - 4) {
        strcpy(c->zSummary + r->nSum, " ...");
        r->nSum = sizeof(c->zSummary) - 1;
        return;
    }
    r->nSum += (size_t)n;
}

static int hist_on_diff(void *pArg, const char *zKb, int added)
{
    hist_rec_t *r = pArg;
    sqlite3_stmt *p;

    if (!added && !r->complete) return 0; /* an incomplete list proves no removal */
    p = added ? r->pAddFix : r->pDelFix;
    sqlite3_reset(p);
    sqlite3_bind_text(p, 1, zKb, -1, SQLITE_STATIC);
    if (added) {
        sqlite3_bind_int64(p, 2, r->pScan->time);
        sqlite3_bind_int64(p, 3, r->pOut->scanId);
    }
    if (sqlite3_step(p) != SQLITE_DONE) return KBS_EDB;
    if (r->pOut->baseline) return 0;
    sqlite3_reset(r->pChange);
    sqlite3_bind_int64(r->pChange, 1, r->pOut->scanId);
    sqlite3_bind_int64(r->pChange, 2, r->pScan->time);
    sqlite3_bind_text(r->pChange, 3, zKb, -1, SQLITE_STATIC);
    sqlite3_bind_text(r->pChange, 4, added ? "added" : "removed", -1, SQLITE_STATIC);
    if (sqlite3_step(r->pChange) != SQLITE_DONE) return KBS_EDB;
    if (added)
        r->pOut->nAdded++;
    else
        r->pOut->nRemoved++;
    hist_summary(r, zKb, added);
    return 0;
}

static int64_t hist_scalar(hist_t *h, const char *zSql)
{
    sqlite3_stmt *p = NULL;
    int64_t v = -1;

    if (sqlite3_prepare_v2(h->db, zSql, -1, &p, NULL) == SQLITE_OK && sqlite3_step(p) == SQLITE_ROW)
        v = sqlite3_column_int64(p, 0);
    sqlite3_finalize(p);
    return v;
}

int hist_record(hist_t *h, const hist_scan_t *pScan, const char *const *azKb, size_t nKb,
                hist_change_t *pOut, char *zErr, size_t nErr)
{
    hist_change_t tmp;
    hist_rec_t r;
    sqlite3_stmt *pScanIns = NULL, *pSel = NULL;
    const char **azNew = NULL, **azOld = NULL;
    char **azOldOwned = NULL;
    size_t nNew, nOld = 0, nOwned = 0, capOld = 0, i;
    int rc = KBS_EDB, inTx = 0;

    memset(&r, 0, sizeof(r));
    if (!pOut) pOut = &tmp;
    memset(pOut, 0, sizeof(*pOut));
    zErr[0] = 0;
    if (!h->db) {
        snprintf(zErr, nErr, "history is not open");
        return KBS_EDB;
    }
    azNew = malloc((nKb ? nKb : 1) * sizeof(*azNew));
    if (!azNew) return KBS_ENOMEM;
    for (i = 0; i < nKb; i++) azNew[i] = azKb[i];
    nNew = hist_sort_unique(azNew, nKb);

    if (sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) goto fail;
    inTx = 1;
    pOut->baseline = hist_scalar(h, "SELECT count(*) FROM scan") == 0;

    if (sqlite3_prepare_v2(h->db,
                           "INSERT INTO scan(time,ms,n_hotfix,n_source_ok,n_source,n_missing,"
                           "complete,result) VALUES(?,?,?,?,?,?,?,?)",
                           -1, &pScanIns, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(pScanIns, 1, pScan->time);
    sqlite3_bind_int64(pScanIns, 2, pScan->ms);
    sqlite3_bind_int64(pScanIns, 3, pScan->nHotfix);
    sqlite3_bind_int64(pScanIns, 4, pScan->nSourceOk);
    sqlite3_bind_int64(pScanIns, 5, pScan->nSource);
    sqlite3_bind_int64(pScanIns, 6, pScan->nMissing);
    sqlite3_bind_int(pScanIns, 7, pScan->complete ? 1 : 0);
    sqlite3_bind_text(pScanIns, 8, pScan->zResult ? pScan->zResult : "ok", -1, SQLITE_STATIC);
    if (sqlite3_step(pScanIns) != SQLITE_DONE) goto fail;
    pOut->scanId = sqlite3_last_insert_rowid(h->db);

    if (sqlite3_prepare_v2(h->db, "SELECT kb FROM hotfix", -1, &pSel, NULL) != SQLITE_OK)
        goto fail;
    while (sqlite3_step(pSel) == SQLITE_ROW) {
        const char *z = (const char *)sqlite3_column_text(pSel, 0);
        if (nOwned == capOld) {
            size_t cap = capOld ? capOld * 2 : 64;
            char **azT = realloc(azOldOwned, cap * sizeof(*azT));
            if (!azT) { rc = KBS_ENOMEM; goto fail; }
            azOldOwned = azT;
            capOld = cap;
        }
        if (!(azOldOwned[nOwned] = hist_strdup(z ? z : ""))) { rc = KBS_ENOMEM; goto fail; }
        nOwned++;
    }
    nOld = nOwned;
    azOld = malloc((nOld ? nOld : 1) * sizeof(*azOld));
    if (!azOld) { rc = KBS_ENOMEM; goto fail; }
    for (i = 0; i < nOld; i++) azOld[i] = azOldOwned[i];
    nOld = hist_sort_unique(azOld, nOld);

    r.h = h;
    r.pScan = pScan;
    r.complete = pScan->complete;
    r.pOut = pOut;
    if (sqlite3_prepare_v2(h->db, "INSERT INTO hotfix(kb,first_seen,scan_id) VALUES(?,?,?)", -1,
                           &r.pAddFix, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h->db, "DELETE FROM hotfix WHERE kb=?", -1, &r.pDelFix, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(h->db, "INSERT INTO change(scan_id,time,kb,action) VALUES(?,?,?,?)",
                           -1, &r.pChange, NULL) != SQLITE_OK)
        goto fail;
    if (hist_diff(azOld, nOld, azNew, nNew, hist_on_diff, &r)) goto fail;

    /* Bounded retention: the newest rows only, so the file cannot grow for ever. */
    {
        char zSql[256];
        snprintf(zSql, sizeof(zSql),
                 "DELETE FROM scan WHERE id <= (SELECT max(id) FROM scan) - %d;"
                 "DELETE FROM change WHERE id <= (SELECT max(id) FROM change) - %d;",
                 HIST_KEEP_SCANS, HIST_KEEP_CHANGES);
        if (sqlite3_exec(h->db, zSql, NULL, NULL, NULL) != SQLITE_OK) goto fail;
    }
    if (sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) goto fail;
    inTx = 0;
    rc = KBS_OK;
    goto out;
fail:
    if (rc == KBS_EDB) hist_err(h, zErr, nErr, "recording the scan");
    else snprintf(zErr, nErr, "out of memory recording the scan");
    memset(pOut, 0, sizeof(*pOut));
out:
    sqlite3_finalize(pScanIns);
    sqlite3_finalize(pSel);
    sqlite3_finalize(r.pAddFix);
    sqlite3_finalize(r.pDelFix);
    sqlite3_finalize(r.pChange);
    if (inTx) sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    free(azOld);
    free(azNew);
    for (i = 0; i < nOwned; i++) free(azOldOwned[i]);
    free(azOldOwned);
    return rc;
}

int hist_stats(hist_t *h, hist_stats_t *pOut)
{
    memset(pOut, 0, sizeof(*pOut));
    if (!h->db) return KBS_EDB;
    pOut->nScan = hist_scalar(h, "SELECT count(*) FROM scan");
    pOut->nHotfix = hist_scalar(h, "SELECT count(*) FROM hotfix");
    pOut->nChange = hist_scalar(h, "SELECT count(*) FROM change");
    pOut->nAdded = hist_scalar(h, "SELECT count(*) FROM change WHERE action='added'");
    pOut->nRemoved = hist_scalar(h, "SELECT count(*) FROM change WHERE action='removed'");
    return pOut->nScan < 0 ? KBS_EDB : KBS_OK;
}

int64_t hist_last_time(hist_t *h)
{
    int64_t t;

    if (!h->db) return 0;
    t = hist_scalar(h, "SELECT time FROM scan ORDER BY id DESC LIMIT 1");
    return t < 0 ? 0 : t;
}
