/* test_proof.c: ProofFiles / ProofValues entries: what is read, what is refused and why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "kbs_err.h"
#include "proof.h"
#include "snap.h"
#include "verdict.h"

static void test_files(void **state)
{
    static const char *const azBad[] = {
        "",  "C:\\Windows\\system32\\x.sys", "c:x.sys", "\\Windows\\x.sys", "\\\\srv\\share\\x.sys",
        "..\\boot.ini", "system32\\..\\..\\x", "system32\\.\\x.sys", "system32\\\\x.sys",
        "system32\\", "system32\\x.sys:stream", "sys*.dll", "a\tb", "/etc/passwd",
    };
    char zRel[PROOF_FILE_LEN_MAX + 8], zWhy[128], zLong[300];
    size_t i;
    (void)state;
    assert_int_equal(proof_file_check("system32\\drivers\\http.sys", zRel, sizeof zRel, zWhy, sizeof zWhy), KBS_OK);
    assert_string_equal(zRel, "system32\\drivers\\http.sys");
    assert_int_equal(proof_file_check("System32/Drivers/HTTP.sys", zRel, sizeof zRel, zWhy, sizeof zWhy), KBS_OK);
    assert_string_equal(zRel, "System32\\Drivers\\HTTP.sys");
    assert_int_equal(proof_file_check("explorer.exe", zRel, sizeof zRel, zWhy, sizeof zWhy), KBS_OK);
    for (i = 0; i < sizeof azBad / sizeof azBad[0]; i++) {
        zWhy[0] = 0;
        assert_int_equal(proof_file_check(azBad[i], zRel, sizeof zRel, zWhy, sizeof zWhy), KBS_EINVAL);
        assert_true(zWhy[0]);
        assert_string_equal(zRel, "");
    }
    assert_int_equal(proof_file_check("C:\\x", zRel, sizeof zRel, zWhy, sizeof zWhy), KBS_EINVAL);
    assert_non_null(strstr(zWhy, "drive letter"));
    assert_int_equal(proof_file_check("..\\x", zRel, sizeof zRel, zWhy, sizeof zWhy), KBS_EINVAL);
    assert_non_null(strstr(zWhy, "'..'"));
    memset(zLong, 'a', sizeof zLong - 1);
    zLong[sizeof zLong - 1] = 0;
    assert_int_equal(proof_file_check(zLong, zRel, sizeof zRel, zWhy, sizeof zWhy), KBS_ETOOBIG);
    zLong[PROOF_FILE_LEN_MAX] = 0;
    assert_int_equal(proof_file_check(zLong, zRel, sizeof zRel, zWhy, sizeof zWhy), KBS_OK);
}

static void test_values(void **state)
{
    static const char *const azBad[] = {
        "",
        "HKCU\\Software\\x\\v",
        "HKEY_CURRENT_USER\\Software\\x\\v",
        "SOFTWARE\\x\\v",
        "HKLM\\v",
        "HKLM\\SOFTWARE\\x\\",
        "HKLM\\SOFTWARE\\\\x\\v",
        "HKLM\\SOFTWARE\\..\\SAM\\v",
        "HKLM\\SOFTWARE\\x\\v\n",
        "HKLMX\\SOFTWARE\\x\\v",
    };
    char zKey[PROOF_VALUE_LEN_MAX + 1], zVal[PROOF_VALUE_LEN_MAX + 1], zFact[PROOF_NAME_MAX], zWhy[128];
    char zLong[PROOF_VALUE_LEN_MAX + 8];
    size_t i;
    (void)state;
    assert_int_equal(proof_value_check("HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Printers\\PointAndPrint\\"
                                       "RestrictDriverInstallationToAdministrators",
                                       zKey, sizeof zKey, zVal, sizeof zVal, zFact, sizeof zFact, zWhy, sizeof zWhy),
                     KBS_OK);
    assert_string_equal(zKey, "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Printers\\PointAndPrint");
    assert_string_equal(zVal, "RestrictDriverInstallationToAdministrators");
    assert_string_equal(zFact, "PointAndPrint.RestrictDriverInstallationToAdministrators");
    assert_int_equal(proof_value_check("hkey_local_machine\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters\\"
                                       "Enable Trailer Support",
                                       zKey, sizeof zKey, zVal, sizeof zVal, zFact, sizeof zFact, zWhy, sizeof zWhy),
                     KBS_OK);
    assert_string_equal(zKey, "SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters");
    assert_string_equal(zVal, "Enable Trailer Support");
    assert_string_equal(zFact, "Parameters.Enable_Trailer_Support");
    for (i = 0; i < sizeof azBad / sizeof azBad[0]; i++) {
        zWhy[0] = 0;
        assert_int_equal(proof_value_check(azBad[i], zKey, sizeof zKey, zVal, sizeof zVal, zFact, sizeof zFact,
                                           zWhy, sizeof zWhy),
                         KBS_EINVAL);
        assert_true(zWhy[0]);
        assert_string_equal(zFact, "");
    }
    assert_int_equal(proof_value_check("HKCU\\x\\v", zKey, sizeof zKey, zVal, sizeof zVal, zFact, sizeof zFact,
                                       zWhy, sizeof zWhy),
                     KBS_EINVAL);
    assert_non_null(strstr(zWhy, "not under HKLM"));
    /* A fact name that would not fit the snapshot. */
    memset(zLong, 0, sizeof zLong);
    memcpy(zLong, "HKLM\\S\\", 7);
    memset(zLong + 7, 'k', 60);
    zLong[67] = '\\';
    memset(zLong + 68, 'v', 40);
    assert_int_equal(proof_value_check(zLong, zKey, sizeof zKey, zVal, sizeof zVal, zFact, sizeof zFact, zWhy,
                                       sizeof zWhy),
                     KBS_ETOOBIG);
    memset(zLong, 'k', sizeof zLong - 1);
    memcpy(zLong, "HKLM\\", 5);
    zLong[sizeof zLong - 1] = 0;
    assert_int_equal(proof_value_check(zLong, zKey, sizeof zKey, zVal, sizeof zVal, zFact, sizeof zFact, zWhy,
                                       sizeof zWhy),
                     KBS_ETOOBIG);
}

