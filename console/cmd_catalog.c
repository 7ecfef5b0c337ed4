/* cmd_catalog.c: `kbsentry catalog derive|build|show|add`: the catalog from Microsoft's security-update data, and the one in effect. */
#include <stdlib.h>
#include <string.h>

#include "cat_text.h"
#include "catgen.h"
#include "cmd.h"
#include "kbs_err.h"
#include "plat.h"

/* The data file as published (definitions.zip, 4 MB) or its CSV (135 MB today): room to grow,
 * but a 1 GB file is refused before it is read. */
#define CMD_DATA_MAX ((size_t)600 << 20)

static void cmd_catalog_help(FILE *f)
{
    fputs("usage: kbsentry catalog derive --data FILE [-o OUT] CVE...\n"
          "       kbsentry catalog build --data FILE --overlay FILE [-o OUT]\n"
          "       kbsentry catalog show [RULE] [--db FILE] [--catalog FILE] [-o OUT]\n"
          "       kbsentry catalog add --data FILE [--id ID] [--title TEXT] [--replace]\n"
          "                            [--db FILE] CVE...\n"
          "       kbsentry catalog remove RULE [--db FILE]\n"
          "\n"
          "show: prints the catalog in effect, in the catalog format (save it, edit it, pass it\n"
          "back with --catalog FILE): the --catalog file; else the built-in catalog with the\n"
          "database's own rules (the stored one when the database's verdicts come from another:\n"
          "said on standard error). With RULE, a catalog of that rule alone.\n"
          "\n"
          "add: derives one rule for the CVEs (as derive does; id: --id, else the first CVE) and\n"
          "adds it to the database's own catalog, then recomputes every host's verdicts, in one\n"
          "transaction. A rule id already in effect (built-in or added before) is refused unless\n"
          "--replace. Without --catalog every command uses the built-in catalog with the\n"
          "database's rules; --catalog FILE replaces both.\n"
          "\n"
          "remove: takes a rule add stored out of the database's catalog and recomputes (a\n"
          "built-in rule it replaced applies again).\n"
          "\n"
          "derive: reads Microsoft's security-update data (definitions.zip as the wesng project\n"
          "publishes it, or its CVEs_*.csv) and writes the fix clauses of a rule for the CVEs:\n"
          "per platform the first fixing KBs, then every later update that contains the fix\n"
          "(Supersedes chains; monthly rollups and cumulative updates where a chain breaks),\n"
          "one commented kb line per KB (date, how it was found). What the data cannot decide\n"
          "is written as a NOTE comment and repeated on standard error.\n"
          "\n"
          "build: the whole catalog: the overlay (catalog text whose `fix ... kb=data` clauses\n"
          "take their KBs from the data) expanded with the data. This is how\n"
          "common/catalog/emergency.kbscat is made (docs/catalog-format.md).\n"
          "\n"
          "-o OUT writes through a temporary file renamed into place: an error never leaves a\n"
          "partial catalog where a good one was. Without -o the result goes to standard output.\n",
          f);
}

/* Reads and parses the data file; errors reported as FILE:LINE: reason. */
static int cmd_catalog_data(cmd_ctx_t *c, const char *zData, catgen_data_t *d)
{
    char *z = NULL;
    size_t n = 0;
    catgen_err_t e;
    int rc = plat_read_file(zData, CMD_DATA_MAX, &z, &n);
    if (rc) {
        fprintf(c->err, "%s:0: %s\n", zData,
                rc == KBS_ETOOBIG ? "data file larger than 600 MiB: not MSRC data" : kbs_strerror(rc));
        return rc;
    }
    rc = catgen_data_load((const unsigned char *)z, n, zData, d, &e);
    free(z);
    if (rc) {
        fprintf(c->err, "%s:%u: ", d->zSource[0] ? d->zSource : zData, e.line);
        cmd_put_safe(c->err, e.zReason[0] ? e.zReason : kbs_strerror(rc));
        fputc('\n', c->err);
    }
    return rc;
}

