/* test_agent.c: the worker loop with a stand-in scan: schedule, stop mid-scan, debounce, reload,
 * drop-share retries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <process.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "../t_tmpfile.h"
#include "agent.h"
#include "kbs_err.h"
#include "regfix.h"
#include "sched.h"

#define T_POLICY L"SOFTWARE\\kbsentry-test-agent\\Policies"
#define T_BASE L"SOFTWARE\\kbsentry-test-agent\\Base"
#define T_WATCH L"SOFTWARE\\kbsentry-test-agent-watch"

/* What the stand-in job and share writer do. */
typedef struct t_ctl {
    volatile LONG nJob;
    DWORD jobMs;            /* how long a job takes */
    int jobIgnoresStop;     /* 1: a stuck scan that never looks at hStop */
    volatile LONG nWrite;
    volatile LONG failWrites; /* the share writer fails this many times */
    DWORD writeMs;          /* how long a share write blocks */
    DWORD hangFirstMs;      /* the first job hangs this long, ignoring hStop (a hung WMI call) */
    DWORD scanTimeoutMs;    /* the watchdog given to the agent (0: its default) */
    volatile LONG nJobWmiOff; /* jobs that found WMI switched off */
} t_ctl_t;
static t_ctl_t t_ctl;

static int t_job(agent_t *a)
{
    char *p;
    if (InterlockedIncrement(&t_ctl.nJob) == 1 && t_ctl.hangFirstMs) {
        Sleep(t_ctl.hangFirstMs);
        return KBS_OK;
    }
    if (a->wmiOff) InterlockedIncrement(&t_ctl.nJobWmiOff);
    if (t_ctl.jobIgnoresStop)
        Sleep(t_ctl.jobMs);
    else if (WaitForSingleObject(a->hStop, t_ctl.jobMs) == WAIT_OBJECT_0)
        return KBS_ETIMEOUT;
    if (a->set.zDropShare[0] && (p = malloc(4))) {
        memcpy(p, "snap", 4);
        drop_submit(&a->drop, a->set.zDropShare, L"HOST.kbs", p, 4);
    }
    return KBS_OK;
}

static int t_write(const wchar_t *zPath, const void *p, size_t n, char *zErr, size_t nErr)
{
    (void)zPath, (void)p, (void)n;
    InterlockedIncrement(&t_ctl.nWrite);
    if (t_ctl.writeMs) Sleep(t_ctl.writeMs);
    if (t_ctl.failWrites > 0) {
        InterlockedDecrement(&t_ctl.failWrites);
        snprintf(zErr, nErr, "the network path was not found");
        return KBS_EIO;
    }
    return KBS_OK;
}

static void t_dword(const wchar_t *zKey, const wchar_t *zName, DWORD d)
{
    assert_int_equal(rf_dword(HKEY_CURRENT_USER, zKey, zName, d), 0);
}

static void t_sz(const wchar_t *zKey, const wchar_t *zName, const wchar_t *z)
{
    assert_int_equal(rf_sz(HKEY_CURRENT_USER, zKey, zName, z), 0);
}

static int t_setup(void **state)
{
    wchar_t zDir[MAX_PATH];
    int i;
    (void)state;
    memset(&t_ctl, 0, sizeof(t_ctl));
    MultiByteToWideChar(CP_UTF8, 0, KBS_TEST_TMP "/agent-data", -1, zDir, MAX_PATH);
    for (i = 0; zDir[i]; i++)
        if (zDir[i] == L'/') zDir[i] = L'\\';
    t_sz(T_BASE, L"DataDir", zDir);
    t_dword(T_BASE, L"StartDelayMaxSeconds", 0);
    t_dword(T_BASE, L"ScanIntervalMinutes", 15);
    return 0;
}

