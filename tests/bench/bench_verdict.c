/* bench_verdict.c: microseconds per host to evaluate every rule of the built-in catalog, over a
 * mix of XP, 7, 8.1 and 10 machines with realistic hotfix counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "kbs_err.h"
#include "plat.h"
#include "snap.h"
#include "verdict.h"

/* One kind of machine: OS facts, how many unrelated hotfixes it carries, its fixing KB (or none)
 * and its proof file version (or none). */
static const struct {
    const char *zName;
    uint32_t major, minor, build, ubr, sp;
    os_ptype_t pt;
    int nNoise;
    const char *zFixKb;
    const char *zSrvSys;
} aKind[] = {
    {"XP SP3, patched, file proof", 5, 1, 2600, 0, 3, OS_PT_WORKSTATION, 160, "KB4012598", "5.1.2600.7208"},
    {"XP SP3, missing", 5, 1, 2600, 0, 3, OS_PT_WORKSTATION, 140, NULL, "5.1.2600.5512"},
    {"XP SP2", 5, 1, 2600, 0, 2, OS_PT_WORKSTATION, 90, NULL, NULL},
    {"7 SP1, rollup, no file", 6, 1, 7601, 0, 1, OS_PT_WORKSTATION, 320, "KB4019264", NULL},
    {"7 SP1, KB but old srv.sys", 6, 1, 7601, 0, 1, OS_PT_WORKSTATION, 300, "KB4012212", "6.1.7601.17514"},
    {"8.1, rollup, file proof", 6, 3, 9600, 0, 0, OS_PT_WORKSTATION, 220, "KB4012216", "6.3.9600.18604"},
    {"10 1607, UBR", 10, 0, 14393, 953, 0, OS_PT_WORKSTATION, 25, NULL, NULL},
    {"11 24H2", 10, 0, 26100, 2605, 0, OS_PT_WORKSTATION, 12, NULL, NULL},
};

#define N_HOST 4000
#define N_ROUND 25

static void build_host(snap_t *s, size_t iKind, unsigned seed)
{
    char z[32];
    int i;
    snap_init(s);
    s->osKnown = 1;
    s->os.major = aKind[iKind].major, s->os.minor = aKind[iKind].minor;
    s->os.build = aKind[iKind].build, s->os.ubr = aKind[iKind].ubr;
    s->os.sp_major = aKind[iKind].sp, s->os.sp_known = 1;
    s->os.product_type = aKind[iKind].pt, s->os.arch = OS_ARCH_X86;
    snap_add_source(s, "wmi-qfe", 1, NULL);
    snap_add_source(s, "reg-hotfix", 1, NULL);
    /* The agent's workaround facts (snapshot 1.1): every mitigation line gets looked at; every
     * other host has the SMBv1 server off. */
    snprintf(s->zOrigin, sizeof s->zOrigin, "agent");
    snap_add_fact(s, "LanmanServer.SMB1", seed & 1 ? "0" : "absent", NULL);
    snap_add_fact(s, "PointAndPrint.NoWarningNoElevationOnInstall", "absent", NULL);
    snap_add_fact(s, "RDP-Tcp.UserAuthentication", "1", NULL);
    snap_add_fact(s, "Spooler.Start", "2", NULL);
    snap_add_fact(s, "HKCR.ms-msdt", "present", NULL);
    for (i = 0; i < aKind[iKind].nNoise; i++) {
        /* Unrelated KBs spread over the range real machines carry. */
        seed = seed * 1103515245u + 12345u;
        snprintf(z, sizeof z, "KB%u", 2000000u + (seed >> 8) % 3000000u);
        snap_add_hotfix(s, z, SNAP_SRC_QFE, NULL, -1);
    }
    if (aKind[iKind].zFixKb) snap_add_hotfix(s, aKind[iKind].zFixKb, SNAP_SRC_QFE, NULL, -1);
    if (aKind[iKind].zSrvSys) {
        ver_t v;
        ver_parse(aKind[iKind].zSrvSys, &v);
        snap_add_file(s, "%SystemRoot%\\System32\\drivers\\srv.sys", 1, &v, NULL);
        snap_add_file(s, "%SystemRoot%\\System32\\netapi32.dll", 1, &v, NULL);
        snap_add_file(s, "%SystemRoot%\\System32\\drivers\\termdd.sys", 1, &v, NULL);
    }
}

int main(void)
{
    cat_t c;
    snap_t *aHost;
    verdict_t aV[64];
    size_t i, k, nKind = sizeof aKind / sizeof aKind[0];
    double t0, t1, usAll;
    unsigned long aCount[VERDICT_COUNT] = {0};
    int r, nHotfix = 0;

    if (cat_load_default(&c) != KBS_OK || c.nRule > sizeof aV / sizeof aV[0]) {
        fprintf(stderr, "bench_verdict: built-in catalog does not load\n");
        return 1;
    }
    aHost = calloc(N_HOST, sizeof *aHost);
    if (!aHost) return 1;
    for (i = 0; i < N_HOST; i++) {
        build_host(&aHost[i], i % nKind, (unsigned)i * 2654435761u);
        nHotfix += (int)aHost[i].nHotfix;
    }

    printf("bench_verdict: %u rules, %d hosts (%d hotfixes on average), %d rounds\n", (unsigned)c.nRule,
           N_HOST, nHotfix / N_HOST, N_ROUND);
    t0 = (plat_now_ms() * 1e3);
    for (r = 0; r < N_ROUND; r++) {
        for (i = 0; i < N_HOST; i++) {
            int n = verdict_eval(&c, &aHost[i], aV, sizeof aV / sizeof aV[0]);
            if (r == 0)
                for (k = 0; k < (size_t)n; k++) aCount[aV[k].status]++;
        }
    }
    t1 = (plat_now_ms() * 1e3);
    usAll = (t1 - t0) / ((double)N_HOST * N_ROUND);
    printf("  all rules, mixed fleet: %.2f us per host (%.3f us per rule), target <= 20 us\n", usAll,
           usAll / (double)c.nRule);
    for (k = 0; k < VERDICT_COUNT; k++)
        printf("    %-12s %lu\n", verdict_status_name((verdict_status_t)k), aCount[k]);

    /* Per kind of machine: the worst case is the one with the most hotfixes. */
    for (k = 0; k < nKind; k++) {
        double tk0 = (plat_now_ms() * 1e3);
        for (r = 0; r < N_ROUND * 4; r++) verdict_eval(&c, &aHost[k], aV, sizeof aV / sizeof aV[0]);
        printf("  %-28s %6.2f us per host (%u hotfixes)\n", aKind[k].zName,
               ((plat_now_ms() * 1e3) - tk0) / (N_ROUND * 4), (unsigned)aHost[k].nHotfix);
    }
    for (i = 0; i < N_HOST; i++) snap_release(&aHost[i]);
    free(aHost);
    cat_release(&c);
    return 0;
}
