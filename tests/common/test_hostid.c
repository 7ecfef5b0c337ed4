/* test_hostid.c: host identity: which stored host a scan merges into, and when it is kept apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hostid.h"

static const hostid_facts_t kCorp = {"PC01", "CORP", ""};
static const hostid_facts_t kLab = {"PC01", "LAB", ""};
static const hostid_facts_t kCsv = {"pc01", "", ""};

static void test_conflict(void **state)
{
    hostid_facts_t a = {"PC01", "corp", "{1}"}, b = {"pc01", "CORP", "{1}"};
    (void)state;
    assert_false(hostid_conflict(&a, &b));
    b.zMachineId = "{2}";
    assert_true(hostid_conflict(&a, &b));
    b.zMachineId = "";
    assert_false(hostid_conflict(&a, &b));
    b.zDomain = "LAB";
    assert_true(hostid_conflict(&a, &b));
    b.zDomain = "";
    assert_false(hostid_conflict(&a, &b));
    b.zName = "PC02";
    assert_true(hostid_conflict(&a, &b));
}

/* The reproduction: CORP\PC01 and LAB\PC01 stored, a domain-less Get-HotFix file of PC01. */
static void test_domainless_scan_of_two_hosts_is_kept_apart(void **state)
{
    hostid_facts_t a[3];
    size_t i = 0, n = 0;
    (void)state;
    a[0] = kCorp;
    a[1] = kLab;
    assert_int_equal(hostid_choose(&kCsv, a, 2, &i, &n), HOSTID_APART);
    assert_int_equal(i, HOSTID_NONE);
    assert_int_equal(n, 2);
    /* The host that holds such files apart takes the next one. */
    a[2] = kCsv;
    assert_int_equal(hostid_choose(&kCsv, a, 3, &i, &n), HOSTID_APART);
    assert_int_equal(i, 2);
    assert_true(hostid_ambiguous(a, 3));
    assert_false(hostid_ambiguous(a, 1));
}

static void test_domainless_scan_of_one_host_merges(void **state)
{
    size_t i = 9;
    (void)state;
    assert_int_equal(hostid_choose(&kCsv, &kLab, 1, &i, NULL), HOSTID_SAME);
    assert_int_equal(i, 0);
    assert_int_equal(hostid_choose(&kCsv, &kCsv, 1, &i, NULL), HOSTID_SAME);
    assert_int_equal(hostid_choose(&kCsv, NULL, 0, &i, NULL), HOSTID_NEW);
    assert_int_equal(i, HOSTID_NONE);
}

static void test_domain_scan(void **state)
{
    hostid_facts_t a[3];
    size_t i = 9;
    (void)state;
    a[0] = kCorp;
    a[1] = kCsv;
    /* Same name and domain, whatever else is stored. */
    assert_int_equal(hostid_choose(&kCorp, a, 2, &i, NULL), HOSTID_SAME);
    assert_int_equal(i, 0);
    /* LAB is another machine than CORP: new, even with a domain-less host of the name. */
    assert_int_equal(hostid_choose(&kLab, a, 2, &i, NULL), HOSTID_NEW);
    /* The CSV collected first: its systeminfo takes its host over. */
    assert_int_equal(hostid_choose(&kLab, &kCsv, 1, &i, NULL), HOSTID_SAME);
    assert_int_equal(i, 0);
}

static void test_machine_id(void **state)
{
    hostid_facts_t a[2] = {{"PC01", "CORP", "{A}"}, {"PC01", "", ""}};
    hostid_facts_t s = {"PC99", "OTHER", "{A}"};
    size_t i = 9;
    (void)state;
    /* The same machine id is proof even after a rename and a domain move. */
    assert_int_equal(hostid_choose(&s, a, 2, &i, NULL), HOSTID_SAME);
    assert_int_equal(i, 0);
    /* Another machine id of the same name and domain is another machine (re-imaged or cloned
     * names): not merged. */
    s.zName = "PC01";
    s.zDomain = "CORP";
    s.zMachineId = "{B}";
    assert_int_equal(hostid_choose(&s, a, 1, &i, NULL), HOSTID_NEW);
    /* A scan with an id takes over a name-only host of its domain-less past. */
    assert_int_equal(hostid_choose(&s, &a[1], 1, &i, NULL), HOSTID_SAME);
}


/* A host in CORP (NetBIOS) or corp.example.com (DNS) is the account of that domain; a name alone
 * joins only when one domain has it. */
static void test_dir_choose(void **state)
{
    const hostid_dir_t aTwo[2] = {{"corp.example.com", "CORP"}, {"lab.example.com", "LAB"}};
    const hostid_dir_t aSameNb[2] = {{"corp.example.com", "CORP"}, {"corp.other.org", "CORP"}};
    const hostid_dir_t aBare[1] = {{"", ""}};
    (void)state;
    assert_int_equal(hostid_dir_choose("CORP", aTwo, 2), 0);
    assert_int_equal(hostid_dir_choose("corp", aTwo, 2), 0);
    assert_int_equal(hostid_dir_choose("LAB.example.com", aTwo, 2), 1);
    assert_int_equal(hostid_dir_choose("OTHER", aTwo, 2), HOSTID_NONE);
    /* never by name alone across domains */
    assert_int_equal(hostid_dir_choose("", aTwo, 2), HOSTID_NONE);
    assert_int_equal(hostid_dir_choose(NULL, aTwo, 1), 0);
    assert_int_equal(hostid_dir_choose("WORKGROUP", aTwo, 1), HOSTID_NONE);
    /* the NetBIOS form of two DNS domains that share it decides nothing; the DNS form does */
    assert_int_equal(hostid_dir_choose("CORP", aSameNb, 2), HOSTID_NONE);
    assert_int_equal(hostid_dir_choose("corp.other.org", aSameNb, 2), 1);
    assert_int_equal(hostid_dir_choose("CORP", aBare, 1), 0);
    assert_int_equal(hostid_dir_choose("CORP", NULL, 0), HOSTID_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conflict),
        cmocka_unit_test(test_dir_choose),
        cmocka_unit_test(test_domainless_scan_of_two_hosts_is_kept_apart),
        cmocka_unit_test(test_domainless_scan_of_one_host_merges),
        cmocka_unit_test(test_domain_scan),
        cmocka_unit_test(test_machine_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
