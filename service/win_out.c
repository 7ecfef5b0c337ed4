/* win_out.c: atomic file replacement through a temp file in the same directory, flushed to disk
 * before MoveFileEx renames it over the old file. */
#include "win_out.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include <ntsecapi.h>

#include "kbs_err.h"

/* A reader holding the old file open, or another writer renaming over it, blocks the rename a
 * moment: retry with growing sleeps, about 1.3 s in all. */
#define OUT_MOVE_TRIES     10
#define OUT_MOVE_SLEEP_MAX 250

/* The temp name is "<file>.tmp<pid>-<16 hex digits>": the pid tells the start-up sweep whose it
 * was, the random part makes it unpredictable, so nobody can plant a hard link at it (and it
 * is opened CREATE_NEW, so a planted name is never truncated, only skipped). */
#define OUT_TMP_EXTRA 31 /* ".tmp" + up to 10 digits + "-" + 16 hex digits */
#define OUT_TMP_TRIES 4

static volatile LONG out_nFallback;

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
    wchar_t zTmp[MAX_PATH];
    HANDLE h = INVALID_HANDLE_VALUE;
    const char *pc = p;
    size_t done = 0, len;
    DWORD nPart, nW, e;
    int rc = KBS_EIO, i;

    if (!sys) sys = winsys_default();
    if (nErr) zErr[0] = 0;
    len = wcslen(zPath);
    if (len == 0 || len + OUT_TMP_EXTRA >= MAX_PATH) {
        snprintf(zErr, nErr,
                 "path empty or longer than %d characters (its temp name must fit in "
                 "MAX_PATH)",
                 MAX_PATH - 1 - OUT_TMP_EXTRA);
        return KBS_EINVAL;
    }
    /* Same directory, so the rename never crosses volumes. */
    for (i = 0;; i++) {
        ULONG aRnd[2] = {0, 0};
        if (!RtlGenRandom(aRnd, sizeof(aRnd))) {
            /* Not seen in practice; the tick count and a counter still keep names apart. */
            aRnd[0] = GetTickCount();
            aRnd[1] = (ULONG)InterlockedIncrement(&out_nFallback);
        }
        _snwprintf(zTmp, MAX_PATH, L"%ls.tmp%lu-%08lx%08lx", zPath,
                   (unsigned long)GetCurrentProcessId(), (unsigned long)aRnd[0],
                   (unsigned long)aRnd[1]);
        zTmp[MAX_PATH - 1] = 0;
        h = sys->pfnCreateFileW(zTmp, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL,
                                NULL);
        if (h != INVALID_HANDLE_VALUE) break;
        e = GetLastError();
        if ((e != ERROR_FILE_EXISTS && e != ERROR_ALREADY_EXISTS) || i + 1 >= OUT_TMP_TRIES) {
            out_err(zErr, nErr, "CreateFileW", zTmp, e);
            return out_rc(e);
        }
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
    /* The old file may be open for a moment (a collector reading it, another writer replacing
     * it): a few short retries, then the error. */
    for (i = 0;; i++) {
        if (sys->pfnMoveFileExW(zTmp, zPath, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
            break;
        e = GetLastError();
        if (i + 1 >= OUT_MOVE_TRIES || (e != ERROR_ACCESS_DENIED && e != ERROR_SHARING_VIOLATION)) {
            out_err(zErr, nErr, "MoveFileExW", zPath, e);
            rc = out_rc(e);
            goto out;
        }
        Sleep(i < 5 ? 10u << i : OUT_MOVE_SLEEP_MAX);
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

/* The writer's pid from "<name>.tmp<pid>-<random>" (or the older "<name>.tmp<pid>"); 0 if none. */
static DWORD out_tmp_pid(const wchar_t *zName)
{
    const wchar_t *z = wcsstr(zName, L".tmp");
    wchar_t *zEnd;
    unsigned long pid;

    if (!z) return 0;
    pid = wcstoul(z + 4, &zEnd, 10);
    if (zEnd == z + 4 || (*zEnd && *zEnd != L'-')) return 0;
    return (DWORD)pid;
}

/* A temp file may be deleted when its writer is this process (no write is under way when the
 * agent starts) or a process that no longer exists. A live writer, or one we may not look at,
 * keeps its file. */
static int out_tmp_stale(DWORD pid)
{
    HANDLE h;
    DWORD code = 0;
    int stale;

    if (pid == GetCurrentProcessId()) return 1;
    h = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, pid);
    if (!h) return GetLastError() == ERROR_INVALID_PARAMETER;
    stale = GetExitCodeProcess(h, &code) && code != STILL_ACTIVE;
    CloseHandle(h);
    return stale;
}

int out_sweep_temps(const wchar_t *zDir, const wchar_t *zPattern)
{
    wchar_t zFind[MAX_PATH], zFile[MAX_PATH];
    WIN32_FIND_DATAW fd;
    HANDLE hFind;
    DWORD pid;
    int n = 0;

    if (_snwprintf(zFind, MAX_PATH, L"%ls\\%ls", zDir, zPattern) < 0) return 0;
    zFind[MAX_PATH - 1] = 0;
    hFind = FindFirstFileW(zFind, &fd);
    if (hFind == INVALID_HANDLE_VALUE) return 0;
    do {
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) continue;
        if (!(pid = out_tmp_pid(fd.cFileName)) || !out_tmp_stale(pid)) continue;
        if (_snwprintf(zFile, MAX_PATH, L"%ls\\%ls", zDir, fd.cFileName) < 0) continue;
        zFile[MAX_PATH - 1] = 0;
        if (DeleteFileW(zFile)) n++;
    } while (FindNextFileW(hFind, &fd));
    FindClose(hFind);
    return n;
}
