/* bench_rep.c: time and size of each report format for a synthetic fleet (35,640 hosts x 9 rules).
 * usage: bench_rep [HOSTS [DIR [keep]]]: writes to DIR (default a temporary file), keeps the
 * files with "keep" (e.g. to load the HTML in a browser). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "plat.h"
#include "rep.h"

#define BENCH_RULES 9

static const char *const bench_azRule[BENCH_RULES] = {
    "MS08-067", "MS17-010", "CVE-2019-0708", "MS14-068",       "MS15-034",
    "MS10-061", "MS12-020", "CVE-2020-0796", "CVE-2021-34527",
};

/* Evidence much like the verdict engine writes it, one per status. */
static const char *const bench_azEvidence[] = {
    "KB4012598 listed; srv.sys 5.1.2600.7208 >= 5.1.2600.7208",
    "KB4012598 not listed; srv.sys 5.1.2600.5512 < 5.1.2600.7208",
    "no fix for Windows XP SP2: upgrade to SP3 or later",
    "not affected: Windows 8.1 has no SMBv3 compression",
    "hotfix list cut short by systeminfo (263 reported, 120 listed)",
};
static const char *const bench_azAction[] = {
    "", "install KB4012598",     "upgrade needed: no fix exists for this OS version",
    "", "rescan with the agent",
};

int main(int argc, char **argv)
{
    size_t nHost = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 35640, i, j;
    cat_rule_t aRule[BENCH_RULES];
    cat_t cat;
    rep_t r;
    rep_host_t *aHost = calloc(nHost ? nHost : 1, sizeof *aHost);
    rep_verdict_t *aV = calloc(nHost ? nHost * BENCH_RULES : 1, sizeof *aV);
    char *zNames = malloc(nHost ? nHost * 24 : 1);
    const char *zTmp = argc > 2 ? argv[2] : NULL;
    int keep = argc > 3 && !strcmp(argv[3], "keep"), f;

    if (!aHost || !aV || !zNames) return 2;
    memset(aRule, 0, sizeof aRule);
    memset(&cat, 0, sizeof cat);
    for (j = 0; j < BENCH_RULES; j++) {
        snprintf(aRule[j].zId, sizeof aRule[j].zId, "%s", bench_azRule[j]);
        snprintf(aRule[j].zTitle, sizeof aRule[j].zTitle, "Emergency rule %s", bench_azRule[j]);
    }
    cat.aRule = aRule;
    cat.nRule = BENCH_RULES;
    snprintf(cat.zSource, sizeof cat.zSource, "built-in");
    snprintf(cat.zHash, sizeof cat.zHash, "0123456789abcdef");

    /* The 2017 mix when nHost is 32,751; otherwise mostly XP with a share of 8.1. */
    for (i = 0; i < nHost; i++) {
        rep_host_t *h = &aHost[i];
        int xp = (i % 9) < 5;
        snprintf(zNames + i * 24, 24, "PC-%06lu", (unsigned long)(i * 7919 % 1000003));
        h->zHost = zNames + i * 24;
        h->zDomain = "POLICE";
        h->zMachineId = "5f0c2b8e-1d2a-4c63-9a77-0b5d6c1e2f30";
        h->zOsName = xp ? "Windows XP SP3 x86" : "Windows 8.1 x64";
        h->zOsFamily = xp ? "xp" : "8.1";
        h->zOsDetail = xp ? "Microsoft Windows XP Professional 5.1.2600 SP3 x86"
                          : "Microsoft Windows 8.1 Enterprise 6.3.9600 x64";
        h->zOrigin = "agent";
        h->zSourcePath = "\\\\fs01\\kbsentry$\\drop\\PC.kbs";
        h->scanTime = 1494806400 - (int64_t)(i % 60) * 86400;
        h->stale = (i % 60) > 30;
        h->nHotfix = 150 + i % 100;
        h->aVerdict = &aV[i * BENCH_RULES];
        h->nVerdict = BENCH_RULES;
        for (j = 0; j < BENCH_RULES; j++) {
            int st = (int)((i * 31 + j * 7) % 17);
            st = st < 9    ? VERDICT_PATCHED
                 : st < 13 ? VERDICT_MISSING
                 : st < 14 ? VERDICT_UNPATCHABLE
                 : st < 16 ? VERDICT_NOT_AFFECTED
                           : VERDICT_UNKNOWN;
            h->aVerdict[j].rule = &aRule[j];
            h->aVerdict[j].status = (verdict_status_t)st;
            h->aVerdict[j].zEvidence = bench_azEvidence[st];
            h->aVerdict[j].zAction = bench_azAction[st];
        }
    }
    memset(&r, 0, sizeof r);
    r.cat = &cat;
    r.aHost = aHost;
    r.nHost = nHost;
    r.now = 1494806400;
    r.staleDays = 30;
    r.zTitle = "kbsentry compliance report";

    printf("report of %lu hosts x %d rules\n", (unsigned long)nHost, BENCH_RULES);
    for (f = REP_FMT_TABLE; f <= REP_FMT_HTML; f++) {
        static const char *const azFmt[] = {"table", "csv", "json", "html"};
        char zPath[512];
        FILE *out;
        double t0, t1;
        long nByte;
        int rc;
        if (zTmp) snprintf(zPath, sizeof zPath, "%s/bench_rep.%s", zTmp, azFmt[f]);
        out = zTmp ? fopen(zPath, "wb") : tmpfile();
        if (!out) return 2;
        t0 = plat_now_ms();
        rc = rep_render(&r, (rep_format_t)f, out);
        t1 = plat_now_ms();
        nByte = ftell(out);
        fclose(out);
        if (zTmp && !keep) remove(zPath);
        if (rc != KBS_OK) {
            fprintf(stderr, "bench_rep: %s failed: %s\n", azFmt[f], kbs_strerror(rc));
            return 2;
        }
        printf("%-6s %8.1f ms %8.2f MB\n", azFmt[f], t1 - t0, (double)nByte / (1024.0 * 1024.0));
    }
    free(aHost);
    free(aV);
    free(zNames);
    return 0;
}
