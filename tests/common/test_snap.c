/* test_snap.c: the snapshot model, writer and strict parser (round trip and every rejection). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "snap.h"
#include "snap_int.h"

/* A full XP SP3 snapshot with hostile strings in every free-text field. */
static void make_snap(snap_t *s)
{
    ver_t v;
    snap_init(s);
    strcpy(s->zOrigin, "agent");
    strcpy(s->zHost, "PC|0042%<script>");
    strcpy(s->zDomain, "POLIZEI-Köln");
    strcpy(s->zMachineId, "{6F1A2B3C-0000-4D5E-8F90-ABCDEF012345}");
    strcpy(s->zAgentVersion, "0.1.0");
    s->scanTime = 1494662400; /* 2017-05-13T08:00:00Z */
    s->osKnown = 1;
    s->os.major = 5;
    s->os.minor = 1;
    s->os.build = 2600;
    s->os.sp_major = 3;
    s->os.sp_known = 1;
    s->os.product_type = OS_PT_WORKSTATION;
    s->os.arch = OS_ARCH_X86;
    strcpy(s->os.zProductName, "Microsoft Windows XP Professional");
    strcpy(s->os.zCsdVersion, "Service Pack 3");
    strcpy(s->os.zInstallDate, "2009-02-01T07:00:00Z");
    strcpy(s->os.zUiLanguage, "de-DE");
    assert_int_equal(snap_add_source(s, "wmi-qfe", 1, NULL), KBS_OK);
    assert_int_equal(snap_add_source(s, "reg-cbs", 0, "RegOpenKeyExW: 2\r\nnot found|x"), KBS_OK);
    assert_int_equal(snap_add_hotfix(s, "KB4012598", SNAP_SRC_QFE, "2017-03-14", -1), KBS_OK);
    assert_int_equal(snap_add_hotfix(s, "kb4012598", SNAP_SRC_UPDATES, NULL, -1), KBS_OK);
    assert_int_equal(snap_add_hotfix(s, "Q958644", SNAP_SRC_HOTFIX, "", -1), KBS_OK);
    assert_int_equal(snap_add_hotfix(s, "KB2510531-IE8", SNAP_SRC_QFE, "", -1), KBS_OK);
    assert_int_equal(snap_add_hotfix(s, "File 1", SNAP_SRC_QFE, "", -1), KBS_OK);
    assert_int_equal(snap_add_hotfix(s, "KB4012212", SNAP_SRC_CBS, "", 112), KBS_OK);
    assert_int_equal(snap_add_hotfix(s, "KB890830", SNAP_SRC_QFE | SNAP_SRC_UPDATES | SNAP_SRC_HOTFIX |
                                                     SNAP_SRC_CBS | SNAP_SRC_SYSTEMINFO, "", 112), KBS_OK);
    assert_int_equal(ver_parse("5.1.2600.7208", &v), KBS_OK);
    assert_int_equal(snap_add_file(s, "C:\\WINDOWS\\system32\\drivers\\srv.sys", 1, &v, ""), KBS_OK);
    assert_int_equal(snap_add_file(s, "C:\\WINDOWS\\system32\\drivers\\srv2.sys", 0, NULL, "not found"), KBS_OK);
}

static void test_model_merge(void **state)
{
    snap_t s;
    (void)state;
    make_snap(&s);
    /* KB4012598 from two sources is one entry with both bits and the date kept. */
    assert_int_equal(s.nHotfix, 6);
    assert_true(snap_has_kb(&s, 4012598));
    assert_true(snap_has_kb(&s, 958644));
    assert_true(snap_has_kb(&s, 2510531));
    assert_false(snap_has_kb(&s, 4012215));
    assert_false(snap_has_kb(&s, 0));
    for (size_t i = 0; i < s.nHotfix; i++) {
        if (s.aHotfix[i].kb.num == 4012598) {
            assert_int_equal(s.aHotfix[i].sources, SNAP_SRC_QFE | SNAP_SRC_UPDATES);
            assert_string_equal(s.aHotfix[i].zInstalled, "2017-03-14");
        }
        if (i) assert_true(s.aHotfix[i - 1].kb.num <= s.aHotfix[i].kb.num);
    }
    assert_non_null(snap_find_file(&s, "srv.sys"));
    assert_non_null(snap_find_file(&s, "SRV.SYS"));
    assert_string_equal(snap_find_file(&s, "srv2.sys")->zError, "not found");
    assert_null(snap_find_file(&s, "v.sys"));
    assert_null(snap_find_file(&s, "termdd.sys"));
    snap_release(&s);
    assert_int_equal(s.nHotfix, 0);
    assert_null(s.aHotfix);
}

