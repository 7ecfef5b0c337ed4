/* test_agent_scan.c: the real scan job back to back: snapshot, history and events, with handle
 * count and private bytes staying flat (KBS_SOAK_SCANS scans, default 1000). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "agent.h"
#include "agent_state.h"
#include "history.h"
#include "kbs_err.h"
#include "regfix.h"

#define T_BASE L"SOFTWARE\\kbsentry-test-scan\\Base"
#define T_POLICY L"SOFTWARE\\kbsentry-test-scan\\Policies"

typedef struct t_pmc {
    DWORD cb, PageFaultCount;
    SIZE_T PeakWorkingSetSize, WorkingSetSize, QuotaPeakPagedPoolUsage, QuotaPagedPoolUsage,
        QuotaPeakNonPagedPoolUsage, QuotaNonPagedPoolUsage, PagefileUsage, PeakPagefileUsage,
        PrivateUsage;
} t_pmc_t; /* PROCESS_MEMORY_COUNTERS_EX */

typedef BOOL(WINAPI *t_handles_fn)(HANDLE, PDWORD);
typedef BOOL(WINAPI *t_pmc_fn)(HANDLE, t_pmc_t *, DWORD);

/* Looked up: GetProcessHandleCount is XP SP1+, GetProcessMemoryInfo lives in psapi.dll. */
static void t_figures(DWORD *pHandles, SIZE_T *pPrivate, SIZE_T *pWs, uintptr_t *pProbe)
{
    HANDLE hProbe = CreateEventW(NULL, FALSE, FALSE, NULL);
    t_handles_fn pfnH = (t_handles_fn)(void (*)(void))GetProcAddress(
        GetModuleHandleW(L"kernel32.dll"), "GetProcessHandleCount");
    HMODULE hPsapi = LoadLibraryW(L"psapi.dll");
    t_pmc_fn pfnM = hPsapi ? (t_pmc_fn)(void (*)(void))GetProcAddress(hPsapi,
                                                                      "GetProcessMemoryInfo")
                           : NULL;
    t_pmc_t pmc;

    assert_non_null(pfnH);
    assert_non_null(pfnM);
    assert_true(pfnH(GetCurrentProcess(), pHandles));
    memset(&pmc, 0, sizeof(pmc));
    pmc.cb = sizeof(pmc);
    assert_true(pfnM(GetCurrentProcess(), &pmc, sizeof(pmc)));
    *pPrivate = pmc.PrivateUsage ? pmc.PrivateUsage : pmc.PagefileUsage;
    *pWs = pmc.WorkingSetSize;
    /* A new handle takes the lowest free slot: leaked handles push its value up. This also
     * works where GetProcessHandleCount answers 0 (Wine). */
    assert_non_null(hProbe);
    *pProbe = (uintptr_t)hProbe;
    CloseHandle(hProbe);
}

static void t_sz(const wchar_t *zKey, const wchar_t *zName, const wchar_t *z)
{
    assert_int_equal(rf_sz(HKEY_CURRENT_USER, zKey, zName, z), 0);
}

static int t_no_write(const wchar_t *zPath, const void *p, size_t n, char *zErr, size_t nErr)
{
    (void)zPath, (void)p, (void)n, (void)zErr, (void)nErr;
    return KBS_OK;
}

