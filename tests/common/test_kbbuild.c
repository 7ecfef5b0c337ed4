/* test_kbbuild.c: the KB -> OS build table: consistent with its sources, ordered, and its lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbbuild.h"

#define LINE_MAX_ 4096

/* Calls fn for each data line of the compiled-in text (a copy, NUL-terminated, fields split at
 * tabs into az[0..4]; az[5] the comment line right above it, or NULL); iLine is the 1-based line
 * number. */
typedef void (*line_fn)(char **az, unsigned iLine, void *pArg);

static void each_line(line_fn fn, void *pArg)
{
    size_t nText, at = 0;
    const char *zText = kbbuild_text(&nText);
    unsigned iLine = 0;
    char zPrev[LINE_MAX_] = "";
    assert_non_null(zText);
    assert_true(nText > 1000);
    while (at < nText) {
        char zLine[LINE_MAX_];
        char *az[6];
        size_t n = 0, k;
        while (at + n < nText && zText[at + n] != '\n') n++;
        iLine++;
        assert_true(n < sizeof zLine);
        memcpy(zLine, zText + at, n);
        zLine[n] = 0;
        at += n + 1;
        if (n && zLine[n - 1] == '\r') zLine[--n] = 0;
        if (!n || zLine[0] == '#') {
            memcpy(zPrev, zLine, n + 1);
            continue;
        }
        az[5] = zPrev[0] ? zPrev : NULL;
        az[0] = zLine;
        for (k = 1; k < 5; k++) {
            char *zTab = strchr(az[k - 1], '\t');
            if (!zTab) fail_msg("kbbuild.tsv:%u: %u fields, want 5", iLine, (unsigned)k);
            *zTab = 0;
            az[k] = zTab + 1;
        }
        assert_null(strchr(az[4], '\t'));
        fn(az, iLine, pArg);
        zPrev[0] = 0;
    }
}

/* The BUILD.UBR pairs of a comma- or blank-separated list (a SOURCE token is SRC:BUILD.UBR),
 * sorted and without repeats, as build * 100000 + ubr. Returns the count. */
static size_t pairs_of(const char *zList, char chSep, uint64_t *a, size_t nMax)
{
    size_t n = 0, i, j;
    const char *z = zList;
    while (*z) {
        const char *zEnd = strchr(z, chSep);
        const char *zColon;
        char zTok[64];
        size_t nTok = zEnd ? (size_t)(zEnd - z) : strlen(z);
        unsigned long b, u;
        char *zDot;
        assert_true(nTok > 0 && nTok < sizeof zTok);
        memcpy(zTok, z, nTok);
        zTok[nTok] = 0;
        zColon = strchr(zTok, ':');
        if (chSep == ' ') {
            assert_non_null(zColon);
            assert_true(strncmp(zTok, "ri:", 3) == 0 || strncmp(zTok, "uh:", 3) == 0 ||
                        strncmp(zTok, "kb:", 3) == 0);
        }
        b = strtoul(zColon ? zColon + 1 : zTok, &zDot, 10);
        assert_int_equal(*zDot, '.');
        u = strtoul(zDot + 1, NULL, 10);
        assert_true(n < nMax);
        a[n++] = (uint64_t)b * 100000u + u;
        z += nTok + (zEnd ? 1 : 0);
    }
    for (i = 1; i < n; i++) /* insertion sort: a handful per line */
        for (j = i; j > 0 && a[j - 1] > a[j]; j--) {
            uint64_t t = a[j];
            a[j] = a[j - 1], a[j - 1] = t;
        }
    for (i = j = 0; i < n; i++)
        if (!j || a[j - 1] != a[i]) a[j++] = a[i];
    return j;
}

typedef struct consist {
    size_t iEnt;         /* next entry of the compiled table */
    uint32_t prevKb;
    size_t nLines;
} consist_t;

/* Each line: its SOURCE names exactly the builds of BUILDS (no more, no fewer), BUILDS are
 * ascending without repeats, KBs ascend, and the compiled table holds the same entries. */