static void test_many_hotfixes_unsorted(void **state)
{
    snap_t s;
    char z[32];
    unsigned i;
    (void)state;
    snap_init(&s);
    for (i = 0; i < 500; i++) {
        snprintf(z, sizeof z, "KB%u", 4000000 + (i * 7919) % 500);
        assert_int_equal(snap_add_hotfix(&s, z, SNAP_SRC_QFE, NULL, -1), KBS_OK);
    }
    assert_int_equal(s.nHotfix, 500);
    for (i = 0; i < 500; i++) assert_true(snap_has_kb(&s, 4000000 + i));
    assert_false(snap_has_kb(&s, 4000500));
    snap_release(&s);
}

static void test_round_trip(void **state)
{
    snap_t a, b;
    snap_err_t err;
    char *z = NULL, *z2 = NULL;
    size_t n = 0, n2 = 0;
    (void)state;
    make_snap(&a);
    assert_int_equal(snap_write(&a, &z, &n), KBS_OK);
    assert_true(snap_is_snapshot(z, n));
    assert_non_null(strstr(z, "host=PC%7C0042%25<script>\r\n"));
    assert_int_equal(snap_parse(z, n, &b, &err), KBS_OK);
    assert_string_equal(b.zHost, a.zHost);
    assert_string_equal(b.zDomain, "POLIZEI-Köln");
    assert_string_equal(b.aSource[1].zError, a.aSource[1].zError);
    assert_int_equal(b.scanTime, 1494662400);
    assert_int_equal(b.os.build, 2600);
    assert_int_equal(b.os.sp_major, 3);
    assert_int_equal(b.os.arch, OS_ARCH_X86);
    assert_int_equal(b.nHotfix, a.nHotfix);
    assert_int_equal(b.nFile, 2);
    assert_int_equal(b.aFile[1].present, 0);
    for (size_t i = 0; i < b.nHotfix; i++) {
        assert_int_equal(b.aHotfix[i].sources, a.aHotfix[i].sources);
        assert_int_equal(b.aHotfix[i].cbsState, a.aHotfix[i].cbsState);
        assert_string_equal(b.aHotfix[i].zRaw, a.aHotfix[i].zRaw);
    }
    assert_true(snap_has_kb(&b, 890830)); /* the entry seen by every source */
    /* Written again, it is the same bytes. */
    assert_int_equal(snap_write(&b, &z2, &n2), KBS_OK);
    assert_int_equal(n, n2);
    assert_memory_equal(z, z2, n);
    free(z);
    free(z2);
    snap_release(&a);
    snap_release(&b);
}

/* Not inlined: gcc 12's dangling-pointer check misreads the local snapshot otherwise. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static char *write_sample(size_t *pn)
{
    snap_t a;
    char *z;
    make_snap(&a);
    assert_int_equal(snap_write(&a, &z, pn), KBS_OK);
    snap_release(&a);
    return z;
}

static void test_lf_and_bom_accepted(void **state)
{
    size_t n, i, o = 0;
    char *z = write_sample(&n), *lf = malloc(n + 4);
    snap_t s;
    (void)state;
    memcpy(lf, "\xEF\xBB\xBF", 3);
    o = 3;
    for (i = 0; i < n; i++) {
        if (z[i] != '\r') lf[o++] = z[i];
    }
    assert_int_equal(snap_parse(lf, o, &s, NULL), KBS_OK);
    snap_release(&s);
    free(z);
    free(lf);
}

/* Cut at every byte: never accepted. */
static void test_truncated_everywhere(void **state)
{
    size_t n, cut;
    char *z = write_sample(&n);
    (void)state;
    /* Whole file minus its final CR LF is still whole: the end line was complete. */
    for (cut = 0; cut + 2 < n; cut++) {
        snap_t s;
        snap_err_t err;
        int rc = snap_parse(z, cut, &s, &err);
        if (rc == KBS_OK) fail_msg("accepted a file cut at byte %u of %u", (unsigned)cut, (unsigned)n);
        assert_int_equal(s.nHotfix, 0);
        assert_true(err.zReason[0] != 0);
    }
    free(z);
}

