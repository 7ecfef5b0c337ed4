/* win_out.c: atomic file replacement through a temp file in the same directory, flushed to disk
 * before MoveFileEx renames it over the old file. */
#include "win_out.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "kbs_err.h"

static int out_rc(DWORD e)
{
    if (e == ERROR_ACCESS_DENIED || e == ERROR_SHARING_VIOLATION) return KBS_EACCESS;
    if (e == ERROR_PATH_NOT_FOUND || e == ERROR_FILE_NOT_FOUND || e == ERROR_BAD_NETPATH ||
        e == ERROR_BAD_NET_NAME)
        return KBS_ENOTFOUND;
    return KBS_EIO;
}

static void out_err(char *zErr, size_t nErr, const char *zApi, const wchar_t *zPath, DWORD e)
{
    char zP[MAX_PATH * 3];

    winapi_utf8(zPath, (size_t)-1, zP, sizeof(zP));
    winapi_errfmt(zErr, nErr, zApi, zP, (unsigned long)e);
}

int out_write_file_sys(const winsys_t *sys, const wchar_t *zPath, const void *p, size_t n,
                       char *zErr, size_t nErr)
{
    wchar_t zTmp[MAX_PATH + 32];
    HANDLE h = INVALID_HANDLE_VALUE;
    const char *pc = p;
    size_t done = 0, len;
    DWORD nPart, nW, e;
    int rc = KBS_EIO;

    if (!sys) sys = winsys_default();
    if (nErr) zErr[0] = 0;
    len = wcslen(zPath);
    if (len == 0 || len >= MAX_PATH) {
        snprintf(zErr, nErr, "path empty or longer than %d characters", MAX_PATH - 1);
        return KBS_EINVAL;
    }
    /* Same directory, so the rename never crosses volumes; the pid keeps two writers apart. */
    _snwprintf(zTmp, MAX_PATH + 31, L"%ls.tmp%lu", zPath, (unsigned long)GetCurrentProcessId());
    zTmp[MAX_PATH + 31] = 0;
    h = sys->pfnCreateFileW(zTmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL,
                            NULL);
    if (h == INVALID_HANDLE_VALUE) {
        e = GetLastError();
        out_err(zErr, nErr, "CreateFileW", zTmp, e);
        return out_rc(e);
    }
    while (done < n) {
        nPart = n - done > 0x100000 ? 0x100000 : (DWORD)(n - done);
        nW = 0;
        if (!sys->pfnWriteFile(h, pc + done, nPart, &nW, NULL) || nW == 0) {
            e = GetLastError();
            out_err(zErr, nErr, "WriteFile", zTmp, e);
            rc = out_rc(e);
            goto out;
        }
        done += nW;
    }
    /* The data must be on disk before the rename makes it the file others read. */
    if (!sys->pfnFlushFileBuffers(h)) {
        e = GetLastError();
        out_err(zErr, nErr, "FlushFileBuffers", zTmp, e);
        rc = out_rc(e);
        goto out;
    }
    CloseHandle(h);
    h = INVALID_HANDLE_VALUE;
    if (!sys->pfnMoveFileExW(zTmp, zPath, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        e = GetLastError();
        out_err(zErr, nErr, "MoveFileExW", zPath, e);
        rc = out_rc(e);
        goto out;
    }
    rc = KBS_OK;
out:
    if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
    if (rc != KBS_OK) DeleteFileW(zTmp);
    return rc;
}

int out_write_file(const wchar_t *zPath, const void *p, size_t n, char *zErr, size_t nErr)
{
    return out_write_file_sys(winsys_default(), zPath, p, n, zErr, nErr);
}
