/* test_imp.c: agentless inputs: detection, decoding, systeminfo in nine languages, QFE and
 * Get-HotFix CSV, and hostile, truncated, oversized and binary input. */
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

static char *load(const char *zName, size_t *pn)
{
    char zPath[512];
    FILE *f;
    long n;
    char *z;
    snprintf(zPath, sizeof zPath, "%s/imp/%s", KBS_TEST_DATA, zName);
    f = fopen(zPath, "rb");
    if (!f) fail_msg("cannot open %s", zPath);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    z = malloc((size_t)n + 1);
    assert_non_null(z);
    assert_int_equal(fread(z, 1, (size_t)n, f), (size_t)n);
    z[n] = 0;
    fclose(f);
    *pn = (size_t)n;
    return z;
}

/* Parses a systeminfo sample that must succeed. */
static void si_load(const char *zName, snap_t *s)
{
    size_t n;
    char *z = load(zName, &n);
    imp_err_t err;
    int rc;
    assert_int_equal(imp_detect(z, n), IMP_KIND_SYSTEMINFO);
    rc = imp_systeminfo_parse(z, n, s, &err);
    if (rc) fail_msg("%s:%u: %s", zName, err.line, err.zReason);
    free(z);
    assert_string_equal(s->zOrigin, "systeminfo");
    assert_int_equal(s->osKnown, 1);
    assert_true(s->scanTime == 0);
}

static const snap_hotfix_t *find_kb(const snap_t *s, uint32_t num)
{
    size_t i;
    for (i = 0; i < s->nHotfix; i++)
        if (s->aHotfix[i].kb.num == num) return &s->aHotfix[i];
    return NULL;
}

static size_t count_kbs(const snap_t *s)
{
    size_t i, k = 0;
    for (i = 0; i < s->nHotfix; i++)
        if (s->aHotfix[i].kb.num) k++;
    return k;
}

/* Runs imp_systeminfo_parse on z and expects failure rc at line. */
static void si_expect_err(const char *z, size_t n, int rc, unsigned line, const char *zWord)
{
    snap_t s;
    imp_err_t err;
    assert_int_equal(imp_systeminfo_parse(z, n, &s, &err), rc);
    assert_int_equal(err.rc, rc);
    if (line != (unsigned)-1) assert_int_equal(err.line, line);
    if (zWord && !strstr(err.zReason, zWord))
        fail_msg("reason \"%s\" lacks \"%s\"", err.zReason, zWord);
    assert_int_equal(s.nHotfix, 0); /* nothing half-read is handed back */
    assert_null(s.aHotfix);
    assert_string_equal(s.zHost, "");
}

static void csv_expect_err(const char *z, size_t n, int rc, unsigned line, const char *zWord)
{
    snap_t *a = (snap_t *)1;
    size_t nSnap = 99;
    imp_err_t err;
    assert_int_equal(imp_csv_parse(z, n, &a, &nSnap, &err), rc);
    assert_int_equal(err.rc, rc);
    if (line != (unsigned)-1) assert_int_equal(err.line, line);
    if (zWord && !strstr(err.zReason, zWord))
        fail_msg("reason \"%s\" lacks \"%s\"", err.zReason, zWord);
    assert_null(a);
    assert_int_equal(nSnap, 0);
}

/* ---- detection ---- */

static void test_detect_samples(void **state)
{
    static const struct {
        const char *zName;
        imp_kind_t kind;
    } a[] = {
        {"xp_sp3_en_file1.txt", IMP_KIND_SYSTEMINFO},
        {"win7_de_utf16.txt", IMP_KIND_SYSTEMINFO},
        {"win81_fr_cp850.txt", IMP_KIND_SYSTEMINFO},
        {"xp_ru_cp866.txt", IMP_KIND_SYSTEMINFO},
        {"win10_en_utf8.txt", IMP_KIND_SYSTEMINFO},
        {"win7_en_truncated.txt", IMP_KIND_SYSTEMINFO},
        {"win7_es_utf16_nobom.txt", IMP_KIND_SYSTEMINFO},
        {"win7_it_cp850.txt", IMP_KIND_SYSTEMINFO},
        {"win10_pt_utf8bom.txt", IMP_KIND_SYSTEMINFO},
        {"win7_nl_cp1252.txt", IMP_KIND_SYSTEMINFO},
        {"ws2016_pl_utf16.txt", IMP_KIND_SYSTEMINFO},
        {"qfe_2hosts_utf16.csv", IMP_KIND_QFE_CSV},
        {"gethotfix_ps51_type.csv", IMP_KIND_GETHOTFIX_CSV},
        {"gethotfix_ps7_notype.csv", IMP_KIND_GETHOTFIX_CSV},
        {"gethotfix_de_semicolon.csv", IMP_KIND_GETHOTFIX_CSV},
    };
    size_t i, n;
    (void)state;
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        char *z = load(a[i].zName, &n);
        imp_kind_t k = imp_detect(z, n);
        if (k != a[i].kind) fail_msg("%s detected as %s", a[i].zName, imp_kind_name(k));
        free(z);
    }
}

