/* win_setup.c: the agent's program folder under Program Files and the MSI's custom actions. */
#include "win_setup.h"

#include <shlobj.h>
#include <string.h>
#include <windows.h>

#include "kbs_err.h"
#include "win_acl.h"
#include "win_api.h"
#include "win_evt.h"
#include "win_recover.h"
#include "win_settings.h"
#include "win_svc.h"

/* The long, full form of zPath for comparing two names of one file. */
static void setup_full(const wchar_t *zPath, wchar_t *zOut)
{
    wchar_t zFull[MAX_PATH];
    DWORD n = GetFullPathNameW(zPath, MAX_PATH, zFull, NULL);

    if (!n || n >= MAX_PATH) wcscpy(zFull, zPath);
    n = GetLongPathNameW(zFull, zOut, MAX_PATH);
    if (!n || n >= MAX_PATH) wcscpy(zOut, zFull);
}

int setup_install_copy(wchar_t *zOut, size_t nOut, FILE *err)
{
    wchar_t zExe[MAX_PATH], zPf[MAX_PATH], zDir[MAX_PATH], zA[MAX_PATH], zB[MAX_PATH];
    DWORD n, e;

    n = GetModuleFileNameW(NULL, zExe, MAX_PATH);
    if (!n || n >= MAX_PATH) {
        fprintf(err, "kbsentry-svc: GetModuleFileName failed: error %lu\n",
                (unsigned long)GetLastError());
        return 2;
    }
    if (FAILED(SHGetFolderPathW(NULL, CSIDL_PROGRAM_FILES, NULL, SHGFP_TYPE_CURRENT, zPf)) ||
        _snwprintf(zDir, MAX_PATH, L"%ls\\kbsentry", zPf) < 0 ||
        (size_t)_snwprintf(zOut, nOut, L"%ls\\kbsentry\\kbsentry-svc.exe", zPf) >= nOut) {
        fprintf(err, "kbsentry-svc: cannot find the Program Files folder\n");
        return 2;
    }
    zDir[MAX_PATH - 1] = 0;
    zOut[nOut - 1] = 0;
    setup_full(zExe, zA);
    setup_full(zOut, zB);
    if (!_wcsicmp(zA, zB)) return 0; /* already there */
    /* Program Files lets only administrators write; the folder inherits that. */
    if (!CreateDirectoryW(zDir, NULL) && (e = GetLastError()) != ERROR_ALREADY_EXISTS) {
        fprintf(err, "kbsentry-svc: cannot create %ls: error %lu%s\n", zDir, (unsigned long)e,
                e == ERROR_ACCESS_DENIED ? " (run as Administrator)" : "");
        return 2;
    }
    if (!CopyFileW(zExe, zOut, FALSE)) {
        e = GetLastError();
        fprintf(err, "kbsentry-svc: cannot copy %ls to %ls: error %lu%s\n", zExe, zOut,
                (unsigned long)e,
                e == ERROR_ACCESS_DENIED       ? " (run as Administrator)"
                : e == ERROR_SHARING_VIOLATION ? " (the installed service runs from there: "
                                                 "uninstall it first)"
                                               : "");
        return 2;
    }
    return 0;
}

/* One line on out and one event per outcome. */
static void setup_say(evt_t *ev, FILE *f, const char *zText)
{
    fprintf(f, "kbsentry-svc setup: %s\n", zText);
    evt_log(ev, MSG_SETUP_DONE, zText, NULL);
}

/* Makes or checks zDir as SYSTEM: owner Administrators, our DACL; a planted one is moved. */
static int setup_dir(evt_t *ev, const wchar_t *zDir, FILE *out)
{
    char zErr[400], zText[700], zD[MAX_PATH * 3], zAside[MAX_PATH * 3];
    acl_result_t res;
    int rc = acl_prepare_dir(NULL, zDir, ACL_FIX, &res, zErr, sizeof(zErr));

    winapi_utf8(zDir, (size_t)-1, zD, sizeof(zD));
    if (res.movedAside) {
        winapi_utf8(res.zAside, (size_t)-1, zAside, sizeof(zAside));
        evt_log(ev, MSG_WARN_DATADIR_MOVED, zD, res.zOwner, zAside, NULL);
        fprintf(out, "kbsentry-svc setup: %s was owned by %s: moved to %s\n", zD, res.zOwner,
                zAside);
    }
    if (rc == KBS_OK)
        snprintf(zText, sizeof(zText), "data directory %s %s with its permissions", zD,
                 res.created ? "made" : "checked");
    else
        snprintf(zText, sizeof(zText), "data directory %s cannot be used: %s", zD, zErr);
    setup_say(ev, out, zText);
    return rc;
}

int setup_msi(FILE *out, FILE *err)
{
    wchar_t zDef[MAX_PATH];
    settings_t set;
    evt_t ev;
    char zErr[300], zText[400];
    int set1 = 0, rc = 0;

    (void)err;
    evt_open(&ev, NULL);
    if (recover_ensure(NULL, SVC_NAME, &set1, zErr, sizeof(zErr)) != KBS_OK) {
        snprintf(zText, sizeof(zText), "failure actions cannot be set: %s", zErr);
        rc = 1;
    } else {
        snprintf(zText, sizeof(zText), "failure actions %s",
                 set1 ? "set: restart after a minute, twice" : "already present: kept");
    }
    setup_say(&ev, out, zText);
    settings_load(&set, HKEY_LOCAL_MACHINE, SETTINGS_POLICY_KEY, SETTINGS_BASE_KEY, NULL, NULL);
    /* A DataDir that cannot be used is the agent's to report (it falls back to the default);
     * the default gets its permissions here in either case. */
    if (set.zDataDir[0]) setup_dir(&ev, set.zDataDir, out);
    if (acl_default_dir(zDef, MAX_PATH) != KBS_OK || setup_dir(&ev, zDef, out) != KBS_OK) rc = 1;
    evt_close(&ev);
    return rc;
}

int setup_purge(FILE *out, FILE *err)
{
    wchar_t zDef[MAX_PATH];
    char zErr[400], zD[MAX_PATH * 3];

    if (acl_default_dir(zDef, MAX_PATH) != KBS_OK) {
        fprintf(err, "kbsentry-svc purge: the common application data folder is unknown\n");
        return 1;
    }
    winapi_utf8(zDef, (size_t)-1, zD, sizeof(zD));
    if (acl_purge_dir(zDef, zErr, sizeof(zErr)) != KBS_OK) {
        fprintf(err, "kbsentry-svc purge: %s: %s\n", zD, zErr);
        return 1;
    }
    fprintf(out, "kbsentry-svc purge: %s removed\n", zD);
    return 0;
}
