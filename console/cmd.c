/* cmd.c: what the console commands share: option parsing, catalog and database opening. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

#include "cat_text.h"
#include "kbs_err.h"
#include "plat.h"
#include "rep_int.h"
#include "verdict.h"

int cmd_stricmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y || !x) return x - y;
    }
}

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

int cmd_only_common_opts(cmd_ctx_t *c, int argc, char **argv, void (*pfnHelp)(FILE *))
{
    int k;
    for (k = 1; k < argc; k++) {
        int r;
        if (cmd_is_help(argv[k])) {
            pfnHelp(c->out);
            return CMD_EXIT_OK;
        }
        if ((r = cmd_common_opt(c, argc, argv, &k)) != 0) {
            if (r < 0) return CMD_EXIT_ERROR;
            continue;
        }
        return cmd_bad_usage(c, argv[k][0] == '-' ? "unknown option" : "unexpected argument",
                             argv[k]);
    }
    return -1;
}

const char *cmd_db_path(cmd_ctx_t *c)
{
    if (c->zDb && c->zDb[0]) return c->zDb;
    if (!c->zDbEnv) c->zDbEnv = plat_getenv(DB_ENV_PATH);
    if (c->zDbEnv && c->zDbEnv[0]) return c->zDbEnv;
    return DB_DEFAULT_PATH;
}

int cmd_catalog_merge(cmd_ctx_t *c, const db_catrule_t *pNew, const char *zDrop, char **pzText,
                      size_t *pnText, size_t *pnAdded, uint64_t *pHash)
{
    db_catrule_t *a = NULL;
    const char **az = NULL;
    size_t *an = NULL, n = 0, nAdd = 0, i, nBase;
    const char *zBase = cat_default_text(&nBase);
    int rc;

    *pzText = NULL;
    *pnText = 0;
    *pnAdded = 0;
    if ((rc = db_catrules_load(c->db, &a, &n))) {
        fprintf(c->err, "kbsentry: database %s: reading its catalog: %s\n", cmd_db_path(c),
                rc == KBS_EDB ? db_errmsg(c->db) : kbs_strerror(rc));
        return rc;
    }
    if (pHash) *pHash = db_catrules_hash(a, n);
    rc = KBS_ENOMEM;
    if (!(az = calloc(n + 1, sizeof *az)) || !(an = calloc(n + 1, sizeof *an))) goto out;
    /* The new rule takes the place of a stored one of its id. */
    for (i = 0; i < n; i++) {
        if (pNew && !cmd_stricmp(a[i].zId, pNew->zId)) continue;
        if (zDrop && !cmd_stricmp(a[i].zId, zDrop)) continue;
        az[nAdd] = a[i].zText;
        an[nAdd++] = a[i].nText;
    }
    if (pNew) {
        az[nAdd] = pNew->zText;
        an[nAdd++] = pNew->nText;
    }
    *pnAdded = nAdd;
    if (nAdd == 0) {
        rc = KBS_OK;
        goto out;
    }
    if ((rc = cat_text_merge(zBase, nBase, az, an, nAdd, pzText, pnText)) != KBS_OK)
        fprintf(c->err, "kbsentry: database %s: its catalog's rules cannot be added to the built-in "
                        "catalog: %s\n", cmd_db_path(c), kbs_strerror(rc));
out:
    free(az);
    free(an);
    db_catrules_free(a, n);
    return rc;
}

/* Without --catalog, a database's own rules join the built-in catalog (c->db open). */
static int cmd_catalog_db(cmd_ctx_t *c)
{
    char *z = NULL;
    size_t n = 0, nAdded = 0;
    char zSource[64];
    cat_err_t e;
    int rc;

    if ((rc = cmd_catalog_merge(c, NULL, NULL, &z, &n, &nAdded, NULL))) return rc;
    if (!nAdded) {
        rc = cat_load_default(&c->cat);
        if (rc) fprintf(c->err, "kbsentry: built-in catalog: %s\n", kbs_strerror(rc));
        return rc;
    }
    snprintf(zSource, sizeof zSource, "built-in + %lu added rule%s", (unsigned long)nAdded,
             nAdded == 1 ? "" : "s");
    if ((rc = cat_parse(z, n, zSource, &c->cat, &e)) != KBS_OK) {
        fprintf(c->err, "kbsentry: database %s: the built-in catalog with its added rules:%u: %s\n",
                cmd_db_path(c), e.line, e.zReason[0] ? e.zReason : kbs_strerror(rc));
        free(z);
        return rc;
    }
    c->zCatText = z;
    c->nCatText = n;
    return KBS_OK;
}

int cmd_catalog(cmd_ctx_t *c)
{
    char *z = NULL;
    size_t n = 0;
    cat_err_t e;
    int rc;

    if (c->bCat) return KBS_OK;
    memset(&e, 0, sizeof e);
    if (!c->zCatalog && c->db) {
        rc = cmd_catalog_db(c);
    } else if (!c->zCatalog) {
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
        } else {
            /* Kept: the database stores the text of the catalog its verdicts come from. */
            c->zCatText = z;
            c->nCatText = n;
            z = NULL;
        }
        free(z);
    }
    if (!rc) c->bCat = 1;
    return rc;
}

int cmd_db_open(cmd_ctx_t *c)
{
    char zErr[DB_ERR_MAX];
    int rc;
    if ((rc = db_open(cmd_db_path(c), &c->db, zErr, sizeof zErr))) {
        fprintf(c->err, "kbsentry: database %s\n", zErr);
        return rc;
    }
    return KBS_OK;
}

