/* test_scan.c: a whole scan: the real machine, WMI broken (the registry still answers and the
 * failure is recorded), everything broken, a stop, and the scan command's outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <windows.h>
#include <shlwapi.h>

#include "../t_file.h"
#include "../t_tmpfile.h"
#include "kbs_err.h"
#include "kbs_version.h"
#include "regfix.h"
#include "scan.h"
#include "scan_cmd.h"
#include "cat.h"
#include "verdict.h"

static const snap_source_t *t_src(const snap_t *s, const char *zName)
{
    size_t i;
    for (i = 0; i < s->nSource; i++)
        if (!strcmp(s->aSource[i].zName, zName)) return &s->aSource[i];
    return NULL;
}

/* The architecture the scan must report: a 64-bit build runs only on x64 Windows; a 32-bit build
 * runs on x86 Windows, or on x64 Windows under WOW64 (asked here through IsWow64Process, a
 * different call from the scan's GetNativeSystemInfo). */
static os_arch_t t_expected_arch(void)
{
#ifdef _WIN64
    return OS_ARCH_X64;
#else
    BOOL bWow = FALSE;
    assert_true(IsWow64Process(GetCurrentProcess(), &bWow));
    return bWow ? OS_ARCH_X64 : OS_ARCH_X86;
#endif
}

/* snap_write then snap_parse: what a scan makes is a valid snapshot. */
static void t_roundtrip(const snap_t *s)
{
    char *z = NULL;
    size_t n = 0;
    snap_t back;
    snap_err_t e;

    assert_int_equal(snap_write(s, &z, &n), KBS_OK);
    assert_int_equal(snap_parse(z, n, &back, &e), KBS_OK);
    assert_string_equal(back.zHost, s->zHost);
    assert_int_equal(back.nHotfix, s->nHotfix);
    assert_int_equal(back.nFile, s->nFile);
    assert_int_equal(back.nSource, s->nSource);
    assert_int_equal(back.nFact, s->nFact);
    snap_release(&back);
    free(z);
}

static void test_real(void **state)
{
    snap_t s;
    DWORD t0, ms;
    time_t now = time(NULL);
    (void)state;

    t0 = GetTickCount();
    assert_int_equal(scan_run(NULL, &s), KBS_OK);
    ms = GetTickCount() - t0;
    print_message("real scan: %lu ms, %lu hotfixes, %lu sources\n", (unsigned long)ms,
                  (unsigned long)s.nHotfix, (unsigned long)s.nSource);
    {
        size_t i;
        for (i = 0; i < s.nSource; i++)
            print_message("  source %s: %s %s\n", s.aSource[i].zName,
                          s.aSource[i].ok ? "ok" : "FAILED", s.aSource[i].zError);
    }
    assert_true(s.zHost[0] != 0);
    assert_string_equal(s.zOrigin, "agent");
    assert_string_equal(s.zAgentVersion, KBS_VERSION);
    assert_true(s.scanTime >= (int64_t)now - 5 && s.scanTime <= (int64_t)now + 60);
    assert_true(s.osKnown);
    assert_true(s.os.major >= 5);
    assert_int_equal(s.os.arch, t_expected_arch()); /* the machine's, not the program's */
    assert_true(t_src(&s, "os-version")->ok);
    assert_true(t_src(&s, "reg-os")->ok);
    assert_non_null(t_src(&s, "wmi-qfe"));
    assert_non_null(t_src(&s, "reg-cbs"));
    assert_int_equal(s.nFile, 13);
    {
        /* Each proof file is collected: a version, or absent (with the reason when unreadable). */
        static const char *const azNew[] = {"srv2.sys",     "crypt32.dll", "netlogon.dll",
                                            "localspl.dll", "tcpip.sys",   "srv.sys"};
        size_t i;
        for (i = 0; i < sizeof(azNew) / sizeof(azNew[0]); i++) {
            const snap_file_t *f = snap_find_file(&s, azNew[i]);
            assert_non_null(f);
            print_message("  file %s: %s %u.%u.%u.%u %s\n", f->zPath,
                          f->present ? "present" : "absent", f->ver.part[0], f->ver.part[1],
                          f->ver.part[2], f->ver.part[3], f->zError);
        }
        assert_true(snap_find_file(&s, "crypt32.dll")->present); /* Wine has its own */
        /* The workaround facts of this OS are recorded, each with a value or a reason. */
        for (i = 0; i < s.nFact; i++)
            print_message("  fact %s=%s %s\n", s.aFact[i].zName, s.aFact[i].zValue,
                          s.aFact[i].zError);
        assert_non_null(snap_find_fact(&s, "Spooler.Start"));
        assert_non_null(snap_find_fact(&s, "PointAndPrint.NoWarningNoElevationOnInstall"));
        if (s.os.major >= 6) assert_non_null(snap_find_fact(&s, "LanmanServer.SMB1"));
    }
    t_roundtrip(&s);
    snap_release(&s);
}

