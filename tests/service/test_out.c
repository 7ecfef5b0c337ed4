/* test_out.c: atomic file replacement: new and replaced files, and failures at every step
 * (create, write, flush, rename) leave the old file intact and no temp file behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>
#include <windows.h>

#include "kbs_err.h"
#include "win_out.h"

static wchar_t g_zDir[MAX_PATH];

static void t_path(const wchar_t *zName, wchar_t *z)
{
    _snwprintf(z, MAX_PATH, L"%ls\\%ls", g_zDir, zName);
    z[MAX_PATH - 1] = 0;
}

/* The whole file as text (NUL-terminated), or "" when absent. */
static void t_read(const wchar_t *zPath, char *z, DWORD n)
{
    HANDLE h = CreateFileW(zPath, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    DWORD nR = 0;
    z[0] = 0;
    if (h == INVALID_HANDLE_VALUE) return;
    ReadFile(h, z, n - 1, &nR, NULL);
    z[nR] = 0;
    CloseHandle(h);
}

/* Files in the test directory whose name holds ".tmp". */
static int t_temps(void)
{
    wchar_t zPat[MAX_PATH];
    WIN32_FIND_DATAW fd;
    HANDLE h;
    int n = 0;

    t_path(L"*.tmp*", zPat);
    h = FindFirstFileW(zPat, &fd);
    if (h == INVALID_HANDLE_VALUE) return 0;
    do
        n++;
    while (FindNextFileW(h, &fd));
    FindClose(h);
    return n;
}

static void test_write_replace(void **state)
{
    wchar_t zPath[MAX_PATH];
    char zErr[256], zBuf[64];
    (void)state;

    t_path(L"HOST1.kbs", zPath);
    DeleteFileW(zPath);
    assert_int_equal(out_write_file(zPath, "first\r\n", 7, zErr, sizeof(zErr)), KBS_OK);
    t_read(zPath, zBuf, sizeof(zBuf));
    assert_string_equal(zBuf, "first\r\n");
    assert_int_equal(out_write_file(zPath, "second\r\n", 8, zErr, sizeof(zErr)), KBS_OK);
    t_read(zPath, zBuf, sizeof(zBuf));
    assert_string_equal(zBuf, "second\r\n");
    assert_int_equal(out_write_file(zPath, "", 0, zErr, sizeof(zErr)), KBS_OK);
    t_read(zPath, zBuf, sizeof(zBuf));
    assert_string_equal(zBuf, "");
    assert_int_equal(t_temps(), 0);
}

static BOOL WINAPI t_move_fail(LPCWSTR a, LPCWSTR b, DWORD f)
{
    (void)a, (void)b, (void)f;
    SetLastError(ERROR_ACCESS_DENIED);
    return FALSE;
}
static BOOL WINAPI t_flush_fail(HANDLE h)
{
    (void)h;
    SetLastError(ERROR_DISK_FULL);
    return FALSE;
}
static BOOL WINAPI t_write_half(HANDLE h, LPCVOID p, DWORD n, LPDWORD pn, LPOVERLAPPED o)
{
    /* Half the data, then the disk is full: the torn temp file must never become the file. */
    if (!WriteFile(h, p, n / 2, pn, o)) return FALSE;
    SetLastError(ERROR_DISK_FULL);
    return FALSE;
}

static void test_failures(void **state)
{
    winsys_t sys;
    wchar_t zPath[MAX_PATH], zLong[MAX_PATH + 10];
    char zErr[256], zBuf[64];
    (void)state;

    t_path(L"HOST2.kbs", zPath);
    assert_int_equal(out_write_file(zPath, "old\r\n", 5, zErr, sizeof(zErr)), KBS_OK);

    sys = *winsys_default();
    sys.pfnMoveFileExW = t_move_fail;
    assert_int_equal(out_write_file_sys(&sys, zPath, "new\r\n", 5, zErr, sizeof(zErr)),
                     KBS_EACCESS);
    assert_non_null(strstr(zErr, "MoveFileExW"));
    assert_non_null(strstr(zErr, ": 5"));
    sys = *winsys_default();
    sys.pfnFlushFileBuffers = t_flush_fail;
    assert_int_equal(out_write_file_sys(&sys, zPath, "new\r\n", 5, zErr, sizeof(zErr)), KBS_EIO);
    assert_non_null(strstr(zErr, "FlushFileBuffers"));
    assert_non_null(strstr(zErr, ": 112"));
    sys = *winsys_default();
    sys.pfnWriteFile = t_write_half;
    assert_int_equal(out_write_file_sys(&sys, zPath, "new content\r\n", 13, zErr, sizeof(zErr)),
                     KBS_EIO);
    assert_non_null(strstr(zErr, "WriteFile"));
    t_read(zPath, zBuf, sizeof(zBuf));
    assert_string_equal(zBuf, "old\r\n");
    assert_int_equal(t_temps(), 0);

    /* No such directory; a path too long. */
    t_path(L"no-such-dir\\HOST3.kbs", zPath);
    assert_int_equal(out_write_file(zPath, "x", 1, zErr, sizeof(zErr)), KBS_ENOTFOUND);
    assert_non_null(strstr(zErr, "CreateFileW"));
    wmemset(zLong, L'a', MAX_PATH + 5);
    zLong[MAX_PATH + 5] = 0;
    assert_int_equal(out_write_file(zLong, "x", 1, zErr, sizeof(zErr)), KBS_EINVAL);
    assert_int_equal(out_write_file(L"", "x", 1, zErr, sizeof(zErr)), KBS_EINVAL);
}

/* What the writer asked CreateFileW for: every name and disposition. */
static struct {
    int n, nFailExists;
    wchar_t azName[4][MAX_PATH];
    DWORD aDisp[4];
} t_cf;

static HANDLE WINAPI t_create_rec(LPCWSTR z, DWORD acc, DWORD share, LPSECURITY_ATTRIBUTES sa,
                                  DWORD disp, DWORD flags, HANDLE hT)
{
    if (t_cf.n < 4) {
        wcsncpy(t_cf.azName[t_cf.n], z, MAX_PATH - 1);
        t_cf.aDisp[t_cf.n] = disp;
    }
    t_cf.n++;
    if (t_cf.nFailExists > 0) {
        t_cf.nFailExists--;
        SetLastError(ERROR_FILE_EXISTS);
        return INVALID_HANDLE_VALUE;
    }
    return CreateFileW(z, acc, share, sa, disp, flags, hT);
}

/* 16 hex digits after the last '-' of a temp name: the part nobody can predict. */
static int t_random_part(const wchar_t *z)
{
    const wchar_t *p = wcsrchr(z, L'-');
    int i;
    if (!p || wcslen(p + 1) != 16) return 0;
    for (i = 1; i <= 16; i++)
        if (!iswxdigit(p[i])) return 0;
    return 1;
}

/* A hard link planted at a predictable temp name made the writer truncate the linked file: the
 * temp file is opened CREATE_NEW with a random part, and a name that exists is skipped. */
static void test_temp_name_unpredictable(void **state)
{
    winsys_t sys = *winsys_default();
    wchar_t zPath[MAX_PATH];
    char zErr[256], zBuf[64];
    (void)state;

    t_path(L"HOST3.kbs", zPath);
    DeleteFileW(zPath);
    memset(&t_cf, 0, sizeof(t_cf));
    sys.pfnCreateFileW = t_create_rec;
    assert_int_equal(out_write_file_sys(&sys, zPath, "a", 1, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(t_cf.n, 1);
    assert_int_equal(t_cf.aDisp[0], CREATE_NEW);
    assert_true(t_random_part(t_cf.azName[0]));
    /* A name that is taken: another one, never the taken one opened. */
    memset(&t_cf, 0, sizeof(t_cf));
    t_cf.nFailExists = 1;
    assert_int_equal(out_write_file_sys(&sys, zPath, "bc", 2, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(t_cf.n, 2);
    assert_true(wcscmp(t_cf.azName[0], t_cf.azName[1]) != 0);
    assert_true(t_random_part(t_cf.azName[1]));
    t_read(zPath, zBuf, sizeof(zBuf));
    assert_string_equal(zBuf, "bc");
    assert_int_equal(t_temps(), 0);
    DeleteFileW(zPath);
}

/* A path whose temp name would pass MAX_PATH is refused before anything is created. */
static void test_temp_name_fits(void **state)
{
    winsys_t sys = *winsys_default();
    wchar_t zPath[MAX_PATH];
    char zErr[256];
    int i;
    (void)state;

    memset(&t_cf, 0, sizeof(t_cf));
    sys.pfnCreateFileW = t_create_rec;
    wcscpy(zPath, L"C:\\");
    for (i = 3; i < MAX_PATH - 31; i++) zPath[i] = L'a';
    zPath[MAX_PATH - 31] = 0; /* 229 characters: the temp name would need 260 */
    assert_int_equal(out_write_file_sys(&sys, zPath, "a", 1, zErr, sizeof(zErr)), KBS_EINVAL);
    assert_int_equal(t_cf.n, 0);
    assert_non_null(strstr(zErr, "temp name"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_replace),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_temp_name_unpredictable),
        cmocka_unit_test(test_temp_name_fits),
    };
    char zDir[MAX_PATH];

    snprintf(zDir, sizeof(zDir), "%s\\out-%lu", KBS_TEST_TMP, (unsigned long)GetCurrentProcessId());
    MultiByteToWideChar(CP_UTF8, 0, zDir, -1, g_zDir, MAX_PATH);
    CreateDirectoryW(g_zDir, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
