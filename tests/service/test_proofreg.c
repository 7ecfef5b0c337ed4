/* test_proofreg.c: the policy's ProofFiles and ProofValues read from a registry fixture: accepted
 * entries recorded as file and fact lines, refused ones named in the source line, nothing else
 * opened. */
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
#include "win_file.h"
#include "win_proof.h"

#define T_POL L"SOFTWARE\\Policies\\kbsentry"

/* Every key the reader opens, for the "never read anything else" check. */
static wchar_t t_azOpened[160][128];
static size_t t_nOpened;

static LONG WINAPI t_open(HKEY h, LPCWSTR zKey, DWORD opt, REGSAM sam, PHKEY ph)
{
    if (t_nOpened < 160) {
        wcsncpy(t_azOpened[t_nOpened], zKey ? zKey : L"", 127);
        t_azOpened[t_nOpened++][127] = 0;
    }
    return RegOpenKeyExW(h, zKey, opt, sam, ph);
}

static int t_multi(HKEY h, const wchar_t *zName, const wchar_t *zList, size_t nUnits)
{
    return rf_set(h, T_POL, zName, REG_MULTI_SZ, zList, (DWORD)(nUnits * sizeof(wchar_t)));
}

static const snap_source_t *t_source(const snap_t *s, const char *zName)
{
    size_t i;
    for (i = 0; i < s->nSource; i++)
        if (!strcmp(s->aSource[i].zName, zName)) return &s->aSource[i];
    return NULL;
}

static const snap_file_t *t_file(const snap_t *s, const char *zPath)
{
    size_t i;
    for (i = 0; i < s->nFile; i++)
        if (!strcmp(s->aFile[i].zPath, zPath)) return &s->aFile[i];
    return NULL;
}

/* The Windows directory, and what file_version says of its system32\drivers\http.sys (Wine's
 * has no version resource: then the snapshot must carry the same reason). */
static char t_zHttpErr[128];
static int t_windir(wchar_t *zRoot, size_t nRoot, ver_t *pVer)
{
    wchar_t zPath[MAX_PATH + 64];
    UINT n = GetSystemWindowsDirectoryW(zRoot, (UINT)nRoot);
    assert_true(n > 0 && n < nRoot);
    _snwprintf(zPath, MAX_PATH + 64, L"%ls\\system32\\drivers\\http.sys", zRoot);
    zPath[MAX_PATH + 63] = 0;
    return file_version(winsys_default(), zPath, pVer, t_zHttpErr, sizeof(t_zHttpErr));
}

/* The snapshot's http.sys line says what file_version says. */
static void t_http(const snap_t *s, int rcVer, const ver_t *pVer)
{
    const snap_file_t *f = t_file(s, "%SystemRoot%\\system32\\drivers\\http.sys");
    assert_non_null(f);
    assert_int_equal(f->present, rcVer == KBS_OK);
    if (rcVer == KBS_OK) assert_int_equal(ver_cmp(&f->ver, pVer), 0);
    else if (rcVer != KBS_ENOTFOUND) assert_string_equal(f->zError, t_zHttpErr);
}

