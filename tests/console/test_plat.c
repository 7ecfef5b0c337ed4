/* test_plat.c: the directory walk: folders it cannot list fully are reported, links it does not
 * follow are reported; on Windows DFS links and mount points are followed once (loop guard by
 * volume serial and file id), through a replaced listing table (Wine cannot make DFS links). */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "kbs_err.h"
#include "plat.h"
#include "plat_ops.h"

#define T_DIR KBS_TEST_TMP "/test_plat"

/* What the walk reported, one "kind name" line per call (kind: file, dir-err, link, err). */
typedef struct t_seen {
    char z[4096];
    size_t n;
} t_seen_t;

static const char *t_base(const char *z)
{
    const char *p = z;
    for (; *z; z++)
        if (*z == '/' || *z == '\\') p = z + 1;
    return p;
}

static int t_cb(void *pCtx, const char *zPath, const plat_stat_t *pSt, int rc)
{
    t_seen_t *s = pCtx;
    const char *zKind = !rc ? "file" : !pSt ? "err" : rc == KBS_EUNSUPPORTED ? "link" : "dir-err";
    s->n += (size_t)snprintf(s->z + s->n, sizeof s->z - s->n, "%s %s\n", zKind, t_base(zPath));
    return KBS_OK;
}

#ifdef _WIN32
#define T_TAG_SYMLINK 0xA000000CL

/* A fake share under T_DIR: a.kbs; dfs (a DFS link) holding b.kbs; loop (a junction back to
 * the root); sym (a symbolic link: not followed); flaky, whose listing fails after c.kbs. */
typedef struct t_fent {
    const wchar_t *zName;
    DWORD dwAttr, dwTag;
} t_fent_t;

static const t_fent_t t_aRoot[] = {{L"a.kbs", FILE_ATTRIBUTE_NORMAL, 0},
                                   {L"dfs", FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT, 0x8000000AL},
                                   {L"flaky", FILE_ATTRIBUTE_DIRECTORY, 0},
                                   {L"loop", FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT, 0xA0000003L},
                                   {L"sym", FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT, T_TAG_SYMLINK}};
static const t_fent_t t_aDfs[] = {{L"b.kbs", FILE_ATTRIBUTE_NORMAL, 0}};
static const t_fent_t t_aFlaky[] = {{L"c.kbs", FILE_ATTRIBUTE_NORMAL, 0}, {L"d.kbs", FILE_ATTRIBUTE_NORMAL, 0}};

typedef struct t_find {
    const t_fent_t *a;
    size_t n, i, nFailAt;    /* nFailAt: FindNextFileW fails before entry nFailAt (0 never) */
} t_find_t;

static t_find_t t_aFind[8];
static size_t t_nFind, t_nLoopListed;

static int t_ends(const wchar_t *z, const wchar_t *zEnd)
{
    size_t n = wcslen(z), m = wcslen(zEnd);
    return n >= m && !wcscmp(z + n - m, zEnd);
}

static void t_fill(const t_fent_t *e, LPWIN32_FIND_DATAW pFd)
{
    memset(pFd, 0, sizeof *pFd);
    wcscpy(pFd->cFileName, e->zName);
    pFd->dwFileAttributes = e->dwAttr;
    pFd->dwReserved0 = e->dwTag;
    pFd->nFileSizeLow = 10;
}

static HANDLE WINAPI t_FindFirstFileW(LPCWSTR zPat, LPWIN32_FIND_DATAW pFd)
{
    t_find_t *f = &t_aFind[t_nFind];
    memset(f, 0, sizeof *f);
    if (t_ends(zPat, L"\\dfs\\*")) {
        f->a = t_aDfs, f->n = 1;
    } else if (t_ends(zPat, L"\\flaky\\*")) {
        f->a = t_aFlaky, f->n = 2, f->nFailAt = 1;
    } else if (t_ends(zPat, L"\\loop\\*")) {
        t_nLoopListed++;
        f->a = t_aRoot, f->n = 5;
    } else {
        f->a = t_aRoot, f->n = 5;
    }
    t_fill(&f->a[0], pFd);
    f->i = 1;
    return (HANDLE)(intptr_t)(++t_nFind);
}

