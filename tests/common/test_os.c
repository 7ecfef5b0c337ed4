/* test_os.c: OS identification: family, release and display name from XP RTM to Server 2025. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "kbs_err.h"
#include "os.h"

#define W OS_PT_WORKSTATION
#define S OS_PT_SERVER
#define U OS_PT_UNKNOWN

static const struct {
    uint32_t major, minor, build;
    int sp; /* -1: not known */
    os_ptype_t pt;
    os_arch_t arch;
    const char *zProduct;
    const char *zDisplay;
    int rc;
    os_family_t fam;
    const char *zRel;
    const char *zName;
} aCase[] = {
    {4, 0, 1381, 6, W, OS_ARCH_X86, "", "", KBS_OK, OS_FAM_NT4, "", "Windows NT 4.0 SP6 x86"},
    {5, 0, 2195, 4, S, OS_ARCH_X86, "", "", KBS_OK, OS_FAM_2000, "", "Windows 2000 SP4"},
    {5, 1, 2600, 0, W, OS_ARCH_X86, "", "", KBS_OK, OS_FAM_XP, "", "Windows XP x86"},
    {5, 1, 2600, 1, W, OS_ARCH_X86, "", "", KBS_OK, OS_FAM_XP, "", "Windows XP SP1 x86"},
    {5, 1, 2600, 3, W, OS_ARCH_X86, "", "", KBS_OK, OS_FAM_XP, "", "Windows XP SP3 x86"},
    {5, 1, 2600, 3, W, OS_ARCH_UNKNOWN, "", "", KBS_OK, OS_FAM_XP, "", "Windows XP SP3"},
    {5, 2, 3790, 2, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_XP64, "", "Windows XP x64 SP2"},
    {5, 2, 3790, 2, S, OS_ARCH_X86, "", "", KBS_OK, OS_FAM_2003, "", "Server 2003 SP2"},
    {5, 2, 3790, 2, S, OS_ARCH_X64, "Microsoft Windows Server 2003 R2 Standard x64 Edition", "",
     KBS_OK, OS_FAM_2003, "", "Server 2003 R2 SP2"},
    {6, 0, 6002, 2, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_VISTA, "", "Windows Vista SP2 x64"},
    {6, 0, 6001, 1, S, OS_ARCH_X86, "", "", KBS_OK, OS_FAM_2008, "", "Server 2008 SP1"},
    {6, 1, 7600, 0, W, OS_ARCH_X86, "", "", KBS_OK, OS_FAM_7, "", "Windows 7 x86"},
    {6, 1, 7601, 1, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_7, "", "Windows 7 SP1 x64"},
    {6, 1, 7601, 1, OS_PT_DC, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_2008R2, "",
     "Server 2008 R2 SP1"},
    {6, 2, 9200, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_8, "", "Windows 8 x64"},
    {6, 2, 9200, 0, S, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_2012, "", "Server 2012"},
    {6, 3, 9600, 0, W, OS_ARCH_UNKNOWN, "", "", KBS_OK, OS_FAM_81, "", "Windows 8.1"},
    {6, 3, 9600, 0, S, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_2012R2, "", "Server 2012 R2"},
    {10, 0, 10240, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "1507", "Windows 10 1507 x64"},
    {10, 0, 10586, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "1511", "Windows 10 1511 x64"},
    {10, 0, 14393, 0, W, OS_ARCH_UNKNOWN, "", "", KBS_OK, OS_FAM_10, "1607", "Windows 10 1607"},
    {10, 0, 15063, 0, W, OS_ARCH_X86, "", "", KBS_OK, OS_FAM_10, "1703", "Windows 10 1703 x86"},
    {10, 0, 16299, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "1709", "Windows 10 1709 x64"},
    {10, 0, 17134, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "1803", "Windows 10 1803 x64"},
    {10, 0, 17763, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "1809", "Windows 10 1809 x64"},
    {10, 0, 18362, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "1903", "Windows 10 1903 x64"},
    {10, 0, 18363, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "1909", "Windows 10 1909 x64"},
    {10, 0, 19041, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "2004", "Windows 10 2004 x64"},
    {10, 0, 19042, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "20H2", "Windows 10 20H2 x64"},
    {10, 0, 19043, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "21H1", "Windows 10 21H1 x64"},
    {10, 0, 19044, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "21H2", "Windows 10 21H2 x64"},
    {10, 0, 19045, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_10, "22H2", "Windows 10 22H2 x64"},
    {10, 0, 22000, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_11, "21H2", "Windows 11 21H2 x64"},
    {10, 0, 22621, 0, W, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_11, "22H2", "Windows 11 22H2 x64"},
    {10, 0, 22631, 0, W, OS_ARCH_ARM64, "", "", KBS_OK, OS_FAM_11, "23H2",
     "Windows 11 23H2 arm64"},
    {10, 0, 26100, 0, W, OS_ARCH_UNKNOWN, "", "", KBS_OK, OS_FAM_11, "24H2", "Windows 11 24H2"},
    /* A build newer than the table takes the release the machine reports. */
    {10, 0, 26200, 0, W, OS_ARCH_X64, "", "25h2", KBS_OK, OS_FAM_11, "25H2",
     "Windows 11 25H2 x64"},
    {10, 0, 26300, 0, W, OS_ARCH_X64, "", "bad!", KBS_OK, OS_FAM_11, "", "Windows 11 x64"},
    {10, 0, 14393, 0, S, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_2016, "1607", "Server 2016"},
    {10, 0, 16299, 0, S, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_SERVER_SAC, "1709", "Server 1709"},
    {10, 0, 17763, 0, S, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_2019, "1809", "Server 2019"},
    {10, 0, 19042, 0, S, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_SERVER_SAC, "20H2", "Server 20H2"},
    {10, 0, 20348, 0, S, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_2022, "21H2", "Server 2022"},
    {10, 0, 26100, 0, S, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_2025, "24H2", "Server 2025"},
    /* Product type unknown: the product name decides, then server-only builds. */
    {10, 0, 17763, 0, U, OS_ARCH_X64, "Windows Server 2019 Standard", "", KBS_OK, OS_FAM_2019,
     "1809", "Server 2019"},
    {10, 0, 17763, 0, U, OS_ARCH_X64, "Windows 10 Enterprise LTSC 2019", "", KBS_OK, OS_FAM_10,
     "1809", "Windows 10 1809 x64"},
    {6, 1, 7601, 1, U, OS_ARCH_X64, "Microsoft Windows Server 2008 R2 Enterprise", "", KBS_OK,
     OS_FAM_2008R2, "", "Server 2008 R2 SP1"},
    {10, 0, 20348, 0, U, OS_ARCH_X64, "", "", KBS_OK, OS_FAM_2022, "21H2", "Server 2022"},
    {5, 2, 3790, 2, U, OS_ARCH_X86, "", "", KBS_OK, OS_FAM_2003, "", "Server 2003 SP2"},
    {5, 2, 3790, 2, U, OS_ARCH_X64, "Microsoft Windows XP Professional x64 Edition", "", KBS_OK,
     OS_FAM_XP64, "", "Windows XP x64 SP2"},
    {6, 1, 7601, -1, U, OS_ARCH_UNKNOWN, "", "", KBS_OK, OS_FAM_7, "", "Windows 7"},
    /* Unknown versions. */
    {6, 5, 1234, 0, W, OS_ARCH_X64, "", "", KBS_ENOTFOUND, OS_FAM_UNKNOWN, "",
     "Unknown OS 6.5.1234"},
    {10, 0, 99999, 0, S, OS_ARCH_X64, "", "", KBS_ENOTFOUND, OS_FAM_UNKNOWN, "",
     "Unknown OS 10.0.99999"},
    {0, 0, 0, -1, U, OS_ARCH_UNKNOWN, "", "", KBS_ENOTFOUND, OS_FAM_UNKNOWN, "",
     "Unknown OS 0.0.0"},
};

