/* cmd_report.c: `kbsentry report` (the fleet) and `kbsentry check` (one machine). */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "collect.h"
#include "imp.h"
#include "kbs_err.h"
#include "merge.h"
#include "plat.h"
#include "verdict.h"

static void cmd_report_help(FILE *f)
{
    fputs("usage: kbsentry report [--db FILE] [--catalog FILE] [--format table|csv|json|html]\n"
          "                       [--rule ID] [--status S] [--role R] [--stale DAYS]\n"
          "                       [--as-of DATE] [--ou DN] [--strict] [--accept-unknown]\n"
          "                       [-o FILE]\n"
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
          "  --status S      only hosts with a verdict S: patched, mitigated, missing,\n"
          "                  unpatchable, not-affected, unknown; or 'stale' for hosts not\n"
          "                  seen for DAYS\n"
          "  --role R        only hosts of this role (the product type of their OS facts): dc\n"
          "                  (domain controllers), server (member servers), workstation\n"
          "  --strict        a mitigated verdict (workaround, no fix yet) counts as non-compliant\n"
          "  --stale DAYS    flag hosts whose last scan is older than DAYS days (default 30;\n"
          "                  0 turns it off); the summary counts them\n"
          "  --as-of DATE    judge scan ages at the end of DATE (YYYY-MM-DD, UTC) instead of\n"
          "                  now: for an audit of archived files\n"
          "  --ou DN         only the machines whose computer account is in this OU or below\n"
          "  -o FILE         write to FILE instead of standard output\n"
          "  --accept-unknown  verdicts 'unknown' do not make the exit code 1\n"
          "  --db FILE       the database (default $" DB_ENV_PATH ", else ./" DB_DEFAULT_PATH ")\n"
          "  --catalog FILE  a view through this catalog, computed without changing the\n"
          "                  stored verdicts (kbsentry recompute changes those)\n"
          "\n"
          "exit codes: 0 every verdict patched, not-affected or mitigated (mitigated only\n"
          "without --strict, unknown only with --accept-unknown); 1 a host is missing a\n"
          "fix, unpatchable, unknown or (with --strict) mitigated; 2 error\n",
          f);
}