static void check_line(char **az, unsigned iLine, void *pArg)
{
    consist_t *p = pArg;
    uint64_t aB[16], aS[32];
    size_t nB, nS, i, nWritten = 1;
    const kbbuild_ent_t *aAll;
    size_t nAll = kbbuild_all(&aAll);
    uint32_t kb = (uint32_t)strtoul(az[0] + 2, NULL, 10);
    const char *z;

    assert_true(strncmp(az[0], "KB", 2) == 0);
    if (kb <= p->prevKb) fail_msg("kbbuild.tsv:%u: KB%u after KB%u", iLine, kb, p->prevKb);
    p->prevKb = kb;
    for (z = az[3]; *z; z++) nWritten += *z == ',';
    nB = pairs_of(az[3], ',', aB, 16);
    if (nB != nWritten) fail_msg("kbbuild.tsv:%u: a build listed twice or out of order", iLine);
    for (i = 1; i < nB; i++) assert_true(aB[i - 1] < aB[i]);
    nS = pairs_of(az[4], ' ', aS, 32);
    if (nS != nB || memcmp(aS, aB, nB * sizeof aB[0]) != 0)
        fail_msg("kbbuild.tsv:%u: KB%u: SOURCE '%s' does not name the builds '%s'", iLine, kb, az[4], az[3]);
    /* A line from a page quoting the release notes ("kb:" source) carries that quote in the
     * comment above it: the quote names the KB and every build of the line. */
    if (strstr(az[4], "kb:")) {
        char zKb[16];
        const char *zBu = az[3];
        if (!az[5] || strncmp(az[5], "# ", 2) != 0) fail_msg("kbbuild.tsv:%u: kb: source without its quote above", iLine);
        snprintf(zKb, sizeof zKb, "# %s: ", az[0]);
        if (strncmp(az[5], zKb, strlen(zKb)) != 0 || !strstr(az[5] + strlen(zKb), az[0]))
            fail_msg("kbbuild.tsv:%u: the quote above does not name %s", iLine, az[0]);
        while (*zBu) {
            char zOne[16];
            size_t nOne = strcspn(zBu, ",");
            assert_true(nOne < sizeof zOne);
            memcpy(zOne, zBu, nOne);
            zOne[nOne] = 0;
            if (!strstr(az[5], zOne)) fail_msg("kbbuild.tsv:%u: the quote above does not name %s", iLine, zOne);
            zBu += nOne + (zBu[nOne] ? 1 : 0);
        }
    }
    for (i = 0; i < nB; i++) {
        const kbbuild_ent_t *e;
        assert_true(p->iEnt < nAll);
        e = &aAll[p->iEnt++];
        assert_int_equal(e->kb, kb);
        assert_int_equal((uint64_t)e->build * 100000u + e->ubr, aB[i]);
        if (strcmp(az[1], "-") == 0) {
            assert_int_equal(e->date, 0);
        } else {
            char zDate[9];
            snprintf(zDate, sizeof zDate, "%u", (unsigned)e->date);
            assert_memory_equal(zDate, az[1], 4);
            assert_memory_equal(zDate + 4, az[1] + 5, 2);
            assert_memory_equal(zDate + 6, az[1] + 8, 2);
        }
    }
    p->nLines++;
}

static void test_text_matches_sources(void **state)
{
    consist_t c;
    (void)state;
    memset(&c, 0, sizeof c);
    each_line(check_line, &c);
    assert_int_equal(c.iEnt, kbbuild_all(NULL)); /* nothing compiled that the text lacks */
    assert_true(c.nLines > 1000);
}

/* No (KB, build, UBR) twice; a KB gives each build at most two UBRs (a re-release). */
static void test_no_duplicates(void **state)
{
    const kbbuild_ent_t *a;
    size_t n = kbbuild_all(&a), i;
    (void)state;
    for (i = 1; i < n; i++) {
        int bOrder = a[i - 1].kb < a[i].kb ||
                     (a[i - 1].kb == a[i].kb && (a[i - 1].build < a[i].build ||
                                                 (a[i - 1].build == a[i].build && a[i - 1].ubr < a[i].ubr)));
        if (!bOrder) fail_msg("KB%u %u.%u out of order or twice", a[i].kb, a[i].build, a[i].ubr);
        if (i >= 2 && a[i].kb == a[i - 2].kb && a[i].build == a[i - 2].build)
            fail_msg("KB%u gives %u three UBRs", a[i].kb, a[i].build);
    }
}

/* Within one build line, a later release never gives a lower UBR (entries with a date). */
static void test_ubr_follows_date(void **state)
{
    const kbbuild_ent_t *a;
    size_t n = kbbuild_all(&a), i, j;
    size_t nCompared = 0;
    (void)state;
    for (i = 0; i < n; i++) {
        if (!a[i].date) continue;
        for (j = 0; j < n; j++) {
            if (!a[j].date || a[j].build != a[i].build || a[j].date <= a[i].date) continue;
            nCompared++;
            if (a[j].ubr < a[i].ubr)
                fail_msg("build %u: KB%u of %u gives .%u, below KB%u of %u (.%u)", a[i].build, a[j].kb,
                         a[j].date, a[j].ubr, a[i].kb, a[i].date, a[i].ubr);
        }
    }
    assert_true(nCompared > 10000);
}

