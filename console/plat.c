/* plat.c: the parts of the platform layer that are the same on every OS, built on plat_*.c. */
#include "plat.h"

#include <stdlib.h>

int plat_read_file(const char *zPath, size_t nMax, char **pzOut, size_t *pnOut)
{
    size_t nCap = 0;
    int rc;
    *pzOut = NULL;
    rc = plat_read_file_buf(zPath, nMax, pzOut, &nCap, pnOut);
    if (rc) {
        free(*pzOut);
        *pzOut = NULL;
    }
    return rc;
}
