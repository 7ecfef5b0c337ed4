/* test_facts.c: the workaround facts read from a registry fixture: values, absent keys and
 * values, wrong types and sizes, a missing Spooler service, an unreadable key, OS limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <shlwapi.h>

#include "kbs_err.h"
#include "regfix.h"
#include "win_facts.h"

#define T_LANMAN  L"SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters"
#define T_PNP     L"SOFTWARE\\Policies\\Microsoft\\Windows NT\\Printers\\PointAndPrint"
#define T_RDP     L"SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp"
#define T_SPOOLER L"SYSTEM\\CurrentControlSet\\Services\\Spooler"
#define T_MSDT    L"SOFTWARE\\Classes\\ms-msdt"

/* "value" or "!error" of fact zName; fails the test when the fact is not there. */
static const char *t_fact(const snap_t *s, const char *zName)
{
    static char z[SNAP_ERR_MAX + 2];
    const snap_fact_t *f = snap_find_fact(s, zName);
    if (!f) {
        print_error("fact %s not collected\n", zName);
        fail();
    }
    if (f->zValue[0]) return f->zValue;
    snprintf(z, sizeof(z), "!%s", f->zError);
    return z;
}

static void t_reader(HKEY h, reg_ctx_t *r, const winsys_t *sys)
{
    reg_ctx_init(r, sys, h);
    r->nView = 1;
}

/* A Windows 10 machine with every workaround applied, one value malformed. */
static void test_windows10(void **state)
{
    wchar_t zPath[128];
    HKEY h = NULL;
    reg_ctx_t r;
    snap_t s;
    (void)state;
    assert_int_equal(rf_root(L"facts10", zPath, 128, &h), 0);
    assert_int_equal(rf_dword(h, T_LANMAN, L"SMB1", 0), 0);
    assert_int_equal(rf_sz(h, T_LANMAN, L"DisableCompression", L"1"), 0); /* REG_SZ: wrong type */
    assert_int_equal(rf_dword(h, T_PNP, L"NoWarningNoElevationOnInstall", 1), 0);
    assert_int_equal(rf_dword(h, T_PNP, L"RestrictDriverInstallationToAdministrators", 0), 0);
    assert_int_equal(rf_set(h, T_RDP, L"UserAuthentication", REG_BINARY, "\1\0", 2), 0);
    assert_int_equal(rf_dword(h, T_SPOOLER, L"Start", 4), 0);
    t_reader(h, &r, NULL);
    snap_init(&s);
    assert_int_equal(facts_collect_reg(&r, 10, 0, &s), KBS_OK);
    assert_string_equal(t_fact(&s, "LanmanServer.SMB1"), "0");
    assert_string_equal(t_fact(&s, "LanmanServer.DisableCompression"),
                        "!not a DWORD (type 1, 4 bytes)");
    assert_string_equal(t_fact(&s, "PointAndPrint.NoWarningNoElevationOnInstall"), "1");
    assert_string_equal(t_fact(&s, "PointAndPrint.RestrictDriverInstallation"), "0");
    assert_string_equal(t_fact(&s, "PointAndPrint.UpdatePromptSettings"), "absent");
    assert_string_equal(t_fact(&s, "RDP-Tcp.UserAuthentication"), "!not a DWORD (type 3, 2 bytes)");
    assert_string_equal(t_fact(&s, "Spooler.Start"), "4");
    assert_string_equal(t_fact(&s, "HKCR.ms-msdt"), "absent");
    assert_int_equal(s.nFact, 8);
    snap_release(&s);

    /* The handler back, a large binary value, the Spooler key gone. */
    assert_int_equal(rf_set(h, T_MSDT, NULL, REG_NONE, NULL, 0), 0);
    {
        BYTE big[200];
        memset(big, 1, sizeof(big));
        assert_int_equal(rf_set(h, T_LANMAN, L"SMB1", REG_BINARY, big, sizeof(big)), 0);
    }
    assert_int_equal(SHDeleteKeyW(h, T_SPOOLER), ERROR_SUCCESS);
    snap_init(&s);
    assert_int_equal(facts_collect_reg(&r, 10, 0, &s), KBS_OK);
    assert_string_equal(t_fact(&s, "HKCR.ms-msdt"), "present");
    assert_string_equal(t_fact(&s, "LanmanServer.SMB1"),
                        "!not a DWORD (type 3, more than 64 bytes)");
    assert_string_equal(t_fact(&s, "Spooler.Start"), "!service not installed");
    snap_release(&s);
    rf_drop(h, zPath);
}

