/* t_file.h: reads a whole test file into memory. */
#ifndef KBS_T_FILE_H
#define KBS_T_FILE_H

#include <stdio.h>
#include <stdlib.h>

/* The bytes of zPath, NUL-terminated, in a malloc'd buffer (*pn: its length); NULL when the
 * file cannot be opened or read. */
static inline char *t_file_read(const char *zPath, size_t *pn)
{
    FILE *f = fopen(zPath, "rb");
    char *z;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    z = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (z && fread(z, 1, (size_t)n, f) != (size_t)n) {
        free(z);
        z = NULL;
    }
    fclose(f);
    if (!z) return NULL;
    z[n] = 0;
    *pn = (size_t)n;
    return z;
}

/* What the open stream f holds from its start (flushed first), NUL-terminated, in a malloc'd
 * buffer (*pn: its length; pn may be NULL); NULL when out of memory. */
static inline char *t_file_slurp(FILE *f, size_t *pn)
{
    long n;
    size_t nRead;
    char *z;
    fflush(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    z = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!z) return NULL;
    nRead = fread(z, 1, (size_t)n, f);
    z[nRead] = 0;
    if (pn) *pn = nRead;
    return z;
}

#endif
