/* bench_imp.c: systeminfo reader cost per file over the given files (default: the test corpus). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imp.h"
#include "kbs_err.h"
#include "plat.h"

int main(int argc, char **argv)
{
    char *az[64];
    size_t an[64];
    int nFile = 0, i, k, nIter = 200, nOk = 0;
    double t0, t1;
    clock_t c0, c1;

    for (i = 1; i < argc && nFile < 64; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc) {
            nIter = atoi(argv[++i]);
            continue;
        }
        if (plat_read_file(argv[i], IMP_INPUT_MAX, &az[nFile], &an[nFile]) != KBS_OK) {
            fprintf(stderr, "bench_imp: cannot read %s\n", argv[i]);
            return 1;
        }
        nFile++;
    }
    if (!nFile) {
        fprintf(stderr, "usage: bench_imp [-n ITER] SYSTEMINFO_FILE...\n");
        return 0;
    }
    t0 = plat_now_ms();
    c0 = clock();
    for (k = 0; k < nIter; k++) {
        for (i = 0; i < nFile; i++) {
            snap_t s;
            if (imp_systeminfo_parse(az[i], an[i], &s, NULL) == KBS_OK) nOk++;
            snap_release(&s);
        }
    }
    t1 = plat_now_ms();
    c1 = clock();
    printf("systeminfo reader: %d files x %d: %.2f us/file wall, %.2f us/file CPU, %d read\n",
           nFile, nIter, (t1 - t0) * 1e3 / ((double)nFile * nIter),
           (double)(c1 - c0) * 1e6 / CLOCKS_PER_SEC / ((double)nFile * nIter), nOk / nIter);
    for (i = 0; i < nFile; i++)
        free(az[i]);
    return 0;
}
