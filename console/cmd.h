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
#define CMD_EXIT_NOTFOUND 3 /* check: no such host in the database */

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

/* cmd_catalog: loads the catalog in effect into c->cat: --catalog FILE alone; else the built-in
 * catalog, with the rules of the database's own catalog when c->db is open (a rule of the same
 * id replaces the built-in one). Reports errors as "FILE:LINE: reason". Returns KBS_OK or an
 * error. */
int cmd_catalog(cmd_ctx_t *c);

/* cmd_db_open: opens the database (cmd_db_path) into c->db. Returns KBS_OK or an error
 * (reported). */
int cmd_db_open(cmd_ctx_t *c);

/* cmd_db_open_existing: cmd_db_open when the database file exists (a command that only reads
 * the catalog must not create one). Returns KBS_OK, KBS_ENOTFOUND (no file, nothing said) or an
 * error (reported). */
int cmd_db_open_existing(cmd_ctx_t *c);

/* cmd_catalog_merge: the text of the built-in catalog with the rules of c->db's own catalog and
 * pNew (may be NULL; it replaces a stored rule of its id), without the stored rule zDrop (may be
 * NULL), into *pzText (malloc'd, the caller
 * frees; NULL when there is no rule to add), the number of added rules into *pnAdded and the
 * stored rules' db_catrules_hash into *pHash (may be NULL). Returns KBS_OK or an error
 * (reported). */
int cmd_catalog_merge(cmd_ctx_t *c, const db_catrule_t *pNew, const char *zDrop, char **pzText,
                      size_t *pnText, size_t *pnAdded, uint64_t *pHash);

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

/* cmd_stricmp: strcmp without regard to ASCII case (rule ids). */
int cmd_stricmp(const char *a, const char *b);

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