static void fill(size_t i, os_info_t *o)
{
    memset(o, 0, sizeof *o);
    o->major = aCase[i].major;
    o->minor = aCase[i].minor;
    o->build = aCase[i].build;
    if (aCase[i].sp >= 0) {
        o->sp_known = 1;
        o->sp_major = (uint32_t)aCase[i].sp;
    }
    o->product_type = aCase[i].pt;
    o->arch = aCase[i].arch;
    snprintf(o->zProductName, sizeof o->zProductName, "%s", aCase[i].zProduct);
    snprintf(o->zDisplayVersion, sizeof o->zDisplayVersion, "%s", aCase[i].zDisplay);
}

static void test_identify_table(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof aCase / sizeof aCase[0]; i++) {
        os_info_t o;
        os_ident_t id;
        int rc;
        fill(i, &o);
        rc = os_identify(&o, &id);
        if (rc != aCase[i].rc || id.family != aCase[i].fam ||
            strcmp(id.zRelease, aCase[i].zRel) != 0 || strcmp(id.zName, aCase[i].zName) != 0) {
            print_error("case %u: got rc %d fam %s rel '%s' name '%s', want '%s'\n", (unsigned)i, rc,
                        os_family_key(id.family), id.zRelease, id.zName, aCase[i].zName);
        }
        assert_int_equal(rc, aCase[i].rc);
        assert_int_equal(id.family, aCase[i].fam);
        assert_string_equal(id.zRelease, aCase[i].zRel);
        assert_string_equal(id.zName, aCase[i].zName);
    }
}

