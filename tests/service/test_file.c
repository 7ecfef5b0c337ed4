/* test_file.c: evidence-file versions: a real PE, absent, not-PE and directory paths, hostile
 * version resources injected through the call table, and the collection under a fake root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>

#include "kbs_err.h"
#include "win_file.h"

static wchar_t g_zK32[MAX_PATH];

static void t_k32(void)
{
    UINT n = GetSystemDirectoryW(g_zK32, MAX_PATH - 20);
    assert_true(n > 0 && n < MAX_PATH - 20);
    wcscat(g_zK32, L"\\kernel32.dll");
}

/* A path under KBS_TEST_TMP, as UTF-16. */
static void t_tmp(const char *zRel, wchar_t *z, size_t n)
{
    char zA[MAX_PATH];
    snprintf(zA, sizeof(zA), "%s/file-%lu/%s", KBS_TEST_TMP, (unsigned long)GetCurrentProcessId(),
             zRel);
    MultiByteToWideChar(CP_UTF8, 0, zA, -1, z, (int)n);
}

static void t_put(const wchar_t *zPath, const void *p, DWORD n)
{
    HANDLE h = CreateFileW(zPath, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD nW = 0;
    assert_true(h != INVALID_HANDLE_VALUE);
    assert_true(WriteFile(h, p, n, &nW, NULL) && nW == n);
    CloseHandle(h);
}

static void test_real_and_absent(void **state)
{
    ver_t v;
    char zErr[256];
    wchar_t zPath[MAX_PATH];
    (void)state;

    t_k32();
    assert_int_equal(file_version(winsys_default(), g_zK32, &v, zErr, sizeof(zErr)), KBS_OK);
    assert_true(v.part[0] >= 5);
    assert_int_equal(
        file_version(winsys_default(), L"C:\\no\\such\\srv.sys", &v, zErr, sizeof(zErr)),
        KBS_ENOTFOUND);
    assert_string_equal(zErr, "");
    t_tmp("", zPath, MAX_PATH);
    CreateDirectoryW(zPath, NULL);
    assert_int_equal(file_version(winsys_default(), zPath, &v, zErr, sizeof(zErr)), KBS_EIO);
    assert_non_null(strstr(zErr, "directory"));
    /* Not a PE at all, and a truncated PE header. */
    t_tmp("garbage.sys", zPath, MAX_PATH);
    t_put(zPath, "this is not a driver\r\n", 22);
    assert_true(file_version(winsys_default(), zPath, &v, zErr, sizeof(zErr)) != KBS_OK);
    assert_true(zErr[0] != 0);
    assert_int_equal(v.part[0], 0);
    t_tmp("trunc.sys", zPath, MAX_PATH);
    t_put(zPath, "MZ\x90\0\3\0\0\0", 8);
    assert_true(file_version(winsys_default(), zPath, &v, zErr, sizeof(zErr)) != KBS_OK);
    assert_true(zErr[0] != 0);
}

static DWORD WINAPI t_size_denied(LPCWSTR z, LPDWORD p)
{
    (void)z, (void)p;
    SetLastError(ERROR_ACCESS_DENIED);
    return 0;
}
static DWORD WINAPI t_size_huge(LPCWSTR z, LPDWORD p)
{
    (void)z, (void)p;
    return 0x7FFFFFFF;
}

static VS_FIXEDFILEINFO g_ffi;
static int g_mode;
static BOOL WINAPI t_query(LPCVOID pBlock, LPCWSTR zSub, LPVOID *pp, PUINT pn)
{
    (void)zSub;
    if (g_mode == 0) {
        *pp = &g_ffi;
        *pn = sizeof(g_ffi);
        return TRUE;
    } /* outside */
    if (g_mode == 1) {
        *pp = (void *)pBlock;
        *pn = 8;
        return TRUE;
    } /* short */
    if (g_mode == 2) {
        *pp = (void *)pBlock;
        *pn = sizeof(g_ffi);
        return TRUE;
    } /* no sig */
    *pp = NULL;
    *pn = 0;
    return FALSE;
}
static BOOL WINAPI t_info_zero(LPCWSTR z, DWORD h, DWORD n, LPVOID p)
{
    (void)z, (void)h;
    memset(p, 0, n);
    return TRUE;
}

static void test_injected(void **state)
{
    winsys_t sys = *winsys_default();
    ver_t v;
    char zErr[256];
    (void)state;

    t_k32();
    sys.pfnGetFileVersionInfoSizeW = t_size_denied;
    assert_int_equal(file_version(&sys, g_zK32, &v, zErr, sizeof(zErr)), KBS_EIO);
    assert_string_equal(zErr, "GetFileVersionInfoSizeW: 5");
    sys.pfnGetFileVersionInfoSizeW = t_size_huge;
    assert_int_equal(file_version(&sys, g_zK32, &v, zErr, sizeof(zErr)), KBS_EPARSE);
    assert_non_null(strstr(zErr, "too large"));
    sys = *winsys_default();
    sys.pfnGetFileVersionInfoW = t_info_zero;
    sys.pfnVerQueryValueW = t_query;
    for (g_mode = 0; g_mode < 4; g_mode++) {
        assert_int_equal(file_version(&sys, g_zK32, &v, zErr, sizeof(zErr)), KBS_EPARSE);
        assert_true(zErr[0] != 0);
        assert_int_equal(v.part[0], 0);
    }
}

static void test_collect(void **state)
{
    wchar_t zRoot[MAX_PATH], zP[MAX_PATH];
    snap_t s;
    size_t nErr = 0, i;
    char zErr[256];
    const snap_file_t *f;
    (void)state;

    t_k32();
    t_tmp("win", zRoot, MAX_PATH);
    CreateDirectoryW(zRoot, NULL);
    t_tmp("win/System32", zP, MAX_PATH);
    CreateDirectoryW(zP, NULL);
    t_tmp("win/System32/drivers", zP, MAX_PATH);
    CreateDirectoryW(zP, NULL);
    t_tmp("win/System32/drivers/srv.sys", zP, MAX_PATH);
    assert_true(CopyFileW(g_zK32, zP, FALSE));
    t_tmp("win/System32/netapi32.dll", zP, MAX_PATH);
    t_put(zP, "garbage", 7);
    t_tmp("win/System32/drivers/tcpip.sys", zP, MAX_PATH);
    assert_true(CopyFileW(g_zK32, zP, FALSE));
    snap_init(&s);
    assert_int_equal(file_collect(NULL, zRoot, &s, &nErr, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(s.nFile, 13);
    /* The proof files of the 2019-2024 emergencies are collected beside srv.sys. */
    f = snap_find_file(&s, "tcpip.sys");
    assert_non_null(f);
    assert_string_equal(f->zPath, "%SystemRoot%\\System32\\drivers\\tcpip.sys");
    assert_int_equal(f->present, 1);
    assert_non_null(snap_find_file(&s, "crypt32.dll"));
    assert_non_null(snap_find_file(&s, "netlogon.dll"));
    assert_non_null(snap_find_file(&s, "localspl.dll"));
    assert_non_null(snap_find_file(&s, "srv2.sys"));
    assert_int_equal(nErr, 1);
    assert_non_null(strstr(zErr, "netapi32.dll"));
    f = snap_find_file(&s, "srv.sys");
    assert_non_null(f);
    assert_string_equal(f->zPath, "%SystemRoot%\\System32\\drivers\\srv.sys");
    assert_int_equal(f->present, 1);
    assert_true(f->ver.part[0] >= 5);
    f = snap_find_file(&s, "netapi32.dll");
    assert_int_equal(f->present, 0);
    assert_true(f->zError[0] != 0);
    for (i = 0; i < s.nFile; i++) {
        if (strstr(s.aFile[i].zPath, "srv.sys") || strstr(s.aFile[i].zPath, "netapi32") ||
            strstr(s.aFile[i].zPath, "tcpip.sys"))
            continue;
        assert_int_equal(s.aFile[i].present, 0);
        assert_string_equal(s.aFile[i].zError, ""); /* absent is a fact, not an error */
    }
    snap_release(&s);
}

/* The system's Windows directory, not GetWindowsDirectoryW's (per user on a Terminal Server in
 * application mode): with no root given, the files come from where the table's
 * GetSystemWindowsDirectoryW points (here the test's tree, which only it knows). */
static wchar_t t_zFakeRoot[MAX_PATH];
static UINT WINAPI t_sys_windir(LPWSTR z, UINT n)
{
    UINT len = (UINT)wcslen(t_zFakeRoot);
    if (len >= n) return len + 1;
    wcscpy(z, t_zFakeRoot);
    return len;
}

static void test_system_windows_directory(void **state)
{
    winsys_t sys = *winsys_default();
    snap_t s;
    size_t nErr = 0;
    char zErr[256];
    const snap_file_t *f;
    (void)state;

    t_tmp("win", t_zFakeRoot, MAX_PATH); /* made by test_collect */
    sys.pfnGetSystemWindowsDirectoryW = t_sys_windir;
    snap_init(&s);
    assert_int_equal(file_collect(&sys, NULL, &s, &nErr, zErr, sizeof(zErr)), KBS_OK);
    f = snap_find_file(&s, "srv.sys");
    assert_non_null(f);
    assert_int_equal(f->present, 1);
    assert_int_equal(nErr, 1); /* the test tree's garbage netapi32.dll */
    snap_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_and_absent),
        cmocka_unit_test(test_injected),
        cmocka_unit_test(test_collect),
        cmocka_unit_test(test_system_windows_directory),
    };
    char zDir[MAX_PATH];
    snprintf(zDir, sizeof(zDir), "%s/file-%lu", KBS_TEST_TMP, (unsigned long)GetCurrentProcessId());
    CreateDirectoryA(zDir, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
