/* agent.h: the agent's worker: schedules scans on events (stop, timer, hotfix key change, reload). */
#ifndef KBS_AGENT_H
#define KBS_AGENT_H

#include <stdint.h>
#include <stdio.h>
#include <windows.h>

#include "win_drop.h"
#include "win_evt.h"
#include "win_settings.h"

#define AGENT_WATCH_MAX 3
#define AGENT_STOP_WAIT_MS 500   /* how long a stop waits for a running scan before leaving it */
#define AGENT_SCAN_TIMEOUT_MS (10u * 60u * 1000u) /* a scan still running after this is hung */

typedef struct agent agent_t;

/* The scan job, run on the scan thread. It must check a->hStop between steps and return soon
 * after it is set; it may use a->set, a->zDataDir, a->evt, a->drop and keep its own state in
 * a->pJobState, freed by agent_free through opts.pfnJobFree. */
typedef int (*agent_job_fn)(agent_t *a);
typedef void (*agent_job_free_fn)(void *pJobState);

/* Where settings come from: the real keys, or test keys. */
typedef struct agent_opts {
    FILE *fMirror;            /* events are also printed here (run mode, tests); may be NULL */
    unsigned maxScans;        /* stop after this many scans; 0: until hStop */
    HKEY hSettingsRoot;       /* HKEY_LOCAL_MACHINE unless a test says otherwise */
    const wchar_t *zPolicyKey, *zBaseKey;
    const wchar_t *const *azWatch; /* hotfix keys to watch under HKLM (NULL: the real ones) */
    agent_job_fn pfnJob;      /* the scan (agent_scan_job, or a test's) */
    agent_job_free_fn pfnJobFree; /* frees a->pJobState; may be NULL */
    drop_write_fn pfnDropWrite; /* the atomic file writer (agent_file_write, or a test's) */
    uint32_t timeScale;       /* tests: every delay (start, interval, debounce, backoff) / scale */
    const struct scan_opts *pScanOpts; /* tests: the scan's call table (also used by the
                                        * snapshot writer), registry root, flags; NULL: real */
    int64_t (*pfnNow)(void);  /* tests: the wall clock in Unix seconds (a clock that jumps) */
    DWORD scanTimeoutMs;      /* the scan watchdog; 0: AGENT_SCAN_TIMEOUT_MS (not scaled) */
    const struct aclsys *pAclSys; /* tests: the data directory's calls; NULL: the real ones */
} agent_opts_t;

struct agent {
    HANDLE hStop;             /* manual reset; owned by the caller */
    HANDLE hParam;            /* auto reset: reload the settings (PARAMCHANGE) */
    HANDLE hTimer;            /* waitable timer: the next scheduled scan */
    HANDLE hDebounce;         /* waitable timer: scan once the hotfix keys settle */
    HANDLE hWatchdog;         /* waitable timer: the running scan is hung */
    HANDLE ahRegEvt[AGENT_WATCH_MAX]; /* one per watched key, re-armed when it fires */
    HKEY ahWatch[AGENT_WATCH_MAX];
    int nWatch;
    HANDLE hScan;             /* the running scan thread, or NULL */
    agent_opts_t opts;
    settings_t set;
    wchar_t zDataDir[MAX_PATH];
    evt_t evt;
    drop_t drop;
    void *pJobState;          /* the job's own state (history, catalog), made by the job */
    uint64_t rng;
    DWORD burstStart;         /* GetTickCount of the first change of a burst */
    int inBurst, scanPending, reloadPending, abandoned;
    unsigned nScans;          /* scans finished */
    volatile LONG nJobRunning;
    int lastJobRc;
    volatile LONG scanGen;    /* bumped when a hung scan is abandoned: its late result is dropped */
    volatile LONG wmiOff;     /* 1 after a hung scan: later scans leave WMI out until restart */
    unsigned nHung;           /* scans abandoned by the watchdog */
    uint64_t lastDelayMs;     /* the delay last given to hTimer (tests read it) */
};

/* agent_new: makes an agent that stops when hStop is set; settings are read, the data directory
 * is made, the event source opened. *ppA is freed with agent_free. Returns KBS_OK or KBS_E*. */
int agent_new(agent_t **ppA, HANDLE hStop, const agent_opts_t *pOpts);

/* agent_run: the worker loop; returns when hStop is set (or after opts.maxScans scans), having
 * left a stuck scan or share copy behind after AGENT_STOP_WAIT_MS. A scan running longer than
 * opts.scanTimeoutMs is reported, abandoned (counted as a scan) and WMI is left out of the later
 * ones (a->wmiOff). Returns KBS_OK. */
int agent_run(agent_t *a);

/* agent_free: releases a; when a thread was left behind the memory stays (the process is
 * ending). Accepts NULL. */
void agent_free(agent_t *a);

/* agent_reload: re-reads the settings (PARAMCHANGE), reporting bad values as events. */
void agent_reload(agent_t *a);

/* agent_scan_job (agent_scan.c): the real scan: collect, write <data dir>\<HOST>.kbs atomically, update the
 * history, report events, queue the drop-share copy. Returns KBS_OK or the first error.
 * agent_scan_free is its pfnJobFree. */
int agent_scan_job(agent_t *a);
void agent_scan_free(void *pJobState);

/* agent_scan_history: the history the scan job keeps (NULL before its first scan). */
struct hist *agent_scan_history(agent_t *a);

/* agent_file_write: writes n bytes to zPath atomically (temp, flush, rename). */
int agent_file_write(const wchar_t *zPath, const void *p, size_t n, char *zErr, size_t nErr);

/* agent_utf8: zW as UTF-8 into z (n bytes), "" when it does not fit. Returns z. */
char *agent_utf8(const wchar_t *zW, char *z, size_t n);

#endif