static void cmd_check_help(FILE *f)
{
    fputs("usage: kbsentry check [--db FILE] [--catalog FILE] [--format table|json]\n"
          "                      [--stale DAYS] [--as-of DATE] [--strict] [--accept-unknown]\n"
          "                      HOST|FILE...\n"
          "\n"
          "The helpdesk view of one machine: OS, last scan, each emergency rule with its\n"
          "evidence and what to do. HOST is a name, NAME.DOMAIN or machine id from the\n"
          "database; existing FILEs (snapshot, systeminfo output, hotfix CSV or the table\n"
          "of Get-HotFix / wmic qfe) are checked directly, without a database: the files\n"
          "of one machine (say its systeminfo and its Get-HotFix) are judged together;\n"
          "with --format json several hosts give a JSON array of them. A scan older than\n"
          "DAYS days (default 30, 0: never) is marked stale on every verdict line; --as-of\n"
          "DATE (YYYY-MM-DD) judges the age at the end of that day instead of now.\n"
          "\n"
          "  --accept-unknown  verdicts 'unknown' do not make the exit code 1\n"
          "  --strict          a mitigated verdict (workaround, no fix yet) makes it 1\n"
          "\n"
          "exit codes: 0 every verdict patched, not-affected or mitigated (mitigated only\n"
          "without --strict, unknown only with --accept-unknown); 1 missing a fix,\n"
          "unpatchable, unknown or (with --strict) mitigated; 2 error or not found\n",
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
    const char *zRole = NULL, *zAsOf = NULL, *zOu = NULL;
    db_filter_t flt;
    db_report_t rep;
    FILE *out = c->out;
    int i, fmt, rc, ex = CMD_EXIT_ERROR, bLoaded = 0;
    unsigned fOpt = 0;

    memset(&flt, 0, sizeof flt);
    flt.status = -1;
    for (i = 1; i < argc; i++) {
        int r;
        if (cmd_is_help(argv[i])) {
            cmd_report_help(c->out);
            return CMD_EXIT_OK;
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
            (r = cmd_opt(c, argc, argv, &i, "--ou", &zOu)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "-o", &zOut)) != 0) {
            if (r < 0) return CMD_EXIT_ERROR;
            continue;
        }
        if (!strcmp(argv[i], "--strict")) {
            fOpt |= VERDICT_STRICT;
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
    if (zRole) {
        if (!strcmp(zRole, "dc")) flt.role = OS_PT_DC;
        else if (!strcmp(zRole, "server")) flt.role = OS_PT_SERVER;
        else if (!strcmp(zRole, "workstation")) flt.role = OS_PT_WORKSTATION;
        else return cmd_bad_usage(c, "--role must be dc, server or workstation, not", zRole);
    }
    flt.zRule = zRule;
    flt.zOu = zOu && zOu[0] ? zOu : NULL;
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
    ex = cmd_noncompliant(&rep.rep, fOpt) ? CMD_EXIT_NONCOMPLIANT : CMD_EXIT_OK;
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

/* A host read from the files of one check, with the files it came from. */
typedef struct chk_host {
    snap_t s;
    char zFrom[1024]; /* "FILE" or "FILE1 + FILE2" */
    int bNamed;       /* its name came from the input, not from the file's path */
} chk_host_t;

/* Adds the snapshot *pS (taken over: emptied) read from zPath to the hosts: the same machine's
 * facts from several files are judged together. */
static int chk_add(chk_host_t **paHost, size_t *pnHost, snap_t *pS, const char *zPath)
{
    size_t i, n;
    int bNamed = strcmp(pS->zHost, zPath) != 0, rc;
    chk_host_t *a;
    for (i = 0; bNamed && i < *pnHost; i++) {
        chk_host_t *h = &(*paHost)[i];
        if (!h->bNamed || !merge_same_host(h->s.zHost, pS->zHost)) continue;
        /* the one with OS facts is the base: its name, domain and OS stay */
        if (!h->s.osKnown && pS->osKnown) {
            snap_t t = h->s;
            h->s = *pS;
            *pS = t;
        }
        rc = merge_into(&h->s, pS);
        snap_release(pS);
        n = strlen(h->zFrom);
        if (!strstr(h->zFrom, zPath))
            snprintf(h->zFrom + n, sizeof h->zFrom - n, " + %s", zPath);
        return rc;
    }
    a = realloc(*paHost, (*pnHost + 1) * sizeof *a);
    if (!a) return KBS_ENOMEM;
    *paHost = a;
    a[*pnHost].s = *pS;
    snap_init(pS);
    snprintf(a[*pnHost].zFrom, sizeof a[*pnHost].zFrom, "%s", zPath);
    a[*pnHost].bNamed = bNamed;
    (*pnHost)++;
    return KBS_OK;
}

/* A file without a host name (a paste without its Host Name line, a table without Source)
 * joins the one named host of the check, when there is exactly one. */
static int chk_join_unnamed(chk_host_t *aHost, size_t *pnHost)
{
    size_t i, j = 0, nNamed = 0, iNamed = 0;
    int rc = KBS_OK;
    for (i = 0; i < *pnHost; i++)
        if (aHost[i].bNamed) nNamed++, iNamed = i;
    if (nNamed != 1) return KBS_OK;
    for (i = 0; i < *pnHost; i++) {
        chk_host_t *h = &aHost[i];
        if (h->bNamed) continue;
        {
            chk_host_t *d = &aHost[iNamed];
            size_t n = strlen(d->zFrom);
            if (!d->s.osKnown && h->s.osKnown) {
                snap_t t = d->s;
                char zName[SNAP_HOST_MAX];
                snprintf(zName, sizeof zName, "%s", t.zHost);
                d->s = h->s;
                h->s = t;
                snprintf(d->s.zHost, sizeof d->s.zHost, "%s", zName);
            }
            if (!rc) rc = merge_into(&d->s, &h->s);
            if (n + 3 < sizeof d->zFrom) {
                memcpy(d->zFrom + n, " + ", 3);
                snap_copy_field(d->zFrom + n + 3, sizeof d->zFrom - n - 3, h->zFrom);
            }
            snap_release(&h->s);
            h->zFrom[0] = 0;
        }
    }
    for (i = 0; i < *pnHost; i++)
        if (aHost[i].zFrom[0]) aHost[j++] = aHost[i];
    *pnHost = j;
    return rc;
}

/* Checks files directly: parse each, join the facts of each machine across the files,
 * evaluate and render each host. */
static int cmd_check_files(cmd_ctx_t *c, char **azPath, size_t nPath, rep_format_t fmt,
                           unsigned fOpt, int staleDays, int64_t now)
{
    snap_t *aSnap = NULL;
    chk_host_t *aHost = NULL;
    size_t nSnap = 0, nHost = 0, i, j, k;
    char zErr[SNAP_ERR_MAX + 320], zKind[24];
    verdict_t *aV = NULL;
    rep_verdict_t *aRV = NULL;
    int ex = CMD_EXIT_ERROR, bBad = 0, bFailed = 0, bArray;

    if (cmd_catalog(c)) return CMD_EXIT_ERROR;
    for (k = 0; k < nPath; k++) {
        if (coll_read_input(azPath[k], 0, &aSnap, &nSnap, zKind, sizeof zKind, NULL, zErr,
                            sizeof zErr)) {
            /* the other files are still judged; the exit code says one was refused */
            fprintf(c->err, "%s\n", zErr);
            bFailed = 1;
            continue;
        }
        for (i = 0; i < nSnap; i++) {
            if (chk_add(&aHost, &nHost, &aSnap[i], azPath[k])) {
                fprintf(c->err, "%s:0: cannot join its facts: out of memory\n", azPath[k]);
                imp_free_snaps(aSnap, nSnap);
                goto out;
            }
        }
        imp_free_snaps(aSnap, nSnap);
        aSnap = NULL;
        nSnap = 0;
    }
    if (chk_join_unnamed(aHost, &nHost)) goto out;
    bArray = fmt == REP_FMT_JSON && nHost > 1;
    aV = calloc(c->cat.nRule ? c->cat.nRule : 1, sizeof *aV);
    aRV = calloc(c->cat.nRule ? c->cat.nRule : 1, sizeof *aRV);
    if (!aV || !aRV) goto out;
    for (i = 0; i < nHost; i++) {
        const snap_t *s = &aHost[i].s;
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
        h.zSourcePath = aHost[i].zFrom;
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
        /* Several hosts in JSON: one array of the objects, so that the output parses. */
        if (bArray) fputs(i ? ",\n" : "[\n", c->out);
        if (rep_render_check(&r, &h, fmt, c->out)) goto out;
        if (cmd_noncompliant(&r, fOpt)) bBad = 1;
    }
    if (bArray) fputs("]\n", c->out);
    ex = bFailed ? CMD_EXIT_ERROR : bBad ? CMD_EXIT_NONCOMPLIANT : CMD_EXIT_OK;
out:
    free(aV);
    free(aRV);
    for (i = 0; i < nHost; i++)
        snap_release(&aHost[i].s);
    free(aHost);
    return ex;
}

int cmd_check(cmd_ctx_t *c, int argc, char **argv)
{
    const char *zFormat = "table", *zWhat = NULL, *zStale = NULL, *zAsOf = NULL;
    char **azWhat; /* the HOST or FILE arguments, in order */
    size_t nWhat = 0;
    int staleDays;
    int64_t now;
    plat_stat_t ps;
    db_filter_t flt;
    db_report_t rep;
    int i, fmt, rc, ex = CMD_EXIT_ERROR;
    unsigned fOpt = 0;

    if (!(azWhat = calloc((size_t)argc + 1, sizeof *azWhat))) return CMD_EXIT_ERROR;
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
            (r = cmd_opt(c, argc, argv, &i, "--stale", &zStale)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--as-of", &zAsOf)) != 0) {
            if (r < 0) goto out;
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
    fmt = rep_format_from_name(zFormat);
    if (fmt != REP_FMT_TABLE && fmt != REP_FMT_JSON) {
        ex = cmd_bad_usage(c, "--format must be table or json, not", zFormat);
        goto out;
    }
    if ((rc = cmd_age_opts(c, zStale, zAsOf, &staleDays, &now)) != 0) {
        ex = rc;
        goto out;
    }
    if (plat_stat(zWhat, &ps) == KBS_OK && !ps.isDir) {
        /* FILE [FILE...]: one machine's files, judged together without a database */
        ex = cmd_check_files(c, azWhat, nWhat, (rep_format_t)fmt, fOpt, staleDays, now);
        goto out;
    }
    if (nWhat > 1) {
        ex = cmd_bad_usage(c, "several arguments: each must be a file", azWhat[1]);
        goto out;
    }
    free(azWhat);
    azWhat = NULL;

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
        ex = cmd_noncompliant(&rep.rep, fOpt) ? CMD_EXIT_NONCOMPLIANT : CMD_EXIT_OK;
    }
    db_report_release(&rep);
    return ex;
out:
    free(azWhat);
    return ex;
}