static void test_detect_foreign(void **state)
{
    static const char *const az[] = {
        "",
        "hello world\n",
        "Name,Value\r\nfoo,bar\r\n",
        "\r\nNo Instance(s) Available.\r\n",
        "Host Name: X\r\nOS Name: Y\r\nOS Version: not a version\r\n",
        "<html><body>KB4012212</body></html>",
        ("\x7f" "ELF\x02\x01\x01"), /* split: \x7fE would be one escape */
    };
    unsigned char aBin[512];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof az / sizeof az[0]; i++)
        assert_int_equal(imp_detect(az[i], strlen(az[i])), IMP_KIND_UNKNOWN);
    for (i = 0; i < sizeof aBin; i++)
        aBin[i] = (unsigned char)(i * 37 + 11);
    assert_int_equal(imp_detect((const char *)aBin, sizeof aBin), IMP_KIND_UNKNOWN);
    assert_int_equal(imp_detect(NULL, 0), IMP_KIND_UNKNOWN);
    assert_string_equal(imp_kind_name(IMP_KIND_QFE_CSV), "qfe-csv");
    assert_string_equal(imp_kind_name(IMP_KIND_GETHOTFIX_CSV), "get-hotfix-csv");
    assert_string_equal(imp_kind_name(IMP_KIND_SYSTEMINFO), "systeminfo");
    assert_string_equal(imp_kind_name(IMP_KIND_SNAPSHOT), "snapshot");
    assert_string_equal(imp_kind_name(IMP_KIND_UNKNOWN), "unknown");
}

/* A real snapshot, as the writer makes it, is told apart from the agentless kinds. */
static void test_detect_snapshot(void **state)
{
    snap_t s;
    char *z = NULL;
    size_t n = 0;
    (void)state;
    snap_init(&s);
    snprintf(s.zOrigin, sizeof s.zOrigin, "agent");
    snprintf(s.zHost, sizeof s.zHost, "PD-WS-0412");
    s.osKnown = 1;
    s.os.major = 5, s.os.minor = 1, s.os.build = 2600;
    assert_int_equal(snap_add_hotfix(&s, "KB4012598", SNAP_SRC_QFE, NULL, -1), KBS_OK);
    assert_int_equal(snap_write(&s, &z, &n), KBS_OK);
    assert_int_equal(imp_detect(z, n), IMP_KIND_SNAPSHOT);
    free(z);
    snap_release(&s);
}

/* ---- decoding ---- */

static void decode_ok(const char *zIn, size_t nIn, const char *zWant, imp_enc_t enc)
{
    imp_text_t t;
    imp_err_t err;
    int rc = imp_text_decode(zIn, nIn, 0, &t, &err);
    if (rc) fail_msg("decode: %s", err.zReason);
    assert_string_equal(t.z, zWant);
    assert_int_equal(t.n, strlen(zWant));
    if (t.enc != enc) fail_msg("decoded as %s, want %s", imp_enc_name(t.enc), imp_enc_name(enc));
    imp_text_release(&t);
}

static void test_decode(void **state)
{
    (void)state;
    decode_ok("abc\r\n", 5, "abc\r\n", IMP_ENC_UTF8);
    decode_ok("\xef\xbb\xbf"
              "D\xc3\xa4",
              6, "D\xc3\xa4", IMP_ENC_UTF8);
    decode_ok("\xff\xfe"
              "A\0\xe4\0\r\0\n\0",
              10, "A\xc3\xa4\r\n", IMP_ENC_UTF16LE);
    decode_ok("A\0B\0C\0\x1f\x04", 8, "ABC\xd0\x9f", IMP_ENC_UTF16LE); /* no BOM; П */
    decode_ok("\xfe\xff\0A\0B", 6, "AB", IMP_ENC_UTF16BE);
    /* a surrogate pair and a lone surrogate */
    decode_ok("\xff\xfe\x3d\xd8\x00\xde\x00\xd8x\0", 10, "\xf0\x9f\x98\x80\xef\xbf\xbdx",
              IMP_ENC_UTF16LE);
    /* CP866 "Имя узла" and CP1251 "Имя узла" */
    decode_ok("\x88\xac\xef \xe3\xa7\xab\xa0", 8,
              "\xd0\x98\xd0\xbc\xd1\x8f \xd1\x83\xd0\xb7\xd0\xbb\xd0\xb0", IMP_ENC_CP866);
    decode_ok("\xc8\xec\xff \xf3\xe7\xeb\xe0", 8,
              "\xd0\x98\xd0\xbc\xd1\x8f \xd1\x83\xd0\xb7\xd0\xbb\xd0\xb0", IMP_ENC_CP1251);
    /* CP850 "Startgerät", CP1252 "Startgerät" */
    decode_ok("Startger\x84t", 10, "Startger\xc3\xa4t", IMP_ENC_CP850);
    decode_ok("Startger\xe4t", 10, "Startger\xc3\xa4t", IMP_ENC_CP1252);
}

static void test_decode_errors(void **state)
{
    imp_text_t t;
    imp_err_t err;
    (void)state;
    /* odd byte count in UTF-16: the line it ends on is named */
    assert_int_equal(imp_text_decode("\xff\xfe"
                                     "A\0\n\0B\0\n\0C",
                                     11, 0, &t, &err),
                     KBS_EPARSE);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.zReason, "odd"));
    assert_null(t.z);
    /* NUL in UTF-8 text */
    assert_int_equal(imp_text_decode("a\nb\nc\0d\n", 8, 0, &t, &err), KBS_EPARSE);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.zReason, "NUL"));
    /* NUL character inside UTF-16 text */
    assert_int_equal(imp_text_decode("\xff\xfe"
                                     "A\0\n\0\0\0B\0",
                                     10, 0, &t, &err),
                     KBS_EPARSE);
    assert_int_equal(err.line, 2);
    /* trailing NULs (UTF-16 or 8-bit) carry nothing and are dropped */
    assert_int_equal(imp_text_decode("\xff\xfe"
                                     "A\0\n\0\0\0\0",
                                     9, 0, &t, &err),
                     KBS_OK);
    assert_string_equal(t.z, "A\n");
    imp_text_release(&t);
    assert_int_equal(imp_text_decode("a\nb\n\0\0\0", 7, 0, &t, &err), KBS_OK);
    assert_string_equal(t.z, "a\nb\n");
    imp_text_release(&t);
    /* an ASCII banner, then UTF-16LE with its BOM (echo > f, then wmic >> f) */
    assert_int_equal(imp_text_decode("C:\\>wmic\r\n\xff\xfe"
                                     "K\0B\0" "1\0\r\0\n\0",
                                     22, 0, &t, &err),
                     KBS_OK);
    assert_string_equal(t.z, "C:\\>wmic\r\nKB1\r\n");
    imp_text_release(&t);
    /* the prefix mode used by detection stops quietly instead */
    assert_int_equal(imp_text_decode("a\nb\0c", 5, 1, &t, &err), KBS_OK);
    assert_string_equal(t.z, "a\nb");
    imp_text_release(&t);
}

