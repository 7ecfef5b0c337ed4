/* test_faults.c: the agent under injected faults: disk full in the data directory, drop share
 * gone mid-copy, WMI unavailable, registry access denied, clock set back, two writers racing,
 * stale temp files; each time the agent goes on, reports an event and leaves no torn snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <process.h>
#include <shlwapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wbemcli.h>
#include <windows.h>

#include "agent.h"
#include "history.h"
#include "kbs_err.h"
#include "regfix.h"
#include "scan.h"
#include "snap.h"
#include "win_out.h"

#define T_BASE   L"SOFTWARE\\kbsentry-test-faults\\Base"
#define T_POLICY L"SOFTWARE\\kbsentry-test-faults\\Policies"
#define T_TIME0  1494662400 /* 2017-05-13T08:00:00Z */

/* What the injected calls do; set by each test, read from the scan and copy threads. */
typedef struct t_fault {
    volatile LONG diskFull;   /* data-dir writes: WriteFile fails (half written) this many times */
    volatile LONG flushFull;  /* ... FlushFileBuffers fails this many times */
    volatile LONG shareFails; /* share copies: the share goes away after half the data */
    volatile LONG tornSeen;   /* the share file was found torn during a failed copy */
    volatile LONG wmiMode;    /* 1: CoCreateInstance fails, 2: ConnectServer fails */
    volatile LONG regDenied;  /* 1: the hotfix keys answer ERROR_ACCESS_DENIED */
    volatile LONG nJob;
    int64_t now;      /* the wall clock the agent sees */
    int64_t stepBack; /* agent_run test: each scan's clock is this much earlier */
    wchar_t zShareFile[MAX_PATH];
} t_fault_t;
static t_fault_t g;
static winsys_t g_sys, g_shareSys;
static wchar_t g_zTmp[MAX_PATH];

/* The test environment: a private registry fixture, data dir, share dir and event mirror. */
typedef struct t_env {
    HKEY hRoot;
    wchar_t zRoot[128], zDir[MAX_PATH], zShare[MAX_PATH];
    char zEvtPath[MAX_PATH];
    FILE *fEvt;
    scan_opts_t so;
    agent_opts_t o;
    HANDLE hStop;
    agent_t *a;
    char *zEvents; /* the mirror's text after t_finish */
} t_env_t;

/* ---- injected calls ---- */

static BOOL WINAPI t_write(HANDLE h, LPCVOID p, DWORD n, LPDWORD pn, LPOVERLAPPED o)
{
    if (g.diskFull > 0) {
        InterlockedDecrement(&g.diskFull);
        WriteFile(h, p, n / 2, pn, o); /* half, then the disk is full */
        SetLastError(ERROR_DISK_FULL);
        return FALSE;
    }
    return WriteFile(h, p, n, pn, o);
}

static BOOL WINAPI t_flush(HANDLE h)
{
    if (g.flushFull > 0) {
        InterlockedDecrement(&g.flushFull);
        SetLastError(ERROR_DISK_FULL);
        return FALSE;
    }
    return FlushFileBuffers(h);
}

/* The share file is whole (or absent) at every moment: checked while a copy is half done. */
static int t_file_whole(const wchar_t *zPath)
{
    HANDLE h = CreateFileW(zPath, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, 0, NULL);
    char *p;
    DWORD n, nR = 0;
    snap_t s;
    int ok;

    if (h == INVALID_HANDLE_VALUE) return GetLastError() == ERROR_FILE_NOT_FOUND;
    n = GetFileSize(h, NULL);
    p = malloc(n + 1);
    ok = p && ReadFile(h, p, n, &nR, NULL) && nR == n && snap_parse(p, n, &s, NULL) == KBS_OK;
    if (p) snap_release(&s);
    free(p);
    CloseHandle(h);
    return ok;
}

static BOOL WINAPI t_share_write(HANDLE h, LPCVOID p, DWORD n, LPDWORD pn, LPOVERLAPPED o)
{
    if (g.shareFails > 0) {
        InterlockedDecrement(&g.shareFails);
        WriteFile(h, p, n / 2, pn, o);
        if (!t_file_whole(g.zShareFile)) InterlockedIncrement(&g.tornSeen);
        SetLastError(ERROR_NETNAME_DELETED);
        return FALSE;
    }
    return WriteFile(h, p, n, pn, o);
}

static int t_drop_write(const wchar_t *zPath, const void *p, size_t n, char *zErr, size_t nErr)
{
    return out_write_file_sys(&g_shareSys, zPath, p, n, zErr, nErr);
}

static int t_null_write(const wchar_t *zPath, const void *p, size_t n, char *zErr, size_t nErr)
{
    (void)zPath, (void)p, (void)n, (void)zErr, (void)nErr;
    return KBS_OK;
}

/* A WbemLocator whose ConnectServer fails as when the WMI service is stopped. */
static HRESULT STDMETHODCALLTYPE t_loc_qi(IWbemLocator *This, REFIID riid, void **ppv)
{
    (void)This, (void)riid;
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE t_loc_ref(IWbemLocator *This)
{
    (void)This;
    return 1;
}
static HRESULT STDMETHODCALLTYPE t_loc_connect(IWbemLocator *This, const BSTR zNs, const BSTR u,
                                               const BSTR pw, const BSTR loc, LONG fl,
                                               const BSTR auth, IWbemContext *ctx,
                                               IWbemServices **pp)
{
    (void)This, (void)zNs, (void)u, (void)pw, (void)loc, (void)fl, (void)auth, (void)ctx;
    *pp = NULL;
    return HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE);
}
static IWbemLocatorVtbl g_locVtbl = {t_loc_qi, t_loc_ref, t_loc_ref, t_loc_connect};
static IWbemLocator g_loc = {&g_locVtbl};

