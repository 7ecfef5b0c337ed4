/* bench_check.c: `kbsentry check FILE` of one Get-HotFix CSV of many hosts (40,000 by default,
 * one row each: 3.5 MB): the whole command, and the joining of the hosts alone (chk_set_add).
 *
 * Measured (linux preset, 2 shared cores, wall times vary with the load; Ir from callgrind):
 *   whole `kbsentry check` of 40,000 hosts: before (a linear search per host, arrays grown by one)
 *   115.8 s wall, 37.7 s user; after (hashed names, doubling) 9.6 s wall, 2.2 s user.
 *   joining 5,000 hosts: before 3.48 G Ir in merge_same_host alone; after 8.2 M Ir
 *   (chk_set_add + chk_set_join); 40,000 hosts: 59.4 M Ir. What is left of the command is
 *   the rendering of 40,000 host reports (rep_render_check, about 0.34 M Ir a host). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chk.h"
#include "cli.h"
#include "collect.h"
#include "imp.h"
#include "kbs_err.h"
#include "plat.h"

/* Writes a Get-HotFix CSV of nHost hosts, nRow rows each, to zPath. Returns 0 or -1. */
static int bench_write_csv(const char *zPath, unsigned nHost, unsigned nRow)
{
    static const char *const azKb[3] = {"KB4012212", "KB976902", "KB2999226"};
    FILE *f = plat_fopen(zPath, "wb");
    unsigned i, k;
    if (!f) return -1;
    fputs("\"Source\",\"Description\",\"HotFixID\",\"InstalledBy\",\"InstalledOn\"\r\n", f);
    for (i = 0; i < nHost; i++)
        for (k = 0; k < nRow; k++)
            fprintf(f, "\"PC-%06u\",\"Security Update\",\"%s\",\"NT AUTHORITY\\SYSTEM\",\"3/%u/2017 12:00:00 AM\"\r\n",
                    i, azKb[k % 3], 10 + k % 3);
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *zPath = NULL;
    char zDefault[512], zErr[600], zKind[24];
    unsigned nHost = 40000, nRow = 1;
    int i, bJoinOnly = 0, ex;
    double t0, t1;
    clock_t c0, c1;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc) nHost = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "-r") && i + 1 < argc) nRow = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) zPath = argv[++i];
        else if (!strcmp(argv[i], "--join-only")) bJoinOnly = 1;
        else {
            fprintf(stderr, "usage: bench_check [-n HOSTS] [-r ROWS_PER_HOST] [-o CSV] [--join-only]\n");
            return 2;
        }
    }
    if (!zPath) {
        snprintf(zDefault, sizeof zDefault, "bench_check_%u.csv", nHost);
        zPath = zDefault;
    }
    if (bench_write_csv(zPath, nHost, nRow ? nRow : 1)) {
        fprintf(stderr, "bench_check: cannot write %s\n", zPath);
        return 1;
    }
    {
        /* The join alone: the file's hosts added one by one, as check does. */
        snap_t *aSnap = NULL;
        size_t nSnap = 0, k;
        chk_set_t set;
        if (coll_read_input(zPath, 0, &aSnap, &nSnap, zKind, sizeof zKind, NULL, zErr, sizeof zErr)) {
            fprintf(stderr, "%s\n", zErr);
            return 1;
        }
        chk_set_init(&set);
        t0 = plat_now_ms();
        c0 = clock();
        for (k = 0; k < nSnap; k++)
            if (chk_set_add(&set, &aSnap[k], zPath)) return 1;
        if (chk_set_join(&set, stderr)) return 1;
        t1 = plat_now_ms();
        c1 = clock();
        printf("check join: %u hosts: %.1f ms wall, %.1f ms CPU, %lu hosts joined\n", nHost, t1 - t0,
               (double)(c1 - c0) * 1e3 / CLOCKS_PER_SEC, (unsigned long)set.n);
        chk_set_release(&set);
        imp_free_snaps(aSnap, nSnap);
    }
    if (!bJoinOnly) {
        plat_stat_t ps;
        char *av[] = {"kbsentry", "check", "--stale", "0", (char *)zPath, NULL};
        FILE *out = plat_fopen(
#ifdef _WIN32
            "NUL",
#else
            "/dev/null",
#endif
            "wb");
        if (!out || plat_stat(zPath, &ps)) return 1;
        t0 = plat_now_ms();
        c0 = clock();
        ex = cli_main(5, av, out, stderr);
        t1 = plat_now_ms();
        c1 = clock();
        fclose(out);
        printf("check FILE: %u hosts, %ld bytes: %.1f ms wall, %.1f ms CPU, exit %d\n", nHost,
               (long)ps.size, t1 - t0, (double)(c1 - c0) * 1e3 / CLOCKS_PER_SEC, ex);
    }
    remove(zPath);
    return 0;
}
