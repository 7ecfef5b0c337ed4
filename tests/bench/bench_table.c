/* bench_table.c: the console-table reader on a large fleet table (default 80,000 hosts, one row
 * each, 2 MB, as `Get-HotFix -ComputerName (list)` prints it): wall and CPU time.
 * `bench_table --hosts N` for another size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imp.h"
#include "kbs_err.h"
#include "plat.h"

int main(int argc, char **argv)
{
    size_t nHost = 80000, i, o = 0, nAlloc, nSnap = 0;
    char *z;
    snap_t *aSnap = NULL;
    imp_err_t err;
    double t0, t1;
    clock_t c0, c1;
    int rc;

    for (i = 1; i + 1 < (size_t)argc; i++)
        if (!strcmp(argv[i], "--hosts")) nHost = (size_t)strtoul(argv[i + 1], NULL, 10);
    if (nHost == 0) nHost = 1;
    nAlloc = 256 + nHost * 32;
    z = malloc(nAlloc);
    if (!z) return 1;
    o += (size_t)snprintf(z + o, nAlloc - o,
                          "Source      HotFixID   \r\n------      --------   \r\n");
    for (i = 0; i < nHost; i++)
        o += (size_t)snprintf(z + o, nAlloc - o, "WS-%07lu  KB4012212  \r\n", (unsigned long)i);
    t0 = plat_now_ms();
    c0 = clock();
    rc = imp_table_parse(z, o, &aSnap, &nSnap, &err);
    c1 = clock();
    t1 = plat_now_ms();
    if (rc) {
        fprintf(stderr, "bench_table: line %u: %s\n", err.line, err.zReason);
        free(z);
        return 1;
    }
    printf("table reader: %lu hosts, %.2f MB: %.1f ms wall, %.1f ms CPU, %lu hosts read\n",
           (unsigned long)nHost, (double)o / 1e6, t1 - t0, (double)(c1 - c0) * 1e3 / CLOCKS_PER_SEC,
           (unsigned long)nSnap);
    imp_free_snaps(aSnap, nSnap);
    free(z);
    return 0;
}
