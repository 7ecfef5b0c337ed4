/* plat_win.c: console platform layer for Windows (XP and later): wide APIs for UTF-8 and UNC paths. */
#include "plat.h"

#include <io.h>
#include <process.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "kbs_err.h"

void plat_console_init(void)
{
    /* Our output is UTF-8; a console shows it right when its code page is UTF-8. */
    SetConsoleOutputCP(CP_UTF8);
}

char **plat_utf8_argv(int argc, wchar_t **wargv)
{
    char **argv = calloc((size_t)argc + 1, sizeof(char *));
    int i;
    if (!argv) return NULL;
    for (i = 0; i < argc; i++) {
        int n = WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, NULL, 0, NULL, NULL);
        if (n <= 0 || !(argv[i] = malloc((size_t)n))) goto fail;
        WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, argv[i], n, NULL, NULL);
    }
    return argv;
fail:
    plat_free_argv(argc, argv);
    return NULL;
}

void plat_free_argv(int argc, char **argv)
{
    int i;
    if (!argv) return;
    for (i = 0; i < argc; i++) free(argv[i]);
    free(argv);
}

/* The one place Win32 error codes become ours. */
static int plat_win_rc(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND: case ERROR_PATH_NOT_FOUND: case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME: case ERROR_INVALID_NAME: case ERROR_NOT_READY:
        return KBS_ENOTFOUND;
    case ERROR_ACCESS_DENIED: case ERROR_SHARING_VIOLATION: case ERROR_LOCK_VIOLATION:
        return KBS_EACCESS;
    case ERROR_NOT_ENOUGH_MEMORY: case ERROR_OUTOFMEMORY:
        return KBS_ENOMEM;
    default:
        return KBS_EIO;
    }
}

/* UTF-8 -> malloc'd wide string, NULL on failure. nExtra more wide chars are reserved. */
static wchar_t *plat_wide(const char *z, size_t nExtra)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, z, -1, NULL, 0);
    wchar_t *w;
    if (n <= 0) return NULL;
    if (!(w = malloc(((size_t)n + nExtra) * sizeof *w))) return NULL;
    MultiByteToWideChar(CP_UTF8, 0, z, -1, w, n);
    return w;
}

static char *plat_utf8(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *z;
    if (n <= 0 || !(z = malloc((size_t)n))) return NULL;
    WideCharToMultiByte(CP_UTF8, 0, w, -1, z, n, NULL, NULL);
    return z;
}

static int64_t plat_ft_unix_ns(const FILETIME *ft)
{
    ULARGE_INTEGER u;
    u.LowPart = ft->dwLowDateTime;
    u.HighPart = ft->dwHighDateTime;
    return (int64_t)(u.QuadPart - 116444736000000000ULL) * 100;
}

static int64_t plat_ft_unix(const FILETIME *ft)
{
    ULARGE_INTEGER u;
    u.LowPart = ft->dwLowDateTime;
    u.HighPart = ft->dwHighDateTime;
    return (int64_t)((u.QuadPart - 116444736000000000ULL) / 10000000ULL);
}

