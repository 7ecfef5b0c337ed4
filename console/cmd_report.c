/* cmd_report.c: `kbsentry report` (the fleet) and `kbsentry check` (one machine). */
#include <stdlib.h>
#include <string.h>

#include "chk.h"
#include "cmd.h"
#include "collect.h"
#include "imp.h"
#include "kbs_err.h"
#include "plat.h"
#include "verdict.h"

static void cmd_report_help(FILE *f)
{
    fputs("usage: kbsentry report [--db FILE] [--catalog FILE] [--format table|csv|json|html]\n"
          "                       [--rule ID] [--status S[,S...]] [--role R] [--stale DAYS]\n"
          "                       [--group folder|domain|ou] [--ou DN]\n"
          "                       [--as-of DATE] [--strict] [--accept-unknown] [-o FILE]\n"
          "       kbsentry report --trend RULE [--since DATE] [--as-of DATE] [--format F] [-o FILE]\n"
          "\n"
          "Per host: name, OS family, last scan and each rule's verdict with evidence;\n"
          "a summary per OS family and verdict. Once the directory was read (kbsentry\n"
          "inventory) every report heads with its coverage, and each enabled computer\n"
          "account that never reported is a row of its own: unknown under every rule ('no\n"
          "scan'), or unpatchable / not-affected where its OS and service pack in the\n"
          "directory decide alone.\n"
          "\n"
          "  --format F      table (default), csv, json or html (one self-contained file)\n"
          "  --rule ID       only this rule (e.g. MS17-010)\n"
          "  --status S,...  only hosts with a verdict S: patched, mitigated, missing,\n"
          "                  unpatchable, not-affected, unknown, or not-ok (missing,\n"
          "                  unpatchable or unknown; with --strict also mitigated); a comma\n"
          "                  list or a repeated option takes any of them; 'stale' keeps only\n"
          "                  hosts not seen for DAYS (and, with statuses, one of them)\n"
          "  --role R        only hosts of this role (the product type of their OS facts): dc\n"
          "                  (domain controllers), server (member servers), workstation\n"
          "  --group G       hosts by folder (of their input file: a drop share's subfolders\n"
          "                  are its sites), domain, or ou (the directory's organizational\n"
          "                  unit): a summary per group and a group column in every format\n"
          "  --strict        a mitigated verdict (workaround, no fix yet) counts as non-compliant\n"
          "  --stale DAYS    flag hosts whose last scan is older than DAYS days (default 30;\n"
          "                  0 turns it off); the summary counts them\n"
          "  --as-of DATE    judge scan ages at the end of DATE (YYYY-MM-DD, UTC) instead of\n"
          "                  now: for an audit of archived files\n"
          "  --ou DN         only the machines whose computer account is in this OU or below\n"
          "  -o FILE         write to FILE instead of standard output\n"
          "  --trend RULE    the rule's history instead: one row per day (ISO date first) with\n"
          "                  the hosts by verdict as the fleet stood at the end of that day\n"
          "                  (UTC), from every stored scan; html draws the curve\n"
          "  --since DATE    the trend's first day (YYYY-MM-DD; default: the first scan's)\n"
          "  --accept-unknown  verdicts 'unknown' do not make the exit code 1\n"
          "  --db FILE       the database (default $" DB_ENV_PATH ", else ./" DB_DEFAULT_PATH ")\n"
          "  --catalog FILE  a view through this catalog, computed without changing the\n"
          "                  stored verdicts (kbsentry recompute changes those)\n"
          "\n"
          "exit codes: 0 every verdict patched, not-affected or mitigated (mitigated only\n"
          "without --strict, unknown only with --accept-unknown); 1 a host is missing a\n"
          "fix, unpatchable, unknown or (with --strict) mitigated; 2 error.\n"
          "With -o FILE, and for --trend: 0 the report was written (whatever the verdicts\n"
          "say), 2 error.\n",
          f);
}

