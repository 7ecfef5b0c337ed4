/* test_cat.c: the catalog parser (strict, with line numbers) and the built-in catalog's content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../t_file.h"
#include "cat.h"
#include "kbs_err.h"

static const cat_plat_t *find_plat(const cat_rule_t *r, os_family_t fam, int sp, uint32_t build)
{
    size_t i;
    for (i = 0; i < r->nPlat; i++) {
        const cat_plat_t *pl = &r->aPlat[i];
        if (pl->family != fam) continue;
        if (pl->spMin >= 0 && sp < pl->spMin) continue;
        if (pl->spMax >= 0 && sp > pl->spMax) continue;
        if (pl->buildMin && build < pl->buildMin) continue;
        if (pl->buildMax && build > pl->buildMax) continue;
        return pl;
    }
    return NULL;
}

static int has_kb(const cat_plat_t *pl, uint32_t kb)
{
    size_t i;
    for (i = 0; i < pl->nKb; i++)
        if (pl->aKb[i] == kb) return 1;
    return 0;
}

static void test_default_catalog(void **state)
{
    static const char *const azRule[] = {
        "MS17-010",      "CVE-2019-0708", "MS12-020",      "MS10-046",      "MS10-061",
        "MS08-067",      "MS06-040",      "MS05-039",      "MS04-011",      "CVE-2019-1181",
        "CVE-2020-0796", "CVE-2020-0601", "CVE-2020-1472", "CVE-2021-34527", "CVE-2022-30190",
        "CVE-2024-38063"};
    cat_t c;
    const cat_rule_t *r;
    const cat_plat_t *pl;
    size_t i, j, nText;
    const char *zText = cat_default_text(&nText);
    char zHash[17];
    (void)state;

    assert_int_equal(cat_load_default(&c), KBS_OK);
    assert_int_equal(c.nRule, 16);
    assert_string_equal(c.zSource, "built-in");
    snprintf(zHash, sizeof zHash, "%016llx", (unsigned long long)cat_hash64(zText, nText));
    assert_string_equal(c.zHash, zHash);
    for (i = 0; i < sizeof azRule / sizeof azRule[0]; i++) {
        r = cat_find_rule(&c, azRule[i]);
        assert_non_null(r);
        assert_true(r->zTitle[0] != 0);
        assert_true(strstr(r->zRefs, "https://") != NULL); /* every rule cites its sources */
        assert_true(strncmp(r->zCves, "CVE-", 4) == 0);
        for (j = 0; j < r->nPlat; j++) {
            const cat_plat_t *p = &r->aPlat[j];
            if (p->kind == CAT_KIND_FIX) assert_true(p->nKb || p->ubrMin || p->nFileVer);
        }
    }
    assert_ptr_equal(cat_find_rule(&c, "ms17-010"), cat_find_rule(&c, "MS17-010"));
    assert_null(cat_find_rule(&c, "MS17-011"));
    assert_null(cat_find_rule(&c, "MS17-01"));

    /* MS17-010 on Windows 7 SP1: the March fix and later rollups, never April security-only. */
    r = cat_find_rule(&c, "MS17-010");
    pl = find_plat(r, OS_FAM_7, 1, 7601);
    assert_non_null(pl);
    assert_int_equal(pl->kind, CAT_KIND_FIX);
    assert_true(has_kb(pl, 4012212) && has_kb(pl, 4012215) && has_kb(pl, 4015549));
    assert_true(has_kb(pl, 4019264) && has_kb(pl, 4534310) && has_kb(pl, 5022338));
    assert_false(has_kb(pl, 4015546));
    assert_false(has_kb(pl, 4015548));
    assert_string_equal(pl->zFile, "srv.sys");
    assert_int_equal(pl->nFileVer, 1);
    assert_int_equal(pl->aFileVer[0].part[3], 23689);
    for (j = 1; j < pl->nKb; j++) assert_true(pl->aKbSorted[j - 1] < pl->aKbSorted[j]);
    pl = find_plat(r, OS_FAM_81, 0, 9600);
    assert_true(has_kb(pl, 4012213) && has_kb(pl, 4012216) && has_kb(pl, 5022352));
    assert_false(has_kb(pl, 4015548));
    pl = find_plat(r, OS_FAM_2008, 2, 6002);
    assert_int_equal(pl->nFileVer, 2); /* GDR and LDR */
    pl = find_plat(r, OS_FAM_XP, 2, 2600);
    assert_int_equal(pl->kind, CAT_KIND_NO_FIX);
    pl = find_plat(r, OS_FAM_10, 0, 14393);
    assert_int_equal(pl->ubrMin, 953);
    pl = find_plat(r, OS_FAM_10, 0, 15063);
    assert_int_equal(pl->kind, CAT_KIND_NOT_AFFECTED);
    pl = find_plat(r, OS_FAM_10, 0, 19045);
    assert_int_equal(pl->kind, CAT_KIND_NOT_AFFECTED);
    cat_release(&c);
    assert_int_equal(c.nRule, 0);
    assert_null(c.aRule);
    cat_release(&c); /* twice is fine */
}

