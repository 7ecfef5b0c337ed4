/* test_inv.c: directory exports (Get-ADComputer CSV, csvde, ldifde / ldapsearch LDIF, dsquery,
 * name lists) read into computer accounts, and their refusals with line and reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../t_file.h"
#include "inv.h"
#include "kbs_err.h"

typedef struct got {
    adc_t a[16];
    size_t n;
} got_t;

static int collect(void *pCtx, const adc_t *a)
{
    got_t *g = pCtx;
    if (g->n == 16) return KBS_ETOOBIG;
    g->a[g->n++] = *a;
    return KBS_OK;
}

static int parse_file(const char *zName, got_t *g, inv_kind_t *pKind, size_t *pnSkip, imp_err_t *e)
{
    char zPath[512];
    size_t n = 0;
    char *z;
    int rc;
    snprintf(zPath, sizeof zPath, "%s/inv/%s", KBS_TEST_DATA, zName);
    z = t_file_read(zPath, &n);
    assert_non_null(z);
    memset(g, 0, sizeof *g);
    rc = inv_parse(z, n, collect, g, pKind, pnSkip, e);
    free(z);
    return rc;
}

static void test_get_adcomputer_csv(void **state)
{
    got_t g;
    imp_err_t e;
    inv_kind_t k;
    (void)state;
    assert_int_equal(parse_file("adcomputer.csv", &g, &k, NULL, &e), KBS_OK);
    assert_int_equal(k, INV_KIND_CSV);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.a[0].zName, "XP-SP2-01");
    assert_string_equal(g.a[0].zDomain, "corp.example.com");
    assert_string_equal(g.a[0].zDnsName, "XP-SP2-01.corp.example.com");
    assert_string_equal(g.a[0].zOs, "Windows XP Professional");
    assert_string_equal(g.a[0].zOsSp, "Service Pack 2");
    assert_string_equal(g.a[0].zOsVer, "5.1 (2600)");
    assert_int_equal(g.a[0].enabled, 1);
    assert_int_equal(g.a[0].lastLogon, 1494577800);
    assert_int_equal(g.a[0].pwdLastSet, 1494577800);
    /* "1/2/2010 9:15:00 AM": the US writer, month first */
    assert_int_equal(g.a[0].whenCreated, 1262390400);
    assert_string_equal(g.a[1].zOsSp, "Service Pack 3");
    assert_int_equal(g.a[2].enabled, 0);
    assert_int_equal(g.a[2].lastLogon, 0);
    assert_string_equal(adc_dn_parent(g.a[2].zDn), "OU=Lab,DC=corp,DC=example,DC=com");
}

static void test_get_adcomputer_csv_semicolons(void **state)
{
    got_t g;
    imp_err_t e;
    (void)state;
    assert_int_equal(parse_file("adcomputer_de.csv", &g, NULL, NULL, &e), KBS_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.a[0].zName, "PC01");
    assert_string_equal(adc_dn_parent(g.a[0].zDn), "OU=B\xc3\xbcro,DC=corp,DC=example,DC=com");
    assert_int_equal(g.a[0].lastLogon, 1494547200); /* day first: 2017-05-12 */
}

static void test_csvde(void **state)
{
    got_t g;
    imp_err_t e;
    (void)state;
    assert_int_equal(parse_file("csvde.csv", &g, NULL, NULL, &e), KBS_OK);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.a[0].zName, "XP-SP2-01");
    assert_int_equal(g.a[0].enabled, 1);
    assert_int_equal(g.a[0].whenCreated, 1262423700);
    assert_string_equal(g.a[1].zName, "SRV01");
    assert_int_equal(g.a[1].enabled, 0); /* 4098: ACCOUNTDISABLE */
    assert_string_equal(g.a[1].zOs, "Windows Server 2008 R2 Standard");
}

static void test_ldif(void **state)
{
    got_t g;
    imp_err_t e;
    inv_kind_t k;
    size_t nSkip = 0;
    (void)state;
    assert_int_equal(parse_file("ldapsearch.ldif", &g, &k, &nSkip, &e), KBS_OK);
    assert_int_equal(k, INV_KIND_LDIF);
    assert_int_equal(nSkip, 2); /* the domain object and the user */
    assert_int_equal(g.n, 2);
    /* a folded DN */
    assert_string_equal(g.a[0].zDn, "CN=XP-SP2-01,OU=Desktops,OU=HQ,DC=corp,DC=example,DC=com");
    assert_string_equal(g.a[0].zName, "XP-SP2-01");
    assert_string_equal(g.a[0].zOsSp, "Service Pack 2");
    /* base64 values */
    assert_string_equal(g.a[1].zDn, "CN=PC02,OU=B\xc3\xbcro,DC=corp,DC=example,DC=com");
    assert_string_equal(g.a[1].zOs, "Windows 7 Professional");
    assert_int_equal(g.a[1].enabled, 0);
}

