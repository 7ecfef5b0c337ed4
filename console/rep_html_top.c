/* rep_html_top.c: the top of the HTML report a manager acts on: per-rule headline and "what to do". */
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "rep_int.h"

/* Rules older than this many years whose hosts miss nothing are folded into a short table. */
#define REP_OLD_YEARS 5
/* Rows of the "what to do" table. */
#define REP_ACTIONS_MAX 40

/* The year of a rule from its id: "MS17-010" -> 2017, "CVE-2019-0708" -> 2019; 0 unknown. */
static int rep_rule_year(const cat_rule_t *rule)
{
    const char *z = rule ? rule->zId : "";
    if ((z[0] == 'M' || z[0] == 'm') && (z[1] == 'S' || z[1] == 's') && z[2] >= '0' &&
        z[2] <= '9' && z[3] >= '0' && z[3] <= '9' && z[4] == '-') {
        int yy = (z[2] - '0') * 10 + (z[3] - '0');
        return yy < 90 ? 2000 + yy : 1900 + yy;
    }
    if (!strncmp(z, "CVE-", 4) && strlen(z) > 8 && z[8] == '-') {
        int y = atoi(z + 4);
        return y >= 1990 && y <= 9999 ? y : 0;
    }
    return 0;
}

static int rep_report_year(const rep_t *r)
{
    char zIso[24];
    return rep_iso_time(r->now, zIso) ? atoi(zIso) : 0;
}

/* A column of the summary in headline order: newest rules first (today's emergency), catalog
 * order among rules of one year. */
typedef struct rep_hl {
    size_t iCol;
    int year;
    int folded;
} rep_hl_t;

static int rep_cmp_hl(const void *pa, const void *pb)
{
    const rep_hl_t *a = pa, *b = pb;
    if (a->year != b->year) return a->year > b->year ? -1 : 1;
    return a->iCol < b->iCol ? -1 : a->iCol > b->iCol;
}

/* The history of a rule, when the report has one. */
static const rep_trend_t *rep_trend_of(const rep_t *r, const cat_rule_t *rule)
{
    size_t i;
    for (i = 0; rule && i < r->nTrend; i++)
        if (r->aTrend[i].rule && !strcmp(r->aTrend[i].rule->zId, rule->zId)) return &r->aTrend[i];
    return NULL;
}

/* A stacked bar of a rule's hosts: each verdict's segment as long as its host count (1 px per
 * nPerPx hosts scaled to wBar for the whole fleet); not-affected hosts are left out, so a rule
 * that concerns few machines draws a short bar. */
static void rep_html_rule_bar(rep_out_t *o, const size_t *aCnt, size_t nFleet, unsigned wBar)
{
    uint64_t x10 = 0;
    size_t k;
    rep_out_str(o, "<svg class=\"bar\" width=\"");
    rep_out_u64(o, wBar);
    rep_out_str(o, "\" height=\"14\">");
    for (k = 0; k < VERDICT_COUNT && nFleet; k++) {
        verdict_status_t st = rep_aStatusOrder[k];
        uint64_t w10;
        if (st == VERDICT_NOT_AFFECTED || !aCnt[st]) continue;
        w10 = (uint64_t)aCnt[st] * wBar * 10 / nFleet;
        rep_out_str(o, "<rect class=\"seg\" data-n=\"");
        rep_out_u64(o, aCnt[st]);
        rep_out_str(o, "\" x=\"");
        rep_html_dec(o, x10, 10);
        rep_out_str(o, "\" y=\"0\" height=\"14\" width=\"");
        rep_html_dec(o, w10, 10);
        rep_out_str(o, "\" fill=\"");
        rep_out_str(o, rep_html_color(st));
        rep_out_str(o, "\"/>");
        x10 += w10;
    }
    rep_out_str(o, "</svg>");
}

static void rep_html_rule_row(rep_out_t *o, const rep_t *r, const rep_sum_t *s, const rep_hl_t *hl,
                              int bCurves)
{
    const cat_rule_t *rule = s->aCol[hl->iCol];
    const size_t *a = s->aColCount[hl->iCol];
    size_t k, nAll = 0;
    for (k = 0; k < VERDICT_COUNT; k++)
        nAll += a[k];
    rep_out_str(o, hl->folded ? "<tr class=\"old\"><td><b>" : "<tr><td><b>");
    rep_html_esc(o, rule->zId);
    rep_out_str(o, "</b></td><td class=\"t\">");
    rep_html_esc(o, rule->zTitle);
    rep_out_str(o, "</td><td class=\"c\">");
    rep_out_u64(o, nAll);
    for (k = 0; k < VERDICT_COUNT; k++) {
        verdict_status_t st = rep_aStatusOrder[k];
        rep_out_str(o, "</td><td class=\"c");
        if (a[st] && (st == VERDICT_MISSING || st == VERDICT_UNPATCHABLE)) rep_out_str(o, " hot");
        rep_out_str(o, "\">");
        rep_out_u64(o, a[st]);
    }
    rep_out_str(o, "</td><td class=\"c\">");
    rep_html_dec(o, (uint64_t)(a[VERDICT_PATCHED] + a[VERDICT_NOT_AFFECTED]) * 100, nAll);
    rep_out_str(o, "%</td><td>");
    rep_html_rule_bar(o, a, r->nHost, 200);
    if (bCurves) {
        const rep_trend_t *t = rep_trend_of(r, rule);
        rep_out_str(o, "</td><td>");
        if (t && t->nDay > 1)
            rep_trend_svg(o, t, 190, 56);
        else
            rep_out_str(o, "one day of history");
    }
    rep_out_str(o, "</td></tr>\n");
}

