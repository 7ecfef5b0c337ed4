/* cmd_collect.c: `kbsentry collect PATH...`. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "collect.h"
#include "kbs_err.h"

static void cmd_collect_help(FILE *f)
{
    fputs("usage: kbsentry collect [--db FILE] [--catalog FILE] [--quiet] [--ignore-bad] PATH...\n"
          "\n"
          "Reads every file under each PATH (folders, UNC paths, USB drives; recursively):\n"
          "kbsentry snapshots (.kbs) and, recognised by content, systeminfo output (as\n"
          "redirected or pasted, any language, several runs per file), `wmic qfe` and\n"
          "`Get-HotFix` as CSV or as the console table (docs/agentless-inputs.md).\n"
          "Unchanged files are skipped; a newer scan of a host becomes its current state,\n"
          "older scans are kept as history. Bad files are reported as PATH:LINE: reason\n"
          "and skipped; the rest is collected. Files that are not inputs by their name\n"
          "(desktop.ini, Thumbs.db, .DS_Store, ._*, ~$*, the agent's <HOST>.kbs.tmp* in\n"
          "flight) are skipped without a message and counted as skipped.\n"
          "\n"
          "  --db FILE       the database (default $" DB_ENV_PATH ", else ./" DB_DEFAULT_PATH ")\n"
          "  --catalog FILE  the catalog verdicts are computed with: a new database keeps it;\n"
          "                  a database keeps its own (see kbsentry recompute)\n"
          "  --quiet         no summary line\n"
          "  --ignore-bad    bad files are still reported and counted, but do not make the\n"
          "                  exit code 2 (for a nightly job: 2 then means the collect failed)\n"
          "\n"
          "exit codes: 0 all collected (with --ignore-bad: all but the bad files reported),\n"
          "2 some file was bad, a folder could not be read completely, or an error occurred\n",
          f);
}

int cmd_collect(cmd_ctx_t *c, int argc, char **argv)
{
    char **azPath = calloc((size_t)argc + 1, sizeof *azPath);
    size_t nPath = 0;
    coll_opts_t o;
    coll_stats_t st;
    int i, rc, bQuiet = 0, bOpts = 1, bIgnoreBad = 0, ex = CMD_EXIT_ERROR;

    if (!azPath) return CMD_EXIT_ERROR;
    for (i = 1; i < argc; i++) {
        int r;
        if (bOpts && !strcmp(argv[i], "--")) { bOpts = 0; continue; }
        if (bOpts && cmd_is_help(argv[i])) {
            cmd_collect_help(c->out);
            ex = CMD_EXIT_OK;
            goto out;
        }
        if (bOpts && (r = cmd_common_opt(c, argc, argv, &i)) != 0) {
            if (r < 0) goto out;
            continue;
        }
        if (bOpts && !strcmp(argv[i], "--quiet")) { bQuiet = 1; continue; }
        if (bOpts && !strcmp(argv[i], "--ignore-bad")) { bIgnoreBad = 1; continue; }
        if (bOpts && argv[i][0] == '-' && argv[i][1]) {
            cmd_bad_usage(c, "unknown option", argv[i]);
            goto out;
        }
        azPath[nPath++] = argv[i];
    }
    if (!nPath) {
        cmd_bad_usage(c, "no PATH given", NULL);
        goto out;
    }
    if (cmd_open_store(c)) goto out;
    memset(&o, 0, sizeof o);
    o.err = c->err;
    o.bProgress = 1;
    o.zDbPath = cmd_db_path(c);
    rc = coll_run(c->db, azPath, nPath, &o, &st);
    if (!bQuiet)
        fprintf(c->out,
                "%lu files: %lu read, %lu unchanged, %lu bad, %lu skipped (not inputs); "
                "%lu scans: %lu new hosts, %lu updated, %lu merged, %lu history, %lu duplicates\n",
                (unsigned long)st.nFile, (unsigned long)st.nRead, (unsigned long)st.nUnchanged,
                (unsigned long)st.nBad, (unsigned long)st.nSkipped, (unsigned long)st.nScan,
                (unsigned long)st.nNewHost,
                (unsigned long)st.nCurrent, (unsigned long)st.nMerged, (unsigned long)st.nHistory,
                (unsigned long)st.nDuplicate);
    if (st.nLost)
        fprintf(c->err, "kbsentry collect: %lu files read were NOT stored: the database write "
                        "failed (see above); run the collect again once the cause is fixed\n",
                (unsigned long)st.nLost);
    if (st.nDirErr)
        fprintf(c->err, "kbsentry collect: INCOMPLETE: %lu folders could not be read completely "
                        "(see above); their files may be missing\n",
                (unsigned long)st.nDirErr);
    if (!bQuiet && st.nLinkSkipped)
        fprintf(c->out, "%lu links to folders not followed (see above)\n",
                (unsigned long)st.nLinkSkipped);
    if (!bQuiet && st.nStemJoined)
        fprintf(c->out,
                "%lu hotfix list%s without a host name joined to the systeminfo beside %s (same "
                "file-name stem, see above)\n",
                (unsigned long)st.nStemJoined, st.nStemJoined == 1 ? "" : "s",
                st.nStemJoined == 1 ? "it" : "them");
    if (!bQuiet && st.nApart)
        fprintf(c->out, "%lu hotfix lists kept apart: their host name is ambiguous (see above)\n",
                (unsigned long)st.nApart);
    if (rc && rc != KBS_EPARSE) fprintf(c->err, "kbsentry collect: stopped: %s\n", kbs_strerror(rc));
    /* KBS_EPARSE with every folder read means only some files were bad */
    if (rc == KBS_EPARSE && bIgnoreBad && !st.nDirErr && !st.nLost) rc = KBS_OK;
    ex = rc ? CMD_EXIT_ERROR : CMD_EXIT_OK;
out:
    free(azPath);
    return ex;
}

static void cmd_recompute_help(FILE *f)
{
    fputs("usage: kbsentry recompute [--db FILE] [--catalog FILE]\n"
          "\n"
          "Makes the catalog (FILE, else the built-in one) the database's own and recomputes\n"
          "every host's stored verdicts with it, in one transaction. report and check\n"
          "--catalog only show a view through another catalog; this changes what is stored.\n"
          "Rules keep their row ids; a collect running meanwhile stops with an error and is\n"
          "run again.\n"
          "\n"
          "exit codes: 0 done, 2 error\n",
          f);
}

int cmd_recompute(cmd_ctx_t *c, int argc, char **argv)
{
    size_t nHost = 0;
    int rc;
    if ((rc = cmd_only_common_opts(c, argc, argv, cmd_recompute_help)) >= 0) return rc;
    if (cmd_catalog(c)) return CMD_EXIT_ERROR;
    {
        char zErr[DB_ERR_MAX];
        if ((rc = db_open(cmd_db_path(c), &c->db, zErr, sizeof zErr))) {
            fprintf(c->err, "kbsentry: database %s\n", zErr);
            return CMD_EXIT_ERROR;
        }
    }
    db_catalog_text(c->db, c->zCatText, c->nCatText);
    if ((rc = db_recompute(c->db, &c->cat, &nHost))) {
        fprintf(c->err, "kbsentry recompute: %s (%s)\n", kbs_strerror(rc),
                rc == KBS_EDB ? db_errmsg(c->db) : "nothing changed");
        return CMD_EXIT_ERROR;
    }
    fprintf(c->out, "catalog %s (%s): %lu hosts recomputed\n", c->cat.zSource, c->cat.zHash,
            (unsigned long)nHost);
    return CMD_EXIT_OK;
}
