/* test_real.c: real machines' systeminfo / Get-HotFix outputs (tests/data/real): each gets the
 * verdicts derived by hand in EXPECTED.tsv through `kbsentry check`, and no cut, deleted line or
 * re-encoding of it gives an error or a verdict the whole file does not support. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "cli_capture.h"
#include "collect.h"
#include "imp_int.h"
#include "kbs_err.h"
#include "plat.h"
#include "verdict.h"

#define T_REAL KBS_TEST_DATA "/real"
#define T_TMP KBS_TEST_TMP "/test_real.txt"
#define T_RULES_MAX 64

static cat_t gCat;
static char t_zOut[1 << 18], t_zErr[1 << 14];

static int setup(void **state)
{
    (void)state;
    return cat_load_default(&gCat) == KBS_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    cat_release(&gCat);
    return 0;
}

/* Runs `kbsentry check --format json zPath`; output in t_zOut, messages in t_zErr. */
static int t_check(const char *zPath)
{
    char *argv[5];
    argv[0] = "kbsentry", argv[1] = "check", argv[2] = "--format", argv[3] = "json";
    argv[4] = (char *)zPath;
    return t_cli_capture(5, argv, t_zOut, sizeof t_zOut, t_zErr, sizeof t_zErr);
}

/* "RULE=status RULE=status ..." of the first host in t_zOut, into zOut. */
static void json_verdicts(char *zOut, size_t nOut, char *zHost, size_t nHost)
{
    const char *p = t_zOut, *q;
    size_t o = 0;
    zOut[0] = 0;
    zHost[0] = 0;
    if ((q = strstr(p, "\"host\":\"")) != NULL) {
        const char *e = strchr(q + 8, '"');
        if (e) snprintf(zHost, nHost, "%.*s", (int)(e - q - 8), q + 8);
    }
    while ((q = strstr(p, "{\"id\":\"")) != NULL) {
        const char *e = strchr(q + 7, '"'), *v = strstr(q, "\"verdict\":\""), *ve;
        if (!e || !v) break;
        ve = strchr(v + 11, '"');
        if (!ve) break;
        o += (size_t)snprintf(zOut + o, nOut - o, "%s%.*s=%.*s", o ? " " : "", (int)(e - q - 7),
                              q + 7, (int)(ve - v - 11), v + 11);
        if (o >= nOut) break;
        p = ve;
        if (strstr(p, "\n{\"host\"") && strstr(p, "\n{\"host\"") < strstr(p, "{\"id\":\"")) break;
    }
}

/* Compares every row of dir/EXPECTED.tsv with what `kbsentry check` says. Returns the number
 * of rows; *pnBad counts mismatches (printed). With KBS_REAL_PRINT set, prints actual rows. */
static size_t check_table(const char *zDir, int *pnBad)
{
    char zPath[1024], *zText = NULL, *zLine, *zNext;
    size_t n = 0, nRow = 0;
    int bPrint = getenv("KBS_REAL_PRINT") != NULL;
    snprintf(zPath, sizeof zPath, "%s/EXPECTED.tsv", zDir);
    if (plat_read_file(zPath, 1 << 20, &zText, &n) != KBS_OK) return 0;
    for (zLine = zText; zLine && *zLine; zLine = zNext) {
        char *azCol[6], zGot[2048], zHost[300], zFile[1024];
        int k, rc;
        snap_t *aSnap = NULL;
        size_t nSnap = 0;
        char zErr[600];
        zNext = strchr(zLine, '\n');
        if (zNext) *zNext++ = 0;
        if (zLine[0] == '#' || !zLine[0]) continue;
        for (k = 0; k < 6; k++) {
            azCol[k] = zLine;
            zLine = strchr(zLine, '\t');
            if (!zLine) break;
            *zLine++ = 0;
        }
        assert_true(k >= 5);
        nRow++;
        snprintf(zFile, sizeof zFile, "%s/%s", zDir, azCol[0]);
        rc = t_check(zFile);
        json_verdicts(zGot, sizeof zGot, zHost, sizeof zHost);
        assert_int_equal(coll_read_input(zFile, 0, &aSnap, &nSnap, NULL, 0, NULL, zErr,
                                         sizeof zErr),
                         KBS_OK);
        if (bPrint)
            printf("%s\t%s\t%lu\t%d\t%s\n", azCol[0], zHost, (unsigned long)aSnap[0].nHotfix,
                   aSnap[0].hotfixesComplete, zGot);
        if (rc > 1 || strcmp(zGot, azCol[4]) || strcmp(zHost, azCol[1]) ||
            aSnap[0].nHotfix != (size_t)atoi(azCol[2]) ||
            aSnap[0].hotfixesComplete != atoi(azCol[3])) {
            print_error("%s: exit %d host \"%s\" hotfixes %lu complete %d\n  got  %s\n  want %s "
                        "(host %s, %s hotfixes, complete %s)\n%s",
                        azCol[0], rc, zHost, (unsigned long)aSnap[0].nHotfix,
                        aSnap[0].hotfixesComplete, zGot, azCol[4], azCol[1], azCol[2], azCol[3],
                        t_zErr);
            (*pnBad)++;
        }
        imp_free_snaps(aSnap, nSnap);
    }
    free(zText);
    return nRow;
}

