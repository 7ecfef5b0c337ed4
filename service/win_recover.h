/* win_recover.h: the service's failure actions (restart after a crash), set and checked through
 * a replaceable table of the SCM calls. */
#ifndef KBS_WIN_RECOVER_H
#define KBS_WIN_RECOVER_H

#include <stddef.h>
#include <windows.h>

#define RECOVER_DELAY_MS 60000u /* restart a minute after a crash */
#define RECOVER_RESET_S  86400u /* the failure count starts again after a day without one */

/* The SCM calls; Wine accepts failure actions but does not keep them, so tests replace these. */
typedef struct recoversys {
    SC_HANDLE(WINAPI *pfnOpenSCManagerW)(LPCWSTR, LPCWSTR, DWORD);
    SC_HANDLE(WINAPI *pfnOpenServiceW)(SC_HANDLE, LPCWSTR, DWORD);
    BOOL(WINAPI *pfnQueryServiceConfig2W)(SC_HANDLE, DWORD, LPBYTE, DWORD, LPDWORD);
    BOOL(WINAPI *pfnChangeServiceConfig2W)(SC_HANDLE, DWORD, LPVOID);
    BOOL(WINAPI *pfnCloseServiceHandle)(SC_HANDLE);
} recoversys_t;

/* recoversys_default: the real functions. Never NULL; a constant. */
const recoversys_t *recoversys_default(void);

/* recover_set: gives the open service hSvc (SERVICE_CHANGE_CONFIG) its failure actions:
 * restart after RECOVER_DELAY_MS twice, then nothing until the next boot; reset after a day.
 * Returns 0 or the Win32 error. */
DWORD recover_set(const recoversys_t *sys, SC_HANDLE hSvc);

/* recover_ensure: the service zName gets the failure actions when it has none (an MSI install:
 * its tables cannot say it before Windows Installer 5.0); actions an administrator set are kept.
 * Needs SERVICE_QUERY_CONFIG | SERVICE_CHANGE_CONFIG (the installer's custom action runs as
 * SYSTEM). *pSet (may be NULL) is 1 when they were set now. sys may be NULL. Returns KBS_OK or
 * KBS_EACCESS / KBS_ENOTFOUND / KBS_EIO with "API: code" in zErr. */
int recover_ensure(const recoversys_t *sys, const wchar_t *zName, int *pSet, char *zErr,
                   size_t nErr);

#endif
