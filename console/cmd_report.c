/* cmd_report.c: `kbsentry report` (the fleet) and `kbsentry check` (one machine). */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "collect.h"
#include "imp.h"
#include "kbs_err.h"
#include "plat.h"
#include "verdict.h"

static void cmd_report_help(FILE *f)
{
    fputs("usage: kbsentry report [--db FILE] [--catalog FILE] [--format table|csv|json|html]\n"
          "                       [--rule ID] [--status S] [--stale DAYS] [--as-of DATE] [-o FILE]\n"
          "\n"
          "Per host: name, OS family, last scan and each rule's verdict with evidence;\n"
          "a summary per OS family and verdict.\n"
          "\n"
          "  --format F      table (default), csv, json or html (one self-contained file)\n"
          "  --rule ID       only this rule (e.g. MS17-010)\n"
          "  --status S      only hosts with a verdict S: patched, missing, unpatchable,\n"
          "                  not-affected, unknown; or 'stale' for hosts not seen for DAYS\n"
          "  --stale DAYS    flag hosts whose last scan is older than DAYS days (default 30;\n"
          "                  0 turns it off); the summary counts them\n"
          "  --as-of DATE    judge scan ages at the end of DATE (YYYY-MM-DD, UTC) instead of\n"
          "                  now: for an audit of archived files\n"
          "  -o FILE         write to FILE instead of standard output\n"
          "  --db FILE       the database (default $" DB_ENV_PATH ", else ./" DB_DEFAULT_PATH ")\n"
          "  --catalog FILE  verdicts from this catalog instead of the built-in one\n"
          "\n"
          "exit codes: 0 every host compliant, 1 a host is missing a fix or unpatchable, 2 error\n",
          f);
}

static void cmd_check_help(FILE *f)
{
    fputs("usage: kbsentry check [--db FILE] [--catalog FILE] [--format table|json]\n"
          "                      [--stale DAYS] [--as-of DATE] HOST|FILE\n"
          "\n"
          "The helpdesk view of one machine: OS, last scan, each emergency rule with its\n"
          "evidence and what to do. HOST is a name, NAME.DOMAIN or machine id from the\n"
          "database; an existing FILE (snapshot, systeminfo output or hotfix CSV) is\n"
          "checked directly, without a database. A scan older than DAYS days (default 30,\n"
          "0: never) is marked stale on every verdict line; --as-of DATE (YYYY-MM-DD)\n"
          "judges the age at the end of that day instead of now.\n"
          "\n"
          "exit codes: 0 compliant, 1 missing a fix or unpatchable, 2 error or not found\n",
          f);
}

/* Parses a non-negative decimal count. */
static int cmd_parse_days(const char *z, int *pOut)
{
    char *zEnd = NULL;
    long v = strtol(z, &zEnd, 10);
    if (!z[0] || *zEnd || v < 0 || v > 36500) return KBS_EINVAL;
    *pOut = (int)v;
    return KBS_OK;
}

/* The default age, in days, after which a host's last scan no longer proves much. */
#define CMD_STALE_DAYS_DEFAULT 30

/* YYYY-MM-DD -> the last second of that day, Unix seconds UTC. */
static int cmd_parse_date(const char *z, int64_t *pOut)
{
    int y, m, d, i;
    int64_t days;
    static const int aCum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    if (strlen(z) != 10 || z[4] != '-' || z[7] != '-') return KBS_EINVAL;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (z[i] < '0' || z[i] > '9')) return KBS_EINVAL;
    y = atoi(z), m = atoi(z + 5), d = atoi(z + 8);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return KBS_EINVAL;
    /* Days since 1970-01-01: whole years, leap days before this year, then the month. */
    days = (int64_t)(y - 1970) * 365 + ((y - 1) / 4 - 1969 / 4) - ((y - 1) / 100 - 1969 / 100) +
           ((y - 1) / 400 - 1969 / 400) + aCum[m - 1] + (d - 1);
    if (m > 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) days++;
    *pOut = days * 86400 + 86399;
    return KBS_OK;
}

/* --stale and --as-of into *pDays / *pNow; returns 0, or the usage error's exit code. */
static int cmd_age_opts(cmd_ctx_t *c, const char *zStale, const char *zAsOf, int *pDays, int64_t *pNow)
{
    *pDays = CMD_STALE_DAYS_DEFAULT;
    *pNow = plat_time();
    if (zStale && cmd_parse_days(zStale, pDays))
        return cmd_bad_usage(c, "--stale needs a number of days, not", zStale);
    if (zAsOf && cmd_parse_date(zAsOf, pNow)) return cmd_bad_usage(c, "--as-of needs YYYY-MM-DD, not", zAsOf);
    return 0;
}

