/* svc_cli.c: kbsentry-svc command-line parsing and dispatch. */
#include "svc_cli.h"

#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "kbs_version.h"
#include "scan_cmd.h"
#include "win_settings.h"
#include "win_setup.h"
#include "win_svc.h"

static void svc_cli_usage(FILE *f)
{
    fputs("usage: kbsentry-svc COMMAND [ARGS]\n"
          "\n"
          "commands:\n"
          "  install [--drop \\\\server\\share]  copy kbsentry-svc.exe to %ProgramFiles%\\kbsentry and\n"
          "                                   install the service that runs that copy\n"
          "  uninstall                        remove the service\n"
          "  start | stop | status            control the installed service\n"
          "  run [--scans N]                  run in the foreground (Ctrl+C stops; --scans:\n"
          "                                   stop after N scans, the first without delay)\n"
          "  scan [--out DIR | --stdout]      one scan without installing; --out writes\n"
          "                                   DIR\\<HOST>.kbs (an earlier one is kept as\n"
          "                                   <HOST>-YYYYMMDD-HHMMSS.kbs) and prints the\n"
          "                                   verdicts: exit 0 compliant, 1 not, 2 error\n"
          "    [--strict] [--accept-unknown]  with --out: as the console's check (a mitigated\n"
          "                                   verdict counts as not compliant; unknown as\n"
          "                                   compliant)\n"
          "  setup                            installer step (as SYSTEM): failure actions, data\n"
          "                                   directory owner and permissions\n"
          "  purge                            installer step: delete the default data directory\n"
          "                                   (links are removed, never followed)\n"
          "  version                          print the version\n"
          "  help                             this text\n",
          f);
}

static int svc_cli_bad(FILE *err, const char *zCmd, const char *zWhat)
{
    fprintf(err, "kbsentry-svc %s: %s (see 'kbsentry-svc help')\n", zCmd, zWhat);
    return 2;
}

/* install [--drop \\server\share] */
static int svc_cli_install(int argc, char **argv, FILE *out, FILE *err)
{
    wchar_t zDrop[SETTINGS_PATH_MAX], zNorm[SETTINGS_PATH_MAX];
    char zReason[160];
    int n;

    if (argc == 2) return svc_install(NULL, out, err);
    if (argc != 4 || strcmp(argv[2], "--drop"))
        return svc_cli_bad(err, "install", "expected: install [--drop \\\\server\\share]");
    n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, argv[3], -1, zDrop, SETTINGS_PATH_MAX);
    if (n <= 1) return svc_cli_bad(err, "install", "--drop: empty or too long path");
    if (settings_parse_path(REG_SZ, (const BYTE *)zDrop, (DWORD)((size_t)(n - 1) * sizeof(wchar_t)),
                            1, zNorm, SETTINGS_PATH_MAX, zReason, sizeof(zReason)) != 0) {
        fprintf(err, "kbsentry-svc install: --drop '%s': %s\n", argv[3], zReason);
        return 2;
    }
    return svc_install(zNorm, out, err);
}

/* run [--scans N] */
static int svc_cli_run(int argc, char **argv, FILE *out, FILE *err)
{
    unsigned long n = 0;
    char *zEnd = NULL;

    if (argc == 2) return svc_run_console(0, out, err);
    if (argc != 4 || strcmp(argv[2], "--scans"))
        return svc_cli_bad(err, "run", "expected: run [--scans N]");
    n = strtoul(argv[3], &zEnd, 10);
    if (!argv[3][0] || *zEnd || n == 0 || n > 1000000)
        return svc_cli_bad(err, "run", "--scans needs a number from 1 to 1000000");
    return svc_run_console((unsigned)n, out, err);
}

/* Commands without arguments. */
static int svc_cli_noargs(int argc, char **argv, FILE *err)
{
    if (argc > 2) return svc_cli_bad(err, argv[1], "takes no arguments");
    return 0;
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
    if (!strcmp(zCmd, "install")) return svc_cli_install(argc, argv, out, err);
    if (!strcmp(zCmd, "run")) return svc_cli_run(argc, argv, out, err);
    if (!strcmp(zCmd, "uninstall"))
        return svc_cli_noargs(argc, argv, err) ? 2 : svc_uninstall(out, err);
    if (!strcmp(zCmd, "start")) return svc_cli_noargs(argc, argv, err) ? 2 : svc_start(out, err);
    if (!strcmp(zCmd, "stop")) return svc_cli_noargs(argc, argv, err) ? 2 : svc_stop(out, err);
    if (!strcmp(zCmd, "status")) return svc_cli_noargs(argc, argv, err) ? 2 : svc_status(out, err);
    if (!strcmp(zCmd, "scan")) return scan_cmd(argc, argv, out, err);
    if (!strcmp(zCmd, "setup")) return svc_cli_noargs(argc, argv, err) ? 2 : setup_msi(out, err);
    if (!strcmp(zCmd, "purge")) return svc_cli_noargs(argc, argv, err) ? 2 : setup_purge(out, err);
    if (!strcmp(zCmd, "service")) return svc_cli_noargs(argc, argv, err) ? 2 : svc_dispatch(err);
    fprintf(err, "kbsentry-svc: unknown command '%s' (see 'kbsentry-svc help')\n", zCmd);
    return 2;
}
