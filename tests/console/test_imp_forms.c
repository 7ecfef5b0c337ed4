/* test_imp_forms.c: the forms agentless inputs take beyond the plain English console: the
 * machine's role in every UI language, tables padded by characters (accents, Cyrillic, CJK),
 * systeminfo /FO CSV and /FO LIST, XP wmic rows, and wmic's installer banner. */
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

/* ---- helpers ---- */

/* UTF-8 text as UTF-16LE bytes (malloc'd), with a BOM when bBom. */
static char *to_utf16(const char *z, int bBom, size_t *pn)
{
    size_t n = strlen(z), i = 0, o = 0;
    unsigned char *a = malloc(n * 4 + 4);
    assert_non_null(a);
    if (bBom) a[o++] = 0xFF, a[o++] = 0xFE;
    while (i < n) {
        unsigned char b = (unsigned char)z[i];
        uint32_t cp;
        if (b < 0x80) {
            cp = b, i += 1;
        } else if (b < 0xE0) {
            cp = (uint32_t)(b & 0x1F) << 6 | (z[i + 1] & 0x3F), i += 2;
        } else if (b < 0xF0) {
            cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(z[i + 1] & 0x3F) << 6 | (z[i + 2] & 0x3F);
            i += 3;
        } else {
            fail_msg("no 4-byte characters in these tests");
            return NULL;
        }
        a[o++] = (unsigned char)(cp & 0xFF), a[o++] = (unsigned char)(cp >> 8);
    }
    *pn = o;
    return (char *)a;
}

static const snap_hotfix_t *find_kb(const snap_t *s, uint32_t num)
{
    size_t i;
    for (i = 0; i < s->nHotfix; i++)
        if (s->aHotfix[i].kb.num == num) return &s->aHotfix[i];
    return NULL;
}

static int has_kb(const snap_t *s, uint32_t num)
{
    return find_kb(s, num) != NULL;
}

/* A Server 2016 systeminfo (UTF-8) with the given product name and OS Configuration value. */
static void si_server(char *z, size_t nz, const char *zName, const char *zConf)
{
    snprintf(z, nz,
             "Host Name:                 SRV-01\r\n"
             "OS Name:                   %s\r\n"
             "OS Version:                10.0.14393 N/A Build 14393\r\n"
             "OS Manufacturer:           Microsoft Corporation\r\n"
             "OS Configuration:          %s\r\n"
             "OS Build Type:             Multiprocessor Free\r\n"
             "Registered Owner:          Windows User\r\n"
             "Registered Organization:   \r\n"
             "Product ID:                00377-60000-00000-AA123\r\n"
             "Original Install Date:     2018/01/15, 10:22:31\r\n"
             "System Boot Time:          2018/04/01, 8:00:00\r\n"
             "System Manufacturer:       VMware, Inc.\r\n"
             "System Model:              VMware Virtual Platform\r\n"
             "System Type:               x64-based PC\r\n"
             "Processor(s):              1 Processor(s) Installed.\r\n"
             "                           [01]: Intel64 Family 6 Model 79 Stepping 1 GenuineIntel "
             "~2200 Mhz\r\n"
             "BIOS Version:              Phoenix Technologies LTD 6.00, 2017/04/05\r\n"
             "Windows Directory:         C:\\Windows\r\n"
             "System Directory:          C:\\Windows\\system32\r\n"
             "Boot Device:               \\Device\\HarddiskVolume1\r\n"
             "System Locale:             ja;Japanese\r\n"
             "Input Locale:              ja;Japanese\r\n"
             "Time Zone:                 (UTC+09:00) Osaka, Sapporo, Tokyo\r\n"
             "Total Physical Memory:     8,191 MB\r\n"
             "Available Physical Memory: 4,096 MB\r\n"
             "Virtual Memory: Max Size:  9,471 MB\r\n"
             "Virtual Memory: Available: 5,000 MB\r\n"
             "Virtual Memory: In Use:    4,471 MB\r\n"
             "Page File Location(s):     C:\\pagefile.sys\r\n"
             "Domain:                    corp.example\r\n"
             "Logon Server:              \\\\SRV-01\r\n"
             "Hotfix(s):                 2 Hotfix(s) Installed.\r\n"
             "                           [01]: KB3192137\r\n"
             "                           [02]: KB4013429\r\n"
             "Network Card(s):           1 NIC(s) Installed.\r\n"
             "                           [01]: Intel(R) 82574L Gigabit Network Connection\r\n"
             "                                 Connection Name: Ethernet0\r\n",
             zName, zConf);
}