/* Nothing set: values read "absent"; what an OS does not have is not collected. */
static void test_defaults_and_os_limits(void **state)
{
    wchar_t zPath[128];
    HKEY h = NULL;
    reg_ctx_t r;
    snap_t s;
    (void)state;
    assert_int_equal(rf_root(L"factsxp", zPath, 128, &h), 0);
    assert_int_equal(rf_dword(h, T_SPOOLER, L"Start", 2), 0);
    t_reader(h, &r, NULL);
    snap_init(&s);
    assert_int_equal(facts_collect_reg(&r, 5, 1, &s), KBS_OK); /* XP */
    assert_string_equal(t_fact(&s, "PointAndPrint.NoWarningNoElevationOnInstall"), "absent");
    assert_string_equal(t_fact(&s, "PointAndPrint.RestrictDriverInstallation"), "absent");
    assert_string_equal(t_fact(&s, "Spooler.Start"), "2");
    assert_null(snap_find_fact(&s, "LanmanServer.SMB1"));
    assert_null(snap_find_fact(&s, "RDP-Tcp.UserAuthentication"));
    assert_null(snap_find_fact(&s, "HKCR.ms-msdt"));
    assert_int_equal(s.nFact, 4);
    snap_release(&s);
    snap_init(&s);
    assert_int_equal(facts_collect_reg(&r, 6, 1, &s), KBS_OK); /* Windows 7 */
    assert_string_equal(t_fact(&s, "LanmanServer.SMB1"), "absent");
    assert_string_equal(t_fact(&s, "RDP-Tcp.UserAuthentication"), "absent");
    assert_string_equal(t_fact(&s, "HKCR.ms-msdt"), "absent");
    assert_null(snap_find_fact(&s, "LanmanServer.DisableCompression"));
    snap_release(&s);
    rf_drop(h, zPath);
}

static LONG WINAPI t_open_denied(HKEY h, LPCWSTR z, DWORD o, REGSAM sam, PHKEY ph)
{
    (void)h, (void)z, (void)o, (void)sam;
    *ph = NULL;
    return ERROR_ACCESS_DENIED;
}

/* Keys that cannot be opened: every fact unknown with the call and code, none guessed. */
static void test_unreadable(void **state)
{
    winsys_t sys = *winsys_default();
    reg_ctx_t r;
    snap_t s;
    size_t i;
    (void)state;
    sys.pfnRegOpenKeyExW = t_open_denied;
    t_reader(HKEY_LOCAL_MACHINE, &r, &sys);
    snap_init(&s);
    assert_int_equal(facts_collect_reg(&r, 10, 0, &s), KBS_OK);
    assert_int_equal(s.nFact, 8);
    for (i = 0; i < s.nFact; i++) {
        assert_string_equal(s.aFact[i].zValue, "");
        assert_non_null(strstr(s.aFact[i].zError, "RegOpenKeyExW"));
        assert_non_null(strstr(s.aFact[i].zError, "5"));
    }
    snap_release(&s);
}

static void test_feature_state(void **state)
{
    (void)state;
    assert_string_equal(facts_feature_state(1), "enabled");
    assert_string_equal(facts_feature_state(2), "disabled");
    assert_string_equal(facts_feature_state(3), "absent");
    assert_null(facts_feature_state(4));
    assert_null(facts_feature_state(0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows10),
        cmocka_unit_test(test_defaults_and_os_limits),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_feature_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