static HRESULT WINAPI t_cocreate(REFCLSID c, LPUNKNOWN o, DWORD x, REFIID r, LPVOID *pp)
{
    if (g.wmiMode == 1) {
        *pp = NULL;
        return REGDB_E_CLASSNOTREG;
    }
    if (g.wmiMode == 2) {
        *pp = &g_loc;
        return S_OK;
    }
    return CoCreateInstance(c, o, x, r, pp);
}

static LONG WINAPI t_regopen(HKEY h, LPCWSTR z, DWORD o, REGSAM sam, PHKEY ph)
{
    if (g.regDenied && z &&
        (wcsstr(z, L"Updates") || wcsstr(z, L"HotFix") || wcsstr(z, L"Component Based"))) {
        *ph = NULL;
        return ERROR_ACCESS_DENIED;
    }
    return RegOpenKeyExW(h, z, o, sam, ph);
}

static int64_t t_now(void)
{
    return g.now;
}

/* The agent_run test's job: a different fault on each scan. */
static int t_job_each_fault(agent_t *a)
{
    LONG n = InterlockedIncrement(&g.nJob);
    g.diskFull = n == 1;
    g.wmiMode = n == 2 ? 1 : 0;
    g.regDenied = n == 3;
    g.now -= g.stepBack;
    return agent_scan_job(a);
}

/* ---- helpers ---- */

static void t_sz(const wchar_t *zKey, const wchar_t *zName, const wchar_t *z)
{
    assert_int_equal(rf_sz(HKEY_CURRENT_USER, zKey, zName, z), 0);
}

static void t_mkdir(const wchar_t *zName, wchar_t *zOut)
{
    _snwprintf(zOut, MAX_PATH, L"%ls\\%ls", g_zTmp, zName);
    zOut[MAX_PATH - 1] = 0;
    CreateDirectoryW(zOut, NULL);
}

/* Files matching zPattern in zDir. */
static int t_count_files(const wchar_t *zDir, const wchar_t *zPattern)
{
    wchar_t z[MAX_PATH];
    WIN32_FIND_DATAW fd;
    HANDLE h;
    int n = 0;

    _snwprintf(z, MAX_PATH, L"%ls\\%ls", zDir, zPattern);
    z[MAX_PATH - 1] = 0;
    if ((h = FindFirstFileW(z, &fd)) == INVALID_HANDLE_VALUE) return 0;
    do
        n++;
    while (FindNextFileW(h, &fd));
    FindClose(h);
    return n;
}

