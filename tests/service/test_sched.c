/* test_sched.c: start delay, interval jitter, debounce and backoff arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sched.h"

static void test_start_delay_bounds(void **state)
{
    uint64_t rng;
    uint32_t lo = 0xFFFFFFFFu, hi = 0;
    int i;
    (void)state;
    sched_seed(&rng, 42);
    for (i = 0; i < 100000; i++) {
        uint32_t d = sched_start_delay_ms(sched_next(&rng), 120);
        assert_true(d <= 120000u);
        if (d < lo) lo = d;
        if (d > hi) hi = d;
    }
    /* Uniform over the whole window: a fleet really is spread over two minutes. */
    assert_true(lo < 1000u);
    assert_true(hi > 119000u);
    assert_int_equal(sched_start_delay_ms(0xFFFFFFFFu, 0), 0);
    assert_int_equal(sched_start_delay_ms(120000u, 120), 120000u);
    assert_int_equal(sched_start_delay_ms(120001u, 120), 0);
}

static void test_interval_jitter(void **state)
{
    uint64_t rng, sum = 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    int i, n = 100000;
    (void)state;
    sched_seed(&rng, 7);
    for (i = 0; i < n; i++) {
        uint64_t v = sched_interval_ms(360, sched_next(&rng));
        assert_true(v >= 19440000u); /* 324 min */
        assert_true(v <= 23760000u); /* 396 min */
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        sum += v;
    }
    assert_true(lo < 19440000u + 60000u);
    assert_true(hi > 23760000u - 60000u);
    /* Mean within 0.5% of 360 min. */
    assert_true(sum / (uint64_t)n > 21492000u && sum / (uint64_t)n < 21708000u);
    /* Extremes of r give the ends, never beyond, also for the largest interval. */
    assert_int_equal(sched_interval_ms(360, 0), 19440000u);
    assert_int_equal(sched_interval_ms(43200, 0xFFFFFFFFu) <= 43200ull * 60000u * 11 / 10, 1);
    assert_int_equal(sched_interval_ms(43200, 0) , 43200ull * 60000u * 9 / 10);
}

static void test_seeds_differ(void **state)
{
    uint64_t a, b;
    (void)state;
    sched_seed(&a, 1);
    sched_seed(&b, 2);
    assert_int_not_equal(sched_next(&a), sched_next(&b));
}

static void test_debounce(void **state)
{
    (void)state;
    assert_int_equal(sched_debounce_ms(0), 60000u);
    assert_int_equal(sched_debounce_ms(300000u), 60000u);
    assert_int_equal(sched_debounce_ms(570000u), 30000u);
    assert_int_equal(sched_debounce_ms(600000u), 0);
    assert_int_equal(sched_debounce_ms(0xFFFFFFFFu), 0);
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(sched_backoff_ms(1, 0), 30000u);
    assert_int_equal(sched_backoff_ms(2, 0), 60000u);
    assert_int_equal(sched_backoff_ms(3, 0), 120000u);
    assert_int_equal(sched_backoff_ms(8, 0), 3600000u);
    assert_int_equal(sched_backoff_ms(1000, 0), 3600000u);
    assert_true(sched_backoff_ms(1, 0xFFFFFFFFu) <= 30000u + 7500u);
    assert_true(sched_backoff_ms(1000, 0xFFFFFFFFu) <= 3600000u + 900000u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_delay_bounds), cmocka_unit_test(test_interval_jitter),
        cmocka_unit_test(test_seeds_differ),       cmocka_unit_test(test_debounce),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