int cmd_report(cmd_ctx_t *c, int argc, char **argv)
{
    const char *zFormat = "table", *zRule = NULL, *zStatus = NULL, *zStale = NULL, *zOut = NULL;
    const char *zAsOf = NULL;
    db_filter_t flt;
    db_report_t rep;
    FILE *out = c->out;
    int i, fmt, rc, ex = CMD_EXIT_ERROR, bLoaded = 0;

    memset(&flt, 0, sizeof flt);
    flt.status = -1;
    for (i = 1; i < argc; i++) {
        int r;
        if (cmd_is_help(argv[i])) {
            cmd_report_help(c->out);
            return CMD_EXIT_OK;
        }
        if ((r = cmd_common_opt(c, argc, argv, &i)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--format", &zFormat)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--rule", &zRule)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--status", &zStatus)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--stale", &zStale)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--as-of", &zAsOf)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "-o", &zOut)) != 0) {
            if (r < 0) return CMD_EXIT_ERROR;
            continue;
        }
        return cmd_bad_usage(c, argv[i][0] == '-' ? "unknown option" : "unexpected argument",
                             argv[i]);
    }
    if ((fmt = rep_format_from_name(zFormat)) < 0) return cmd_bad_usage(c, "unknown format", zFormat);
    if ((rc = cmd_age_opts(c, zStale, zAsOf, &flt.staleDays, &flt.now)) != 0) return rc;
    if (zStatus) {
        if (!strcmp(zStatus, "stale")) {
            flt.staleOnly = 1;
            if (!flt.staleDays) return cmd_bad_usage(c, "--status stale needs --stale DAYS above 0", NULL);
        } else if ((flt.status = verdict_status_from_name(zStatus)) < 0) {
            return cmd_bad_usage(c, "unknown status", zStatus);
        }
    }
    flt.zRule = zRule;
    if (cmd_open(c)) return CMD_EXIT_ERROR;
    rc = db_report_load(c->db, &flt, &rep);
    if (rc == KBS_ENOTFOUND) return cmd_bad_usage(c, "no such rule in the catalog", zRule);
    if (rc) {
        fprintf(c->err, "kbsentry report: %s (%s)\n", kbs_strerror(rc), db_errmsg(c->db));
        return CMD_EXIT_ERROR;
    }
    bLoaded = 1;
    if (zOut && !(out = plat_fopen(zOut, "wb"))) {
        fprintf(c->err, "%s:0: cannot create the report file\n", zOut);
        goto out;
    }
    if (rep_render(&rep.rep, (rep_format_t)fmt, out)) {
        fprintf(c->err, "kbsentry report: writing the report failed\n");
        goto out;
    }
    ex = cmd_noncompliant(&rep.rep) ? CMD_EXIT_NONCOMPLIANT : CMD_EXIT_OK;
out:
    if (out != c->out && out) {
        if (fclose(out) != 0 && ex != CMD_EXIT_ERROR) {
            fprintf(c->err, "%s:0: writing the report failed\n", zOut);
            ex = CMD_EXIT_ERROR;
        }
    }
    if (bLoaded) db_report_release(&rep);
    return ex;
}

/* Checks a file directly: parse, evaluate, render each host it holds. */
static int cmd_check_file(cmd_ctx_t *c, const char *zPath, rep_format_t fmt, int staleDays, int64_t now)
{
    snap_t *aSnap = NULL;
    size_t nSnap = 0, i, j;
    char zErr[SNAP_ERR_MAX + 320], zKind[24];
    verdict_t *aV = NULL;
    rep_verdict_t *aRV = NULL;
    int ex = CMD_EXIT_ERROR, bBad = 0;

    if (cmd_catalog(c)) return CMD_EXIT_ERROR;
    if (coll_read_input(zPath, 0, &aSnap, &nSnap, zKind, sizeof zKind, NULL, zErr, sizeof zErr)) {
        fprintf(c->err, "%s\n", zErr);
        return CMD_EXIT_ERROR;
    }
    aV = calloc(c->cat.nRule ? c->cat.nRule : 1, sizeof *aV);
    aRV = calloc(c->cat.nRule ? c->cat.nRule : 1, sizeof *aRV);
    if (!aV || !aRV) goto out;
    for (i = 0; i < nSnap; i++) {
        const snap_t *s = &aSnap[i];
        rep_t r;
        rep_host_t h;
        os_ident_t id;
        char zDetail[256];
        int sp = os_sp_major(&s->os), n;
        memset(&r, 0, sizeof r);
        memset(&h, 0, sizeof h);
        memset(&id, 0, sizeof id);
        if (s->osKnown)
            os_identify(&s->os, &id);
        else
            snprintf(id.zName, sizeof id.zName, "Unknown OS");
        snprintf(zDetail, sizeof zDetail, "%s %u.%u.%u%s%.0d", s->os.zProductName,
                 (unsigned)s->os.major, (unsigned)s->os.minor, (unsigned)s->os.build,
                 sp > 0 ? " SP" : "", sp > 0 ? sp : 0);
        n = verdict_eval(&c->cat, s, aV, c->cat.nRule);
        if (n < 0) goto out;
        for (j = 0; j < (size_t)n; j++) {
            aRV[j].rule = aV[j].rule;
            aRV[j].status = aV[j].status;
            aRV[j].zEvidence = aV[j].zEvidence;
            aRV[j].zAction = aV[j].zAction;
        }
        h.zHost = s->zHost;
        h.zDomain = s->zDomain;
        h.zMachineId = s->zMachineId;
        h.zOsName = id.zName;
        h.zOsFamily = os_family_key(id.family);
        h.zOsDetail = s->osKnown ? zDetail : "";
        h.zOrigin = s->zOrigin;
        h.zSourcePath = zPath;
        h.scanTime = s->scanTime;
        h.nHotfix = s->nHotfix;
        h.aVerdict = aRV;
        h.nVerdict = (size_t)n;
        r.cat = &c->cat;
        r.aHost = &h;
        r.nHost = 1;
        r.now = now;
        r.staleDays = staleDays;
        h.stale = staleDays > 0 && s->scanTime > 0 && s->scanTime < now - (int64_t)staleDays * 86400;
        r.zTitle = "kbsentry check";
        if (rep_render_check(&r, &h, fmt, c->out)) goto out;
        if (cmd_noncompliant(&r)) bBad = 1;
    }
    ex = bBad ? CMD_EXIT_NONCOMPLIANT : CMD_EXIT_OK;
out:
    free(aV);
    free(aRV);
    imp_free_snaps(aSnap, nSnap);
    return ex;
}