int plat_stat(const char *zPath, plat_stat_t *pSt)
{
    WIN32_FILE_ATTRIBUTE_DATA a;
    wchar_t *w = plat_wide(zPath, 0);
    if (!w) return KBS_ENOMEM;
    if (!GetFileAttributesExW(w, GetFileExInfoStandard, &a)) {
        DWORD e = GetLastError();
        free(w);
        return plat_win_rc(e);
    }
    free(w);
    pSt->isDir = (a.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? 1 : 0;
    pSt->size = (int64_t)(((uint64_t)a.nFileSizeHigh << 32) | a.nFileSizeLow);
    pSt->mtime = plat_ft_unix(&a.ftLastWriteTime);
    pSt->mtimeNs = plat_ft_unix_ns(&a.ftLastWriteTime);
    return KBS_OK;
}

typedef struct plat_ent {
    char *zName;
    plat_stat_t st;
    int isLink;
} plat_ent_t;

static int plat_cmp_ent(const void *a, const void *b)
{
    return strcmp(((const plat_ent_t *)a)->zName, ((const plat_ent_t *)b)->zName);
}

static int plat_walk_dir(const char *zDir, plat_walk_fn fn, void *pCtx)
{
    size_t nDir = strlen(zDir), nName = 0, nAlloc = 0, i;
    char *zPat = malloc(nDir + 3), *zSub = NULL;
    wchar_t *wPat = NULL;
    plat_ent_t *aEnt = NULL;
    WIN32_FIND_DATAW fd;
    HANDLE h = INVALID_HANDLE_VALUE;
    int rc = KBS_OK, bSep;

    if (!zPat) return KBS_ENOMEM;
    bSep = nDir && (zDir[nDir - 1] == '\\' || zDir[nDir - 1] == '/');
    memcpy(zPat, zDir, nDir);
    memcpy(zPat + nDir, bSep ? "*" : "\\*", bSep ? 2 : 3);
    if (!(wPat = plat_wide(zPat, 0))) { rc = KBS_ENOMEM; goto out; }
    h = FindFirstFileW(wPat, &fd);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        if (e != ERROR_FILE_NOT_FOUND && e != ERROR_NO_MORE_FILES) rc = fn(pCtx, zDir, NULL, plat_win_rc(e));
        goto out;
    }
    do {
        plat_ent_t *p;
        if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L"..")) continue;
        if (nName == nAlloc) {
            size_t nNew = nAlloc ? nAlloc * 2 : 64;
            plat_ent_t *a = realloc(aEnt, nNew * sizeof *a);
            if (!a) { rc = KBS_ENOMEM; goto out; }
            aEnt = a;
            nAlloc = nNew;
        }
        p = &aEnt[nName];
        if (!(p->zName = plat_utf8(fd.cFileName))) { rc = KBS_ENOMEM; goto out; }
        nName++;
        p->st.isDir = (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? 1 : 0;
        p->st.size = (int64_t)(((uint64_t)fd.nFileSizeHigh << 32) | fd.nFileSizeLow);
        p->st.mtime = plat_ft_unix(&fd.ftLastWriteTime);
        p->st.mtimeNs = plat_ft_unix_ns(&fd.ftLastWriteTime);
        p->isLink = (fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ? 1 : 0;
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    h = INVALID_HANDLE_VALUE;
    if (nName) qsort(aEnt, nName, sizeof *aEnt, plat_cmp_ent);
    for (i = 0; i < nName && rc == KBS_OK; i++) {
        size_t nSub = strlen(aEnt[i].zName);
        char *z = realloc(zSub, nDir + nSub + 2);
        if (!z) { rc = KBS_ENOMEM; break; }
        zSub = z;
        memcpy(zSub, zDir, nDir);
        if (bSep) {
            memcpy(zSub + nDir, aEnt[i].zName, nSub + 1);
        } else {
            zSub[nDir] = '\\';
            memcpy(zSub + nDir + 1, aEnt[i].zName, nSub + 1);
        }
        if (aEnt[i].st.isDir) {
            /* Junctions and directory links are not followed: they can loop. */
            if (!aEnt[i].isLink) rc = plat_walk_dir(zSub, fn, pCtx);
        } else {
            rc = fn(pCtx, zSub, &aEnt[i].st, KBS_OK);
        }
    }
out:
    if (h != INVALID_HANDLE_VALUE) FindClose(h);
    for (i = 0; i < nName; i++) free(aEnt[i].zName);
    free(aEnt);
    free(zSub);
    free(wPat);
    free(zPat);
    return rc;
}

int plat_walk(const char *zRoot, plat_walk_fn fn, void *pCtx)
{
    plat_stat_t ps;
    int rc = plat_stat(zRoot, &ps);
    if (rc) return rc;
    if (!ps.isDir) return fn(pCtx, zRoot, &ps, KBS_OK);
    return plat_walk_dir(zRoot, fn, pCtx);
}

int plat_read_file_buf(const char *zPath, size_t nMax, char **pzBuf, size_t *pnCap, size_t *pnOut)
{
    wchar_t *w = plat_wide(zPath, 0);
    HANDLE h = INVALID_HANDLE_VALUE;
    LARGE_INTEGER sz;
    size_t nGot = 0;
    int rc = KBS_OK;

    *pnOut = 0;
    if (!w) return KBS_ENOMEM;
    /* Share everything: an agent or a copy may still hold the file; the parser detects torn ones. */
    h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_SEQUENTIAL_SCAN, NULL);
    if (h == INVALID_HANDLE_VALUE) { rc = plat_win_rc(GetLastError()); goto out; }
    if (!GetFileSizeEx(h, &sz)) { rc = plat_win_rc(GetLastError()); goto out; }
    if (sz.QuadPart < 0 || (uint64_t)sz.QuadPart > (uint64_t)nMax) { rc = KBS_ETOOBIG; goto out; }
    if (!*pzBuf || *pnCap < (size_t)sz.QuadPart + 1) {
        char *z = realloc(*pzBuf, (size_t)sz.QuadPart + 1);
        if (!z) { rc = KBS_ENOMEM; goto out; }
        *pzBuf = z;
        *pnCap = (size_t)sz.QuadPart + 1;
    }
    while (nGot < (size_t)sz.QuadPart) {
        DWORD nWant = (DWORD)((size_t)sz.QuadPart - nGot > 1u << 30 ? 1u << 30 : (size_t)sz.QuadPart - nGot);
        DWORD nRead = 0;
        if (!ReadFile(h, *pzBuf + nGot, nWant, &nRead, NULL)) { rc = plat_win_rc(GetLastError()); goto out; }
        if (nRead == 0) break;
        nGot += nRead;
    }
    (*pzBuf)[nGot] = 0;
    *pnOut = nGot;
out:
    if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
    free(w);
    return rc;
}