static int t_teardown(void **state)
{
    (void)state;
    RegDeleteKeyW(HKEY_CURRENT_USER, T_POLICY);
    RegDeleteKeyW(HKEY_CURRENT_USER, T_BASE);
    RegDeleteKeyW(HKEY_CURRENT_USER, L"SOFTWARE\\kbsentry-test-agent");
    RegDeleteKeyW(HKEY_LOCAL_MACHINE, T_WATCH);
    return 0;
}

static agent_t *t_agent(HANDLE hStop, unsigned maxScans, uint32_t timeScale, FILE *fMirror)
{
    static const wchar_t *const azWatch[] = {T_WATCH, NULL};
    agent_opts_t o;
    agent_t *a = NULL;
    HKEY h;

    /* The watched key must exist before the agent starts. */
    assert_int_equal(RegCreateKeyExW(HKEY_LOCAL_MACHINE, T_WATCH, 0, NULL, 0, KEY_ALL_ACCESS, NULL,
                                     &h, NULL),
                     ERROR_SUCCESS);
    RegCloseKey(h);
    memset(&o, 0, sizeof(o));
    o.fMirror = fMirror;
    o.maxScans = maxScans;
    o.hSettingsRoot = HKEY_CURRENT_USER;
    o.zPolicyKey = T_POLICY;
    o.zBaseKey = T_BASE;
    o.azWatch = azWatch;
    o.pfnJob = t_job;
    o.pfnDropWrite = t_write;
    o.timeScale = timeScale;
    o.scanTimeoutMs = t_ctl.scanTimeoutMs;
    assert_int_equal(agent_new(&a, hStop, &o), KBS_OK);
    assert_non_null(a);
    assert_int_equal(a->nWatch, 1);
    return a;
}

static unsigned __stdcall t_run_thread(void *p)
{
    agent_run(p);
    return 0;
}

/* Waits until *pn reaches n or msMax passes; returns the value. */
static LONG t_wait_count(volatile LONG *pn, LONG n, DWORD msMax)
{
    DWORD t0 = GetTickCount();
    while (*pn < n && GetTickCount() - t0 < msMax) Sleep(10);
    return *pn;
}

static void test_scans_on_schedule(void **state)
{
    HANDLE hStop = CreateEventW(NULL, TRUE, FALSE, NULL);
    agent_t *a;
    DWORD t0;
    (void)state;
    /* 15 min / 100000 = 9 ms between scans: three scans come quickly, one after the other. */
    a = t_agent(hStop, 3, 100000, NULL);
    assert_int_equal(a->set.intervalMin, 15);
    t0 = GetTickCount();
    assert_int_equal(agent_run(a), KBS_OK);
    assert_true(GetTickCount() - t0 < 5000);
    assert_int_equal(a->nScans, 3);
    assert_int_equal(t_ctl.nJob, 3);
    /* The next delay is the interval with its jitter: 13.5..16.5 min, scaled. */
    assert_true(a->lastDelayMs >= 8 && a->lastDelayMs <= 10);
    assert_int_equal(a->abandoned, 0);
    agent_free(a);
    CloseHandle(hStop);
}

static void t_stop_mid_scan(int ignoresStop)
{
    HANDLE hStop = CreateEventW(NULL, TRUE, FALSE, NULL), hThread;
    agent_t *a;
    DWORD t0, ms;

    t_ctl.jobMs = 5000;
    t_ctl.jobIgnoresStop = ignoresStop;
    a = t_agent(hStop, 0, 1, NULL);
    hThread = (HANDLE)_beginthreadex(NULL, 0, t_run_thread, a, 0, NULL);
    assert_non_null(hThread);
    assert_int_equal(t_wait_count(&t_ctl.nJob, 1, 5000), 1);
    Sleep(50);
    t0 = GetTickCount();
    SetEvent(hStop);
    assert_int_equal(WaitForSingleObject(hThread, 2000), WAIT_OBJECT_0);
    ms = GetTickCount() - t0;
    print_message("stop during a %s scan took %lu ms\n", ignoresStop ? "stuck" : "cooperative",
                  (unsigned long)ms);
    assert_true(ms < 1000);
    assert_int_equal(a->abandoned, ignoresStop);
    CloseHandle(hThread);
    agent_free(a); /* a stuck scan keeps its agent: agent_free leaves it */
    if (ignoresStop) Sleep(t_ctl.jobMs); /* let the stuck job end before the next test */
    CloseHandle(hStop);
}