static void test_lines(void **state)
{
    imp_lines_t it;
    const char *z;
    size_t n;
    imp_err_t err;
    char *zBig;
    (void)state;
    imp_lines_init(&it, "a\r\r\nbb\r\n\nccc", 12);
    assert_int_equal(imp_lines_next(&it, &z, &n, &err), 1);
    assert_int_equal(n, 1);
    assert_int_equal(imp_lines_next(&it, &z, &n, &err), 1);
    assert_int_equal(n, 2);
    assert_memory_equal(z, "bb", 2);
    assert_int_equal(imp_lines_next(&it, &z, &n, &err), 1);
    assert_int_equal(n, 0);
    assert_int_equal(imp_lines_next(&it, &z, &n, &err), 1);
    assert_int_equal(n, 3);
    assert_int_equal(it.line, 4);
    assert_int_equal(imp_lines_next(&it, &z, &n, &err), 0);

    zBig = malloc(IMP_LINE_MAX + 10);
    assert_non_null(zBig);
    memset(zBig, 'x', IMP_LINE_MAX + 10);
    zBig[0] = '\n';
    imp_lines_init(&it, zBig, IMP_LINE_MAX + 10);
    assert_int_equal(imp_lines_next(&it, &z, &n, &err), 1);
    assert_int_equal(imp_lines_next(&it, &z, &n, &err), KBS_ETOOBIG);
    assert_int_equal(err.line, 2);
    free(zBig);
}

static void test_dates(void **state)
{
    static const struct {
        const char *zIn;
        int mdy;
        const char *zWant;
    } a[] = {
        {"3/15/2011", 1, "2011-03-15"},
        {"3/15/2011", 0, "2011-03-15"}, /* 15 cannot be a month */
        {"15/03/2011, 09:12:44", 0, "2011-03-15"},
        {"3/5/2009, 10:22:31 AM", 1, "2009-03-05"},
        {"3/5/2009", 0, ""}, /* ambiguous without the US hint */
        {"5/5/2009", 0, "2009-05-05"},
        {"11.04.2012, 15:08:21", 0, "2012-04-11"},
        {"11-4-2012, 15:08:21", 1, "2012-04-11"},
        {"2023-01-15", 0, "2023-01-15"},
        {"2023/1/15 10:00", 0, "2023-01-15"},
        {"20110315", 0, "2011-03-15"},
        {"01cc2d1c4e8b0f00", 0, "2011-06-17"},
        {"2/30/2011", 1, ""},
        {"13/13/2011", 1, ""},
        {"1/2/11", 1, ""},
        {"", 1, ""},
        {"N/A", 1, ""},
        {"99999999999999999999", 1, ""},
        {"0000000000000000", 1, ""},
    };
    size_t i;
    char z[24];
    (void)state;
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        int rc = imp_date_iso(a[i].zIn, a[i].mdy, z, sizeof z);
        if (strcmp(z, a[i].zWant) != 0) fail_msg("\"%s\" gave \"%s\"", a[i].zIn, z);
        assert_int_equal(rc, a[i].zWant[0] ? KBS_OK : KBS_EPARSE);
    }
}

static void test_hotfix_raw(void **state)
{
    char z[SNAP_RAW_MAX];
    (void)state;
    assert_int_equal(imp_hotfix_raw("KB893803v2 - Update", 19, z, sizeof z), 1);
    assert_string_equal(z, "KB893803-v2");
    assert_int_equal(imp_hotfix_raw("  KB4012212 ", 12, z, sizeof z), 1);
    assert_string_equal(z, "KB4012212");
    assert_int_equal(imp_hotfix_raw("Q147222", 7, z, sizeof z), 1);
    assert_string_equal(z, "Q147222");
    assert_int_equal(imp_hotfix_raw("File 1", 6, z, sizeof z), 0);
    assert_string_equal(z, "File 1");
    assert_int_equal(imp_hotfix_raw("KB", 2, z, sizeof z), 0);
    assert_int_equal(imp_hotfix_raw("KB1", 3, z, sizeof z), 0);
    assert_string_equal(z, "KB1");
}

/* ---- systeminfo samples ---- */

