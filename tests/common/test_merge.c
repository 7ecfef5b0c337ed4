/* test_merge.c: one machine's facts joined from several inputs (merge_into), and cut host names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "kbs_err.h"
#include "merge.h"

/* A systeminfo list cut short and the QFE list of the same machine, in both orders: complete
 * only when the QFE list is complete and has at least the hotfixes systeminfo counts. */
static void test_merge_completeness(void **state)
{
    static const struct {
        uint32_t nQfe;
        int bQfeComplete, want;
    } aCase[] = {{5, 1, 1}, {6, 1, 1}, {4, 1, 0}, {5, 0, 0}};
    size_t k;
    int order;
    (void)state;
    for (k = 0; k < sizeof aCase / sizeof aCase[0]; k++)
        for (order = 0; order < 2; order++) {
            snap_t si, qfe, *pA, *pB;
            uint32_t i;
            char zKb[16];
            snap_init(&si);
            snap_init(&qfe);
            si.osKnown = 1;
            si.hotfixesComplete = 0;
            si.nHotfixCounted = 5;
            snprintf(si.zHotfixNote, sizeof si.zHotfixNote, "systeminfo lists 2 of the 5 hotfixes");
            for (i = 0; i < 2; i++) {
                snprintf(zKb, sizeof zKb, "KB10%u", (unsigned)i);
                assert_int_equal(snap_add_hotfix(&si, zKb, SNAP_SRC_SYSTEMINFO, NULL, -1), KBS_OK);
            }
            for (i = 0; i < aCase[k].nQfe; i++) {
                snprintf(zKb, sizeof zKb, "KB10%u", (unsigned)i);
                assert_int_equal(snap_add_hotfix(&qfe, zKb, SNAP_SRC_QFE, NULL, -1), KBS_OK);
            }
            qfe.hotfixesComplete = aCase[k].bQfeComplete;
            if (!qfe.hotfixesComplete) snprintf(qfe.zHotfixNote, sizeof qfe.zHotfixNote, "x");
            pA = order ? &qfe : &si;
            pB = order ? &si : &qfe;
            assert_int_equal(merge_into(pA, pB), KBS_OK);
            assert_int_equal(pA->nHotfix, aCase[k].nQfe > 2 ? aCase[k].nQfe : 2);
            assert_int_equal(pA->hotfixesComplete, aCase[k].want);
            assert_int_equal(pA->zHotfixNote[0] == 0, aCase[k].want);
            assert_int_equal(pA->nHotfixCounted, 5);
            snap_release(&si);
            snap_release(&qfe);
        }
}

/* Dates, files, OS facts and the origin travel with the join, whichever input comes first. */
static void test_merge_keeps_facts(void **state)
{
    snap_t si, hf;
    (void)state;
    snap_init(&si);
    snap_init(&hf);
    snprintf(si.zOrigin, sizeof si.zOrigin, "systeminfo");
    snprintf(hf.zOrigin, sizeof hf.zOrigin, "qfe-csv");
    si.osKnown = 1;
    si.os.major = 10, si.os.build = 19045;
    snprintf(si.zDomain, sizeof si.zDomain, "METRO");
    assert_int_equal(snap_add_hotfix(&si, "KB5011048", SNAP_SRC_SYSTEMINFO, NULL, -1), KBS_OK);
    assert_int_equal(snap_add_hotfix(&hf, "KB5011048", SNAP_SRC_QFE, "2022-02-15", -1), KBS_OK);
    assert_int_equal(snap_add_hotfix(&hf, "KB5099999", SNAP_SRC_QFE, "2026-08-11", -1), KBS_OK);
    hf.scanTime = 1000;
    assert_int_equal(merge_into(&hf, &si), KBS_OK);
    assert_int_equal(hf.osKnown, 1);
    assert_int_equal(hf.os.build, 19045);
    assert_string_equal(hf.zDomain, "METRO");
    assert_string_equal(hf.zOrigin, "qfe-csv+systeminfo");
    assert_int_equal(hf.nHotfix, 2);
    assert_string_equal(hf.aHotfix[0].zInstalled, "2022-02-15");
    assert_int_equal(hf.aHotfix[0].sources, SNAP_SRC_QFE | SNAP_SRC_SYSTEMINFO);
    assert_int_equal(hf.scanTime, 1000);
    snap_release(&si);
    snap_release(&hf);
}

/* A console table's cut cell fits the whole names it starts (case ignored); nothing else does. */
static void test_cut_names(void **state)
{
    (void)state;
    assert_int_equal(merge_cut_len("WS-PC0..."), 6);
    assert_int_equal(merge_cut_len("WS-PC01"), 0);
    assert_int_equal(merge_cut_len("..."), 0);
    assert_true(merge_cut_fits("WS-PC0...", "WS-PC01"));
    assert_true(merge_cut_fits("ws-pc0...", "WS-PC02"));
    assert_true(merge_cut_fits("WS-PC0...", "ws-pc0"));
    assert_false(merge_cut_fits("WS-PC0...", "WS-PC"));
    assert_false(merge_cut_fits("WS-PC0...", "WS-PC0..."));
    assert_false(merge_cut_fits("WS-PC01", "WS-PC01"));
    assert_false(merge_cut_fits("WS-PC0...", "XWS-PC01"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_completeness),
        cmocka_unit_test(test_merge_keeps_facts),
        cmocka_unit_test(test_cut_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