/* ---- the machine's role in every language ---- */

static void test_role_languages(void **state)
{
    /* The "OS Configuration" values of a domain controller, a member server and a standalone
     * workstation as systeminfo writes them in each UI language (Windows' own wording). */
    static const struct {
        const char *zConf;
        os_ptype_t pt;
    } a[] = {
        {"Primary Domain Controller", OS_PT_DC},
        {"\xe3\x83\x97\xe3\x83\xa9\xe3\x82\xa4\xe3\x83\x9e\xe3\x83\xaa "
         "\xe3\x83\x89\xe3\x83\xa1\xe3\x82\xa4"
         "\xe3\x83\xb3 "
         "\xe3\x82\xb3\xe3\x83\xb3\xe3\x83\x88\xe3\x83\xad\xe3\x83\xbc\xe3\x83\xa9\xe3\x83\xbc",
         OS_PT_DC}, /* ja: プライマリ ドメイン コントローラー */
        {"\xe4\xb8\xbb\xe5\x9f\x9f\xe6\x8e\xa7\xe5\x88\xb6\xe5\x99\xa8",
         OS_PT_DC}, /* zh-CN: 主域控制器 */
        {"\xe4\xb8\xbb\xe8\xa6\x81\xe7\xb6\xb2\xe5\x9f\x9f\xe6\x8e\xa7\xe5\x88\xb6\xe7\xab\x99",
         OS_PT_DC}, /* zh-TW: 主要網域控制站 */
        {"\xec\xa3\xbc \xeb\x8f\x84\xeb\xa9\x94\xec\x9d\xb8 "
         "\xec\xbb\xa8\xed\x8a\xb8\xeb\xa1\xa4\xeb\x9f\xac",
         OS_PT_DC}, /* ko: 주 도메인 컨트롤러 */
        {"\xd0\x9e\xd1\x81\xd0\xbd\xd0\xbe\xd0\xb2\xd0\xbd\xd0\xbe\xd0\xb9 "
         "\xd0\xba\xd0\xbe\xd0\xbd\xd1\x82"
         "\xd1\x80\xd0\xbe\xd0\xbb\xd0\xbb\xd0\xb5\xd1\x80 "
         "\xd0\xb4\xd0\xbe\xd0\xbc\xd0\xb5\xd0\xbd\xd0\xb0",
         OS_PT_DC}, /* ru: Основной контроллер домена */
        {"Contr\xc3\xb4leur de domaine principal", OS_PT_DC},
        {"Controlador de dominio principal", OS_PT_DC},
        {"Controller di dominio primario", OS_PT_DC},
        {"Controlador de dom\xc3\xadnio prim\xc3\xa1rio", OS_PT_DC},
        {"Primaire domeincontroller", OS_PT_DC},
        {"Prim\xc3\xa4rer Dom\xc3\xa4nencontroller", OS_PT_DC},
        {"Podstawowy kontroler domeny", OS_PT_DC},
        {"Prim\xc3\xa1rn\xc3\xad \xc5\x99\x61\x64i\xc4\x8d dom\xc3\xa9ny", OS_PT_DC}, /* cs */
        {"Prim\xc3\xa4r dom\xc3\xa4nkontrollant", OS_PT_DC},                          /* sv */
        {"Birincil Etki Alan\xc4\xb1 Denetleyicisi", OS_PT_DC},                       /* tr */
        {"Els\xc5\x91\x64leges tartom\xc3\xa1nyvez\xc3\xa9rl\xc5\x91", OS_PT_DC},     /* hu */
        {"Backup Domain Controller", OS_PT_DC},
        {"Member Server", OS_PT_SERVER},
        {"\xe3\x83\xa1\xe3\x83\xb3\xe3\x83\x90\xe3\x83\xbc "
         "\xe3\x82\xb5\xe3\x83\xbc\xe3\x83\x90\xe3\x83\xbc",
         OS_PT_SERVER}, /* ja: メンバー サーバー */
        {"\xe6\x88\x90\xe5\x91\x98\xe6\x9c\x8d\xe5\x8a\xa1\xe5\x99\xa8",
         OS_PT_SERVER}, /* zh: 成员服务器 */
        {"\xeb\xa9\xa4\xeb\xb2\x84 \xec\x84\x9c\xeb\xb2\x84", OS_PT_SERVER}, /* ko: 멤버 서버 */
        {"\xc3\x9cye Sunucu", OS_PT_SERVER},                                 /* tr */
        {"Standalone Workstation", OS_PT_WORKSTATION},
        {"\xe3\x82\xb9\xe3\x82\xbf\xe3\x83\xb3\xe3\x83\x89\xe3\x82\xa2\xe3\x83\xad\xe3\x83\xb3 "
         "\xe3\x83\xaf"
         "\xe3\x83\xbc\xe3\x82\xaf\xe3\x82\xb9\xe3\x83\x86\xe3\x83\xbc\xe3\x82\xb7\xe3\x83\xa7\xe3"
         "\x83\xb3",
         OS_PT_WORKSTATION}, /* ja: スタンドアロン ワークステーション */
        {"\xe7\x8b\xac\xe7\xab\x8b\xe5\xb7\xa5\xe4\xbd\x9c\xe7\xab\x99",
         OS_PT_WORKSTATION}, /* zh: 独立工作站 */
        {"\xeb\x8f\x85\xeb\xa6\xbd \xec\x8b\xa4\xed\x96\x89\xed\x98\x95 "
         "\xec\x9b\x8c\xed\x81\xac\xec\x8a\xa4"
         "\xed\x85\x8c\xec\x9d\xb4\xec\x85\x98",
         OS_PT_WORKSTATION}, /* ko: 독립 실행형 워크스테이션 */
        {"Estaci\xc3\xb3n de trabajo independiente", OS_PT_WORKSTATION},
        {"\xc3\x9cye \xc4\xb0\xc5\x9f \xc4\xb0stasyonu",
         OS_PT_WORKSTATION}, /* tr: Üye İş İstasyonu */
        /* a role word this reader does not know, or lost to a wrong code page: not "member" */
        {"??????? ???????? ??????????", OS_PT_UNKNOWN},
    };
    char z[4096];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        snap_t s;
        imp_err_t err;
        size_t n = 0;
        char *zw;
        si_server(z, sizeof z, "Microsoft Windows Server 2016 Standard", a[i].zConf);
        zw = to_utf16(z, 1, &n); /* systeminfo > file from PowerShell: UTF-16LE */
        assert_int_equal(imp_detect(zw, n), IMP_KIND_SYSTEMINFO);
        if (imp_systeminfo_parse(zw, n, &s, &err))
            fail_msg("%s: line %u: %s", a[i].zConf, err.line, err.zReason);
        if ((int)s.os.product_type != (int)a[i].pt)
            fail_msg("\"%s\": role %d, expected %d", a[i].zConf, (int)s.os.product_type,
                     (int)a[i].pt);
        assert_true(has_kb(&s, 4013429));
        snap_release(&s);
        free(zw);
    }

    /* An unknown word on a client edition: a workstation edition is never a domain controller */
    si_server(z, sizeof z, "Microsoft Windows 10 Pro", "??????? ????????");
    {
        snap_t s;
        assert_int_equal(imp_systeminfo_parse(z, strlen(z), &s, NULL), KBS_OK);
        assert_int_equal(s.os.product_type, OS_PT_WORKSTATION);
        snap_release(&s);
    }
}