static int cmd_catalog_emit(cmd_ctx_t *c, const char *zOut, const catgen_buf_t *b)
{
    int rc;
    if (!zOut) {
        fwrite(b->z, 1, b->n, c->out);
        return KBS_OK;
    }
    if ((rc = plat_write_atomic(zOut, b->z, b->n)) != KBS_OK)
        fprintf(c->err, "%s:0: cannot write: %s\n", zOut, kbs_strerror(rc));
    return rc;
}

/* Appends the derived clauses for the CVEs (with a comment naming the data) to *pb; notes and
 * errors go to standard error as FILE:LINE. Returns KBS_OK or the error (reported). */
static int cmd_catalog_clauses(cmd_ctx_t *c, const char *zData, const char **azCve, size_t nCve,
                               catgen_buf_t *pb)
{
    catgen_data_t d;
    catgen_res_t r;
    catgen_err_t e;
    catgen_buf_t b = *pb;
    size_t i;
    int rc;

    memset(&r, 0, sizeof r);
    if ((rc = cmd_catalog_data(c, zData, &d)) != KBS_OK) return rc;
    rc = catgen_derive(&d, azCve, nCve, NULL, 0, &r, &e);
    for (i = 0; i < r.nNote; i++) {
        fprintf(c->err, "%s:%u: note: ", d.zSource, r.aNote[i].line);
        cmd_put_safe(c->err, r.aNote[i].zText);
        fputc('\n', c->err);
    }
    if (rc) {
        fprintf(c->err, "%s:%u: ", d.zSource, e.line);
        cmd_put_safe(c->err, e.zReason[0] ? e.zReason : kbs_strerror(rc));
        fputc('\n', c->err);
        goto out;
    }
    catgen_buf_printf(&b, "# Derived by kbsentry catalog derive from %s (data up to %04u-%02u-%02u) for",
                      d.zSource, (unsigned)(d.dateMax / 10000), (unsigned)(d.dateMax / 100 % 100),
                      (unsigned)(d.dateMax % 100));
    for (i = 0; i < nCve; i++) catgen_buf_printf(&b, " %s", azCve[i]);
    catgen_buf_printf(&b, ".\n# Microsoft's data as published by the wesng project: BSD 3-Clause, "
                          "Copyright 2019 Arris Huijgen.\n");
    if ((rc = catgen_write_clauses(&r, &b)) == KBS_OK && b.bOom) rc = KBS_ENOMEM;
    if (rc) fprintf(c->err, "kbsentry catalog: %s\n", kbs_strerror(rc));
out:
    *pb = b;
    catgen_res_release(&r);
    catgen_data_release(&d);
    return rc;
}

static int cmd_catalog_derive(cmd_ctx_t *c, const char *zData, const char *zOut, const char **azCve,
                              size_t nCve)
{
    catgen_buf_t b;
    int rc;
    memset(&b, 0, sizeof b);
    if ((rc = cmd_catalog_clauses(c, zData, azCve, nCve, &b)) == KBS_OK)
        rc = cmd_catalog_emit(c, zOut, &b);
    catgen_buf_free(&b);
    return rc ? CMD_EXIT_ERROR : CMD_EXIT_OK;
}

static int cmd_catalog_build(cmd_ctx_t *c, const char *zData, const char *zOverlay, const char *zOut)
{
    catgen_data_t d;
    catgen_err_t e;
    catgen_buf_t b, notes;
    char *zOv = NULL;
    size_t nOv = 0;
    int rc;

    memset(&b, 0, sizeof b);
    memset(&notes, 0, sizeof notes);
    if ((rc = plat_read_file(zOverlay, CAT_IN_MAX, &zOv, &nOv)) != KBS_OK) {
        fprintf(c->err, "%s:0: %s\n", zOverlay, kbs_strerror(rc));
        return CMD_EXIT_ERROR;
    }
    if ((rc = cmd_catalog_data(c, zData, &d)) != KBS_OK) {
        free(zOv);
        return CMD_EXIT_ERROR;
    }
    rc = catgen_build(&d, zOv, nOv, zOverlay, &b, &notes, &e);
    if (notes.n) fwrite(notes.z, 1, notes.n, c->err);
    if (rc) {
        fprintf(c->err, "%s:%u: ", e.line && e.zReason[0] && e.rc != KBS_EPARSE ? zOverlay : zOverlay, e.line);
        cmd_put_safe(c->err, e.zReason[0] ? e.zReason : kbs_strerror(rc));
        fputc('\n', c->err);
    } else {
        rc = cmd_catalog_emit(c, zOut, &b);
    }
    catgen_buf_free(&b);
    catgen_buf_free(&notes);
    catgen_data_release(&d);
    free(zOv);
    return rc ? CMD_EXIT_ERROR : CMD_EXIT_OK;
}

