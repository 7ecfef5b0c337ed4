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
    char *zCatText;              /* the --catalog file's text (malloc'd), stored with its verdicts */
    size_t nCatText;
    cat_t catStored;             /* the database's own catalog, when reports read it */
    int bCatStored;
    db_t *db;
} cmd_ctx_t;

/* cmd_opt: when argv[*pi] is the option zOpt ("--db" or "--db=FILE"), stores its value in *pzVal
 * (advancing *pi past a separate value) and returns 1; 0 when it is another argument; -1 (with a
 * message) when the value is missing. */
int cmd_opt(cmd_ctx_t *c, int argc, char **argv, int *pi, const char *zOpt, const char **pzVal);

/* cmd_common_opt: handles --db and --catalog; same returns as cmd_opt. */
int cmd_common_opt(cmd_ctx_t *c, int argc, char **argv, int *pi);

/* cmd_only_common_opts: for a command whose only options are --db, --catalog and --help: parses
 * argv; returns the exit code when the command is done (help shown by pfnHelp, or bad usage),
 * -1 to go on. */
int cmd_only_common_opts(cmd_ctx_t *c, int argc, char **argv, void (*pfnHelp)(FILE *));

/* cmd_db_path: --db, else $KBSENTRY_DB, else DB_DEFAULT_PATH. */
const char *cmd_db_path(cmd_ctx_t *c);

/* cmd_catalog: loads --catalog FILE (or the built-in catalog) into c->cat; reports errors as
 * "FILE:LINE: reason". Returns KBS_OK or an error. */
int cmd_catalog(cmd_ctx_t *c);

/* cmd_open: opens the database for reading its verdicts: the stored ones, or with --catalog
 * FILE of another catalog a view computed in memory (nothing stored changes). A database without
 * a stored catalog takes the one given (or the built-in one). Returns KBS_OK or an error
 * (reported). */
int cmd_open(cmd_ctx_t *c);

/* cmd_open_store: opens the database for storing scans with its stored catalog. --catalog FILE
 * must be that catalog (a database without one takes it); another one is refused with the way
 * to switch (kbsentry recompute). Returns KBS_OK or an error (reported). */
int cmd_open_store(cmd_ctx_t *c);

/* cmd_release: closes and frees what c holds. */
void cmd_release(cmd_ctx_t *c);

/* cmd_bad_usage: "kbsentry CMD: MSG (see 'kbsentry CMD --help')"; returns CMD_EXIT_ERROR. */
int cmd_bad_usage(cmd_ctx_t *c, const char *zMsg, const char *zArg);

/* cmd_is_help: 1 for -h / --help. */
int cmd_is_help(const char *z);

/* cmd_noncompliant: 1 when a verdict of r is not compliant (verdict_compliant with fOpt):
 * missing, unpatchable, unknown unless VERDICT_ACCEPT_UNKNOWN, mitigated with VERDICT_STRICT. */
int cmd_noncompliant(const rep_t *r, unsigned fOpt);

/* cmd_put_safe: writes z (from input files) with terminal control characters shown as '?'. */
void cmd_put_safe(FILE *f, const char *z);

/* The commands: argv[0] is the command name. */
int cmd_collect(cmd_ctx_t *c, int argc, char **argv);
int cmd_report(cmd_ctx_t *c, int argc, char **argv);
int cmd_check(cmd_ctx_t *c, int argc, char **argv);
int cmd_rules(cmd_ctx_t *c, int argc, char **argv);
int cmd_hosts(cmd_ctx_t *c, int argc, char **argv);
int cmd_recompute(cmd_ctx_t *c, int argc, char **argv);
int cmd_catalog_cmd(cmd_ctx_t *c, int argc, char **argv);
int cmd_inventory(cmd_ctx_t *c, int argc, char **argv);

#endif
