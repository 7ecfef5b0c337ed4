/* test_state.c: the agent's last-scan / last-upload files and the `status` report built from
 * them and the settings (each value with where it came from). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "../t_file.h"
#include "../t_tmpfile.h"
#include "agent_state.h"
#include "kbs_err.h"
#include "win_settings.h"

#define T_POLICY L"SOFTWARE\\kbsentry-test-state\\Policies"
#define T_BASE   L"SOFTWARE\\kbsentry-test-state\\Base"

static void t_dir(wchar_t *zDir, const char *zName)
{
    char z[MAX_PATH];
    size_t i;
    snprintf(z, sizeof(z), "%s\\%s-%lu", KBS_TEST_TMP, zName, (unsigned long)GetCurrentProcessId());
    MultiByteToWideChar(CP_UTF8, 0, z, -1, zDir, MAX_PATH);
    for (i = 0; zDir[i]; i++)
        if (zDir[i] == L'/') zDir[i] = L'\\';
    CreateDirectoryW(zDir, NULL);
}

static char *t_slurp(FILE *f)
{
    char *z = t_file_slurp(f, NULL);
    assert_non_null(z);
    return z;
}

static void test_write_read(void **state)
{
    wchar_t zDir[MAX_PATH], zPath[MAX_PATH];
    const char *azKV[] = {"time", "2026-12-07T10:00:00Z", "error", "line one\r\nline two", "empty",
                          NULL};
    state_kv_t a[STATE_KV_MAX];
    size_t n = 0;
    char zErr[200];
    (void)state;
    t_dir(zDir, "state");
    assert_int_equal(state_path(zDir, STATE_SCAN_FILE, zPath), KBS_OK);
    DeleteFileW(zPath);
    assert_int_equal(state_read(zPath, a, &n), KBS_ENOTFOUND);
    assert_int_equal(n, 0);
    assert_int_equal(state_write(zPath, azKV, 3, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(state_read(zPath, a, &n), KBS_OK);
    assert_int_equal(n, 3);
    assert_string_equal(state_get(a, n, "time"), "2026-12-07T10:00:00Z");
    assert_string_equal(state_get(a, n, "error"), "line one  line two"); /* still one value */
    assert_string_equal(state_get(a, n, "empty"), "");
    assert_string_equal(state_get(a, n, "no-such-key"), "");
    DeleteFileW(zPath);
}

static void t_set(const wchar_t *zKey, const wchar_t *zName, DWORD type, const void *p, DWORD cb)
{
    HKEY h;
    assert_int_equal(
        RegCreateKeyExW(HKEY_CURRENT_USER, zKey, 0, NULL, 0, KEY_SET_VALUE, NULL, &h, NULL),
        ERROR_SUCCESS);
    assert_int_equal(RegSetValueExW(h, zName, 0, type, (const BYTE *)p, cb), ERROR_SUCCESS);
    RegCloseKey(h);
}

static void test_report(void **state)
{
    static const wchar_t zDrop[] = L"\\\\base\\drop";
    wchar_t zDir[MAX_PATH], zPath[MAX_PATH];
    DWORD d720 = 720, d5 = 5;
    const char *azScan[] = {
        "time",     "2026-12-07T10:00:00Z",
        "result",   "partial: reg-cbs failed",
        "verdicts", "2 missing, 0 unpatchable, 1 unknown, 0 mitigated, 5 patched"};
    const char *azUp[] = {"time",     "2026-12-07T10:00:05Z",
                          "result",   "failed",
                          "share",    "\\\\base\\drop\\HOST.kbs",
                          "error",    "access denied",
                          "failures", "3",
                          "last-ok",  "never"};
    char zErr[200], *z;
    FILE *out = t_tmpfile();
    (void)state;
    assert_non_null(out);
    t_dir(zDir, "state-report");
    t_set(T_BASE, L"DropShare", REG_SZ, zDrop, sizeof(zDrop));
    t_set(T_POLICY, L"ScanIntervalMinutes", REG_DWORD, &d720, 4);
    t_set(T_POLICY, L"StartDelayMaxSeconds", REG_DWORD, &d5, 4);
    t_set(T_POLICY, L"DataDir", REG_SZ, zDir, (DWORD)((wcslen(zDir) + 1) * sizeof(wchar_t)));
    /* Nothing recorded yet: said so, not an error. */
    assert_int_equal(state_report(out, HKEY_CURRENT_USER, T_POLICY, T_BASE, L"C:\\unused"), KBS_OK);
    z = t_slurp(out);
    assert_non_null(strstr(z, "drop share:      \\\\base\\drop (install)\n"));
    assert_non_null(strstr(z, "scan interval:   720 minutes (policy)\n"));
    assert_non_null(strstr(z, "start delay:     up to 5 seconds (policy)\n"));
    assert_non_null(strstr(z, "(policy)\nlast scan:"));
    assert_non_null(strstr(z, "last scan:       none recorded"));
    assert_non_null(strstr(z, "last upload:     none recorded"));
    free(z);
    fclose(out);

    assert_int_equal(state_path(zDir, STATE_SCAN_FILE, zPath), KBS_OK);
    assert_int_equal(state_write(zPath, azScan, 3, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(state_path(zDir, STATE_UPLOAD_FILE, zPath), KBS_OK);
    assert_int_equal(state_write(zPath, azUp, 6, zErr, sizeof(zErr)), KBS_OK);
    /* A bad policy value: named, and the install-time or default value shown with its source. */
    t_set(T_POLICY, L"StartDelayMaxSeconds", REG_SZ, L"soon", sizeof(L"soon"));
    out = t_tmpfile();
    assert_int_equal(state_report(out, HKEY_CURRENT_USER, T_POLICY, T_BASE, L"C:\\unused"), KBS_OK);
    z = t_slurp(out);
    assert_non_null(strstr(
        z, "warning:         StartDelayMaxSeconds in HKLM\\SOFTWARE\\kbsentry-test-state\\Policies "
           "is invalid: not a decimal number; using 120 seconds (the built-in default)\n"));
    assert_non_null(strstr(z, "start delay:     up to 120 seconds (default)\n"));
    assert_non_null(strstr(z, "last scan:       2026-12-07T10:00:00Z, partial: reg-cbs failed\n"));
    assert_non_null(strstr(
        z, "  verdicts:      2 missing, 0 unpatchable, 1 unknown, 0 mitigated, 5 patched\n"));
    assert_non_null(strstr(z, "last upload:     2026-12-07T10:00:05Z, failed\n"));
    assert_non_null(strstr(z, "  error:         access denied\n"));
    assert_non_null(strstr(z, "  failures:      3\n"));
    assert_non_null(strstr(z, "  last success:  never\n"));
    free(z);
    fclose(out);

    /* No DataDir: the default directory, said to be the default. */
    RegDeleteKeyW(HKEY_CURRENT_USER, T_POLICY);
    out = t_tmpfile();
    assert_int_equal(state_report(out, HKEY_CURRENT_USER, T_POLICY, T_BASE, zDir), KBS_OK);
    z = t_slurp(out);
    assert_non_null(strstr(z, "scan interval:   360 minutes (default)\n"));
    assert_non_null(strstr(z, "(default)\nlast scan:       2026-12-07T10:00:00Z"));
    free(z);
    fclose(out);
    RegDeleteKeyW(HKEY_CURRENT_USER, T_BASE);
    RegDeleteKeyW(HKEY_CURRENT_USER, L"SOFTWARE\\kbsentry-test-state");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_read),
        cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