/* ---- console tables padded by characters ---- */

/* Display cells of the UTF-8 character at z (bCells: East Asian wide characters take two, as
 * PowerShell's console host counts them; else every character one, as wmic pads). */
static unsigned t_width(const char *z, size_t *pLen, int bCells)
{
    unsigned char b = (unsigned char)z[0];
    uint32_t cp;
    if (b < 0x80) return *pLen = 1, 1;
    if (b < 0xE0) return *pLen = 2, 1;
    *pLen = 3;
    cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)(z[1] & 0x3F) << 6 | (z[2] & 0x3F);
    return bCells && ((cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
                      (cp >= 0xFF00 && cp <= 0xFF60))
               ? 2
               : 1;
}

/* Appends the cells of one row, each padded to its column's width. */
static void t_row(char *zOut, size_t nOut, const char *const *azCell, const unsigned *aWidth,
                  size_t nCol, int bCells, const char *zEnd)
{
    size_t k, o = strlen(zOut);
    for (k = 0; k < nCol; k++) {
        const char *z = azCell[k];
        unsigned w = 0;
        while (*z) {
            size_t len;
            w += t_width(z, &len, bCells);
            assert_true(o + len < nOut);
            memcpy(zOut + o, z, len);
            o += len, z += len;
        }
        while (k + 1 < nCol && w < aWidth[k] && o + 1 < nOut)
            zOut[o++] = ' ', w++;
    }
    assert_true(o + strlen(zEnd) < nOut);
    memcpy(zOut + o, zEnd, strlen(zEnd) + 1);
}