static HRESULT WINAPI t_cocreate_fail(REFCLSID c, LPUNKNOWN o, DWORD x, REFIID r, LPVOID *pp)
{
    (void)c, (void)o, (void)x, (void)r;
    *pp = NULL;
    return REGDB_E_CLASSNOTREG;
}

static LONG WINAPI t_open_denied(HKEY h, LPCWSTR z, DWORD o, REGSAM sam, PHKEY ph)
{
    (void)h, (void)z, (void)o, (void)sam;
    *ph = NULL;
    return ERROR_ACCESS_DENIED;
}

static BOOL WINAPI t_name_fail(LPWSTR z, LPDWORD pn)
{
    (void)z, (void)pn;
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return FALSE;
}

/* WMI broken: the registry fixture still gives the hotfixes; the snapshot says WMI failed. */
static void test_wmi_broken(void **state)
{
    wchar_t zPath[128];
    HKEY h = NULL;
    winsys_t sys = *winsys_default();
    scan_opts_t o;
    snap_t s;
    const snap_source_t *p;
    (void)state;

    assert_int_equal(rf_root(L"scan", zPath, 128, &h), 0);
    assert_int_equal(rf_hotfixes(h), 0);
    rf_sz(h, RF_CV, L"ProductName", L"Windows 7 Enterprise");
    sys.pfnCoCreateInstance = t_cocreate_fail;
    memset(&o, 0, sizeof(o));
    o.sys = &sys;
    o.hRegRoot = h;
    o.regOneView = 1;
    assert_int_equal(scan_run(&o, &s), KBS_OK);
    p = t_src(&s, "wmi-qfe");
    assert_non_null(p);
    assert_false(p->ok);
    assert_string_equal(p->zError, "CoCreateInstance WbemLocator: 0x80040154");
    assert_false(t_src(&s, "wmi-os")->ok);
    assert_false(t_src(&s, "wmi-cs")->ok);
    assert_true(t_src(&s, "reg-updates")->ok);
    assert_true(t_src(&s, "reg-hotfix")->ok);
    assert_true(t_src(&s, "reg-cbs")->ok);
    assert_true(s.hotfixesComplete);
    assert_int_equal(snap_has_kb(&s, 4012212), 1);
    assert_int_equal(snap_has_kb(&s, 958644), 1);
    assert_int_equal(snap_has_kb(&s, 111111), 0);
    assert_string_equal(s.os.zProductName, "Windows 7 Enterprise");
    assert_true(s.osKnown); /* from the version API */
    t_roundtrip(&s);
    snap_release(&s);
    rf_drop(h, zPath);
}

