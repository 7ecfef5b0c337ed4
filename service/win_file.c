/* win_file.c: reads the FILEVERSION of the evidence files under System32 with WOW64 file-system
 * redirection off, checking the version resource as the untrusted data it is. */
#include "win_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "kbs_err.h"

#define FILE_VERINFO_MAX (1024 * 1024) /* real version resources are a few KB */

/* The files that prove a fix, relative to System32. */
static const wchar_t *const g_azEvidence[] = {
    L"drivers\\srv.sys",
    L"drivers\\srv2.sys",
    L"drivers\\termdd.sys",
    L"drivers\\rdpwd.sys",
    L"netapi32.dll",
    L"shell32.dll",
    L"spoolsv.exe",
    L"umpnpmgr.dll",
    L"lsasrv.dll",
    /* SMBGhost (srv2.sys above), CurveBall, Zerologon, PrintNightmare, IPv6 RCE */
    L"crypt32.dll",
    L"netlogon.dll",
    L"localspl.dll",
    L"drivers\\tcpip.sys",
};

int file_version(const winsys_t *sys, const wchar_t *zPath, ver_t *pVer, char *zErr, size_t nErr)
{
    DWORD cb, dummy = 0, attr, e;
    void *pBuf = NULL;
    VS_FIXEDFILEINFO *pFfi = NULL;
    UINT nFfi = 0;
    int rc = KBS_EIO;

    memset(pVer, 0, sizeof(*pVer));
    if (nErr) zErr[0] = 0;
    attr = GetFileAttributesW(zPath);
    if (attr == INVALID_FILE_ATTRIBUTES) {
        e = GetLastError();
        if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) return KBS_ENOTFOUND;
        winapi_errfmt(zErr, nErr, "GetFileAttributesW", NULL, e);
        return KBS_EIO;
    }
    if (attr & FILE_ATTRIBUTE_DIRECTORY) {
        snprintf(zErr, nErr, "a directory, not a file");
        return KBS_EIO;
    }
    cb = sys->pfnGetFileVersionInfoSizeW(zPath, &dummy);
    if (cb == 0) {
        e = GetLastError();
        /* 1812/1813: the file has no version resource at all. */
        if (e == ERROR_RESOURCE_DATA_NOT_FOUND || e == ERROR_RESOURCE_TYPE_NOT_FOUND)
            snprintf(zErr, nErr, "no version resource (GetFileVersionInfoSizeW: %lu)",
                     (unsigned long)e);
        else
            winapi_errfmt(zErr, nErr, "GetFileVersionInfoSizeW", NULL, e);
        goto out;
    }
    if (cb > FILE_VERINFO_MAX) {
        snprintf(zErr, nErr, "version resource of %lu bytes is too large", (unsigned long)cb);
        rc = KBS_EPARSE;
        goto out;
    }
    if (!(pBuf = calloc(1, cb))) {
        rc = KBS_ENOMEM;
        goto out;
    }
    if (!sys->pfnGetFileVersionInfoW(zPath, 0, cb, pBuf)) {
        winapi_errfmt(zErr, nErr, "GetFileVersionInfoW", NULL, GetLastError());
        goto out;
    }
    if (!sys->pfnVerQueryValueW(pBuf, L"\\", (LPVOID *)&pFfi, &nFfi) || !pFfi) {
        snprintf(zErr, nErr, "VerQueryValueW: no VS_FIXEDFILEINFO");
        rc = KBS_EPARSE;
        goto out;
    }
    /* The pointer and length come from the file: they must lie inside our buffer. */
    if (nFfi < sizeof(*pFfi) || (char *)pFfi < (char *)pBuf ||
        (char *)pFfi + sizeof(*pFfi) > (char *)pBuf + cb) {
        snprintf(zErr, nErr, "VS_FIXEDFILEINFO truncated (%u bytes)", nFfi);
        rc = KBS_EPARSE;
        goto out;
    }
    if (pFfi->dwSignature != 0xFEEF04BDu) {
        snprintf(zErr, nErr, "VS_FIXEDFILEINFO signature 0x%08lX",
                 (unsigned long)pFfi->dwSignature);
        rc = KBS_EPARSE;
        goto out;
    }
    pVer->part[0] = HIWORD(pFfi->dwFileVersionMS);
    pVer->part[1] = LOWORD(pFfi->dwFileVersionMS);
    pVer->part[2] = HIWORD(pFfi->dwFileVersionLS);
    pVer->part[3] = LOWORD(pFfi->dwFileVersionLS);
    rc = KBS_OK;
out:
    free(pBuf);
    return rc;
}

int file_collect(const winsys_t *sys, const wchar_t *zSystemRoot, snap_t *s, size_t *pnErr,
                 char *zErr, size_t nErr)
{
    wchar_t zRoot[MAX_PATH], zPath[MAX_PATH + 64];
    char zRel[SNAP_PATH_MAX], zShown[SNAP_PATH_MAX], zWhy[SNAP_ERR_MAX];
    size_t i;
    ver_t v;
    PVOID pOld = NULL;
    int redir = 0, rc, rcAdd;
    UINT n;

    if (!sys) sys = winsys_default();
    *pnErr = 0;
    if (nErr) zErr[0] = 0;
    if (zSystemRoot) {
        if (wcslen(zSystemRoot) >= MAX_PATH) {
            snprintf(zErr, nErr, "system root path too long");
            return KBS_EINVAL;
        }
        wcscpy(zRoot, zSystemRoot);
    } else {
        /* Not GetWindowsDirectoryW: on a Terminal Server in application mode that is a
         * per-user folder; the system's own is what holds the evidence files. */
        n = sys->pfnGetSystemWindowsDirectoryW(zRoot, MAX_PATH);
        if (n == 0 || n >= MAX_PATH) {
            winapi_errfmt(zErr, nErr, "GetSystemWindowsDirectoryW", NULL, GetLastError());
            return KBS_EIO;
        }
    }
    for (i = 0; i < sizeof(g_azEvidence) / sizeof(g_azEvidence[0]); i++) {
        _snwprintf(zPath, sizeof(zPath) / sizeof(zPath[0]) - 1, L"%ls\\System32\\%ls", zRoot,
                   g_azEvidence[i]);
        zPath[sizeof(zPath) / sizeof(zPath[0]) - 1] = 0;
        winapi_utf8(g_azEvidence[i], (size_t)-1, zRel, sizeof(zRel));
        snprintf(zShown, sizeof(zShown), "%%SystemRoot%%\\System32\\%s", zRel);
        /* Off only around the reads: with it off, loading a DLL would find the wrong one. */
        winapi_fsredir_off(&pOld, &redir);
        rc = file_version(sys, zPath, &v, zWhy, sizeof(zWhy));
        winapi_fsredir_restore(pOld, redir);
        if (rc == KBS_OK)
            rcAdd = snap_add_file(s, zShown, 1, &v, NULL);
        else if (rc == KBS_ENOTFOUND)
            rcAdd = snap_add_file(s, zShown, 0, NULL, NULL);
        else {
            (*pnErr)++;
            if (!zErr[0]) snprintf(zErr, nErr, "%s: %s", zRel, zWhy);
            rcAdd = snap_add_file(s, zShown, 0, NULL, zWhy);
        }
        if (rcAdd != KBS_OK) return rcAdd;
    }
    return KBS_OK;
}