static void cmd_check_help(FILE *f)
{
    fputs("usage: kbsentry check [--db FILE] [--catalog FILE] [--format table|csv|json|html]\n"
          "                      [--rule ID]... [--stale DAYS] [--as-of DATE] [--strict]\n"
          "                      [--accept-unknown] HOST|FILE...\n"
          "\n"
          "The helpdesk view of one machine: OS, last scan, each emergency rule with its\n"
          "evidence and what to do. HOST is a name, NAME.DOMAIN or machine id from the\n"
          "database; existing FILEs (snapshot, systeminfo output, hotfix CSV or the table\n"
          "of Get-HotFix / wmic qfe) are checked directly, without a database: the files\n"
          "of one machine (say its systeminfo and its Get-HotFix) are judged together\n"
          "(a name a console table cut, 'WS-PC0...', joins the one machine it fits, and\n"
          "none when it fits several: it says so);\n"
          "with --format json several hosts give a JSON array of them. A scan older than\n"
          "DAYS days (default 30, 0: never) is marked stale on every verdict line; --as-of\n"
          "DATE (YYYY-MM-DD) judges the age at the end of that day instead of now.\n"
          "\n"
          "  --rule ID         only this rule (repeat for several): shown and judged\n"
          "  --format F        table (default), json (several hosts: an array), or the\n"
          "                    report formats csv and html (all hosts in one table)\n"
          "  --accept-unknown  verdicts 'unknown' do not make the exit code 1\n"
          "  --strict          a mitigated verdict (workaround, no fix yet) makes it 1\n"
          "\n"
          "exit codes: 0 every verdict patched, not-affected or mitigated (mitigated only\n"
          "without --strict, unknown only with --accept-unknown); 1 missing a fix,\n"
          "unpatchable, unknown or (with --strict) mitigated; 2 error (a FILE that cannot be\n"
          "read, several hosts match); 3 no such host in the database\n",
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

/* YYYY-MM-DD -> the last second of that day, Unix seconds UTC. KBS_EINVAL when not of that
 * form, KBS_ENOTFOUND when the calendar has no such day (2026-02-31, 2025-02-29). */
static int cmd_parse_date(const char *z, int64_t *pOut)
{
    int y, m, d, i, bLeap;
    int64_t days;
    static const int aCum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    static const int aLen[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(z) != 10 || z[4] != '-' || z[7] != '-') return KBS_EINVAL;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (z[i] < '0' || z[i] > '9')) return KBS_EINVAL;
    y = atoi(z), m = atoi(z + 5), d = atoi(z + 8);
    bLeap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > aLen[m - 1] + (m == 2 && bLeap))
        return KBS_ENOTFOUND;
    /* Days since 1970-01-01: whole years, leap days before this year, then the month. */
    days = (int64_t)(y - 1970) * 365 + ((y - 1) / 4 - 1969 / 4) - ((y - 1) / 100 - 1969 / 100) +
           ((y - 1) / 400 - 1969 / 400) + aCum[m - 1] + (d - 1);
    if (m > 2 && bLeap) days++;
    *pOut = days * 86400 + 86399;
    return KBS_OK;
}

/* `--role dc` keeps the servers whose OS facts do not say whether they are domain controllers
 * (systeminfo in a UI language whose wording is not recognised): say which, so that nobody reads
 * them as proven domain controllers, nor misses a domain controller among them. */
static void rpt_note_role_unknown(cmd_ctx_t *c, const rep_t *r)
{
    size_t i, n = 0;
    for (i = 0; i < r->nHost; i++) {
        if (!r->aHost[i].roleUnknown) continue;
        if (n == 0)
            fprintf(c->err, "kbsentry report: note: kept with --role dc, role unknown (their OS "
                            "facts do not say whether they are domain controllers):");
        if (n < 20) fprintf(c->err, " %s", r->aHost[i].zHost);
        n++;
    }
    if (n > 20) fprintf(c->err, " and %lu more", (unsigned long)(n - 20));
    if (n) fprintf(c->err, "\n");
}