static void test_si_xp_en_file1(void **state)
{
    snap_t s;
    (void)state;
    si_load("xp_sp3_en_file1.txt", &s);
    assert_string_equal(s.zHost, "PD-WS-0412");
    assert_string_equal(s.zDomain, "POLICE");
    assert_int_equal(s.os.major, 5);
    assert_int_equal(s.os.minor, 1);
    assert_int_equal(s.os.build, 2600);
    assert_int_equal(s.os.sp_known, 1);
    assert_int_equal(s.os.sp_major, 3);
    assert_string_equal(s.os.zCsdVersion, "Service Pack 3");
    assert_int_equal(s.os.arch, OS_ARCH_X86);
    assert_int_equal(s.os.product_type, OS_PT_WORKSTATION);
    assert_string_equal(s.os.zProductName, "Microsoft Windows XP Professional");
    assert_string_equal(s.os.zInstallDate, "2009-03-05");
    /* "File 1" entries hide KBs: the list must not be trusted for "missing" */
    assert_int_equal(s.hotfixesComplete, 0);
    assert_non_null(strstr(s.zHotfixNote, "File 1"));
    assert_non_null(find_kb(&s, 958644));
    assert_non_null(find_kb(&s, 4012598));
    assert_non_null(find_kb(&s, 147222));
    assert_non_null(find_kb(&s, 898461)); /* "KB898461 - Update" */
    assert_non_null(find_kb(&s, 893803)); /* "KB893803v2 - Update" */
    assert_string_equal(find_kb(&s, 893803)->kb.zQual, "v2");
    assert_non_null(find_kb(&s, 2510531));
    assert_true(find_kb(&s, 4012598)->sources & SNAP_SRC_SYSTEMINFO);
    assert_null(find_kb(&s, 4012212));
    snap_release(&s);
}

static void test_si_de_utf16(void **state)
{
    snap_t s;
    (void)state;
    si_load("win7_de_utf16.txt", &s);
    assert_string_equal(s.zHost, "PC-MUC-0077");
    assert_string_equal(s.zDomain, "polizei.bayern.example");
    assert_int_equal(s.os.major, 6);
    assert_int_equal(s.os.minor, 1);
    assert_int_equal(s.os.build, 7601);
    assert_int_equal(s.os.sp_major, 1);
    assert_int_equal(s.os.arch, OS_ARCH_X64);
    assert_int_equal(s.os.product_type, OS_PT_WORKSTATION);
    assert_string_equal(s.os.zProductName, "Microsoft Windows 7 Enterprise");
    assert_string_equal(s.os.zInstallDate, "2012-04-11");
    assert_int_equal(s.hotfixesComplete, 1);
    assert_string_equal(s.zHotfixNote, "");
    assert_int_equal(s.nHotfix, 8);
    assert_int_equal(count_kbs(&s), 8);
    assert_non_null(find_kb(&s, 4012212));
    snap_release(&s);
}

static void test_si_fr_cp850(void **state)
{
    snap_t s;
    (void)state;
    si_load("win81_fr_cp850.txt", &s);
    assert_string_equal(s.zHost, "GN-LYON-118");
    assert_string_equal(s.zDomain, "WORKGROUP");
    assert_int_equal(s.os.major, 6);
    assert_int_equal(s.os.minor, 3);
    assert_int_equal(s.os.build, 9600);
    assert_int_equal(s.os.sp_known, 1);
    assert_int_equal(s.os.sp_major, 0);
    assert_string_equal(s.os.zCsdVersion, "");
    assert_int_equal(s.os.arch, OS_ARCH_X64);
    assert_int_equal(s.os.product_type, OS_PT_WORKSTATION);
    assert_string_equal(s.os.zProductName, "Microsoft Windows 8.1 Professionnel");
    assert_string_equal(s.os.zInstallDate, "2017-03-14");
    assert_int_equal(s.hotfixesComplete, 1);
    assert_int_equal(count_kbs(&s), 6);
    assert_non_null(find_kb(&s, 4012213));
    snap_release(&s);
}

static void test_si_ru_cp866(void **state)
{
    snap_t s;
    (void)state;
    si_load("xp_ru_cp866.txt", &s);
    assert_string_equal(s.zHost, "MVD-KZN-031");
    assert_string_equal(s.zDomain, "MVD");
    assert_int_equal(s.os.major, 5);
    assert_int_equal(s.os.build, 2600);
    assert_int_equal(s.os.sp_major, 3);
    assert_int_equal(s.os.arch, OS_ARCH_X86);
    /* "Рядовая рабочая станция": only readable after the CP866 guess */
    assert_int_equal(s.os.product_type, OS_PT_WORKSTATION);
    assert_string_equal(s.os.zInstallDate, "2010-03-12");
    assert_int_equal(s.hotfixesComplete, 1);
    assert_int_equal(count_kbs(&s), 5);
    assert_non_null(find_kb(&s, 4012598));
    snap_release(&s);
}

static void test_si_win10_en(void **state)
{
    snap_t s;
    (void)state;
    si_load("win10_en_utf8.txt", &s);
    assert_string_equal(s.zHost, "DESKTOP-7Q3LMN2");
    assert_string_equal(s.zDomain, "metro.example.org");
    assert_int_equal(s.os.major, 10);
    assert_int_equal(s.os.minor, 0);
    assert_int_equal(s.os.build, 19045);
    assert_int_equal(s.os.sp_known, 1);
    assert_int_equal(s.os.sp_major, 0);
    assert_int_equal(s.os.arch, OS_ARCH_X64);
    assert_int_equal(s.os.product_type, OS_PT_WORKSTATION);
    assert_string_equal(s.os.zInstallDate, "2022-09-14");
    assert_int_equal(s.hotfixesComplete, 1);
    assert_int_equal(count_kbs(&s), 5);
    assert_non_null(find_kb(&s, 5022502));
    snap_release(&s);
}

static void test_si_truncated_list(void **state)
{
    snap_t s;
    (void)state;
    si_load("win7_en_truncated.txt", &s);
    assert_string_equal(s.zHost, "HQ-W7-2231");
    assert_int_equal(s.os.build, 7601);
    /* the last entry ends with its id: in a list cut short it may itself be cut, so it is not
     * taken */
    assert_int_equal(count_kbs(&s), 39);
    assert_null(find_kb(&s, 2523506));
    assert_non_null(find_kb(&s, 2522389));
    assert_int_equal(s.hotfixesComplete, 0);
    assert_non_null(strstr(s.zHotfixNote, "systeminfo lists 40 of 263 hotfixes"));
    snap_release(&s);
}

