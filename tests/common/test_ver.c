/* test_ver.c: version parsing, comparison and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kbs_err.h"
#include "ver.h"

static void test_parse_forms(void **state)
{
    static const struct {
        const char *zIn;
        int rc;
        uint16_t a, b, c, d;
    } aCase[] = {
        {"5.1.2600.7208", KBS_OK, 5, 1, 2600, 7208},
        {"  6.1.7601.23689", KBS_OK, 6, 1, 7601, 23689},
        {"5.1.2600.7208 (xpsp_sp3_gdr.170208-0000)", KBS_OK, 5, 1, 2600, 7208},
        {"10.0.14393", KBS_OK, 10, 0, 14393, 0},
        {"6", KBS_OK, 6, 0, 0, 0},
        {"65535.65535.65535.65535", KBS_OK, 65535, 65535, 65535, 65535},
        {"65536.0.0.0", KBS_EPARSE, 0, 0, 0, 0},
        {"1.2.3.4.5", KBS_EPARSE, 0, 0, 0, 0},
        {"1..2", KBS_EPARSE, 0, 0, 0, 0},
        {"", KBS_EPARSE, 0, 0, 0, 0},
        {"v5.1", KBS_EPARSE, 0, 0, 0, 0},
        {"5.1x", KBS_EPARSE, 0, 0, 0, 0},
        {"5.1.", KBS_EPARSE, 0, 0, 0, 0},
        {"000001.0", KBS_EPARSE, 0, 0, 0, 0},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof aCase / sizeof aCase[0]; i++) {
        ver_t v;
        int rc = ver_parse(aCase[i].zIn, &v);
        assert_int_equal(rc, aCase[i].rc);
        assert_int_equal(v.part[0], aCase[i].a);
        assert_int_equal(v.part[1], aCase[i].b);
        assert_int_equal(v.part[2], aCase[i].c);
        assert_int_equal(v.part[3], aCase[i].d);
    }
    assert_int_equal(ver_parse(NULL, &(ver_t){{1, 2, 3, 4}}), KBS_EPARSE);
}

static void test_compare(void **state)
{
    ver_t a, b;
    (void)state;
    assert_int_equal(ver_parse("6.1.7601.17514", &a), KBS_OK);
    assert_int_equal(ver_parse("6.1.7601.23689", &b), KBS_OK);
    assert_true(ver_cmp(&a, &b) < 0);
    assert_true(ver_cmp(&b, &a) > 0);
    assert_int_equal(ver_cmp(&a, &a), 0);
    /* Numeric, not textual: 5.1.2600.999 is older than 5.1.2600.5694. */
    assert_int_equal(ver_parse("5.1.2600.999", &a), KBS_OK);
    assert_int_equal(ver_parse("5.1.2600.5694", &b), KBS_OK);
    assert_true(ver_cmp(&a, &b) < 0);
    assert_int_equal(ver_parse("10.0.10240.17319", &a), KBS_OK);
    assert_int_equal(ver_parse("6.3.9600.18604", &b), KBS_OK);
    assert_true(ver_cmp(&a, &b) > 0);
}

static void test_format(void **state)
{
    ver_t v;
    char z[24], zSmall[8];
    (void)state;
    assert_int_equal(ver_parse("5.2.3790.6021", &v), KBS_OK);
    assert_int_equal(ver_format(&v, z, sizeof z), KBS_OK);
    assert_string_equal(z, "5.2.3790.6021");
    assert_int_equal(ver_format(&v, zSmall, sizeof zSmall), KBS_ETOOBIG);
    assert_string_equal(zSmall, "");
    /* Every part's extremes, and the exact fit of text plus NUL. */
    assert_int_equal(ver_parse("65535.65535.65535.65535", &v), KBS_OK);
    assert_int_equal(ver_format(&v, z, sizeof z), KBS_OK);
    assert_string_equal(z, "65535.65535.65535.65535");
    assert_int_equal(ver_parse("0.0.0.0", &v), KBS_OK);
    assert_int_equal(ver_format(&v, z, sizeof z), KBS_OK);
    assert_string_equal(z, "0.0.0.0");
    assert_int_equal(ver_parse("6.1.7601.10", &v), KBS_OK);
    assert_int_equal(ver_format(&v, z, 12), KBS_OK);
    assert_string_equal(z, "6.1.7601.10");
    assert_int_equal(ver_format(&v, z, 11), KBS_ETOOBIG);
    assert_string_equal(z, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