static void test_torn_bytes(void **state)
{
    size_t n, i;
    char *z = write_sample(&n);
    size_t nEnd = (size_t)(strstr(z, "END ") - z);
    (void)state;
    /* Change one byte in a value anywhere before the end line: detected. */
    for (i = 30; i < nEnd; i += 7) {
        snap_t s;
        snap_err_t err;
        char c = z[i];
        if (c == '\r' || c == '\n') continue;
        z[i] = c == 'A' ? 'B' : 'A';
        assert_int_not_equal(snap_parse(z, n, &s, &err), KBS_OK);
        z[i] = c;
    }
    free(z);
}

static int parse_text(const char *zText, snap_err_t *pErr)
{
    snap_t s;
    int rc = snap_parse(zText, strlen(zText), &s, pErr);
    snap_release(&s);
    return rc;
}

static void test_rejections(void **state)
{
    snap_err_t err;
    size_t n;
    char *z = write_sample(&n), *big;
    snap_t s;
    (void)state;

    assert_int_equal(parse_text("", &err), KBS_EPARSE);
    assert_int_equal(parse_text("hello world\r\n", &err), KBS_EPARSE);
    assert_int_equal(err.line, 1);
    assert_int_equal(parse_text("KBSENTRY-SNAPSHOT 2.0\r\nEND records=0 crc32=00000000\r\n", &err), KBS_EVERSION);
    assert_int_equal(parse_text("KBSENTRY-SNAPSHOT x.y\r\n", &err), KBS_EPARSE);
    assert_int_equal(parse_text("KBSENTRY-SNAPSHOT 1.0\r\nhost=a\r\n", &err), KBS_ECHECKSUM);
    assert_non_null(strstr(err.zReason, "truncated"));

    /* A NUL byte names its line. */
    z[60] = 0;
    assert_int_equal(snap_parse(z, n, &s, &err), KBS_EPARSE);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.zReason, "NUL"));
    free(z);

    /* Oversized line. */
    big = malloc(SNAP_LINE_MAX + 200);
    strcpy(big, "KBSENTRY-SNAPSHOT 1.0\r\nhost=");
    memset(big + strlen(big), 'A', SNAP_LINE_MAX + 50);
    strcpy(big + 28 + SNAP_LINE_MAX + 50 - 5, "\r\n");
    assert_int_equal(parse_text(big, &err), KBS_ETOOBIG);
    assert_int_equal(err.line, 2);
    free(big);

    /* Invalid UTF-8. */
    assert_int_equal(parse_text("KBSENTRY-SNAPSHOT 1.0\r\nhost=\xC0\xAF\r\n", &err), KBS_EPARSE);
    assert_int_equal(err.line, 2);
    assert_int_equal(parse_text("KBSENTRY-SNAPSHOT 1.0\r\nhost=\xED\xA0\x80\r\n", &err), KBS_EPARSE);
}

/* Replaces zOld by zNew in the sample and gives it a consistent end line (record count counted
 * here; the checksum taken from the parser's own mismatch message), then parses it. */
static int parse_edited(const char *zOld, const char *zNew, snap_t *s, snap_err_t *pErr)
{
    size_t n, o;
    char *z = write_sample(&n), *out = malloc(n + 4096), *p, *e;
    unsigned nRec = 0, crcHave = 0, crcSaid = 0;
    int rc;

    p = strstr(z, zOld);
    assert_non_null(p);
    o = (size_t)(p - z);
    memcpy(out, z, o);
    strcpy(out + o, zNew);
    strcat(out, p + strlen(zOld));
    e = strstr(out, "END ");
    assert_non_null(e);
    for (p = strstr(out, "\n") + 1; p < e; p++) nRec += *p == '\n';
    sprintf(e, "END records=%u crc32=00000000\r\n", nRec);
    rc = snap_parse(out, strlen(out), s, pErr);
    if (rc == KBS_ECHECKSUM &&
        sscanf(pErr->zReason, "checksum %8X does not match %8X", &crcHave, &crcSaid) == 2) {
        sprintf(e, "END records=%u crc32=%08X\r\n", nRec, crcHave);
        rc = snap_parse(out, strlen(out), s, pErr);
    }
    free(z);
    free(out);
    return rc;
}

