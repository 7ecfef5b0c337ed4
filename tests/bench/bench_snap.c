/* bench_snap.c: snapshot parse and write speed on a realistic 200-hotfix XP snapshot (MB/s). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kbs_err.h"
#include "plat.h"
#include "snap.h"

int main(int argc, char **argv)
{
    snap_t s, p;
    char *z = NULL, zKb[32];
    size_t n = 0;
    int i, nIter = argc > 1 ? atoi(argv[1]) : 20000;
    double t0, t1, t2;
    clock_t c1, c2; /* CPU time too: on a shared machine the wall clock counts other work */
    ver_t v;

    snap_init(&s);
    strcpy(s.zOrigin, "agent");
    strcpy(s.zHost, "PC-04711");
    strcpy(s.zDomain, "POLICE");
    strcpy(s.zMachineId, "{6F1A2B3C-0000-4D5E-8F90-ABCDEF012345}");
    strcpy(s.zAgentVersion, "0.1.0");
    s.scanTime = 1494662400;
    s.osKnown = 1;
    s.os.major = 5, s.os.minor = 1, s.os.build = 2600, s.os.sp_major = 3, s.os.sp_known = 1;
    s.os.product_type = OS_PT_WORKSTATION;
    s.os.arch = OS_ARCH_X86;
    strcpy(s.os.zProductName, "Microsoft Windows XP Professional");
    strcpy(s.os.zCsdVersion, "Service Pack 3");
    snap_add_source(&s, "wmi-os", 1, NULL);
    snap_add_source(&s, "wmi-qfe", 1, NULL);
    snap_add_source(&s, "reg-updates", 1, NULL);
    snap_add_source(&s, "reg-hotfix", 1, NULL);
    for (i = 0; i < 200; i++) {
        snprintf(zKb, sizeof zKb, "KB%u", 950000 + (unsigned)i * 15731);
        snap_add_hotfix(&s, zKb, SNAP_SRC_QFE | SNAP_SRC_UPDATES | SNAP_SRC_HOTFIX, "2016-11-08", -1);
    }
    ver_parse("5.1.2600.7208", &v);
    snap_add_file(&s, "C:\\WINDOWS\\system32\\drivers\\srv.sys", 1, &v, "");
    snap_add_file(&s, "C:\\WINDOWS\\system32\\netapi32.dll", 1, &v, "");

    t0 = (plat_now_ms() / 1e3);
    for (i = 0; i < nIter; i++) {
        free(z);
        if (snap_write(&s, &z, &n) != KBS_OK) return 1;
    }
    t1 = (plat_now_ms() / 1e3);
    c1 = clock();
    for (i = 0; i < nIter; i++) {
        if (snap_parse(z, n, &p, NULL) != KBS_OK) {
            fprintf(stderr, "bench_snap: parse failed\n");
            return 1;
        }
        snap_release(&p);
    }
    t2 = (plat_now_ms() / 1e3);
    c2 = clock();
    printf("snapshot: %zu bytes, 200 hotfixes, %d iterations\n", n, nIter);
    printf("write: %.1f MB/s (%.1f us per snapshot)\n", n * (double)nIter / (t1 - t0) / 1e6,
           (t1 - t0) / nIter * 1e6);
    printf("parse: %.1f MB/s (%.1f us per snapshot; target >= 200 MB/s)\n",
           n * (double)nIter / (t2 - t1) / 1e6, (t2 - t1) / nIter * 1e6);
    if (c2 > c1)
        printf("parse (CPU time): %.1f MB/s (%.1f us per snapshot)\n",
               n * (double)nIter / ((double)(c2 - c1) / CLOCKS_PER_SEC) / 1e6,
               (double)(c2 - c1) / CLOCKS_PER_SEC / nIter * 1e6);
    free(z);
    snap_release(&s);
    return 0;
}