static BOOL WINAPI t_FindNextFileW(HANDLE h, LPWIN32_FIND_DATAW pFd)
{
    t_find_t *f = &t_aFind[(intptr_t)h - 1];
    if (f->nFailAt && f->i == f->nFailAt) {
        SetLastError(ERROR_NETNAME_DELETED);
        return FALSE;
    }
    if (f->i >= f->n) {
        SetLastError(ERROR_NO_MORE_FILES);
        return FALSE;
    }
    t_fill(&f->a[f->i++], pFd);
    return TRUE;
}

static BOOL WINAPI t_FindClose(HANDLE h)
{
    (void)h;
    return TRUE;
}

/* Folder identities: the root and loop are one folder (1), dfs another (2). */
static HANDLE WINAPI t_CreateFileW(LPCWSTR z, DWORD a, DWORD b, LPSECURITY_ATTRIBUTES c, DWORD d,
                                   DWORD e, HANDLE f)
{
    (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
    return (HANDLE)(intptr_t)(t_ends(z, L"\\dfs") ? 2 : 1);
}

static BOOL WINAPI t_GetFileInformationByHandle(HANDLE h, LPBY_HANDLE_FILE_INFORMATION p)
{
    memset(p, 0, sizeof *p);
    p->dwVolumeSerialNumber = 0x1234;
    p->nFileIndexLow = (DWORD)(intptr_t)h;
    return TRUE;
}

static BOOL WINAPI t_CloseHandle(HANDLE h)
{
    (void)h;
    return TRUE;
}

static void test_walk_links_and_read_errors(void **state)
{
    plat_dir_ops_t saved = plat_dirOps;
    t_seen_t seen;
    int rc;
    (void)state;
    plat_mkdir(T_DIR);
    memset(&seen, 0, sizeof seen);
    t_nFind = t_nLoopListed = 0;
    plat_dirOps.pFindFirstFileW = t_FindFirstFileW;
    plat_dirOps.pFindNextFileW = t_FindNextFileW;
    plat_dirOps.pFindClose = t_FindClose;
    plat_dirOps.pCreateFileW = t_CreateFileW;
    plat_dirOps.pGetFileInformationByHandle = t_GetFileInformationByHandle;
    plat_dirOps.pCloseHandle = t_CloseHandle;
    rc = plat_walk(T_DIR, t_cb, &seen);
    plat_dirOps = saved;
    assert_int_equal(rc, KBS_OK);
    /* The DFS link is followed; the junction back to the root is not walked again; the symbolic
     * link is reported; the flaky folder's error is reported after what it listed. */
    assert_string_equal(seen.z, "file a.kbs\n"
                                "file b.kbs\n"
                                "dir-err flaky\n"
                                "file c.kbs\n"
                                "link sym\n");
    assert_int_equal(t_nLoopListed, 0);
}
#else
#include <unistd.h>

/* A symbolic link to a folder is not followed, and says so; a link to a file is read. */
static void test_walk_links_and_read_errors(void **state)
{
    t_seen_t seen;
    FILE *f;
    (void)state;
    plat_mkdir(T_DIR);
    plat_mkdir(T_DIR "/sub");
    f = fopen(T_DIR "/sub/a.kbs", "wb");
    assert_non_null(f);
    fclose(f);
    remove(T_DIR "/up");
    remove(T_DIR "/alink.kbs");
    assert_int_equal(symlink("..", T_DIR "/up"), 0);
    assert_int_equal(symlink("sub/a.kbs", T_DIR "/alink.kbs"), 0);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(plat_walk(T_DIR, t_cb, &seen), KBS_OK);
    assert_string_equal(seen.z, "file alink.kbs\nfile a.kbs\nlink up\n");
    remove(T_DIR "/up");
    remove(T_DIR "/alink.kbs");
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_links_and_read_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
