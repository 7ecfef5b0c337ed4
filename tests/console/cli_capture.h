/* cli_capture.h: runs the console's cli_main in process and captures what it writes, for the
 * console tests (included after cmocka.h). */
#ifndef KBS_CLI_CAPTURE_H
#define KBS_CLI_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#ifdef _WIN32
#include <process.h>
#endif

#include "cli.h"

/* A temporary file for one capture. On Windows, msvcrt's tmpfile() makes its name in the root
 * of the current drive from a short counter and, under Wine with test processes running side
 * by side, now and then returns NULL: there the file is made in %TEMP% under a name of this
 * process and deleted when closed ("D"). */
static inline FILE *t_capture_file(void)
{
#ifdef _WIN32
    static unsigned s_n;
    const char *zDir = getenv("TEMP");
    char zName[512];
    FILE *f = NULL;
    int i;
    for (i = 0; i < 50 && !f; i++) {
        snprintf(zName, sizeof zName, "%s\\kbs-capture-%lu-%u.tmp", zDir ? zDir : ".",
                 (unsigned long)_getpid(), s_n++);
        f = fopen(zName, "w+bD");
    }
    return f ? f : tmpfile();
#else
    return tmpfile();
#endif
}

/* Runs cli_main(argc, argv); its standard output goes to zOut and its errors to zErr (each
 * NUL-terminated, cut at the buffer's size; zErr may be NULL). Returns the exit code. */
static inline int t_cli_capture(int argc, char **argv, char *zOut, size_t nOut, char *zErr,
                                size_t nErr)
{
    FILE *out = t_capture_file(), *err = t_capture_file();
    size_t n;
    int rc;
    assert_non_null(out);
    assert_non_null(err);
    rc = cli_main(argc, argv, out, err);
    rewind(out);
    n = fread(zOut, 1, nOut - 1, out);
    zOut[n] = 0;
    if (zErr) {
        rewind(err);
        n = fread(zErr, 1, nErr - 1, err);
        zErr[n] = 0;
    }
    fclose(out);
    fclose(err);
    return rc;
}

#endif
