/* test_adc.c: directory computer accounts: DN parts, dates, OS facts and directory-only verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "adc.h"
#include "cat.h"
#include "kbs_err.h"

static void test_dn(void **state)
{
    char z[256];
    (void)state;
    assert_string_equal(adc_dn_parent("CN=PC01,OU=Desks,DC=corp,DC=example,DC=com"),
                        "OU=Desks,DC=corp,DC=example,DC=com");
    assert_string_equal(adc_dn_parent("CN=Smith\\, J,OU=X,DC=a"), "OU=X,DC=a");
    assert_string_equal(adc_dn_parent("DC=a"), "");
    assert_int_equal(adc_dn_first_value("CN=Smith\\, J\\2C K,OU=X", z, sizeof z), KBS_OK);
    assert_string_equal(z, "Smith, J, K");
    assert_int_equal(adc_dn_first_value("no equals", z, sizeof z), KBS_EPARSE);
    assert_int_equal(adc_dn_domain("CN=PC01,OU=Desks,DC=Corp, DC=Example,DC=com", z, sizeof z), KBS_OK);
    assert_string_equal(z, "corp.example.com");
    assert_int_equal(adc_dn_domain("CN=PC01,OU=Desks", z, sizeof z), KBS_OK);
    assert_string_equal(z, "");
    assert_true(adc_dn_under("CN=PC01,OU=Desks,OU=HQ,DC=corp,DC=com", "ou=hq, dc=corp,dc=com"));
    assert_true(adc_dn_under("OU=HQ,DC=corp,DC=com", "OU=HQ,DC=corp,DC=com"));
    assert_false(adc_dn_under("CN=PC01,OU=Desks,OU=HQ2,DC=corp,DC=com", "OU=HQ,DC=corp,DC=com"));
    assert_false(adc_dn_under("DC=com", "OU=HQ,DC=corp,DC=com"));
    assert_true(adc_dn_under("CN=X,DC=com", ""));
}

static void test_times(void **state)
{
    int64_t t = 1;
    (void)state;
    /* 2017-05-12 08:30:00 UTC = 1494577800 */
    assert_int_equal(adc_filetime(131390514000000000ull), 1494577800);
    assert_int_equal(adc_filetime(0), 0);
    assert_int_equal(adc_filetime(0x7FFFFFFFFFFFFFFFull), 0);
    assert_int_equal(adc_gentime("20170512083000.0Z", &t), KBS_OK);
    assert_int_equal(t, 1494577800);
    assert_int_equal(adc_gentime("20170512083000Z", &t), KBS_OK);
    assert_int_equal(t, 1494577800);
    assert_int_equal(adc_gentime("20170512083000+0200", &t), KBS_EPARSE);
    assert_int_equal(adc_gentime("2017-05-12", &t), KBS_EPARSE);
    assert_int_equal(adc_gentime("20171312083000.0Z", &t), KBS_EPARSE);
}

static void test_finish(void **state)
{
    adc_t a;
    char z[16];
    (void)state;
    memset(&a, 0, sizeof a);
    snprintf(a.zName, sizeof a.zName, "PC01$");
    snprintf(a.zDn, sizeof a.zDn, "CN=PC01,OU=Desks,DC=Corp,DC=example,DC=com");
    assert_int_equal(adc_finish(&a), KBS_OK);
    assert_string_equal(a.zName, "PC01");
    assert_string_equal(a.zDomain, "corp.example.com");
    memset(&a, 0, sizeof a);
    snprintf(a.zDnsName, sizeof a.zDnsName, "pc02.Lab.example.com");
    assert_int_equal(adc_finish(&a), KBS_OK);
    assert_string_equal(a.zName, "pc02");
    assert_string_equal(a.zDomain, "lab.example.com");
    memset(&a, 0, sizeof a);
    assert_int_equal(adc_finish(&a), KBS_EINVAL);
    adc_netbios_default("corp.example.com", z, sizeof z);
    assert_string_equal(z, "CORP");
    adc_netbios_default("averyveryverylongname.com", z, sizeof z);
    assert_string_equal(z, "AVERYVERYVERYLO");
}

static void adc_set(adc_t *a, const char *zOs, const char *zSp, const char *zVer)
{
    memset(a, 0, sizeof *a);
    snprintf(a->zName, sizeof a->zName, "PC01");
    snprintf(a->zOs, sizeof a->zOs, "%s", zOs);
    snprintf(a->zOsSp, sizeof a->zOsSp, "%s", zSp);
    snprintf(a->zOsVer, sizeof a->zOsVer, "%s", zVer);
    a->whenCreated = 1262304000; /* 2010-01-01 */
    a->lastLogon = 1494577800;
}