/* Each case: text, expected rc, expected line, a word the reason must hold. */
static const struct {
    const char *zName;
    const char *zIn;
    int rc;
    unsigned line;
    const char *zReason;
} aBad[] = {
    {"empty", "", KBS_EPARSE, 0, "empty"},
    {"garbage", "hello world\n", KBS_EPARSE, 1, "not a kbsentry catalog"},
    {"binary", "\x7f" "ELF\x02\x01\x01", KBS_EPARSE, 1, "control character"},
    {"new major", "kbscat 2.0\n", KBS_EVERSION, 1, "2.0"},
    {"bad version", "kbscat one\n", KBS_EPARSE, 1, "version"},
    {"no end-catalog", "kbscat 1.0\n# nothing\n", KBS_EPARSE, 0, "truncated"},
    {"truncated rule", "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp kb=958644\n", KBS_EPARSE, 0,
     "inside rule A"},
    {"count mismatch",
     "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp kb=958644\nend\nend-catalog 2\n", KBS_EPARSE, 7,
     "says 2 rules"},
    {"text after end", "kbscat 1.0\nend-catalog 0\nrule B\n", KBS_EPARSE, 3, "after end-catalog"},
    {"unknown family", "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp,win12 kb=958644\nend\nend-catalog 1\n",
     KBS_EPARSE, 5, "win12"},
    {"option without =", "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp kb=958644 noteXP\nend\n",
     KBS_EPARSE, 5, "key=value"}, /* after a kb= was read: found leaking by the fuzzer */
    {"unknown option", "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp color=red\nend\nend-catalog 1\n",
     KBS_EPARSE, 5, "color"},
    {"fix proves nothing", "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp sp=3\nend\nend-catalog 1\n",
     KBS_EPARSE, 6, "names no kb"},
    {"file without ver", "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp file=srv.sys kb=958644\nend\n",
     KBS_EPARSE, 5, "go together"},
    {"bad version value",
     "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp file=a.sys ver=5.1.x kb=958644\nend\n", KBS_EPARSE,
     5, "bad version"},
    {"path as file", "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp file=c:\\a.sys ver=1.0\nend\n",
     KBS_EPARSE, 5, "bare file name"},
    {"bad kb", "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp kb=95864\nend\n", KBS_EPARSE, 5, "KB"},
    {"kb twice", "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp kb=958644\n kb KB958644\nend\n",
     KBS_EPARSE, 6, "twice"},
    {"kb without fix", "kbscat 1.0\nrule A\ntitle t\nref r\nno-fix xp\n kb 958644\nend\n", KBS_EPARSE,
     6, "without a fix"},
    {"kb on not-affected", "kbscat 1.0\nrule A\ntitle t\nref r\nnot-affected xp kb=958644\nend\n",
     KBS_EPARSE, 5, "only a fix"},
    {"bad sp", "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp sp=3-1 kb=958644\nend\n", KBS_EPARSE, 5,
     "sp"},
    {"bad build", "kbscat 1.0\nrule A\ntitle t\nref r\nfix 10 build=x kb=958644\nend\n", KBS_EPARSE,
     5, "build"},
    {"unclosed quote", "kbscat 1.0\nrule A\ntitle t\nref r\nno-fix xp note=\"open\nend\n", KBS_EPARSE,
     5, "quote"},
    {"no ref", "kbscat 1.0\nrule A\ntitle t\nfix xp kb=958644\nend\nend-catalog 1\n", KBS_EPARSE, 5,
     "cites no"},
    {"no title", "kbscat 1.0\nrule A\nref r\nfix xp kb=958644\nend\nend-catalog 1\n", KBS_EPARSE, 5,
     "no title"},
    {"no clause", "kbscat 1.0\nrule A\ntitle t\nref r\nend\nend-catalog 1\n", KBS_EPARSE, 5,
     "no platform"},
    {"bad cve", "kbscat 1.0\nrule A\ntitle t\ncve CVE-17-1\n", KBS_EPARSE, 4, "CVE"},
    {"rule not closed", "kbscat 1.0\nrule A\nrule B\n", KBS_EPARSE, 3, "not closed"},
    {"same id twice",
     "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp kb=958644\nend\nrule a\n", KBS_EPARSE, 7, "twice"},
    {"bad rule id", "kbscat 1.0\nrule A/B\n", KBS_EPARSE, 2, "rule id"},
    {"long rule id", "kbscat 1.0\nrule ABCDEFGHIJKLMNOPQRSTUVWXYZ\n", KBS_ETOOBIG, 2, "rule id"},
    {"second title", "kbscat 1.0\nrule A\ntitle t\ntitle u\n", KBS_EPARSE, 4, "second title"},
    {"stray directive", "kbscat 1.0\nfix xp kb=958644\n", KBS_EPARSE, 2, "outside a rule"},
    {"unknown in rule", "kbscat 1.0\nrule A\nseverity high\n", KBS_EPARSE, 3, "severity"},
    {"NUL byte", "kbscat 1.0\nrule A\x00\n", KBS_EPARSE, 2, "NUL"},
    {"glued quote", "kbscat 1.0\nrule A\ntitle t\nref r\nno-fix xp note=\"a\"b\nend\n", KBS_EPARSE,
     5, "quote"},
    {"mitigation in 1.0", "kbscat 1.0\nrule A\ntitle t\nref r\nmitigation fact=X value=0 note=n\n",
     KBS_EPARSE, 5, "kbscat 1.1"},
    {"mitigation without note",
     "kbscat 1.1\nrule A\ntitle t\nref r\nmitigation fact=X value=0\n", KBS_EPARSE, 5, "note="},
    {"mitigation bad fact", "kbscat 1.1\nrule A\ntitle t\nref r\nmitigation fact=a\\b value=0 note=n\n",
     KBS_EPARSE, 5, "fact wants"},
    {"mitigation empty value", "kbscat 1.1\nrule A\ntitle t\nref r\nmitigation fact=X value=0, note=n\n",
     KBS_EPARSE, 5, "empty value"},
    {"mitigation bad effect",
     "kbscat 1.1\nrule A\ntitle t\nref r\nmitigation fact=X value=0 effect=maybe note=n\n",
     KBS_EPARSE, 5, "effect wants"},
    {"mitigation unknown option",
     "kbscat 1.1\nrule A\ntitle t\nref r\nmitigation fact=X value=0 reg=HKLM note=n\n", KBS_EPARSE,
     5, "reg"},
    {"exploited-on other", "kbscat 1.1\nrule A\ntitle t\nref r\nexploited-on printers\n",
     KBS_EPARSE, 5, "wants 'dc'"},
    {"undecided in 1.1", "kbscat 1.1\nrule A\ntitle t\nref r\nundecided xp note=n\nend\n",
     KBS_EPARSE, 5, "undecided"},
    {"kb on undecided", "kbscat 1.2\nrule A\ntitle t\nref r\nundecided xp kb=958644\nend\n",
     KBS_EPARSE, 5, "only a fix clause"},
    {"when in 1.2", "kbscat 1.2\nrule A\ntitle t\nref r\nmitigation fact=X value=1 effect=undoes note=n\nwhen fact=Y value=0\n",
     KBS_EPARSE, 6, "unknown directive 'when'"},
    {"when first", "kbscat 1.3\nrule A\ntitle t\nref r\nwhen fact=Y value=0\n", KBS_EPARSE, 5, "without a mitigation"},
    {"second when", "kbscat 1.3\nrule A\ntitle t\nref r\nmitigation fact=X value=1 note=n\nwhen fact=Y value=0\nwhen fact=Z value=0\n",
     KBS_EPARSE, 7, "second when"},
    {"when note", "kbscat 1.3\nrule A\ntitle t\nref r\nmitigation fact=X value=1 note=n\nwhen fact=Y value=0 note=x\n",
     KBS_EPARSE, 6, "only fact=, value= and since-kb="},
    {"when since-kb", "kbscat 1.3\nrule A\ntitle t\nref r\nmitigation fact=X value=1 note=n\nwhen fact=Y value=0 since-kb=5005030,x\n",
     KBS_EPARSE, 6, "bad KB number 'x'"},
    {"when no value", "kbscat 1.3\nrule A\ntitle t\nref r\nmitigation fact=X value=1 note=n\nwhen fact=Y\n",
     KBS_EPARSE, 6, "wants fact= and value="},
};