/* ---- show, add: the catalog in effect and the database's own rules ---- */

/* The catalog `report` would use, with its text: --catalog FILE; else, for an existing database,
 * the stored one when it differs from the built-in catalog with the database's rules (said on
 * standard error); else that one. *pzText is malloc'd, or the built-in text (*pbOwn 0). */
static int cmd_catalog_effective(cmd_ctx_t *c, char **pzText, size_t *pnText, int *pbOwn,
                                 char *zSource, size_t nSource)
{
    char *zStored = NULL;
    size_t nStored = 0;
    char zStoredSrc[260], zHash[24];
    int rc;

    *pbOwn = 1;
    if (c->zCatalog) {
        snprintf(zSource, nSource, "%s", c->zCatalog);
        if ((rc = cmd_catalog(c))) return rc;
        *pzText = c->zCatText;
        *pnText = c->nCatText;
        *pbOwn = 0;
        return KBS_OK;
    }
    /* Showing the catalog must not create a database. */
    if ((rc = cmd_db_open_existing(c)) == KBS_OK) {
        if ((rc = cmd_catalog(c))) return rc;
        rc = db_stored_catalog_text(c->db, &zStored, &nStored, zStoredSrc, sizeof zStoredSrc);
        if (rc != KBS_OK && rc != KBS_ENOTFOUND) {
            fprintf(c->err, "kbsentry: database %s: %s\n", cmd_db_path(c),
                    rc == KBS_EDB ? db_errmsg(c->db) : kbs_strerror(rc));
            return rc;
        }
        if (zStored) {
            snprintf(zHash, sizeof zHash, "%016llx", (unsigned long long)cat_hash64(zStored, nStored));
            if (strcmp(zHash, c->cat.zHash)) {
                fprintf(c->err,
                        "kbsentry catalog: note: the database's verdicts come from the catalog "
                        "%s (%s), shown here; the %s catalog (%s) takes over with 'kbsentry "
                        "recompute'\n",
                        zStoredSrc, zHash, c->cat.zSource, c->cat.zHash);
                snprintf(zSource, nSource, "%s", zStoredSrc);
                *pzText = zStored;
                *pnText = nStored;
                return KBS_OK;
            }
            free(zStored);
        }
    } else if (rc != KBS_ENOTFOUND || (rc = cmd_catalog(c))) {
        return rc;
    }
    snprintf(zSource, nSource, "%s", c->cat.zSource);
    if (c->zCatText) {
        *pzText = c->zCatText;
        *pnText = c->nCatText;
    } else {
        *pzText = (char *)cat_default_text(pnText);
    }
    *pbOwn = 0;
    return KBS_OK;
}

static int cmd_catalog_show(cmd_ctx_t *c, const char *zRule, const char *zOut)
{
    char *zText = NULL, *zOne = NULL;
    size_t nText = 0, nOne = 0;
    char zSource[260];
    catgen_buf_t b;
    int rc, bOwn = 0;

    if ((rc = cmd_catalog_effective(c, &zText, &nText, &bOwn, zSource, sizeof zSource)))
        return CMD_EXIT_ERROR;
    memset(&b, 0, sizeof b);
    if (zRule) {
        rc = cat_text_one(zText, nText, zRule, zSource, &zOne, &nOne);
        if (rc == KBS_ENOTFOUND) {
            fprintf(c->err, "kbsentry catalog: the catalog %s has no rule ", zSource);
            cmd_put_safe(c->err, zRule);
            fputs(" ('kbsentry rules' lists them)\n", c->err);
        } else if (rc) {
            fprintf(c->err, "kbsentry catalog: %s: %s\n", zSource, kbs_strerror(rc));
        }
    }
    if (!rc) {
        b.z = zRule ? zOne : zText;
        b.n = zRule ? nOne : nText;
        rc = cmd_catalog_emit(c, zOut, &b);
    }
    free(zOne);
    if (bOwn) free(zText);
    return rc ? CMD_EXIT_ERROR : CMD_EXIT_OK;
}

