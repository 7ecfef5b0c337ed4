/* test_imp_shapes.c: the shapes real systeminfo and hotfix-table outputs come in (prompts,
 * quoting, cut lists, code pages, console tables), each read or refused as a real machine's
 * output should be. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "imp_int.h"
#include "kbs_err.h"

/* The English fields of one systeminfo run from OS Manufacturer to Logon Server. */
#define SI_MID                                                                                    \
    "OS Manufacturer:           Microsoft Corporation\r\n"                                        \
    "OS Configuration:          Member Workstation\r\n"                                           \
    "OS Build Type:             Multiprocessor Free\r\n"                                          \
    "Registered Owner:          N/A\r\n"                                                          \
    "Registered Organization:   N/A\r\n"                                                          \
    "Product ID:                00371-00000-00000-AA123\r\n"                                      \
    "Original Install Date:     3/15/2011, 10:22:31 AM\r\n"                                       \
    "System Boot Time:          4/1/2017, 8:00:00 AM\r\n"                                         \
    "System Manufacturer:       Dell Inc.\r\n"                                                    \
    "System Model:              OptiPlex 790\r\n"                                                 \
    "System Type:               x64-based PC\r\n"                                                 \
    "Processor(s):              1 Processor(s) Installed.\r\n"                                    \
    "                           [01]: Intel64 Family 6 Model 42 Stepping 7 GenuineIntel ~3101 Mhz\r\n" \
    "BIOS Version:              Dell Inc. A11, 1/20/2012\r\n"                                     \
    "Windows Directory:         C:\\Windows\r\n"                                                  \
    "System Directory:          C:\\Windows\\system32\r\n"                                        \
    "Boot Device:               \\Device\\HarddiskVolume1\r\n"                                    \
    "System Locale:             en-us;English (United States)\r\n"                                \
    "Input Locale:              en-us;English (United States)\r\n"                                \
    "Time Zone:                 (UTC+01:00) Amsterdam, Berlin\r\n"                                \
    "Total Physical Memory:     8,192 MB\r\n"                                                     \
    "Available Physical Memory: 4,096 MB\r\n"                                                     \
    "Virtual Memory: Max Size:  16,383 MB\r\n"                                                    \
    "Virtual Memory: Available: 12,000 MB\r\n"                                                    \
    "Virtual Memory: In Use:    4,383 MB\r\n"                                                     \
    "Page File Location(s):     C:\\pagefile.sys\r\n"                                             \
    "Domain:                    corp.example\r\n"                                                 \
    "Logon Server:              \\\\DC01\r\n"

#define SI_HEAD(host)                                                                             \
    "Host Name:                 " host "\r\n"                                                     \
    "OS Name:                   Microsoft Windows 7 Enterprise\r\n"                               \
    "OS Version:                6.1.7601 Service Pack 1 Build 7601\r\n"

#define SI_NIC                                                                                    \
    "Network Card(s):           1 NIC(s) Installed.\r\n"                                          \
    "                           [01]: Intel(R) 82579LM Gigabit Network Connection\r\n"           \
    "                                 Connection Name: Local Area Connection\r\n"                \
    "                                 IP address(es)\r\n"                                         \
    "                                 [01]: 10.1.2.3\r\n"

static snap_t one(const char *z, size_t n)
{
    snap_t s;
    imp_err_t err;
    int rc;
    assert_int_equal(imp_detect(z, n), IMP_KIND_SYSTEMINFO);
    rc = imp_systeminfo_parse(z, n, &s, &err);
    if (rc) fail_msg("line %u: %s", err.line, err.zReason);
    return s;
}

static int has_kb(const snap_t *s, uint32_t num)
{
    size_t i;
    for (i = 0; i < s->nHotfix; i++)
        if (s->aHotfix[i].kb.num == num) return 1;
    return 0;
}