static void test_bad_input(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof aBad / sizeof aBad[0]; i++) {
        cat_t c;
        cat_err_t e;
        size_t n = strlen(aBad[i].zIn);
        int rc;
        if (strcmp(aBad[i].zName, "NUL byte") == 0) n = 19; /* the text goes on after the NUL */
        rc = cat_parse(aBad[i].zIn, n, "case.kbscat", &c, &e);
        if (rc != aBad[i].rc || e.line != aBad[i].line || !strstr(e.zReason, aBad[i].zReason))
            print_error("case '%s': rc %d line %u reason '%s'\n", aBad[i].zName, rc, e.line,
                        e.zReason);
        assert_int_equal(rc, aBad[i].rc);
        assert_int_equal(e.rc, rc);
        assert_int_equal(e.line, aBad[i].line);
        assert_non_null(strstr(e.zReason, aBad[i].zReason));
        assert_int_equal(c.nRule, 0); /* nothing half-built is handed out */
        assert_null(c.aRule);
        assert_string_equal(c.zSource, "case.kbscat");
    }
}

static void test_limits(void **state)
{
    cat_t c;
    cat_err_t e;
    char *z;
    size_t n;
    (void)state;

    /* Oversized input is refused before any parsing. */
    n = CAT_IN_MAX + 1;
    z = malloc(n);
    assert_non_null(z);
    memset(z, '#', n);
    memcpy(z, "kbscat 1.0\n", 11);
    assert_int_equal(cat_parse(z, n, "big", &c, &e), KBS_ETOOBIG);
    assert_int_equal(e.line, 0);

    /* A line over CAT_LINE_MAX names its line. */
    n = 11 + 5 + CAT_LINE_MAX + 1;
    memcpy(z, "kbscat 1.0\n# ok\n", 16);
    memset(z + 16, 'x', CAT_LINE_MAX + 1);
    assert_int_equal(cat_parse(z, n, "long", &c, &e), KBS_ETOOBIG);
    assert_int_equal(e.line, 3);
    /* Exactly CAT_LINE_MAX is fine (a comment). */
    memset(z + 16, '#', CAT_LINE_MAX);
    memcpy(z + 16 + CAT_LINE_MAX, "\nend-catalog 0\n", 15);
    assert_int_equal(cat_parse(z, 16 + CAT_LINE_MAX + 15, "long", &c, &e), KBS_OK);
    cat_release(&c);
    free(z);

    /* Too many KBs for one clause. */
    {
        size_t cap = 64 * 1024, len = 0, k;
        char *zb = malloc(cap);
        assert_non_null(zb);
        len += (size_t)snprintf(zb + len, cap - len, "kbscat 1.0\nrule A\ntitle t\nref r\nfix xp kb=100000\n");
        for (k = 1; k <= CAT_KB_MAX; k++)
            len += (size_t)snprintf(zb + len, cap - len, " kb %u\n", (unsigned)(100000 + k));
        len += (size_t)snprintf(zb + len, cap - len, "end\nend-catalog 1\n");
        assert_int_equal(cat_parse(zb, len, "kbs", &c, &e), KBS_ETOOBIG);
        assert_int_equal(e.line, 5 + CAT_KB_MAX);
        free(zb);
    }
}