int plat_mkdir(const char *zPath)
{
    wchar_t *w = plat_wide(zPath, 0);
    DWORD e, a;
    if (!w) return KBS_ENOMEM;
    if (CreateDirectoryW(w, NULL)) {
        free(w);
        return KBS_OK;
    }
    e = GetLastError();
    a = GetFileAttributesW(w);
    free(w);
    if (e == ERROR_ALREADY_EXISTS && a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY))
        return KBS_OK;
    return plat_win_rc(e);
}

FILE *plat_fopen(const char *zPath, const char *zMode)
{
    wchar_t *w = plat_wide(zPath, 0), *wm = plat_wide(zMode, 0);
    FILE *f = NULL;
    if (w && wm) f = _wfopen(w, wm);
    free(w);
    free(wm);
    return f;
}

int plat_isatty(FILE *f)
{
    DWORD mode;
    intptr_t hv = _get_osfhandle(_fileno(f));
    if (hv == -1) return 0;
    return GetConsoleMode((HANDLE)hv, &mode) ? 1 : 0;
}

double plat_now_ms(void)
{
    LARGE_INTEGER fq, c;
    QueryPerformanceFrequency(&fq);
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart * 1000.0 / (double)fq.QuadPart;
}

int64_t plat_time(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    return plat_ft_unix(&ft);
}

char *plat_getenv(const char *zName)
{
    wchar_t *w = plat_wide(zName, 0), *v;
    char *z = NULL;
    if (!w) return NULL;
    v = _wgetenv(w);
    if (v) z = plat_utf8(v);
    free(w);
    return z;
}

int plat_ncpu(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwNumberOfProcessors < 1 ? 1 : si.dwNumberOfProcessors > 64 ? 64
                                                                          : (int)si.dwNumberOfProcessors;
}

struct plat_thread {
    HANDLE h;
    void (*fn)(void *);
    void *pArg;
};

/* _beginthreadex, not CreateThread: the thread uses the C runtime (malloc, stdio). */
static unsigned __stdcall plat_thread_main(void *p)
{
    plat_thread_t *t = p;
    t->fn(t->pArg);
    return 0;
}