static void test_semantic_rejections(void **state)
{
    snap_t s;
    snap_err_t err;
    (void)state;
    /* A valid edit (consistent end line) is accepted: proves parse_edited fixes the end line. */
    assert_int_equal(parse_edited("host=PC", "host=XY", &s, &err), KBS_OK);
    assert_string_equal(s.zHost, "XY|0042%<script>");
    snap_release(&s);

    assert_int_equal(parse_edited("origin=agent\r\n", "origin=agent\r\norigin=agent\r\n", &s, &err), KBS_EPARSE);
    assert_non_null(strstr(err.zReason, "duplicate key"));
    assert_int_equal(err.line, 3);
    assert_int_equal(parse_edited("os.ubr=0", "os.ubr=12x", &s, &err), KBS_EPARSE);
    /* Ten digits above 2^32 - 1 are refused, not wrapped (a 32-bit unsigned long on Windows:
     * 4294967301 wrapped to 5; 9999999999 to 1410065407). */
    assert_int_equal(parse_edited("os.ubr=0", "os.ubr=4294967301", &s, &err), KBS_EPARSE);
    assert_non_null(strstr(err.zReason, "out of range"));
    assert_int_equal(parse_edited("os.ubr=0", "os.ubr=9999999999", &s, &err), KBS_EPARSE);
    assert_int_equal(parse_edited("os.ubr=0", "os.ubr=4294967295", &s, &err), KBS_OK);
    assert_int_equal(s.os.ubr, 4294967295u);
    snap_release(&s);
    assert_int_equal(parse_edited("os.arch=x86", "os.arch=sparc", &s, &err), KBS_EPARSE);
    assert_int_equal(parse_edited("scan-time=2017-05-13T08:00:00Z", "scan-time=2017-02-30T08:00:00Z", &s, &err), KBS_EPARSE);
    assert_int_equal(parse_edited("|KB4012598|", "|KB4012599|", &s, &err), KBS_EPARSE);
    assert_int_equal(parse_edited("hotfix=KB958644|Q958644|hotfix-key||", "hotfix=KB958644|Q958644|registry||", &s, &err), KBS_EPARSE);
    assert_int_equal(parse_edited("|5.1.2600.7208|", "|5.1.x|", &s, &err), KBS_EPARSE);
    assert_int_equal(parse_edited("source=wmi-qfe|ok|", "source=wmi-qfe|maybe|", &s, &err), KBS_EPARSE);
    assert_int_equal(parse_edited("domain=", "colour=", &s, &err), KBS_EPARSE);
    assert_non_null(strstr(err.zReason, "unknown key"));
    assert_int_equal(parse_edited("host=PC%7C", "host=PC%7G", &s, &err), KBS_EPARSE);
    assert_int_equal(parse_edited("host=PC%7C", "host=PC%00", &s, &err), KBS_EPARSE);
    assert_int_equal(parse_edited("domain=POLIZEI-Köln\r\n", "", &s, &err), KBS_EPARSE);
    assert_non_null(strstr(err.zReason, "missing key 'domain'"));
}