static void test_si_more_languages(void **state)
{
    static const struct {
        const char *zName, *zHost, *zDate;
        uint32_t major, minor, build, sp;
        os_arch_t arch;
        os_ptype_t pt;
        size_t nKb;
        uint32_t kb;
    } a[] = {
        {"win7_es_utf16_nobom.txt", "GC-MAD-0904", "2013-05-23", 6, 1, 7601, 1, OS_ARCH_X86,
         OS_PT_WORKSTATION, 5, 4012215},
        /* "03/10/2011, 16:20:55": day and month cannot be told apart; the boot time below it
         * is not taken instead */
        {"win7_it_cp850.txt", "CC-ROMA-17", "", 6, 1, 7601, 1, OS_ARCH_X64, OS_PT_WORKSTATION, 3,
         4012212},
        {"win10_pt_utf8bom.txt", "PM-SP-5521", "2021-08-17", 10, 0, 19044, 0, OS_ARCH_X64,
         OS_PT_WORKSTATION, 4, 5016616},
        {"win7_nl_cp1252.txt", "POL-UTR-442", "2012-04-11", 6, 1, 7601, 1, OS_ARCH_X64,
         OS_PT_WORKSTATION, 4, 4012212},
        {"ws2016_pl_utf16.txt", "KGP-DC01", "2018-01-15", 10, 0, 14393, 0, OS_ARCH_X64, OS_PT_DC, 3,
         4013429},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        snap_t s;
        si_load(a[i].zName, &s);
        assert_string_equal(s.zHost, a[i].zHost);
        assert_string_equal(s.os.zInstallDate, a[i].zDate);
        assert_int_equal(s.os.major, a[i].major);
        assert_int_equal(s.os.minor, a[i].minor);
        assert_int_equal(s.os.build, a[i].build);
        assert_int_equal(s.os.sp_major, a[i].sp);
        assert_int_equal(s.os.arch, a[i].arch);
        assert_int_equal(s.os.product_type, a[i].pt);
        assert_int_equal(count_kbs(&s), a[i].nKb);
        assert_non_null(find_kb(&s, a[i].kb));
        assert_int_equal(s.hotfixesComplete, 1);
        snap_release(&s);
    }
}

/* ---- systeminfo: built inputs ---- */

/* An English systeminfo text with the given host, version line and hotfix block. */
static char *si_text(const char *zHost, const char *zVer, const char *zHotfix)
{
    static const char *const azLab[] = {"Host Name",
                                        "OS Name",
                                        "OS Version",
                                        "OS Manufacturer",
                                        "OS Configuration",
                                        "OS Build Type",
                                        "Registered Owner",
                                        "Registered Organization",
                                        "Product ID",
                                        "Original Install Date",
                                        "System Boot Time",
                                        "System Manufacturer",
                                        "System Model",
                                        "System Type",
                                        "Processor(s)",
                                        "BIOS Version",
                                        "Windows Directory",
                                        "System Directory",
                                        "Boot Device",
                                        "System Locale",
                                        "Input Locale",
                                        "Time Zone",
                                        "Total Physical Memory",
                                        "Available Physical Memory",
                                        "Virtual Memory: Max Size",
                                        "Virtual Memory: Available",
                                        "Virtual Memory: In Use",
                                        "Page File Location(s)",
                                        "Domain",
                                        "Logon Server"};
    size_t i, nCap = 8192 + strlen(zHost) + strlen(zHotfix), o = 0;
    char *z = malloc(nCap);
    assert_non_null(z);
    o += (size_t)snprintf(z + o, nCap - o, "\r\n");
    for (i = 0; i < sizeof azLab / sizeof azLab[0]; i++) {
        const char *zv = i == 0    ? zHost
                         : i == 2  ? zVer
                         : i == 1  ? "Microsoft Windows 7 Professional"
                         : i == 13 ? "x64-based PC"
                                   : "x";
        o += (size_t)snprintf(z + o, nCap - o, "%s:%*s%s\r\n", azLab[i],
                              (int)(26 - strlen(azLab[i])), "", zv);
    }
    o += (size_t)snprintf(z + o, nCap - o, "Hotfix(s):                 %s", zHotfix);
    o += (size_t)snprintf(z + o, nCap - o,
                          "Network Card(s):           1 NIC(s) Installed.\r\n"
                          "                           [01]: Intel(R) 82579LM\r\n");
    return z;
}

