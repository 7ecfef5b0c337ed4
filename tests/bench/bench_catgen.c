/* bench_catgen.c: catalog derive time on generated Supersedes chains of 16k-90k KBs (target:
 * linear). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catgen.h"
#include "kbs_err.h"
#include "plat.h"

/* Target: the derive of one chain grows about linearly with its length (the closure and the
 * loop check visit each KB and Supersedes edge once; sorting adds log n): 90k KBs well under a
 * second of CPU. Before, 16k took 6.9 s, 32k 26 s, 64k 84 s (quadratic). */
static int bench_chain(unsigned nKb)
{
    static const char zH[] =
        "\"DatePosted\",\"CVE\",\"BulletinKB\",\"Title\",\"AffectedProduct\","
        "\"AffectedComponent\",\"Severity\",\"Impact\",\"Supersedes\",\"Exploits\"\n";
    static const char *const azCve[] = {"CVE-2017-0144"};
    size_t nCap = sizeof zH + (size_t)nKb * 128, n;
    char *z = malloc(nCap);
    catgen_data_t d;
    catgen_err_t e;
    catgen_res_t r;
    unsigned i;
    double t0, t1;
    clock_t c0, c1;
    int rc;
    if (!z) return 1;
    /* The order that made the old closure quadratic: each KB supersedes the next higher one,
     * the fix is the highest. */
    n = (size_t)snprintf(z, nCap, "%s", zH);
    for (i = 0; i < nKb; i++)
        n += (size_t)snprintf(z + n, nCap - n,
                              "\"20170314\",\"%s\",\"%u\",\"t\",\"Windows 10 Version 1607 for "
                              "x64-based Systems\",\"k\",\"\","
                              "\"\",\"%u\",\n",
                              i == nKb - 1 ? "CVE-2017-0144" : "CVE-2017-1", 1000000 + i,
                              1000000 + i + 1);
    if (catgen_data_read(z, n, "chain.csv", &d, &e) != KBS_OK) {
        fprintf(stderr, "bench_catgen: %u: %s\n", e.line, e.zReason);
        free(z);
        return 1;
    }
    t0 = plat_now_ms();
    c0 = clock();
    rc = catgen_derive(&d, azCve, 1, NULL, 0, &r, &e);
    c1 = clock();
    t1 = plat_now_ms();
    printf("derive, chain of %6u KBs: %8.1f ms wall, %8.1f ms CPU, %u KBs listed (rc %d)\n", nKb,
           t1 - t0, (double)(c1 - c0) * 1000.0 / CLOCKS_PER_SEC,
           r.nPlat ? (unsigned)r.aPlat[0].nKb : 0u, rc);
    catgen_res_release(&r);
    catgen_data_release(&d);
    free(z);
    return rc != KBS_OK;
}

int main(int argc, char **argv)
{
    static const unsigned aN[] = {16000, 32000, 64000, 90000};
    size_t i;
    int rc = 0;
    if (argc > 1) return bench_chain((unsigned)atoi(argv[1]));
    for (i = 0; i < sizeof aN / sizeof aN[0]; i++)
        rc |= bench_chain(aN[i]);
    return rc;
}
