/* db_int.h: internals shared by db.c, db_ingest.c and db_query.c (statements, helpers). */
#ifndef KBS_DB_INT_H
#define KBS_DB_INT_H

#include <sqlite3.h>

#include "db.h"
#include "verdict.h"

/* A scan dated later than it was collected plus this (seconds, as SQL text) has a clock that is
 * wrong: it is flagged and never taken as a host's newest scan. A day covers time zones and a
 * share's clock drift. */
#define DB_FUTURE_SLACK "86400"

/* Prepared once per connection: ingest runs these tens of thousands of times. */
enum db_stmt {
    DB_ST_HOST_BY_MID = 0,
    DB_ST_HOST_BY_NAME,
    DB_ST_HOST_SET_MID,
    DB_ST_HOST_STATE,
    DB_ST_SET_BY_HASH,
    DB_ST_SET_INSERT,
    DB_ST_SETKB_INSERT,
    DB_ST_SCAN_INSERT,
    DB_ST_SCAN_DUP,
    DB_ST_SCAN_NEWEST,
    DB_ST_SCAN_NEWEST_OS,
    DB_ST_SCAN_CSV_NEAR,
    DB_ST_SCAN_LOAD,
    DB_ST_SET_LIST,
    DB_ST_VSET_BY_HASH,
    DB_ST_VSET_INSERT,
    DB_ST_VSET_ITEM_INSERT,
    DB_ST_FILE_UPSERT,
    DB_ST_SAVEPOINT,
    DB_ST_RELEASE,
    DB_ST_HOST_INSERT_FULL,
    DB_ST_HOST_SCANS,
    DB_ST_DSET_BY_HASH,
    DB_ST_DSET_INSERT,
    DB_ST_DSET_LIST,
    DB_ST_COUNT
};

/* A cached shared set (hotfix list or verdicts): hash of its canonical text -> row id, with a
 * copy of the text when the cache compares texts (zText NULL: trusted by hash). */
typedef struct db_setent {
    uint64_t hash;
    int64_t id;
    char *zText;
    size_t nText;
} db_setent_t;

typedef struct db_cache {
    db_setent_t *a;
    size_t nSlot, nUsed;              /* open addressing, power of two */
    int bText;                        /* 1: entries keep their text and lookups compare it */
} db_cache_t;

/* A growable text buffer for the tab-separated list columns (sources, files, hotfix lists). */
typedef struct db_buf {
    char *z;
    size_t n, cap;
    int oom;                          /* 1 once an allocation failed */
} db_buf_t;

/* A scan's list texts and (optionally) verdicts, made off the main thread: see db_prep_make. */
struct db_prep {
    db_buf_t set, src, files, facts;  /* canonical hotfix list, sources, files, facts */
    db_buf_t dates;                   /* install dates of the hotfixes (db_dates_text) */
    uint64_t datesHash;               /* db_hash64 of dates */
    uint64_t setHash;                 /* db_hash64 of set */
    const cat_t *cat;                 /* the catalog aVerdict was evaluated with, or NULL */
    verdict_t *aVerdict;
    size_t nVerdict, nVerdictCap;
    db_buf_t vset;                    /* canonical text of aVerdict (when cat is set) */
    uint64_t vsetHash;
    os_ident_t osId;                  /* the scan's OS as named in its row */
    char zOsDetail[256];              /* "Microsoft Windows XP Professional 5.1.2600 SP3 x86" */
};

struct db {
    sqlite3 *h;
    const cat_t *cat;
    int64_t *aRuleId;                 /* rule.id of cat->aRule[i] */
    verdict_t *aVerdict;              /* scratch, cat->nRule entries */
    sqlite3_stmt *aSt[DB_ST_COUNT];
    db_cache_t setCache;              /* hotfix_set rows by hash (trusted after one full compare) */
    db_cache_t vsetCache;             /* verdict_set rows by text */
    db_cache_t dsetCache;             /* date_set rows by hash (like setCache) */
    db_buf_t bufSet, bufState, bufVset; /* scratch text, reused for every scan */
    db_buf_t bufDates;                /* scratch: a merged state's install dates */
    db_prep_t prep;                   /* db_ingest's own prep (no verdicts) */
    char zNote[512];                  /* db_ingest_note */
    int bView;                        /* 1: cat is a view (db_view_catalog), not the stored one */
    sqlite3_stmt *stDirPut;           /* db_dir_put's upsert, prepared at its first use */
    const char *zCatText;             /* db_catalog_text, or NULL */
    size_t nCatText;
};

/* db_stmt: the prepared statement, reset and unbound. */
sqlite3_stmt *db_stmt(db_t *db, enum db_stmt e);