static void test_os_info(void **state)
{
    adc_t a;
    os_info_t os;
    (void)state;
    adc_set(&a, "Windows XP Professional", "Service Pack 2", "5.1 (2600)");
    assert_int_equal(adc_os_info(&a, &os), 1);
    assert_int_equal(os.major, 5);
    assert_int_equal(os.minor, 1);
    assert_int_equal(os.build, 2600);
    assert_int_equal(os.sp_major, 2);
    assert_int_equal(os.product_type, OS_PT_WORKSTATION);
    adc_set(&a, "Windows Server 2003", "", "5.2 (3790)");
    assert_int_equal(adc_os_info(&a, &os), 1);
    assert_int_equal(os.sp_major, 0);
    assert_true(os.sp_known);
    assert_int_equal(os.product_type, OS_PT_SERVER);
    adc_set(&a, "Windows 10 Enterprise", "", "10.0 (19045)");
    assert_int_equal(adc_os_info(&a, &os), 1);
    assert_int_equal(os.build, 19045);
    adc_set(&a, "", "", "");
    assert_int_equal(adc_os_info(&a, &os), 0);
    adc_set(&a, "Samba", "", "4.17.12-Debian");
    assert_int_equal(adc_os_info(&a, &os), 0);
}

static const verdict_t *find(const cat_t *c, const verdict_t *aV, const char *zRule)
{
    size_t i;
    for (i = 0; i < c->nRule; i++)
        if (!strcmp(c->aRule[i].zId, zRule)) return &aV[i];
    fail_msg("no rule %s", zRule);
    return NULL;
}

/* The cases: XP SP2 is unpatchable by its OS alone, XP SP3 needs a scan; no directory
 * string ever makes a verdict patched. */
static void test_eval(void **state)
{
    cat_t c;
    adc_t a;
    static verdict_t aV[256];
    const verdict_t *v;
    size_t i;
    int n;
    (void)state;
    assert_int_equal(cat_load_default(&c), KBS_OK);
    assert_true(c.nRule <= 256);
    adc_set(&a, "Windows XP Professional", "Service Pack 2", "5.1 (2600)");
    n = adc_eval(&c, &a, aV, 256);
    assert_int_equal(n, (int)c.nRule);
    v = find(&c, aV, "MS17-010");
    assert_int_equal(v->status, VERDICT_UNPATCHABLE);
    assert_non_null(strstr(v->zEvidence, "by the directory's OS only"));
    assert_non_null(strstr(v->zEvidence, "Service Pack 2"));
    adc_set(&a, "Windows XP Professional", "Service Pack 3", "5.1 (2600)");
    assert_int_equal(adc_eval(&c, &a, aV, 256), (int)c.nRule);
    v = find(&c, aV, "MS17-010");
    assert_int_equal(v->status, VERDICT_UNKNOWN);
    assert_non_null(strstr(v->zEvidence, "no scan: in the directory since 2010-01-01, last logon 2017-05-12"));
    /* the newest Windows 11 would be patched by its build for older rules: never from the directory */
    adc_set(&a, "Windows 11 Enterprise", "", "10.0 (26100)");
    assert_int_equal(adc_eval(&c, &a, aV, 256), (int)c.nRule);
    for (i = 0; i < c.nRule; i++) {
        assert_int_not_equal(aV[i].status, VERDICT_PATCHED);
        assert_int_not_equal(aV[i].status, VERDICT_MITIGATED);
        assert_int_not_equal(aV[i].status, VERDICT_MISSING);
    }
    /* unreadable OS strings: unknown everywhere */
    adc_set(&a, "", "", "");
    a.whenCreated = 0;
    a.lastLogon = 0;
    assert_int_equal(adc_eval(&c, &a, aV, 256), (int)c.nRule);
    for (i = 0; i < c.nRule; i++) assert_int_equal(aV[i].status, VERDICT_UNKNOWN);
    assert_non_null(strstr(aV[0].zEvidence, "since an unknown date, last logon never recorded"));
    assert_int_equal(adc_eval(&c, &a, aV, 0), KBS_EINVAL);
    cat_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dn),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_finish),
        cmocka_unit_test(test_os_info),
        cmocka_unit_test(test_eval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