static void test_scans_stay_flat(void **state)
{
    HANDLE hStop = CreateEventW(NULL, TRUE, FALSE, NULL);
    agent_opts_t o;
    agent_t *a = NULL;
    wchar_t zDir[MAX_PATH], zSnap[MAX_PATH];
    char zEnv[16];
    DWORD h0, h1, t0, i, n = 1000, nWarm = 20;
    SIZE_T p0, p1, ws0, ws1;
    uintptr_t hv0, hv1;
    hist_stats_t st;
    WIN32_FIND_DATAW fd;
    HANDLE hFind;
    (void)state;

    if (GetEnvironmentVariableA("KBS_SOAK_SCANS", zEnv, sizeof(zEnv)) && atoi(zEnv) > 0)
        n = (DWORD)atoi(zEnv);
    MultiByteToWideChar(CP_UTF8, 0, KBS_TEST_TMP "/agent-scan", -1, zDir, MAX_PATH);
    for (i = 0; zDir[i]; i++)
        if (zDir[i] == L'/') zDir[i] = L'\\';
    t_sz(T_BASE, L"DataDir", zDir);
    /* A drop share makes each scan hand its buffer to the copier too. */
    t_sz(T_BASE, L"DropShare", L"\\\\soak\\drop");
    memset(&o, 0, sizeof(o));
    o.hSettingsRoot = HKEY_CURRENT_USER;
    o.zPolicyKey = T_POLICY;
    o.zBaseKey = T_BASE;
    o.pfnJob = agent_scan_job;
    o.pfnJobFree = agent_scan_free;
    o.pfnDropWrite = t_no_write;
    assert_int_equal(agent_new(&a, hStop, &o), KBS_OK);

    for (i = 0; i < nWarm; i++) assert_int_equal(agent_scan_job(a), KBS_OK);
    t_figures(&h0, &p0, &ws0, &hv0);
    t0 = GetTickCount();
    for (i = nWarm; i < n; i++) assert_int_equal(agent_scan_job(a), KBS_OK);
    t_figures(&h1, &p1, &ws1, &hv1);
    print_message("%lu scans in %lu ms (%.1f ms each)\n", (unsigned long)n,
                  (unsigned long)(GetTickCount() - t0),
                  n > nWarm ? (double)(GetTickCount() - t0) / (n - nWarm) : 0.0);
    print_message("after %lu scans: handles %lu (next handle 0x%lx), private bytes %lu KB, "
                  "working set %lu KB\n",
                  (unsigned long)nWarm, (unsigned long)h0, (unsigned long)hv0,
                  (unsigned long)(p0 / 1024), (unsigned long)(ws0 / 1024));
    print_message("after %lu scans: handles %lu (next handle 0x%lx), private bytes %lu KB, "
                  "working set %lu KB\n",
                  (unsigned long)n, (unsigned long)h1, (unsigned long)hv1,
                  (unsigned long)(p1 / 1024), (unsigned long)(ws1 / 1024));
    /* Flat: a leak of one handle or 1 KB per scan would show as hundreds here. */
    if (h0) assert_true(h1 <= h0 + 5);
    assert_true(hv1 <= hv0 + 5 * 4);
    assert_true(p1 <= p0 + 1024 * 1024);

    /* Every scan went to the history; the snapshot is there. */
    assert_non_null(agent_scan_history(a));
    assert_int_equal(hist_stats(agent_scan_history(a), &st), KBS_OK);
    assert_true(st.nScan >= (int64_t)(n < HIST_KEEP_SCANS ? n : HIST_KEEP_SCANS));
    _snwprintf(zSnap, MAX_PATH, L"%ls\\*.kbs", zDir);
    zSnap[MAX_PATH - 1] = 0;
    hFind = FindFirstFileW(zSnap, &fd);
    assert_true(hFind != INVALID_HANDLE_VALUE);
    FindClose(hFind);

    /* What `status` reads: the last scan and the last copy to the share, in the data directory. */
    {
        state_kv_t kv[STATE_KV_MAX];
        size_t nKv = 0;
        wchar_t zState[MAX_PATH];
        const char *zRes;
        assert_int_equal(state_path(zDir, STATE_SCAN_FILE, zState), KBS_OK);
        assert_int_equal(state_read(zState, kv, &nKv), KBS_OK);
        zRes = state_get(kv, nKv, "result");
        assert_true(!strcmp(zRes, "complete") || !strncmp(zRes, "partial: ", 9));
        assert_int_equal(strlen(state_get(kv, nKv, "time")), 20); /* YYYY-MM-DDTHH:MM:SSZ */
        assert_non_null(strstr(state_get(kv, nKv, "snapshot"), ".kbs"));
        assert_non_null(strstr(state_get(kv, nKv, "verdicts"), " missing, "));
        assert_int_equal(state_path(zDir, STATE_UPLOAD_FILE, zState), KBS_OK);
        for (i = 0; i < 100 && state_read(zState, kv, &nKv) != KBS_OK; i++)
            Sleep(50);
        assert_string_equal(state_get(kv, nKv, "result"), "copied");
        assert_non_null(strstr(state_get(kv, nKv, "share"), "\\\\soak\\drop\\"));
        assert_string_equal(state_get(kv, nKv, "last-ok"), state_get(kv, nKv, "time"));
    }

    SetEvent(hStop);
    agent_free(a);
    CloseHandle(hStop);
    RegDeleteKeyW(HKEY_CURRENT_USER, T_BASE);
    RegDeleteKeyW(HKEY_CURRENT_USER, L"SOFTWARE\\kbsentry-test-scan");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scans_stay_flat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