/* An id or title given on the command line goes into catalog text: one line, no control. */
static int cmd_catalog_text_arg(const char *z, size_t nMax, int bId)
{
    size_t n = strlen(z), i;
    if (!n || n > nMax) return 0;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)z[i];
        if (ch < 0x20 || ch == 0x7f) return 0;
        if (bId && !((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                     ch == '-' || ch == '_' || ch == '.'))
            return 0;
    }
    return 1;
}

/* The rule's block: id, title, CVEs, one Microsoft page per CVE as its references (as many as
 * the catalog's reference list holds), then the derived clauses. */
static void cmd_catalog_rule_head(catgen_buf_t *b, const char *zId, const char *zTitle,
                                  const char **azCve, size_t nCve)
{
    size_t i, nRef = 0;
    catgen_buf_printf(b, "rule %s\n", zId);
    if (zTitle) {
        catgen_buf_printf(b, "title %s\n", zTitle);
    } else {
        catgen_buf_printf(b, "title");
        for (i = 0; i < nCve && i < 4; i++) catgen_buf_printf(b, " %s", azCve[i]);
        catgen_buf_printf(b, "%s (derived from Microsoft's security-update data)\n",
                          nCve > 4 ? " ..." : "");
    }
    for (i = 0; i < nCve; i++) catgen_buf_printf(b, "%s%s%s", i % 8 ? " " : "cve ", azCve[i],
                                                 i % 8 == 7 || i + 1 == nCve ? "\n" : "");
    for (i = 0; i < nCve; i++) {
        /* CAT_RULE refs hold 511 bytes: 6 addresses of 69. */
        if ((nRef += 70) > 480) break;
        catgen_buf_printf(b, "ref https://msrc.microsoft.com/update-guide/vulnerability/%s\n", azCve[i]);
    }
}

typedef struct cmd_add_opts {
    const char *zData, *zId, *zTitle;
    const char **azCve;
    size_t nCve;
    int bReplace;
} cmd_add_opts_t;

/* 1 when a rule of zId is already in effect (built-in or the database's); says where. */
static int cmd_catalog_has_rule(cmd_ctx_t *c, const char *zId, const char **pzWhere)
{
    db_catrule_t *a = NULL;
    size_t n = 0, i;
    cat_t d;
    int bFound = 0;
    if (db_catrules_load(c->db, &a, &n) == KBS_OK)
        for (i = 0; i < n && !bFound; i++)
            if (!cmd_stricmp(a[i].zId, zId)) bFound = 1;
    db_catrules_free(a, n);
    if (bFound) {
        *pzWhere = "the database's catalog";
        return 1;
    }
    if (cat_load_default(&d) == KBS_OK) {
        bFound = cat_find_rule(&d, zId) != NULL;
        cat_release(&d);
    }
    *pzWhere = "the built-in catalog";
    return bFound;
}