/* --stale and --as-of into *pDays / *pNow; returns 0, or the usage error's exit code. */
static int cmd_age_opts(cmd_ctx_t *c, const char *zStale, const char *zAsOf, int *pDays, int64_t *pNow)
{
    int rc;
    *pDays = CMD_STALE_DAYS_DEFAULT;
    *pNow = plat_time();
    if (zStale && cmd_parse_days(zStale, pDays))
        return cmd_bad_usage(c, "--stale needs a number of days, not", zStale);
    if (zAsOf && (rc = cmd_parse_date(zAsOf, pNow)) != KBS_OK)
        return cmd_bad_usage(c, rc == KBS_ENOTFOUND ? "--as-of: no such day (from 1970 on)"
                                                    : "--as-of needs YYYY-MM-DD, not", zAsOf);
    return 0;
}

/* Adds the statuses of one --status value (a comma list) to *pMask (bits 1 << status) and
 * *pStale; 'not-ok' is missing, unpatchable and unknown (and mitigated when fOpt is strict).
 * Returns 0, or the usage error's exit code. */
static int cmd_status_list(cmd_ctx_t *c, const char *zList, unsigned fOpt, unsigned *pMask,
                           int *pStale)
{
    const char *z = zList;
    char zOne[32];
    for (;;) {
        size_t n = strcspn(z, ",");
        int st;
        if (n == 0 || n >= sizeof zOne) return cmd_bad_usage(c, "--status: empty or unknown status in", zList);
        memcpy(zOne, z, n);
        zOne[n] = 0;
        if (!strcmp(zOne, "stale")) {
            *pStale = 1;
        } else if (!strcmp(zOne, "not-ok")) {
            *pMask |= 1u << VERDICT_MISSING | 1u << VERDICT_UNPATCHABLE | 1u << VERDICT_UNKNOWN;
            if (fOpt & VERDICT_STRICT) *pMask |= 1u << VERDICT_MITIGATED;
        } else if ((st = verdict_status_from_name(zOne)) >= 0) {
            *pMask |= 1u << (unsigned)st;
        } else {
            return cmd_bad_usage(c, "unknown status", zOne);
        }
        if (!z[n]) return 0;
        z += n + 1;
    }
}

/* Appends zSep (": " for the first filter, ", " after) and z to the title zOut. */
static void cmd_title_add(char *zOut, size_t nOut, int *pnFilter, const char *zWhat, const char *z)
{
    size_t n = strlen(zOut);
    if (n + 1 >= nOut) return;
    snprintf(zOut + n, nOut - n, "%s%s%s", (*pnFilter)++ ? ", " : ": ", zWhat, z);
}

/* The report's title with the filters that made it ("kbsentry compliance report: rule
 * MS17-010, status missing or unknown, role dc"): a filtered page is never read as the fleet. */
static void cmd_report_title(char *zOut, size_t nOut, const db_filter_t *f, const char *zRole)
{
    /* worst first, as the reports list them */
    static const verdict_status_t aOrder[] = {VERDICT_MISSING,   VERDICT_UNPATCHABLE,
                                              VERDICT_UNKNOWN,   VERDICT_MITIGATED,
                                              VERDICT_PATCHED,   VERDICT_NOT_AFFECTED};
    char zSt[128] = "";
    size_t k, nSt = 0, iSt = 0, n;
    int nFilter = 0;
    snprintf(zOut, nOut, "kbsentry compliance report");
    if (f->zRule) cmd_title_add(zOut, nOut, &nFilter, "rule ", f->zRule);
    for (k = 0; k < VERDICT_COUNT; k++)
        if (f->statusMask >> aOrder[k] & 1u) nSt++;
    for (k = 0; k < VERDICT_COUNT; k++) {
        if (!(f->statusMask >> aOrder[k] & 1u)) continue;
        n = strlen(zSt);
        snprintf(zSt + n, sizeof zSt - n, "%s%s", !iSt ? "" : iSt + 1 == nSt ? " or " : ", ",
                 verdict_status_name(aOrder[k]));
        iSt++;
    }
    if (nSt) cmd_title_add(zOut, nOut, &nFilter, "status ", zSt);
    if (f->staleOnly) cmd_title_add(zOut, nOut, &nFilter, "stale only", "");
    if (zRole) cmd_title_add(zOut, nOut, &nFilter, "role ", zRole);
    if (f->zOu) cmd_title_add(zOut, nOut, &nFilter, "under ", f->zOu);
}

/* report --trend RULE: the rule's history per day, up to until, from since (0: the first
 * scan's day), to out. Returns the exit code. */