static void test_truncated_default(void **state)
{
    size_t nText, n, nLast, nStep, nLine = 0, nCut = 0;
    const char *zText = cat_default_text(&nText);
    int nOk = 0;
    (void)state;
    /* Every cut that drops a directive must be refused: the catalog never half-loads. A sample
     * of about 1,500 cuts (line ends and points inside lines) keeps this quick under Wine now
     * that derived rules made the catalog large. */
    for (nLast = nText; nLast > 0 && (zText[nLast - 1] == '\n' || zText[nLast - 1] == ' '); nLast--) {
    }
    nStep = nText / 1000 > 3 ? nText / 1000 : 3;
    for (n = 0; n < nLast; n++) {
        cat_t c;
        if (zText[n] == '\n') nLine++;
        if (n % nStep && !(zText[n] == '\n' && nLine % (nStep / 2 + 1) == 0)) continue;
        nCut++;
        if (cat_parse(zText, n, "cut", &c, NULL) == KBS_OK) nOk++;
        cat_release(&c);
    }
    assert_true(nCut > 1000);
    assert_int_equal(nOk, 0);
}

/* Format 1.1: mitigation lines and exploited-on. */
static void test_mitigations(void **state)
{
    static const char zIn[] =
        "kbscat 1.1\nrule A\ntitle t\nref r\nexploited-on dc\nfix 7 kb=4012212\n"
        "mitigation fact=LanmanServer.SMB1 value=0 note=\"SMBv1 server disabled\"\n"
        "mitigation fact=Feature.SMB1Protocol value=disabled,absent effect=mitigates note=n2\n"
        "mitigation fact=RDP-Tcp.UserAuthentication value=1 effect=partial note=\"NLA\"\n"
        "mitigation fact=P.N value=1 effect=undoes note=n4 action=\"set P.N to 0\"\n"
        "end\nend-catalog 1\n";
    cat_t c;
    cat_err_t e;
    const cat_rule_t *r;
    const cat_rule_t *pMs;
    (void)state;
    assert_int_equal(cat_parse(zIn, sizeof zIn - 1, "m", &c, &e), KBS_OK);
    r = &c.aRule[0];
    assert_int_equal(r->exploitedOn, CAT_ROLE_DC);
    assert_int_equal(r->nMitig, 4);
    assert_string_equal(r->aMitig[0].zFact, "LanmanServer.SMB1");
    assert_string_equal(r->aMitig[0].zValues, "0");
    assert_int_equal(r->aMitig[0].effect, CAT_EFFECT_MITIGATES);
    assert_string_equal(r->aMitig[0].zNote, "SMBv1 server disabled");
    assert_string_equal(r->aMitig[1].zValues, "disabled,absent");
    assert_int_equal(r->aMitig[2].effect, CAT_EFFECT_PARTIAL);
    assert_int_equal(r->aMitig[3].effect, CAT_EFFECT_UNDOES);
    assert_string_equal(r->aMitig[3].zAction, "set P.N to 0");
    cat_release(&c);
    /* The built-in catalog carries the MS17-010 workarounds. */
    assert_int_equal(cat_load_default(&c), KBS_OK);
    pMs = cat_find_rule(&c, "MS17-010");
    assert_non_null(pMs);
    assert_int_equal(pMs->nMitig, 2);
    assert_string_equal(pMs->aMitig[0].zFact, "LanmanServer.SMB1");
    cat_release(&c);
}

