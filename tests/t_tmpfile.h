/* t_tmpfile.h: a temporary file for the tests, on Linux and under Wine. */
#ifndef KBS_T_TMPFILE_H
#define KBS_T_TMPFILE_H

#include <stdio.h>
#include <stdlib.h>
#ifdef _WIN32
#include <process.h>
#endif

/* A temporary file, deleted when closed: tmpfile() for the tests. On Windows msvcrt's tmpfile()
 * makes its name in the root of the current drive from a short counter and, under Wine with
 * test processes running side by side, now and then returns NULL: there the file is made in
 * %TEMP% under a name of this process and deleted when closed ("D"). */
static inline FILE *t_tmpfile(void)
{
#ifdef _WIN32
    static unsigned s_n;
    const char *zDir = getenv("TEMP");
    char zName[512];
    FILE *f = NULL;
    int i;
    for (i = 0; i < 50 && !f; i++) {
        snprintf(zName, sizeof zName, "%s\\kbs-test-%lu-%u.tmp", zDir ? zDir : ".",
                 (unsigned long)_getpid(), s_n++);
        f = fopen(zName, "w+bD");
    }
    return f ? f : tmpfile();
#else
    return tmpfile();
#endif
}

#endif
