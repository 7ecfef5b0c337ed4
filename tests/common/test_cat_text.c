/* test_cat_text.c: catalog text cut and joined: one rule shown alone, rules added or replaced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "cat_text.h"
#include "kbs_err.h"

static const char zAdd[] =
    "# derived for CVE-2022-21907\n"
    "rule CVE-2022-21907\n"
    "title HTTP Protocol Stack remote code execution\n"
    "cve CVE-2022-21907\n"
    "ref https://msrc.microsoft.com/update-guide/vulnerability/CVE-2022-21907\n"
    "fix 10 build=19041-19045 ubr=1466\n"
    "  kb 5009543\n"
    "end\n";

static void test_merge_adds_a_rule(void **state)
{
    size_t nBase, n = 0;
    const char *zBase = cat_default_text(&nBase);
    const char *az[1] = {zAdd};
    size_t an[1] = {sizeof zAdd - 1};
    char *z = NULL;
    cat_t c, d;
    const cat_rule_t *r;
    (void)state;

    assert_int_equal(cat_load_default(&d), KBS_OK);
    assert_int_equal(cat_text_merge(zBase, nBase, az, an, 1, &z, &n), KBS_OK);
    assert_int_equal(cat_parse(z, n, "merged", &c, NULL), KBS_OK);
    assert_int_equal(c.nRule, d.nRule + 1);
    assert_string_equal(c.zDataDate, d.zDataDate);
    r = cat_find_rule(&c, "cve-2022-21907");
    assert_non_null(r);
    assert_int_equal(r->aPlat[0].ubrMin, 1466);
    assert_non_null(cat_find_rule(&c, "MS17-010"));
    cat_release(&c);
    cat_release(&d);
    free(z);
}

static void test_merge_replaces_same_id(void **state)
{
    static const char zNew[] = "rule MS17-010\ntitle replaced\ncve CVE-2017-0143\n"
                               "ref https://example.invalid/ms17-010\nfix 7 kb=4012212\nend";
    size_t nBase, n = 0;
    const char *zBase = cat_default_text(&nBase);
    const char *az[2] = {zNew, zAdd};
    size_t an[2] = {sizeof zNew - 1, sizeof zAdd - 1};
    char *z = NULL;
    cat_t c, d;
    const cat_rule_t *r;
    (void)state;

    assert_int_equal(cat_load_default(&d), KBS_OK);
    assert_int_equal(cat_text_merge(zBase, nBase, az, an, 2, &z, &n), KBS_OK);
    assert_int_equal(cat_parse(z, n, "merged", &c, NULL), KBS_OK);
    assert_int_equal(c.nRule, d.nRule + 1);
    r = cat_find_rule(&c, "MS17-010");
    assert_non_null(r);
    assert_string_equal(r->zTitle, "replaced");
    assert_int_equal(r->nPlat, 1);
    /* The rule after the replaced one is still whole. */
    assert_non_null(cat_find_rule(&c, "CVE-2019-0708"));
    cat_release(&c);
    cat_release(&d);
    free(z);
}

static void test_merge_refuses_bad_blocks(void **state)
{
    static const char zTwo[] = "rule A\nend\nrule B\nend\n";
    static const char zNone[] = "# nothing\n";
    static const char zBaseOpen[] = "kbscat 1.2\nrule A\ntitle t\nrule B\nend\nend-catalog 2\n";
    const char *az[1];
    size_t an[1], n = 0;
    char *z = NULL;
    (void)state;

    az[0] = zTwo;
    an[0] = sizeof zTwo - 1;
    assert_int_equal(cat_text_merge("kbscat 1.2\nend-catalog 0\n", 25, az, an, 1, &z, &n), KBS_EPARSE);
    az[0] = zNone;
    an[0] = sizeof zNone - 1;
    assert_int_equal(cat_text_merge("kbscat 1.2\nend-catalog 0\n", 25, az, an, 1, &z, &n), KBS_EPARSE);
    /* A replaced base rule that never ends would swallow the next rule. */
    az[0] = "rule A\nend\n";
    an[0] = 11;
    assert_int_equal(cat_text_merge(zBaseOpen, sizeof zBaseOpen - 1, az, an, 1, &z, &n), KBS_EPARSE);
    assert_null(z);
}

static void test_one_rule_alone(void **state)
{
    size_t nBase, n = 0, off = 0, len = 0;
    const char *zBase = cat_default_text(&nBase);
    char *z = NULL;
    cat_t c, d;
    const cat_rule_t *r, *r0;
    (void)state;

    assert_int_equal(cat_load_default(&d), KBS_OK);
    assert_int_equal(cat_text_one(zBase, nBase, "cve-2019-0708", "built-in", &z, &n), KBS_OK);
    assert_int_equal(cat_parse(z, n, "one", &c, NULL), KBS_OK);
    assert_int_equal(c.nRule, 1);
    assert_string_equal(c.zDataDate, d.zDataDate);
    r = cat_find_rule(&c, "CVE-2019-0708");
    r0 = cat_find_rule(&d, "CVE-2019-0708");
    assert_non_null(r);
    assert_int_equal(r->nPlat, r0->nPlat);
    assert_int_equal(r->nMitig, r0->nMitig);
    assert_string_equal(r->zRefs, r0->zRefs);
    assert_non_null(strstr(z, "catalog built-in"));
    free(z);
    z = NULL;
    assert_int_equal(cat_text_one(zBase, nBase, "MS99-999", "built-in", &z, &n), KBS_ENOTFOUND);
    assert_null(z);
    assert_int_equal(cat_text_find("rule A\ntitle x\n", 15, "A", &off, &len), KBS_EPARSE);
    assert_int_equal(cat_text_find("rule A\r\nend\r\n", 13, "a", &off, &len), KBS_OK);
    assert_int_equal(off, 0);
    assert_int_equal(len, 13);
    cat_release(&c);
    cat_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_adds_a_rule),
        cmocka_unit_test(test_merge_replaces_same_id),
        cmocka_unit_test(test_merge_refuses_bad_blocks),
        cmocka_unit_test(test_one_rule_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
