/* test_settings.c: registry settings: value parsing (bad, truncated, oversized, NUL) and precedence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>

#include "kbs_err.h"
#include "win_settings.h"

#define T_POLICY L"SOFTWARE\\kbsentry-test\\Policies"
#define T_BASE L"SOFTWARE\\kbsentry-test\\Base"

static int t_uint_sz(const wchar_t *z, unsigned *pOut)
{
    char zReason[160];
    return settings_parse_uint(REG_SZ, (const BYTE *)z, (DWORD)((wcslen(z) + 1) * 2), 15, 43200,
                               pOut, zReason, sizeof(zReason));
}

static void test_uint(void **state)
{
    char zReason[160];
    unsigned v = 0;
    DWORD d = 360;
    BYTE a3[3] = {1, 2, 3};
    (void)state;
    assert_int_equal(settings_parse_uint(REG_DWORD, (BYTE *)&d, 4, 15, 43200, &v, zReason, 160),
                     KBS_OK);
    assert_int_equal(v, 360);
    d = 0;
    assert_int_equal(settings_parse_uint(REG_DWORD, (BYTE *)&d, 4, 15, 43200, &v, zReason, 160),
                     KBS_ETOOBIG);
    assert_non_null(strstr(zReason, "outside"));
    d = 0xFFFFFFFFu;
    assert_int_equal(settings_parse_uint(REG_DWORD, (BYTE *)&d, 4, 15, 43200, &v, zReason, 160),
                     KBS_ETOOBIG);
    /* truncated DWORD */
    assert_int_equal(settings_parse_uint(REG_DWORD, a3, 3, 15, 43200, &v, zReason, 160),
                     KBS_EPARSE);
    assert_int_equal(settings_parse_uint(REG_BINARY, (BYTE *)&d, 4, 15, 43200, &v, zReason, 160),
                     KBS_EPARSE);
    assert_int_equal(t_uint_sz(L"120", &v), KBS_OK);
    assert_int_equal(v, 120);
    assert_int_equal(t_uint_sz(L" 60 ", &v), KBS_OK);
    assert_int_equal(t_uint_sz(L"", &v), KBS_EPARSE);
    assert_int_equal(t_uint_sz(L"6h", &v), KBS_EPARSE);
    assert_int_equal(t_uint_sz(L"-5", &v), KBS_EPARSE);
    assert_int_equal(t_uint_sz(L"0x100", &v), KBS_EPARSE);
    assert_int_equal(t_uint_sz(L"99999999999999999999", &v), KBS_ETOOBIG);
    assert_int_equal(t_uint_sz(L"12345678901234567890123456789", &v), KBS_ETOOBIG);
    {
        /* NUL inside the string */
        static const wchar_t z[] = L"12\0" L"3";
        assert_int_equal(settings_parse_uint(REG_SZ, (const BYTE *)z, sizeof(z), 15, 43200, &v,
                                             zReason, 160),
                         KBS_EPARSE);
        assert_non_null(strstr(zReason, "NUL"));
    }
    /* odd byte count */
    assert_int_equal(settings_parse_uint(REG_SZ, (const BYTE *)L"120", 5, 15, 43200, &v, zReason,
                                         160),
                     KBS_EPARSE);
    /* no terminating NUL is fine */
    assert_int_equal(settings_parse_uint(REG_SZ, (const BYTE *)L"120", 6, 15, 43200, &v, zReason,
                                         160),
                     KBS_OK);
}

static int t_path(const wchar_t *z, int isShare, wchar_t *zOut)
{
    char zReason[160];
    return settings_parse_path(REG_SZ, (const BYTE *)z, (DWORD)(wcslen(z) * 2), isShare, zOut,
                               SETTINGS_PATH_MAX, zReason, sizeof(zReason));
}