static int cmd_report_trend(cmd_ctx_t *c, const char *zRule, int64_t since, int64_t until,
                            rep_format_t fmt, FILE *out)
{
    rep_trend_t *aT = NULL;
    size_t nT = 0;
    char zTitle[160];
    int rc;
    if (cmd_open(c)) return CMD_EXIT_ERROR;
    rc = db_trend_load(c->db, zRule, since, until, &aT, &nT);
    if (rc == KBS_ENOTFOUND) return cmd_bad_usage(c, "no such rule in the catalog", zRule);
    if (rc) {
        fprintf(c->err, "kbsentry report: %s (%s)\n", kbs_strerror(rc), db_errmsg(c->db));
        return CMD_EXIT_ERROR;
    }
    snprintf(zTitle, sizeof zTitle, "kbsentry trend: %s", aT[0].rule->zId);
    rc = rep_trend_render(&aT[0], fmt, zTitle, out);
    db_trend_free(aT, nT);
    if (rc) {
        fprintf(c->err, "kbsentry report: writing the trend failed\n");
        return CMD_EXIT_ERROR;
    }
    return CMD_EXIT_OK;
}

int cmd_report(cmd_ctx_t *c, int argc, char **argv)
{
    const char *zFormat = "table", *zRule = NULL, *zStatus = NULL, *zStale = NULL, *zOut = NULL;
    const char *zRole = NULL, *zAsOf = NULL, *zTrend = NULL, *zSince = NULL, *zGroup = NULL;
    const char *zOu = NULL;
    rep_trend_t *aTrend = NULL;
    size_t nTrend = 0;
    int group = REP_GROUP_NONE;
    int64_t since = 0;
    char **azStatus = NULL; /* every --status value: they add up */
    size_t nStatus = 0, k;
    char zTitle[256];
    db_filter_t flt;
    db_report_t rep;
    FILE *out = c->out;
    int i, fmt, rc, ex = CMD_EXIT_ERROR, bLoaded = 0;
    unsigned fOpt = 0;

    memset(&flt, 0, sizeof flt);
    flt.status = -1;
    if (!(azStatus = calloc((size_t)argc + 1, sizeof *azStatus))) return CMD_EXIT_ERROR;
    for (i = 1; i < argc; i++) {
        int r;
        if (cmd_is_help(argv[i])) {
            cmd_report_help(c->out);
            ex = CMD_EXIT_OK;
            goto out;
        }
        if (!strcmp(argv[i], "--accept-unknown")) {
            fOpt |= VERDICT_ACCEPT_UNKNOWN;
            continue;
        }
        if ((r = cmd_common_opt(c, argc, argv, &i)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--format", &zFormat)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--rule", &zRule)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--status", &zStatus)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--stale", &zStale)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--role", &zRole)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--as-of", &zAsOf)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--trend", &zTrend)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--since", &zSince)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--group", &zGroup)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--ou", &zOu)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "-o", &zOut)) != 0) {
            if (r < 0) goto out;
            if (zStatus) azStatus[nStatus++] = (char *)zStatus;
            zStatus = NULL;
            continue;
        }
        if (!strcmp(argv[i], "--strict")) {
            fOpt |= VERDICT_STRICT;
            continue;
        }
        ex = cmd_bad_usage(c, argv[i][0] == '-' ? "unknown option" : "unexpected argument",
                           argv[i]);
        goto out;
    }
    if ((fmt = rep_format_from_name(zFormat)) < 0) {
        ex = cmd_bad_usage(c, "unknown format", zFormat);
        goto out;
    }
    if ((rc = cmd_age_opts(c, zStale, zAsOf, &flt.staleDays, &flt.now)) != 0) {
        ex = rc;
        goto out;
    }
    if (zSince && (!zTrend || cmd_parse_date(zSince, &since))) {
        ex = cmd_bad_usage(c, zTrend ? "--since needs YYYY-MM-DD, not" : "--since goes with --trend RULE",
                           zSince);
        goto out;
    }
    if (zSince) since -= 86399; /* the start of that day */
    if (zGroup && (group = rep_group_from_name(zGroup)) < 0) {
        ex = cmd_bad_usage(c, "--group must be folder, domain or ou, not", zGroup);
        goto out;
    }
    if (zTrend && (nStatus || zRule || zRole)) {
        ex = cmd_bad_usage(c, "--trend takes no --rule, --status or --role", NULL);
        goto out;
    }
    for (k = 0; k < nStatus; k++)
        if ((rc = cmd_status_list(c, azStatus[k], fOpt, &flt.statusMask, &flt.staleOnly)) != 0) {
            ex = rc;
            goto out;
        }
    if (flt.staleOnly && !flt.staleDays) {
        ex = cmd_bad_usage(c, "--status stale needs --stale DAYS above 0", NULL);
        goto out;
    }
    if (zRole) {
        if (!strcmp(zRole, "dc")) flt.role = OS_PT_DC;
        else if (!strcmp(zRole, "server")) flt.role = OS_PT_SERVER;
        else if (!strcmp(zRole, "workstation")) flt.role = OS_PT_WORKSTATION;
        else {
            ex = cmd_bad_usage(c, "--role must be dc, server or workstation, not", zRole);
            goto out;
        }
    }
    flt.zRule = zRule;
    if (zTrend) {
        if (zOut && !(out = plat_fopen(zOut, "wb"))) {
            fprintf(c->err, "%s:0: cannot create the report file\n", zOut);
            goto out;
        }
        ex = cmd_report_trend(c, zTrend, since, flt.now, (rep_format_t)fmt, out);
        goto out;
    }
    flt.zOu = zOu && zOu[0] ? zOu : NULL;
    if (cmd_open(c)) goto out;
    rc = db_report_load(c->db, &flt, &rep);
    if (rc == KBS_ENOTFOUND) {
        ex = cmd_bad_usage(c, "no such rule in the catalog", zRule);
        goto out;
    }
    if (rc) {
        fprintf(c->err, "kbsentry report: %s (%s)\n", kbs_strerror(rc), db_errmsg(c->db));
        goto out;
    }
    bLoaded = 1;
    if (flt.role == OS_PT_DC) rpt_note_role_unknown(c, &rep.rep);
    cmd_report_title(zTitle, sizeof zTitle, &flt, zRole);
    rep.rep.zTitle = zTitle;
    rep.rep.group = (rep_group_t)group;
    if (fmt == REP_FMT_HTML) {
        /* the rollout curves: without them the page is still whole, so a failure only warns */
        rc = db_trend_load(c->db, zRule, 0, flt.now, &aTrend, &nTrend);
        if (rc)
            fprintf(c->err, "kbsentry report: no rollout curves: %s (%s)\n", kbs_strerror(rc),
                    db_errmsg(c->db));
        rep.rep.aTrend = aTrend;
        rep.rep.nTrend = nTrend;
    }
    if (zOut && !(out = plat_fopen(zOut, "wb"))) {
        fprintf(c->err, "%s:0: cannot create the report file\n", zOut);
        goto out;
    }
    if (rep_render(&rep.rep, (rep_format_t)fmt, out)) {
        fprintf(c->err, "kbsentry report: writing the report failed\n");
        goto out;
    }
    /* Written to a file, the exit code says that it was (a `report -o x.html && mail` chain);
     * the verdicts are in the file. */
    ex = !zOut && cmd_noncompliant(&rep.rep, fOpt) ? CMD_EXIT_NONCOMPLIANT : CMD_EXIT_OK;
