/* cli_capture.h: runs the console's cli_main in process and captures what it writes, for the
 * console tests (included after cmocka.h). */
#ifndef KBS_CLI_CAPTURE_H
#define KBS_CLI_CAPTURE_H

#include <stdarg.h>
#include <stdio.h>

#include "../t_tmpfile.h"
#include "cli.h"

/* Runs cli_main(argc, argv); its standard output goes to zOut and its errors to zErr (each
 * NUL-terminated, cut at the buffer's size; zErr may be NULL). Returns the exit code. */
static inline int t_cli_capture(int argc, char **argv, char *zOut, size_t nOut, char *zErr,
                                size_t nErr)
{
    FILE *out = t_tmpfile(), *err = t_tmpfile();
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

/* Runs cli_main on "kbsentry" and the NULL-terminated arguments from zFirst on (at most 30):
 * what the command writes lands in zOut / zErr as t_cli_capture says. Returns the exit code. */
static inline int t_cli_runv(char *zOut, size_t nOut, char *zErr, size_t nErr, const char *zFirst,
                             va_list ap)
{
    char *argv[32];
    int argc = 0;
    const char *z;
    argv[argc++] = "kbsentry";
    for (z = zFirst; z && argc < 31; z = va_arg(ap, const char *)) argv[argc++] = (char *)z;
    argv[argc] = NULL;
    return t_cli_capture(argc, argv, zOut, nOut, zErr, nErr);
}

/* t_cli_run: t_cli_runv with the arguments given in place. */
static inline int t_cli_run(char *zOut, size_t nOut, char *zErr, size_t nErr, const char *zFirst, ...)
{
    va_list ap;
    int rc;
    va_start(ap, zFirst);
    rc = t_cli_runv(zOut, nOut, zErr, nErr, zFirst, ap);
    va_end(ap);
    return rc;
}

/* T_CLI_RUNNER(zOut, zErr): defines `static int t_run(const char *zFirst, ...)`, which runs
 * "kbsentry" with the NULL-terminated arguments and captures into the char arrays zOut / zErr. */
#define T_CLI_RUNNER(zOut, zErr)                                                                   \
    static int t_run(const char *zFirst, ...)                                                      \
    {                                                                                              \
        va_list ap;                                                                                \
        int rc;                                                                                    \
        va_start(ap, zFirst);                                                                      \
        rc = t_cli_runv(zOut, sizeof zOut, zErr, sizeof zErr, zFirst, ap);                         \
        va_end(ap);                                                                                \
        return rc;                                                                                 \
    }

#endif