static void test_newer_minor_keeps_unknown_keys(void **state)
{
    snap_t s, s2;
    snap_err_t err;
    char *z;
    size_t n;
    (void)state;
    assert_int_equal(parse_edited("KBSENTRY-SNAPSHOT 1.0\r\norigin=agent\r\n",
                                  "KBSENTRY-SNAPSHOT 1.7\r\norigin=agent\r\ntpm.version=2.0\r\n", &s, &err), KBS_OK);
    assert_int_equal(s.fmtMinor, 7);
    assert_int_equal(s.nExtra, 1);
    assert_string_equal(s.azExtra[0], "tpm.version=2.0");
    /* Written back, the unknown key survives under the minor it came with, and reads again. */
    assert_int_equal(snap_write(&s, &z, &n), KBS_OK);
    assert_non_null(strstr(z, "KBSENTRY-SNAPSHOT 1.7\r\n"));
    assert_non_null(strstr(z, "tpm.version=2.0\r\n"));
    assert_int_equal(snap_parse(z, n, &s2, &err), KBS_OK);
    assert_int_equal(s2.fmtMinor, 7);
    assert_int_equal(s2.nExtra, 1);
    assert_string_equal(s2.azExtra[0], "tpm.version=2.0");
    free(z);
    snap_release(&s2);
    /* Unknown keys without a newer minor cannot be written: a reader would reject them. */
    s.fmtMinor = SNAP_FMT_MINOR;
    assert_int_equal(snap_write(&s, &z, &n), KBS_EINVAL);
    snap_release(&s);
}

/* Format 1.1 facts: written (and only then as 1.1), read back, unknown with a reason; bad ones
 * refused by name and line. */
static void test_facts(void **state)
{
    snap_t s, s2;
    snap_err_t err;
    char *z;
    size_t n;
    (void)state;
    assert_int_equal(parse_edited("KBSENTRY-SNAPSHOT 1.0\r\n", "KBSENTRY-SNAPSHOT 1.0\r\n", &s, &err), KBS_OK);
    assert_int_equal(snap_write(&s, &z, &n), KBS_OK);
    assert_non_null(strstr(z, "KBSENTRY-SNAPSHOT 1.0\r\n")); /* no facts: still 1.0 */
    free(z);
    assert_int_equal(snap_add_fact(&s, "LanmanServer.SMB1", "0", NULL), KBS_OK);
    assert_int_equal(snap_add_fact(&s, "Spooler.Start", NULL, "service not installed | gone"), KBS_OK);
    assert_int_equal(snap_add_fact(&s, "HKCR.ms-msdt", "absent", ""), KBS_OK);
    assert_int_equal(snap_add_fact(&s, "lanmanserver.smb1", "1", NULL), KBS_EINVAL); /* twice */
    assert_int_equal(snap_add_fact(&s, "A B", "1", NULL), KBS_EINVAL);
    assert_int_equal(snap_add_fact(&s, "A", "1", "and an error"), KBS_EINVAL);
    assert_int_equal(snap_add_fact(&s, "A", "", ""), KBS_EINVAL);
    assert_int_equal(snap_add_fact(&s, "A", "x|y", NULL), KBS_EINVAL);
    assert_int_equal(s.nFact, 3);
    assert_int_equal(snap_write(&s, &z, &n), KBS_OK);
    assert_non_null(strstr(z, "KBSENTRY-SNAPSHOT 1.1\r\n"));
    assert_non_null(strstr(z, "\r\nfact=LanmanServer.SMB1|0|\r\n"));
    assert_non_null(strstr(z, "\r\nfact=Spooler.Start||service not installed %7C gone\r\n"));
    assert_int_equal(snap_parse(z, n, &s2, &err), KBS_OK);
    assert_int_equal(s2.nFact, 3);
    assert_string_equal(snap_find_fact(&s2, "lanmanserver.SMB1")->zValue, "0");
    assert_string_equal(snap_find_fact(&s2, "Spooler.Start")->zValue, "");
    assert_string_equal(snap_find_fact(&s2, "Spooler.Start")->zError, "service not installed | gone");
    assert_null(snap_find_fact(&s2, "Feature.SMB1Protocol"));
    free(z);
    snap_release(&s2);
    snap_release(&s);

    assert_int_equal(parse_edited("hotfix-note=\r\n", "hotfix-note=\r\nfact=A|1|\r\nfact=A|2|\r\n", &s, &err),
                     KBS_EPARSE);
    assert_non_null(strstr(err.zReason, "duplicate fact 'A'"));
    assert_int_equal(parse_edited("hotfix-note=\r\n", "hotfix-note=\r\nfact=A||\r\n", &s, &err), KBS_EPARSE);
    assert_non_null(strstr(err.zReason, "either a value or an error"));
    assert_int_equal(parse_edited("hotfix-note=\r\n", "hotfix-note=\r\nfact=A|1|why\r\n", &s, &err), KBS_EPARSE);
    assert_int_equal(parse_edited("hotfix-note=\r\n", "hotfix-note=\r\nfact=A%41|1|\r\n", &s, &err), KBS_EPARSE);
    assert_non_null(strstr(err.zReason, "fact: name"));
    assert_int_equal(parse_edited("hotfix-note=\r\n", "hotfix-note=\r\nfact=A|1\r\n", &s, &err), KBS_EPARSE);
    assert_true(err.line > 1);
}