static const snap_t *t_table(const char *zIn, size_t nIn, snap_t **pa, size_t *pn)
{
    imp_err_t err;
    assert_int_equal(imp_detect(zIn, nIn), IMP_KIND_HOTFIX_TABLE);
    if (imp_table_parse(zIn, nIn, pa, pn, &err)) fail_msg("line %u: %s", err.line, err.zReason);
    assert_int_equal(*pn, 1);
    return &(*pa)[0];
}

static void test_table_characters(void **state)
{
    static const unsigned aW[] = {14, 25, 14, 24, 0};
    static const char *const azHdr[] = {"Source", "Description", "HotFixID", "InstalledBy",
                                        "InstalledOn"};
    static const char *const azDash[] = {"------", "-----------", "--------", "-----------",
                                         "-----------"};
    /* fr: "Mise à jour de sécurité", ru: "Обновление безопасности", zh: "安全更新" */
    static const char *const azDesc[] = {
        "Mise \xc3\xa0 jour de s\xc3\xa9\x63urit\xc3\xa9",
        "\xd0\x9e\xd0\xb1\xd0\xbd\xd0\xbe\xd0\xb2\xd0\xbb\xd0\xb5\xd0\xbd\xd0\xb8\xd0\xb5 "
        "\xd0\xb1\xd0\xb5"
        "\xd0\xb7\xd0\xbe\xd0\xbf\xd0\xb0\xd1\x81\xd0\xbd\xd0\xbe\xd1\x81\xd1\x82\xd0\xb8",
        "\xe5\xae\x89\xe5\x85\xa8\xe6\x9b\xb4\xe6\x96\xb0"};
    static const char *const azBy[] = {
        "AUTORITE NT\\Syst\xc3\xa8me",
        "NT AUTHORITY\\\xd0\xa1\xd0\x98\xd0\xa1\xd0\xa2\xd0\x95\xd0\x9c\xd0\x90",
        "NT AUTHORITY\\\xe7\xb3\xbb\xe7\xbb\x9f"};
    static const char *const azDate[] = {"15/03/2017 00:00:00", "15.03.2017 0:00:00",
                                         "2017/3/15 0:00:00"};
    size_t i;
    (void)state;
    for (i = 0; i < 3; i++) {
        char z[2048] = "";
        const char *azR1[5], *azR2[5];
        snap_t *a = NULL;
        const snap_t *s;
        size_t n = 0, nw = 0;
        char *zw;
        azR1[0] = "PC-01", azR1[1] = azDesc[i], azR1[2] = "KB4012212", azR1[3] = azBy[i],
        azR1[4] = azDate[i];
        azR2[0] = "PC-01", azR2[1] = "Update", azR2[2] = "KB976902", azR2[3] = azBy[i],
        azR2[4] = azDate[i];
        strcat(z, "\r\n");
        t_row(z, sizeof z, azHdr, aW, 5, 1, "\r\n");
        t_row(z, sizeof z, azDash, aW, 5, 1, "\r\n");
        t_row(z, sizeof z, azR1, aW, 5, 1, "\r\n");
        t_row(z, sizeof z, azR2, aW, 5, 1, "\r\n\r\n");
        zw = to_utf16(z, 1, &nw); /* Get-HotFix > file in Windows PowerShell: UTF-16LE */
        s = t_table(zw, nw, &a, &n);
        assert_string_equal(s->zHost, "PC-01");
        assert_int_equal(s->nHotfix, 2);
        if (!has_kb(s, 4012212))
            fail_msg("table %lu: KB4012212 read as \"%s\"", (unsigned long)i, s->aHotfix[0].zRaw);
        assert_string_equal(find_kb(s, 4012212)->zRaw, "KB4012212");
        assert_string_equal(find_kb(s, 4012212)->zInstalled, "2017-03-15");
        assert_true(has_kb(s, 976902));
        imp_free_snaps(a, n);
        free(zw);
    }

    /* several hosts: each found again by name (case ignored), in order of first sight */
    {
        static const char zMulti[] =
            "Source  HotFixID   \r\n------  --------   \r\n"
            "PC-A    KB4012212  \r\nPC-B    KB4012212  \r\npc-a    KB976902   \r\n"
            "PC-C    KB976902   \r\nPC-B    KB976902   \r\n\r\n";
        snap_t *a = NULL;
        size_t n = 0;
        imp_err_t err;
        assert_int_equal(imp_table_parse(zMulti, strlen(zMulti), &a, &n, &err), KBS_OK);
        assert_int_equal(n, 3);
        assert_string_equal(a[0].zHost, "PC-A");
        assert_string_equal(a[1].zHost, "PC-B");
        assert_string_equal(a[2].zHost, "PC-C");
        assert_int_equal(a[0].nHotfix, 2);
        assert_int_equal(a[1].nHotfix, 2);
        assert_int_equal(a[2].nHotfix, 1);
        imp_free_snaps(a, n);
    }

    /* wmic pads every column by characters, to its widest cell */
    {
        static const unsigned aWm[] = {9, 25, 11, 0};
        static const char *const azH[] = {"CSName", "Description", "HotFixID", "InstalledOn"};
        const char *azR[4];
        char z[1024] = "";
        snap_t *a = NULL;
        size_t n = 0;
        const snap_t *s;
        azR[0] = "PC-FR02", azR[1] = azDesc[0], azR[2] = "KB4012212", azR[3] = "3/15/2017";
        t_row(z, sizeof z, azH, aWm, 4, 0, "\r\r\n");
        t_row(z, sizeof z, azR, aWm, 4, 0, "\r\r\n");
        s = t_table(z, strlen(z), &a, &n);
        assert_string_equal(s->zHost, "PC-FR02");
        assert_string_equal(find_kb(s, 4012212)->zRaw, "KB4012212");
        assert_string_equal(find_kb(s, 4012212)->zInstalled, "2017-03-15");
        imp_free_snaps(a, n);
    }
}

