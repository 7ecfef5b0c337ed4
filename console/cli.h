/* cli.h: the console's command dispatcher, separate from main() so tests can drive it. */
#ifndef KBS_CLI_H
#define KBS_CLI_H

#include <stdio.h>

/* cli_main: runs one kbsentry command line (argv in UTF-8). Output goes to out, messages to err.
 * Returns the process exit code: 0 ok/compliant, 1 non-compliant found, 2 error. */
int cli_main(int argc, char **argv, FILE *out, FILE *err);

#endif
