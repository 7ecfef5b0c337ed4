/* bench_kbbuild.c: cost of the KB -> OS build lookups, alone and inside the verdicts of agentless
 * Windows 10 / 11 machines (no UBR in the input: the table gives the build). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "kbbuild.h"
#include "kbs_err.h"
#include "plat.h"
#include "snap.h"
#include "verdict.h"

#define N_HOST 2000

/* A systeminfo list of a Windows 10 / 11 machine: servicing stack and .NET updates (not in the
 * table) and the newest cumulative update. */
static const struct {
    uint32_t build;
    const char *zKbs;
} aKind[] = {
    {19045, "KB5011048 KB5015684 KB5062554 KB5063261 KB5005716"},
    {19044, "KB5011048 KB5087544 KB5031539"},
    {18363, "KB4537759 KB4528759 KB4541338 KB4541335"},
    {26100, "KB5062660 KB5054979"},
    {14393, "KB4049065 KB4486129 KB5066836"},
    {17763, "KB4470788 KB4486153 KB5065428 KB5066187"},
};

static void build_host(snap_t *s, size_t iKind, int bUbr)
{
    char zBuf[128], *z;
    snap_init(s);
    snprintf(s->zOrigin, sizeof s->zOrigin, "systeminfo");
    s->osKnown = 1;
    s->os.major = 10, s->os.build = aKind[iKind].build;
    s->os.product_type = OS_PT_WORKSTATION, s->os.arch = OS_ARCH_X64;
    if (bUbr) s->os.ubr = 1000;
    snap_add_source(s, "systeminfo", 1, NULL);
    snprintf(zBuf, sizeof zBuf, "%s", aKind[iKind].zKbs);
    for (z = strtok(zBuf, " "); z; z = strtok(NULL, " "))
        snap_add_hotfix(s, z, SNAP_SRC_QFE, NULL, -1);
}

static double fleet_us(const cat_t *c, snap_t *aHost, int nRound)
{
    verdict_t aV[CAT_RULE_MAX];
    double t0 = plat_now_ms();
    int r;
    size_t i;
    for (r = 0; r < nRound; r++)
        for (i = 0; i < N_HOST; i++) verdict_eval(c, &aHost[i], aV, CAT_RULE_MAX);
    return (plat_now_ms() - t0) * 1e3 / ((double)N_HOST * nRound);
}

int main(int argc, char **argv)
{
    const kbbuild_ent_t *aAll, *aLine[512];
    size_t nAll = kbbuild_all(&aAll), i;
    int nRound = argc > 1 ? atoi(argv[1]) : 200, r;
    unsigned long long sum = 0;
    double t0, t1;
    cat_t c;
    snap_t *aHost;
    size_t nKind = sizeof aKind / sizeof aKind[0];

    if (nRound <= 0 || cat_load_default(&c) != KBS_OK) return 1;
    printf("bench_kbbuild: %u table entries, %d rounds\n", (unsigned)nAll, nRound);

    /* Every (KB, build) of the table, then as many KBs it does not hold (SSU, .NET numbers). */
    t0 = plat_now_ms();
    for (r = 0; r < nRound; r++)
        for (i = 0; i < nAll; i++) sum += kbbuild_ubr(aAll[i].kb, aAll[i].build);
    t1 = plat_now_ms();
    printf("  kbbuild_ubr, known KB:   %7.1f ns per lookup, target <= 200 ns\n",
           (t1 - t0) * 1e6 / ((double)nAll * nRound));
    t0 = plat_now_ms();
    for (r = 0; r < nRound; r++)
        for (i = 0; i < nAll; i++) sum += kbbuild_ubr(4000000u + (uint32_t)i * 997u, 19045);
    t1 = plat_now_ms();
    printf("  kbbuild_ubr, unknown KB: %7.1f ns per lookup, target <= 200 ns\n",
           (t1 - t0) * 1e6 / ((double)nAll * nRound));
    t0 = plat_now_ms();
    for (r = 0; r < nRound; r++) sum += kbbuild_line(19045, aLine, 512);
    t1 = plat_now_ms();
    printf("  kbbuild_line(19045):     %7.1f us per call (derive only)\n", (t1 - t0) * 1e3 / nRound);

    /* The verdict engine: the same agentless machines without and with a UBR in the input. */
    aHost = calloc(N_HOST, sizeof *aHost);
    if (!aHost) return 1;
    for (i = 0; i < N_HOST; i++) build_host(&aHost[i], i % nKind, 0);
    printf("  verdict_eval, agentless 10/11, build from KBs: %6.2f us per host (%u rules)\n",
           fleet_us(&c, aHost, nRound / 20 + 1), (unsigned)c.nRule);
    for (i = 0; i < N_HOST; i++) snap_release(&aHost[i]), build_host(&aHost[i], i % nKind, 1);
    printf("  verdict_eval, same hosts with a UBR:           %6.2f us per host\n", fleet_us(&c, aHost, nRound / 20 + 1));
    for (i = 0; i < N_HOST; i++) snap_release(&aHost[i]);
    free(aHost);
    cat_release(&c);
    return sum == 0; /* keeps the lookups from being optimised away */
}