static void rep_html_rule_head(rep_out_t *o, int bCurves)
{
    size_t k;
    rep_out_str(o, "<table class=\"sum rules\"><thead><tr><th>rule</th><th>title</th><th>hosts</th>");
    for (k = 0; k < VERDICT_COUNT; k++) {
        rep_out_str(o, "<th>");
        rep_out_str(o, rep_status_key(rep_aStatusOrder[k]));
        rep_out_str(o, "</th>");
    }
    rep_out_str(o, "<th>ok</th><th>hosts by verdict</th>");
    if (bCurves) rep_out_str(o, "<th>rollout</th>");
    rep_out_str(o, "</tr></thead><tbody>\n");
}

int rep_html_headline(rep_out_t *o, const rep_t *r, const rep_sum_t *s)
{
    rep_hl_t *aHl;
    size_t i, nFolded = 0;
    int yNow = rep_report_year(r), bCurves = r->nTrend > 0;

    if (!s->nCol) return KBS_OK;
    if (!(aHl = calloc(s->nCol, sizeof *aHl))) return KBS_ENOMEM;
    for (i = 0; i < s->nCol; i++) {
        const size_t *a = s->aColCount[i];
        aHl[i].iCol = i;
        aHl[i].year = rep_rule_year(s->aCol[i]);
        aHl[i].folded = aHl[i].year && yNow && aHl[i].year < yNow - REP_OLD_YEARS &&
                        !a[VERDICT_MISSING] && !a[VERDICT_UNPATCHABLE];
        nFolded += aHl[i].folded ? 1 : 0;
    }
    qsort(aHl, s->nCol, sizeof *aHl, rep_cmp_hl);
    rep_out_str(o, "<h2>Per rule</h2>\n<p class=\"meta\">Hosts per rule and verdict, newest rules "
                   "first; ok: patched or not affected. Each bar is drawn to the same scale (the "
                   "whole fleet), so its length is the number of hosts the rule concerns.");
    if (bCurves) rep_out_str(o, " The rollout curve counts hosts per verdict at the end of each day "
                                "from the stored history.");
    rep_out_str(o, "</p>\n");
    rep_html_rule_head(o, bCurves);
    for (i = 0; i < s->nCol; i++)
        if (!aHl[i].folded) rep_html_rule_row(o, r, s, &aHl[i], bCurves);
    rep_out_str(o, "</tbody></table>\n");
    if (nFolded) {
        rep_out_str(o, "<h3>Older rules with nothing missing</h3>\n<p class=\"meta\">Rules from more "
                       "than ");
        rep_out_u64(o, REP_OLD_YEARS);
        rep_out_str(o, " years before this report that no host misses (unknown verdicts still "
                       "count below).</p>\n");
        rep_html_rule_head(o, 0);
        for (i = 0; i < s->nCol; i++)
            if (aHl[i].folded) rep_html_rule_row(o, r, s, &aHl[i], 0);
        rep_out_str(o, "</tbody></table>\n");
    }
    free(aHl);
    return KBS_OK;
}

/* ---- what to do ---- */

/* One verdict that asks for something: its action (the catalog's, before an unpatchable
 * verdict's wording), the host's OS and the rule. */
typedef struct rep_todo {
    const char *zAct;
    const char *zOs;
    const rep_verdict_t *v;
    size_t iHost;
    int bUnpatchable;
} rep_todo_t;

static int rep_cmp_todo(const void *pa, const void *pb)
{
    const rep_todo_t *a = pa, *b = pb;
    int c = strcmp(a->zAct, b->zAct);
    if (c) return c;
    if (a->bUnpatchable != b->bUnpatchable) return a->bUnpatchable - b->bUnpatchable;
    if ((c = strcmp(a->zOs, b->zOs))) return c;
    return a->iHost < b->iHost ? -1 : a->iHost > b->iHost;
}

/* One group of aTodo[i0..i1): the same action on the same OS. */
typedef struct rep_todo_grp {
    size_t i0, i1, nHost;
} rep_todo_grp_t;

