/* win_svc.c: the kbsentry service: SCM commands, ServiceMain, control handler, console run. */
#include "win_svc.h"

#include <string.h>
#include <windows.h>

#include "agent.h"
#include "agent_state.h"
#include "kbs_err.h"
#include "win_acl.h"
#include "win_evt.h"
#include "win_recover.h"
#include "win_setup.h"
#include "win_settings.h"

/* The service status block and the stop event: the only mutable globals of the agent. The
 * control handler and the console handler only set events in it. */
typedef struct svc_block {
    SERVICE_STATUS_HANDLE hStatus;
    SERVICE_STATUS st;
    HANDLE hStop;             /* manual reset: stop the agent */
    HANDLE volatile hParam;   /* the agent's reload event, once it exists */
} svc_block_t;
static svc_block_t svc_g;

/* One place turns a Win32 error into a message; access denied gets the remedy. */
static int svc_fail(FILE *err, const char *zCall, DWORD e)
{
    if (e == ERROR_ACCESS_DENIED)
        fprintf(err, "kbsentry-svc: %s: access denied: run as Administrator\n", zCall);
    else if (e == ERROR_SERVICE_DOES_NOT_EXIST)
        fprintf(err, "kbsentry-svc: the kbsentry service is not installed\n");
    else if (e == ERROR_SERVICE_EXISTS)
        fprintf(err, "kbsentry-svc: the kbsentry service is already installed "
                     "(run 'kbsentry-svc uninstall' first)\n");
    else if (e == ERROR_SERVICE_MARKED_FOR_DELETE)
        fprintf(err, "kbsentry-svc: the kbsentry service is marked for deletion: close the "
                     "Services console and retry\n");
    else
        fprintf(err, "kbsentry-svc: %s failed: error %lu\n", zCall, (unsigned long)e);
    return 2;
}

static const char *svc_state_name(DWORD s)
{
    switch (s) {
    case SERVICE_STOPPED: return "STOPPED";
    case SERVICE_START_PENDING: return "START_PENDING";
    case SERVICE_STOP_PENDING: return "STOP_PENDING";
    case SERVICE_RUNNING: return "RUNNING";
    case SERVICE_CONTINUE_PENDING: return "CONTINUE_PENDING";
    case SERVICE_PAUSE_PENDING: return "PAUSE_PENDING";
    case SERVICE_PAUSED: return "PAUSED";
    default: return "UNKNOWN";
    }
}

/* Waits while the service is in state `pending` (the CLI side: the SCM offers no wait before
 * Vista, so it asks every 50 ms). Returns the final state, or 0 on error. */
static DWORD svc_wait(SC_HANDLE hSvc, DWORD pending, DWORD msMax)
{
    SERVICE_STATUS_PROCESS sp;
    DWORD n, t0 = GetTickCount();

    for (;;) {
        if (!QueryServiceStatusEx(hSvc, SC_STATUS_PROCESS_INFO, (BYTE *)&sp, sizeof(sp), &n))
            return 0;
        if (sp.dwCurrentState != pending || GetTickCount() - t0 > msMax) return sp.dwCurrentState;
        Sleep(50);
    }
}

static SC_HANDLE svc_open(FILE *err, DWORD access, SC_HANDLE *phScm)
{
    SC_HANDLE hSvc;

    *phScm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!*phScm) {
        svc_fail(err, "OpenSCManager", GetLastError());
        return NULL;
    }
    hSvc = OpenServiceW(*phScm, SVC_NAME, access);
    if (!hSvc) svc_fail(err, "OpenService", GetLastError());
    return hSvc;
}

static int svc_start_handle(SC_HANDLE hSvc, FILE *out, FILE *err)
{
    DWORD st, t0 = GetTickCount();
    BOOL ok;

    /* The SCM holds its database lock while it starts the boot's services: wait that out. */
    while (!(ok = StartServiceW(hSvc, 0, NULL)) &&
           GetLastError() == ERROR_SERVICE_DATABASE_LOCKED && GetTickCount() - t0 < 15000)
        Sleep(250);
    if (!ok) {
        DWORD e = GetLastError();
        if (e != ERROR_SERVICE_ALREADY_RUNNING) return svc_fail(err, "StartService", e);
        fprintf(out, "kbsentry is already running\n");
        return 0;
    }
    st = svc_wait(hSvc, SERVICE_START_PENDING, SVC_START_WAIT_MS);
    if (st != SERVICE_RUNNING) {
        fprintf(err, "kbsentry-svc: the service did not start (state %s); see the Application "
                     "event log\n", svc_state_name(st));
        return 1;
    }
    fprintf(out, "kbsentry started\n");
    return 0;
}