/* ---- wmic's first run on XP: an ASCII notice, then UTF-16LE without a BOM ---- */

static void test_wmic_install_banner(void **state)
{
    /* what follows the notice: a line end, spaces to the console width, or nothing */
    static const char *const azAfter[] = {"\r\n", "\n", "                                  \r\n",
                                          "\r", ""};
    static const char zTable[] = "Caption                                     CSName   Description "
                                 "     HotFixID   InstalledOn  \r\r\n"
                                 "http://support.microsoft.com/?kbid=958644   XP-PC07  Security "
                                 "Update  KB958644   11/4/2008    \r\r\n"
                                 "http://support.microsoft.com/?kbid=4012598  XP-PC07  Security "
                                 "Update  KB4012598  5/13/2017    \r\r\n"
                                 "\r\r\n";
    static const char zCsv[] = "\r\r\nNode,CSName,Description,HotFixID,InstalledOn\r\r\n"
                               "XP-PC07,XP-PC07,Security Update,KB4012598,5/13/2017\r\r\n";
    size_t i, k;
    (void)state;
    for (k = 0; k < 2; k++) {
        for (i = 0; i < sizeof azAfter / sizeof azAfter[0]; i++) {
            char zHead[128], *zw, *zIn;
            size_t nw = 0, nh, nIn;
            snap_t *a = NULL;
            size_t n = 0;
            imp_err_t err;
            int rc;
            nh = (size_t)snprintf(zHead, sizeof zHead,
                                  "Please wait while WMIC is being installed.%s", azAfter[i]);
            zw = to_utf16(k ? zCsv : zTable, 0, &nw);
            nIn = nh + nw;
            zIn = malloc(nIn);
            assert_non_null(zIn);
            memcpy(zIn, zHead, nh);
            memcpy(zIn + nh, zw, nw);
            if (imp_detect(zIn, nIn) != (k ? IMP_KIND_QFE_CSV : IMP_KIND_HOTFIX_TABLE))
                fail_msg("%s after the notice (%lu): detected as %s", k ? "CSV" : "table",
                         (unsigned long)i, imp_kind_name(imp_detect(zIn, nIn)));
            rc =
                k ? imp_csv_parse(zIn, nIn, &a, &n, &err) : imp_table_parse(zIn, nIn, &a, &n, &err);
            if (rc) fail_msg("variant %lu: line %u: %s", (unsigned long)i, err.line, err.zReason);
            assert_int_equal(n, 1);
            assert_string_equal(a[0].zHost, "XP-PC07"); /* CSName kept */
            assert_true(has_kb(&a[0], 4012598));
            imp_free_snaps(a, n);
            free(zIn);
            free(zw);
        }
    }
}