static void test_expected(void **state)
{
    int nBad = 0;
    const char *zExtra = getenv("KBS_REAL_INPUTS");
    (void)state;
    assert_true(check_table(T_REAL, &nBad) >= 18);
    if (zExtra) check_table(zExtra, &nBad);
    assert_int_equal(nBad, 0);
}

/* ---- properties under cuts, deletions and re-encodings ---- */

/* Per rule, the set of statuses the hosts of one input got (bit 1 << status). */
typedef struct judged {
    int rc;
    unsigned aMask[T_RULES_MAX];
    char zErr[600];
} judged_t;

static void judge(const char *z, size_t n, judged_t *j)
{
    snap_t *aSnap = NULL;
    size_t nSnap = 0, i, r;
    verdict_t aV[T_RULES_MAX];
    FILE *f = fopen(T_TMP, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(z, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    memset(j, 0, sizeof *j);
    j->rc = coll_read_input(T_TMP, 0, &aSnap, &nSnap, NULL, 0, NULL, j->zErr, sizeof j->zErr);
    if (j->rc) return;
    assert_true(gCat.nRule <= T_RULES_MAX);
    for (i = 0; i < nSnap; i++) {
        assert_int_equal(verdict_eval(&gCat, &aSnap[i], aV, T_RULES_MAX), (int)gCat.nRule);
        for (r = 0; r < gCat.nRule; r++)
            j->aMask[r] |= 1u << aV[r].status;
    }
    imp_free_snaps(aSnap, nSnap);
}

/* A changed input may lose certainty, never invent: no patched that the whole did not give, no
 * missing where the whole gave patched. */
static int judged_ok(const char *zName, const char *zWhat, const judged_t *w, const judged_t *m)
{
    size_t r;
    if (m->rc) {
        print_error("%s %s: error %s\n", zName, zWhat, m->zErr);
        return 0;
    }
    for (r = 0; r < gCat.nRule; r++) {
        unsigned P = 1u << VERDICT_PATCHED, M = 1u << VERDICT_MISSING;
        if (((m->aMask[r] & P) && !(w->aMask[r] & P)) ||
            ((m->aMask[r] & M) && (w->aMask[r] & P) && !(w->aMask[r] & M))) {
            print_error("%s %s: %s got 0x%x, whole file 0x%x\n", zName, zWhat,
                        gCat.aRule[r].zId, m->aMask[r], w->aMask[r]);
            return 0;
        }
    }
    return 1;
}

/* Index of the line that anchors the input: the OS version (systeminfo) or the first row of a
 * hotfix table; (size_t)-1 when none. */
static size_t anchor_line(char **azLine, size_t nLine)
{
    size_t i;
    for (i = 0; i < nLine; i++) {
        const char *c = strstr(azLine[i], ": ");
        unsigned a, b, d;
        char chEnd = 0;
        /* a table: its header, dash line and first row (a table without rows holds no host) */
        if (strstr(azLine[i], "HotFixID"))
            return i + 1 < nLine && azLine[i + 1][0] == '-' ? i + 2 : i + 1;
        if (!c) continue;
        /* "10.0.19045 N/A Build 19045": three numbers, then a blank or the end */
        if (sscanf(c + 2, " %u.%u.%u%c", &a, &b, &d, &chEnd) >= 3 && a >= 5 && a <= 10 &&
            (chEnd == 0 || chEnd == ' '))
            return i;
    }
    return (size_t)-1;
}

/* Joins azLine[0..nLine) except line skip into zBuf with "\r\n"; returns the length. */
static size_t join_lines(char **azLine, size_t nLine, size_t skip, char *zBuf)
{
    size_t i, o = 0;
    for (i = 0; i < nLine; i++) {
        size_t n = strlen(azLine[i]);
        if (i == skip) continue;
        memcpy(zBuf + o, azLine[i], n);
        o += n;
        zBuf[o++] = '\r';
        zBuf[o++] = '\n';
    }
    return o;
}

/* UTF-8 text to UTF-16LE (BMP only: what these outputs hold), optionally with a BOM. */
static size_t to_utf16le(const char *z, size_t n, int bom, unsigned char *a)
{
    size_t i = 0, o = 0;
    if (bom) a[o++] = 0xFF, a[o++] = 0xFE;
    while (i < n) {
        unsigned char b = (unsigned char)z[i];
        uint32_t cp;
        if (b < 0x80) {
            cp = b, i++;
        } else if (b < 0xE0) {
            cp = (uint32_t)(b & 0x1F) << 6 | ((unsigned char)z[i + 1] & 0x3F), i += 2;
        } else {
            cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)((unsigned char)z[i + 1] & 0x3F) << 6 |
                 ((unsigned char)z[i + 2] & 0x3F);
            i += 3;
        }
        a[o++] = (unsigned char)(cp & 0xFF);
        a[o++] = (unsigned char)(cp >> 8);
    }
    return o;
}

static int properties_of(const char *zDir, const char *zName)
{
    char zPath[1024], *zRaw = NULL, **azLine = NULL, *zBuf = NULL, *z;
    unsigned char *aEnc = NULL;
    size_t nRaw = 0, nLine = 0, i, iAnchor, nBuf;
    imp_text_t t;
    judged_t whole, m;
    int nBad = 0;

    snprintf(zPath, sizeof zPath, "%s/%s", zDir, zName);
    assert_int_equal(plat_read_file(zPath, 1 << 24, &zRaw, &nRaw), KBS_OK);
    judge(zRaw, nRaw, &whole);
    if (whole.rc) { /* a sample without an OS version: refused whole, nothing to compare */
        free(zRaw);
        return 0;
    }
    assert_int_equal(imp_text_decode(zRaw, nRaw, 0, &t, NULL), KBS_OK);
    azLine = calloc(t.n + 1, sizeof *azLine);
    zBuf = malloc(t.n * 2 + 16);
    aEnc = malloc(t.n * 4 + 16); /* UTF-16 of the text with CRLF added */
    assert_non_null(azLine);
    assert_non_null(zBuf);
    assert_non_null(aEnc);
    for (z = t.z; *z;) {
        char *e = strchr(z, '\n');
        azLine[nLine++] = z;
        if (!e) break;
        *e = 0;
        if (e > z && e[-1] == '\r') e[-1] = 0;
        z = e + 1;
    }
    iAnchor = anchor_line(azLine, nLine);
    assert_true(iAnchor != (size_t)-1);

    /* cut at any line after the anchor */
    for (i = iAnchor + 1; i <= nLine; i++) {
        char zWhat[64];
        nBuf = join_lines(azLine, i, (size_t)-1, zBuf);
        judge(zBuf, nBuf, &m);
        snprintf(zWhat, sizeof zWhat, "cut after line %lu", (unsigned long)i);
        if (!judged_ok(zName, zWhat, &whole, &m)) nBad++;
    }
    /* delete any one other line */
    for (i = 0; i < nLine; i++) {
        char zWhat[64];
        if (i == iAnchor || strstr(azLine[i], "HotFixID")) continue; /* the facts' anchors */
        nBuf = join_lines(azLine, nLine, i, zBuf);
        judge(zBuf, nBuf, &m);
        snprintf(zWhat, sizeof zWhat, "without line %lu", (unsigned long)i + 1);
        if (!judged_ok(zName, zWhat, &whole, &m)) nBad++;
    }
    /* re-encoded: the same verdicts exactly */
    nBuf = join_lines(azLine, nLine, (size_t)-1, zBuf);
    for (i = 0; i < 3; i++) {
        size_t nEnc;
        static const char *const azEnc[] = {"as UTF-16LE with BOM", "as UTF-16LE without BOM",
                                            "as UTF-8 with BOM"};
        if (i < 2) {
            nEnc = to_utf16le(zBuf, nBuf, i == 0, aEnc);
        } else {
            memcpy(aEnc, "\xef\xbb\xbf", 3);
            memcpy(aEnc + 3, zBuf, nBuf);
            nEnc = nBuf + 3;
        }
        judge((const char *)aEnc, nEnc, &m);
        if (m.rc || memcmp(m.aMask, whole.aMask, sizeof m.aMask)) {
            print_error("%s %s: %s\n", zName, azEnc[i], m.rc ? m.zErr : "other verdicts");
            nBad++;
        }
    }
    free(aEnc);
    free(zBuf);
    free(azLine);
    imp_text_release(&t);
    free(zRaw);
    return nBad;
}

static int properties_dir(const char *zDir, size_t *pnFile)
{
    char zPath[1024], *zText = NULL, *zLine, *zNext;
    size_t n = 0;
    int nBad = 0;
    snprintf(zPath, sizeof zPath, "%s/ORIGIN.tsv", zDir);
    if (plat_read_file(zPath, 1 << 20, &zText, &n) != KBS_OK) return 0;
    for (zLine = zText; zLine && *zLine; zLine = zNext) {
        char *zTab;
        zNext = strchr(zLine, '\n');
        if (zNext) *zNext++ = 0;
        zTab = strchr(zLine, '\t');
        if (!zTab || !strncmp(zLine, "file\t", 5)) continue;
        *zTab = 0;
        nBad += properties_of(zDir, zLine);
        (*pnFile)++;
    }
    free(zText);
    return nBad;
}

static void test_properties(void **state)
{
    size_t nFile = 0;
    int nBad;
    const char *zExtra = getenv("KBS_REAL_INPUTS");
    (void)state;
    nBad = properties_dir(T_REAL, &nFile);
    assert_true(nFile >= 18);
    if (zExtra) nBad += properties_dir(zExtra, &nFile);
    assert_int_equal(nBad, 0);
}

static void t_write(const char *zPath, const char *z)
{
    FILE *f = fopen(zPath, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(z, 1, strlen(z), f), strlen(z));
    assert_int_equal(fclose(f), 0);
}

/* The helpdesk case: a systeminfo whose list was cut and the same machine's Get-HotFix table,
 * judged together without a database, in either order. */
static void test_check_two_files(void **state)
{
    static const char zSi[] =
        "Host Name:                 DESKTOP-KAB12\r\n"
        "OS Name:                   Microsoft Windows 7 Professional\r\n"
        "OS Version:                6.1.7601 Service Pack 1 Build 7601\r\n"
        "OS Configuration:          Standalone Workstation\r\n"
        "System Type:               x64-based PC\r\n"
        "Hotfix(s):                 30 Hotfix(s) Installed.\r\n"
        "                           [01]: KB976902\r\n"
        "                           [02]\r\n"
        "Network Card(s):           1 NIC(s) Installed.\r\n";
    static const char zTable[] =
        "Source        Description      HotFixID      InstalledBy          InstalledOn\r\n"
        "------        -----------      --------      -----------          -----------\r\n"
        "DESKTOP-KA... Security Update  KB4012212     NT AUTHORITY\\SYSTEM  2017/3/15 0:00:00\r\n"
        "DESKTOP-KA... Update           KB976902      NT AUTHORITY\\SYSTEM  2011/2/22 0:00:00\r\n";
    const char *zSiPath = KBS_TEST_TMP "/test_real_si.txt", *zTbPath = KBS_TEST_TMP "/test_real_tb.txt";
    char *argv[6];
    char zGot[2048], zHost[300];
    int k;
    (void)state;
    t_write(zSiPath, zSi);
    t_write(zTbPath, zTable);
    /* alone, the cut list cannot tell */
    t_check(zSiPath);
    json_verdicts(zGot, sizeof zGot, zHost, sizeof zHost);
    assert_non_null(strstr(zGot, "MS17-010=unknown"));
    assert_non_null(strstr(t_zOut, "systeminfo lists 1 of 30 hotfixes"));
    for (k = 0; k < 2; k++) {
        argv[0] = "kbsentry", argv[1] = "check", argv[2] = "--format", argv[3] = "json";
        argv[4] = (char *)(k ? zTbPath : zSiPath), argv[5] = (char *)(k ? zSiPath : zTbPath);
        /* other rules may still miss a fix */
        assert_true(t_cli_capture(6, argv, t_zOut, sizeof t_zOut, t_zErr, sizeof t_zErr) <= 1);
        json_verdicts(zGot, sizeof zGot, zHost, sizeof zHost);
        assert_string_equal(zHost, "DESKTOP-KAB12"); /* the whole name, from the systeminfo */
        assert_non_null(strstr(zGot, "MS17-010=patched"));
        assert_null(strstr(t_zOut + 1, "\n{\"host\"")); /* one host, not two */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected),
        cmocka_unit_test(test_check_two_files),
        cmocka_unit_test(test_properties),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