/* The only *.kbs file in zDir, read whole (malloc'd, *pn bytes) and parsed into *s. */
static char *t_read_snap(const wchar_t *zDir, size_t *pn, snap_t *s)
{
    wchar_t z[MAX_PATH];
    WIN32_FIND_DATAW fd;
    HANDLE h;
    char *p;
    DWORD n, nR = 0;
    snap_err_t err;

    assert_int_equal(t_count_files(zDir, L"*.kbs"), 1);
    _snwprintf(z, MAX_PATH, L"%ls\\*.kbs", zDir);
    z[MAX_PATH - 1] = 0;
    h = FindFirstFileW(z, &fd);
    assert_true(h != INVALID_HANDLE_VALUE);
    FindClose(h);
    _snwprintf(z, MAX_PATH, L"%ls\\%ls", zDir, fd.cFileName);
    z[MAX_PATH - 1] = 0;
    h = CreateFileW(z, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(h != INVALID_HANDLE_VALUE);
    n = GetFileSize(h, NULL);
    assert_non_null(p = malloc(n + 1));
    assert_true(ReadFile(h, p, n, &nR, NULL) && nR == n);
    CloseHandle(h);
    p[n] = 0;
    assert_int_equal(snap_parse(p, n, s, &err), KBS_OK);
    *pn = n;
    return p;
}

static const snap_source_t *t_src(const snap_t *s, const char *zName)
{
    size_t i;
    for (i = 0; i < s->nSource; i++)
        if (!strcmp(s->aSource[i].zName, zName)) return &s->aSource[i];
    return NULL;
}

/* How many events with this id the mirror shows, and whether one of them holds zText. */
static int t_events(const t_env_t *e, unsigned id, const char *zText)
{
    char zHead[48];
    const char *z = e->zEvents;
    int n = 0;

    snprintf(zHead, sizeof(zHead), "kbsentry event %u ", id);
    while ((z = strstr(z, zHead)) != NULL) {
        const char *zEnd = strchr(z, '\n');
        size_t len = zEnd ? (size_t)(zEnd - z) : strlen(z);
        if (!zText) {
            n++;
        } else {
            char *zLine = malloc(len + 1);
            assert_non_null(zLine);
            memcpy(zLine, z, len);
            zLine[len] = 0;
            n += strstr(zLine, zText) != NULL;
            free(zLine);
        }
        z += len;
    }
    return n;
}

/* Sets up the fixture and an agent whose scans read only the registry fixture (no WMI unless
 * withWmi, no files) through the injected call table. */
static void t_start(t_env_t *e, const wchar_t *zName, int withShare, int withWmi)
{
    wchar_t zSub[64];

    memset(e, 0, sizeof(*e));
    memset(&g, 0, sizeof(g));
    g.now = T_TIME0;
    t_mkdir(zName, e->zDir);
    assert_int_equal(rf_root(L"faults", e->zRoot, 128, &e->hRoot), 0);
    assert_int_equal(rf_hotfixes(e->hRoot), 0);
    assert_int_equal(rf_sz(e->hRoot, RF_CV, L"ProductName", L"Windows 7 Enterprise"), 0);
    t_sz(T_BASE, L"DataDir", e->zDir);
    SHDeleteValueW(HKEY_CURRENT_USER, T_BASE, L"DropShare");
    if (withShare) {
        _snwprintf(zSub, 64, L"%ls-share", zName);
        zSub[63] = 0;
        t_mkdir(zSub, e->zShare);
        t_sz(T_BASE, L"DropShare", e->zShare);
    }
    snprintf(e->zEvtPath, sizeof(e->zEvtPath), "%s/faults-%lu-events.txt", KBS_TEST_TMP,
             (unsigned long)GetCurrentProcessId());
    assert_non_null(e->fEvt = fopen(e->zEvtPath, "w+"));
    e->so.sys = &g_sys;
    e->so.hRegRoot = e->hRoot;
    e->so.regOneView = 1;
    e->so.flags = SCAN_NO_FILES | (withWmi ? 0 : SCAN_NO_WMI);
    e->o.fMirror = e->fEvt;
    e->o.hSettingsRoot = HKEY_CURRENT_USER;
    e->o.zPolicyKey = T_POLICY;
    e->o.zBaseKey = T_BASE;
    e->o.pfnJob = agent_scan_job;
    e->o.pfnJobFree = agent_scan_free;
    e->o.pfnDropWrite = withShare ? t_drop_write : t_null_write;
    e->o.timeScale = 1000; /* share retries after 30, 60, 120 ms */
    e->o.pScanOpts = &e->so;
    e->o.pfnNow = t_now;
    assert_non_null(e->hStop = CreateEventW(NULL, TRUE, FALSE, NULL));
}

static void t_new_agent(t_env_t *e)
{
    assert_int_equal(agent_new(&e->a, e->hStop, &e->o), KBS_OK);
}

/* Reads the events mirrored so far into e->zEvents (replacing the previous text). */
static void t_read_events(t_env_t *e)
{
    long n;

    fflush(e->fEvt);
    fseek(e->fEvt, 0, SEEK_END);
    n = ftell(e->fEvt);
    fseek(e->fEvt, 0, SEEK_SET);
    free(e->zEvents);
    assert_non_null(e->zEvents = calloc(1, (size_t)n + 1));
    n = (long)fread(e->zEvents, 1, (size_t)n, e->fEvt);
    e->zEvents[n > 0 ? n : 0] = 0;
    fseek(e->fEvt, 0, SEEK_END);
}

static void t_finish(t_env_t *e)
{
    SetEvent(e->hStop);
    agent_free(e->a);
    CloseHandle(e->hStop);
    fclose(e->fEvt);
    remove(e->zEvtPath);
    free(e->zEvents);
    rf_drop(e->hRoot, e->zRoot);
    SHDeleteKeyW(HKEY_CURRENT_USER, L"SOFTWARE\\kbsentry-test-faults");
}

/* ---- tests ---- */

/* Disk full in the data directory, in WriteFile (half written) and in FlushFileBuffers: the
 * previous snapshot stays byte for byte and parses, no temp file is left, an error event names
 * the call and code 112, the history skips the scan, and the next scan succeeds. */
static void test_disk_full(void **state)
{
    t_env_t e;
    snap_t s;
    char *p1, *p2;
    size_t n1, n2;
    hist_stats_t hs;
    (void)state;

    t_start(&e, L"diskfull", 0, 0);
    t_new_agent(&e);
    assert_int_equal(agent_scan_job(e.a), KBS_OK);
    p1 = t_read_snap(e.zDir, &n1, &s);
    assert_int_equal(s.scanTime, T_TIME0);
    snap_release(&s);

    g.now += 3600;
    g.diskFull = 1;
    assert_int_equal(agent_scan_job(e.a), KBS_EIO);
    assert_int_equal(g.diskFull, 0); /* the fault was hit */
    p2 = t_read_snap(e.zDir, &n2, &s);
    assert_int_equal(n1, n2);
    assert_memory_equal(p1, p2, n1);
    assert_int_equal(s.scanTime, T_TIME0);
    snap_release(&s);
    free(p2);
    assert_int_equal(t_count_files(e.zDir, L"*.tmp*"), 0);

    g.now += 3600;
    g.flushFull = 1;
    assert_int_equal(agent_scan_job(e.a), KBS_EIO);
    assert_int_equal(g.flushFull, 0);
    p2 = t_read_snap(e.zDir, &n2, &s);
    assert_memory_equal(p1, p2, n1);
    snap_release(&s);
    free(p2);
    assert_int_equal(t_count_files(e.zDir, L"*.tmp*"), 0);

    t_read_events(&e);
    assert_int_equal(t_events(&e, 1304, NULL), 2);
    assert_int_equal(t_events(&e, 1304, "WriteFile"), 1);
    assert_int_equal(t_events(&e, 1304, "FlushFileBuffers"), 1);
    assert_int_equal(t_events(&e, 1304, ": 112"), 2);
    assert_int_equal(t_events(&e, 1100, NULL), 1); /* "scan done" only for the written one */
    assert_int_equal(hist_stats(agent_scan_history(e.a), &hs), KBS_OK);
    assert_int_equal(hs.nScan, 1);

    g.now += 3600;
    assert_int_equal(agent_scan_job(e.a), KBS_OK);
    p2 = t_read_snap(e.zDir, &n2, &s);
    assert_int_equal(s.scanTime, T_TIME0 + 3 * 3600);
    assert_true(s.hotfixesComplete);
    snap_release(&s);
    free(p2);
    free(p1);
    assert_int_equal(hist_stats(agent_scan_history(e.a), &hs), KBS_OK);
    assert_int_equal(hs.nScan, 2);
    assert_int_equal(hs.nRemoved, 0);
    t_finish(&e);
}

/* The local disk is full but the share works: the console still gets this scan. */
static void test_disk_full_share_still_copied(void **state)
{
    t_env_t e;
    snap_t s;
    char *p;
    size_t n;
    DWORD t0;
    (void)state;

    t_start(&e, L"fullshare", 1, 0);
    t_new_agent(&e);
    g.diskFull = 1;
    assert_int_equal(agent_scan_job(e.a), KBS_EIO);
    assert_int_equal(t_count_files(e.zDir, L"*.kbs"), 0);
    for (t0 = GetTickCount(); e.a->drop.nCopied < 1 && GetTickCount() - t0 < 5000;)
        Sleep(10);
    assert_int_equal(e.a->drop.nCopied, 1);
    p = t_read_snap(e.zShare, &n, &s);
    assert_int_equal(s.scanTime, T_TIME0);
    snap_release(&s);
    free(p);
    t_finish(&e);
}

/* The share goes away mid-copy (half the data written, then ERROR_NETNAME_DELETED) three times:
 * the share's snapshot is whole at every failure, no temp file stays, the copy is retried with
 * growing delays and error events, and the fourth attempt lands the new snapshot. */
static void test_share_gone_mid_copy(void **state)
{
    t_env_t e;
    snap_t s;
    char *pLocal, *pShare;
    size_t nLocal, nShare;
    DWORD t0, ms;
    (void)state;

    t_start(&e, L"sharegone", 1, 0);
    t_new_agent(&e);
    assert_int_equal(agent_scan_job(e.a), KBS_OK);
    for (t0 = GetTickCount(); e.a->drop.nCopied < 1 && GetTickCount() - t0 < 5000;)
        Sleep(10);
    assert_int_equal(e.a->drop.nCopied, 1);
    pShare = t_read_snap(e.zShare, &nShare, &s);
    snap_release(&s);
    free(pShare);
    _snwprintf(g.zShareFile, MAX_PATH, L"%ls\\%ls", e.zShare, L"*.kbs");
    {
        WIN32_FIND_DATAW fd;
        HANDLE h = FindFirstFileW(g.zShareFile, &fd);
        assert_true(h != INVALID_HANDLE_VALUE);
        FindClose(h);
        _snwprintf(g.zShareFile, MAX_PATH, L"%ls\\%ls", e.zShare, fd.cFileName);
    }

    g.now += 3600;
    g.shareFails = 3;
    t0 = GetTickCount();
    assert_int_equal(agent_scan_job(e.a), KBS_OK); /* the local write never waits for it */
    while (e.a->drop.nCopied < 2 && GetTickCount() - t0 < 10000)
        Sleep(5);
    ms = GetTickCount() - t0;
    assert_int_equal(e.a->drop.nCopied, 2);
    assert_int_equal(e.a->drop.nAttempt, 5);
    assert_int_equal(g.shareFails, 0);
    assert_int_equal(g.tornSeen, 0);
    /* Backoff 30 + 60 + 120 ms (scaled), plus up to 25% jitter each. */
    print_message("share copy landed after 3 failures in %lu ms\n", (unsigned long)ms);
    assert_true(ms >= 200);
    assert_int_equal(t_count_files(e.zShare, L"*.tmp*"), 0);
    pLocal = t_read_snap(e.zDir, &nLocal, &s);
    snap_release(&s);
    pShare = t_read_snap(e.zShare, &nShare, &s);
    assert_int_equal(s.scanTime, T_TIME0 + 3600);
    snap_release(&s);
    assert_int_equal(nLocal, nShare);
    assert_memory_equal(pLocal, pShare, nLocal);
    free(pLocal);
    free(pShare);

    t_read_events(&e);
    assert_int_equal(t_events(&e, 1301, NULL), 2); /* after failures 1 and 2: one per doubling */
    assert_int_equal(t_events(&e, 1301, ": 64"), 2);
    assert_int_equal(t_events(&e, 1308, NULL), 1);
    t_finish(&e);
}

/* WMI unavailable, as CoCreateInstance failing and as ConnectServer failing: the registry still
 * answers, the snapshot records the failed sources with the reason, event 1300 per source. */
static void test_wmi_unavailable(void **state)
{
    static const char *const azWhy[2] = {"CoCreateInstance WbemLocator: 0x80040154",
                                         "IWbemLocator::ConnectServer ROOT\\CIMV2: 0x800706BA"};
    t_env_t e;
    snap_t s;
    char *p;
    size_t n;
    int mode;
    (void)state;

    for (mode = 1; mode <= 2; mode++) {
        t_start(&e, mode == 1 ? L"wmi1" : L"wmi2", 0, 1);
        t_new_agent(&e);
        g.wmiMode = mode;
        assert_int_equal(agent_scan_job(e.a), KBS_OK);
        p = t_read_snap(e.zDir, &n, &s);
        assert_false(t_src(&s, "wmi-os")->ok);
        assert_false(t_src(&s, "wmi-cs")->ok);
        assert_false(t_src(&s, "wmi-qfe")->ok);
        assert_string_equal(t_src(&s, "wmi-qfe")->zError, azWhy[mode - 1]);
        assert_true(t_src(&s, "reg-cbs")->ok);
        assert_true(t_src(&s, "reg-hotfix")->ok);
        assert_int_equal(snap_has_kb(&s, 4012212), 1);
        assert_int_equal(snap_has_kb(&s, 958644), 1);
        assert_true(s.hotfixesComplete); /* CBS lists every fix of this (Vista+) OS */
        assert_true(s.zHost[0] != 0);    /* GetComputerNameW needs no WMI */
        snap_release(&s);
        free(p);
        t_read_events(&e);
        assert_int_equal(t_events(&e, 1300, NULL), 3);
        assert_int_equal(t_events(&e, 1300, azWhy[mode - 1]), 3);
        assert_int_equal(t_events(&e, 1100, "partial"), 1);
        t_finish(&e);
    }
}

/* Registry access denied on the hotfix keys (and no WMI): each list source fails with the
 * reason, the snapshot is still written and says the list is incomplete, a warning event per
 * source, and the history records no removal although the KBs are missing from this scan. */
static void test_registry_denied(void **state)
{
    t_env_t e;
    snap_t s;
    char *p;
    size_t n;
    hist_stats_t hs;
    (void)state;

    t_start(&e, L"regdenied", 0, 0);
    t_new_agent(&e);
    assert_int_equal(agent_scan_job(e.a), KBS_OK);
    assert_int_equal(hist_stats(agent_scan_history(e.a), &hs), KBS_OK);
    assert_true(hs.nHotfix >= 5);

    g.now += 3600;
    g.regDenied = 1;
    assert_int_equal(agent_scan_job(e.a), KBS_OK);
    p = t_read_snap(e.zDir, &n, &s);
    assert_int_equal(s.scanTime, T_TIME0 + 3600);
    assert_false(t_src(&s, "reg-updates")->ok);
    assert_false(t_src(&s, "reg-hotfix")->ok);
    assert_false(t_src(&s, "reg-cbs")->ok);
    assert_non_null(strstr(t_src(&s, "reg-cbs")->zError, ": 5"));
    assert_true(t_src(&s, "reg-os")->ok); /* CurrentVersion is still readable */
    assert_int_equal(s.nHotfix, 0);
    assert_false(s.hotfixesComplete);
    assert_true(s.zHotfixNote[0] != 0);
    snap_release(&s);
    free(p);

    t_read_events(&e);
    assert_int_equal(t_events(&e, 1306, ": 5"), 3);
    assert_int_equal(t_events(&e, 1101, NULL), 0); /* no "hotfix changes" */
    assert_int_equal(hist_stats(agent_scan_history(e.a), &hs), KBS_OK);
    assert_int_equal(hs.nScan, 2);
    assert_int_equal(hs.nRemoved, 0);
    assert_true(hs.nHotfix >= 5); /* the known set is kept */
    t_finish(&e);
}

/* The clock goes back a day: one warning event, the snapshot carries the new (earlier) time,
 * the history keeps both scans without inventing changes, and a KB installed after the jump is
 * still recorded as added. */
static void test_clock_back(void **state)
{
    t_env_t e;
    snap_t s;
    char *p;
    size_t n;
    hist_stats_t hs;
    hist_change_t ch;
    (void)state;

    t_start(&e, L"clock", 0, 0);
    t_new_agent(&e);
    assert_int_equal(agent_scan_job(e.a), KBS_OK);
    g.now -= 86400;
    assert_int_equal(agent_scan_job(e.a), KBS_OK);
    p = t_read_snap(e.zDir, &n, &s);
    assert_int_equal(s.scanTime, T_TIME0 - 86400);
    snap_release(&s);
    free(p);
    t_read_events(&e);
    assert_int_equal(t_events(&e, 1309, "2017-05-12T08:00:00Z"), 1);
    assert_int_equal(t_events(&e, 1309, "2017-05-13T08:00:00Z"), 1);

    /* Time goes on from the new value: no further warning. */
    g.now += 6 * 3600;
    assert_int_equal(rf_dword(e.hRoot, RF_HFX L"\\KB4013389", L"Installed", 1), 0);
    assert_int_equal(agent_scan_job(e.a), KBS_OK);
    t_read_events(&e);
    assert_int_equal(t_events(&e, 1309, NULL), 1);
    assert_int_equal(t_events(&e, 1101, "+KB4013389"), 1);
    assert_int_equal(hist_stats(agent_scan_history(e.a), &hs), KBS_OK);
    assert_int_equal(hs.nScan, 3);
    assert_int_equal(hs.nRemoved, 0);
    assert_int_equal(hs.nAdded, 1);
    assert_int_equal(hist_last_time(agent_scan_history(e.a)), T_TIME0 - 86400 + 6 * 3600);
    t_finish(&e);

    /* A new agent (service restart) compares with the history: the clock went back while the
     * service was down. */
    t_start(&e, L"clock", 0, 0);
    assert_int_equal(rf_dword(e.hRoot, RF_HFX L"\\KB4013389", L"Installed", 1), 0);
    g.now = T_TIME0 - 10 * 86400;
    t_new_agent(&e);
    assert_int_equal(agent_scan_job(e.a), KBS_OK);
    t_read_events(&e);
    assert_int_equal(t_events(&e, 1309, "2017-05-03T08:00:00Z"), 1);
    assert_int_equal(hist_stats(agent_scan_history(e.a), &hs), KBS_OK);
    assert_int_equal(hs.nScan, 4);
    assert_int_equal(hs.nRemoved, 0);
    t_finish(&e);

    /* The history itself: a scan dated before the previous one with the same set is no change. */
    {
        hist_t h;
        hist_scan_t sc;
        char zPath[MAX_PATH], zErr[256];
        const char *az[2] = {"KB1", "KB2"};

        snprintf(zPath, sizeof(zPath), "%s/faults-%lu-hist.db", KBS_TEST_TMP,
                 (unsigned long)GetCurrentProcessId());
        remove(zPath);
        assert_int_equal(hist_open(&h, zPath, zErr, sizeof(zErr)), KBS_OK);
        memset(&sc, 0, sizeof(sc));
        sc.complete = 1;
        sc.time = T_TIME0;
        assert_int_equal(hist_record(&h, &sc, az, 2, &ch, zErr, sizeof(zErr)), KBS_OK);
        sc.time = T_TIME0 - 86400 * 365;
        assert_int_equal(hist_record(&h, &sc, az, 2, &ch, zErr, sizeof(zErr)), KBS_OK);
        assert_int_equal(ch.nAdded + ch.nRemoved, 0);
        assert_int_equal(hist_record(&h, &sc, az, 1, &ch, zErr, sizeof(zErr)), KBS_OK);
        assert_int_equal(ch.nRemoved, 1); /* a real removal still counts */
        assert_int_equal(hist_last_time(&h), T_TIME0 - 86400 * 365);
        hist_close(&h);
        remove(zPath);
    }
}

/* The worker loop with a different fault on each scan and the clock going back an hour before
 * every scan: it keeps scanning at its interval (no stall, no tight loop) and ends whole. */
static void test_agent_keeps_running(void **state)
{
    t_env_t e;
    snap_t s;
    char *p;
    size_t n;
    DWORD t0, ms;
    (void)state;

    t_start(&e, L"keeprunning", 0, 1);
    e.o.pfnJob = t_job_each_fault;
    e.o.maxScans = 5;
    e.o.timeScale = 200000; /* 360 min -> about 108 ms */
    g.stepBack = 3600;
    g.now = T_TIME0 + 3600;
    t_new_agent(&e);
    t0 = GetTickCount();
    assert_int_equal(agent_run(e.a), KBS_OK);
    ms = GetTickCount() - t0;
    print_message("5 scans with faults and a clock going back: %lu ms\n", (unsigned long)ms);
    assert_int_equal(e.a->nScans, 5);
    assert_int_equal(g.nJob, 5);
    assert_int_equal(e.a->lastJobRc, KBS_OK);
    /* Four intervals of at least 90% of 108 ms between five scans. */
    assert_true(ms >= 4 * 97 - 20);
    assert_true(ms < 20000);
    p = t_read_snap(e.zDir, &n, &s);
    assert_int_equal(s.scanTime, T_TIME0 - 4 * 3600);
    snap_release(&s);
    free(p);
    assert_int_equal(t_count_files(e.zDir, L"*.tmp*"), 0);
    t_read_events(&e);
    assert_int_equal(t_events(&e, 1304, ": 112"), 1);
    assert_int_equal(t_events(&e, 1300, "0x80040154"), 3);
    assert_true(t_events(&e, 1306, ": 5") >= 3);
    assert_int_equal(t_events(&e, 1309, NULL), 4);
    assert_int_equal(t_events(&e, 1100, NULL), 4);
    assert_int_equal(t_events(&e, 1001, NULL), 1);
    t_finish(&e);
}

/* ---- two writers racing ---- */

#define T_RACE_WRITERS 4

typedef struct t_race {
    const wchar_t *zPath;
    char *apText[T_RACE_WRITERS];
    size_t anText[T_RACE_WRITERS];
    int nWriters, nRounds;
    volatile LONG nOk, nFail, nTorn, nRead, done;
} t_race_t;
typedef struct t_race_arg {
    t_race_t *r;
    int index;
} t_race_arg_t;

static unsigned __stdcall t_race_writer(void *pArg)
{
    t_race_arg_t *ra = pArg;
    char zErr[256];
    int i;

    for (i = 0; i < ra->r->nRounds; i++) {
        if (out_write_file(ra->r->zPath, ra->r->apText[ra->index], ra->r->anText[ra->index], zErr,
                           sizeof(zErr)) == KBS_OK)
            InterlockedIncrement(&ra->r->nOk);
        else if (InterlockedIncrement(&ra->r->nFail) == 1)
            print_message("first failed write: %s\n", zErr);
    }
    return 0;
}

/* A reader the way a collector reads: open, read all, close. Each read must be one whole text. */
static unsigned __stdcall t_race_reader(void *pArg)
{
    t_race_t *r = pArg;
    static char buf[1 << 16];

    while (!r->done) {
        HANDLE h =
            CreateFileW(r->zPath, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
        DWORD nR = 0;
        int i, whole = 0;
        if (h == INVALID_HANDLE_VALUE) continue;
        ReadFile(h, buf, sizeof(buf), &nR, NULL);
        CloseHandle(h);
        for (i = 0; i < r->nWriters; i++)
            whole |= nR == r->anText[i] && !memcmp(buf, r->apText[i], nR);
        if (!whole) InterlockedIncrement(&r->nTorn);
        InterlockedIncrement(&r->nRead);
        Sleep(1);
    }
    return 0;
}

/* nWriters threads replace one file nRounds times each with texts of different lengths while a
 * reader reads it the way a collector does. Every read is one whole text, no temp file stays,
 * the final file is one whole text; returns the number of failed writes. */
static long t_race_run(int nWriters, int nRounds)
{
    t_race_t r;
    t_race_arg_t aArg[T_RACE_WRITERS];
    HANDLE ah[T_RACE_WRITERS + 1];
    wchar_t zDir[MAX_PATH], zPath[MAX_PATH];
    char zBuf[1 << 16];
    DWORD nR = 0;
    HANDLE h;
    int i, j, whole = 0;

    memset(&r, 0, sizeof(r));
    t_mkdir(L"race", zDir);
    _snwprintf(zPath, MAX_PATH, L"%ls\\HOST-%d.kbs", zDir, nWriters);
    r.zPath = zPath;
    r.nRounds = nRounds;
    r.nWriters = nWriters;
    for (i = 0; i < nWriters; i++) {
        r.anText[i] = 1000 + (size_t)i * 7000;
        assert_non_null(r.apText[i] = malloc(r.anText[i]));
        for (j = 0; j < (int)r.anText[i]; j++)
            r.apText[i][j] = (char)('a' + i);
    }
    for (i = 0; i < nWriters; i++) {
        aArg[i].r = &r;
        aArg[i].index = i;
        ah[i] = (HANDLE)_beginthreadex(NULL, 0, t_race_writer, &aArg[i], 0, NULL);
        assert_non_null(ah[i]);
    }
    ah[nWriters] = (HANDLE)_beginthreadex(NULL, 0, t_race_reader, &r, 0, NULL);
    assert_non_null(ah[nWriters]);
    assert_int_equal(WaitForMultipleObjects((DWORD)nWriters, ah, TRUE, 60000), WAIT_OBJECT_0);
    r.done = 1;
    WaitForSingleObject(ah[nWriters], 10000);
    for (i = 0; i <= nWriters; i++)
        CloseHandle(ah[i]);
    print_message("%d writers x %d: %ld ok, %ld failed (the rename kept finding the file busy); "
                  "%ld reads, %ld torn\n",
                  nWriters, nRounds, (long)r.nOk, (long)r.nFail, (long)r.nRead, (long)r.nTorn);
    assert_int_equal(r.nOk + r.nFail, nWriters * nRounds);
    assert_int_equal(r.nTorn, 0);
    assert_true(r.nRead > 0);
    assert_int_equal(t_count_files(zDir, L"*.tmp*"), 0);
    h = CreateFileW(zPath, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(h != INVALID_HANDLE_VALUE);
    ReadFile(h, zBuf, sizeof(zBuf), &nR, NULL);
    CloseHandle(h);
    for (i = 0; i < nWriters; i++) {
        whole |= nR == r.anText[i] && !memcmp(zBuf, r.apText[i], nR);
        free(r.apText[i]);
    }
    assert_true(whole);
    return (long)r.nFail;
}

/* Two writers (the service and a `scan --out` into its directory) and a reader: every write
 * lands. Four writers with no pause between writes: a rename may give up after its retries
 * (a clean error, the old file whole), but rarely. */
static void test_race_writers(void **state)
{
    (void)state;
    assert_int_equal(t_race_run(2, 300), 0);
    assert_true(t_race_run(4, 150) <= 4 * 150 / 50);
}

/* Two agents (the service and a `scan --out` of the same data directory) scan at once, many
 * times: every scan succeeds, the snapshot parses, the shared history took every scan. */
#define T_AGENT_ROUNDS 40
static unsigned __stdcall t_agent_loop(void *pArg)
{
    agent_t *a = pArg;
    int i, nFail = 0;

    for (i = 0; i < T_AGENT_ROUNDS; i++)
        nFail += agent_scan_job(a) != KBS_OK;
    return (unsigned)nFail;
}

static void test_race_agents(void **state)
{
    t_env_t e;
    agent_t *a2 = NULL;
    HANDLE ah[2];
    DWORD rc1 = 1, rc2 = 1;
    snap_t s;
    char *p;
    size_t n;
    hist_stats_t hs;
    (void)state;

    t_start(&e, L"raceagents", 0, 0);
    t_new_agent(&e);
    assert_int_equal(agent_new(&a2, e.hStop, &e.o), KBS_OK);
    ah[0] = (HANDLE)_beginthreadex(NULL, 0, t_agent_loop, e.a, 0, NULL);
    ah[1] = (HANDLE)_beginthreadex(NULL, 0, t_agent_loop, a2, 0, NULL);
    assert_non_null(ah[0]);
    assert_non_null(ah[1]);
    assert_int_equal(WaitForMultipleObjects(2, ah, TRUE, 60000), WAIT_OBJECT_0);
    GetExitCodeThread(ah[0], &rc1);
    GetExitCodeThread(ah[1], &rc2);
    CloseHandle(ah[0]);
    CloseHandle(ah[1]);
    assert_int_equal(rc1, 0);
    assert_int_equal(rc2, 0);
    p = t_read_snap(e.zDir, &n, &s);
    assert_true(s.hotfixesComplete);
    snap_release(&s);
    free(p);
    assert_int_equal(t_count_files(e.zDir, L"*.tmp*"), 0);
    assert_int_equal(hist_stats(agent_scan_history(a2), &hs), KBS_OK);
    assert_int_equal(hs.nScan, 2 * T_AGENT_ROUNDS);
    assert_int_equal(hs.nRemoved, 0);
    agent_free(a2);
    t_read_events(&e);
    assert_int_equal(t_events(&e, 1304, NULL), 0);
    assert_int_equal(t_events(&e, 1305, NULL), 0);
    t_finish(&e);
}

/* Temp files left by killed writes are swept when the agent starts: those of dead processes and
 * of this one; a live process's temp file and other files stay. */
static void test_sweep_stale_temps(void **state)
{
    t_env_t e;
    wchar_t z[MAX_PATH];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t zCmd[] = L"cmd.exe";
    HANDLE h;
    int i;
    static const wchar_t *const azDead[] = {L"HOST.kbs.tmp4000000000", L"HOST.kbs.tmp4000000001-7",
                                            NULL};
    (void)state;

    t_start(&e, L"sweep", 0, 0);
    /* A live process: a suspended child. */
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    assert_true(CreateProcessW(NULL, zCmd, NULL, NULL, FALSE, CREATE_SUSPENDED | CREATE_NO_WINDOW,
                               NULL, NULL, &si, &pi));
    for (i = 0; azDead[i]; i++) {
        _snwprintf(z, MAX_PATH, L"%ls\\%ls", e.zDir, azDead[i]);
        h = CreateFileW(z, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
        assert_true(h != INVALID_HANDLE_VALUE);
        CloseHandle(h);
    }
    _snwprintf(z, MAX_PATH, L"%ls\\HOST.kbs.tmp%lu-1", e.zDir,
               (unsigned long)GetCurrentProcessId());
    CloseHandle(CreateFileW(z, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL));
    _snwprintf(z, MAX_PATH, L"%ls\\HOST.kbs.tmp%lu-1", e.zDir, (unsigned long)pi.dwProcessId);
    CloseHandle(CreateFileW(z, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL));
    _snwprintf(z, MAX_PATH, L"%ls\\notes.tmp1", e.zDir);
    CloseHandle(CreateFileW(z, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL));
    assert_int_equal(t_count_files(e.zDir, L"*.tmp*"), 5);

    t_new_agent(&e);
    assert_int_equal(t_count_files(e.zDir, L"*.kbs.tmp*"), 1); /* the live process's */
    assert_int_equal(t_count_files(e.zDir, L"notes.tmp1"), 1);
    _snwprintf(z, MAX_PATH, L"HOST.kbs.tmp%lu-1", (unsigned long)pi.dwProcessId);
    assert_int_equal(t_count_files(e.zDir, z), 1);
    TerminateProcess(pi.hProcess, 0);
    WaitForSingleObject(pi.hProcess, 5000);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    /* Its writer is gone now: the next start sweeps it. */
    agent_free(e.a);
    e.a = NULL;
    t_new_agent(&e);
    assert_int_equal(t_count_files(e.zDir, L"*.kbs.tmp*"), 0);
    t_finish(&e);
}

/* Removes zDir and everything under it (a test directory from an earlier run with this pid). */
static void t_rmtree(const wchar_t *zDir)
{
    wchar_t z[MAX_PATH];
    WIN32_FIND_DATAW fd;
    HANDLE h;

    _snwprintf(z, MAX_PATH, L"%ls\\*", zDir);
    z[MAX_PATH - 1] = 0;
    if ((h = FindFirstFileW(z, &fd)) != INVALID_HANDLE_VALUE) {
        do {
            if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L"..")) continue;
            _snwprintf(z, MAX_PATH, L"%ls\\%ls", zDir, fd.cFileName);
            z[MAX_PATH - 1] = 0;
            if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
                t_rmtree(z);
            else
                DeleteFileW(z);
        } while (FindNextFileW(h, &fd));
        FindClose(h);
    }
    RemoveDirectoryW(zDir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_disk_full_share_still_copied),
        cmocka_unit_test(test_share_gone_mid_copy),
        cmocka_unit_test(test_wmi_unavailable),
        cmocka_unit_test(test_registry_denied),
        cmocka_unit_test(test_clock_back),
        cmocka_unit_test(test_agent_keeps_running),
        cmocka_unit_test(test_race_writers),
        cmocka_unit_test(test_race_agents),
        cmocka_unit_test(test_sweep_stale_temps),
    };
    char zDir[MAX_PATH];
    int i, rc;

    snprintf(zDir, sizeof(zDir), "%s\\faults-%lu", KBS_TEST_TMP,
             (unsigned long)GetCurrentProcessId());
    MultiByteToWideChar(CP_UTF8, 0, zDir, -1, g_zTmp, MAX_PATH);
    for (i = 0; g_zTmp[i]; i++)
        if (g_zTmp[i] == L'/') g_zTmp[i] = L'\\';
    t_rmtree(g_zTmp);
    CreateDirectoryW(g_zTmp, NULL);
    g_sys = *winsys_default();
    g_sys.pfnWriteFile = t_write;
    g_sys.pfnFlushFileBuffers = t_flush;
    g_sys.pfnCoCreateInstance = t_cocreate;
    g_sys.pfnRegOpenKeyExW = t_regopen;
    g_shareSys = *winsys_default();
    g_shareSys.pfnWriteFile = t_share_write;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (rc == 0) t_rmtree(g_zTmp);
    return rc;
}
