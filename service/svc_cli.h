/* svc_cli.h: kbsentry-svc command-line dispatch, separate from wmain so tests can drive it. */
#ifndef KBS_SVC_CLI_H
#define KBS_SVC_CLI_H

#include <stdio.h>

/* svc_cli_main: runs one kbsentry-svc command line (argv in UTF-8); returns the exit code
 * (0 ok, 1 a check failed, 2 error). */
int svc_cli_main(int argc, char **argv, FILE *out, FILE *err);

#endif