static void test_si_hostile_hosts(void **state)
{
    static const char *const az[] = {"..\\..\\x", "<script>alert(1)</script>", "=cmd|' /C calc'!A0",
                                     "\xd0\x9f\xd0\x9a-01", "a\"b'c;d"};
    size_t i;
    char zLong[SNAP_HOST_MAX + 2];
    (void)state;
    for (i = 0; i < sizeof az / sizeof az[0]; i++) {
        char *z =
            si_text(az[i], "6.1.7601 Service Pack 1 Build 7601",
                    "1 Hotfix(s) Installed.\r\n                           [01]: KB4012212\r\n");
        snap_t s;
        imp_err_t err;
        assert_int_equal(imp_detect(z, strlen(z)), IMP_KIND_SYSTEMINFO);
        assert_int_equal(imp_systeminfo_parse(z, strlen(z), &s, &err), KBS_OK);
        assert_string_equal(s.zHost, az[i]); /* kept as data, verbatim */
        assert_int_equal(s.hotfixesComplete, 1);
        snap_release(&s);
        free(z);
    }
    /* 255 bytes fit, 256 do not */
    memset(zLong, 'h', sizeof zLong);
    zLong[SNAP_HOST_MAX - 1] = 0;
    {
        char *z = si_text(zLong, "6.1.7601 Service Pack 1 Build 7601", "N/A\r\n");
        snap_t s;
        assert_int_equal(imp_systeminfo_parse(z, strlen(z), &s, NULL), KBS_OK);
        assert_int_equal(strlen(s.zHost), SNAP_HOST_MAX - 1);
        assert_int_equal(s.nHotfix, 0);
        assert_int_equal(s.hotfixesComplete, 1);
        snap_release(&s);
        free(z);
    }
    zLong[SNAP_HOST_MAX - 1] = 'h';
    zLong[SNAP_HOST_MAX] = 0;
    {
        char *z = si_text(zLong, "6.1.7601 Service Pack 1 Build 7601", "N/A\r\n");
        si_expect_err(z, strlen(z), KBS_ETOOBIG, 2, "host name");
        free(z);
    }
    {
        /* an empty name is a fact that is missing, not a reason to refuse the OS and list */
        char *z = si_text("", "6.1.7601 Service Pack 1 Build 7601", "N/A\r\n");
        snap_t s;
        assert_int_equal(imp_systeminfo_parse(z, strlen(z), &s, NULL), KBS_OK);
        assert_string_equal(s.zHost, "");
        assert_int_equal(s.os.build, 7601);
        assert_int_equal(s.hotfixesComplete, 1);
        snap_release(&s);
        free(z);
    }
}

static void test_si_list_checks(void **state)
{
    char *z;
    snap_t s;
    (void)state;
    /* numbering gap: an entry went missing */
    z = si_text("GAP", "6.1.7601 Service Pack 1 Build 7601",
                "3 Hotfix(s) Installed.\r\n"
                "                           [01]: KB4012212\r\n"
                "                           [03]: KB976902\r\n"
                "                           [04]: KB2479943\r\n");
    assert_int_equal(imp_systeminfo_parse(z, strlen(z), &s, NULL), KBS_OK);
    assert_int_equal(s.hotfixesComplete, 0);
    assert_non_null(strstr(s.zHotfixNote, "skips"));
    snap_release(&s);
    free(z);
    /* a list cut by the end of the file (a torn copy) */
    z = si_text("TORN", "6.1.7601 Service Pack 1 Build 7601",
                "3 Hotfix(s) Installed.\r\n"
                "                           [01]: KB4012212\r\n");
    *strstr(z, "Network Card") = 0;
    assert_int_equal(imp_systeminfo_parse(z, strlen(z), &s, NULL), KBS_OK);
    assert_int_equal(s.hotfixesComplete, 0);
    assert_non_null(strstr(s.zHotfixNote, "systeminfo lists 1 of 3 hotfixes"));
    assert_int_equal(s.nHotfix, 0); /* "KB4012212" at the cut may be the start of a longer id */
    snap_release(&s);
    free(z);
    /* a line that is no entry inside the list (a wrapped remainder): read past, the count
     * tells that an entry is missing */
    z = si_text("BAD", "6.1.7601 Service Pack 1 Build 7601",
                "2 Hotfix(s) Installed.\r\n"
                "                           [01]: KB4012212 - Security Update\r\n"
                "                           <<garbage>>\r\n");
    assert_int_equal(imp_systeminfo_parse(z, strlen(z), &s, NULL), KBS_OK);
    assert_int_equal(s.hotfixesComplete, 0);
    assert_non_null(find_kb(&s, 4012212));
    snap_release(&s);
    free(z);
    /* the version line is not a version */
    z = si_text("VER", "six point one", "N/A\r\n");
    si_expect_err(z, strlen(z), KBS_EPARSE, 4, "OS version");
    free(z);
}

static void test_si_malformed(void **state)
{
    size_t n, i;
    char *z = load("win10_en_utf8.txt", &n), *z2;
    (void)state;
    /* truncated in the middle: the hotfix list never comes, the host is read and incomplete */
    {
        snap_t s;
        assert_int_equal(imp_systeminfo_parse(z, n / 2, &s, NULL), KBS_OK);
        assert_int_equal(s.os.build, 19045);
        assert_int_equal(s.hotfixesComplete, 0);
        assert_non_null(strstr(s.zHotfixNote, "ends before its hotfix list"));
        snap_release(&s);
    }
    si_expect_err(z, 0, KBS_EPARSE, 0, "empty");
    /* a NUL byte on line 5 */
    z2 = malloc(n);
    assert_non_null(z2);
    memcpy(z2, z, n);
    z2[strstr(z, "Microsoft Corporation") - z] = 0; /* on line 5 */
    si_expect_err(z2, n, KBS_EPARSE, 5, "NUL");
    free(z2);
    /* a 70 KiB line 3 */
    z2 = malloc(n + 70000);
    assert_non_null(z2);
    {
        const char *p = strstr(z, "OS Name");
        size_t pre = (size_t)(p - z);
        memcpy(z2, z, pre);
        memset(z2 + pre, 'A', 70000);
        memcpy(z2 + pre + 70000, p, n - pre);
        si_expect_err(z2, n + 70000, KBS_ETOOBIG, 3, "line of");
    }
    free(z2);
    /* two outputs concatenated: one scan each */
    z2 = malloc(2 * n);
    assert_non_null(z2);
    memcpy(z2, z, n);
    memcpy(z2 + n, z, n);
    {
        snap_t *a = NULL;
        size_t nSnap = 0;
        assert_int_equal(imp_systeminfo_parse_all(z2, 2 * n, &a, &nSnap, NULL), KBS_OK);
        assert_int_equal(nSnap, 2);
        assert_string_equal(a[0].zHost, a[1].zHost);
        assert_int_equal(a[0].nHotfix, a[1].nHotfix);
        assert_int_equal(a[1].hotfixesComplete, 1);
        imp_free_snaps(a, nSnap);
    }
    free(z2);
    free(z);

    /* UTF-16 with an odd trailing byte */
    z = load("win7_de_utf16.txt", &n);
    si_expect_err(z, n - 1, KBS_EPARSE, (unsigned)-1, "odd number of bytes");
    free(z);

    /* garbage */
    {
        unsigned char aBin[4096];
        for (i = 0; i < sizeof aBin; i++)
            aBin[i] = (unsigned char)((i * 7919u) >> 3);
        si_expect_err((const char *)aBin, sizeof aBin, KBS_EPARSE, (unsigned)-1, NULL);
        si_expect_err("just some text\nwithout structure\n", 33, KBS_EPARSE, (unsigned)-1, NULL);
    }
}