/* ---- systeminfo /FO CSV and /FO LIST ---- */

#define SI_CSV_HEADER                                                                              \
    "\"Host Name\",\"OS Name\",\"OS Version\",\"OS Manufacturer\",\"OS Configuration\",\"OS "      \
    "Build "                                                                                       \
    "Type\",\"Registered Owner\",\"Registered Organization\",\"Product ID\",\"Original Install "   \
    "Date\",\"System Boot Time\",\"System Manufacturer\",\"System Model\",\"System Type\",\""      \
    "Processor(s)\",\"BIOS Version\",\"Windows Directory\",\"System Directory\",\"Boot "           \
    "Device\",\""                                                                                  \
    "System Locale\",\"Input Locale\",\"Time Zone\",\"Total Physical Memory\",\"Available "        \
    "Physical "                                                                                    \
    "Memory\",\"Virtual Memory: Max Size\",\"Virtual Memory: Available\",\"Virtual Memory: In "    \
    "Use\",\"Page File Location(s)\",\"Domain\",\"Logon Server\",\"Hotfix(s)\",\"Network "         \
    "Card(s)\"\r\n"

#define SI_CSV_ROW(host, hotfix)                                                                   \
    "\"" host "\",\"Microsoft Windows 7 Professional \",\"6.1.7601 Service Pack 1 Build 7601\","   \
    "\"Microsoft Corporation\",\"Member Workstation\",\"Multiprocessor Free\",\"Windows User\","   \
    "\"\",\"00371-177-0000061-85912\",\"12/14/2016, 3:35:10 PM\",\"12/22/2016, 9:49:34 AM\","      \
    "\"VMware, Inc.\",\"VMware Virtual Platform\",\"x64-based PC\",\"1 Processor(s) Installed.,"   \
    "[01]: Intel64 Family 6 Model 70 Stepping 1 GenuineIntel ~2194 Mhz\",\"Phoenix Technologies "  \
    "LTD 6.00, "                                                                                   \
    "5/20/2014\",\"C:\\Windows\",\"C:\\Windows\\system32\",\"\\Device\\HarddiskVolume1\","         \
    "\"en-us;English (United States)\",\"en-us;English (United States)\",\"(UTC+08:00) Beijing, "  \
    "Chongqing, Hong Kong, Urumqi\",\"4,095 MB\",\"2,447 MB\",\"8,189 MB\",\"6,499 MB\",\"1,690 "  \
    "MB\",\"C:\\pagefile.sys\",\"corp.example\",\"\\\\DC01\",\"" hotfix "\",\"2 NIC(s) "           \
    "Installed.,[01]: Intel(R) PRO/1000 MT Network Connection,      Connection Name: Local Area "  \
    "Connection,      DHCP Enabled:    Yes,      DHCP Server:     172.16.74.254,      IP "         \
    "address(es),      [01]: 172.16.74.143,      [02]: fe80::3591:8ee4:d1a2:a74f,[02]: Bluetooth " \
    "Device (Personal Area Network),      Connection Name: Bluetooth Network Connection,      "    \
    "Status:          Media disconnected\"\r\n"

/* Breaks every line of z at nWidth characters, as a console window wraps a pasted row. */
static void t_wrap(char *zOut, size_t nOut, const char *z, size_t nWidth)
{
    size_t o = 0, col = 0;
    for (; *z; z++) {
        if (*z == '\n' || *z == '\r')
            col = 0;
        else if (col == nWidth) {
            assert_true(o + 2 < nOut);
            zOut[o++] = '\r', zOut[o++] = '\n', col = 0;
        }
        if (*z != '\n' && *z != '\r') col++;
        assert_true(o + 1 < nOut);
        zOut[o++] = *z;
    }
    zOut[o] = 0;
}

