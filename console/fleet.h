/* fleet.h: synthetic fleets of agent snapshots (the 2015 and 2017 police fleets) for benchmarks and demos. */
#ifndef KBS_FLEET_H
#define KBS_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "snap.h"

typedef enum fleet_mix {
    FLEET_MIX_2015 = 0,      /* 35,640 Windows XP SP3 desktops, scanned in June 2015 */
    FLEET_MIX_2017,          /* 18,293 XP SP3 + 14,450 Windows 8.1 + 8 Windows 10, May 2017 */
} fleet_mix_t;

#define FLEET_N_2015 35640
#define FLEET_N_2017 32751

/* What a generated fleet holds (counted by fleet_host). */
typedef struct fleet_stats {
    size_t nHost, nXp, nXpSp2, n81, n10;
    size_t nMissing17010;    /* vulnerable to MS17-010 with a fix available */
    size_t nStale;           /* last scanned more than 30 days before the fleet's date */
    size_t nLevel;           /* distinct patch levels used */
    uint64_t nByte;          /* bytes of snapshot files written */
} fleet_stats_t;

/* fleet_mix_from_name: "2015" / "2017" -> mix; -1 when unknown. */
int fleet_mix_from_name(const char *zName);

/* fleet_default_n: the fleet's real size (35,640 or 32,751). */
size_t fleet_default_n(fleet_mix_t mix);

/* fleet_now: the date the fleet is generated "at" (Unix seconds): reports use it to judge staleness. */
int64_t fleet_now(fleet_mix_t mix);

/* fleet_host: host i (0 <= i < n) of a fleet of n as an agent snapshot in *s (snap_init'ed here;
 * free with snap_release). The same (i, n, mix, seed) always gives the same host: managed
 * fleets share a few dozen patch levels, some machines miss MS17-010, some XP machines are
 * still on SP2 (unpatchable), some have not reported for months. pSt (may be NULL) is updated.
 * Returns KBS_OK or KBS_ENOMEM. */
int fleet_host(size_t i, size_t n, fleet_mix_t mix, uint32_t seed, snap_t *s, fleet_stats_t *pSt);

/* fleet_generate: writes n snapshot files under zDir (created if needed) in per-site folders.
 * Returns KBS_OK or the first error (KBS_EIO, KBS_ENOMEM, ...). */
int fleet_generate(const char *zDir, size_t n, fleet_mix_t mix, uint32_t seed, fleet_stats_t *pSt);

/* fleet_generate_at: fleet_generate with every scan shift seconds later: the same machines
 * reporting again (a later round of agent scans). */
int fleet_generate_at(const char *zDir, size_t n, fleet_mix_t mix, uint32_t seed, int64_t shift,
                      fleet_stats_t *pSt);

#endif
