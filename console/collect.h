/* collect.h: `kbsentry collect`: walking input paths and storing what they hold, idempotently. */
#ifndef KBS_COLLECT_H
#define KBS_COLLECT_H

#include <stddef.h>
#include <stdio.h>

#include "db.h"

/* Files larger than this are refused before they are read: a snapshot of 20,000 hotfixes is
 * under 2 MB and systeminfo output a few tens of KB. */
#define COLL_FILE_MAX ((size_t)16 << 20)

/* A transaction is committed after this many files or this many milliseconds, whichever comes
 * first: a killed collect loses at most that much work, which the next run redoes. */
#define COLL_BATCH_FILES 5000
#define COLL_BATCH_MS 2000.0

typedef struct coll_opts {
    FILE *err;               /* messages "PATH:LINE: reason" and the progress bar */
    int bProgress;           /* 1: draw a progress bar when err is a terminal and work takes > 1 s */
    size_t nFileMax;         /* 0: COLL_FILE_MAX */
    const char *zDbPath;     /* the database: its own files (and -wal, -shm) are not inputs */
    size_t nWorker;          /* threads reading and parsing ahead of the store; 0: by CPU count */
    size_t nBatchFiles;      /* files per transaction; 0: COLL_BATCH_FILES */
    /* Called before each transaction begins, outside any (tests change the database there, as
     * another kbsentry would); NULL: none. */
    void (*fnBatch)(void *pCtx, size_t iBatch);
    void *pBatchCtx;
} coll_opts_t;

typedef struct coll_stats {
    size_t nFile;            /* files found under the paths */
    size_t nUnchanged;       /* skipped: same size and mtime, or same content hash */
    size_t nRead;            /* read and stored */
    size_t nBad;             /* bad, torn, foreign, too big or unreadable: reported, not stored */
    size_t nScan;            /* scans stored (a CSV can hold several hosts) */
    size_t nNewHost, nCurrent, nMerged, nHistory, nDuplicate;
    size_t nApart;           /* domain-less scans of an ambiguous name, stored apart */
    size_t nStemJoined;      /* hotfix lists without a host name named after the one systeminfo
                              * sharing their folder and file-name stem */
    size_t nDirErr;          /* folders that could not be read completely: the collect is
                              * incomplete (exit 2) */
    size_t nLinkSkipped;     /* links to folders not followed (reported) */
    size_t nSkipped;         /* not inputs by name (desktop.ini, Thumbs.db, the agent's temp
                              * files...): skipped without a message, not in nFile */
    size_t nLost;            /* files read but not stored: their transaction failed */
    /* Where the time went: walk, store, commit and wait (for the workers) on the storing
     * thread; read and parse summed over the worker threads. */
    double msWalk, msRead, msParse, msStore, msCommit, msWait;
} coll_stats_t;

/* coll_run: collects every file under azPath[0..nPath-1] into db (which has a catalog). Each
 * bad file is reported on o->err and skipped; the rest goes on. Returns KBS_OK when every file
 * was good (or unchanged), KBS_EPARSE when some were bad or a folder could not be read
 * completely, or a fatal error (KBS_EDB, KBS_ENOMEM, KBS_ECONFLICT) after which what was
 * committed before stays; *pSt then counts only what was committed (nLost the rest). */
int coll_run(db_t *db, char *const *azPath, size_t nPath, const coll_opts_t *o, coll_stats_t *pSt);

/* coll_not_input: 1 when zPath's name says it is not an input: Explorer's desktop.ini and
 * Thumbs.db, a Mac's .DS_Store and ._* files, Office's ~$* owner files, the agent's temp files
 * (<HOST>.kbs.tmp<pid>[-<hex>]). Collect skips them without an error and counts them. */
int coll_not_input(const char *zPath);

/* coll_read_input: reads one input file (size-checked) and parses it by content into a malloc'd
 * array of snapshots (*pnSnap >= 1 on success; free with imp_free_snaps). On error zErr holds
 * "PATH:LINE: reason" (or "PATH: reason"). Used by collect and by check on a file. */
int coll_read_input(const char *zPath, size_t nFileMax, snap_t **paSnap, size_t *pnSnap,
                    char *zKind, size_t nKind, uint64_t *pHash, char *zErr, size_t nErr);

#endif
