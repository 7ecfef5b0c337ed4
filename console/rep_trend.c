/* rep_trend.c: a rule's history, one row per day (table, CSV, JSON, HTML) and its SVG curve. */
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "rep_int.h"

static size_t rep_trend_hosts(const size_t *aCnt)
{
    size_t k, n = 0;
    for (k = 0; k < VERDICT_COUNT; k++)
        n += aCnt[k];
    return n;
}

/* "YYYY-MM-DD" of day d of t into z (>= 24 bytes). */
static void rep_trend_date(const rep_trend_t *t, size_t d, char *z)
{
    if (!rep_iso_time(t->day0 + (int64_t)d * 86400 + 1, z)) z[0] = 0;
    z[10] = 0;
}

/* The statuses in the order the rows list them: worst first. */
static const char *const rep_azTrendHead[VERDICT_COUNT] = {
    "missing", "unpatchable", "unknown", "mitigated", "patched", "not-affected"};

static void rep_trend_text(rep_out_t *o, const rep_trend_t *t, const char *zTitle, int bCsv)
{
    char zDate[24];
    size_t d, k;
    if (bCsv) {
        rep_out_str(o, "\xEF\xBB\xBF" "date,hosts");
        for (k = 0; k < VERDICT_COUNT; k++) {
            rep_out_ch(o, ',');
            rep_out_str(o, rep_azTrendHead[k]);
        }
        rep_out_str(o, "\r\n");
    } else {
        rep_out_str(o, zTitle);
        rep_out_str(o, "\n\nDATE        HOSTS");
        for (k = 0; k < VERDICT_COUNT; k++) {
            rep_out_ch(o, ' ');
            rep_out_str(o, rep_azTrendHead[k]);
        }
        rep_out_ch(o, '\n');
    }
    for (d = 0; d < t->nDay; d++) {
        const size_t *a = t->aDay[d];
        rep_trend_date(t, d, zDate);
        rep_out_str(o, zDate);
        if (bCsv) {
            rep_out_ch(o, ',');
            rep_out_u64(o, rep_trend_hosts(a));
            for (k = 0; k < VERDICT_COUNT; k++) {
                rep_out_ch(o, ',');
                rep_out_u64(o, a[rep_aStatusOrder[k]]);
            }
            rep_out_str(o, "\r\n");
            continue;
        }
        /* right-aligned under each heading */
        {
            char zNum[24];
            int n = snprintf(zNum, sizeof zNum, "%lu", (unsigned long)rep_trend_hosts(a));
            rep_out_pad(o, 2 + 5 - (size_t)(n < 5 ? n : 5));
            rep_out_str(o, zNum);
            for (k = 0; k < VERDICT_COUNT; k++) {
                size_t w = strlen(rep_azTrendHead[k]);
                n = snprintf(zNum, sizeof zNum, "%lu", (unsigned long)a[rep_aStatusOrder[k]]);
                rep_out_pad(o, 1 + w - ((size_t)n < w ? (size_t)n : w));
                rep_out_str(o, zNum);
            }
        }
        rep_out_ch(o, '\n');
    }
}

static void rep_trend_json(rep_out_t *o, const rep_trend_t *t, const char *zTitle)
{
    char zDate[24];
    size_t d, k;
    rep_out_str(o, "{\"title\":");
    rep_json_str(o, zTitle);
    rep_out_str(o, ",\"rule\":");
    rep_json_str(o, t->rule ? t->rule->zId : "");
    rep_out_str(o, ",\"rule_title\":");
    rep_json_str(o, t->rule ? t->rule->zTitle : "");
    rep_out_str(o, ",\"days\":[");
    for (d = 0; d < t->nDay; d++) {
        rep_trend_date(t, d, zDate);
        rep_out_str(o, d ? ",\n{\"date\":\"" : "\n{\"date\":\"");
        rep_out_str(o, zDate);
        rep_out_str(o, "\",\"hosts\":");
        rep_out_u64(o, rep_trend_hosts(t->aDay[d]));
        for (k = 0; k < VERDICT_COUNT; k++) {
            rep_out_str(o, ",\"");
            rep_out_str(o, rep_azTrendHead[k]);
            rep_out_str(o, "\":");
            rep_out_u64(o, t->aDay[d][rep_aStatusOrder[k]]);
        }
        rep_out_ch(o, '}');
    }
    rep_out_str(o, "]}\n");
}