static void test_forms(void **state)
{
    static const char zCrlf[] =
        "\xEF\xBB\xBFkbscat 1.0\r\n\r\nrule A\r\ntitle The title  \r\ncve CVE-2008-4250\r\n"
        "ref u1\r\nref u2 u3\r\nfix xp,xp64,2003 sp=2- file=netapi32.dll ver=5.1.2600.3462 "
        "ver=5.2.3790.4392 kb=KB958644,958645 note=\"a b  c\"\r\n\tkb 1234567 # more\r\n"
        "not-affected 10 build=10240-19045\r\nend\r\nend-catalog 1";
    static const char zNewer[] =
        "kbscat 1.9\nseverity-scale 5\nrule A\ntitle t\nref r\nseverity 4\nfix 7 ubr=1 arch=x64\nend\n"
        "end-catalog 1\n";
    cat_t c;
    cat_err_t e;
    const cat_rule_t *r;
    (void)state;
    assert_int_equal(cat_parse(zCrlf, sizeof zCrlf - 1, "crlf", &c, &e), KBS_OK);
    r = cat_find_rule(&c, "a");
    assert_non_null(r);
    assert_string_equal(r->zTitle, "The title");
    assert_string_equal(r->zRefs, "u1 u2 u3");
    assert_int_equal(r->nPlat, 4); /* the family list expands into one clause per family */
    assert_int_equal(r->aPlat[1].family, OS_FAM_XP64);
    assert_int_equal(r->aPlat[2].nKb, 3);
    assert_int_equal(r->aPlat[2].aKb[2], 1234567);
    assert_int_equal(r->aPlat[2].spMin, 2);
    assert_int_equal(r->aPlat[2].spMax, -1);
    assert_int_equal(r->aPlat[2].nFileVer, 2);
    assert_string_equal(r->aPlat[0].zNote, "a b  c");
    assert_int_equal(r->aPlat[3].buildMin, 10240);
    assert_int_equal(r->aPlat[3].buildMax, 19045);
    assert_int_equal(strlen(c.zHash), 16);
    cat_release(&c);

    /* A newer minor may add directives this reader skips; a different catalog hashes differently. */
    assert_int_equal(cat_parse(zNewer, sizeof zNewer - 1, "newer", &c, &e), KBS_OK);
    assert_int_equal(c.aRule[0].aPlat[0].arch, OS_ARCH_X64);
    {
        char zH[17];
        snprintf(zH, sizeof zH, "%s", c.zHash);
        cat_release(&c);
        assert_int_equal(cat_parse(zCrlf, sizeof zCrlf - 1, "crlf", &c, &e), KBS_OK);
        assert_string_not_equal(zH, c.zHash);
        cat_release(&c);
    }
}