static int cmd_catalog_add(cmd_ctx_t *c, const cmd_add_opts_t *o)
{
    db_catrule_t rule;
    catgen_buf_t b;
    cat_t one, stored;
    cat_err_t e;
    char *zMerged = NULL;
    size_t nMerged = 0, nAdded = 0, nHost = 0;
    uint64_t hRules = 0;
    char zHash[40], zId[24];
    const char *zWhere = NULL;
    int rc, bStored;

    memset(&b, 0, sizeof b);
    memset(&rule, 0, sizeof rule);
    memset(&one, 0, sizeof one);
    snprintf(zId, sizeof zId, "%s", o->zId ? o->zId : o->azCve[0]);
    if ((rc = cmd_db_open(c))) goto out;
    if (cmd_catalog_has_rule(c, zId, &zWhere)) {
        if (!o->bReplace) {
            fprintf(c->err,
                    "kbsentry catalog: rule %s is already in %s: --replace replaces it, --id NAME "
                    "adds the derived rule under another id\n",
                    zId, zWhere);
            rc = KBS_ECONFLICT;
            goto out;
        }
        fprintf(c->err, "kbsentry catalog: note: the derived rule %s replaces the one in %s\n", zId,
                zWhere);
    }
    catgen_buf_printf(&b, "kbscat %d.%d\n", CAT_FMT_MAJOR, CAT_FMT_MINOR);
    cmd_catalog_rule_head(&b, zId, o->zTitle, o->azCve, o->nCve);
    if ((rc = cmd_catalog_clauses(c, o->zData, o->azCve, o->nCve, &b))) goto out;
    catgen_buf_printf(&b, "end\nend-catalog 1\n");
    if (b.bOom) { rc = KBS_ENOMEM; goto out; }
    /* The rule checked alone first: its errors name lines of the text `catalog show` prints. */
    if ((rc = cat_parse(b.z, b.n, zId, &one, &e)) != KBS_OK) {
        fprintf(c->err, "kbsentry catalog: the rule derived for %s cannot be used: line %u: %s\n",
                zId, e.line, e.zReason[0] ? e.zReason : kbs_strerror(rc));
        goto out;
    }
    cat_release(&one);
    /* Stored without the first and last lines: a rule's block. */
    rule.zText = strchr(b.z, '\n') + 1;
    rule.nText = (size_t)(b.z + b.n - rule.zText) - strlen("end-catalog 1\n");
    snprintf(rule.zId, sizeof rule.zId, "%s", zId);
    snprintf(rule.zSource, sizeof rule.zSource, "%s", o->zData);
    rule.addedAt = plat_time();
    if ((rc = cmd_catalog_merge(c, &rule, NULL, &zMerged, &nMerged, &nAdded, &hRules))) goto out;
    c->zCatText = zMerged;
    c->nCatText = nMerged;
    snprintf(zHash, sizeof zHash, "built-in + %lu added rule%s", (unsigned long)nAdded,
             nAdded == 1 ? "" : "s");
    if ((rc = cat_parse(zMerged, nMerged, zHash, &c->cat, &e)) != KBS_OK) {
        fprintf(c->err, "kbsentry catalog: the built-in catalog with the database's rules and %s:%u: %s\n",
                zId, e.line, e.zReason[0] ? e.zReason : kbs_strerror(rc));
        goto out;
    }
    c->bCat = 1;
    /* A database switched to a --catalog file leaves it now: say so, and the way back. */
    bStored = db_stored_catalog(c->db, &stored, zHash, sizeof zHash) == KBS_OK;
    if (bStored) {
        char *zPrev = NULL;
        size_t nPrev = 0, nPrevAdded = 0;
        char zPrevHash[24];
        if (cmd_catalog_merge(c, NULL, NULL, &zPrev, &nPrev, &nPrevAdded, NULL) == KBS_OK) {
            const char *z = zPrev;
            if (!z) z = cat_default_text(&nPrev);
            snprintf(zPrevHash, sizeof zPrevHash, "%016llx", (unsigned long long)cat_hash64(z, nPrev));
            if (strcmp(zPrevHash, zHash))
                fprintf(c->err,
                        "kbsentry catalog: note: the verdicts came from the catalog %s (%s); they now "
                        "come from the built-in catalog with the database's rules ('kbsentry "
                        "recompute --catalog FILE' goes back)\n",
                        stored.zSource, zHash);
        }
        free(zPrev);
        cat_release(&stored);
    }
    db_catalog_text(c->db, c->zCatText, c->nCatText);
    rc = db_catrule_add(c->db, &c->cat, &rule, hRules, &nHost);
    if (rc == KBS_ECONFLICT) {
        fprintf(c->err, "kbsentry catalog: the database's catalog changed while the rule was "
                        "derived (another 'catalog add'): nothing stored; run the command again\n");
        goto out;
    }
    if (rc) {
        fprintf(c->err, "kbsentry catalog: database %s: %s\n", cmd_db_path(c),
                rc == KBS_EDB ? db_errmsg(c->db) : kbs_strerror(rc));
        goto out;
    }
    fprintf(c->out, "added rule %s to the catalog of %s (%s, %s); verdicts recomputed for %lu host%s\n",
            zId, cmd_db_path(c), c->cat.zSource, c->cat.zHash, (unsigned long)nHost,
            nHost == 1 ? "" : "s");
    fprintf(c->out, "next: kbsentry report --rule %s\n", zId);
out:
    catgen_buf_free(&b);
    return rc ? CMD_EXIT_ERROR : CMD_EXIT_OK;
}