/* The day after d to draw, step days on but never past the last day, which is always drawn;
 * t->nDay after the last. */
static size_t rep_trend_next(const rep_trend_t *t, size_t d, size_t step)
{
    if (d + 1 >= t->nDay) return t->nDay;
    return d + step < t->nDay ? d + step : t->nDay - 1;
}

void rep_trend_svg(rep_out_t *o, const rep_trend_t *t, unsigned w, unsigned h)
{
    /* margins: axis labels, and the legend right of a full-size curve (a small one in a table
     * row has the table's legend) */
    const int bSmall = w < 400;
    const unsigned xL = bSmall ? 40 : 56, xR = bSmall ? 6 : 120, yT = bSmall ? 4 : 10,
                   yB = bSmall ? 16 : 26;
    unsigned wPlot = w > xL + xR + 10 ? w - xL - xR : 10, hPlot = h > yT + yB + 10 ? h - yT - yB : 10;
    size_t d, k, nMax = 1, nLegend = 0, step;
    char zDate[24];

    if (!t->nDay) return;
    /* at most a point per pixel: ten years of days in a 190 px curve stay small */
    step = t->nDay > wPlot ? (t->nDay + wPlot - 1) / wPlot : 1;
    for (d = 0; d < t->nDay; d++) {
        size_t n = rep_trend_hosts(t->aDay[d]);
        if (n > nMax) nMax = n;
    }
    rep_out_str(o, "<svg class=\"curve\" width=\"");
    rep_out_u64(o, w);
    rep_out_str(o, "\" height=\"");
    rep_out_u64(o, h);
    rep_out_str(o, "\" role=\"img\" aria-label=\"hosts by verdict per day\">\n");
    /* axes: hosts up the left (0 and the most), the first and last day along the bottom */
    rep_out_str(o, "<path d=\"M");
    rep_out_u64(o, xL);
    rep_out_ch(o, ' ');
    rep_out_u64(o, yT);
    rep_out_str(o, "V");
    rep_out_u64(o, yT + hPlot);
    rep_out_str(o, "H");
    rep_out_u64(o, xL + wPlot);
    rep_out_str(o, "\" stroke=\"#888\" fill=\"none\"/>\n<text x=\"");
    rep_out_u64(o, xL - 4);
    rep_out_str(o, "\" y=\"");
    rep_out_u64(o, yT + 10);
    rep_out_str(o, "\" text-anchor=\"end\">");
    rep_out_u64(o, nMax);
    rep_out_str(o, "</text><text x=\"");
    rep_out_u64(o, xL - 4);
    rep_out_str(o, "\" y=\"");
    rep_out_u64(o, yT + hPlot);
    rep_out_str(o, "\" text-anchor=\"end\">0</text>\n<text x=\"");
    rep_out_u64(o, xL);
    rep_out_str(o, "\" y=\"");
    rep_out_u64(o, h - (bSmall ? 3 : 8));
    rep_out_str(o, "\">");
    rep_trend_date(t, 0, zDate);
    rep_out_str(o, zDate);
    rep_out_str(o, "</text><text x=\"");
    rep_out_u64(o, xL + wPlot);
    rep_out_str(o, "\" y=\"");
    rep_out_u64(o, h - (bSmall ? 3 : 8));
    rep_out_str(o, "\" text-anchor=\"end\">");
    rep_trend_date(t, t->nDay - 1, zDate);
    rep_out_str(o, zDate);
    rep_out_str(o, "</text>\n");
    for (k = 0; k < VERDICT_COUNT; k++) {
        verdict_status_t st = rep_aStatusOrder[k];
        size_t nAny = 0;
        for (d = 0; d < t->nDay; d++)
            nAny += t->aDay[d][st];
        if (!nAny) continue;
        rep_out_str(o, "<polyline class=\"s-");
        rep_out_str(o, rep_status_key(st));
        rep_out_str(o, "\" fill=\"none\" stroke-width=\"2\" stroke=\"");
        rep_out_str(o, rep_html_color(st));
        rep_out_str(o, "\" points=\"");
        for (d = 0; d < t->nDay; d = rep_trend_next(t, d, step)) {
            /* one day: a point in the middle of its slot (a single day is one dot wide) */
            uint64_t x10 = (uint64_t)xL * 10 +
                           (t->nDay > 1 ? (uint64_t)d * wPlot * 10 / (t->nDay - 1) : wPlot * 5);
            uint64_t y10 = (uint64_t)(yT + hPlot) * 10 - (uint64_t)t->aDay[d][st] * hPlot * 10 / nMax;
            if (d) rep_out_ch(o, ' ');
            rep_html_dec(o, x10, 10);
            rep_out_ch(o, ',');
            rep_html_dec(o, y10, 10);
        }
        rep_out_str(o, "\"/>\n");
        if (bSmall) continue;
        rep_out_str(o, "<text x=\"");
        rep_out_u64(o, xL + wPlot + 8);
        rep_out_str(o, "\" y=\"");
        rep_out_u64(o, yT + 12 + nLegend * 16);
        rep_out_str(o, "\" fill=\"");
        rep_out_str(o, rep_html_color(st));
        rep_out_str(o, "\">");
        rep_out_str(o, rep_status_key(st));
        rep_out_ch(o, ' ');
        rep_out_u64(o, t->aDay[t->nDay - 1][st]);
        rep_out_str(o, "</text>\n");
        nLegend++;
    }
    rep_out_str(o, "</svg>\n");
}