static void test_stop_mid_scan(void **state)
{
    (void)state;
    t_stop_mid_scan(0);
}

static void test_stop_stuck_scan(void **state)
{
    (void)state;
    t_stop_mid_scan(1);
}

static void test_debounce_registry_change(void **state)
{
    HANDLE hStop = CreateEventW(NULL, TRUE, FALSE, NULL), hThread;
    agent_t *a;
    HKEY h;
    DWORD d = 1, t0;
    uint64_t seed;
    int i;
    (void)state;
    t_dword(T_BASE, L"StartDelayMaxSeconds", 3600);
    /* timeScale 100: debounce 600 ms; first scan within 36 s, interval long */
    a = t_agent(hStop, 0, 100, NULL);
    a->set.startDelayMaxSec = 3600;
    /* The timed first scan comes 0..36 s after start, drawn from a clock-seeded generator: now
     * and then it fell inside this test and counted as a second debounced scan. A seed whose
     * first draw puts it past 30 s keeps it out. */
    for (seed = 1; seed < 1000; seed++) {
        uint64_t r;
        sched_seed(&r, seed);
        if (sched_start_delay_ms(sched_next(&r), a->set.startDelayMaxSec) >= 3000000u) break;
    }
    assert_true(seed < 1000);
    sched_seed(&a->rng, seed);
    hThread = (HANDLE)_beginthreadex(NULL, 0, t_run_thread, a, 0, NULL);
    Sleep(100);
    assert_int_equal(RegOpenKeyExW(HKEY_LOCAL_MACHINE, T_WATCH, 0, KEY_SET_VALUE, &h),
                     ERROR_SUCCESS);
    /* A burst of changes 200 ms apart gives one scan, 600 ms after the last. */
    for (i = 0; i < 4; i++) {
        d = (DWORD)i;
        RegSetValueExW(h, L"Installed", 0, REG_DWORD, (BYTE *)&d, 4);
        Sleep(200);
    }
    t0 = GetTickCount();
    assert_int_equal(t_ctl.nJob, 0);
    assert_int_equal(t_wait_count(&t_ctl.nJob, 1, 3000), 1);
    print_message("debounced scan %lu ms after the burst\n", (unsigned long)(GetTickCount() - t0));
    Sleep(800);
    assert_int_equal(t_ctl.nJob, 1);
    /* The watch was re-armed: another change, another scan. */
    RegSetValueExW(h, L"KB4012212", 0, REG_DWORD, (BYTE *)&d, 4);
    assert_int_equal(t_wait_count(&t_ctl.nJob, 2, 3000), 2);
    RegCloseKey(h);
    SetEvent(hStop);
    assert_int_equal(WaitForSingleObject(hThread, 2000), WAIT_OBJECT_0);
    CloseHandle(hThread);
    agent_free(a);
    CloseHandle(hStop);
}