static void test_path(void **state)
{
    wchar_t z[SETTINGS_PATH_MAX], zLong[400];
    char zReason[160];
    int i;
    (void)state;
    assert_int_equal(t_path(L"\\\\srv\\drop", 1, z), KBS_OK);
    assert_true(!wcscmp(z, L"\\\\srv\\drop"));
    assert_int_equal(t_path(L"\\\\srv\\drop\\kbs\\", 1, z), KBS_OK);
    assert_true(!wcscmp(z, L"\\\\srv\\drop\\kbs"));
    assert_int_equal(t_path(L"D:\\drop", 1, z), KBS_OK);
    assert_int_equal(t_path(L"C:\\", 0, z), KBS_OK);
    assert_true(!wcscmp(z, L"C:\\"));
    assert_int_equal(t_path(L"", 1, z), KBS_OK);
    assert_int_equal(z[0], 0);
    assert_int_equal(t_path(L"   ", 1, z), KBS_OK);
    assert_int_equal(z[0], 0);
    assert_int_equal(t_path(L"\\\\srv", 1, z), KBS_EPARSE);
    assert_int_equal(t_path(L"\\\\srv\\", 1, z), KBS_EPARSE);
    assert_int_equal(t_path(L"\\\\\\share", 1, z), KBS_EPARSE);
    assert_int_equal(t_path(L"\\\\srv\\\\x", 1, z), KBS_EPARSE);
    assert_int_equal(t_path(L"\\\\srv\\drop", 0, z), KBS_EPARSE); /* DataDir must be local */
    assert_int_equal(t_path(L"relative\\dir", 1, z), KBS_EPARSE);
    assert_int_equal(t_path(L"C:relative", 0, z), KBS_EPARSE);
    assert_int_equal(t_path(L"C:\\a\\b:c", 0, z), KBS_EPARSE);
    assert_int_equal(t_path(L"C:\\a*b", 0, z), KBS_EPARSE);
    assert_int_equal(t_path(L"C:/a/b", 0, z), KBS_EPARSE);
    assert_int_equal(t_path(L"C:\\a\tb", 0, z), KBS_EPARSE);
    for (i = 0; i < 399; i++) zLong[i] = L'a';
    zLong[0] = L'C', zLong[1] = L':', zLong[2] = L'\\', zLong[399] = 0;
    assert_int_equal(t_path(zLong, 0, z), KBS_ETOOBIG);
    /* The longest path taken must leave room for "\\<HOST>.kbs" and the temp suffix under
     * MAX_PATH: 239 characters (the old limit) did not. */
    zLong[239] = 0;
    assert_int_equal(t_path(zLong, 0, z), KBS_ETOOBIG);
    zLong[201] = 0;
    assert_int_equal(t_path(zLong, 0, z), KBS_ETOOBIG);
    zLong[200] = 0;
    assert_int_equal(t_path(zLong, 0, z), KBS_OK);
    assert_true(200 + 1 + 15 + 4 + 31 < MAX_PATH);
    {
        static const wchar_t zNul[] = L"C:\\a\0b";
        assert_int_equal(settings_parse_path(REG_SZ, (const BYTE *)zNul, sizeof(zNul), 0, z,
                                             SETTINGS_PATH_MAX, zReason, 160),
                         KBS_EPARSE);
    }
    {
        DWORD d = 5;
        assert_int_equal(settings_parse_path(REG_DWORD, (const BYTE *)&d, 4, 0, z,
                                             SETTINGS_PATH_MAX, zReason, 160),
                         KBS_EPARSE);
    }
    SetEnvironmentVariableW(L"KBS_T_DIR", L"C:\\kbs-data");
    assert_int_equal(settings_parse_path(REG_EXPAND_SZ, (const BYTE *)L"%KBS_T_DIR%\\x",
                                         (DWORD)(wcslen(L"%KBS_T_DIR%\\x") + 1) * 2, 0, z,
                                         SETTINGS_PATH_MAX, zReason, 160),
                     KBS_OK);
    assert_true(!wcscmp(z, L"C:\\kbs-data\\x"));
}

/* Bad values seen by settings_load. */
typedef struct t_errs {
    int n;
    char zLast[400];
} t_errs_t;

static void t_on_err(void *pArg, const char *zName, const char *zWhere, const char *zReason,
                     const char *zUsing)
{
    t_errs_t *e = pArg;
    e->n++;
    snprintf(e->zLast, sizeof(e->zLast), "%s|%s|%s|%s", zName, zWhere, zReason, zUsing);
}

static void t_set_dword(const wchar_t *zKey, const wchar_t *zName, DWORD d)
{
    HKEY h;
    assert_int_equal(RegCreateKeyExW(HKEY_CURRENT_USER, zKey, 0, NULL, 0, KEY_SET_VALUE, NULL, &h,
                                     NULL),
                     ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(h, zName, 0, REG_DWORD, (BYTE *)&d, 4), ERROR_SUCCESS);
    RegCloseKey(h);
}

static void t_set_raw(const wchar_t *zKey, const wchar_t *zName, DWORD type, const void *p,
                      DWORD n)
{
    HKEY h;
    assert_int_equal(RegCreateKeyExW(HKEY_CURRENT_USER, zKey, 0, NULL, 0, KEY_SET_VALUE, NULL, &h,
                                     NULL),
                     ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(h, zName, 0, type, (const BYTE *)p, n), ERROR_SUCCESS);
    RegCloseKey(h);
}