out:
    if (out != c->out && out) {
        if (fclose(out) != 0 && ex != CMD_EXIT_ERROR) {
            fprintf(c->err, "%s:0: writing the report failed\n", zOut);
            ex = CMD_EXIT_ERROR;
        }
    }
    if (bLoaded) db_report_release(&rep);
    db_trend_free(aTrend, nTrend);
    free(azStatus);
    return ex;
}

/* Replaces each --rule name in azRule by the id of its rule in cat (the catalog's spelling);
 * returns 0, or the usage error's exit code for a rule cat does not have. */
static int cmd_rule_ids(cmd_ctx_t *c, const cat_t *cat, const char **azRule, size_t nRule)
{
    size_t k;
    for (k = 0; k < nRule; k++) {
        const cat_rule_t *rule = cat_find_rule(cat, azRule[k]);
        if (!rule) return cmd_bad_usage(c, "no such rule in the catalog", azRule[k]);
        azRule[k] = rule->zId;
    }
    return 0;
}

/* Keeps of h's verdicts those of the rules azRule[0..nRule-1] (ids as cmd_rule_ids gives
 * them; every verdict when nRule is 0). */
static void cmd_keep_rules(rep_host_t *h, const char *const *azRule, size_t nRule)
{
    size_t i, j = 0, k;
    if (!nRule) return;
    for (i = 0; i < h->nVerdict; i++) {
        const cat_rule_t *rule = h->aVerdict[i].rule;
        for (k = 0; rule && k < nRule && strcmp(rule->zId, azRule[k]); k++) {
        }
        if (rule && k < nRule) h->aVerdict[j++] = h->aVerdict[i];
    }
    h->nVerdict = j;
}