static void test_sp_from_csd(void **state)
{
    os_info_t o;
    os_ident_t id;
    (void)state;
    memset(&o, 0, sizeof o);
    o.major = 5, o.minor = 1, o.build = 2600, o.arch = OS_ARCH_X86;
    assert_int_equal(os_sp_major(&o), -1);
    snprintf(o.zCsdVersion, sizeof o.zCsdVersion, "Service Pack 2");
    assert_int_equal(os_sp_major(&o), 2);
    assert_int_equal(os_identify(&o, &id), KBS_OK);
    assert_string_equal(id.zName, "Windows XP SP2 x86");
    snprintf(o.zCsdVersion, sizeof o.zCsdVersion, "Service Pack 12");
    assert_int_equal(os_sp_major(&o), -1);
    /* A read SP wins over the text. */
    o.sp_known = 1, o.sp_major = 3;
    assert_int_equal(os_sp_major(&o), 3);
    memset(&o, 0, sizeof o);
    o.major = 10, o.build = 19045;
    assert_int_equal(os_sp_major(&o), 0);
}

static void test_keys(void **state)
{
    int i;
    (void)state;
    for (i = 1; i < OS_FAM_COUNT; i++) {
        const char *z = os_family_key((os_family_t)i);
        assert_string_not_equal(z, "unknown");
        assert_int_equal(os_family_from_key(z), i);
    }
    assert_string_equal(os_family_key(OS_FAM_81), "8.1");
    assert_string_equal(os_family_key(OS_FAM_SERVER_SAC), "server-sac");
    assert_string_equal(os_family_key((os_family_t)999), "unknown");
    assert_int_equal(os_family_from_key("XP"), OS_FAM_UNKNOWN);
    assert_int_equal(os_family_from_key(""), OS_FAM_UNKNOWN);
    assert_int_equal(os_family_from_key(NULL), OS_FAM_UNKNOWN);
    for (i = 1; i <= OS_ARCH_ARM64; i++)
        assert_int_equal(os_arch_from_key(os_arch_key((os_arch_t)i)), i);
    assert_int_equal(os_arch_from_key("amd64"), OS_ARCH_UNKNOWN);
    assert_string_equal(os_arch_key((os_arch_t)-1), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identify_table),
        cmocka_unit_test(test_sp_from_csd),
        cmocka_unit_test(test_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
