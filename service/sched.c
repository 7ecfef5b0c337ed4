/* sched.c: scan scheduling arithmetic: random start delay, jittered interval, debounce, backoff. */
#include "sched.h"

void sched_seed(uint64_t *pState, uint64_t seed)
{
    *pState = seed;
}

uint32_t sched_next(uint64_t *pState)
{
    uint64_t z = (*pState += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

uint32_t sched_start_delay_ms(uint32_t r, unsigned maxSec)
{
    uint64_t span = (uint64_t)maxSec * 1000u + 1u;
    return (uint32_t)(r % span);
}

uint64_t sched_interval_ms(unsigned minutes, uint32_t r)
{
    uint64_t base = (uint64_t)minutes * 60000u;
    uint64_t jit = base * SCHED_JITTER_PCT / 100u;
    return base - jit + (uint64_t)r % (2u * jit + 1u);
}

uint32_t sched_debounce_ms(uint32_t msSinceFirst)
{
    uint32_t left;

    if (msSinceFirst >= SCHED_DEBOUNCE_CAP_MS) return 0;
    left = SCHED_DEBOUNCE_CAP_MS - msSinceFirst;
    return left < SCHED_DEBOUNCE_MS ? left : SCHED_DEBOUNCE_MS;
}

uint32_t sched_backoff_ms(unsigned nFail, uint32_t r)
{
    uint32_t ms = 30000u, cap = 3600000u;
    unsigned i;

    for (i = 1; i < nFail && ms < cap; i++) ms *= 2;
    if (ms > cap) ms = cap;
    return ms + r % (ms / 4u + 1u);
}