/* The entries the verdicts of issue 21 rest on, and the coverage of the builds fleets run. */
static void test_known_entries(void **state)
{
    static const struct {
        uint32_t kb, build, ubr, date;
        kbbuild_kind_t kind;
    } a[] = {
        {4541335, 18363, 752, 0, KBBUILD_KIND_UNKNOWN},   /* March 2020 preview */
        {4541335, 18362, 752, 0, KBBUILD_KIND_UNKNOWN},
        {5062660, 26100, 4770, 20250722, KBBUILD_KIND_PREVIEW},
        {5087544, 19045, 7291, 20260512, KBBUILD_KIND_SECURITY},
        {5087544, 19044, 7291, 20260512, KBBUILD_KIND_SECURITY},
        {5006670, 19042, 1288, 0, KBBUILD_KIND_UNKNOWN},
        {5009543, 19044, 1466, 0, KBBUILD_KIND_UNKNOWN},
        {5004945, 19043, 1083, 0, KBBUILD_KIND_UNKNOWN},  /* July 2021 out-of-band */
        {5004948, 14393, 4470, 20210707, KBBUILD_KIND_OOB},
        {5066836, 14393, 8519, 20251014, KBBUILD_KIND_SECURITY},
        {3074683, 10240, 16405, 0, KBBUILD_KIND_UNKNOWN},
        {5044286, 10240, 20796, 0, KBBUILD_KIND_UNKNOWN},
        {4464330, 17763, 55, 20181009, KBBUILD_KIND_SECURITY},
        {5005104, 20348, 202, 20210826, KBBUILD_KIND_PREVIEW},
        {5006674, 22000, 258, 0, KBBUILD_KIND_UNKNOWN},
        {5019509, 22621, 675, 0, KBBUILD_KIND_UNKNOWN},
        {5031455, 22631, 2506, 20231031, KBBUILD_KIND_PREVIEW},
        {5066835, 26200, 6899, 20251014, KBBUILD_KIND_SECURITY},
    };
    static const uint32_t aBuild[] = {10240, 10586, 14393, 15063, 16299, 17134, 17763, 18362, 18363,
                                      19041, 19042, 19043, 19044, 19045, 20348, 22000, 22621, 22631, 26100};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        const kbbuild_ent_t *e;
        size_t n = kbbuild_find(a[i].kb, &e), k;
        if (kbbuild_ubr(a[i].kb, a[i].build) != a[i].ubr)
            fail_msg("KB%u on %u: .%u, want .%u", a[i].kb, a[i].build, kbbuild_ubr(a[i].kb, a[i].build), a[i].ubr);
        for (k = 0; k < n && e[k].build != a[i].build; k++) {
        }
        assert_true(k < n);
        assert_int_equal(e[k].date, a[i].date);
        assert_int_equal(e[k].kind, a[i].kind);
    }
    for (i = 0; i < sizeof aBuild / sizeof aBuild[0]; i++) {
        size_t n = kbbuild_line(aBuild[i], NULL, 0);
        if (n < 20) fail_msg("build %u: only %u updates", aBuild[i], (unsigned)n);
    }
}

static void test_lookups(void **state)
{
    const kbbuild_ent_t *a[8], *e, *pAll;
    size_t n, i;
    (void)state;
    /* Unknown KB, unknown build of a known KB. */
    assert_int_equal(kbbuild_find(4012598, &e), 0);
    assert_null(e);
    assert_int_equal(kbbuild_ubr(4012598, 7601), 0);
    assert_int_equal(kbbuild_ubr(5006670, 19045), 0);
    assert_int_equal(kbbuild_ubr(0, 19045), 0);
    assert_int_equal(kbbuild_ubr(UINT32_MAX, 19045), 0);
    /* A KB released twice for one build: the lower UBR. */
    assert_int_equal(kbbuild_ubr(3193494, 14393), 187);
    assert_int_equal(kbbuild_find(3193494, &e), 2);
    assert_int_equal(e[1].ubr, 189);
    /* One KB, five builds. */
    assert_int_equal(kbbuild_find(5008212, &e), 4);
    for (i = 0; i < 4; i++) assert_int_equal(e[i].build, 19041 + i);
    /* A line, sorted by UBR; a short buffer still counts them all and keeps the first ones. */
    n = kbbuild_line(26100, a, 8);
    assert_true(n > 8);
    for (i = 1; i < 8; i++) assert_true(a[i - 1]->ubr <= a[i]->ubr);
    assert_int_equal(a[0]->ubr, 2033);
    assert_int_equal(a[0]->kb, 5044284);
    assert_int_equal(kbbuild_line(12345, a, 8), 0);
    /* First update at or above a UBR. */
    e = kbbuild_first_at(19042, 1466);
    assert_non_null(e);
    assert_int_equal(e->kb, 5009543);
    e = kbbuild_first_at(19042, 1289);
    assert_int_equal(e->ubr, 1320);
    assert_null(kbbuild_first_at(19042, 99999));
    assert_null(kbbuild_first_at(4, 1));
    assert_true(kbbuild_all(&pAll) > 1300);
    assert_string_equal(kbbuild_kind_name(KBBUILD_KIND_OOB), "out-of-band");
    assert_string_equal(kbbuild_kind_name(KBBUILD_KIND_PREVIEW), "preview");
    assert_string_equal(kbbuild_kind_name((kbbuild_kind_t)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_matches_sources),
        cmocka_unit_test(test_no_duplicates),
        cmocka_unit_test(test_ubr_follows_date),
        cmocka_unit_test(test_known_entries),
        cmocka_unit_test(test_lookups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