int svc_install(const wchar_t *zDrop, FILE *out, FILE *err)
{
    wchar_t zExe[MAX_PATH], zCmd[MAX_PATH + 16], zDir[MAX_PATH];
    SC_HANDLE hScm = NULL, hSvc = NULL;
    SERVICE_DESCRIPTIONW desc;
    acl_result_t res;
    settings_t set;
    char zErr[400];
    int rc = 2, rcDir;
    DWORD e;

    hScm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
    if (!hScm) {
        rc = svc_fail(err, "OpenSCManager", GetLastError());
        goto out;
    }
    hSvc = OpenServiceW(hScm, SVC_NAME, SERVICE_QUERY_STATUS);
    if (hSvc) {
        rc = svc_fail(err, "CreateService", ERROR_SERVICE_EXISTS);
        goto out;
    }
    /* The service runs the copy in Program Files, never the file it was installed from. */
    if (setup_install_copy(zExe, MAX_PATH, err) != 0) goto out;
    _snwprintf(zCmd, MAX_PATH + 16, L"\"%ls\" service", zExe);
    zCmd[MAX_PATH + 15] = 0;

    /* The data directory first: the service account could not set its ACL later. */
    settings_load(&set, HKEY_LOCAL_MACHINE, SETTINGS_POLICY_KEY, SETTINGS_BASE_KEY, NULL, NULL);
    if (set.zDataDir[0])
        wcscpy(zDir, set.zDataDir);
    else if (acl_default_dir(zDir, MAX_PATH) != KBS_OK) {
        fprintf(err, "kbsentry-svc: cannot find the common application data folder\n");
        goto out;
    }
    rcDir = acl_prepare_dir(NULL, zDir, ACL_FIX, &res, zErr, sizeof(zErr));
    if (res.movedAside)
        fprintf(err, "kbsentry-svc: warning: %ls was owned by %s: moved to %ls\n", zDir,
                res.zOwner, res.zAside);
    if (rcDir != KBS_OK) {
        fprintf(err, "kbsentry-svc: data directory: %s%s\n", zErr,
                rcDir == KBS_EACCESS && strstr(zErr, ": 5") ? " (run as Administrator)" : "");
        goto out;
    }
    if (zDrop && (rc = settings_set_drop(SETTINGS_BASE_KEY, zDrop)) != KBS_OK) {
        if (rc == KBS_EACCESS)
            svc_fail(err, "writing HKLM\\SOFTWARE\\kbsentry", ERROR_ACCESS_DENIED);
        else
            fprintf(err, "kbsentry-svc: cannot store the drop share: %s\n", kbs_strerror(rc));
        rc = 2;
        goto out;
    }

    /* RpcSs first: WMI is DCOM, and a scan right after boot must not beat it. */
    hSvc = CreateServiceW(hScm, SVC_NAME, SVC_DISPLAY, SERVICE_ALL_ACCESS,
                          SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
                          zCmd, NULL, NULL, SVC_DEPENDENCIES, SVC_ACCOUNT, L"");
    if (!hSvc) {
        rc = svc_fail(err, "CreateService", GetLastError());
        goto out;
    }
    desc.lpDescription = (LPWSTR)SVC_DESCRIPTION;
    if (!ChangeServiceConfig2W(hSvc, SERVICE_CONFIG_DESCRIPTION, &desc))
        fprintf(err, "kbsentry-svc: warning: cannot set the description: error %lu\n",
                (unsigned long)GetLastError());
    if ((e = recover_set(NULL, hSvc)) != 0)
        fprintf(err, "kbsentry-svc: warning: cannot set the failure actions: error %lu\n",
                (unsigned long)e);
    if (evt_register_source(zExe) != KBS_OK)
        fprintf(err, "kbsentry-svc: warning: cannot register the event source\n");
    fprintf(out, "kbsentry installed as %ls (runs as %ls, data in %ls)\n", zExe, SVC_ACCOUNT,
            zDir);
    rc = svc_start_handle(hSvc, out, err);
out:
    if (hSvc) CloseServiceHandle(hSvc);
    if (hScm) CloseServiceHandle(hScm);
    return rc;
}

