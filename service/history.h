/* history.h: the agent's local SQLite history: scans and hotfix changes, bounded. */
#ifndef KBS_HISTORY_H
#define KBS_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#define HIST_FILE "history.db"
#define HIST_KEEP_SCANS 1000     /* newest scans kept */
#define HIST_KEEP_CHANGES 10000  /* newest change rows kept */

#define HIST_PATH_MAX 512        /* bytes of a UTF-8 path (MAX_PATH characters fit) */

struct sqlite3;

typedef struct hist {
    struct sqlite3 *db;
    char zPath[HIST_PATH_MAX];
} hist_t;

/* One scan as the history stores it. */
typedef struct hist_scan {
    int64_t time;          /* Unix seconds, UTC */
    unsigned ms;           /* how long the scan took */
    unsigned nHotfix, nSourceOk, nSource, nMissing;
    int complete;          /* 1: the hotfix list is complete, so absent KBs were really removed */
    const char *zResult;   /* "ok", "partial" or an error phrase */
} hist_scan_t;

/* What hist_record found. */
typedef struct hist_change {
    int64_t scanId;
    unsigned nAdded, nRemoved;
    int baseline;          /* 1: first scan in this database; its hotfixes are not "changes" */
    char zSummary[1024];   /* "added KB1 KB2; removed KB3" (truncated with "...") */
} hist_change_t;

/* hist_open: opens or creates zPath (UTF-8) with a rollback journal and synchronous=FULL, so a
 * power cut loses at most the scan being recorded. A file that is not a database, or one whose
 * quick_check reports damage, is moved aside to zPath.corrupt (replacing an older one) and a new
 * one made; zErr then says "damaged database moved to ..." with KBS_OK. zErr (nErr bytes) says what failed. Returns KBS_OK,
 * KBS_EDB or KBS_ENOMEM. */
int hist_open(hist_t *h, const char *zPath, char *zErr, size_t nErr);

/* hist_close: closes; accepts a zeroed or closed hist_t. */
void hist_close(hist_t *h);

/* hist_record: in one transaction stores the scan, compares azKb (nKb hotfix keys such as
 * "KB4012212", any order, duplicates allowed) with the stored set, records each addition (and
 * each removal when pScan->complete) with the scan time, and trims old rows. *pOut (may be NULL)
 * receives what changed. Returns KBS_OK, KBS_EDB (zErr says why; nothing was stored) or
 * KBS_ENOMEM. */
int hist_record(hist_t *h, const hist_scan_t *pScan, const char *const *azKb, size_t nKb,
                hist_change_t *pOut, char *zErr, size_t nErr);

/* hist_last_time: the time of the newest recorded scan (by insertion, not by time: a clock that
 * went back makes them differ), or 0 when there is none or the history is not open. */
int64_t hist_last_time(hist_t *h);

/* Row counts, for status output and tests. */
typedef struct hist_stats {
    int64_t nScan, nHotfix, nChange, nAdded, nRemoved;
} hist_stats_t;
int hist_stats(hist_t *h, hist_stats_t *pOut);

/* Called by hist_diff for each key only in the new set (added = 1) or only in the old one. */
typedef int (*hist_diff_fn)(void *pArg, const char *zKb, int added);

/* hist_diff: merges two sorted, duplicate-free key lists and calls pfn for each difference; stops
 * at the first non-zero return of pfn and returns it. Pure function. */
int hist_diff(const char *const *azOld, size_t nOld, const char *const *azNew, size_t nNew,
              hist_diff_fn pfn, void *pArg);

/* hist_sort_unique: sorts az (strcmp order) in place and drops duplicates; returns the new count. */
size_t hist_sort_unique(const char **az, size_t n);

#endif
