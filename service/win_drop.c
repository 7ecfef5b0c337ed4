/* win_drop.c: the drop-share copy thread: latest snapshot only, retries with growing backoff. */
#include "win_drop.h"

#include <process.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent_state.h"
#include "kbs_err.h"
#include "sched.h"
#include "win_reg.h"

/* Takes the pending snapshot out of d (the thread then owns it). */
static char *drop_take(drop_t *d, wchar_t *zPath, size_t *pn)
{
    char *p;

    EnterCriticalSection(&d->cs);
    p = d->pBuf;
    *pn = d->nBuf;
    wcscpy(zPath, d->zPath);
    d->pBuf = NULL;
    LeaveCriticalSection(&d->cs);
    return p;
}

/* Puts a failed snapshot back unless a newer one arrived meanwhile. */
static void drop_put_back(drop_t *d, const wchar_t *zPath, char *p, size_t n)
{
    EnterCriticalSection(&d->cs);
    if (!d->pBuf) {
        d->pBuf = p;
        d->nBuf = n;
        wcscpy(d->zPath, zPath);
        p = NULL;
    }
    LeaveCriticalSection(&d->cs);
    free(p);
}

void drop_set_state(drop_t *d, const wchar_t *zStatePath)
{
    EnterCriticalSection(&d->cs);
    wcsncpy(d->zState, zStatePath, MAX_PATH - 1);
    d->zState[MAX_PATH - 1] = 0;
    LeaveCriticalSection(&d->cs);
}

/* Writes last-upload.txt for this attempt (the last success is carried over from the file). */
static void drop_note(drop_t *d, const char *zTarget, int rc, const char *zErr)
{
    wchar_t zState[MAX_PATH];
    state_kv_t aOld[STATE_KV_MAX];
    size_t nOld = 0;
    char zNow[32], zFail[16], zLastOk[32], zWhy[200];

    EnterCriticalSection(&d->cs);
    wcscpy(zState, d->zState);
    LeaveCriticalSection(&d->cs);
    if (!zState[0]) return;
    reg_unix_iso((int64_t)time(NULL), zNow, sizeof(zNow));
    if (rc == KBS_OK) {
        snprintf(zLastOk, sizeof(zLastOk), "%s", zNow);
    } else {
        zLastOk[0] = 0;
        if (state_read(zState, aOld, &nOld) == KBS_OK)
            snprintf(zLastOk, sizeof(zLastOk), "%s", state_get(aOld, nOld, "last-ok"));
    }
    snprintf(zFail, sizeof(zFail), "%ld", (long)d->nFail);
    {
        const char *azKV[] = {"time",     zNow,    "result",  rc == KBS_OK ? "copied" : "failed",
                              "share",    zTarget, "error",   rc == KBS_OK ? "" : zErr,
                              "failures", zFail,   "last-ok", zLastOk[0] ? zLastOk : "never"};
        state_write(zState, azKV, sizeof(azKV) / sizeof(azKV[0]) / 2, zWhy, sizeof(zWhy));
    }
}

static unsigned __stdcall drop_thread(void *pArg)
{
    drop_t *d = pArg;
    HANDLE ah[2] = {d->hStop, d->hWork};
    DWORD wait = INFINITE;

    for (;;) {
        wchar_t zPath[MAX_PATH];
        char zErr[256], zN[16], zSec[16], zPathU[MAX_PATH * 3];
        size_t n = 0;
        char *p;
        DWORD w = WaitForMultipleObjects(2, ah, FALSE, wait);
        int rc;

        if (w == WAIT_OBJECT_0) break;
        if (w != WAIT_OBJECT_0 + 1 && w != WAIT_TIMEOUT) break;
        p = drop_take(d, zPath, &n);
        if (!p) {
            wait = INFINITE;
            continue;
        }
        InterlockedIncrement(&d->nAttempt);
        zErr[0] = 0;
        rc = d->pfnWrite(zPath, p, n, zErr, sizeof(zErr));
        WideCharToMultiByte(CP_UTF8, 0, zPath, -1, zPathU, sizeof(zPathU), NULL, NULL);
        if (rc == KBS_OK) {
            if (d->nFail) {
                snprintf(zN, sizeof(zN), "%ld", (long)d->nFail);
                evt_log(d->pEvt, MSG_SHARE_OK, zPathU, zPathU, zN, NULL);
            }
            InterlockedExchange(&d->nFail, 0);
            drop_note(d, zPathU, rc, "");
            InterlockedIncrement(&d->nCopied);
            free(p);
            wait = INFINITE;
            continue;
        }
        InterlockedIncrement(&d->nFail);
        drop_note(d, zPathU, rc, zErr[0] ? zErr : kbs_strerror(rc));
        wait = sched_backoff_ms((unsigned)d->nFail, sched_next(&d->rng)) /
               (d->backoffScale ? d->backoffScale : 1);
        /* One event per doubling of the streak: the log shows the problem without flooding. */
        if ((d->nFail & (d->nFail - 1)) == 0) {
            snprintf(zN, sizeof(zN), "%ld", (long)d->nFail);
            snprintf(zSec, sizeof(zSec), "%lu", (unsigned long)(wait / 1000));
            evt_log(d->pEvt, MSG_ERR_SHARE, zPathU, zErr[0] ? zErr : kbs_strerror(rc), zN, zSec,
                    NULL);
        }
        drop_put_back(d, zPath, p, n);
    }
    return 0;
}

int drop_start(drop_t *d, HANDLE hStop, evt_t *pEvt, drop_write_fn pfnWrite, uint64_t seed)
{
    memset(d, 0, sizeof(*d));
    d->hStop = hStop;
    d->pEvt = pEvt;
    d->pfnWrite = pfnWrite;
    sched_seed(&d->rng, seed);
    InitializeCriticalSection(&d->cs);
    d->started = 1;
    d->hWork = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!d->hWork) return KBS_EIO;
    d->hThread = (HANDLE)_beginthreadex(NULL, 0, drop_thread, d, 0, NULL);
    return d->hThread ? KBS_OK : KBS_EIO;
}

void drop_submit(drop_t *d, const wchar_t *zShare, const wchar_t *zName, char *pBuf, size_t n)
{
    char *pOld;

    EnterCriticalSection(&d->cs);
    pOld = d->pBuf;
    d->pBuf = pBuf;
    d->nBuf = n;
    _snwprintf(d->zPath, MAX_PATH, L"%ls\\%ls", zShare, zName);
    d->zPath[MAX_PATH - 1] = 0;
    LeaveCriticalSection(&d->cs);
    free(pOld);
    SetEvent(d->hWork);
}

int drop_stop(drop_t *d, DWORD msWait)
{
    int ended = 1;

    if (!d->started) return 1;
    if (d->hThread) {
        ended = WaitForSingleObject(d->hThread, msWait) == WAIT_OBJECT_0;
        if (!ended) {
            d->abandoned = 1;
            return 0;
        }
        CloseHandle(d->hThread);
    }
    if (d->hWork) CloseHandle(d->hWork);
    free(d->pBuf);
    DeleteCriticalSection(&d->cs);
    memset(d, 0, sizeof(*d));
    return 1;
}