/* Five-digit record counts: a whole 12,000-hotfix file is accepted, not called torn. */
static void test_big_file(void **state)
{
    snap_t a, b;
    snap_err_t err;
    char *z = NULL, zKb[32];
    size_t n = 0;
    unsigned i;
    (void)state;
    make_snap(&a);
    for (i = 0; i < 12000; i++) {
        snprintf(zKb, sizeof zKb, "KB%u", 3000000 + i);
        assert_int_equal(snap_add_hotfix(&a, zKb, SNAP_SRC_CBS, NULL, 112), KBS_OK);
    }
    assert_int_equal(snap_write(&a, &z, &n), KBS_OK);
    assert_int_equal(snap_parse(z, n, &b, &err), KBS_OK);
    assert_int_equal(b.nHotfix, a.nHotfix);
    assert_true(snap_has_kb(&b, 3011999));
    snap_release(&b);
    /* A flipped byte in the last hotfix line is still caught. */
    z[n - 40] ^= 0x01;
    assert_int_not_equal(snap_parse(z, n, &b, &err), KBS_OK);
    free(z);
    snap_release(&a);
}

/* The end line and the header allow exactly one spelling each. */
static void test_strict_header_and_end(void **state)
{
    size_t n;
    char *z = write_sample(&n), *buf = malloc(n + 64), *e;
    snap_t s;
    snap_err_t err;
    static const char *const azBadEnd[] = {" x", "0", "Z"};
    unsigned i;
    (void)state;
    e = strstr(z, "END ");
    assert_non_null(e);
    for (i = 0; i < sizeof azBadEnd / sizeof azBadEnd[0]; i++) {
        size_t nBody = n - 2; /* without the final CR LF */
        memcpy(buf, z, nBody);
        strcpy(buf + nBody, azBadEnd[i]);
        strcat(buf, "\r\n");
        assert_int_equal(snap_parse(buf, strlen(buf), &s, &err), KBS_EPARSE);
        assert_non_null(strstr(err.zReason, "end line"));
    }
    /* "records=+29" or "records=029" instead of the count. */
    memcpy(buf, z, n + 1);
    e = strstr(buf, "records=") + 8;
    memmove(e + 1, e, strlen(e) + 1);
    *e = '+';
    assert_int_equal(snap_parse(buf, strlen(buf), &s, &err), KBS_EPARSE);
    *e = '0';
    assert_int_equal(snap_parse(buf, strlen(buf), &s, &err), KBS_EPARSE);
    /* A checksum digit that is not upper-case hex. */
    memcpy(buf, z, n + 1);
    e = strstr(buf, "crc32=") + 6;
    e[3] = 'g';
    assert_int_equal(snap_parse(buf, strlen(buf), &s, &err), KBS_EPARSE);
    free(buf);
    free(z);
    assert_int_equal(parse_text("KBSENTRY-SNAPSHOT 1.0.3\r\nEND records=0 crc32=00000000\r\n", &err), KBS_EPARSE);
    assert_int_equal(err.line, 1);
    assert_int_equal(parse_text("KBSENTRY-SNAPSHOT 01.0\r\nEND records=0 crc32=00000000\r\n", &err), KBS_EPARSE);
    assert_int_equal(parse_text("KBSENTRY-SNAPSHOT 1.\r\nEND records=0 crc32=00000000\r\n", &err), KBS_EPARSE);
    assert_int_equal(parse_text("KBSENTRY-SNAPSHOT 1.0 \r\nEND records=0 crc32=00000000\r\n", &err), KBS_EPARSE);
    assert_int_equal(parse_text("KBSENTRY-SNAPSHOT 3.0\r\n", &err), KBS_EVERSION);
}