/* Nothing but the version API answers: still a snapshot, with the list marked incomplete. */
static void test_all_broken(void **state)
{
    winsys_t sys = *winsys_default();
    scan_opts_t o;
    snap_t s;
    (void)state;

    sys.pfnCoCreateInstance = t_cocreate_fail;
    sys.pfnRegOpenKeyExW = t_open_denied;
    sys.pfnGetComputerNameW = t_name_fail;
    memset(&o, 0, sizeof(o));
    o.sys = &sys;
    assert_int_equal(scan_run(&o, &s), KBS_OK);
    assert_false(s.hotfixesComplete);
    assert_true(s.zHotfixNote[0] != 0);
    assert_int_equal(s.nHotfix, 0);
    assert_false(t_src(&s, "reg-os")->ok);
    assert_non_null(strstr(t_src(&s, "reg-os")->zError, "RegOpenKeyExW"));
    assert_false(t_src(&s, "reg-cbs")->ok);
    assert_false(t_src(&s, "reg-updates")->ok);
    assert_true(t_src(&s, "os-version")->ok);
    assert_true(s.osKnown);
    assert_string_equal(s.zHost, ""); /* neither GetComputerNameW nor WMI */
    snap_release(&s);
}

static void test_stop_and_flags(void **state)
{
    scan_opts_t o;
    snap_t s;
    (void)state;

    memset(&o, 0, sizeof(o));
    o.hStop = CreateEventW(NULL, TRUE, TRUE, NULL);
    assert_int_equal(scan_run(&o, &s), KBS_ETIMEOUT);
    snap_release(&s);
    CloseHandle(o.hStop);

    memset(&o, 0, sizeof(o));
    o.flags = SCAN_NO_WMI | SCAN_NO_REG | SCAN_NO_FILES;
    assert_int_equal(scan_run(&o, &s), KBS_OK);
    assert_null(t_src(&s, "wmi-os"));
    assert_null(t_src(&s, "reg-cbs"));
    assert_int_equal(s.nFile, 0);
    assert_false(s.hotfixesComplete);
    snap_release(&s);
}

static void test_file_name(void **state)
{
    char z[64];
    (void)state;

    scan_file_name("PC-0042", z, sizeof(z));
    assert_string_equal(z, "PC-0042.kbs");
    scan_file_name("..\\..\\evil:name", z, sizeof(z));
    assert_string_equal(z, "_._.._evil_name.kbs"); /* no separator survives */
    scan_file_name("", z, sizeof(z));
    assert_string_equal(z, "unknown-host.kbs");
    scan_file_name("\xC3\xA9t\xC3\xA9", z, sizeof(z));
    assert_string_equal(z, "__t__.kbs");
    scan_file_name("ABCDEFGHIJKLMNOPQRSTUVWXYZ", z, 12);
    assert_string_equal(z, "ABCDEFG.kbs");
}

/* The file FILE* holds, as a malloc'd buffer. */
static char *t_slurp(FILE *f, size_t *pn)
{
    char *z = t_file_slurp(f, pn);
    assert_non_null(z);
    return z;
}

/* The bytes of zPath (malloc'd), asserted readable. */
static char *t_read_path(const char *zPath, size_t *pn)
{
    char *z = t_file_read(zPath, pn);
    assert_non_null(z);
    return z;
}

/* What `scan --out` must exit with: 0 when every verdict of the built-in catalog for a scan of this
 * machine counts as compliant, else 1 (asked of the verdict engine, not of scan_cmd). */
static int t_expected_exit(unsigned fOpt)
{
    snap_t s;
    cat_t c;
    verdict_t av[64];
    int i, nV, ret = 0;
    assert_int_equal(scan_run(NULL, &s), KBS_OK);
    assert_int_equal(cat_load_default(&c), KBS_OK);
    nV = verdict_eval(&c, &s, av, 64);
    assert_true(nV > 0);
    for (i = 0; i < nV; i++)
        if (!verdict_compliant(av[i].status, fOpt)) ret = 1;
    cat_release(&c);
    snap_release(&s);
    return ret;
}

/* A second and third audit into the same folder keep the earlier ones under dated names (the
 * scan time of each, UTC), byte for byte; <HOST>.kbs is the newest; an unreadable earlier file is
 * kept too (dated by its file time). */