/* The newest modification time of the files in zFrom ("FILE" or "FILE1 + FILE2"), 0 if none
 * can be read: the date of an input that carries no scan date of its own, as collect takes it. */
static int64_t cmd_files_mtime(const char *zFrom)
{
    char zPath[1024];
    const char *z = zFrom;
    int64_t t = 0;
    while (*z) {
        const char *zEnd = strstr(z, " + ");
        size_t n = zEnd ? (size_t)(zEnd - z) : strlen(z);
        plat_stat_t ps;
        if (n < sizeof zPath) {
            memcpy(zPath, z, n);
            zPath[n] = 0;
            if (plat_stat(zPath, &ps) == KBS_OK && ps.mtime > t) t = ps.mtime;
        }
        z += n;
        if (zEnd) z += 3;
    }
    return t;
}

/* One host of a file check, judged: what rep_host_t points into. */
typedef struct chk_view {
    os_ident_t id;
    char zDetail[256];
    verdict_t *aV;
} chk_view_t;

/* Checks files directly: parse each, join the facts of each machine across the files,
 * evaluate and render each host (csv and html: all hosts in one report). */
static int cmd_check_files(cmd_ctx_t *c, char **azPath, size_t nPath, rep_format_t fmt,
                           unsigned fOpt, int staleDays, int64_t now, const char **azRule,
                           size_t nRule)
{
    snap_t *aSnap = NULL;
    chk_set_t set;
    chk_host_t *aHost = NULL;
    size_t nSnap = 0, nHost = 0, nCat, i, j, k;
    char zErr[SNAP_ERR_MAX + 320], zKind[24];
    chk_view_t *aView = NULL;
    verdict_t *aV = NULL;
    rep_verdict_t *aRV = NULL;
    rep_host_t *aH = NULL;
    rep_t r;
    int ex = CMD_EXIT_ERROR, bBad = 0, bFailed = 0, bArray;

    if (cmd_catalog(c)) return CMD_EXIT_ERROR;
    nCat = c->cat.nRule ? c->cat.nRule : 1;
    if ((ex = cmd_rule_ids(c, &c->cat, azRule, nRule)) != 0) return ex;
    ex = CMD_EXIT_ERROR;
    chk_set_init(&set);
    for (k = 0; k < nPath; k++) {
        if (coll_read_input(azPath[k], 0, &aSnap, &nSnap, zKind, sizeof zKind, NULL, zErr,
                            sizeof zErr)) {
            /* the other files are still judged; the exit code says one was refused */
            fprintf(c->err, "%s\n", zErr);
            bFailed = 1;
            continue;
        }
        for (i = 0; i < nSnap; i++) {
            if (chk_set_add(&set, &aSnap[i], azPath[k])) {
                fprintf(c->err, "%s:0: cannot join its facts: out of memory\n", azPath[k]);
                imp_free_snaps(aSnap, nSnap);
                goto out;
            }
        }
        imp_free_snaps(aSnap, nSnap);
        aSnap = NULL;
        nSnap = 0;
    }
    if (chk_set_join(&set, c->err)) {
        fprintf(c->err, "kbsentry check: cannot join the files' facts: out of memory\n");
        goto out;
    }
    aHost = set.a;
    nHost = set.n;
    bArray = fmt == REP_FMT_JSON && nHost > 1;
    aView = calloc(nHost ? nHost : 1, sizeof *aView);
    aV = calloc((nHost ? nHost : 1) * nCat, sizeof *aV);
    aRV = calloc((nHost ? nHost : 1) * nCat, sizeof *aRV);
    aH = calloc(nHost ? nHost : 1, sizeof *aH);
    if (!aView || !aV || !aRV || !aH) goto out;
    memset(&r, 0, sizeof r);
    r.cat = &c->cat;
    r.now = now;
    r.staleDays = staleDays;
    r.zTitle = "kbsentry check";
    for (i = 0; i < nHost; i++) {
        const snap_t *s = &aHost[i].s;
        chk_view_t *w = &aView[i];
        rep_host_t *h = &aH[i];
        int sp = os_sp_major(&s->os), n;
        w->aV = &aV[i * nCat];
        if (s->osKnown)
            os_identify(&s->os, &w->id);
        else
            snprintf(w->id.zName, sizeof w->id.zName, "Unknown OS");
        snprintf(w->zDetail, sizeof w->zDetail, "%s %u.%u.%u%s%.0d", s->os.zProductName,
                 (unsigned)s->os.major, (unsigned)s->os.minor, (unsigned)s->os.build,
                 sp > 0 ? " SP" : "", sp > 0 ? sp : 0);
        n = verdict_eval(&c->cat, s, w->aV, c->cat.nRule);
        if (n < 0) goto out;
        h->aVerdict = &aRV[i * nCat];
        for (j = 0; j < (size_t)n; j++) {
            h->aVerdict[j].rule = w->aV[j].rule;
            h->aVerdict[j].status = w->aV[j].status;
            h->aVerdict[j].zEvidence = w->aV[j].zEvidence;
            h->aVerdict[j].zAction = w->aV[j].zAction;
        }
        h->nVerdict = (size_t)n;
        cmd_keep_rules(h, azRule, nRule);
        h->zHost = s->zHost;
        h->zDomain = s->zDomain;
        h->zMachineId = s->zMachineId;
        h->zOsName = w->id.zName;
        h->zOsFamily = os_family_key(w->id.family);
        h->zOsDetail = s->osKnown ? w->zDetail : "";
        h->zOrigin = s->zOrigin;
        h->zSourcePath = aHost[i].zFrom;
        h->scanTime = s->scanTime;
        if (!h->scanTime && (h->scanTime = cmd_files_mtime(aHost[i].zFrom)) != 0)
            h->timeFromFile = 1; /* as collect stores it */
        h->nHotfix = s->nHotfix;
        h->stale = staleDays > 0 && h->scanTime > 0 && h->scanTime < now - (int64_t)staleDays * 86400;
    }
    if (fmt == REP_FMT_CSV || fmt == REP_FMT_HTML) {
        /* the report formats: one table of every host */
        r.aHost = aH;
        r.nHost = nHost;
        if (rep_render(&r, fmt, c->out)) goto out;
        bBad = cmd_noncompliant(&r, fOpt);
    } else {
        for (i = 0; i < nHost; i++) {
            r.aHost = &aH[i];
            r.nHost = 1;
            /* Several hosts in JSON: one array of the objects, so that the output parses. */
            if (bArray) fputs(i ? ",\n" : "[\n", c->out);
            if (rep_render_check(&r, &aH[i], fmt, c->out)) goto out;
            if (cmd_noncompliant(&r, fOpt)) bBad = 1;
        }
        if (bArray) fputs("]\n", c->out);
    }
    ex = bFailed ? CMD_EXIT_ERROR : bBad ? CMD_EXIT_NONCOMPLIANT : CMD_EXIT_OK;
out:
    free(aView);
    free(aV);
    free(aRV);
    free(aH);
    chk_set_release(&set);
    return ex;
}