int cmd_check(cmd_ctx_t *c, int argc, char **argv)
{
    const char *zFormat = "table", *zWhat = NULL, *zStale = NULL, *zAsOf = NULL;
    int staleDays;
    int64_t now;
    plat_stat_t ps;
    db_filter_t flt;
    db_report_t rep;
    int i, fmt, rc, ex = CMD_EXIT_ERROR;

    for (i = 1; i < argc; i++) {
        int r;
        if (cmd_is_help(argv[i])) {
            cmd_check_help(c->out);
            return CMD_EXIT_OK;
        }
        if ((r = cmd_common_opt(c, argc, argv, &i)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--format", &zFormat)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--stale", &zStale)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--as-of", &zAsOf)) != 0) {
            if (r < 0) return CMD_EXIT_ERROR;
            continue;
        }
        if ((argv[i][0] == '-' && argv[i][1]) || zWhat)
            return cmd_bad_usage(c, argv[i][0] == '-' ? "unknown option" : "unexpected argument",
                                 argv[i]);
        zWhat = argv[i];
    }
    if (!zWhat) return cmd_bad_usage(c, "no HOST or FILE given", NULL);
    fmt = rep_format_from_name(zFormat);
    if (fmt != REP_FMT_TABLE && fmt != REP_FMT_JSON)
        return cmd_bad_usage(c, "--format must be table or json, not", zFormat);
    if ((rc = cmd_age_opts(c, zStale, zAsOf, &staleDays, &now)) != 0) return rc;
    if (plat_stat(zWhat, &ps) == KBS_OK && !ps.isDir)
        return cmd_check_file(c, zWhat, (rep_format_t)fmt, staleDays, now);

    if (cmd_open(c)) return CMD_EXIT_ERROR;
    memset(&flt, 0, sizeof flt);
    flt.status = -1;
    flt.zHost = zWhat;
    flt.now = now;
    flt.staleDays = staleDays;
    if ((rc = db_report_load(c->db, &flt, &rep))) {
        fprintf(c->err, "kbsentry check: %s (%s)\n", kbs_strerror(rc), db_errmsg(c->db));
        return CMD_EXIT_ERROR;
    }
    if (rep.rep.nHost == 0) {
        fprintf(c->err, "kbsentry check: no host or file '%s' (see 'kbsentry hosts')\n", zWhat);
    } else if (rep.rep.nHost > 1) {
        size_t k;
        fprintf(c->err, "kbsentry check: %lu hosts match; give NAME.DOMAIN or the machine id:\n",
                (unsigned long)rep.rep.nHost);
        for (k = 0; k < rep.rep.nHost; k++) {
            fputs("  ", c->err);
            cmd_put_safe(c->err, rep.rep.aHost[k].zHost);
            fputc('.', c->err);
            cmd_put_safe(c->err, rep.rep.aHost[k].zDomain);
            fputs("  ", c->err);
            cmd_put_safe(c->err, rep.rep.aHost[k].zMachineId);
            fputc('\n', c->err);
        }
    } else if (rep_render_check(&rep.rep, &rep.rep.aHost[0], (rep_format_t)fmt, c->out)) {
        fprintf(c->err, "kbsentry check: writing failed\n");
    } else {
        ex = cmd_noncompliant(&rep.rep) ? CMD_EXIT_NONCOMPLIANT : CMD_EXIT_OK;
    }
    db_report_release(&rep);
    return ex;
}