static int rep_cmp_todo_grp(const void *pa, const void *pb)
{
    const rep_todo_grp_t *a = pa, *b = pb;
    if (a->nHost != b->nHost) return a->nHost > b->nHost ? -1 : 1;
    return a->i0 < b->i0 ? -1 : a->i0 > b->i0;
}

int rep_html_actions(rep_out_t *o, const rep_t *r)
{
    rep_todo_t *a = NULL;
    rep_todo_grp_t *aG = NULL;
    size_t n = 0, nCap = 0, nG = 0, i, j, k;
    int rc = KBS_ENOMEM;

    for (i = 0; i < r->nHost; i++) {
        const rep_host_t *h = &r->aHost[i];
        for (j = 0; j < h->nVerdict; j++) {
            const rep_verdict_t *v = &h->aVerdict[j];
            verdict_status_t st = rep_status(v->status);
            if (st == VERDICT_PATCHED || st == VERDICT_NOT_AFFECTED) continue;
            if (n == nCap) {
                size_t nNew = nCap ? nCap * 2 : 256;
                rep_todo_t *aNew = realloc(a, nNew * sizeof *aNew);
                if (!aNew) goto out;
                a = aNew;
                nCap = nNew;
            }
            a[n].zAct = rep_action(v, NULL, 0);
            a[n].zOs = h->zOsName && h->zOsName[0] ? h->zOsName : "Unknown OS";
            a[n].v = v;
            a[n].iHost = i;
            a[n].bUnpatchable = st == VERDICT_UNPATCHABLE;
            n++;
        }
    }
    rep_out_str(o, "<h2>What to do</h2>\n");
    if (!n) {
        rep_out_str(o, "<p>Nothing: every verdict shown is patched or not affected.</p>\n");
        rc = KBS_OK;
        goto out;
    }
    qsort(a, n, sizeof *a, rep_cmp_todo);
    if (!(aG = malloc(n * sizeof *aG))) goto out;
    for (i = 0; i < n; i = j) {
        size_t nHost = 0;
        for (j = i; j < n && !strcmp(a[j].zAct, a[i].zAct) && a[j].bUnpatchable == a[i].bUnpatchable &&
                    !strcmp(a[j].zOs, a[i].zOs);
             j++)
            if (j == i || a[j].iHost != a[j - 1].iHost) nHost++;
        aG[nG].i0 = i;
        aG[nG].i1 = j;
        aG[nG].nHost = nHost;
        nG++;
    }
    qsort(aG, nG, sizeof *aG, rep_cmp_todo_grp);
    rep_out_str(o, "<table class=\"sum todo\"><thead><tr><th>what to do</th><th>on</th>"
                   "<th>hosts</th><th>rules</th></tr></thead><tbody>\n");
    for (k = 0; k < nG && k < REP_ACTIONS_MAX; k++) {
        const rep_todo_grp_t *g = &aG[k];
        const cat_rule_t *aRule[8];
        size_t nRule = 0, nMore = 0, m;
        char zAct[REP_ACTION_MAX];
        for (i = g->i0; i < g->i1; i++) {
            const cat_rule_t *rule = a[i].v->rule;
            for (m = 0; m < nRule && aRule[m] != rule; m++) {
            }
            if (m < nRule || !rule) continue;
            if (nRule < sizeof aRule / sizeof aRule[0])
                aRule[nRule++] = rule;
            else
                nMore++;
        }
        rep_out_str(o, "<tr><td>");
        rep_html_esc(o, rep_action(a[g->i0].v, zAct, sizeof zAct));
        rep_out_str(o, "</td><td>");
        rep_out_u64(o, g->nHost);
        rep_out_ch(o, ' ');
        rep_html_esc(o, a[g->i0].zOs);
        rep_out_str(o, g->nHost == 1 ? " machine" : " machines");
        rep_out_str(o, "</td><td class=\"c\">");
        rep_out_u64(o, g->nHost);
        rep_out_str(o, "</td><td>");
        for (m = 0; m < nRule; m++) {
            if (m) rep_out_str(o, ", ");
            rep_html_esc(o, aRule[m]->zId);
        }
        if (nMore) {
            rep_out_str(o, " and ");
            rep_out_u64(o, nMore);
            rep_out_str(o, " more");
        }
        rep_out_str(o, "</td></tr>\n");
    }
    rep_out_str(o, "</tbody></table>\n");
    if (nG > REP_ACTIONS_MAX) {
        rep_out_str(o, "<p class=\"meta\">");
        rep_out_u64(o, nG - REP_ACTIONS_MAX);
        rep_out_str(o, " smaller actions are not listed: see the hosts below.</p>\n");
    }
    rc = KBS_OK;
out:
    free(a);
    free(aG);
    return rc;
}
