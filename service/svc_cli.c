/* svc_cli.c: kbsentry-svc command-line parsing and dispatch. */
#include "svc_cli.h"

#include <string.h>

#include "kbs_version.h"

static void svc_cli_usage(FILE *f)
{
    fputs("usage: kbsentry-svc COMMAND [ARGS]\n"
          "\n"
          "commands:\n"
          "  install [--drop \\\\server\\share]  install the kbsentry service\n"
          "  uninstall                        remove the service\n"
          "  start | stop | status            control the installed service\n"
          "  run                              run in the foreground (Ctrl+C stops)\n"
          "  scan [--out DIR | --stdout]      one scan without installing\n"
          "  version                          print the version\n"
          "  help                             this text\n",
          f);
}

int svc_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    const char *zCmd = argc > 1 ? argv[1] : NULL;

    if (!zCmd || !strcmp(zCmd, "help") || !strcmp(zCmd, "--help") || !strcmp(zCmd, "-h")) {
        svc_cli_usage(zCmd ? out : err);
        return zCmd ? 0 : 2;
    }
    if (!strcmp(zCmd, "version") || !strcmp(zCmd, "--version")) {
        fprintf(out, "kbsentry-svc %s\n", KBS_VERSION);
        return 0;
    }
    fprintf(err, "kbsentry-svc: unknown command '%s' (see 'kbsentry-svc help')\n", zCmd);
    return 2;
}