static void test_multi_sz(void **state)
{
    /* "ab" "c" "" and junk after the end; then a list whose last string lacks its NUL. */
    static const uint16_t a[] = {'a', 'b', 0, 'c', 0, 0, 'x', 0};
    static const uint16_t b[] = {'a', 0, 'b', 'c'};
    const uint16_t *z;
    size_t off = 0, n = 0;
    (void)state;
    assert_int_equal(proof_msz_next(a, 8, &off, &z, &n), 1);
    assert_int_equal(n, 2);
    assert_int_equal(z[0], 'a');
    assert_int_equal(proof_msz_next(a, 8, &off, &z, &n), 1);
    assert_int_equal(n, 1);
    assert_int_equal(proof_msz_next(a, 8, &off, &z, &n), 0);
    off = 0;
    assert_int_equal(proof_msz_next(b, 4, &off, &z, &n), 1);
    assert_int_equal(proof_msz_next(b, 4, &off, &z, &n), 1);
    assert_int_equal(n, 2);
    assert_int_equal(proof_msz_next(b, 4, &off, &z, &n), 0);
    off = 0;
    assert_int_equal(proof_msz_next(b, 0, &off, &z, &n), 0);
}

/* The legacy .adm's one-string form: "a; b;;c " reads as the list a, b, c. */
static void test_semicolon_list(void **state)
{
    uint16_t a[] = {'a', ';', ' ', 'b', ';', ';', 'c', ' ', 0, 'x'};
    uint16_t e[] = {' ', ';', 0};
    const uint16_t *z;
    size_t n, off = 0, nz = 0;
    (void)state;
    n = proof_sz_to_msz(a, 10);
    assert_int_equal(n, 6);
    assert_int_equal(proof_msz_next(a, n, &off, &z, &nz), 1);
    assert_int_equal(nz, 1);
    assert_int_equal(z[0], 'a');
    assert_int_equal(proof_msz_next(a, n, &off, &z, &nz), 1);
    assert_int_equal(z[0], 'b');
    assert_int_equal(proof_msz_next(a, n, &off, &z, &nz), 1);
    assert_int_equal(nz, 1);
    assert_int_equal(z[0], 'c');
    assert_int_equal(proof_msz_next(a, n, &off, &z, &nz), 0);
    assert_int_equal(proof_sz_to_msz(e, 3), 0);
    /* No NUL at all (a value written without one): the last entry ends with the data. */
    {
        uint16_t f[] = {'a', 'b'};
        off = 0;
        assert_int_equal(proof_sz_to_msz(f, 2), 2);
        assert_int_equal(proof_msz_next(f, 2, &off, &z, &nz), 1);
        assert_int_equal(nz, 2);
    }
}