int cmd_db_open_existing(cmd_ctx_t *c)
{
    plat_stat_t st;
    if (plat_stat(cmd_db_path(c), &st) != KBS_OK || st.isDir) return KBS_ENOTFOUND;
    return cmd_db_open(c);
}

/* Reports an error of making a catalog the database's (rc from db_use_catalog). */
static int cmd_catalog_failed(cmd_ctx_t *c, int rc)
{
    if (rc == KBS_EDB)
        fprintf(c->err, "kbsentry: database %s: applying the catalog: %s\n", cmd_db_path(c),
                db_errmsg(c->db));
    else
        fprintf(c->err, "kbsentry: database %s: applying the catalog: %s\n", cmd_db_path(c),
                kbs_strerror(rc));
    return rc;
}

int cmd_open(cmd_ctx_t *c)
{
    char zHash[40];
    int rc;
    /* A bad --catalog file is reported before a database is created; the database's own rules
     * are read from it before the catalog is made. */
    if (c->zCatalog && (rc = cmd_catalog(c))) return rc;
    if ((rc = cmd_db_open(c)) || (rc = cmd_catalog(c))) return rc;
    db_catalog_text(c->db, c->zCatText, c->nCatText);
    rc = db_use_catalog(c->db, &c->cat, NULL);
    if (rc != KBS_ECONFLICT) return rc ? cmd_catalog_failed(c, rc) : KBS_OK;
    /* The stored verdicts belong to another catalog. */
    if (c->zCatalog) return db_view_catalog(c->db, &c->cat);
    rc = db_stored_catalog(c->db, &c->catStored, zHash, sizeof zHash);
    if (rc == KBS_OK) {
        c->bCatStored = 1;
        if ((rc = db_use_catalog(c->db, &c->catStored, NULL))) return cmd_catalog_failed(c, rc);
        return KBS_OK;
    }
    if (rc != KBS_ENOTFOUND) return cmd_catalog_failed(c, rc);
    fprintf(c->err,
            "kbsentry: the stored verdicts come from a catalog (%s) whose text this database "
            "does not keep: showing the built-in catalog's view; 'kbsentry recompute' stores it\n",
            zHash);
    return db_view_catalog(c->db, &c->cat);
}

int cmd_open_store(cmd_ctx_t *c)
{
    char zHash[40];
    int rc;
    if ((rc = cmd_db_open(c))) return rc;
    if (!c->zCatalog) {
        /* Without --catalog a collect goes on with the stored catalog, whatever is built in. */
        rc = db_stored_catalog(c->db, &c->catStored, zHash, sizeof zHash);
        if (rc == KBS_OK) {
            c->bCatStored = 1;
            if ((rc = cmd_catalog(c))) return rc;
            if (strcmp(c->cat.zHash, c->catStored.zHash))
                fprintf(c->err,
                        "kbsentry: note: verdicts are computed with the database's catalog (%s, "
                        "%s), not the built-in one (%s): 'kbsentry recompute' switches\n",
                        c->catStored.zSource, c->catStored.zHash, c->cat.zHash);
            rc = db_use_catalog(c->db, &c->catStored, NULL);
            return rc ? cmd_catalog_failed(c, rc) : KBS_OK;
        }
        if (rc != KBS_ENOTFOUND) return cmd_catalog_failed(c, rc);
    }
    if ((rc = cmd_catalog(c))) return rc;
    db_catalog_text(c->db, c->zCatText, c->nCatText);
    rc = db_use_catalog(c->db, &c->cat, NULL);
    if (rc == KBS_ECONFLICT) {
        fprintf(c->err,
                "kbsentry %s: the database's verdicts come from another catalog than %s (%s): "
                "run 'kbsentry recompute%s%s' to switch to it first\n",
                c->zName, c->cat.zSource, c->cat.zHash, c->zCatalog ? " --catalog " : "",
                c->zCatalog ? c->zCatalog : "");
        return rc;
    }
    return rc ? cmd_catalog_failed(c, rc) : KBS_OK;
}

void cmd_release(cmd_ctx_t *c)
{
    db_close(c->db);
    c->db = NULL;
    if (c->bCat) cat_release(&c->cat);
    c->bCat = 0;
    if (c->bCatStored) cat_release(&c->catStored);
    c->bCatStored = 0;
    free(c->zCatText);
    c->zCatText = NULL;
    free(c->zDbEnv);
    c->zDbEnv = NULL;
}

int cmd_noncompliant(const rep_t *r, unsigned fOpt)
{
    size_t i, j;
    for (i = 0; i < r->nHost; i++)
        for (j = 0; j < r->aHost[i].nVerdict; j++)
            if (!verdict_compliant(r->aHost[i].aVerdict[j].status, fOpt)) return 1;
    return 0;
}

void cmd_put_safe(FILE *f, const char *z)
{
    const unsigned char *p = (const unsigned char *)(z ? z : "");
    size_t n = strlen((const char *)p), i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = rep_utf8_next(p + i, n - i, &cp);
        /* Controls could drive the terminal and bidi controls reorder what the reader sees (the
         * report writers' own rule); invalid UTF-8 is shown as U+FFFD. */
        if (rep_cp_unsafe_text(cp))
            fputc('?', f);
        else if (cp == 0xFFFD)
            fputs("\xEF\xBF\xBD", f);
        else
            fwrite(p + i, 1, k, f);
        i += k;
    }
}
