/* sched.h: scan scheduling arithmetic (random start delay, jittered interval, debounce); no Win32. */
#ifndef KBS_SCHED_H
#define KBS_SCHED_H

#include <stdint.h>

#define SCHED_JITTER_PCT 10u           /* the interval varies by +-10% */
#define SCHED_DEBOUNCE_MS 60000u       /* a hotfix key change scans 60 s after the last change */
#define SCHED_DEBOUNCE_CAP_MS 600000u  /* ... but at most 10 min after the first one */

/* sched_seed / sched_next: a small PRNG (splitmix64). Any 64-bit seed is fine; machines booting
 * together must seed differently (the caller mixes in time, pid and machine name). */
void sched_seed(uint64_t *pState, uint64_t seed);
uint32_t sched_next(uint64_t *pState);

/* sched_start_delay_ms: the first scan's delay, uniform in [0, maxSec * 1000] ms. */
uint32_t sched_start_delay_ms(uint32_t r, unsigned maxSec);

/* sched_interval_ms: minutes * 60000 ms +- SCHED_JITTER_PCT %, uniform, from random r. */
uint64_t sched_interval_ms(unsigned minutes, uint32_t r);

/* sched_debounce_ms: how long to wait after a change seen msSinceFirst ms after the first change
 * of a burst: SCHED_DEBOUNCE_MS, shortened so the scan comes at most SCHED_DEBOUNCE_CAP_MS after
 * the first change (a long Windows Update run must not postpone the scan for ever). */
uint32_t sched_debounce_ms(uint32_t msSinceFirst);

/* sched_backoff_ms: the drop-share retry delay after nFail consecutive failures (1 -> 30 s,
 * doubling, capped at 1 h), with up to 25% random extra from r so a fleet does not retry in step. */
uint32_t sched_backoff_ms(unsigned nFail, uint32_t r);

#endif