/* What the agent records for ProofFiles = system32\drivers\http.sys and ProofValues = the Point
 * and Print value, written and read back as a snapshot, decides a site rule's verdict. */
static verdict_status_t t_site_verdict(const char *zHttpVer, const char *zFactValue)
{
    static const char zCat[] =
        "kbscat 1.2\nrule SITE-HTTP\ntitle HTTP.sys\nref https://msrc.microsoft.com/update-guide/"
        "vulnerability/CVE-2022-21907\nfix 10 build=19041-19045 file=http.sys ver=10.0.19041.1466\n"
        "mitigation fact=PointAndPrint.RestrictDriverInstallationToAdministrators value=1 "
        "note=\"site workaround\"\nend\nend-catalog 1\n";
    char zRel[PROOF_FILE_LEN_MAX + 1], zKey[PROOF_VALUE_LEN_MAX + 1], zVal[PROOF_VALUE_LEN_MAX + 1];
    char zFact[PROOF_NAME_MAX], zWhy[128], zShown[300], *zText = NULL;
    size_t nText = 0;
    snap_t s, t;
    cat_t c;
    verdict_t v;
    ver_t ver;

    assert_int_equal(cat_parse(zCat, sizeof zCat - 1, "site", &c, NULL), KBS_OK);
    snap_init(&s);
    snprintf(s.zOrigin, sizeof s.zOrigin, "agent");
    snprintf(s.zHost, sizeof s.zHost, "PC1");
    s.scanTime = 1700000000;
    s.osKnown = 1;
    s.os.major = 10, s.os.build = 19044, s.os.product_type = OS_PT_WORKSTATION;
    s.os.arch = OS_ARCH_X64;
    snap_add_source(&s, "wmi-qfe", 1, "");
    assert_int_equal(proof_file_check("system32\\drivers\\http.sys", zRel, sizeof zRel, zWhy, sizeof zWhy), KBS_OK);
    snprintf(zShown, sizeof zShown, "%%SystemRoot%%\\%s", zRel);
    assert_int_equal(ver_parse(zHttpVer, &ver), KBS_OK);
    assert_int_equal(snap_add_file(&s, zShown, 1, &ver, NULL), KBS_OK);
    assert_int_equal(proof_value_check("HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Printers\\PointAndPrint\\"
                                       "RestrictDriverInstallationToAdministrators",
                                       zKey, sizeof zKey, zVal, sizeof zVal, zFact, sizeof zFact, zWhy, sizeof zWhy),
                     KBS_OK);
    assert_int_equal(snap_add_fact(&s, zFact, zFactValue, NULL), KBS_OK);
    assert_int_equal(snap_write(&s, &zText, &nText), KBS_OK);
    assert_int_equal(snap_parse(zText, nText, &t, NULL), KBS_OK);
    assert_int_equal(verdict_eval_rule(&c.aRule[0], &t, &v), KBS_OK);
    snap_release(&s);
    snap_release(&t);
    free(zText);
    cat_release(&c);
    return v.status;
}

static void test_site_rule_verdict(void **state)
{
    (void)state;
    assert_int_equal(t_site_verdict("10.0.19041.1466", "0"), VERDICT_PATCHED);
    assert_int_equal(t_site_verdict("10.0.19041.1415", "0"), VERDICT_MISSING);
    assert_int_equal(t_site_verdict("10.0.19041.1415", "1"), VERDICT_MITIGATED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_multi_sz),
        cmocka_unit_test(test_semicolon_list),
        cmocka_unit_test(test_site_rule_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