/* ---- CSV ---- */

static const snap_t *by_host(const snap_t *a, size_t n, const char *zHost)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(a[i].zHost, zHost) == 0) return &a[i];
    fail_msg("host %s not found", zHost);
    return NULL;
}

static void csv_load(const char *zName, snap_t **pa, size_t *pn)
{
    size_t n;
    char *z = load(zName, &n);
    imp_err_t err;
    int rc = imp_csv_parse(z, n, pa, pn, &err);
    if (rc) fail_msg("%s:%u: %s", zName, err.line, err.zReason);
    free(z);
}

static void test_csv_qfe(void **state)
{
    snap_t *a;
    size_t n;
    const snap_t *s;
    (void)state;
    csv_load("qfe_2hosts_utf16.csv", &a, &n);
    assert_int_equal(n, 2);
    s = by_host(a, n, "PD-WS-0412");
    assert_string_equal(s->zOrigin, "qfe-csv");
    assert_int_equal(s->osKnown, 0);
    assert_non_null(find_kb(s, 958644));
    assert_string_equal(find_kb(s, 958644)->zInstalled, "2008-10-24");
    assert_true(find_kb(s, 958644)->sources & SNAP_SRC_QFE);
    assert_non_null(find_kb(s, 2347290)); /* "File 1" with the KB in ServicePackInEffect */
    assert_non_null(find_kb(s, 4012598));
    assert_string_equal(find_kb(s, 4012598)->zInstalled, "2017-03-15"); /* FILETIME */
    assert_non_null(find_kb(s, 2510531));
    /* one "File 1" stays without a KB: the list is whole, the verdict weighs the entry by the
     * OS the host turns out to run (it hides a KB only on XP / 2003) */
    assert_int_equal(s->hotfixesComplete, 1);
    assert_non_null(strstr(s->zHotfixNote, "File 1"));
    s = by_host(a, n, "HQ-W7-2231");
    assert_int_equal(s->osKnown, 0);
    assert_int_equal(count_kbs(s), 4);
    assert_int_equal(s->hotfixesComplete, 1);
    assert_string_equal(find_kb(s, 2479943)->zInstalled, "2011-03-15");
    assert_string_equal(find_kb(s, 2552343)->zInstalled, "2011-08-09");
    imp_free_snaps(a, n);
}

static void test_csv_gethotfix(void **state)
{
    snap_t *a;
    size_t n;
    const snap_t *s;
    (void)state;
    csv_load("gethotfix_ps51_type.csv", &a, &n);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].zHost, "GN-LYON-118");
    assert_string_equal(a[0].zOrigin, "get-hotfix-csv");
    assert_int_equal(a[0].osKnown, 0);
    assert_int_equal(count_kbs(&a[0]), 3);
    assert_string_equal(find_kb(&a[0], 4012213)->zInstalled, "2017-03-14");
    assert_string_equal(find_kb(&a[0], 3172614)->zInstalled, "");
    assert_int_equal(a[0].hotfixesComplete, 1);
    imp_free_snaps(a, n);

    csv_load("gethotfix_ps7_notype.csv", &a, &n);
    assert_int_equal(n, 2);
    s = by_host(a, n, "DESKTOP-7Q3LMN2");
    assert_int_equal(count_kbs(s), 2);
    assert_string_equal(find_kb(s, 5025221)->zInstalled, "2023-04-12");
    s = by_host(a, n, "ws-\xc3\xa4hre-09");
    assert_non_null(find_kb(s, 5023794));
    imp_free_snaps(a, n);

    csv_load("gethotfix_de_semicolon.csv", &a, &n);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].zHost, "PC-MUC-0077");
    assert_string_equal(find_kb(&a[0], 4012212)->zInstalled, "2017-03-14");
    assert_string_equal(find_kb(&a[0], 976902)->zInstalled, "2010-11-21");
    imp_free_snaps(a, n);
}

static void test_csv_hostile_hosts(void **state)
{
    static const char zCsv[] =
        "\"PSComputerName\",\"HotFixID\",\"InstalledOn\"\r\n"
        "\"..\\..\\x\",\"KB4012212\",\"\"\r\n"
        "\"<script>alert(1)</script>\",\"KB4012212\",\"\"\r\n"
        "\"=cmd|' /C calc'!A0\",\"KB4012212\",\"\"\r\n"
        "\"=CMD|' /C calc'!a0\",\"KB976902\",\"\"\r\n" /* same host, other case */
        "\"a,\"\"b\"\"\",\"KB4012212\",\"\"\r\n";
    snap_t *a;
    size_t n;
    (void)state;
    assert_int_equal(imp_detect(zCsv, strlen(zCsv)), IMP_KIND_GETHOTFIX_CSV);
    assert_int_equal(imp_csv_parse(zCsv, strlen(zCsv), &a, &n, NULL), KBS_OK);
    assert_int_equal(n, 4);
    assert_non_null(by_host(a, n, "..\\..\\x"));
    assert_non_null(by_host(a, n, "<script>alert(1)</script>"));
    assert_int_equal(count_kbs(by_host(a, n, "=cmd|' /C calc'!A0")), 2);
    assert_non_null(by_host(a, n, "a,\"b\""));
    imp_free_snaps(a, n);
}