static char *slurp(const char *zName, size_t *pn)
{
    char zPath[512];
    snprintf(zPath, sizeof zPath, "%s/cat/%s", KBS_TEST_DATA, zName);
    return t_file_read(zPath, pn);
}

static void test_files(void **state)
{
    cat_t c;
    cat_err_t e;
    size_t n;
    char *z;
    (void)state;
    z = slurp("site.kbscat", &n);
    assert_non_null(z);
    assert_int_equal(cat_parse(z, n, "site.kbscat", &c, &e), KBS_OK);
    assert_int_equal(c.nRule, 1);
    assert_string_equal(c.aRule[0].zId, "SITE-2024-01");
    assert_int_equal(c.aRule[0].aPlat[0].nKb, 4);
    assert_string_equal(c.aRule[0].aPlat[1].zAction, "install SP1");
    assert_int_equal(c.aRule[0].nPlat, 5);
    cat_release(&c);
    free(z);

    z = slurp("truncated.kbscat", &n);
    assert_non_null(z);
    /* Cut in the middle of a clause line: refused at that line ("arch" lost its value). */
    assert_int_equal(cat_parse(z, n, "truncated.kbscat", &c, &e), KBS_EPARSE);
    assert_int_equal(e.line, 7);
    assert_null(c.aRule);
    /* Cut at a line end inside the rule: refused as truncated. */
    assert_int_equal(cat_parse(z, 280, "truncated.kbscat", &c, &e), KBS_EPARSE);
    assert_int_equal(e.line, 0);
    assert_non_null(strstr(e.zReason, "truncated"));
    free(z);

    z = slurp("has-nul-byte.kbscat", &n); /* not "nul.*": a device name on Windows */
    assert_non_null(z);
    assert_int_equal(cat_parse(z, n, "has-nul-byte.kbscat", &c, &e), KBS_EPARSE);
    assert_int_equal(e.line, 6);
    assert_non_null(strstr(e.zReason, "NUL"));
    free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_catalog), cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_limits),          cmocka_unit_test(test_truncated_default),
        cmocka_unit_test(test_forms),           cmocka_unit_test(test_files),
        cmocka_unit_test(test_mitigations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
