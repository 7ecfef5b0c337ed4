/* agent.c: the agent's worker loop: waits on stop, reload, timers and hotfix key changes. */
#include "agent.h"

#include <process.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "kbs_version.h"
#include "sched.h"
#include "win_acl.h"
#include "win_out.h"

/* The hotfix keys whose change triggers a scan (XP/2003 Updates and HotFix, Vista+ CBS). */
static const wchar_t *const agent_azWatch[] = {
    L"SOFTWARE\\Microsoft\\Updates",
    L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\HotFix",
    L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages",
    NULL};

char *agent_utf8(const wchar_t *zW, char *z, size_t n)
{
    if (!WideCharToMultiByte(CP_UTF8, 0, zW, -1, z, (int)n, NULL, NULL)) z[0] = 0;
    return z;
}

static uint32_t agent_scale(const agent_t *a, uint64_t ms)
{
    uint64_t v = ms / (a->opts.timeScale ? a->opts.timeScale : 1);
    return v > 0xFFFFFFF0u ? 0xFFFFFFF0u : (uint32_t)v;
}

/* Relative due time in 100 ns units; a relative timer is not fooled by clock changes. */
static void agent_timer_set(HANDLE h, uint64_t ms)
{
    LARGE_INTEGER due;

    due.QuadPart = ms ? -(LONGLONG)(ms * 10000u) : -1;
    SetWaitableTimer(h, &due, 0, NULL, NULL, FALSE);
}

static void agent_schedule(agent_t *a, uint64_t ms)
{
    a->lastDelayMs = ms;
    agent_timer_set(a->hTimer, ms);
}

static void agent_on_bad_setting(void *pArg, const char *zName, const char *zWhere,
                                 const char *zReason, const char *zUsing)
{
    agent_t *a = pArg;
    evt_log(&a->evt, MSG_ERR_SETTING, zName, zWhere, zReason, zUsing, NULL);
}

/* Makes or checks zDir (see acl_prepare_dir); a planted directory moved aside is reported. */
static int agent_prepare_dir(agent_t *a, const wchar_t *zDir, char *zErr, size_t nErr)
{
    char zD[MAX_PATH * 3], zAside[MAX_PATH * 3];
    acl_result_t res;
    int rc = acl_prepare_dir(a->opts.pAclSys, zDir, 0, &res, zErr, nErr);

    if (res.movedAside)
        evt_log(&a->evt, MSG_WARN_DATADIR_MOVED, agent_utf8(zDir, zD, sizeof(zD)), res.zOwner,
                agent_utf8(res.zAside, zAside, sizeof(zAside)), NULL);
    return rc;
}

/* Settings -> data directory, made (with its ACL) when missing. A DataDir policy that cannot be
 * used (a drive this machine lacks) must not stop the agent, nor fail an install that starts
 * it: the default directory is used, as a reload does. */
static int agent_apply_settings(agent_t *a)
{
    char zErr[400], zErr2[400], zDir[MAX_PATH * 3], zDef[MAX_PATH * 3];
    wchar_t zDefault[MAX_PATH];
    int rc, rcDef;

    rcDef = acl_default_dir(zDefault, MAX_PATH);
    if (a->set.zDataDir[0]) {
        rc = agent_prepare_dir(a, a->set.zDataDir, zErr, sizeof(zErr));
        if (rc == KBS_OK) {
            wcscpy(a->zDataDir, a->set.zDataDir);
            return KBS_OK;
        }
        if (rcDef == KBS_OK && agent_prepare_dir(a, zDefault, zErr2, sizeof(zErr2)) == KBS_OK) {
            wcscpy(a->zDataDir, zDefault);
            evt_log(&a->evt, MSG_WARN_DATADIR_FALLBACK,
                    agent_utf8(a->set.zDataDir, zDir, sizeof(zDir)), zErr,
                    agent_utf8(zDefault, zDef, sizeof(zDef)), NULL);
            return KBS_OK;
        }
        evt_log(&a->evt, MSG_ERR_DATADIR, agent_utf8(a->set.zDataDir, zDir, sizeof(zDir)), zErr,
                NULL);
        return rc;
    }
    if (rcDef != KBS_OK) {
        evt_log(&a->evt, MSG_ERR_DATADIR, "CSIDL_COMMON_APPDATA\\kbsentry",
                "the common application data folder is unknown", NULL);
        return rcDef;
    }
    rc = agent_prepare_dir(a, zDefault, zErr, sizeof(zErr));
    if (rc == KBS_OK)
        wcscpy(a->zDataDir, zDefault);
    else
        evt_log(&a->evt, MSG_ERR_DATADIR, agent_utf8(zDefault, zDir, sizeof(zDir)), zErr, NULL);
    return rc;
}

