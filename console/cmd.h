/* cmd.h: what the console commands share: options, the catalog, the database, exit codes. */
#ifndef KBS_CMD_H
#define KBS_CMD_H

#include <stdio.h>

#include "cat.h"
#include "db.h"
#include "rep.h"

/* Exit codes of every command. */
#define CMD_EXIT_OK 0
#define CMD_EXIT_NONCOMPLIANT 1
#define CMD_EXIT_ERROR 2

typedef struct cmd_ctx {
    FILE *out, *err;
    const char *zName;           /* the command, for messages */
    const char *zDb;             /* --db, or NULL */
    const char *zCatalog;        /* --catalog, or NULL: the built-in catalog */
    char *zDbEnv;                /* $KBSENTRY_DB (malloc'd) */
    cat_t cat;
    int bCat;
    db_t *db;
} cmd_ctx_t;

/* cmd_opt: when argv[*pi] is the option zOpt ("--db" or "--db=FILE"), stores its value in *pzVal
 * (advancing *pi past a separate value) and returns 1; 0 when it is another argument; -1 (with a
 * message) when the value is missing. */
int cmd_opt(cmd_ctx_t *c, int argc, char **argv, int *pi, const char *zOpt, const char **pzVal);

/* cmd_common_opt: handles --db and --catalog; same returns as cmd_opt. */
int cmd_common_opt(cmd_ctx_t *c, int argc, char **argv, int *pi);

/* cmd_db_path: --db, else $KBSENTRY_DB, else DB_DEFAULT_PATH. */
const char *cmd_db_path(cmd_ctx_t *c);

/* cmd_catalog: loads --catalog FILE (or the built-in catalog) into c->cat; reports errors as
 * "FILE:LINE: reason". Returns KBS_OK or an error. */
int cmd_catalog(cmd_ctx_t *c);

/* cmd_open: cmd_catalog, then opens the database and makes the catalog its own (recomputing
 * verdicts when it changed). Returns KBS_OK or an error (reported). */
int cmd_open(cmd_ctx_t *c);

/* cmd_release: closes and frees what c holds. */
void cmd_release(cmd_ctx_t *c);

/* cmd_bad_usage: "kbsentry CMD: MSG (see 'kbsentry CMD --help')"; returns CMD_EXIT_ERROR. */
int cmd_bad_usage(cmd_ctx_t *c, const char *zMsg, const char *zArg);

/* cmd_is_help: 1 for -h / --help. */
int cmd_is_help(const char *z);

/* cmd_noncompliant: 1 when a host of r has a missing or unpatchable verdict, or (bStrict, the
 * --strict option) a mitigated one: a workaround is not the fix. */
int cmd_noncompliant(const rep_t *r, int bStrict);

/* cmd_put_safe: writes z (from input files) with terminal control characters shown as '?'. */
void cmd_put_safe(FILE *f, const char *z);

/* The commands: argv[0] is the command name. */
int cmd_collect(cmd_ctx_t *c, int argc, char **argv);
int cmd_report(cmd_ctx_t *c, int argc, char **argv);
int cmd_check(cmd_ctx_t *c, int argc, char **argv);
int cmd_rules(cmd_ctx_t *c, int argc, char **argv);
int cmd_hosts(cmd_ctx_t *c, int argc, char **argv);
int cmd_catalog_cmd(cmd_ctx_t *c, int argc, char **argv);

#endif