static void test_reload_and_bad_setting(void **state)
{
    HANDLE hStop = CreateEventW(NULL, TRUE, FALSE, NULL), hThread;
    FILE *f = t_tmpfile();
    agent_t *a;
    char zLog[4096];
    size_t n;
    (void)state;
    assert_non_null(f);
    t_dword(T_BASE, L"StartDelayMaxSeconds", 3600);
    t_dword(T_POLICY, L"ScanIntervalMinutes", 3); /* too small: error event, base value used */
    a = t_agent(hStop, 0, 1, f);
    assert_int_equal(a->set.intervalMin, 15);
    assert_int_equal(a->evt.nError, 1);
    assert_int_equal(a->evt.lastId, 1302);
    hThread = (HANDLE)_beginthreadex(NULL, 0, t_run_thread, a, 0, NULL);
    Sleep(100);
    t_dword(T_POLICY, L"ScanIntervalMinutes", 720);
    SetEvent(a->hParam); /* what PARAMCHANGE does */
    Sleep(300);
    assert_int_equal(a->set.intervalMin, 720);
    assert_true(a->lastDelayMs >= 720u * 60000u * 9 / 10);
    assert_true(a->lastDelayMs <= 720u * 60000u * 11 / 10);
    SetEvent(hStop);
    assert_int_equal(WaitForSingleObject(hThread, 2000), WAIT_OBJECT_0);
    CloseHandle(hThread);
    agent_free(a);
    CloseHandle(hStop);
    rewind(f);
    n = fread(zLog, 1, sizeof(zLog) - 1, f);
    zLog[n] = 0;
    fclose(f);
    assert_non_null(strstr(zLog, "kbsentry event 1302 error"));
    assert_non_null(strstr(zLog, "ScanIntervalMinutes"));
    assert_non_null(strstr(zLog, "kbsentry event 1000 info"));
    assert_non_null(strstr(zLog, "kbsentry event 1002 info"));
    assert_non_null(strstr(zLog, "kbsentry event 1001 info"));
}

static void test_drop_retry_and_recover(void **state)
{
    HANDLE hStop = CreateEventW(NULL, TRUE, FALSE, NULL);
    FILE *f = t_tmpfile();
    agent_t *a;
    char zLog[4096];
    size_t n;
    (void)state;
    t_sz(T_BASE, L"DropShare", L"\\\\nosuchhost\\drop");
    t_ctl.failWrites = 3;
    /* 1000 x faster: backoff 30 ms, 60 ms, 120 ms (+ up to 25%). */
    a = t_agent(hStop, 1, 1000, f);
    assert_int_equal(agent_run(a), KBS_OK); /* one scan, then stop */
    /* agent_run stopped the copier; run one by hand to watch the retries. */
    ResetEvent(hStop);
    assert_int_equal(drop_start(&a->drop, hStop, &a->evt, t_write, 1), KBS_OK);
    a->drop.backoffScale = 1000;
    t_ctl.failWrites = 3;
    t_ctl.nWrite = 0;
    drop_submit(&a->drop, L"\\\\nosuchhost\\drop", L"HOST.kbs", calloc(1, 4), 4);
    assert_int_equal(t_wait_count(&a->drop.nCopied, 1, 3000), 1);
    assert_int_equal(t_ctl.nWrite, 4);
    SetEvent(hStop);
    assert_int_equal(drop_stop(&a->drop, 1000), 1);
    agent_free(a);
    CloseHandle(hStop);
    rewind(f);
    n = fread(zLog, 1, sizeof(zLog) - 1, f);
    zLog[n] = 0;
    fclose(f);
    /* The first failure and each doubling are reported, then the recovery. */
    assert_non_null(strstr(zLog, "kbsentry event 1301 error"));
    assert_non_null(strstr(zLog, "nosuchhost"));
    assert_non_null(strstr(zLog, "kbsentry event 1308 info"));
}

static void test_stuck_share_does_not_delay_stop(void **state)
{
    HANDLE hStop = CreateEventW(NULL, TRUE, FALSE, NULL), hThread;
    agent_t *a;
    DWORD t0, ms;
    (void)state;
    t_sz(T_BASE, L"DropShare", L"\\\\slowhost\\drop");
    t_ctl.writeMs = 3000; /* an SMB timeout */
    a = t_agent(hStop, 0, 1, NULL);
    hThread = (HANDLE)_beginthreadex(NULL, 0, t_run_thread, a, 0, NULL);
    assert_int_equal(t_wait_count(&t_ctl.nWrite, 1, 3000), 1);
    assert_int_equal(t_ctl.nJob, 1); /* the local part of the scan was done already */
    t0 = GetTickCount();
    SetEvent(hStop);
    assert_int_equal(WaitForSingleObject(hThread, 2000), WAIT_OBJECT_0);
    ms = GetTickCount() - t0;
    print_message("stop with a stuck share copy took %lu ms\n", (unsigned long)ms);
    assert_true(ms < 1000);
    assert_int_equal(a->abandoned, 1);
    CloseHandle(hThread);
    agent_free(a);
    Sleep(t_ctl.writeMs);
    CloseHandle(hStop);
}

