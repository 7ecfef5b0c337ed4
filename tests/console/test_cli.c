/* test_cli.c: the console's command dispatcher: version, help, unknown commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli_capture.h"
#include "kbs_version.h"

/* Runs cli_main with argv, capturing its stdout into zOut. */
static int run(int argc, char **argv, char *zOut, size_t nOut)
{
    return t_cli_capture(argc, argv, zOut, nOut, NULL, 0);
}

static void test_version(void **state)
{
    char *argv[] = {"kbsentry", "version", NULL};
    char z[256];
    (void)state;
    assert_int_equal(run(2, argv, z, sizeof z), 0);
    assert_string_equal(z, "kbsentry " KBS_VERSION "\n");
}

static void test_unknown_is_error(void **state)
{
    char *argv[] = {"kbsentry", "frobnicate", NULL};
    char z[256];
    (void)state;
    assert_int_equal(run(2, argv, z, sizeof z), 2);
    assert_string_equal(z, "");
}

static void test_no_args_is_error(void **state)
{
    char *argv[] = {"kbsentry", NULL};
    char z[256];
    (void)state;
    assert_int_equal(run(1, argv, z, sizeof z), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_unknown_is_error),
        cmocka_unit_test(test_no_args_is_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
