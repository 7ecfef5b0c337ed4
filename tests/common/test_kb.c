/* test_kb.c: KB id normalisation, as hotfix lists from every source spell them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kb.h"
#include "kbs_err.h"

static void test_forms(void **state)
{
    static const struct {
        const char *zIn;
        int rc;
        uint32_t num;
        const char *zQual;
        const char *zNorm;
    } aCase[] = {
        {"KB958644", KBS_OK, 958644, "", "KB958644"},
        {"kb958644", KBS_OK, 958644, "", "KB958644"},
        {"Q958644", KBS_OK, 958644, "", "KB958644"},
        {"q314147", KBS_OK, 314147, "", "KB314147"},
        {"958644", KBS_OK, 958644, "", "KB958644"},
        {"  KB4012598 ", KBS_OK, 4012598, "", "KB4012598"},
        {"KB2510531-IE8", KBS_OK, 2510531, "IE8", "KB2510531-IE8"},
        {"KB958644-v2", KBS_OK, 958644, "v2", "KB958644-v2"},
        {"KB958644_v2", KBS_OK, 958644, "v2", "KB958644-v2"},
        {"KB12345", KBS_OK, 12345, "", "KB12345"},
        {"File 1", KBS_EPARSE, 0, "", ""},
        {"KB", KBS_EPARSE, 0, "", ""},
        {"", KBS_EPARSE, 0, "", ""},
        {"Update", KBS_EPARSE, 0, "", ""},
        {"KB1234", KBS_EPARSE, 0, "", ""},
        {"KB123456789", KBS_EPARSE, 0, "", ""},
        {"KB0958644", KBS_EPARSE, 0, "", ""},
        {"KB958644-", KBS_EPARSE, 0, "", ""},
        {"KB958644-v 2", KBS_EPARSE, 0, "", ""},
        {"KB958644-<script>", KBS_EPARSE, 0, "", ""},
        {"KB958644-abcdefghijklmnopqrstuvwxyz", KBS_EPARSE, 0, "", ""},
        {"KB 958644", KBS_EPARSE, 0, "", ""},
        {"KB958644x", KBS_EPARSE, 0, "", ""},
        {"{3F2A...}", KBS_EPARSE, 0, "", ""},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof aCase / sizeof aCase[0]; i++) {
        kb_id_t kb;
        char z[64];
        int rc = kb_parse(aCase[i].zIn, &kb);
        if (rc != aCase[i].rc) fail_msg("'%s': rc %d, expected %d", aCase[i].zIn, rc, aCase[i].rc);
        assert_int_equal(kb.num, aCase[i].num);
        assert_string_equal(kb.zQual, aCase[i].zQual);
        if (rc == KBS_OK) {
            assert_int_equal(kb_format(&kb, z, sizeof z), KBS_OK);
            assert_string_equal(z, aCase[i].zNorm);
        }
    }
    assert_int_equal(kb_parse(NULL, &(kb_id_t){0}), KBS_EPARSE);
}

static void test_format_small_buffer(void **state)
{
    kb_id_t kb;
    char z[6];
    (void)state;
    assert_int_equal(kb_parse("KB4012598", &kb), KBS_OK);
    assert_int_equal(kb_format(&kb, z, sizeof z), KBS_ETOOBIG);
    assert_string_equal(z, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_format_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