static void test_prompt_banner_fence(void **state)
{
    static const char zFused[] = "PS C:\\Users\\Public> systeminfo" SI_HEAD("PC-01") SI_MID
                                 "Hotfix(s):                 1 Hotfix(s) Installed.\r\n"
                                 "                           [01]: KB4012212\r\n" SI_NIC;
    static const char zBanner[] = "Microsoft Windows [Version 6.1.7601]\r\n"
                                  "Copyright (c) 2009 Microsoft Corporation.\r\n\r\n"
                                  "C:\\>systeminfo\r\n\r\n"
                                  "```\r\n" SI_HEAD("PC-02") SI_MID
                                  "Hotfix(s):                 N/A\r\n" SI_NIC "```\r\nC:\\>\r\n";
    snap_t s;
    (void)state;
    s = one(zFused, strlen(zFused));
    assert_string_equal(s.zHost, "PC-01");
    assert_string_equal(s.zDomain, "corp.example");
    assert_int_equal(s.os.arch, OS_ARCH_X64);
    assert_string_equal(s.os.zInstallDate, "2011-03-15");
    assert_true(has_kb(&s, 4012212));
    assert_int_equal(s.hotfixesComplete, 1);
    snap_release(&s);
    s = one(zBanner, strlen(zBanner));
    assert_string_equal(s.zHost, "PC-02");
    assert_int_equal(s.nHotfix, 0); /* N/A: none installed, a complete empty list */
    assert_int_equal(s.hotfixesComplete, 1);
    snap_release(&s);
}

/* Markdown quote markers, tab indentation, a wider label column (Server 2025). */
static void test_quoted_tabs_wide(void **state)
{
    static const char zQuoted[] =
        "> Host Name:                 PC-03\n"
        "> OS Name:                   Microsoft Windows 10 Pro\n"
        "> OS Version:                10.0.19045 N/A Build 19045\n"
        "> Hotfix(s):                 2 Hotfix(s) Installed.\n"
        ">                            [01]: KB5012170\n"
        ">                            [02]: KB5022282\n";
    static const char zTabs[] = "Host Name:\t\t\tPC-04\n"
                                "OS Name:\t\t\tMicrosoft Windows 10 Pro\n"
                                "OS Version:\t\t\t10.0.19045 N/A Build 19045\n"
                                "Hotfix(s):\t\t\t2 Hotfix(s) Installed.\n"
                                "\t\t\t\t[01]: KB5012170\n"
                                "\t\t\t\t[02]: KB5022282\n"
                                "Network Card(s):\t\t1 NIC(s) Installed.\n";
    static const char zWide[] = "Host Name:                     SRV25\n"
                                "OS Name:                       Microsoft Windows Server 2025 "
                                "Datacenter\n"
                                "OS Version:                    10.0.26100 N/A Build 26100\n"
                                "Hotfix(s):                     1 Hotfix(s) Installed.\n"
                                "                               [01]: KB5044284\n";
    const char *az[] = {zQuoted, zTabs, zWide};
    const char *azHost[] = {"PC-03", "PC-04", "SRV25"};
    size_t i;
    (void)state;
    for (i = 0; i < 3; i++) {
        snap_t s = one(az[i], strlen(az[i]));
        assert_string_equal(s.zHost, azHost[i]);
        assert_true(s.os.build == 19045 || s.os.build == 26100);
        assert_true(has_kb(&s, i == 2 ? 5044284 : 5022282));
        assert_int_equal(s.hotfixesComplete, 1);
        snap_release(&s);
    }
}

