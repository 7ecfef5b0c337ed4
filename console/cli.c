/* cli.c: kbsentry command-line parsing and dispatch to the commands. */
#include "cli.h"

#include <string.h>

#include "kbs_version.h"

static void cli_usage(FILE *f)
{
    fputs("usage: kbsentry COMMAND [ARGS]\n"
          "\n"
          "commands:\n"
          "  collect PATH...   read snapshots and agentless inputs into the database\n"
          "  report            compliance of every host (table, csv, json, html)\n"
          "  check HOST|FILE   the helpdesk view of one machine\n"
          "  rules             the emergency-patch rules\n"
          "  hosts             the hosts in the database\n"
          "  version           print the version\n"
          "  help              this text\n"
          "\n"
          "exit codes: 0 ok/compliant, 1 non-compliant found, 2 error\n",
          f);
}

int cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    const char *zCmd = argc > 1 ? argv[1] : NULL;

    if (!zCmd || !strcmp(zCmd, "help") || !strcmp(zCmd, "--help") || !strcmp(zCmd, "-h")) {
        cli_usage(zCmd ? out : err);
        return zCmd ? 0 : 2;
    }
    if (!strcmp(zCmd, "version") || !strcmp(zCmd, "--version")) {
        fprintf(out, "kbsentry %s\n", KBS_VERSION);
        return 0;
    }
    fprintf(err, "kbsentry: unknown command '%s' (see 'kbsentry help')\n", zCmd);
    return 2;
}