static void rep_trend_html(rep_out_t *o, const rep_trend_t *t, const char *zTitle)
{
    char zDate[24];
    size_t d, k;
    rep_out_str(o, "<!DOCTYPE html>\n<html lang=\"en\"><head>\n<meta charset=\"utf-8\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'\">\n<title>");
    rep_html_esc(o, zTitle);
    rep_out_str(o, "</title>\n<style>body{font:13px/1.4 Segoe UI,Tahoma,Arial,sans-serif;"
                   "margin:16px;color:#222}h1{font-size:20px}table{border-collapse:collapse}"
                   "th,td{border:1px solid #ccc;padding:2px 6px}td.c{text-align:right}"
                   "svg text{font:12px Segoe UI,Tahoma,Arial,sans-serif}"
                   "@media print{body{margin:0}}</style>\n</head><body>\n<h1>");
    rep_html_esc(o, zTitle);
    rep_out_str(o, "</h1>\n<p>");
    if (t->rule) rep_html_esc(o, t->rule->zTitle);
    rep_out_str(o, ": hosts by verdict as the fleet stood at the end of each day (UTC).</p>\n");
    rep_trend_svg(o, t, 900, 260);
    rep_out_str(o, "<table><thead><tr><th>date</th><th>hosts</th>");
    for (k = 0; k < VERDICT_COUNT; k++) {
        rep_out_str(o, "<th>");
        rep_out_str(o, rep_azTrendHead[k]);
        rep_out_str(o, "</th>");
    }
    rep_out_str(o, "</tr></thead><tbody>\n");
    for (d = 0; d < t->nDay; d++) {
        rep_trend_date(t, d, zDate);
        rep_out_str(o, "<tr><td>");
        rep_out_str(o, zDate);
        rep_out_str(o, "</td><td class=\"c\">");
        rep_out_u64(o, rep_trend_hosts(t->aDay[d]));
        for (k = 0; k < VERDICT_COUNT; k++) {
            rep_out_str(o, "</td><td class=\"c\">");
            rep_out_u64(o, t->aDay[d][rep_aStatusOrder[k]]);
        }
        rep_out_str(o, "</td></tr>\n");
    }
    rep_out_str(o, "</tbody></table>\n</body></html>\n");
}

int rep_trend_render(const rep_trend_t *t, rep_format_t fmt, const char *zTitle, FILE *out)
{
    rep_out_t *o;
    int rc;
    if (!t || !out) return KBS_EINVAL;
    if (!(o = malloc(sizeof *o))) return KBS_ENOMEM;
    rep_out_init(o, out);
    if (!zTitle) zTitle = "kbsentry trend";
    switch (fmt) {
    case REP_FMT_CSV: rep_trend_text(o, t, zTitle, 1); break;
    case REP_FMT_JSON: rep_trend_json(o, t, zTitle); break;
    case REP_FMT_HTML: rep_trend_html(o, t, zTitle); break;
    default: rep_trend_text(o, t, zTitle, 0); break;
    }
    rc = rep_out_finish(o);
    free(o);
    return rc;
}
