/* rep_sample.c: writes a small report with hostile host names for the headless browser check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "rep.h"

#define SAMPLE_RULES 16 /* as many as the built-in catalog: the page must fit 1400 px */
#define SAMPLE_DAYS 30
#define SAMPLE_HOSTS 8

/* usage: rep_sample OUT [table|csv|json|html [FILLER]]
 * The hosts come out of order on purpose: "zulu-99" first, "alpha-01" last but one, and the
 * oldest scan is "victor-stale"'s. Three hosts miss a rule. FILLER more hosts ("filler-N", all
 * patched, recent) make the table longer than the HTML shows at once. check_html.sh knows these
 * facts. Rules 3 to 16 are patched, not affected or unknown on every host (none missing); every
 * rule has a 30-day rollout history; hosts are grouped by drop-share folder (north, south). */
int main(int argc, char **argv)
{
    static const char *const azHost[SAMPLE_HOSTS] = {
        "zulu-99",
        "host-<script>alert(1)</script>",
        "host-\"quoted\" & 'single' <b>bold</b>",
        "host-=cmd|' /C calc'!A0",
        "victor-stale",
        "host-\xC3\xBCml\xC3\xA4ut-\xE5\x8C\x97\xE4\xBA\xAC",
        "alpha-01",
        "host-bad-\xFF\xFE-utf8\nnewline",
    };
    static const char *const azExtra[SAMPLE_RULES - 2] = {
        "MS12-020",       "MS10-046",       "MS10-061",       "MS08-067",       "MS06-040",
        "MS05-039",       "MS04-011",       "CVE-2019-1181",  "CVE-2020-0796",  "CVE-2020-0601",
        "CVE-2020-1472",  "CVE-2021-34527", "CVE-2022-30190", "CVE-2024-38063",
    };
    static const verdict_status_t aSt[SAMPLE_HOSTS][2] = {
        {VERDICT_PATCHED, VERDICT_NOT_AFFECTED}, {VERDICT_MISSING, VERDICT_PATCHED},
        {VERDICT_PATCHED, VERDICT_UNKNOWN},      {VERDICT_UNPATCHABLE, VERDICT_MISSING},
        {VERDICT_MISSING, VERDICT_UNPATCHABLE},  {VERDICT_PATCHED, VERDICT_PATCHED},
        {VERDICT_NOT_AFFECTED, VERDICT_PATCHED}, {VERDICT_UNKNOWN, VERDICT_NOT_AFFECTED},
    };
    cat_rule_t aRule[SAMPLE_RULES];
    cat_t cat;
    rep_host_t *aHost;
    rep_verdict_t(*aV)[SAMPLE_RULES];
    char *zFill;
    rep_t r;
    rep_trend_t aTrend[SAMPLE_RULES];
    size_t(*aDay)[VERDICT_COUNT];
    FILE *out;
    size_t i, j, nFill = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 0, nHost;
    int fmt = argc > 2 ? rep_format_from_name(argv[2]) : REP_FMT_HTML, rc;

    if (argc < 2 || fmt < 0 || nFill > 1000000) {
        fprintf(stderr, "usage: rep_sample OUT [table|csv|json|html [FILLER]]\n");
        return 2;
    }
    nHost = SAMPLE_HOSTS + nFill;
    aHost = calloc(nHost, sizeof *aHost);
    aV = calloc(nHost, sizeof *aV);
    zFill = calloc(nFill + 1, 16);
    if (!aHost || !aV || !zFill) return 2;
    memset(aRule, 0, sizeof aRule);
    memset(&cat, 0, sizeof cat);
    snprintf(aRule[0].zId, sizeof aRule[0].zId, "MS17-010");
    snprintf(aRule[0].zTitle, sizeof aRule[0].zTitle, "SMBv1 remote code execution (WannaCry)");
    snprintf(aRule[1].zId, sizeof aRule[1].zId, "CVE-2019-0708");
    snprintf(aRule[1].zTitle, sizeof aRule[1].zTitle, "RDP <BlueKeep> \"wormable\"");
    for (j = 2; j < SAMPLE_RULES; j++) {
        snprintf(aRule[j].zId, sizeof aRule[j].zId, "%s", azExtra[j - 2]);
        snprintf(aRule[j].zTitle, sizeof aRule[j].zTitle, "Sample rule %lu with a title of some length",
                 (unsigned long)j + 1);
    }
    cat.aRule = aRule;
    cat.nRule = SAMPLE_RULES;
    snprintf(cat.zSource, sizeof cat.zSource, "built-in");
    snprintf(cat.zHash, sizeof cat.zHash, "00112233aabbccdd");

    for (i = 0; i < nHost; i++) {
        rep_host_t *h = &aHost[i];
        int fill = i >= SAMPLE_HOSTS;
        if (fill) snprintf(zFill + (i - SAMPLE_HOSTS) * 16, 16, "filler-%06lu", (unsigned long)i);
        h->zHost = fill ? zFill + (i - SAMPLE_HOSTS) * 16 : azHost[i];
        h->zDomain = i % 2 ? "CORP" : "<img src=x onerror=alert(2)>";
        h->zOsName = i % 3 ? "Windows XP SP3 x86" : "Windows 8.1 x64";
        h->zOsFamily = i % 3 ? "xp" : "8.1";
        h->zOsDetail = "Microsoft Windows XP Professional 5.1.2600 SP3 x86";
        h->zOrigin = "agent";
        h->zSourcePath = i % 2 ? "\\\\fs01\\drop\\north\\x.kbs" : "\\\\fs01\\drop\\south\\x.kbs";
        h->scanTime = 1494806400 - (int64_t)(fill ? 1 : i + 1) * 3600 - (i == 4 ? 90 * 86400 : 0);
        h->stale = i == 4;
        h->nHotfix = 180 + i;
        h->aVerdict = aV[i];
        h->nVerdict = SAMPLE_RULES;
        for (j = 0; j < SAMPLE_RULES; j++) {
            aV[i][j].rule = &aRule[j];
            aV[i][j].status = fill ? VERDICT_PATCHED
                              : j < 2  ? aSt[i][j]
                              : (i + j) % 5 == 0 ? VERDICT_UNKNOWN
                              : (i + j) % 3 == 0 ? VERDICT_NOT_AFFECTED
                                                 : VERDICT_PATCHED;
            aV[i][j].zEvidence = "KB4012598 not listed; srv.sys 5.1.2600.5512 < 5.1.2600.7208 "
                                 "</td><script>alert(3)</script>";
            aV[i][j].zAction = aV[i][j].status == VERDICT_MISSING ? "install KB4012598" : "";
        }
    }
    memset(&r, 0, sizeof r);
    r.cat = &cat;
    r.aHost = aHost;
    r.nHost = nHost;
    r.now = 1494806400;
    r.staleDays = 30;
    r.zTitle = "kbsentry sample report <i>";
    r.group = REP_GROUP_FOLDER;
    /* A rollout: every host missing each rule 30 days ago, patched day by day since. */
    if (!(aDay = calloc((size_t)SAMPLE_RULES * SAMPLE_DAYS, sizeof *aDay))) return 2;
    for (j = 0; j < SAMPLE_RULES; j++) {
        size_t d;
        aTrend[j].rule = &aRule[j];
        aTrend[j].day0 = r.now - (int64_t)SAMPLE_DAYS * 86400;
        aTrend[j].nDay = SAMPLE_DAYS;
        aTrend[j].aDay = &aDay[j * SAMPLE_DAYS];
        for (d = 0; d < SAMPLE_DAYS; d++) {
            size_t nPatched = nHost * d / (SAMPLE_DAYS - 1) * (j + 1) / SAMPLE_RULES;
            aTrend[j].aDay[d][VERDICT_PATCHED] = nPatched;
            aTrend[j].aDay[d][VERDICT_MISSING] = nHost - nPatched;
        }
    }
    r.aTrend = aTrend;
    r.nTrend = SAMPLE_RULES;

    if (!(out = fopen(argv[1], "wb"))) {
        fprintf(stderr, "rep_sample: cannot write %s\n", argv[1]);
        return 2;
    }
    rc = rep_render(&r, (rep_format_t)fmt, out);
    if (fclose(out) != 0 && rc == KBS_OK) rc = KBS_EIO;
    if (rc != KBS_OK) {
        fprintf(stderr, "rep_sample: %s: %s\n", argv[1], kbs_strerror(rc));
        return 2;
    }
    free(aHost);
    free(aV);
    free(aDay);
    free(zFill);
    return 0;
}