/* Takes an added rule out of the database's own catalog and recomputes, in one transaction. */
static int cmd_catalog_remove(cmd_ctx_t *c, const char *zId)
{
    char *zMerged = NULL;
    size_t nMerged = 0, nAdded = 0, nHost = 0;
    uint64_t hRules = 0;
    char zSource[64];
    cat_err_t e;
    int rc;

    if ((rc = cmd_db_open_existing(c)) == KBS_ENOTFOUND)
        fprintf(c->err, "kbsentry catalog: no database %s\n", cmd_db_path(c));
    if (rc) return CMD_EXIT_ERROR;
    if ((rc = cmd_catalog_merge(c, NULL, zId, &zMerged, &nMerged, &nAdded, &hRules)))
        return CMD_EXIT_ERROR;
    if (!nAdded) {
        rc = cat_load_default(&c->cat);
    } else {
        snprintf(zSource, sizeof zSource, "built-in + %lu added rule%s", (unsigned long)nAdded,
                 nAdded == 1 ? "" : "s");
        rc = cat_parse(zMerged, nMerged, zSource, &c->cat, &e);
    }
    c->zCatText = zMerged;
    c->nCatText = nMerged;
    if (rc) {
        fprintf(c->err, "kbsentry catalog: the catalog without %s: %s\n", zId, kbs_strerror(rc));
        return CMD_EXIT_ERROR;
    }
    c->bCat = 1;
    db_catalog_text(c->db, c->zCatText, c->nCatText);
    rc = db_catrule_remove(c->db, &c->cat, zId, hRules, &nHost);
    if (rc == KBS_ENOTFOUND) {
        fputs("kbsentry catalog: the database's catalog added no rule ", c->err);
        cmd_put_safe(c->err, zId);
        fputs(" (built-in rules stay; 'kbsentry catalog show' prints the catalog)\n", c->err);
    } else if (rc == KBS_ECONFLICT) {
        fputs("kbsentry catalog: the database's catalog changed meanwhile (another 'catalog add'): "
              "nothing removed; run the command again\n",
              c->err);
    } else if (rc) {
        fprintf(c->err, "kbsentry catalog: database %s: %s\n", cmd_db_path(c),
                rc == KBS_EDB ? db_errmsg(c->db) : kbs_strerror(rc));
    } else {
        fputs("removed rule ", c->out);
        cmd_put_safe(c->out, zId);
        fprintf(c->out, " from the catalog of %s (%s, %s); verdicts recomputed for %lu host%s\n",
                cmd_db_path(c), c->cat.zSource, c->cat.zHash, (unsigned long)nHost,
                nHost == 1 ? "" : "s");
    }
    return rc ? CMD_EXIT_ERROR : CMD_EXIT_OK;
}

