/* db_int.h: internals shared by db.c, db_ingest.c and db_query.c (statements, helpers). */
#ifndef KBS_DB_INT_H
#define KBS_DB_INT_H

#include <sqlite3.h>

#include "db.h"
#include "verdict.h"

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
    DB_ST_VERDICT_DEL,
    DB_ST_VERDICT_INSERT,
    DB_ST_FILE_UPSERT,
    DB_ST_SAVEPOINT,
    DB_ST_RELEASE,
    DB_ST_HOST_INSERT_FULL,
    DB_ST_HOST_SCANS,
    DB_ST_COUNT
};

/* A cached hotfix set: hash of its canonical text -> row id. */
typedef struct db_setent {
    uint64_t hash;
    int64_t id;
} db_setent_t;

/* A growable text buffer for the tab-separated list columns (sources, files, hotfix lists). */
typedef struct db_buf {
    char *z;
    size_t n, cap;
    int oom;                          /* 1 once an allocation failed */
} db_buf_t;

/* A scan's list texts and (optionally) verdicts, made off the main thread: see db_prep_make. */
struct db_prep {
    db_buf_t set, src, files;         /* canonical hotfix list, sources, files */
    uint64_t setHash;                 /* db_hash64 of set */
    const cat_t *cat;                 /* the catalog aVerdict was evaluated with, or NULL */
    verdict_t *aVerdict;
    size_t nVerdict, nVerdictCap;
};

struct db {
    sqlite3 *h;
    const cat_t *cat;
    int64_t *aRuleId;                 /* rule.id of cat->aRule[i] */
    verdict_t *aVerdict;              /* scratch, cat->nRule entries */
    sqlite3_stmt *aSt[DB_ST_COUNT];
    db_setent_t *aSet; size_t nSetSlot, nSetUsed; /* open addressing, power of two */
    db_buf_t bufSet, bufState;        /* scratch text, reused for every scan */
    db_prep_t prep;                   /* db_ingest's own prep (no verdicts) */
    sqlite3_stmt *stVerdictAll;       /* one INSERT of all of a host's verdicts (nRule rows) */
};

/* db_stmt: the prepared statement, reset and unbound. */
sqlite3_stmt *db_stmt(db_t *db, enum db_stmt e);

/* db_exec: runs SQL without results; logs nothing (callers report db_errmsg). */
int db_exec(db_t *db, const char *zSql);

/* db_verdicts_write: replaces the verdicts of host hostId with aPre (cat->nRule verdicts already
 * evaluated for s) or, when aPre is NULL, with s evaluated against the catalog. */
int db_verdicts_write(db_t *db, int64_t hostId, const snap_t *s, const verdict_t *aPre,
                      int bNewHost);

/* db_state_load: rebuilds the snapshot of host hostId's current state from the database. */
int db_state_load(db_t *db, int64_t hostId, snap_t *s);

void db_buf_put(db_buf_t *b, const char *z, size_t n);
/* db_buf_field: z with '\\', TAB and line breaks escaped as \\ \t \n \r, then sep. */
void db_buf_field(db_buf_t *b, const char *z, char sep);
/* db_field_next: unescapes the next field of *pz (up to TAB, LF or the end) into zOut (nOut
 * bytes, truncated), advances *pz past its separator and returns that separator (0 at the end). */
char db_field_next(const char **pz, char *zOut, size_t nOut);

#endif