int plat_thread_start(plat_thread_t **ppT, void (*fn)(void *), void *pArg)
{
    plat_thread_t *t = calloc(1, sizeof *t);
    uintptr_t h;
    *ppT = NULL;
    if (!t) return KBS_ENOMEM;
    t->fn = fn;
    t->pArg = pArg;
    h = _beginthreadex(NULL, 0, plat_thread_main, t, 0, NULL);
    if (!h) {
        free(t);
        return KBS_ENOMEM;
    }
    t->h = (HANDLE)h;
    *ppT = t;
    return KBS_OK;
}

void plat_thread_join(plat_thread_t *t)
{
    if (!t) return;
    WaitForSingleObject(t->h, INFINITE);
    CloseHandle(t->h);
    free(t);
}

struct plat_mutex {
    CRITICAL_SECTION cs;
};

int plat_mutex_new(plat_mutex_t **ppM)
{
    plat_mutex_t *m = calloc(1, sizeof *m);
    *ppM = NULL;
    if (!m) return KBS_ENOMEM;
    InitializeCriticalSection(&m->cs);
    *ppM = m;
    return KBS_OK;
}

void plat_mutex_free(plat_mutex_t *m)
{
    if (!m) return;
    DeleteCriticalSection(&m->cs);
    free(m);
}

void plat_mutex_lock(plat_mutex_t *m) { EnterCriticalSection(&m->cs); }
void plat_mutex_unlock(plat_mutex_t *m) { LeaveCriticalSection(&m->cs); }

struct plat_sem {
    HANDLE h;
};

int plat_sem_new(plat_sem_t **ppS, unsigned nInit)
{
    plat_sem_t *s = calloc(1, sizeof *s);
    *ppS = NULL;
    if (!s) return KBS_ENOMEM;
    if (!(s->h = CreateSemaphoreW(NULL, (LONG)nInit, 0x7fffffff, NULL))) {
        free(s);
        return KBS_ENOMEM;
    }
    *ppS = s;
    return KBS_OK;
}

void plat_sem_free(plat_sem_t *s)
{
    if (!s) return;
    CloseHandle(s->h);
    free(s);
}

void plat_sem_wait(plat_sem_t *s) { WaitForSingleObject(s->h, INFINITE); }
void plat_sem_post(plat_sem_t *s, unsigned n) { ReleaseSemaphore(s->h, (LONG)n, NULL); }

int plat_write_atomic(const char *zPath, const void *p, size_t n)
{
    wchar_t *wPath = plat_wide(zPath, 0), *wTmp = NULL;
    HANDLE h = INVALID_HANDLE_VALUE;
    int rc = KBS_OK, i;
    const char *q = p;
    size_t nW;
    if (!wPath) return KBS_ENOMEM;
    nW = wcslen(wPath);
    if (!(wTmp = malloc((nW + 40) * sizeof *wTmp))) {
        rc = KBS_ENOMEM;
        goto out;
    }
    /* Beside the target (same volume, so the move is atomic), a name nobody can predict. */
    for (i = 0; i < 16 && h == INVALID_HANDLE_VALUE; i++) {
        _snwprintf(wTmp, nW + 40, L"%ls.tmp%lu.%d", wPath, (unsigned long)GetCurrentProcessId(), rand());
        wTmp[nW + 39] = 0;
        h = CreateFileW(wTmp, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
        if (h == INVALID_HANDLE_VALUE && GetLastError() != ERROR_FILE_EXISTS) break;
    }
    if (h == INVALID_HANDLE_VALUE) {
        rc = plat_win_rc(GetLastError());
        goto out;
    }
    while (n) {
        DWORD nChunk = n > 0x40000000u ? 0x40000000u : (DWORD)n, nDone = 0;
        if (!WriteFile(h, q, nChunk, &nDone, NULL) || nDone == 0) {
            rc = plat_win_rc(GetLastError());
            break;
        }
        q += nDone;
        n -= nDone;
    }
    if (rc == KBS_OK && !FlushFileBuffers(h)) rc = plat_win_rc(GetLastError());
    CloseHandle(h);
    if (rc == KBS_OK && !MoveFileExW(wTmp, wPath, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        rc = plat_win_rc(GetLastError());
    if (rc != KBS_OK) DeleteFileW(wTmp);
out:
    free(wTmp);
    free(wPath);
    return rc;
}