static void test_lists(void **state)
{
    got_t g;
    imp_err_t e;
    inv_kind_t k;
    (void)state;
    assert_int_equal(parse_file("dsquery.txt", &g, &k, NULL, &e), KBS_OK);
    assert_int_equal(k, INV_KIND_LIST);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.a[0].zName, "XP-SP2-01");
    assert_string_equal(g.a[0].zDomain, "corp.example.com");
    assert_string_equal(g.a[1].zName, "PC, odd");
    assert_int_equal(g.a[1].enabled, -1);
    assert_int_equal(parse_file("names.txt", &g, &k, NULL, &e), KBS_OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.a[0].zName, "PC10");
    assert_string_equal(g.a[0].zDomain, "");
    assert_string_equal(g.a[1].zName, "pc11");
    assert_string_equal(g.a[1].zDomain, "lab.example.com");
}

static void test_refusals(void **state)
{
    got_t g;
    imp_err_t e;
    const char zBackslash[] = "CORP\\PC01\n";
    const char zBad[] = "PC01\nthis is prose, not a list\n";
    (void)state;
    assert_int_equal(parse_file("noname.csv", &g, NULL, NULL, &e), KBS_EPARSE);
    assert_int_equal(e.line, 1);
    assert_non_null(strstr(e.zReason, "no Name"));
    assert_int_equal(parse_file("broken_b64.ldf", &g, NULL, NULL, &e), KBS_EPARSE);
    assert_int_equal(e.line, 5);
    assert_non_null(strstr(e.zReason, "base64"));
    assert_int_equal(g.n, 0);
    assert_int_equal(parse_file("short_row.csv", &g, NULL, NULL, &e), KBS_EPARSE);
    assert_int_equal(e.line, 3);
    assert_int_equal(inv_parse(zBackslash, sizeof zBackslash - 1, collect, &g, NULL, NULL, &e), KBS_EPARSE);
    assert_non_null(strstr(e.zReason, "DNS name or the DN"));
    memset(&g, 0, sizeof g);
    assert_int_equal(inv_parse(zBad, sizeof zBad - 1, collect, &g, NULL, NULL, &e), KBS_EPARSE);
    assert_int_equal(e.line, 2);
}

/* A live read gives each account its domain's NetBIOS name from the crossRefs; LDAP failures
 * become one sentence and kbsentry's code. */
static void test_ldap_helpers(void **state)
{
    got_t g;
    inv_doms_t *d = calloc(1, sizeof *d);
    adc_t a;
    char zErr[256];
    (void)state;
    assert_non_null(d);
    memset(&g, 0, sizeof g);
    d->fn = collect;
    d->pCtx = &g;
    snprintf(d->aazDomain[0], sizeof d->aazDomain[0], "ad.police.example.com");
    snprintf(d->aazNb[0], sizeof d->aazNb[0], "POLICE");
    d->n = 1;
    memset(&a, 0, sizeof a);
    snprintf(a.zName, sizeof a.zName, "PC1");
    snprintf(a.zDomain, sizeof a.zDomain, "ad.police.example.com");
    assert_int_equal(inv_doms_fn(d, &a), KBS_OK);
    snprintf(a.zDomain, sizeof a.zDomain, "other.example.com");
    assert_int_equal(inv_doms_fn(d, &a), KBS_OK);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.a[0].zNetbios, "POLICE");
    assert_string_equal(g.a[1].zNetbios, "");
    free(d);
    assert_int_equal(inv_ldap_fail(INV_LF_AUTH, "simple bind", "Invalid credentials", 49, NULL, zErr,
                                   sizeof zErr), KBS_EACCESS);
    assert_string_equal(zErr, "simple bind: Invalid credentials (LDAP 49)");
    assert_int_equal(inv_ldap_fail(INV_LF_SIZE, "searching", "Size limit exceeded", 4, "", zErr,
                                   sizeof zErr), KBS_ETOOBIG);
    assert_non_null(strstr(zErr, "nothing stored: narrow --base or --filter"));
    assert_int_equal(inv_ldap_fail(INV_LF_TIME, "searching", "Timelimit exceeded", 3, NULL, zErr,
                                   sizeof zErr), KBS_ETIMEOUT);
    assert_int_equal(inv_ldap_fail(INV_LF_CONNECT, "StartTLS", "Connect error", -11, "cert", zErr,
                                   sizeof zErr), KBS_EIO);
    assert_string_equal(zErr, "StartTLS: Connect error (LDAP -11): cert");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_adcomputer_csv),
        cmocka_unit_test(test_get_adcomputer_csv_semicolons),
        cmocka_unit_test(test_csvde),
        cmocka_unit_test(test_ldif),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_ldap_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