int cmd_check(cmd_ctx_t *c, int argc, char **argv)
{
    const char *zFormat = "table", *zWhat = NULL, *zStale = NULL, *zAsOf = NULL, *zRule = NULL;
    char **azWhat = NULL;       /* the HOST or FILE arguments, in order */
    const char **azRule = NULL; /* every --rule */
    size_t nWhat = 0, nRule = 0;
    int staleDays;
    int64_t now;
    plat_stat_t ps;
    db_filter_t flt;
    db_report_t rep;
    int i, fmt, rc, ex = CMD_EXIT_ERROR, bLoaded = 0;
    unsigned fOpt = 0;

    azWhat = calloc((size_t)argc + 1, sizeof *azWhat);
    azRule = calloc((size_t)argc + 1, sizeof *azRule);
    if (!azWhat || !azRule) goto out;
    for (i = 1; i < argc; i++) {
        int r;
        if (cmd_is_help(argv[i])) {
            cmd_check_help(c->out);
            ex = CMD_EXIT_OK;
            goto out;
        }
        if (!strcmp(argv[i], "--accept-unknown")) {
            fOpt |= VERDICT_ACCEPT_UNKNOWN;
            continue;
        }
        if (!strcmp(argv[i], "--strict")) {
            fOpt |= VERDICT_STRICT;
            continue;
        }
        if ((r = cmd_common_opt(c, argc, argv, &i)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--format", &zFormat)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--rule", &zRule)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--stale", &zStale)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--as-of", &zAsOf)) != 0) {
            if (r < 0) goto out;
            if (zRule) azRule[nRule++] = zRule;
            zRule = NULL;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            ex = cmd_bad_usage(c, "unknown option", argv[i]);
            goto out;
        }
        azWhat[nWhat++] = argv[i];
    }
    if (!nWhat) {
        ex = cmd_bad_usage(c, "no HOST or FILE given", NULL);
        goto out;
    }
    zWhat = azWhat[0];
    if ((fmt = rep_format_from_name(zFormat)) < 0) {
        ex = cmd_bad_usage(c, "--format must be table, csv, json or html, not", zFormat);
        goto out;
    }
    if ((rc = cmd_age_opts(c, zStale, zAsOf, &staleDays, &now)) != 0) {
        ex = rc;
        goto out;
    }
    if (plat_stat(zWhat, &ps) == KBS_OK && !ps.isDir) {
        /* FILE [FILE...]: one machine's files, judged together without a database */
        ex = cmd_check_files(c, azWhat, nWhat, (rep_format_t)fmt, fOpt, staleDays, now, azRule,
                             nRule);
        goto out;
    }
    if (nWhat > 1) {
        ex = cmd_bad_usage(c, "several arguments: each must be a file", azWhat[1]);
        goto out;
    }

    if (cmd_open(c)) goto out;
    memset(&flt, 0, sizeof flt);
    flt.status = -1;
    flt.zHost = zWhat;
    flt.now = now;
    flt.staleDays = staleDays;
    if ((rc = db_report_load(c->db, &flt, &rep))) {
        fprintf(c->err, "kbsentry check: %s (%s)\n", kbs_strerror(rc), db_errmsg(c->db));
        goto out;
    }
    bLoaded = 1;
    if ((rc = cmd_rule_ids(c, rep.rep.cat, azRule, nRule)) != 0) {
        ex = rc;
        goto out;
    }
    if (rep.rep.nHost == 0) {
        /* not an error of the tool: a script tells "not collected yet" apart */
        fprintf(c->err, "kbsentry check: no host or file '%s' (see 'kbsentry hosts')\n", zWhat);
        /* a path (no host is named so) that is not there is an error of the input */
        ex = strchr(zWhat, '/') || strchr(zWhat, '\\') ? CMD_EXIT_ERROR : CMD_EXIT_NOTFOUND;
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
    } else {
        cmd_keep_rules(&rep.rep.aHost[0], azRule, nRule);
        if (rep_render_check(&rep.rep, &rep.rep.aHost[0], (rep_format_t)fmt, c->out))
            fprintf(c->err, "kbsentry check: writing failed\n");
        else
            ex = cmd_noncompliant(&rep.rep, fOpt) ? CMD_EXIT_NONCOMPLIANT : CMD_EXIT_OK;
    }
out:
    if (bLoaded) db_report_release(&rep);
    free(azWhat);
    free((void *)azRule);
    return ex;
}
