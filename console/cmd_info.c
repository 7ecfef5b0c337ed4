/* cmd_info.c: `kbsentry rules` (the catalog) and `kbsentry hosts` (the database's hosts). */
#include <string.h>

#include "cmd.h"
#include "kbs_err.h"
#include "plat.h"

static void cmd_rules_help(FILE *f)
{
    fputs("usage: kbsentry rules [--catalog FILE] [--db FILE]\n"
          "\n"
          "Lists the emergency-patch rules of the built-in catalog with the database's own\n"
          "rules (kbsentry catalog add), or of FILE alone: id, title,\n"
          "CVEs and the platforms each rule knows; first the catalog's hash and the date of\n"
          "the Microsoft data its KB lists come from (verdicts are no newer than that).\n",
          f);
}

static void cmd_hosts_help(FILE *f)
{
    fputs("usage: kbsentry hosts [--db FILE] [--catalog FILE]\n"
          "\n"
          "Lists the hosts in the database, one per line, tab-separated: name, domain,\n"
          "OS, last scan (UTC), origin of the current state, machine id.\n",
          f);
}

int cmd_rules(cmd_ctx_t *c, int argc, char **argv)
{
    size_t i, j;
    int k;
    if ((k = cmd_only_common_opts(c, argc, argv, cmd_rules_help)) >= 0) return k;
    /* Without --catalog, an existing database's own rules (kbsentry catalog add) are listed. */
    if (!c->zCatalog && (k = cmd_db_open_existing(c)) != KBS_OK && k != KBS_ENOTFOUND)
        return CMD_EXIT_ERROR;
    if (cmd_catalog(c)) return CMD_EXIT_ERROR;
    fprintf(c->out, "catalog %s (%s), %lu rules\n", c->cat.zSource, c->cat.zHash,
            (unsigned long)c->cat.nRule);
    fprintf(c->out, "catalog data of %s\n",
            c->cat.zDataDate[0] ? c->cat.zDataDate : "unknown date (no data-date line)");
    for (i = 0; i < c->cat.nRule; i++) {
        const cat_rule_t *r = &c->cat.aRule[i];
        char zFam[512];
        size_t n = 0;
        zFam[0] = 0;
        for (j = 0; j < r->nPlat; j++) {
            const char *zKey = os_family_key(r->aPlat[j].family);
            size_t m = strlen(zKey);
            char zPat[80];
            /* Each family once, in catalog order. */
            snprintf(zPat, sizeof zPat, " %s,", zKey);
            if (n && strstr(zFam, zPat)) continue;
            if (n + m + 3 >= sizeof zFam) break;
            zFam[n++] = ' ';
            memcpy(zFam + n, zKey, m);
            n += m;
            zFam[n++] = ',';
            zFam[n] = 0;
        }
        if (n) zFam[n - 1] = 0;
        fputs("\n", c->out);
        cmd_put_safe(c->out, r->zId);
        fputs("  ", c->out);
        cmd_put_safe(c->out, r->zTitle);
        fputs("\n  CVEs:      ", c->out);
        cmd_put_safe(c->out, r->zCves);
        fputs("\n  platforms:", c->out);
        cmd_put_safe(c->out, zFam);
        fputs("\n", c->out);
    }
    return CMD_EXIT_OK;
}

static void cmd_iso(int64_t t, char *z, size_t n)
{
    /* Civil date from days since 1970 (proleptic Gregorian), without gmtime's range limits. */
    int64_t d = t / 86400, s = t % 86400, y, m, era, doe, yoe, doy, mp;
    if (t <= 0) { snprintf(z, n, "-"); return; }
    d += 719468;
    era = d / 146097;
    doe = d - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(z, n, "%04d-%02d-%02d %02d:%02d", (int)y, (int)m, (int)(doy - (153 * mp + 2) / 5 + 1),
             (int)(s / 3600), (int)(s / 60 % 60));
}

int cmd_hosts(cmd_ctx_t *c, int argc, char **argv)
{
    db_filter_t flt;
    db_report_t rep;
    size_t i;
    int k, rc;
    if ((k = cmd_only_common_opts(c, argc, argv, cmd_hosts_help)) >= 0) return k;
    if (cmd_open(c)) return CMD_EXIT_ERROR;
    memset(&flt, 0, sizeof flt);
    flt.status = -1;
    flt.now = plat_time();
    flt.bNoDir = 1; /* the machines that reported; the directory's are `report`'s */
    if ((rc = db_report_load(c->db, &flt, &rep))) {
        fprintf(c->err, "kbsentry hosts: %s (%s)\n", kbs_strerror(rc), db_errmsg(c->db));
        return CMD_EXIT_ERROR;
    }
    for (i = 0; i < rep.rep.nHost; i++) {
        const rep_host_t *h = &rep.rep.aHost[i];
        char zTime[32];
        cmd_iso(h->scanTime, zTime, sizeof zTime);
        cmd_put_safe(c->out, h->zHost);
        fputc('\t', c->out);
        cmd_put_safe(c->out, h->zDomain);
        fputc('\t', c->out);
        cmd_put_safe(c->out, h->zOsName);
        fprintf(c->out, "\t%s\t", zTime);
        cmd_put_safe(c->out, h->zOrigin);
        fputc('\t', c->out);
        cmd_put_safe(c->out, h->zMachineId);
        fputc('\n', c->out);
    }
    db_report_release(&rep);
    return CMD_EXIT_OK;
}
