/* cmd_catalog.c: `kbsentry catalog derive|build`: catalog clauses from Microsoft's security-update data. */
#include <stdlib.h>
#include <string.h>

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

static int cmd_catalog_derive(cmd_ctx_t *c, const char *zData, const char *zOut, const char **azCve,
                              size_t nCve)
{
    catgen_data_t d;
    catgen_res_t r;
    catgen_err_t e;
    catgen_buf_t b;
    size_t i;
    int rc;

    memset(&b, 0, sizeof b);
    memset(&r, 0, sizeof r);
    if ((rc = cmd_catalog_data(c, zData, &d)) != KBS_OK) return CMD_EXIT_ERROR;
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
    if (rc == KBS_OK) rc = cmd_catalog_emit(c, zOut, &b);
    else fprintf(c->err, "kbsentry catalog: %s\n", kbs_strerror(rc));
out:
    catgen_buf_free(&b);
    catgen_res_release(&r);
    catgen_data_release(&d);
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

int cmd_catalog_cmd(cmd_ctx_t *c, int argc, char **argv)
{
    const char *zData = NULL, *zOut = NULL, *zOverlay = NULL, *zSub;
    const char **azCve = NULL;
    size_t nCve = 0;
    int k, rc;

    if (argc < 2 || cmd_is_help(argv[1])) {
        cmd_catalog_help(argc < 2 ? c->err : c->out);
        return argc < 2 ? CMD_EXIT_ERROR : CMD_EXIT_OK;
    }
    zSub = argv[1];
    if (strcmp(zSub, "derive") && strcmp(zSub, "build")) return cmd_bad_usage(c, "unknown subcommand", zSub);
    if (!(azCve = calloc((size_t)argc, sizeof *azCve))) return CMD_EXIT_ERROR;
    for (k = 2; k < argc; k++) {
        int r;
        if (cmd_is_help(argv[k])) {
            cmd_catalog_help(c->out);
            free(azCve);
            return CMD_EXIT_OK;
        }
        if ((r = cmd_opt(c, argc, argv, &k, "--data", &zData)) != 0 ||
            (r = cmd_opt(c, argc, argv, &k, "--overlay", &zOverlay)) != 0 ||
            (r = cmd_opt(c, argc, argv, &k, "-o", &zOut)) != 0) {
            if (r < 0) {
                free(azCve);
                return CMD_EXIT_ERROR;
            }
            continue;
        }
        if (argv[k][0] == '-') {
            free(azCve);
            return cmd_bad_usage(c, "unknown option", argv[k]);
        }
        if (strncmp(argv[k], "CVE-", 4) != 0 || strlen(argv[k]) > 24) {
            free(azCve);
            return cmd_bad_usage(c, "not a CVE id", argv[k]);
        }
        azCve[nCve++] = argv[k];
    }
    if (!zData) {
        free(azCve);
        return cmd_bad_usage(c, "--data FILE is required", NULL);
    }
    if (!strcmp(zSub, "derive")) {
        if (nCve == 0 || nCve > CATGEN_CVE_MAX) {
            free(azCve);
            return cmd_bad_usage(c, nCve ? "too many CVEs" : "name one or more CVEs", NULL);
        }
        rc = cmd_catalog_derive(c, zData, zOut, azCve, nCve);
    } else {
        if (!zOverlay || nCve) {
            free(azCve);
            return cmd_bad_usage(c, nCve ? "build takes no CVE" : "--overlay FILE is required", NULL);
        }
        rc = cmd_catalog_build(c, zData, zOverlay, zOut);
    }
    free(azCve);
    return rc;
}