static void test_csv_many_hosts(void **state)
{
    size_t i, o = 0, cap = 3000 * 64, n;
    char *z = malloc(cap);
    snap_t *a;
    (void)state;
    assert_non_null(z);
    o += (size_t)snprintf(z + o, cap - o, "Node,HotFixID,InstalledOn\n");
    for (i = 0; i < 3000; i++)
        o += (size_t)snprintf(z + o, cap - o, "HOST%04lu,KB%lu,1/2/2017\n",
                              (unsigned long)(i % 1000), (unsigned long)(4012212 + i / 1000));
    assert_int_equal(imp_csv_parse(z, o, &a, &n, NULL), KBS_OK);
    assert_int_equal(n, 1000);
    for (i = 0; i < n; i++)
        assert_int_equal(count_kbs(&a[i]), 3);
    assert_string_equal(a[0].aHotfix[0].zInstalled, "2017-01-02");
    imp_free_snaps(a, n);
    free(z);
}

static void test_csv_malformed(void **state)
{
    char *z;
    size_t i, n;
    (void)state;
    /* ragged row on line 4 */
    z = "Node,HotFixID,InstalledOn\r\nA,KB4012212,\r\nA,KB976902,\r\nA,KB1,x,y\r\n";
    csv_expect_err(z, strlen(z), KBS_EPARSE, 4, "fields");
    /* unterminated quote starting on line 3 */
    z = "\"PSComputerName\",\"HotFixID\"\n\"A\",\"KB4012212\"\n\"B\",\"KB4012212\n";
    csv_expect_err(z, strlen(z), KBS_EPARSE, 3, "not closed");
    /* text after a closing quote */
    z = "\"PSComputerName\",\"HotFixID\"\n\"A\"x,\"KB4012212\"\n";
    csv_expect_err(z, strlen(z), KBS_EPARSE, 2, "closing quote");
    /* empty host */
    z = "Node,HotFixID\nA,KB4012212\n,KB4012212\n";
    csv_expect_err(z, strlen(z), KBS_EPARSE, 3, "empty host");
    /* header only */
    z = "\r\nNode,HotFixID\r\n\r\n";
    csv_expect_err(z, strlen(z), KBS_EPARSE, 2, "no hotfix rows");
    /* not a hotfix CSV */
    z = "Name,Value\nA,B\n";
    csv_expect_err(z, strlen(z), KBS_EPARSE, 1, "HotFixID");
    csv_expect_err("", 0, KBS_EPARSE, (unsigned)-1, NULL);
    /* NUL byte on line 2 */
    csv_expect_err("Node,HotFixID\nA,KB40\0"
                   "12212\n",
                   22, KBS_EPARSE, 2, "NUL");
    /* host name too long */
    z = malloc(400);
    assert_non_null(z);
    n = (size_t)snprintf(z, 400, "Node,HotFixID\n");
    for (i = 0; i < SNAP_HOST_MAX; i++)
        z[n++] = 'h';
    n += (size_t)snprintf(z + n, 400 - n, ",KB4012212\n");
    csv_expect_err(z, n, KBS_ETOOBIG, 2, "host name");
    free(z);
    /* a 1 MB line */
    z = malloc(1 << 20);
    assert_non_null(z);
    n = (size_t)snprintf(z, 64, "Node,HotFixID\nA,KB4012212\nB,");
    memset(z + n, 'K', (1 << 20) - n - 1);
    z[(1 << 20) - 1] = '\n';
    csv_expect_err(z, 1 << 20, KBS_ETOOBIG, 3, "longer than");
    /* ... and in quotes */
    z[n - 1] = ',', z[n] = '"';
    csv_expect_err(z, 1 << 20, KBS_ETOOBIG, 3, "longer than");
    free(z);
    /* UTF-16 with an odd byte */
    {
        size_t nf;
        char *zf = load("qfe_2hosts_utf16.csv", &nf);
        csv_expect_err(zf, nf - 1, KBS_EPARSE, (unsigned)-1, "odd number");
        free(zf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect_samples),
        cmocka_unit_test(test_detect_foreign),
        cmocka_unit_test(test_detect_snapshot),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_hotfix_raw),
        cmocka_unit_test(test_si_xp_en_file1),
        cmocka_unit_test(test_si_de_utf16),
        cmocka_unit_test(test_si_fr_cp850),
        cmocka_unit_test(test_si_ru_cp866),
        cmocka_unit_test(test_si_win10_en),
        cmocka_unit_test(test_si_truncated_list),
        cmocka_unit_test(test_si_more_languages),
        cmocka_unit_test(test_si_hostile_hosts),
        cmocka_unit_test(test_si_list_checks),
        cmocka_unit_test(test_si_malformed),
        cmocka_unit_test(test_csv_qfe),
        cmocka_unit_test(test_csv_gethotfix),
        cmocka_unit_test(test_csv_hostile_hosts),
        cmocka_unit_test(test_csv_many_hosts),
        cmocka_unit_test(test_csv_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