static void t_cmd_keep(char **argvOut, const char *zFile)
{
    char zKeep[MAX_PATH * 2], zStem[MAX_PATH * 2], *z, *zOld;
    size_t n, nOld, nStem = strlen(zFile) - 4;
    snap_t s;
    snap_err_t e;
    FILE *f, *out = t_tmpfile(), *err = t_tmpfile();
    int rc;

    snprintf(zStem, sizeof(zStem), "%.*s", (int)nStem, zFile);
    /* An earlier audit of 2017-05-13 08:00:00 UTC, made by the snapshot writer. */
    z = t_read_path(zFile, &n);
    assert_int_equal(snap_parse(z, n, &s, &e), KBS_OK);
    free(z);
    s.scanTime = 1494662400;
    assert_int_equal(snap_write(&s, &zOld, &nOld), KBS_OK);
    snap_release(&s);
    for (rc = 0; rc < 2; rc++) {
        f = fopen(zFile, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(zOld, 1, nOld, f), nOld);
        fclose(f);
        assert_in_range(scan_cmd(4, argvOut, out, err), 0, 1);
        snprintf(zKeep, sizeof(zKeep), "%s-20170513-080000%s.kbs", zStem, rc ? "-2" : "");
        z = t_read_path(zKeep, &n);
        assert_int_equal(n, nOld);
        assert_memory_equal(z, zOld, n);
        free(z);
        z = t_read_path(zFile, &n);
        assert_int_equal(snap_parse(z, n, &s, &e), KBS_OK);
        assert_true(s.scanTime > 1494662400); /* the newest is <HOST>.kbs */
        snap_release(&s);
        free(z);
    }
    z = t_slurp(out, &n);
    assert_non_null(strstr(z, "kept the earlier audit as "));
    assert_non_null(strstr(z, "-20170513-080000-2.kbs"));
    free(z);
    /* Not a snapshot: still not overwritten. */
    f = fopen(zFile, "wb");
    assert_non_null(f);
    fputs("not a snapshot", f);
    fclose(f);
    assert_in_range(scan_cmd(4, argvOut, out, err), 0, 1);
    {
        WIN32_FIND_DATAA fd;
        HANDLE h;
        int nFound = 0, nGarbage = 0;
        snprintf(zKeep, sizeof(zKeep), "%s-*.kbs", zStem);
        h = FindFirstFileA(zKeep, &fd);
        assert_true(h != INVALID_HANDLE_VALUE);
        do {
            char zP[MAX_PATH * 2];
            const char *zDirEnd = strrchr(zFile, '\\');
            nFound++;
            snprintf(zP, sizeof(zP), "%.*s\\%s", (int)(zDirEnd - zFile), zFile, fd.cFileName);
            z = t_read_path(zP, &n);
            nGarbage += n == 14 && !memcmp(z, "not a snapshot", 14);
            free(z);
        } while (FindNextFileA(h, &fd));
        FindClose(h);
        assert_int_equal(nFound, 3);
        assert_int_equal(nGarbage, 1);
    }
    /* An earlier <HOST>.kbs that cannot be read is not replaced: exit 2, nothing written. */
    assert_true(DeleteFileA(zFile));
    assert_true(CreateDirectoryA(zFile, NULL));
    assert_int_equal(scan_cmd(4, argvOut, out, err), 2);
    assert_true(GetFileAttributesA(zFile) & FILE_ATTRIBUTE_DIRECTORY);
    z = t_slurp(err, &n);
    assert_non_null(strstr(z, "cannot be read"));
    free(z);
    assert_true(RemoveDirectoryA(zFile));
    free(zOld);
    fclose(out);
    fclose(err);
}