/* Sends STOP and waits; prints the time it took. */
static int svc_stop_handle(SC_HANDLE hSvc, FILE *out, FILE *err)
{
    SERVICE_STATUS ss;
    DWORD t0 = GetTickCount(), st;

    if (!ControlService(hSvc, SERVICE_CONTROL_STOP, &ss)) {
        DWORD e = GetLastError();
        if (e == ERROR_SERVICE_NOT_ACTIVE) {
            fprintf(out, "kbsentry is not running\n");
            return 0;
        }
        return svc_fail(err, "ControlService(STOP)", e);
    }
    /* The SCM may still say RUNNING before the service reports STOP_PENDING. */
    do {
        st = svc_wait(hSvc, SERVICE_STOP_PENDING, 50);
        if (st == SERVICE_RUNNING) st = svc_wait(hSvc, SERVICE_RUNNING, 50);
    } while ((st == SERVICE_RUNNING || st == SERVICE_STOP_PENDING) &&
             GetTickCount() - t0 < SVC_START_WAIT_MS);
    if (st != SERVICE_STOPPED) {
        fprintf(err, "kbsentry-svc: the service did not stop (state %s)\n", svc_state_name(st));
        return 1;
    }
    fprintf(out, "kbsentry stopped in %lu ms\n", (unsigned long)(GetTickCount() - t0));
    return 0;
}

int svc_uninstall(FILE *out, FILE *err)
{
    SC_HANDLE hScm = NULL, hSvc;
    SERVICE_STATUS_PROCESS sp;
    DWORD n;
    int rc = 2;

    hSvc = svc_open(err, DELETE | SERVICE_STOP | SERVICE_QUERY_STATUS, &hScm);
    if (!hSvc) goto out;
    if (QueryServiceStatusEx(hSvc, SC_STATUS_PROCESS_INFO, (BYTE *)&sp, sizeof(sp), &n) &&
        sp.dwCurrentState != SERVICE_STOPPED && svc_stop_handle(hSvc, out, err))
        fprintf(err, "kbsentry-svc: warning: removing a service that did not stop\n");
    if (!DeleteService(hSvc)) {
        rc = svc_fail(err, "DeleteService", GetLastError());
        goto out;
    }
    if (evt_unregister_source() != KBS_OK)
        fprintf(err, "kbsentry-svc: warning: cannot remove the event source\n");
    fprintf(out, "kbsentry uninstalled (the data directory and the program folder are kept)\n");
    rc = 0;
out:
    if (hSvc) CloseServiceHandle(hSvc);
    if (hScm) CloseServiceHandle(hScm);
    return rc;
}

int svc_start(FILE *out, FILE *err)
{
    SC_HANDLE hScm = NULL, hSvc;
    int rc = 2;

    hSvc = svc_open(err, SERVICE_START | SERVICE_QUERY_STATUS, &hScm);
    if (hSvc) rc = svc_start_handle(hSvc, out, err);
    if (hSvc) CloseServiceHandle(hSvc);
    if (hScm) CloseServiceHandle(hScm);
    return rc;
}

int svc_stop(FILE *out, FILE *err)
{
    SC_HANDLE hScm = NULL, hSvc;
    int rc = 2;

    hSvc = svc_open(err, SERVICE_STOP | SERVICE_QUERY_STATUS, &hScm);
    if (hSvc) rc = svc_stop_handle(hSvc, out, err);
    if (hSvc) CloseServiceHandle(hSvc);
    if (hScm) CloseServiceHandle(hScm);
    return rc;
}

int svc_status(FILE *out, FILE *err)
{
    SC_HANDLE hScm = NULL, hSvc;
    SERVICE_STATUS_PROCESS sp;
    QUERY_SERVICE_CONFIGW *pCfg = NULL;
    DWORD n = 0;
    int rc = 2;

    hSvc = svc_open(err, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG, &hScm);
    if (!hSvc) goto report;
    if (!QueryServiceStatusEx(hSvc, SC_STATUS_PROCESS_INFO, (BYTE *)&sp, sizeof(sp), &n)) {
        rc = svc_fail(err, "QueryServiceStatusEx", GetLastError());
        goto report;
    }
    fprintf(out, "kbsentry: %s", svc_state_name(sp.dwCurrentState));
    if (sp.dwProcessId) fprintf(out, " (pid %lu)", (unsigned long)sp.dwProcessId);
    fputc('\n', out);
    QueryServiceConfigW(hSvc, NULL, 0, &n);
    if (n && (pCfg = HeapAlloc(GetProcessHeap(), 0, n)) && QueryServiceConfigW(hSvc, pCfg, n, &n))
        fprintf(out, "account: %ls\nstart: %s\ncommand: %ls\n",
                pCfg->lpServiceStartName ? pCfg->lpServiceStartName : L"?",
                pCfg->dwStartType == SERVICE_AUTO_START ? "auto" : "manual or disabled",
                pCfg->lpBinaryPathName ? pCfg->lpBinaryPathName : L"?");
    rc = sp.dwCurrentState == SERVICE_RUNNING ? 0 : 1;
report:
    /* What the service uses and did, also when it is not installed or not running. */
    {
        wchar_t zDefault[MAX_PATH] = L"";
        acl_default_dir(zDefault, MAX_PATH);
        state_report(out, HKEY_LOCAL_MACHINE, SETTINGS_POLICY_KEY, SETTINGS_BASE_KEY, zDefault);
    }
    if (pCfg) HeapFree(GetProcessHeap(), 0, pCfg);
    if (hSvc) CloseServiceHandle(hSvc);
    if (hScm) CloseServiceHandle(hScm);
    return rc;
}