static void agent_settings_read(agent_t *a, settings_t *s)
{
    settings_load(s, a->opts.hSettingsRoot, a->opts.zPolicyKey, a->opts.zBaseKey,
                  agent_on_bad_setting, a);
}

static void agent_settings_event(agent_t *a, DWORD id)
{
    char zDir[MAX_PATH * 3], zDrop[SETTINGS_PATH_MAX * 3], zMin[16];

    snprintf(zMin, sizeof(zMin), "%u", a->set.intervalMin);
    agent_utf8(a->zDataDir, zDir, sizeof(zDir));
    if (a->set.zDropShare[0])
        agent_utf8(a->set.zDropShare, zDrop, sizeof(zDrop));
    else
        strcpy(zDrop, "none");
    if (id == MSG_SVC_STARTED)
        evt_log(&a->evt, id, KBS_VERSION, zDir, zMin, zDrop, NULL);
    else
        evt_log(&a->evt, id, zDir, zMin, zDrop, NULL);
}

void agent_reload(agent_t *a)
{
    settings_t s;
    unsigned oldInterval = a->set.intervalMin;

    agent_settings_read(a, &s);
    a->set = s;
    agent_apply_settings(a);
    /* A new interval takes effect now rather than after the old, possibly long, one. */
    if (s.intervalMin != oldInterval)
        agent_schedule(a, agent_scale(a, sched_interval_ms(s.intervalMin, sched_next(&a->rng))));
    agent_settings_event(a, MSG_SETTINGS_RELOADED);
}

static void agent_watch_arm(agent_t *a, int i)
{
    RegNotifyChangeKeyValue(a->ahWatch[i], TRUE,
                            REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET, a->ahRegEvt[i],
                            TRUE);
}

/* Keys that do not exist on this Windows version are simply not watched. */
static void agent_watch_open(agent_t *a)
{
    const wchar_t *const *az = a->opts.azWatch ? a->opts.azWatch : agent_azWatch;
    int i;

    for (i = 0; az[i] && a->nWatch < AGENT_WATCH_MAX; i++) {
        HKEY h = NULL;
        HANDLE e;
        if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, az[i], 0, KEY_NOTIFY | KEY_WOW64_64KEY, &h) !=
            ERROR_SUCCESS)
            continue;
        if (!(e = CreateEventW(NULL, FALSE, FALSE, NULL))) {
            RegCloseKey(h);
            continue;
        }
        a->ahWatch[a->nWatch] = h;
        a->ahRegEvt[a->nWatch] = e;
        agent_watch_arm(a, a->nWatch);
        a->nWatch++;
    }
}

