/* db.h: the console's SQLite database: hosts, their scans, shared hotfix lists and verdicts. */
#ifndef KBS_DB_H
#define KBS_DB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "adc.h"
#include "cat.h"
#include "rep.h"
#include "snap.h"

#define DB_SCHEMA_VERSION 6
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

/* The database's verdicts belong to one catalog, the stored one (meta catalog_hash and its
 * text): the one collect computed them with. Looking through another catalog is a view computed
 * in memory; changing the stored one is db_recompute alone. */

/* db_use_catalog: makes c (which must outlive db) the catalog verdicts are computed and stored
 * with. A database without a stored catalog takes c (every host's verdicts computed, in one
 * transaction); one that holds another catalog's verdicts is left alone: KBS_ECONFLICT (see
 * db_recompute, db_view_catalog). *pnRecomputed (may be NULL) gets the number of hosts computed.
 * Returns KBS_OK, KBS_ECONFLICT, KBS_EDB or KBS_ENOMEM. */
int db_use_catalog(db_t *db, const cat_t *c, size_t *pnRecomputed);

/* db_recompute: makes c the stored catalog (the explicit switch): in one write transaction that
 * reads the stored hash itself, the rules c adds get new rows (no rule row is renumbered or
 * removed), and every host's verdicts are recomputed with c. A collect running meanwhile stops at
 * its next batch (db_catalog_check). Returns as db_use_catalog, never KBS_ECONFLICT. */
int db_recompute(db_t *db, const cat_t *c, size_t *pnRecomputed);

/* db_view_catalog: reports of db (db_report_load) evaluate every host's stored state with c, in
 * memory, instead of reading the stored verdicts; nothing is written. db cannot ingest then. */
int db_view_catalog(db_t *db, const cat_t *c);

/* db_catalog_check: inside a write transaction, KBS_OK when the stored catalog is still the one
 * db uses; KBS_ECONFLICT when another connection changed it (or db only views). */
int db_catalog_check(db_t *db);

/* db_catalog_text: the text of the catalog about to be stored (nText bytes, kept by the caller
 * while db uses it), so that reports can later read the stored verdicts with their own rules
 * (db_stored_catalog). The built-in catalog's text is known without it. */
void db_catalog_text(db_t *db, const char *zText, size_t nText);

/* The database's own catalog (schema 5): rules `kbsentry catalog add` derived, each kept as the
 * catalog text of one rule, that the console adds to the built-in catalog (docs/database.md). */
typedef struct db_catrule {
    char zId[24];                /* the rule's id */
    char *zText;                 /* its block of catalog text (malloc'd), nText bytes */
    size_t nText;
    char zSource[260];           /* the data file it was derived from */
    int64_t addedAt;             /* seconds since 1970 */
} db_catrule_t;

/* db_catrules_load: every added rule, by id, into *paRule and *pnRule (free with
 * db_catrules_free). Returns KBS_OK, KBS_EDB or KBS_ENOMEM. */
int db_catrules_load(db_t *db, db_catrule_t **paRule, size_t *pnRule);
void db_catrules_free(db_catrule_t *a, size_t n);

/* db_catrules_hash: a 64-bit hash of the added rules' ids and texts: what a catalog built from
 * them was built from (db_catrule_add checks it). */
uint64_t db_catrules_hash(const db_catrule_t *a, size_t n);

/* db_catrule_add: in one write transaction: checks that the added rules are still those whose
 * db_catrules_hash is hExpect (else KBS_ECONFLICT: another add ran since they were read), stores
 * *pRule (replacing a rule of its id), makes c (which must outlive db: the catalog built from
 * those rules and *pRule, its text given by db_catalog_text) the stored catalog and recomputes
 * every host's verdicts. Returns as db_recompute, or KBS_ECONFLICT. */
int db_catrule_add(db_t *db, const cat_t *c, const db_catrule_t *pRule, uint64_t hExpect,
                   size_t *pnRecomputed);

/* db_catrule_remove: db_catrule_add's counterpart: removes the added rule zId (without regard
 * to case) and makes c (built from the other rules) the stored catalog, in one transaction.
 * Returns as db_catrule_add, or KBS_ENOTFOUND when there is no such added rule. */
int db_catrule_remove(db_t *db, const cat_t *c, const char *zId, uint64_t hExpect,
                      size_t *pnRecomputed);

/* db_stored_catalog_text: the text of the stored catalog (malloc'd, NUL-terminated, the caller
 * frees) and where it came from (meta catalog_source). Returns KBS_OK, KBS_ENOTFOUND (no stored
 * catalog, or its text is not kept), KBS_EDB or KBS_ENOMEM. */
int db_stored_catalog_text(db_t *db, char **pzText, size_t *pnText, char *zSource, size_t nSource);

/* db_stored_catalog: parses the stored catalog into *pOut (free with cat_release) and its hash
 * into zHash. Returns KBS_OK, KBS_ENOTFOUND (none stored, or its text is not), KBS_EDB or a
 * cat_parse error. */
int db_stored_catalog(db_t *db, cat_t *pOut, char *zHash, size_t nHash);

/* Transactions: a batch of files is one transaction; a group of files is a savepoint inside it,
 * and when one fails the group is undone and stored again a savepoint per file, so a file that
 * fails is undone alone. One savepoint at a time. */
int db_begin(db_t *db);
int db_commit(db_t *db);
int db_rollback(db_t *db);
int db_savepoint(db_t *db);
int db_release(db_t *db);
int db_rollback_savepoint(db_t *db);
/* db_in_transaction: 0 once SQLite itself undid the open transaction (a full disk, SQLITE_FULL
 * or SQLITE_IOERR) or none is open. */