/* The ways systeminfo and people cut a hotfix list: never an error, always incomplete. */
static void test_cut_lists(void **state)
{
    static const char zEmpty[] = SI_HEAD("CUT-1") SI_MID
        "Hotfix(s):                 271 Hotfix(s) Installed.\r\n"
        "                           [244]: KB4012212\r\n"
        "                           [245]: KB4012215\r\n"
        "                           [246]\r\n" SI_NIC;
    static const char zBracket[] = SI_HEAD("CUT-2") SI_MID
        "Hotfix(s):                 221 Hotfix(s) Installed.\r\n"
        "                           [219]: KB976902\r\n"
        "                           [220]: KB4012212 - Security Update\r\n"
        "                           [221\r\n"
        "                           \r\n" SI_NIC;
    static const char zEof[] = SI_HEAD("CUT-3") SI_MID
        "Hotfix(s):                 30 Hotfix(s) Installed.\r\n"
        "                           [01]: KB4012212\r\n"
        "                           [02]: KB40122";
    static const char zNoList[] = SI_HEAD("CUT-4") "...\r\nPS C:\\>\r\n";
    snap_t s;
    (void)state;
    s = one(zEmpty, strlen(zEmpty));
    assert_int_equal(s.hotfixesComplete, 0);
    assert_non_null(strstr(s.zHotfixNote, "systeminfo lists 2 of 271 hotfixes"));
    assert_true(has_kb(&s, 4012212) && has_kb(&s, 4012215)); /* whole entries before the cut */
    snap_release(&s);
    s = one(zBracket, strlen(zBracket));
    assert_int_equal(s.hotfixesComplete, 0);
    assert_non_null(strstr(s.zHotfixNote, "of 221 hotfixes"));
    assert_true(has_kb(&s, 4012212));
    snap_release(&s);
    s = one(zEof, strlen(zEof));
    assert_int_equal(s.hotfixesComplete, 0);
    assert_true(has_kb(&s, 4012212));
    assert_false(has_kb(&s, 40122)); /* an id cut by the end of the file is not read */
    snap_release(&s);
    s = one(zNoList, strlen(zNoList));
    assert_string_equal(s.zHost, "CUT-4");
    assert_int_equal(s.nHotfix, 0);
    assert_int_equal(s.hotfixesComplete, 0);
    assert_non_null(strstr(s.zHotfixNote, "ends before its hotfix list"));
    snap_release(&s);
}