static int t_teardown(void **state)
{
    (void)state;
    RegDeleteKeyW(HKEY_CURRENT_USER, T_POLICY);
    RegDeleteKeyW(HKEY_CURRENT_USER, T_BASE);
    RegDeleteKeyW(HKEY_CURRENT_USER, L"SOFTWARE\\kbsentry-test");
    return 0;
}

static void test_load_missing_keys(void **state)
{
    settings_t s;
    t_errs_t e = {0};
    (void)state;
    t_teardown(NULL);
    assert_int_equal(settings_load(&s, HKEY_CURRENT_USER, T_POLICY, T_BASE, t_on_err, &e), KBS_OK);
    assert_int_equal(s.intervalMin, SETTINGS_INTERVAL_DEFAULT);
    assert_int_equal(s.startDelayMaxSec, SETTINGS_DELAY_DEFAULT);
    assert_int_equal(s.zDropShare[0], 0);
    assert_int_equal(s.zDataDir[0], 0);
    assert_int_equal(e.n, 0);
    assert_int_equal(s.aFrom[SETTINGS_V_INTERVAL], SETTINGS_FROM_DEFAULT);
    assert_int_equal(s.aFrom[SETTINGS_V_DATADIR], SETTINGS_FROM_DEFAULT);
    assert_string_equal(settings_from_name(SETTINGS_FROM_DEFAULT), "default");
}

static void test_load_policy_wins(void **state)
{
    settings_t s;
    t_errs_t e = {0};
    static const wchar_t zDrop[] = L"\\\\base\\drop";
    static const wchar_t zDrop2[] = L"\\\\gpo\\drop";
    (void)state;
    t_set_dword(T_BASE, L"ScanIntervalMinutes", 120);
    t_set_raw(T_BASE, L"DropShare", REG_SZ, zDrop, sizeof(zDrop));
    t_set_dword(T_POLICY, L"ScanIntervalMinutes", 720);
    t_set_raw(T_POLICY, L"DropShare", REG_SZ, zDrop2, sizeof(zDrop2));
    assert_int_equal(settings_load(&s, HKEY_CURRENT_USER, T_POLICY, T_BASE, t_on_err, &e), KBS_OK);
    assert_int_equal(e.n, 0);
    assert_int_equal(s.intervalMin, 720);
    assert_true(!wcscmp(s.zDropShare, zDrop2));
    assert_int_equal(s.aFrom[SETTINGS_V_INTERVAL], SETTINGS_FROM_POLICY);
    assert_int_equal(s.aFrom[SETTINGS_V_DROP], SETTINGS_FROM_POLICY);
    assert_int_equal(s.aFrom[SETTINGS_V_DELAY], SETTINGS_FROM_DEFAULT);
    t_teardown(NULL);
    /* Without the policy, the install-time values. */
    t_set_dword(T_BASE, L"ScanIntervalMinutes", 120);
    assert_int_equal(settings_load(&s, HKEY_CURRENT_USER, T_POLICY, T_BASE, t_on_err, &e), KBS_OK);
    assert_int_equal(s.intervalMin, 120);
    assert_int_equal(s.aFrom[SETTINGS_V_INTERVAL], SETTINGS_FROM_INSTALL);
    assert_string_equal(settings_from_name(SETTINGS_FROM_INSTALL), "install");
    t_teardown(NULL);
}

/* A bad policy value: the event says what is really used, the install-time value (event 1302 once
 * said "Using 360 minutes" while the agent used the installed 120). */