int cmd_catalog_cmd(cmd_ctx_t *c, int argc, char **argv)
{
    const char *zData = NULL, *zOut = NULL, *zOverlay = NULL, *zSub, *zRule = NULL;
    cmd_add_opts_t add;
    const char **azCve = NULL;
    size_t nCve = 0;
    int k, rc = CMD_EXIT_ERROR, bShow, bAdd;

    if (argc < 2 || cmd_is_help(argv[1])) {
        cmd_catalog_help(argc < 2 ? c->err : c->out);
        return argc < 2 ? CMD_EXIT_ERROR : CMD_EXIT_OK;
    }
    zSub = argv[1];
    bShow = !strcmp(zSub, "show") || !strcmp(zSub, "remove");
    bAdd = !strcmp(zSub, "add");
    memset(&add, 0, sizeof add);
    if (strcmp(zSub, "derive") && strcmp(zSub, "build") && !bShow && !bAdd)
        return cmd_bad_usage(c, "unknown subcommand", zSub);
    if (!(azCve = calloc((size_t)argc, sizeof *azCve))) return CMD_EXIT_ERROR;
    for (k = 2; k < argc; k++) {
        int r;
        if (cmd_is_help(argv[k])) {
            cmd_catalog_help(c->out);
            rc = CMD_EXIT_OK;
            goto out;
        }
        if ((r = cmd_opt(c, argc, argv, &k, "--data", &zData)) != 0 ||
            (r = cmd_opt(c, argc, argv, &k, "--overlay", &zOverlay)) != 0 ||
            (r = cmd_opt(c, argc, argv, &k, "-o", &zOut)) != 0 ||
            ((bShow || bAdd) && (r = cmd_common_opt(c, argc, argv, &k)) != 0) ||
            (bAdd && (r = cmd_opt(c, argc, argv, &k, "--id", &add.zId)) != 0) ||
            (bAdd && (r = cmd_opt(c, argc, argv, &k, "--title", &add.zTitle)) != 0)) {
            if (r < 0) goto out;
            continue;
        }
        if (bAdd && !strcmp(argv[k], "--replace")) {
            add.bReplace = 1;
            continue;
        }
        if (argv[k][0] == '-') {
            rc = cmd_bad_usage(c, "unknown option", argv[k]);
            goto out;
        }
        if (bShow) {
            if (zRule) {
                rc = cmd_bad_usage(c, "show and remove take one rule id", argv[k]);
                goto out;
            }
            zRule = argv[k];
            continue;
        }
        if (strncmp(argv[k], "CVE-", 4) != 0 || strlen(argv[k]) > 24) {
            rc = cmd_bad_usage(c, "not a CVE id", argv[k]);
            goto out;
        }
        azCve[nCve++] = argv[k];
    }
    if (bShow && zSub[0] == 'r') {
        rc = zData || zOverlay || zOut || c->zCatalog || !zRule
                 ? cmd_bad_usage(c, "remove takes a rule id and --db only", NULL)
                 : cmd_catalog_remove(c, zRule);
        goto out;
    }
    if (bShow) {
        rc = zData || zOverlay ? cmd_bad_usage(c, "show takes no --data or --overlay", NULL)
                               : cmd_catalog_show(c, zRule, zOut);
        goto out;
    }
    if (!zData) {
        rc = cmd_bad_usage(c, "--data FILE is required", NULL);
        goto out;
    }
    if (!strcmp(zSub, "build")) {
        rc = !zOverlay || nCve ? cmd_bad_usage(c, nCve ? "build takes no CVE" : "--overlay FILE is required", NULL)
                               : cmd_catalog_build(c, zData, zOverlay, zOut);
        goto out;
    }
    if (nCve == 0 || nCve > CATGEN_CVE_MAX) {
        rc = cmd_bad_usage(c, nCve ? "too many CVEs" : "name one or more CVEs", NULL);
        goto out;
    }
    if (!bAdd) {
        rc = cmd_catalog_derive(c, zData, zOut, azCve, nCve);
        goto out;
    }
    if (c->zCatalog || zOut || zOverlay) {
        rc = cmd_bad_usage(c, c->zCatalog ? "add stores the rule in the database's own catalog; "
                                            "with a --catalog file, add the rule to that file "
                                            "('kbsentry catalog derive')"
                                          : "add takes no -o or --overlay",
                           NULL);
        goto out;
    }
    if ((add.zId && !cmd_catalog_text_arg(add.zId, 23, 1)) ||
        (!add.zId && strlen(azCve[0]) > 23)) {
        rc = cmd_bad_usage(c, "a rule id is 1 to 23 letters, digits, '-', '_' or '.'", add.zId);
        goto out;
    }
    if (add.zTitle && !cmd_catalog_text_arg(add.zTitle, 127, 0)) {
        rc = cmd_bad_usage(c, "a title is one line of at most 127 bytes", NULL);
        goto out;
    }
    add.zData = zData;
    add.azCve = azCve;
    add.nCve = nCve;
    rc = cmd_catalog_add(c, &add);
out:
    free(azCve);
    return rc;
}
