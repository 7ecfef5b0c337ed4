/* win_drop.h: copies each new snapshot to the drop share on its own thread, retrying with backoff. */
#ifndef KBS_WIN_DROP_H
#define KBS_WIN_DROP_H

#include <stddef.h>
#include <stdint.h>
#include <windows.h>

#include "win_evt.h"

/* Writes n bytes atomically to zPath; returns KBS_OK or a KBS_E* code with a reason in zErr. */
typedef int (*drop_write_fn)(const wchar_t *zPath, const void *p, size_t n, char *zErr,
                             size_t nErr);

typedef struct drop {
    HANDLE hThread;
    HANDLE hStop;            /* the agent's stop event (not owned) */
    HANDLE hWork;            /* auto-reset: a new snapshot was submitted */
    CRITICAL_SECTION cs;     /* guards the pending snapshot below */
    wchar_t zPath[MAX_PATH]; /* where the pending snapshot goes */
    wchar_t zState[MAX_PATH]; /* last-upload.txt: each copy's outcome, for `status`; "" none */
    char *pBuf;              /* pending snapshot (owned) or NULL */
    size_t nBuf;
    evt_t *pEvt;
    drop_write_fn pfnWrite;
    uint32_t backoffScale;   /* tests shrink the retry delays: ms = sched_backoff_ms / scale */
    uint64_t rng;
    volatile LONG nFail;     /* consecutive failures */
    volatile LONG nCopied;   /* successful copies */
    volatile LONG nAttempt;
    int started, abandoned;
} drop_t;

/* drop_start: starts the copy thread. hStop (manual reset) ends it. Returns KBS_OK or KBS_EIO. */
int drop_start(drop_t *d, HANDLE hStop, evt_t *pEvt, drop_write_fn pfnWrite, uint64_t seed);

/* drop_submit: queues pBuf (n bytes, malloc'd; ownership passes to d) for zShare\zName,
 * replacing an older snapshot still waiting. Never blocks on the network. */
void drop_submit(drop_t *d, const wchar_t *zShare, const wchar_t *zName, char *pBuf, size_t n);

/* drop_set_state: after each copy, its time, target and outcome go to zStatePath (the data
 * directory's last-upload.txt), for `kbsentry-svc status`. */
void drop_set_state(drop_t *d, const wchar_t *zStatePath);

/* drop_stop: waits up to msWait for the thread (hStop must be set); a thread stuck in a network
 * call is left behind and its state leaked on purpose, so stopping never waits for the network.
 * Returns 1 when the thread ended, 0 when it was left. */
int drop_stop(drop_t *d, DWORD msWait);

#endif
