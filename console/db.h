/* db.h: the console's SQLite database: hosts, their scans, shared hotfix lists and verdicts. */
#ifndef KBS_DB_H
#define KBS_DB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cat.h"
#include "rep.h"
#include "snap.h"

#define DB_SCHEMA_VERSION 3
#define DB_DEFAULT_PATH "kbsentry.db"   /* when neither --db nor $KBSENTRY_DB says otherwise */
#define DB_ENV_PATH "KBSENTRY_DB"
#define DB_ERR_MAX 512

typedef struct db db_t;

/* db_global_init: process-wide SQLite settings, called once at program start before any
 * database is opened (later calls change nothing): no memory statistics, whose mutex every
 * allocation would take. */
void db_global_init(void);

/* db_open: opens (creating when absent) the database at zPath (UTF-8), switches it to WAL, turns
 * foreign keys on and migrates its schema to DB_SCHEMA_VERSION. A database of a newer schema is
 * refused. On error *ppDb is NULL and zErr says why. Free with db_close. Returns KBS_OK, KBS_EDB,
 * KBS_EVERSION or KBS_ENOMEM. */
int db_open(const char *zPath, db_t **ppDb, char *zErr, size_t nErr);
void db_close(db_t *db);

/* db_errmsg: the last SQLite error text of db (never NULL). */
const char *db_errmsg(db_t *db);

/* db_use_catalog: makes c (which must outlive db) the catalog verdicts are computed with. When the
 * stored catalog hash differs, the rule table is replaced and every host's verdicts are
 * recomputed in one transaction; *pnRecomputed (may be NULL) gets the number of hosts redone.
 * Returns KBS_OK, KBS_EDB or KBS_ENOMEM. */
int db_use_catalog(db_t *db, const cat_t *c, size_t *pnRecomputed);

/* Transactions: a batch of files is one transaction; a group of files is a savepoint inside it,
 * and when one fails the group is undone and stored again a savepoint per file, so a file that
 * fails is undone alone. One savepoint at a time. */
int db_begin(db_t *db);
int db_commit(db_t *db);
int db_rollback(db_t *db);
int db_savepoint(db_t *db);
int db_release(db_t *db);
int db_rollback_savepoint(db_t *db);

/* What is known of an input file. */
typedef struct db_file {
    const char *zPath;
    int64_t size, mtime;         /* mtime in nanoseconds since 1970 (file-system precision) */
    uint64_t hash;               /* content hash (db_hash64) */
    const char *zKind;           /* imp_kind_name() */
} db_file_t;

/* db_file_each: calls fn for every recorded input file (path, size, mtime, hash); fn's strings
 * live only during the call. A non-zero return from fn stops and is returned. */
typedef int (*db_file_fn)(void *pCtx, const char *zPath, int64_t size, int64_t mtime, uint64_t hash);
int db_file_each(db_t *db, db_file_fn fn, void *pCtx);

/* db_file_record: records (or updates) an input file as collected. Returns KBS_OK or KBS_EDB. */
int db_file_record(db_t *db, const db_file_t *f);

/* What db_ingest did with a scan. */
typedef enum db_ingest_res {
    DB_ING_NEW_HOST = 0,     /* a host seen for the first time */
    DB_ING_CURRENT,          /* the newest scan of a known host: its current state now */
    DB_ING_MERGED,           /* merged into the current state (QFE CSV + systeminfo/snapshot) */
    DB_ING_HISTORY,          /* older than the stored state: kept as history only */
    DB_ING_DUPLICATE,        /* the same scan was stored already (same host, time and hotfixes) */
} db_ingest_res_t;

/* db_ingest: stores one scan s read from zSourcePath. When s has no scan time, fileTime (the
 * input file's mtime) stands in for it. Needs a catalog (db_use_catalog). Returns KBS_OK,
 * KBS_EINVAL (no host name), KBS_EDB or KBS_ENOMEM; *pRes says what happened. */
int db_ingest(db_t *db, const snap_t *s, const char *zSourcePath, int64_t fileTime,
              db_ingest_res_t *pRes);

/* What can be worked out for a scan without the database (on a worker thread while the main
 * thread stores the scan before it): the canonical texts of its lists and their hash, and
 * optionally the verdicts the scan gives as a host's whole state (used when it is a new host). */
typedef struct db_prep db_prep_t;

/* db_prep_new: an empty, reusable prep; NULL when out of memory. db_prep_free accepts NULL. */
db_prep_t *db_prep_new(void);
void db_prep_free(db_prep_t *p);

/* db_prep_make: fills p for scan s. With c (may be NULL) the verdicts of s are evaluated too.
 * Touches no database and no shared state: safe on any thread. Returns KBS_OK or KBS_ENOMEM. */
int db_prep_make(db_prep_t *p, const cat_t *c, const snap_t *s);

/* db_ingest_prep: db_ingest with p made by db_prep_make for the same s; verdicts in p are used
 * only when they were evaluated with db's catalog. */
int db_ingest_prep(db_t *db, const snap_t *s, const db_prep_t *p, const char *zSourcePath,
                   int64_t fileTime, db_ingest_res_t *pRes);

/* db_catalog: the catalog db computes verdicts with (db_use_catalog), or NULL. */
const cat_t *db_catalog(db_t *db);

/* Report filters. */
typedef struct db_filter {
    const char *zRule;           /* only this rule (NULL: all) */
    int status;                  /* -1: any; else hosts with a verdict of this status */
    int staleOnly;               /* 1: only hosts not seen for staleDays */
    int staleDays;               /* 0: no stale flagging */
    const char *zHost;           /* NULL, or one host by name, name.domain or machine id */
    int role;                    /* 0: any; else an os_ptype_t (product type of the OS scan) */
    int64_t now;
} db_filter_t;

/* A report loaded from the database: rep.aHost and every string live in the report's arena. */
typedef struct db_report {
    rep_t rep;
    cat_t catView;               /* rep.cat: the catalog, or only the --rule rule */
    void *pArena;
    rep_host_t *aHost;
    rep_verdict_t *aVerdict;
} db_report_t;

/* db_report_load: the hosts that pass pF, sorted by name, with their verdicts. Free with
 * db_report_release. Returns KBS_OK, KBS_ENOTFOUND (no such rule), KBS_EDB or KBS_ENOMEM. */
int db_report_load(db_t *db, const db_filter_t *pF, db_report_t *pR);
void db_report_release(db_report_t *pR);

/* db_hash64: the 64-bit content hash stored for input files and hotfix lists. */
uint64_t db_hash64(const void *pIn, size_t n);

/* db_counts: hosts, scans, hotfix sets and verdict sets stored (each pointer may be NULL). */
int db_counts(db_t *db, int64_t *pnHost, int64_t *pnScan, int64_t *pnSet, int64_t *pnVset);

#endif