/* db_exec: runs SQL without results; logs nothing (callers report db_errmsg). */
int db_exec(db_t *db, const char *zSql);

/* db_verdict_text: the canonical text of n verdicts in catalog order (one "rule TAB status TAB
 * evidence TAB action" line each) into b. Returns KBS_OK or KBS_ENOMEM. */
int db_verdict_text(const cat_t *c, const verdict_t *aV, size_t n, db_buf_t *b);

/* db_verdict_set: the id of the verdict_set row for the state s. With pText (a db_verdict_text
 * of s's verdicts under db's catalog, hash h) those are used; with pText NULL, s is evaluated
 * here. The set is inserted with its rows when new. Returns KBS_OK, KBS_EDB or KBS_ENOMEM. */
int db_verdict_set(db_t *db, const snap_t *s, const db_buf_t *pText, uint64_t h, int64_t *pId);

/* A kind of shared set: its lookup by hash ("SELECT id, list ... WHERE hash = ?1") and its
 * insert ("INSERT ... (hash, count, list) VALUES(?1, ?2, ?3)"); the item rows come from fnItems. */
typedef struct db_shared {
    enum db_stmt eByHash, eInsert;
} db_shared_t;
typedef int (*db_items_fn)(db_t *db, int64_t setId, const void *pCtx);

/* db_shared_get: the id of the shared set whose canonical text is pb (hash h, nItem items),
 * looked up in and remembered in pCache, inserting it and calling fnItems(db, id, pCtx) for its
 * item rows when new. Texts are compared in full before a set is shared. Returns KBS_OK, KBS_EDB
 * or fnItems' error. */
int db_shared_get(db_t *db, const db_shared_t *k, db_cache_t *pCache, const db_buf_t *pb,
                  uint64_t h, size_t nItem, db_items_fn fnItems, const void *pCtx, int64_t *pId);


/* db_scan_load: scan scanId into *s (snap_init'ed here) with its hotfixes, files and sources;
 * *pzPath (may be NULL) gets a malloc'd copy of its source path. Returns KBS_OK, KBS_EDB or
 * KBS_ENOMEM (s released). */
int db_scan_load(db_t *db, int64_t scanId, snap_t *s, char **pzPath);
/* db_scan_load_row: the same without the hotfixes; *pSetId gets the id of its hotfix list and
 * *pDsetId that of its install dates (0: none; db_set_fill loads both), for a caller that keeps
 * lists it read once. */
int db_scan_load_row(db_t *db, int64_t scanId, snap_t *s, char **pzPath, int64_t *pSetId,
                     int64_t *pDsetId);
/* db_set_fill: s's hotfixes from the shared list setId with the install dates of dsetId (0:
 * none), in snap.c's order and capacity. */
int db_set_fill(db_t *db, int64_t setId, int64_t dsetId, snap_t *s);
/* db_recompute_intx: db_recompute whose write transaction first runs fnInTx(db, pArg): an error
 * from it rolls everything back and is returned (what must change with the catalog, in the same
 * transaction). Returns as db_recompute, or fnInTx's error. */
typedef int (*db_intx_fn)(db_t *db, void *pArg);
int db_recompute_intx(db_t *db, const cat_t *c, db_intx_fn fnInTx, void *pArg,
                      size_t *pnRecomputed);

/* db_state_load: rebuilds the snapshot of host hostId's current state from the database. */
int db_state_load(db_t *db, int64_t hostId, snap_t *s);

/* db_buf_reserve: room for nMore bytes and a NUL after b->n. Returns KBS_OK, or KBS_ENOMEM and
 * marks b oom. */
int db_buf_reserve(db_buf_t *b, size_t nMore);
void db_buf_put(db_buf_t *b, const char *z, size_t n);
/* db_buf_clear: b holds the empty string again (and is no longer marked oom). */
void db_buf_clear(db_buf_t *b);
/* db_esc_copy: the first n bytes of z (up to a NUL) with '\\', TAB, LF and CR escaped as \\ \t
 * \n \r, written at zOut (room for 2 * n bytes); returns the end. No NUL is written. */
char *db_esc_copy(char *zOut, const char *z, size_t n);
/* db_buf_field: z with '\\', TAB and line breaks escaped as \\ \t \n \r, then sep. */
void db_buf_field(db_buf_t *b, const char *z, char sep);
/* db_field_next: unescapes the next field of *pz (up to TAB, LF or the end) into zOut (nOut
 * bytes, truncated), advances *pz past its separator and returns that separator (0 at the end). */
char db_field_next(const char **pz, char *zOut, size_t nOut);

/* db_arena_str: a copy of z ("" for NULL) in the report arena *ppArena; NULL when out of memory. */
const char *db_arena_str(void **ppArena, const char *z);

#endif
