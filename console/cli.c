/* cli.c: kbsentry command-line parsing and dispatch to the commands. */
#include "cli.h"

#include <string.h>

#include "cmd.h"
#include "kbs_version.h"

static void cli_usage(FILE *f)
{
    fputs("usage: kbsentry COMMAND [ARGS]\n"
          "\n"
          "commands:\n"
          "  collect PATH...   read snapshots and agentless inputs into the database\n"
          "  inventory SOURCE  the directory's computer accounts (AD exports, ldap://)\n"
          "  report            compliance of every host (table, csv, json, html)\n"
          "  check HOST|FILE   the helpdesk view of one machine\n"
          "  rules             the emergency-patch rules\n"
          "  hosts             the hosts in the database\n"
          "  recompute         store verdicts computed with another catalog\n"
          "  catalog derive    catalog clauses for CVEs from Microsoft's data (catalog build: all)\n"
          "  catalog add       derive a rule into the database's own catalog and recompute\n"
          "                    (catalog remove RULE: take it out again)\n"
          "  catalog show      the catalog in effect, in the catalog format\n"
          "  version           print the version\n"
          "  help              this text\n"
          "\n"
          "Every command takes --help, --db FILE (default $" DB_ENV_PATH ", else ./" DB_DEFAULT_PATH ")\n"
          "and --catalog FILE (instead of the built-in catalog and the database's added\n"
          "rules: report and check show a view through it; recompute makes it the stored one).\n"
          "\n"
          "exit codes: 0 ok/compliant, 1 non-compliant found (missing, unpatchable, or\n"
          "unknown unless --accept-unknown), 2 error\n",
          f);
}

typedef int (*cli_cmd_fn)(cmd_ctx_t *c, int argc, char **argv);

static const struct {
    const char *zName;
    cli_cmd_fn fn;
} cli_aCmd[] = {
    {"collect", cmd_collect}, {"report", cmd_report}, {"check", cmd_check},
    {"rules", cmd_rules},     {"hosts", cmd_hosts},     {"recompute", cmd_recompute},
    {"catalog", cmd_catalog_cmd}, {"inventory", cmd_inventory},
};

int cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    const char *zCmd = argc > 1 ? argv[1] : NULL;
    size_t i;

    if (!zCmd || !strcmp(zCmd, "help") || !strcmp(zCmd, "--help") || !strcmp(zCmd, "-h")) {
        cli_usage(zCmd ? out : err);
        return zCmd ? 0 : 2;
    }
    if (!strcmp(zCmd, "version") || !strcmp(zCmd, "--version")) {
        fprintf(out, "kbsentry %s\n", KBS_VERSION);
        return 0;
    }
    for (i = 0; i < sizeof cli_aCmd / sizeof cli_aCmd[0]; i++) {
        if (!strcmp(zCmd, cli_aCmd[i].zName)) {
            cmd_ctx_t c;
            int rc;
            memset(&c, 0, sizeof c);
            c.out = out;
            c.err = err;
            c.zName = zCmd;
            rc = cli_aCmd[i].fn(&c, argc - 1, argv + 1);
            cmd_release(&c);
            fflush(out);
            return rc;
        }
    }
    fprintf(err, "kbsentry: unknown command '%s' (see 'kbsentry help')\n", zCmd);
    return 2;
}