/* Only what the writer escapes may be escaped: "%C7" would put a lone byte, not UTF-8, into
 * the value, which no writer could give back. (Found by fuzzing.) */
static void test_escape_of_non_ascii_rejected(void **state)
{
    snap_t s;
    snap_err_t err;
    (void)state;
    assert_int_equal(parse_edited("host=PC%7C", "host=PC%C7", &s, &err), KBS_EPARSE);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.zReason, "non-ASCII"));
    assert_int_equal(parse_edited("host=PC%7C", "host=PC%C3%A9", &s, &err), KBS_EPARSE);
    /* Lower-case hex of an ASCII byte is read; written again it comes out upper-case. */
    assert_int_equal(parse_edited("host=PC%7C", "host=PC%7c", &s, &err), KBS_OK);
    assert_string_equal(s.zHost, "PC|0042%<script>");
    snap_release(&s);
}

/* Raw control bytes (TAB, a lone CR, DEL, ...) are never written: the writer escapes them. */
static void test_raw_control_bytes_rejected(void **state)
{
    snap_t s;
    snap_err_t err;
    static const char *const az[] = {"host=PC\t0042", "host=PC\r0042", "host=PC\x7F", "host=\x01PC"};
    unsigned i;
    (void)state;
    for (i = 0; i < sizeof az / sizeof az[0]; i++) {
        assert_int_equal(parse_edited("host=PC", az[i], &s, &err), KBS_EPARSE);
        assert_int_equal(err.line, 3);
        assert_non_null(strstr(err.zReason, "control character"));
    }
    /* Escaped, the same bytes are fine. */
    assert_int_equal(parse_edited("host=PC", "host=PC%09%0D%7F", &s, &err), KBS_OK);
    assert_memory_equal(s.zHost, "PC\t\r\x7F", 5);
    snap_release(&s);
}

/* What the parser would reject, the writer refuses (KBS_EINVAL) instead of writing it. */
static void test_writer_refuses_unreadable(void **state)
{
    snap_t s;
    char *z = (char *)1;
    size_t n = 1;
    (void)state;
#define REFUSED(edit)                                                                          \
    do {                                                                                       \
        make_snap(&s);                                                                         \
        edit;                                                                                  \
        assert_int_equal(snap_write(&s, &z, &n), KBS_EINVAL);                                  \
        assert_null(z);                                                                        \
        assert_int_equal(n, 0);                                                                \
        snap_release(&s);                                                                      \
    } while (0)
    REFUSED(s.zHost[0] = 0);
    REFUSED(strcpy(s.zHost, "PC\xC3("));           /* broken UTF-8 */
    REFUSED(strcpy(s.os.zProductName, "\xFFXP"));
    REFUSED(strcpy(s.aSource[0].zError, "\xED\xA0\x80")); /* a surrogate */
    REFUSED(s.scanTime = 253402300800LL);          /* year 10000 */
    REFUSED(s.scanTime = -1);
    REFUSED(s.os.build = 70000);
    REFUSED(s.os.sp_major = 256);
    REFUSED(s.aHotfix[0].cbsState = 65536);
    REFUSED(s.aHotfix[0].zRaw[0] = 0);
    REFUSED(s.aHotfix[0].sources = 1u << 7);
    REFUSED(s.aFile[0].zPath[0] = 0);
    REFUSED(s.aSource[0].zName[0] = 0);
    REFUSED(memset(s.zDomain, 'x', sizeof s.zDomain)); /* not terminated */
    /* A path and an error text of nothing but '|' escape to over SNAP_LINE_MAX bytes. */
    REFUSED((memset(s.aFile[0].zPath, '|', SNAP_PATH_MAX - 1), memset(s.aFile[0].zError, '|', SNAP_ERR_MAX - 1)));
#undef REFUSED
    /* The same fields at their limits are written and read back. */
    make_snap(&s);
    s.scanTime = 253402300799LL;
    s.os.build = 65535;
    s.os.sp_major = 255;
    s.aHotfix[0].cbsState = 65535;
    memset(s.aFile[0].zPath, '|', 200);
    s.aFile[0].zPath[200] = 0;
    assert_int_equal(snap_write(&s, &z, &n), KBS_OK);
    {
        snap_t b;
        snap_err_t err;
        assert_int_equal(snap_parse(z, n, &b, &err), KBS_OK);
        assert_int_equal(b.scanTime, 253402300799LL);
        assert_int_equal(b.os.build, 65535);
        assert_string_equal(b.aFile[0].zPath, s.aFile[0].zPath);
        snap_release(&b);
    }
    free(z);
    snap_release(&s);
}