/* A paste that starts at OS Name, several runs in one file, and the one refusal. */
static void test_runs_and_refusal(void **state)
{
    static const char zNoHost[] = "OS Name:                Microsoft Windows Server 2008 R2 Datacenter \n"
                                  "OS Version:             6.1.7600 N/A Build 7600\n";
    static const char zTwo[] = SI_HEAD("RUN-A") SI_MID "Hotfix(s):                 N/A\r\n" SI_NIC
        "Dell your system information is under below ....\r\n\r\n" SI_HEAD("RUN-B") SI_MID
        "Hotfix(s):                 1 Hotfix(s) Installed.\r\n"
        "                           [01]: KB4012212\r\n" SI_NIC;
    static const char zNoVersion[] = "Host Name:                 PC-09\r\n"
                                     "OS Name:                   Microsoft Windows 10 Pro\r\n"
                                     "System Model:              Latitude\r\n"
                                     "Registered Owner:          a\r\nRegistered Organization:   b\r\n"
                                     "Product ID:                c\r\nSystem Type:               x64\r\n"
                                     "Domain:                    WORKGROUP\r\n"
                                     "Logon Server:              \\\\PC-09\r\n"
                                     "Hotfix(s):                 1 Hotfix(s) Installed.\r\n"
                                     "                           [01]: KB5012170\r\n";
    snap_t s, *a = NULL;
    size_t n = 0;
    imp_err_t err;
    (void)state;
    s = one(zNoHost, strlen(zNoHost));
    assert_string_equal(s.zHost, ""); /* named by its file when collected */
    assert_int_equal(s.os.build, 7600);
    assert_int_equal(s.hotfixesComplete, 0);
    snap_release(&s);
    assert_int_equal(imp_systeminfo_parse_all(zTwo, strlen(zTwo), &a, &n, &err), KBS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(a[0].zHost, "RUN-A");
    assert_int_equal(a[0].nHotfix, 0);
    assert_int_equal(a[0].hotfixesComplete, 1);
    assert_string_equal(a[1].zHost, "RUN-B");
    assert_true(has_kb(&a[1], 4012212));
    imp_free_snaps(a, n);
    assert_int_equal(imp_detect(zNoVersion, strlen(zNoVersion)), IMP_KIND_SYSTEMINFO);
    assert_int_equal(imp_systeminfo_parse(zNoVersion, strlen(zNoVersion), &s, &err), KBS_EPARSE);
    assert_int_equal(err.line, 3); /* where the version line should have been */
    assert_non_null(strstr(err.zReason, "no OS version"));
}

/* Labels nobody can read (GBK bytes, UTF-8 decoded with the wrong code page): the values are
 * read all the same. */
static void test_unreadable_labels(void **state)
{
    static const char zGbk[] = "\r\n\xd6\xf7\xbb\xfa\xc3\xfb:           WIN-ZH01\r\n"
                               "OS \xc3\xfb\xb3\xc6:          Microsoft Windows 10 \xd7\xa8\xd2\xb5\xb0\xe6\r\n"
                               "OS \xb0\xe6\xb1\xbe:          10.0.17763 \xb4\xed\xce\xf3 Build 17763\r\n"
                               "\xd0\xde\xb2\xb9\xb3\xcc\xd0\xf2:          "
                               "\xb0\xb2\xd7\xb0\xc1\xcb 2 \xb8\xf6\xd0\xde\xb2\xb9\xb3\xcc\xd0\xf2\xa1\xa3\r\n"
                               "                   [01]: KB4483452\r\n"
                               "                   [02]: KB4487038\r\n";
    static const char zMojibake[] = "Nom de l\xc3\xa2\xe2\x82\xac\xe2\x84\xa2h\xc3\x83\xc2\xb4te:   PC-FR\n"
                                    "Nom du syst\xc3\x83\xc2\xa8me:     Microsoft Windows 7\n"
                                    "Version du syst\xc3\x83\xc2\xa8me: 6.1.7601 Service Pack 1 version 7601\n"
                                    "Correctif(s):        1 correctif(s) install\xc3\x83\xc2\xa9(s).\n"
                                    "                     [01]: KB4012212\n";
    snap_t s;
    (void)state;
    s = one(zGbk, strlen(zGbk));
    assert_string_equal(s.zHost, "WIN-ZH01");
    assert_int_equal(s.os.build, 17763);
    assert_true(has_kb(&s, 4483452) && has_kb(&s, 4487038));
    assert_int_equal(s.hotfixesComplete, 1);
    snap_release(&s);
    s = one(zMojibake, strlen(zMojibake));
    assert_string_equal(s.zHost, "PC-FR");
    assert_int_equal(s.os.sp_major, 1);
    assert_true(has_kb(&s, 4012212));
    snap_release(&s);
}

/* ---- console tables ---- */

static void test_tables(void **state)
{
    static const char zFiltered[] =
        "PS C:\\> Get-HotFix -Description Security* -ComputerName DC1\r\n\r\n"
        "Source        Description      HotFixID      InstalledBy          InstalledOn\r\n"
        "------        -----------      --------      -----------          -----------\r\n"
        "DC1           Security Update  KB5012170     RELIA\\Administrator  10/18/2022 12:00:00 AM\r\n"
        "\r\nPS C:\\>\r\n";
    static const char zIdOnly[] = "HotFixID   \r\nKB4012212  \r\nKB976902   \r\n";
    unsigned char aUtf16[4096];
    size_t nUtf16 = 0, i;
    snap_t *a = NULL;
    size_t n = 0;
    imp_err_t err;
    (void)state;

    /* wmic qfe list: every column as wide as its widest cell, rows ending CR CR LF */
    static const char *const azRow[3][11] = {
        {"Caption", "CSName", "Description", "FixComments", "HotFixID", "InstallDate",
         "InstalledBy", "InstalledOn", "Name", "ServicePackInEffect", "Status"},
        {"http://support.microsoft.com/?kbid=4012212", "PC-W7", "Security Update", "",
         "KB4012212", "", "NT AUTHORITY\\SYSTEM", "3/15/2017", "", "", ""},
        {"http://support.microsoft.com/?kbid=976902", "PC-W7", "Update", "", "KB976902", "",
         "PC-W7\\Admin", "11/21/2010", "", "", ""}};
    char zWmic[1024];
    size_t o = 0, r;
    for (r = 0; r < 3; r++) {
        o += (size_t)snprintf(zWmic + o, sizeof zWmic - o,
                              "%-44s%-8s%-17s%-13s%-11s%-13s%-21s%-13s%-6s%-21s%-8s\r\r\n",
                              azRow[r][0], azRow[r][1], azRow[r][2], azRow[r][3], azRow[r][4],
                              azRow[r][5], azRow[r][6], azRow[r][7], azRow[r][8], azRow[r][9],
                              azRow[r][10]);
    }
    snprintf(zWmic + o, sizeof zWmic - o, "\r\r\n");

    /* wmic redirected from cmd: a banner in ASCII, then UTF-16LE with its BOM */
    memcpy(aUtf16, "C:\\>wmic qfe list\r\n", 19);
    nUtf16 = 19;
    aUtf16[nUtf16++] = 0xFF, aUtf16[nUtf16++] = 0xFE;
    for (i = 0; zWmic[i]; i++)
        aUtf16[nUtf16++] = (unsigned char)zWmic[i], aUtf16[nUtf16++] = 0;
    aUtf16[nUtf16++] = 0, aUtf16[nUtf16++] = 0; /* trailing NUL */
    assert_int_equal(imp_detect((const char *)aUtf16, nUtf16), IMP_KIND_HOTFIX_TABLE);
    assert_int_equal(imp_table_parse((const char *)aUtf16, nUtf16, &a, &n, &err), KBS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].zHost, "PC-W7");
    assert_string_equal(a[0].zOrigin, "hotfix-table");
    assert_int_equal(a[0].osKnown, 0);
    assert_int_equal(a[0].nHotfix, 2);
    assert_int_equal(a[0].hotfixesComplete, 1); /* the whole WMI class */
    assert_string_equal(a[0].aHotfix[1].zInstalled, "2017-03-15");
    imp_free_snaps(a, n);

    assert_int_equal(imp_detect(zFiltered, strlen(zFiltered)), IMP_KIND_HOTFIX_TABLE);
    assert_int_equal(imp_table_parse(zFiltered, strlen(zFiltered), &a, &n, &err), KBS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].zHost, "DC1");
    assert_int_equal(a[0].hotfixesComplete, 0); /* filtered: never a full inventory */
    assert_non_null(strstr(a[0].zHotfixNote, "filtered"));
    assert_string_equal(a[0].aHotfix[0].zInstalled, "2022-10-18");
    imp_free_snaps(a, n);

    assert_int_equal(imp_detect(zIdOnly, strlen(zIdOnly)), IMP_KIND_HOTFIX_TABLE);
    assert_int_equal(imp_table_parse(zIdOnly, strlen(zIdOnly), &a, &n, &err), KBS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].zHost, ""); /* no host column: named by its file when collected */
    assert_int_equal(a[0].nHotfix, 2);
    imp_free_snaps(a, n);

    assert_int_equal(imp_table_parse("HotFixID\r\n", 10, &a, &n, &err), KBS_EPARSE);
    assert_non_null(strstr(err.zReason, "no hotfix rows"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prompt_banner_fence), cmocka_unit_test(test_quoted_tabs_wide),
        cmocka_unit_test(test_cut_lists),           cmocka_unit_test(test_runs_and_refusal),
        cmocka_unit_test(test_unreadable_labels),   cmocka_unit_test(test_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