/* The one function that reports status to the SCM. No controls while a state is pending. */
static void svc_report(DWORD state, DWORD exitCode, DWORD waitHint)
{
    svc_g.st.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    svc_g.st.dwCurrentState = state;
    svc_g.st.dwControlsAccepted =
        state == SERVICE_RUNNING
            ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE
            : 0;
    svc_g.st.dwWin32ExitCode = exitCode ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR;
    svc_g.st.dwServiceSpecificExitCode = exitCode;
    svc_g.st.dwWaitHint = waitHint;
    if (state == SERVICE_RUNNING || state == SERVICE_STOPPED)
        svc_g.st.dwCheckPoint = 0;
    else
        svc_g.st.dwCheckPoint++;
    SetServiceStatus(svc_g.hStatus, &svc_g.st);
}

/* The control handler does no work: it only sets events the worker waits on. */
static DWORD WINAPI svc_ctrl(DWORD ctl, DWORD type, void *pData, void *pCtx)
{
    (void)type, (void)pData, (void)pCtx;
    switch (ctl) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        SetEvent(svc_g.hStop);
        return NO_ERROR;
    case SERVICE_CONTROL_PARAMCHANGE:
        if (svc_g.hParam) SetEvent(svc_g.hParam);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static void svc_opts(agent_opts_t *o, FILE *fMirror, unsigned maxScans)
{
    memset(o, 0, sizeof(*o));
    o->fMirror = fMirror;
    o->maxScans = maxScans;
    o->pfnJob = agent_scan_job;
    o->pfnJobFree = agent_scan_free;
    o->pfnDropWrite = agent_file_write;
}

static void WINAPI svc_main(DWORD argc, LPWSTR *argv)
{
    agent_opts_t opts;
    agent_t *a = NULL;
    int rc;

    (void)argc, (void)argv;
    svc_g.hStatus = RegisterServiceCtrlHandlerExW(SVC_NAME, svc_ctrl, NULL);
    if (!svc_g.hStatus) return;
    svc_report(SERVICE_START_PENDING, 0, 5000);
    svc_opts(&opts, NULL, 0);
    rc = agent_new(&a, svc_g.hStop, &opts);
    if (rc != KBS_OK) {
        svc_report(SERVICE_STOPPED, (DWORD)-rc, 0);
        return;
    }
    svc_g.hParam = a->hParam;
    svc_report(SERVICE_RUNNING, 0, 0);
    agent_run(a);
    svc_report(SERVICE_STOP_PENDING, 0, 1000);
    svc_g.hParam = NULL;
    agent_free(a);
    svc_report(SERVICE_STOPPED, 0, 0);
}

int svc_dispatch(FILE *err)
{
    SERVICE_TABLE_ENTRYW aTable[] = {{(LPWSTR)SVC_NAME, svc_main}, {NULL, NULL}};

    svc_g.hStop = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!svc_g.hStop) return svc_fail(err, "CreateEvent", GetLastError());
    if (!StartServiceCtrlDispatcherW(aTable)) {
        DWORD e = GetLastError();
        if (e == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
            fprintf(err, "kbsentry-svc: 'service' is for the service manager; use "
                         "'kbsentry-svc run' to run in the foreground\n");
            return 2;
        }
        return svc_fail(err, "StartServiceCtrlDispatcher", e);
    }
    return 0;
}

static BOOL WINAPI svc_console_ctrl(DWORD type)
{
    (void)type;
    SetEvent(svc_g.hStop);
    return TRUE;
}

int svc_run_console(unsigned maxScans, FILE *out, FILE *err)
{
    agent_opts_t opts;
    agent_t *a = NULL;
    int rc;

    svc_g.hStop = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!svc_g.hStop) return svc_fail(err, "CreateEvent", GetLastError());
    SetConsoleCtrlHandler(svc_console_ctrl, TRUE);
    svc_opts(&opts, err, maxScans);
    rc = agent_new(&a, svc_g.hStop, &opts);
    if (rc != KBS_OK) {
        fprintf(err, "kbsentry-svc: cannot start the agent: %s\n", kbs_strerror(rc));
        return 2;
    }
    fprintf(out, "kbsentry running in the foreground (Ctrl+C stops)\n");
    fflush(out);
    agent_run(a);
    rc = a->lastJobRc == KBS_OK ? 0 : 1;
    agent_free(a);
    fprintf(out, "kbsentry stopped\n");
    return rc;
}