static uint64_t agent_seed(void)
{
    LARGE_INTEGER qpc;
    FILETIME ft;
    wchar_t zName[MAX_COMPUTERNAME_LENGTH + 1];
    DWORD n = MAX_COMPUTERNAME_LENGTH + 1, i;
    uint64_t h = 1469598103934665603ull;

    QueryPerformanceCounter(&qpc);
    GetSystemTimeAsFileTime(&ft);
    if (GetComputerNameW(zName, &n))
        for (i = 0; i < n; i++) h = (h ^ zName[i]) * 1099511628211ull;
    return h ^ (uint64_t)qpc.QuadPart ^ ((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime) ^
           ((uint64_t)GetCurrentProcessId() << 40) ^ GetTickCount();
}

int agent_new(agent_t **ppA, HANDLE hStop, const agent_opts_t *pOpts)
{
    agent_t *a;
    int rc = KBS_ENOMEM;

    *ppA = NULL;
    if (!pOpts->pfnJob || !pOpts->pfnDropWrite) return KBS_EINVAL;
    if (!(a = calloc(1, sizeof(*a)))) return KBS_ENOMEM;
    a->hStop = hStop;
    a->opts = *pOpts;
    if (!a->opts.hSettingsRoot) a->opts.hSettingsRoot = HKEY_LOCAL_MACHINE;
    if (!a->opts.zPolicyKey) a->opts.zPolicyKey = SETTINGS_POLICY_KEY;
    if (!a->opts.zBaseKey) a->opts.zBaseKey = SETTINGS_BASE_KEY;
    sched_seed(&a->rng, agent_seed());
    evt_open(&a->evt, a->opts.fMirror);
    a->hParam = CreateEventW(NULL, FALSE, FALSE, NULL);
    a->hTimer = CreateWaitableTimerW(NULL, FALSE, NULL);
    a->hDebounce = CreateWaitableTimerW(NULL, FALSE, NULL);
    a->hWatchdog = CreateWaitableTimerW(NULL, FALSE, NULL);
    if (!a->hParam || !a->hTimer || !a->hDebounce || !a->hWatchdog) {
        rc = KBS_EIO;
        goto out;
    }
    agent_settings_read(a, &a->set);
    if ((rc = agent_apply_settings(a)) != KBS_OK) goto out;
    /* Temp files of a write that was killed (power cut, kill -9) would stay for ever. */
    out_sweep_temps(a->zDataDir, L"*.kbs.tmp*");
    if ((rc = drop_start(&a->drop, hStop, &a->evt, a->opts.pfnDropWrite, sched_next(&a->rng))) !=
        KBS_OK)
        goto out;
    a->drop.backoffScale = a->opts.timeScale;
    agent_watch_open(a);
    *ppA = a;
    return KBS_OK;
out:
    agent_free(a);
    return rc;
}

static unsigned __stdcall agent_scan_thread(void *pArg)
{
    agent_t *a = pArg;
    a->lastJobRc = a->opts.pfnJob(a);
    InterlockedExchange(&a->nJobRunning, 0);
    return 0;
}

static void agent_start_scan(agent_t *a)
{
    if (a->hScan) {
        a->scanPending = 1; /* one more right after the running one */
        return;
    }
    InterlockedExchange(&a->nJobRunning, 1);
    a->hScan = (HANDLE)_beginthreadex(NULL, 0, agent_scan_thread, a, 0, NULL);
    if (a->hScan)
        agent_timer_set(a->hWatchdog,
                        a->opts.scanTimeoutMs ? a->opts.scanTimeoutMs : AGENT_SCAN_TIMEOUT_MS);
    if (!a->hScan) {
        InterlockedExchange(&a->nJobRunning, 0);
        evt_log(&a->evt, MSG_ERR_SCAN, "cannot start the scan thread", NULL);
        agent_schedule(a, agent_scale(a, sched_interval_ms(a->set.intervalMin,
                                                           sched_next(&a->rng))));
    }
}

static void agent_scan_done(agent_t *a)
{
    CancelWaitableTimer(a->hWatchdog);
    CloseHandle(a->hScan);
    a->hScan = NULL;
    a->nScans++;
    /* Hours of idle follow: hand the scan's pages (COM, WMI, SQLite) back to the system. */
    SetProcessWorkingSetSize(GetCurrentProcess(), (SIZE_T)-1, (SIZE_T)-1);
    if (a->opts.maxScans && a->nScans >= a->opts.maxScans) {
        SetEvent(a->hStop);
        return;
    }
    if (a->reloadPending) {
        a->reloadPending = 0;
        agent_reload(a);
    }
    agent_schedule(a, agent_scale(a, sched_interval_ms(a->set.intervalMin, sched_next(&a->rng))));
    if (a->scanPending) {
        a->scanPending = 0;
        agent_start_scan(a);
    }
}

/* The watchdog fired: ExecQuery and a proxy's Release are DCOM calls without a timeout, and a
 * hung winmgmt keeps them waiting for ever. The thread cannot be stopped safely, so it is left
 * with its job state (a new one is made for the next scan), its late result is dropped
 * (scanGen), and WMI stays out until the service restarts: the registry and the files still
 * give a snapshot. */
static void agent_scan_hung(agent_t *a)
{
    char zSec[16];
    DWORD ms = a->opts.scanTimeoutMs ? a->opts.scanTimeoutMs : AGENT_SCAN_TIMEOUT_MS;

    snprintf(zSec, sizeof(zSec), "%lu", (unsigned long)(ms / 1000u));
    evt_log(&a->evt, MSG_ERR_SCAN_HUNG, zSec, NULL);
    InterlockedIncrement(&a->scanGen);
    InterlockedExchange(&a->wmiOff, 1);
    a->pJobState = NULL; /* the hung thread keeps using its own */
    a->abandoned = 1;    /* agent_free must not free what it still uses */
    a->nHung++;
    agent_scan_done(a);
}

/* A hotfix key changed: re-arm it and (re)start the debounce timer. */
static void agent_on_change(agent_t *a, int i)
{
    DWORD now = GetTickCount();
    uint32_t ms;

    agent_watch_arm(a, i);
    if (!a->inBurst) {
        a->inBurst = 1;
        a->burstStart = now;
    }
    ms = sched_debounce_ms(now - a->burstStart);
    agent_timer_set(a->hDebounce, agent_scale(a, ms));
}

int agent_run(agent_t *a)
{
    enum { W_STOP, W_PARAM, W_TIMER, W_DEBOUNCE, W_WATCHDOG, W_SCAN };
    HANDLE ah[W_SCAN + 1 + AGENT_WATCH_MAX];
    int i;

    agent_settings_event(a, MSG_SVC_STARTED);
    /* A bounded foreground run (run --scans N) is someone waiting at a console: no delay. */
    agent_schedule(a, a->opts.maxScans ? 0
                                       : agent_scale(a, sched_start_delay_ms(sched_next(&a->rng),
                                                          a->set.startDelayMaxSec)));
    for (;;) {
        DWORD n = 0, w, iReg;
        ah[n++] = a->hStop;
        ah[n++] = a->hParam;
        ah[n++] = a->hTimer;
        ah[n++] = a->hDebounce;
        ah[n++] = a->hWatchdog;
        /* A dead handle in the scan slot keeps the indexes fixed: the stop event is never
         * signalled while we get here, so it cannot fire twice. */
        ah[n++] = a->hScan ? a->hScan : a->hParam;
        iReg = n;
        for (i = 0; i < a->nWatch; i++) ah[n++] = a->ahRegEvt[i];

        w = WaitForMultipleObjects(n, ah, FALSE, INFINITE);
        if (w == WAIT_OBJECT_0 + W_STOP || w == WAIT_FAILED) break;
        if (w == WAIT_OBJECT_0 + W_PARAM) {
            if (a->hScan)
                a->reloadPending = 1;
            else
                agent_reload(a);
        } else if (w == WAIT_OBJECT_0 + W_TIMER) {
            agent_start_scan(a);
        } else if (w == WAIT_OBJECT_0 + W_DEBOUNCE) {
            a->inBurst = 0;
            agent_start_scan(a);
        } else if (w == WAIT_OBJECT_0 + W_WATCHDOG) {
            if (a->hScan) agent_scan_hung(a);
        } else if (w == WAIT_OBJECT_0 + W_SCAN && a->hScan) {
            agent_scan_done(a);
        } else if (w >= WAIT_OBJECT_0 + iReg && w < WAIT_OBJECT_0 + n) {
            agent_on_change(a, (int)(w - WAIT_OBJECT_0 - iReg));
        }
    }
    /* Stop: give a running scan a moment (it checks hStop), then leave it; the snapshot write
     * is atomic, so an unfinished scan can only lose its own result. */
    if (a->hScan) {
        if (WaitForSingleObject(a->hScan, AGENT_STOP_WAIT_MS) == WAIT_OBJECT_0) {
            CloseHandle(a->hScan);
            a->hScan = NULL;
        } else {
            a->abandoned = 1;
        }
    }
    if (!drop_stop(&a->drop, 100)) a->abandoned = 1;
    evt_log(&a->evt, MSG_SVC_STOPPED, NULL);
    return KBS_OK;
}

void agent_free(agent_t *a)
{
    int i;

    if (!a) return;
    if (a->abandoned) return; /* a thread still uses it; the process is about to end */
    SetEvent(a->hStop); /* the copy thread ends with it */
    drop_stop(&a->drop, INFINITE);
    for (i = 0; i < a->nWatch; i++) {
        RegCloseKey(a->ahWatch[i]);
        CloseHandle(a->ahRegEvt[i]);
    }
    if (a->hScan) CloseHandle(a->hScan);
    if (a->hParam) CloseHandle(a->hParam);
    if (a->hTimer) CloseHandle(a->hTimer);
    if (a->hDebounce) CloseHandle(a->hDebounce);
    if (a->hWatchdog) CloseHandle(a->hWatchdog);
    if (a->pJobState && a->opts.pfnJobFree) a->opts.pfnJobFree(a->pJobState);
    evt_close(&a->evt);
    free(a);
}