int db_in_transaction(db_t *db);

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
    DB_ING_APART,            /* a domain-less scan whose name several hosts have: stored apart,
                              * merged into none of them (db_ingest_note says so) */
} db_ingest_res_t;

/* db_ingest_note: what the last db_ingest has to tell the user beyond its result (a scan kept
 * apart, one detached from a host it can no longer be told to belong to), or "". The text lives
 * in db until the next ingest. */
const char *db_ingest_note(db_t *db);

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
    unsigned statusMask;         /* 0: any; else hosts with a verdict whose status bit
                                  * (1u << verdict_status_t) is set (with status: either) */
    int staleOnly;               /* 1: only hosts not seen for staleDays */
    int staleDays;               /* 0: no stale flagging */
    const char *zHost;           /* NULL, or one host by name, name.domain or machine id */
    int role;                    /* 0: any; else an os_ptype_t (product type of the OS scan) */
    int64_t now;
    const char *zOu;             /* NULL, or only machines whose directory account is under this
                                  * DN (the subtree) */
    int bNoDir;                  /* 1: the stored hosts alone (no directory rows, no coverage) */
} db_filter_t;

/* A report loaded from the database: rep.aHost and every string live in the report's arena. */
typedef struct db_report {
    rep_t rep;
    cat_t catView;               /* rep.cat: the catalog, or only the --rule rule */
    void *pArena;
    rep_host_t *aHost;
    rep_verdict_t *aVerdict;
    rep_verdict_t *aDirVerdict;  /* the verdicts of the rows made from the directory alone */
} db_report_t;

/* db_report_load: the hosts that pass pF, sorted by name, with their verdicts. Free with
 * db_report_release. Returns KBS_OK, KBS_ENOTFOUND (no such rule), KBS_EDB or KBS_ENOMEM. */
int db_report_load(db_t *db, const db_filter_t *pF, db_report_t *pR);
void db_report_release(db_report_t *pR);

/* db_trend_load: the history of each rule of db's catalog (or view; zRule: only that rule),
 * from every stored scan: *paTrend gets one rep_trend_t per rule (*pnTrend, catalog order;
 * free with db_trend_free) with the hosts by verdict at the end of each UTC day from the day of
 * since (0: of the first stored scan) to the day of until, at most DB_TREND_DAYS_MAX days (the
 * last ones). A host's state on a day is its newest scan with OS facts up to then, joined with a
 * newer hotfix list without them; scans dated later than their collection are left out.
 * Returns KBS_OK, KBS_ENOTFOUND (no such rule), KBS_EDB or KBS_ENOMEM. */
#define DB_TREND_DAYS_MAX 3660
int db_trend_load(db_t *db, const char *zRule, int64_t since, int64_t until,
                  rep_trend_t **paTrend, size_t *pnTrend);
void db_trend_free(rep_trend_t *aTrend, size_t nTrend);

/* ---- the directory's computer accounts (db_dir.c) ---- */

/* What a directory sync did. */
typedef struct db_dir_res {
    int64_t nSeen;               /* accounts this sync returned */
    int64_t nNew;                /* ... that were not in the directory before */
    int64_t nGone;               /* accounts of its scope it no longer returned: marked gone */
    int64_t nKept;               /* ... left as they were: the sync returned fewer than half of
                                  * its scope and replace was not asked for */
} db_dir_res_t;

/* db_dir_begin: starts a sync of the directory's accounts read from zSource (file paths, or an
 * LDAP URL and base) at time now: a write transaction (BEGIN IMMEDIATE) that db_dir_end finishes
 * and the caller commits (db_commit) or undoes (db_rollback: the previous sync stays in force).
 * zScope is the base DN searched ("" for files: the DNS domains their accounts name). Returns
 * KBS_OK or KBS_EDB. */
int db_dir_begin(db_t *db, const char *zSource, const char *zScope, int64_t now, int64_t *pSyncId);

/* db_dir_put: stores account a as seen by sync syncId; the NetBIOS name of its domain is
 * zNetbios when not NULL or "" (--netbios), else a->zNetbios (the directory's), else what
 * adc_netbios_default gives. Returns KBS_OK or KBS_EDB. */
int db_dir_put(db_t *db, int64_t syncId, const adc_t *a, const char *zNetbios);

/* db_dir_scope: sets the base DN the sync searched (known only after an LDAP bind when the server
 * names its default). Returns KBS_OK or KBS_EDB. */
int db_dir_scope(db_t *db, int64_t syncId, const char *zScope);

/* db_dir_end: marks gone the accounts of the sync's scope it did not return; when it returned
 * fewer than were in that scope and not seen (a wrong base DN, a filtered export) they stay
 * unless bReplace. *pRes gets the counts. Returns KBS_OK or KBS_EDB. */
int db_dir_end(db_t *db, int64_t syncId, int bReplace, db_dir_res_t *pRes);

/* db_dir_apply: joins the hosts pR->aHost[0..*pnHost) of a report being loaded to the directory
 * (hostid_dir_choose), fills each one's rep_dir_t, adds a row for every enabled account that never
 * reported (verdicts from adc_eval) and the coverage counts; with pF->zOu drops the machines
 * outside that subtree. Nothing changes when no sync is stored. Returns KBS_OK, KBS_EDB or
 * KBS_ENOMEM. */
int db_dir_apply(db_t *db, const db_filter_t *pF, db_report_t *pR, size_t *pnHost);

/* db_hash64: the 64-bit content hash stored for input files and hotfix lists. */
uint64_t db_hash64(const void *pIn, size_t n);

/* db_counts: hosts, scans, hotfix sets and verdict sets stored (each pointer may be NULL). */
int db_counts(db_t *db, int64_t *pnHost, int64_t *pnScan, int64_t *pnSet, int64_t *pnVset);

#endif