static void test_load_bad_policy_uses_install(void **state)
{
    settings_t s;
    t_errs_t e = {0};
    static const wchar_t zDrop[] = L"\\\\base\\drop";
    (void)state;
    t_set_dword(T_BASE, L"ScanIntervalMinutes", 120);
    t_set_dword(T_POLICY, L"ScanIntervalMinutes", 1);
    assert_int_equal(settings_load(&s, HKEY_CURRENT_USER, T_POLICY, T_BASE, t_on_err, &e), KBS_OK);
    assert_int_equal(e.n, 1);
    assert_int_equal(s.intervalMin, 120);
    assert_int_equal(s.aFrom[SETTINGS_V_INTERVAL], SETTINGS_FROM_INSTALL);
    assert_non_null(
        strstr(e.zLast, "ScanIntervalMinutes|HKLM\\SOFTWARE\\kbsentry-test\\Policies|"));
    assert_non_null(strstr(e.zLast, "|120 minutes from HKLM\\SOFTWARE\\kbsentry-test\\Base"));
    assert_null(strstr(e.zLast, "360"));
    t_teardown(NULL);

    memset(&e, 0, sizeof(e));
    t_set_raw(T_BASE, L"DropShare", REG_SZ, zDrop, sizeof(zDrop));
    t_set_raw(T_POLICY, L"DropShare", REG_SZ, L"nowhere", sizeof(L"nowhere"));
    settings_load(&s, HKEY_CURRENT_USER, T_POLICY, T_BASE, t_on_err, &e);
    assert_int_equal(e.n, 1);
    assert_true(!wcscmp(s.zDropShare, zDrop));
    assert_non_null(
        strstr(e.zLast, "|the drop share \\\\base\\drop from HKLM\\SOFTWARE\\kbsentry-test\\Base"));
    t_teardown(NULL);

    /* Bad in both keys: two events, both saying the built-in default is used. */
    memset(&e, 0, sizeof(e));
    t_set_dword(T_BASE, L"StartDelayMaxSeconds", 99999);
    t_set_dword(T_POLICY, L"StartDelayMaxSeconds", 99999);
    settings_load(&s, HKEY_CURRENT_USER, T_POLICY, T_BASE, t_on_err, &e);
    assert_int_equal(e.n, 2);
    assert_int_equal(s.startDelayMaxSec, SETTINGS_DELAY_DEFAULT);
    assert_int_equal(s.aFrom[SETTINGS_V_DELAY], SETTINGS_FROM_DEFAULT);
    assert_non_null(strstr(e.zLast, "|120 seconds (the built-in default)"));
}

static void test_load_bad_values(void **state)
{
    settings_t s;
    t_errs_t e = {0};
    static const wchar_t zBadDir[] = L"relative";
    (void)state;
    t_set_dword(T_BASE, L"ScanIntervalMinutes", 120);
    t_set_dword(T_POLICY, L"ScanIntervalMinutes", 1); /* too small: falls to the base value */
    t_set_raw(T_POLICY, L"DataDir", REG_SZ, zBadDir, sizeof(zBadDir));
    t_set_raw(T_POLICY, L"StartDelayMaxSeconds", REG_BINARY, "\x01\x02", 2);
    assert_int_equal(settings_load(&s, HKEY_CURRENT_USER, T_POLICY, T_BASE, t_on_err, &e), KBS_OK);
    assert_int_equal(e.n, 3);
    assert_int_equal(s.intervalMin, 120);
    assert_int_equal(s.zDataDir[0], 0);
    assert_int_equal(s.startDelayMaxSec, SETTINGS_DELAY_DEFAULT);
    t_teardown(NULL);

    /* Only a bad value: the built-in default, and the error names key and value. */
    memset(&e, 0, sizeof(e));
    t_set_dword(T_POLICY, L"ScanIntervalMinutes", 99999999);
    settings_load(&s, HKEY_CURRENT_USER, T_POLICY, T_BASE, t_on_err, &e);
    assert_int_equal(e.n, 1);
    assert_int_equal(s.intervalMin, SETTINGS_INTERVAL_DEFAULT);
    assert_non_null(strstr(e.zLast, "ScanIntervalMinutes|HKLM\\SOFTWARE\\kbsentry-test\\Policies|"));
    assert_non_null(strstr(e.zLast, "|360 minutes (the built-in default)"));
    t_teardown(NULL);

    /* An oversized value is rejected without reading it whole. */
    {
        static wchar_t zBig[4000];
        int i;
        for (i = 0; i < 3999; i++) zBig[i] = L'x';
        memset(&e, 0, sizeof(e));
        t_set_raw(T_POLICY, L"DropShare", REG_SZ, zBig, sizeof(zBig));
        settings_load(&s, HKEY_CURRENT_USER, T_POLICY, T_BASE, t_on_err, &e);
        assert_int_equal(e.n, 1);
        assert_non_null(strstr(e.zLast, "larger than"));
        assert_int_equal(s.zDropShare[0], 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint),
        cmocka_unit_test(test_path),
        cmocka_unit_test_teardown(test_load_missing_keys, t_teardown),
        cmocka_unit_test_teardown(test_load_policy_wins, t_teardown),
        cmocka_unit_test_teardown(test_load_bad_values, t_teardown),
        cmocka_unit_test_teardown(test_load_bad_policy_uses_install, t_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
