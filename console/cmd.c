/* cmd.c: what the console commands share: option parsing, catalog and database opening. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "plat.h"

int cmd_is_help(const char *z)
{
    return !strcmp(z, "--help") || !strcmp(z, "-h");
}

int cmd_bad_usage(cmd_ctx_t *c, const char *zMsg, const char *zArg)
{
    fprintf(c->err, "kbsentry %s: %s%s%s%s (see 'kbsentry %s --help')\n", c->zName, zMsg,
            zArg ? " '" : "", zArg ? zArg : "", zArg ? "'" : "", c->zName);
    return CMD_EXIT_ERROR;
}

int cmd_opt(cmd_ctx_t *c, int argc, char **argv, int *pi, const char *zOpt, const char **pzVal)
{
    const char *z = argv[*pi];
    size_t n = strlen(zOpt);
    if (strncmp(z, zOpt, n)) return 0;
    if (z[n] == '=') {
        *pzVal = z + n + 1;
        return 1;
    }
    if (z[n]) return 0;
    if (*pi + 1 >= argc) {
        cmd_bad_usage(c, "missing value after", zOpt);
        return -1;
    }
    *pzVal = argv[++*pi];
    return 1;
}

int cmd_common_opt(cmd_ctx_t *c, int argc, char **argv, int *pi)
{
    int r = cmd_opt(c, argc, argv, pi, "--db", &c->zDb);
    if (r) return r;
    return cmd_opt(c, argc, argv, pi, "--catalog", &c->zCatalog);
}

const char *cmd_db_path(cmd_ctx_t *c)
{
    if (c->zDb && c->zDb[0]) return c->zDb;
    if (!c->zDbEnv) c->zDbEnv = plat_getenv(DB_ENV_PATH);
    if (c->zDbEnv && c->zDbEnv[0]) return c->zDbEnv;
    return DB_DEFAULT_PATH;
}

int cmd_catalog(cmd_ctx_t *c)
{
    char *z = NULL;
    size_t n = 0;
    cat_err_t e;
    int rc;

    if (c->bCat) return KBS_OK;
    memset(&e, 0, sizeof e);
    if (!c->zCatalog) {
        rc = cat_load_default(&c->cat);
        if (rc) fprintf(c->err, "kbsentry: built-in catalog: %s\n", kbs_strerror(rc));
    } else {
        rc = plat_read_file(c->zCatalog, CAT_IN_MAX, &z, &n);
        if (rc) {
            fprintf(c->err, "%s:0: %s\n", c->zCatalog,
                    rc == KBS_ETOOBIG ? "catalog too large" : kbs_strerror(rc));
        } else if ((rc = cat_parse(z, n, c->zCatalog, &c->cat, &e)) != KBS_OK) {
            fprintf(c->err, "%s:%u: %s\n", c->zCatalog, e.line,
                    e.zReason[0] ? e.zReason : kbs_strerror(rc));
        }
        free(z);
    }
    if (!rc) c->bCat = 1;
    return rc;
}

int cmd_open(cmd_ctx_t *c)
{
    char zErr[DB_ERR_MAX];
    const char *zPath;
    int rc;
    if ((rc = cmd_catalog(c))) return rc;
    zPath = cmd_db_path(c);
    if ((rc = db_open(zPath, &c->db, zErr, sizeof zErr))) {
        fprintf(c->err, "kbsentry: database %s\n", zErr);
        return rc;
    }
    if ((rc = db_use_catalog(c->db, &c->cat, NULL))) {
        fprintf(c->err, "kbsentry: database %s: applying the catalog: %s\n", zPath,
                db_errmsg(c->db));
        return rc;
    }
    return KBS_OK;
}

void cmd_release(cmd_ctx_t *c)
{
    db_close(c->db);
    c->db = NULL;
    if (c->bCat) cat_release(&c->cat);
    c->bCat = 0;
    free(c->zDbEnv);
    c->zDbEnv = NULL;
}

int cmd_noncompliant(const rep_t *r, int bStrict)
{
    size_t i, j;
    for (i = 0; i < r->nHost; i++)
        for (j = 0; j < r->aHost[i].nVerdict; j++) {
            verdict_status_t st = r->aHost[i].aVerdict[j].status;
            if (st == VERDICT_MISSING || st == VERDICT_UNPATCHABLE) return 1;
            if (bStrict && st == VERDICT_MITIGATED) return 1;
        }
    return 0;
}

void cmd_put_safe(FILE *f, const char *z)
{
    const unsigned char *p = (const unsigned char *)(z ? z : "");
    for (; *p; p++) {
        /* C0 controls, DEL and (UTF-8 encoded) C1 controls could drive the terminal. */
        if (*p < 0x20 || *p == 0x7f) {
            fputc('?', f);
        } else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            fputc('?', f);
            p++;
        } else {
            fputc(*p, f);
        }
    }
}
