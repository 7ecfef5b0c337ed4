/* win_recover.c: the service's failure actions: restart after a crash, set once when missing. */
#include "win_recover.h"

#include <stdio.h>
#include <string.h>

#include "kbs_err.h"
#include "win_api.h"

static const recoversys_t g_recoversys = {
    OpenSCManagerW, OpenServiceW, QueryServiceConfig2W, ChangeServiceConfig2W, CloseServiceHandle,
};

const recoversys_t *recoversys_default(void)
{
    return &g_recoversys;
}

DWORD recover_set(const recoversys_t *sys, SC_HANDLE hSvc)
{
    SERVICE_FAILURE_ACTIONSW fa;
    SC_ACTION aAct[3];

    if (!sys) sys = recoversys_default();
    /* Twice after a minute, then leave it to the next boot: a crash loop must not spin. */
    aAct[0].Type = SC_ACTION_RESTART, aAct[0].Delay = RECOVER_DELAY_MS;
    aAct[1].Type = SC_ACTION_RESTART, aAct[1].Delay = RECOVER_DELAY_MS;
    aAct[2].Type = SC_ACTION_NONE, aAct[2].Delay = 0;
    memset(&fa, 0, sizeof(fa));
    fa.dwResetPeriod = RECOVER_RESET_S;
    fa.cActions = 3;
    fa.lpsaActions = aAct;
    return sys->pfnChangeServiceConfig2W(hSvc, SERVICE_CONFIG_FAILURE_ACTIONS, &fa)
               ? 0
               : GetLastError();
}

static int recover_rc(DWORD e)
{
    if (e == ERROR_ACCESS_DENIED) return KBS_EACCESS;
    if (e == ERROR_SERVICE_DOES_NOT_EXIST) return KBS_ENOTFOUND;
    return KBS_EIO;
}

int recover_ensure(const recoversys_t *sys, const wchar_t *zName, int *pSet, char *zErr,
                   size_t nErr)
{
    SC_HANDLE hScm = NULL, hSvc = NULL;
    union {
        SERVICE_FAILURE_ACTIONSW fa;
        BYTE a[8192];
    } u;
    DWORD n = 0, e;
    int rc = KBS_OK;

    if (!sys) sys = recoversys_default();
    if (pSet) *pSet = 0;
    zErr[0] = 0;
    if (!(hScm = sys->pfnOpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT))) {
        e = GetLastError();
        winapi_errfmt(zErr, nErr, "OpenSCManagerW", NULL, e);
        return recover_rc(e);
    }
    hSvc = sys->pfnOpenServiceW(hScm, zName, SERVICE_QUERY_CONFIG | SERVICE_CHANGE_CONFIG);
    if (!hSvc) {
        e = GetLastError();
        winapi_errfmt(zErr, nErr, "OpenServiceW", NULL, e);
        rc = recover_rc(e);
        goto out;
    }
    memset(&u, 0, sizeof(u));
    if (!sys->pfnQueryServiceConfig2W(hSvc, SERVICE_CONFIG_FAILURE_ACTIONS, u.a, sizeof(u), &n)) {
        e = GetLastError();
        winapi_errfmt(zErr, nErr, "QueryServiceConfig2W", NULL, e);
        rc = recover_rc(e);
        goto out;
    }
    if (u.fa.cActions > 0) goto out; /* an administrator's choice stays */
    if ((e = recover_set(sys, hSvc)) != 0) {
        winapi_errfmt(zErr, nErr, "ChangeServiceConfig2W(FAILURE_ACTIONS)", NULL, e);
        rc = recover_rc(e);
        goto out;
    }
    if (pSet) *pSet = 1;
out:
    if (hSvc) sys->pfnCloseServiceHandle(hSvc);
    sys->pfnCloseServiceHandle(hScm);
    return rc;
}