static void test_time(void **state)
{
    char z[32];
    int64_t t;
    (void)state;
    assert_int_equal(snap_time_format(0, z, sizeof z), KBS_OK);
    assert_string_equal(z, "1970-01-01T00:00:00Z");
    assert_int_equal(snap_time_format(951782400, z, sizeof z), KBS_OK);
    assert_string_equal(z, "2000-02-29T00:00:00Z");
    assert_int_equal(snap_time_parse("2000-02-29T00:00:00Z", 20, &t), KBS_OK);
    assert_int_equal(t, 951782400);
    assert_int_equal(snap_time_parse("2038-01-19T03:14:08Z", 20, &t), KBS_OK);
    assert_true(t == (int64_t)2147483648LL);
    assert_int_equal(snap_time_parse("2017-13-01T00:00:00Z", 20, &t), KBS_EPARSE);
    assert_int_equal(snap_time_parse("2017-05-13 08:00:00Z", 20, &t), KBS_EPARSE);
    assert_int_equal(snap_time_parse("2017-05-13T08:00:00", 19, &t), KBS_EPARSE);
}

static void test_limits(void **state)
{
    snap_t s;
    char z[32];
    unsigned i;
    (void)state;
    snap_init(&s);
    for (i = 0; i < SNAP_HOTFIX_MAX; i++) {
        snprintf(z, sizeof z, "KB%u", 1000000 + i);
        assert_int_equal(snap_add_hotfix(&s, z, SNAP_SRC_QFE, NULL, -1), KBS_OK);
    }
    assert_int_equal(snap_add_hotfix(&s, "KB9999999", SNAP_SRC_QFE, NULL, -1), KBS_ETOOBIG);
    for (i = 0; i < SNAP_FILE_MAX; i++) assert_int_equal(snap_add_file(&s, "x.sys", 0, NULL, ""), KBS_OK);
    assert_int_equal(snap_add_file(&s, "x.sys", 0, NULL, ""), KBS_ETOOBIG);
    snap_release(&s);
}

/* The constant CRC tables are the IEEE polynomial's: the classic check value of "123456789". */
static void test_crc_tables(void **state)
{
    const uint32_t *t = snap_crc_table0();
    uint32_t i, j, c;
    (void)state;
    for (i = 0; i < 256; i++) {
        c = i;
        for (j = 0; j < 8; j++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        assert_int_equal(t[i], c);
    }
    assert_int_equal(snap_crc(0, (const unsigned char *)"123456789", 9), 0xCBF43926u);
    /* Slicing (8 bytes at a time) and byte-wise give the same value. */
    assert_int_equal(snap_crc(snap_crc(0, (const unsigned char *)"1234", 4),
                              (const unsigned char *)"56789", 5), 0xCBF43926u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_tables),
        cmocka_unit_test(test_model_merge),
        cmocka_unit_test(test_many_hotfixes_unsorted),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_lf_and_bom_accepted),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_torn_bytes),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_semantic_rejections),
        cmocka_unit_test(test_newer_minor_keeps_unknown_keys),
        cmocka_unit_test(test_facts),
        cmocka_unit_test(test_big_file),
        cmocka_unit_test(test_strict_header_and_end),
        cmocka_unit_test(test_escape_of_non_ascii_rejected),
        cmocka_unit_test(test_writer_refuses_unreadable),
        cmocka_unit_test(test_raw_control_bytes_rejected),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