static void test_cmd(void **state)
{
    char zDir[MAX_PATH], zHost[SNAP_HOST_MAX], zName[SNAP_HOST_MAX + 8], zFile[MAX_PATH * 2];
    char *argvBad[] = {"kbsentry-svc", "scan", "--bogus"};
    char *argvOut[] = {"kbsentry-svc", "scan", "--out", zDir};
    char *argvStd[] = {"kbsentry-svc", "scan", "--stdout"};
    char *argvSum[] = {"kbsentry-svc", "scan"};
    char *z;
    size_t n;
    FILE *out = t_tmpfile(), *err = t_tmpfile();
    snap_t s;
    snap_err_t e;
    wchar_t zHostW[64];
    DWORD nHost = 64;
    (void)state;

    assert_non_null(out);
    assert_non_null(err);
    assert_int_equal(scan_cmd(3, argvBad, out, err), 2);
    assert_int_equal(scan_cmd(4, argvStd, out, err), 2); /* --stdout takes no value */

    /* --out: DIR\<HOST>.kbs, a valid snapshot; DIR is made. */
    snprintf(zDir, sizeof(zDir), "%s\\scan-%lu", KBS_TEST_TMP,
             (unsigned long)GetCurrentProcessId());
    assert_int_equal(scan_cmd(4, argvOut, out, err), t_expected_exit(0));
    assert_true(GetComputerNameW(zHostW, &nHost));
    WideCharToMultiByte(CP_UTF8, 0, zHostW, -1, zHost, sizeof(zHost), NULL, NULL);
    scan_file_name(zHost, zName, sizeof(zName));
    snprintf(zFile, sizeof(zFile), "%s\\%s", zDir, zName);
    {
        FILE *f = fopen(zFile, "rb");
        assert_non_null(f);
        z = t_slurp(f, &n);
        fclose(f);
    }
    assert_int_equal(snap_parse(z, n, &s, &e), KBS_OK);
    assert_string_equal(s.zHost, zHost);
    snap_release(&s);
    free(z);
    z = t_slurp(out, &n);
    assert_non_null(strstr(z, "wrote "));
    assert_non_null(strstr(z, zName));
    assert_non_null(strstr(z, "verdicts (built-in catalog"));
    assert_non_null(strstr(z, "MS17-010"));
    assert_null(strstr(z, "kept the earlier audit")); /* the first audit of this machine here */
    free(z);
    t_cmd_keep(argvOut, zFile);
    {
        /* check's two options, and nothing else. */
        char *argvOpt[] = {"kbsentry-svc", "scan", "--out", zDir, "--accept-unknown", "--strict"};
        char *argvBadOpt[] = {"kbsentry-svc", "scan", "--out", zDir, "--quiet"};
        assert_int_equal(scan_cmd(5, argvOpt, out, err), t_expected_exit(VERDICT_ACCEPT_UNKNOWN));
        assert_int_equal(scan_cmd(6, argvOpt, out, err),
                         t_expected_exit(VERDICT_ACCEPT_UNKNOWN | VERDICT_STRICT));
        argvOpt[4] = "--strict";
        assert_int_equal(scan_cmd(5, argvOpt, out, err), t_expected_exit(VERDICT_STRICT));
        assert_int_equal(scan_cmd(5, argvBadOpt, out, err), 2);
    }

    /* --stdout: the snapshot, CRLF kept as is. */
    fclose(out);
    out = t_tmpfile();
    assert_int_equal(scan_cmd(3, argvStd, out, err), 0);
    z = t_slurp(out, &n);
    assert_null(strstr(z, "\r\r\n"));
    assert_int_equal(snap_parse(z, n, &s, &e), KBS_OK);
    snap_release(&s);
    free(z);

    /* No option: a summary. */
    fclose(out);
    out = t_tmpfile();
    assert_int_equal(scan_cmd(2, argvSum, out, err), 0);
    z = t_slurp(out, &n);
    assert_non_null(strstr(z, "host:"));
    assert_non_null(strstr(z, "sources:"));
    assert_non_null(strstr(z, "srv.sys"));
    free(z);
    fclose(out);
    fclose(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real),       cmocka_unit_test(test_wmi_broken),
        cmocka_unit_test(test_all_broken), cmocka_unit_test(test_stop_and_flags),
        cmocka_unit_test(test_file_name),  cmocka_unit_test(test_cmd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