static void t_check_csv_run(const snap_t *s, const char *zHost)
{
    assert_string_equal(s->zHost, zHost);
    assert_int_equal(s->os.major, 6);
    assert_int_equal(s->os.build, 7601);
    assert_int_equal(s->os.sp_major, 1);
    assert_int_equal(s->os.arch, OS_ARCH_X64);
    assert_int_equal(s->os.product_type, OS_PT_WORKSTATION);
    assert_string_equal(s->os.zInstallDate, "2016-12-14");
    assert_string_equal(s->zDomain, "corp.example");
    assert_true(has_kb(s, 4012212));
    assert_true(has_kb(s, 976902));
    assert_int_equal(s->nHotfix, 3);
    if (!s->hotfixesComplete) fail_msg("incomplete: %s", s->zHotfixNote);
}

static void test_systeminfo_csv(void **state)
{
    static const char zCsv[] = "C:\\>systeminfo /fo csv\r\n" SI_CSV_HEADER SI_CSV_ROW(
        "WIN-RGS01",
        "3 Hotfix(s) Installed.,[01]: KB2534111,[02]: KB976902,[03]: KB4012212") "\r\nC:\\>";
    static const char zNh[] = SI_CSV_ROW(
        "WIN-RGS02", "3 Hotfix(s) Installed.,[01]: KB2534111,[02]: KB976902,[03]: KB4012212")
        SI_CSV_ROW("WIN-RGS03",
                   "3 Hotfix(s) Installed.,[01]: KB2534111,[02]: KB976902,[03]: KB4012212");
    static const char zCut[] = SI_CSV_HEADER SI_CSV_ROW(
        "WIN-RGS04", "223 Hotfix(s) Installed.,[01]: KB2534111,[02]: KB976902");
    char zWrapped[8192];
    snap_t *a = NULL, s;
    size_t n = 0, nw = 0;
    imp_err_t err;
    char *zw;
    (void)state;

    /* redirected to a file, with the prompt around it */
    assert_int_equal(imp_detect(zCsv, strlen(zCsv)), IMP_KIND_SYSTEMINFO);
    if (imp_systeminfo_parse(zCsv, strlen(zCsv), &s, &err))
        fail_msg("line %u: %s", err.line, err.zReason);
    t_check_csv_run(&s, "WIN-RGS01");
    snap_release(&s);

    /* pasted from a 120-column console: the row wrapped inside its fields */
    t_wrap(zWrapped, sizeof zWrapped, zCsv, 120);
    assert_int_equal(imp_detect(zWrapped, strlen(zWrapped)), IMP_KIND_SYSTEMINFO);
    if (imp_systeminfo_parse(zWrapped, strlen(zWrapped), &s, &err))
        fail_msg("line %u: %s", err.line, err.zReason);
    t_check_csv_run(&s, "WIN-RGS01");
    snap_release(&s);

    /* from PowerShell (UTF-16LE), /NH, two machines (systeminfo /s A /fo csv /nh >> f) */
    zw = to_utf16(zNh, 1, &nw);
    assert_int_equal(imp_detect(zw, nw), IMP_KIND_SYSTEMINFO);
    if (imp_systeminfo_parse_all(zw, nw, &a, &n, &err))
        fail_msg("line %u: %s", err.line, err.zReason);
    assert_int_equal(n, 2);
    t_check_csv_run(&a[0], "WIN-RGS02");
    t_check_csv_run(&a[1], "WIN-RGS03");
    imp_free_snaps(a, n);
    free(zw);

    /* the count says more than the list holds: incomplete, as in the list form */
    assert_int_equal(imp_systeminfo_parse(zCut, strlen(zCut), &s, &err), KBS_OK);
    assert_int_equal(s.hotfixesComplete, 0);
    assert_non_null(strstr(s.zHotfixNote, "2 of 223"));
    snap_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_languages),
        cmocka_unit_test(test_table_characters),
        cmocka_unit_test(test_wmic_install_banner),
        cmocka_unit_test(test_systeminfo_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