/* Reads back what the agent mirrored of its events. */
static void t_log(FILE *f, char *z, size_t n)
{
    size_t nR;
    rewind(f);
    nR = fread(z, 1, n - 1, f);
    z[nR] = 0;
    fclose(f);
}

/* A scan stuck in WMI (ExecQuery never returns) is reported, abandoned, and the next scans run
 * without WMI; the stuck thread's late end changes nothing. */
static void test_scan_watchdog(void **state)
{
    HANDLE hStop = CreateEventW(NULL, TRUE, FALSE, NULL);
    FILE *f = t_tmpfile();
    agent_t *a;
    char zLog[8192];
    DWORD t0, ms;
    (void)state;
    assert_non_null(f);
    t_ctl.hangFirstMs = 4000;
    t_ctl.scanTimeoutMs = 300;
    /* 15 min / 100000: scans 9 ms apart; three scans: the hung one and two more. */
    a = t_agent(hStop, 3, 100000, f);
    t0 = GetTickCount();
    assert_int_equal(agent_run(a), KBS_OK);
    ms = GetTickCount() - t0;
    print_message("a hung scan was left after %lu ms\n", (unsigned long)ms);
    assert_true(ms < 3000); /* well before the hung call returns */
    assert_int_equal(a->nHung, 1);
    assert_int_equal(a->wmiOff, 1);
    assert_int_equal(t_ctl.nJob, 3);
    assert_int_equal(t_ctl.nJobWmiOff, 2);
    agent_free(a); /* leaves the memory: the hung thread still uses it */
    t_log(f, zLog, sizeof(zLog));
    assert_non_null(strstr(zLog, "kbsentry event 1310 error"));
    Sleep(t_ctl.hangFirstMs); /* let the hung job end before the next test */
    CloseHandle(hStop);
}

/* A DataDir policy naming a drive this machine lacks: the agent starts, on the default
 * directory, and says so (the MSI's start of the service succeeds). */
static void test_datadir_policy_fallback(void **state)
{
    HANDLE hStop = CreateEventW(NULL, TRUE, FALSE, NULL);
    FILE *f = t_tmpfile();
    agent_t *a;
    char zLog[8192];
    (void)state;
    assert_non_null(f);
    t_sz(T_POLICY, L"DataDir", L"Q:\\kbs-no-such-drive");
    a = t_agent(hStop, 0, 1, f);
    /* The default: CSIDL_COMMON_APPDATA\kbsentry. */
    assert_non_null(wcsstr(a->zDataDir, L"\\kbsentry"));
    assert_true(wcsncmp(a->zDataDir, L"Q:", 2) != 0);
    assert_true(GetFileAttributesW(a->zDataDir) & FILE_ATTRIBUTE_DIRECTORY);
    agent_free(a);
    t_log(f, zLog, sizeof(zLog));
    assert_non_null(strstr(zLog, "Q:\\kbs-no-such-drive"));
    assert_non_null(strstr(zLog, "kbsentry event 1311 "));
    CloseHandle(hStop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scans_on_schedule, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_scan_watchdog, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_datadir_policy_fallback, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_stop_mid_scan, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_stop_stuck_scan, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_debounce_registry_change, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_reload_and_bad_setting, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_drop_retry_and_recover, t_setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_stuck_share_does_not_delay_stop, t_setup, t_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