static void test_files_and_values(void **state)
{
    static const wchar_t zFiles[] = L"system32\\drivers\\http.sys\0C:\\boot.ini\0..\\x.sys\0"
                                    L"system32/drivers/none.sys\0\0";
    static const wchar_t zValues[] = L"HKLM\\SOFTWARE\\Site\\Fix\\Mode\0HKCU\\Software\\x\\v\0"
                                     L"HKLM\\SOFTWARE\\Site\\Fix\\Gone\0HKEY_LOCAL_MACHINE\\SOFTWARE\\Site\\Fix\\Name\0\0";
    wchar_t zPath[128], zRoot[MAX_PATH];
    winsys_t sys = *winsys_default();
    const snap_source_t *src;
    const snap_file_t *f;
    const snap_fact_t *fa;
    HKEY h = NULL;
    reg_ctx_t r;
    snap_t s;
    ver_t v;
    size_t i;
    int rcVer;
    (void)state;

    rcVer = t_windir(zRoot, MAX_PATH, &v);
    assert_int_equal(rf_root(L"proof", zPath, 128, &h), 0);
    assert_int_equal(t_multi(h, L"ProofFiles", zFiles, sizeof(zFiles) / sizeof(wchar_t)), 0);
    assert_int_equal(t_multi(h, L"ProofValues", zValues, sizeof(zValues) / sizeof(wchar_t)), 0);
    assert_int_equal(rf_dword(h, L"SOFTWARE\\Site\\Fix", L"Mode", 1), 0);
    assert_int_equal(rf_sz(h, L"SOFTWARE\\Site\\Fix", L"Name", L"strict-mode"), 0);
    assert_int_equal(rf_sz(h, L"SOFTWARE\\Secret", L"Pw", L"x"), 0); /* never to be read */
    sys.pfnRegOpenKeyExW = t_open;
    t_nOpened = 0;
    reg_ctx_init(&r, &sys, h);
    r.nView = 1;
    snap_init(&s);
    assert_int_equal(proof_collect(&r, zRoot, &s), KBS_OK);

    t_http(&s, rcVer, &v);
    f = t_file(&s, "%SystemRoot%\\system32\\drivers\\none.sys");
    assert_non_null(f);
    assert_false(f->present);
    assert_int_equal(s.nFile, 2);
    src = t_source(&s, "policy-files");
    assert_non_null(src);
    assert_false(src->ok);
    assert_non_null(strstr(src->zError, "2 refused: 'C:\\boot.ini': a drive letter"));
    assert_non_null(strstr(src->zError, "'..\\x.sys': '..'"));

    fa = snap_find_fact(&s, "Fix.Mode");
    assert_non_null(fa);
    assert_string_equal(fa->zValue, "1");
    assert_string_equal(snap_find_fact(&s, "Fix.Gone")->zValue, "absent");
    assert_string_equal(snap_find_fact(&s, "Fix.Name")->zValue, "strict-mode");
    assert_int_equal(s.nFact, 3);
    src = t_source(&s, "policy-values");
    assert_non_null(src);
    assert_non_null(strstr(src->zError, "1 refused: 'HKCU\\Software\\x\\v': not under HKLM"));

    /* Only the policy key and the listed keys were opened. */
    for (i = 0; i < t_nOpened; i++)
        assert_true(!wcscmp(t_azOpened[i], T_POL) || !wcscmp(t_azOpened[i], L"SOFTWARE\\Site\\Fix"));
    assert_int_equal(t_nOpened, 4);
    snap_release(&s);
    rf_drop(h, zPath);
}

/* 65 entries: 64 read, the rest named; the legacy template's ';' list in a REG_SZ; no policy. */
static void test_limits_and_forms(void **state)
{
    wchar_t zPath[128], zList[65 * 40 + 2], zRoot[MAX_PATH];
    size_t n = 0, i;
    const snap_source_t *src;
    HKEY h = NULL;
    reg_ctx_t r;
    snap_t s;
    ver_t v;
    int rcVer;
    (void)state;

    rcVer = t_windir(zRoot, MAX_PATH, &v);
    assert_int_equal(rf_root(L"proof64", zPath, 128, &h), 0);
    reg_ctx_init(&r, NULL, h);
    r.nView = 1;
    snap_init(&s);
    assert_int_equal(proof_collect(&r, zRoot, &s), KBS_OK);
    assert_int_equal(s.nSource + s.nFile + s.nFact, 0);
    snap_release(&s);

    for (i = 0; i < 65; i++)
        n += (size_t)_snwprintf(zList + n, 40, L"HKLM\\SOFTWARE\\Site\\V%u", (unsigned)i) + 1;
    zList[n++] = 0;
    assert_int_equal(t_multi(h, L"ProofValues", zList, n), 0);
    assert_int_equal(rf_sz(h, T_POL, L"ProofFiles", L" system32\\drivers\\http.sys ; ;..\\x"), 0);
    snap_init(&s);
    assert_int_equal(proof_collect(&r, zRoot, &s), KBS_OK);
    assert_int_equal(s.nFact, 64);
    src = t_source(&s, "policy-values");
    assert_non_null(src);
    assert_false(src->ok);
    assert_non_null(strstr(src->zError, "1 entries past the first 64 not read"));
    t_http(&s, rcVer, &v);
    src = t_source(&s, "policy-files");
    assert_non_null(strstr(src->zError, "1 refused: '..\\x'"));
    snap_release(&s);

    /* A list of another type is refused whole; the scan goes on. */
    assert_int_equal(rf_dword(h, T_POL, L"ProofFiles", 7), 0);
    snap_init(&s);
    assert_int_equal(proof_collect(&r, zRoot, &s), KBS_OK);
    assert_non_null(strstr(t_source(&s, "policy-files")->zError, "type 4, not REG_MULTI_SZ"));
    assert_int_equal(s.nFile, 0);
    snap_release(&s);
    rf_drop(h, zPath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_and_values),
        cmocka_unit_test(test_limits_and_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
