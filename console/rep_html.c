/* rep_html.c: the HTML report: one self-contained file with an SVG chart and a sortable table. */
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "rep_int.h"

/* Short CSS class per status, also the filter values of the page's script. */
static const char *rep_html_cls(verdict_status_t st)
{
    switch (rep_status(st)) {
    case VERDICT_PATCHED: return "p";
    case VERDICT_MISSING: return "m";
    case VERDICT_UNPATCHABLE: return "u";
    case VERDICT_NOT_AFFECTED: return "n";
    case VERDICT_MITIGATED: return "g";
    default: return "x";
    }
}

const char *rep_html_color(verdict_status_t st)
{
    switch (rep_status(st)) {
    case VERDICT_PATCHED: return "#2e8b57";
    case VERDICT_MISSING: return "#c62828";
    case VERDICT_UNPATCHABLE: return "#6a1b9a";
    case VERDICT_NOT_AFFECTED: return "#9fb4bf";
    case VERDICT_MITIGATED: return "#e0a800";
    default: return "#8d8d8d";
    }
}

/* Text from input files, for element content and quoted attribute values alike: the five
 * markup characters as entities; controls, bidi overrides and invalid UTF-8 as U+FFFD. */
void rep_html_esc(rep_out_t *o, const char *z)
{
    const unsigned char *p = (const unsigned char *)rep_str(z);
    size_t n = strlen((const char *)p), i, start;

    for (i = 0, start = 0; i < n;) {
        unsigned c = p[i];
        uint32_t cp;
        size_t k = 1;
        if (c >= 0x20 && c < 0x7F && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'') {
            i++;
            continue;
        }
        rep_out_put(o, (const char *)p + start, i - start);
        switch (c) {
        case '&': rep_out_put(o, "&amp;", 5); break;
        case '<': rep_out_put(o, "&lt;", 4); break;
        case '>': rep_out_put(o, "&gt;", 4); break;
        case '"': rep_out_put(o, "&quot;", 6); break;
        case '\'': rep_out_put(o, "&#39;", 5); break;
        case '\t':
        case '\n':
        case '\r': rep_out_ch(o, ' '); break;
        default:
            k = rep_utf8_next(p + i, n - i, &cp);
            if (cp == 0xFFFD || rep_cp_unsafe_text(cp))
                rep_out_cp(o, 0xFFFD);
            else
                rep_out_put(o, (const char *)p + i, k);
            break;
        }
        i += k;
        start = i;
    }
    rep_out_put(o, (const char *)p + start, i - start);
}

/* v/d with one decimal, for SVG coordinates and percentages. */
void rep_html_dec(rep_out_t *o, uint64_t v, uint64_t d)
{
    uint64_t t = d ? (v * 10 + d / 2) / d : 0;
    rep_out_u64(o, t / 10);
    rep_out_ch(o, '.');
    rep_out_u64(o, t % 10);
}

static const char rep_zCss[] =
    "body{font:13px/1.4 Segoe UI,Tahoma,Arial,sans-serif;margin:16px;color:#222}"
    "h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 6px}"
    ".meta{color:#555}table{border-collapse:collapse}"
    "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;white-space:nowrap}"
    "th{background:#eee}table.sum td.c{text-align:right}"
    "#kbs-hosts th{cursor:pointer}#kbs-hosts th.asc:after{content:' \\25B2'}"
    "#kbs-hosts th.desc:after{content:' \\25BC'}"
    "td.m{background:#c62828;color:#fff}td.u{background:#6a1b9a;color:#fff}"
    "td.x{background:#ddd}td.p{background:#c8e6c9}td.n{color:#678}td.g{background:#ffe082}"
    "tr.st td{font-style:italic}b.stl{color:#b26a00;margin-left:4px}"
    ".ctl{margin:6px 0}.ctl input,.ctl select{margin-right:10px}"
    "#kbs-errors{color:#c62828}tr.h{display:none}"
    "svg text{font:12px Segoe UI,Tahoma,Arial,sans-serif}svg.curve text{font-size:10px}"
    "td.hot{background:#fdecea;font-weight:bold}table.rules td.t{white-space:normal;max-width:260px}"
    "tr.old td{color:#555}table.todo td{white-space:normal}"
    "#kbs-hosts{width:100%}#kbs-hosts td{white-space:normal;overflow-wrap:break-word}"
    "#kbs-hosts td.na{width:50%}div.v{margin:1px 0}table.rules td.t{min-width:180px}"
    "div.v b{font-weight:bold}div.v span.ev{color:#444}div.v span.ac{color:#0d47a1}"
    "b.m{color:#c62828}b.u{color:#6a1b9a}b.x{color:#555}b.g{color:#8a6d00}"
    "@media print{body{margin:0;font-size:10px}.ctl,#kbs-all,#kbs-count{display:none}"
    "tr,svg{page-break-inside:avoid}th,td{padding:1px 3px}h2{page-break-after:avoid}"
    "#kbs-hosts th.asc:after,#kbs-hosts th.desc:after{content:''}}";

/* Rows shown at once: a browser needs tens of seconds to lay out a table of a whole fleet
 * (35,640 x 14 cells), and nobody reads that many rows; filters and "show all" reach the rest.
 * Rows past the limit come hidden (class "h"); without script, <noscript> shows them all. */
#define REP_HTML_SHOWN     1000
#define REP_STR_(x)        #x
#define REP_STR(x)         REP_STR_(x)
#define REP_HTML_SHOWN_STR REP_STR(REP_HTML_SHOWN)

/* The page's script. ES3 only (no let/const, arrow functions, fetch, forEach, textContent
 * assumptions) so that it runs in the old browsers fleets like these still have; without
 * script the table is still complete, merely unsorted. With #selftest in the URL it sorts and
 * filters the table itself and writes the outcome into #kbs-selftest and the title. */
static const char rep_zScript[] =
    "(function(){\n"
    "var d=document,LIMIT=" REP_HTML_SHOWN_STR ";function $(i){return d.getElementById(i);}\n"
    "function txt(e){return e.textContent!==undefined?e.textContent:e.innerText;}\n"
    "function on(e,v,f){if(e.addEventListener)e.addEventListener(v,f,false);"
    "else if(e.attachEvent)e.attachEvent('on'+v,f);}\n"
    "var t=$('kbs-hosts');if(!t||!t.tHead||!t.tBodies.length)return;\n"
    "var tb=t.tBodies[0],hs=t.tHead.rows[0].cells,rows=[],i;\n"
    "for(i=0;i<tb.rows.length;i++)rows.push(tb.rows[i]);\n"
    "var rank={m:0,u:1,x:2,p:3,n:4},sc=-1,sd=1,all=false;\n"
    "var "
    "q=$('kbs-q'),vf=$('kbs-v'),so=$('kbs-stale'),cnt=$('kbs-count'),btn=$('kbs-all'),tm=null;\n"
    "function key(r,c,ty){var e=r.cells[c],k;if(!e)return '';\n"
    " if(ty==='n'){k=e.getAttribute('data-k');return k===null||k===''?-1e18:+k;}\n"
    " if(ty==='v'){k=rank[e.className];return k===undefined?9:k;}\n"
    " return txt(e).toLowerCase();}\n"
    "function hay(r){var j,s='',c=' '+(r.getAttribute('data-v')||'')+' ';if(r.kbsHay===undefined){\n"
    " for(j=0;j<r.cells.length;j++){s+=txt(r.cells[j]).toLowerCase()+'\\t';\n"
    "  if(rank[r.cells[j].className]!==undefined)c+=r.cells[j].className+' ';}\n"
    " r.kbsHay=s;r.kbsCodes=c;}return r.kbsHay;}\n"
    "function say(m){if(cnt){cnt.innerHTML='';cnt.appendChild(d.createTextNode(m));}}\n"
    "function apply(){var s=q?q.value.toLowerCase():'',v=vf?vf.value:'',st=so&&so.checked,"
    "n=0,j,r,h,ok;\n"
    " for(j=0;j<rows.length;j++){r=rows[j];h=hay(r);ok=!s||h.indexOf(s)>=0;\n"
    "  if(ok&&v==='bad')ok=/ [mux] /.test(r.kbsCodes);\n"
    "  else if(ok&&v)ok=r.kbsCodes.indexOf(' '+v+' ')>=0;\n"
    "  if(ok&&st)ok=/(^| )st( |$)/.test(r.className);\n"
    "  r.style.display=ok&&(all||n<LIMIT)?'table-row':'none';if(ok)n++;}\n"
    " say(n>LIMIT&&!all?'first '+LIMIT+' of '+n+' matching hosts shown':"
    "n+' of '+rows.length+' hosts shown');\n"
    " if(btn)btn.style.display=n>LIMIT&&!all?'':'none';return n;}\n"
    "function later(){if(tm)clearTimeout(tm);tm=setTimeout(apply,rows.length>2000?250:50);}\n"
    "function sortBy(c,dir){var ty=hs[c].getAttribute('data-t')||'s',a=[],j,f;\n"
    " for(j=0;j<rows.length;j++)a.push({k:key(rows[j],c,ty),i:j,r:rows[j]});\n"
    " a.sort(function(x,y){return x.k<y.k?-dir:x.k>y.k?dir:x.i-y.i;});\n"
    " f=d.createDocumentFragment();\n"
    " for(j=0;j<a.length;j++){rows[j]=a[j].r;f.appendChild(a[j].r);}\n"
    " tb.appendChild(f);sc=c;sd=dir;\n"
    " for(j=0;j<hs.length;j++)hs[j].className=j===c?(dir>0?'asc':'desc'):'';\n"
    " if(rows.length>LIMIT)apply();}\n"
    "if(q)on(q,'keyup',later);if(vf)on(vf,'change',apply);if(so)on(so,'click',apply);\n"
    "if(btn)btn.onclick=function(){all=true;apply();};\n"
    "for(i=0;i<hs.length;i++)hs[i].onclick=(function(c){return function(){"
    "sortBy(c,sc===c?-sd:1);};})(i);\n"
    "if(rows.length>LIMIT){say('first '+LIMIT+' of '+rows.length+' hosts shown');"
    "if(btn)btn.style.display='';}else say(rows.length+' hosts');\n"
    "function ordered(c,dir){var ty=hs[c].getAttribute('data-t')||'s',j,a,b;\n"
    " for(j=1;j<rows.length;j++){a=key(rows[j-1],c,ty);b=key(rows[j],c,ty);\n"
    "  if(dir>0?a>b:a<b)return false;}return true;}\n"
    "function visible(){var j,n=0;for(j=0;j<rows.length;j++)if(rows[j].style.display!=='none')n++;"
    "return n;}\n"
    "function selftest(){var ok=true,first,last,oldest,miss,shown,nv=-1,j,orig=rows[0],res;\n"
    " sortBy(0,1);ok=ok&&ordered(0,1);first=rows.length?txt(rows[0].cells[0]):'';\n"
    " sortBy(0,-1);ok=ok&&ordered(0,-1);last=rows.length?txt(rows[0].cells[0]):'';\n"
    " sortBy(4,1);ok=ok&&ordered(4,1);oldest=rows.length?txt(rows[0].cells[0]):'';\n"
    " for(j=0;j<hs.length;j++)if(hs[j].getAttribute('data-t')==='v'){nv=j;break;}\n"
    " if(nv>=0){sortBy(nv,1);ok=ok&&ordered(nv,1);}\n"
    " if(vf){vf.value='m';miss=apply();vf.value='';apply();}\n"
    " shown=visible();if(btn&&btn.onclick)btn.onclick();\n"
    " res='selftest '+(ok?'ok':'FAIL')+' rows='+rows.length+' first='+first+' last='+last+"
    "' oldest='+oldest+' missing='+miss+' moved='+(rows.length>1&&orig!==rows[0]?1:0)+"
    "' shown='+shown+' all='+visible()+' fits='+(d.documentElement.scrollWidth<=window.innerWidth?1:0);\n"
    " var e=$('kbs-selftest');if(e)e.appendChild(d.createTextNode(res));d.title=res;}\n"
    "if(location.hash==='#selftest')selftest();\n"
    "})();\n";

/* Catches script errors so that a check (and a curious reader) can see them on the page. */
static const char rep_zErrScript[] =
    "window.onerror=function(m,u,l){var e=document.getElementById('kbs-errors');"
    "if(e)e.appendChild(document.createTextNode('script error: '+m+' (line '+l+') '));"
    "return false;};";

static void rep_html_counts_row(rep_out_t *o, const char *zName, size_t nHost, size_t nStale,
                                const size_t *aCnt)
{
    size_t k;
    rep_out_str(o, "<tr><td>");
    rep_html_esc(o, zName);
    rep_out_str(o, "</td><td class=\"c\">");
    rep_out_u64(o, nHost);
    rep_out_str(o, "</td><td class=\"c\">");
    rep_out_u64(o, nStale);
    for (k = 0; k < VERDICT_COUNT; k++) {
        rep_out_str(o, "</td><td class=\"c\">");
        rep_out_u64(o, aCnt[rep_aStatusOrder[k]]);
    }
    /* compliant: every rule patched or not affected */
    rep_out_str(o, "</td><td class=\"c\">");
    rep_html_dec(o, (aCnt[VERDICT_PATCHED] + aCnt[VERDICT_NOT_AFFECTED]) * 100, nHost);
    rep_out_str(o, "%</td></tr>\n");
}

static void rep_html_status_heads(rep_out_t *o)
{
    size_t k;
    for (k = 0; k < VERDICT_COUNT; k++) {
        rep_out_str(o, "<th>");
        rep_out_str(o, rep_status_key(rep_aStatusOrder[k]));
        rep_out_str(o, "</th>");
    }
}

/* Stacked bars, one per OS family: its hosts by worst verdict, as shares of the family. IE8
 * and older skip the SVG through the conditional comment and show the tables below instead. */
static void rep_html_chart(rep_out_t *o, const rep_fam_t *aFam, size_t nFam)
{
    const unsigned wLabel = 130, wBar = 560, hRow = 24;
    size_t i, k, y, nMax = 1;

    if (!nFam) return;
    /* one scale for every bar: the longest is the biggest family's */
    for (i = 0; i < nFam; i++)
        if (aFam[i].nHost > nMax) nMax = aFam[i].nHost;
    rep_out_str(o, "<!--[if gte IE 9]><!--><svg width=\"");
    rep_out_u64(o, wLabel + wBar + 150);
    rep_out_str(o, "\" height=\"");
    rep_out_u64(o, nFam * hRow + 34);
    rep_out_str(o, "\" class=\"fam\" role=\"img\" aria-label=\"hosts by worst verdict\">\n");
    for (i = 0, y = 4; i < nFam; i++, y += hRow) {
        const rep_fam_t *f = &aFam[i];
        uint64_t x10 = (uint64_t)wLabel * 10;
        rep_out_str(o, "<text x=\"");
        rep_out_u64(o, wLabel - 6);
        rep_out_str(o, "\" y=\"");
        rep_out_u64(o, y + 15);
        rep_out_str(o, "\" text-anchor=\"end\">");
        rep_html_esc(o, f->zFamily);
        rep_out_str(o, "</text>\n");
        for (k = 0; k < VERDICT_COUNT; k++) {
            verdict_status_t st = rep_aStatusOrder[k];
            uint64_t w10;
            if (!f->aWorst[st]) continue;
            w10 = ((uint64_t)f->aWorst[st] * wBar * 10 + nMax / 2) / nMax;
            rep_out_str(o, "<rect class=\"seg\" data-n=\"");
            rep_out_u64(o, f->aWorst[st]);
            rep_out_str(o, "\" x=\"");
            rep_html_dec(o, x10, 10);
            rep_out_str(o, "\" y=\"");
            rep_out_u64(o, y);
            rep_out_str(o, "\" width=\"");
            rep_html_dec(o, w10, 10);
            rep_out_str(o, "\" height=\"");
            rep_out_u64(o, hRow - 6);
            rep_out_str(o, "\" fill=\"");
            rep_out_str(o, rep_html_color(st));
            rep_out_str(o, "\"><title>");
            rep_html_esc(o, f->zFamily);
            rep_out_str(o, ": ");
            rep_out_u64(o, f->aWorst[st]);
            rep_out_ch(o, ' ');
            rep_out_str(o, rep_status_key(st));
            rep_out_str(o, " (");
            rep_html_dec(o, (uint64_t)f->aWorst[st] * 100, f->nHost);
            rep_out_str(o, "%)</title></rect>\n");
            x10 += w10;
        }
        rep_out_str(o, "<text x=\"");
        rep_html_dec(o, x10 + 60, 10);
        rep_out_str(o, "\" y=\"");
        rep_out_u64(o, y + 15);
        rep_out_str(o, "\">");
        rep_out_u64(o, f->nHost);
        rep_out_str(o, " hosts, ");
        rep_html_dec(o,
                     (uint64_t)(f->aWorst[VERDICT_PATCHED] + f->aWorst[VERDICT_NOT_AFFECTED]) * 100,
                     f->nHost);
        rep_out_str(o, "% ok</text>\n");
    }
    for (k = 0, i = wLabel; k < VERDICT_COUNT; k++, i += 110) {
        rep_out_str(o, "<rect x=\"");
        rep_out_u64(o, i);
        rep_out_str(o, "\" y=\"");
        rep_out_u64(o, y + 6);
        rep_out_str(o, "\" width=\"12\" height=\"12\" fill=\"");
        rep_out_str(o, rep_html_color(rep_aStatusOrder[k]));
        rep_out_str(o, "\"/><text x=\"");
        rep_out_u64(o, i + 16);
        rep_out_str(o, "\" y=\"");
        rep_out_u64(o, y + 16);
        rep_out_str(o, "\">");
        rep_out_str(o, rep_status_key(rep_aStatusOrder[k]));
        rep_out_str(o, "</text>\n");
    }
    rep_out_str(o, "</svg><!--<![endif]-->\n");
}

/* A chart and a table of hosts by worst verdict: per OS family, or per group. */
static void rep_html_worst_table(rep_out_t *o, const rep_t *r, const rep_sum_t *s, const char *zKind,
                                 const rep_fam_t *aFam, size_t nFam)
{
    size_t i;
    rep_html_chart(o, aFam, nFam);
    rep_out_str(o, "<table class=\"sum\"><thead><tr><th>");
    rep_out_str(o, zKind);
    rep_out_str(o, "</th><th>hosts</th><th>stale</th>");
    rep_html_status_heads(o);
    rep_out_str(o, "<th>ok</th></tr></thead><tbody>\n");
    for (i = 0; i < nFam; i++)
        rep_html_counts_row(o, aFam[i].zFamily, aFam[i].nHost, aFam[i].nStale, aFam[i].aWorst);
    rep_html_counts_row(o, "all", r->nHost, s->nStale, s->aWorst);
    rep_out_str(o, "</tbody></table>\n");
}

static const char *rep_html_group_name(rep_group_t g)
{
    return g == REP_GROUP_FOLDER ? "folder" : g == REP_GROUP_DOMAIN ? "domain" : "OU";
}

static void rep_html_summary(rep_out_t *o, const rep_t *r, const rep_sum_t *s)
{
    rep_out_str(o, "<h2>Hosts per OS family</h2>\n"
                   "<p class=\"meta\">Hosts counted by their worst verdict over the rules shown: a "
                   "host is ok when every rule is patched or not affected. Bars share one scale: "
                   "their length is the family's number of hosts.</p>\n");
    rep_html_worst_table(o, r, s, "family", s->aFam, s->nFam);
    if (r->group) {
        rep_out_str(o, "<h2>Hosts per ");
        rep_out_str(o, rep_html_group_name(r->group));
        rep_out_str(o, "</h2>\n");
        rep_html_worst_table(o, r, s, rep_html_group_name(r->group), s->aGrp, s->nGrp);
    }
}

/* One host: who, where, when, its worst verdict, and each verdict that asks for something with
 * its evidence and action, as text (printed, never a tooltip only); data-v holds the codes of
 * every verdict for the page's filter. */
static void rep_html_row(rep_out_t *o, const rep_t *r, const rep_sum_t *s, size_t iHost, int hidden)
{
    const rep_host_t *h = &r->aHost[iHost];
    char zIso[24];
    size_t i, nOk = 0;
    verdict_status_t w = rep_host_worst(h);

    rep_out_str(o, "<tr");
    if (h->stale || hidden) {
        rep_out_str(o, " class=\"");
        rep_out_str(o, h->stale ? (hidden ? "st h" : "st") : "h");
        rep_out_ch(o, '"');
    }
    rep_out_str(o, " data-v=\"");
    for (i = 0; i < h->nVerdict; i++) {
        if (i) rep_out_ch(o, ' ');
        rep_out_str(o, rep_html_cls(h->aVerdict[i].status));
    }
    rep_out_str(o, "\"><td>");
    rep_html_esc(o, h->zHost);
    rep_out_str(o, "</td><td>");
    rep_html_esc(o, h->zDomain);
    rep_out_str(o, "</td><td>");
    rep_html_esc(o, h->zOsFamily && h->zOsFamily[0] ? h->zOsFamily : "unknown");
    rep_out_str(o, "</td><td>");
    rep_html_esc(o, h->zOsName && h->zOsName[0] ? h->zOsName : "Unknown OS");
    if (rep_iso_time(h->scanTime, zIso)) {
        rep_out_str(o, "</td><td data-k=\"");
        if (h->scanTime < 0) rep_out_ch(o, '-');
        rep_out_u64(o,
                    h->scanTime < 0 ? (uint64_t)0 - (uint64_t)h->scanTime : (uint64_t)h->scanTime);
        rep_out_str(o, "\">");
        zIso[10] = ' ';
        rep_out_put(o, zIso, 16);
        if (r->now && r->now >= h->scanTime) {
            rep_out_str(o, " (");
            rep_out_u64(o, (uint64_t)((r->now - h->scanTime) / 86400));
            rep_out_str(o, "d)");
        }
        if (h->timeFromFile) rep_out_str(o, " file date");
    } else {
        rep_out_str(o, "</td><td data-k=\"\">never");
    }
    if (h->stale) rep_out_str(o, "<b class=\"stl\">stale</b>");
    if (r->group) {
        rep_out_str(o, "</td><td>");
        rep_html_esc(o, s->azHostGroup[iHost]);
    }
    rep_out_str(o, "</td><td class=\"");
    rep_out_str(o, rep_html_cls(w));
    rep_out_str(o, "\">");
    rep_out_str(o, rep_status_key(w));
    rep_out_str(o, "</td><td class=\"na\">");
    for (i = 0; i < h->nVerdict; i++) {
        const rep_verdict_t *v = &h->aVerdict[i];
        verdict_status_t st = rep_status(v->status);
        char zActBuf[REP_ACTION_MAX];
        const char *zAct;
        if (st == VERDICT_PATCHED || st == VERDICT_NOT_AFFECTED) {
            nOk++;
            continue;
        }
        zAct = rep_action(v, zActBuf, sizeof zActBuf);
        rep_out_str(o, "<div class=\"v\"><b class=\"");
        rep_out_str(o, rep_html_cls(st));
        rep_out_str(o, "\">");
        rep_html_esc(o, v->rule ? v->rule->zId : "?");
        rep_out_ch(o, ' ');
        rep_out_str(o, rep_status_key(st));
        rep_out_str(o, "</b> <span class=\"ev\">");
        rep_html_esc(o, v->zEvidence && v->zEvidence[0] ? v->zEvidence : "(no evidence recorded)");
        rep_out_str(o, "</span>");
        if (zAct[0]) {
            rep_out_str(o, " &rarr; <span class=\"ac\">");
            rep_html_esc(o, zAct);
            rep_out_str(o, "</span>");
        }
        rep_out_str(o, "</div>");
    }
    if (nOk) {
        rep_out_str(o, "<div class=\"ok\">");
        rep_out_u64(o, nOk);
        rep_out_str(o, nOk == 1 ? " rule" : " rules");
        rep_out_str(o, " patched or not affected</div>");
    }
    rep_out_str(o, "</td></tr>\n");
}

int rep_html_render(const rep_t *r, FILE *out)
{
    const char *zTitle = r->zTitle ? r->zTitle : "kbsentry compliance report";
    rep_out_t *o = NULL;
    rep_sum_t s;
    char zIso[24];
    size_t i, k;
    int rc;

    if ((rc = rep_sum_build(r, &s)) != KBS_OK) goto out;
    rc = KBS_ENOMEM;
    if (!(o = malloc(sizeof *o))) goto out;
    rep_out_init(o, out);

    /* The policy forbids every fetch: the file must work offline and a planted string can
     * never make it call out. */
    rep_out_str(o, "<!DOCTYPE html>\n<html lang=\"en\"><head>\n<meta charset=\"utf-8\">\n"
                   "<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
                   "<noscript><style>tr.h{display:table-row}</style></noscript>\n<title>");
    rep_html_esc(o, zTitle);
    rep_out_str(o, "</title>\n<style>");
    rep_out_str(o, rep_zCss);
    rep_out_str(o, "</style>\n</head><body>\n<script>");
    rep_out_str(o, rep_zErrScript);
    rep_out_str(o, "</script>\n<div id=\"kbs-errors\"></div>\n<h1>");
    rep_html_esc(o, zTitle);
    rep_out_str(o, "</h1>\n<p class=\"meta\">");
    if (rep_iso_time(r->now, zIso)) {
        zIso[10] = ' ';
        zIso[16] = 0;
        rep_out_str(o, "Generated ");
        rep_out_str(o, zIso);
        rep_out_str(o, " UTC &middot; ");
    }
    rep_out_u64(o, r->nHost);
    rep_out_str(o, " hosts &middot; ");
    rep_out_u64(o, s.nCol);
    rep_out_str(o, " rules");
    if (r->staleDays > 0) {
        rep_out_str(o, " &middot; ");
        rep_out_u64(o, s.nStale);
        rep_out_str(o, " stale (not seen for more than ");
        rep_out_u64(o, (uint64_t)r->staleDays);
        rep_out_str(o, " days)");
    }
    if (r->cat) {
        rep_out_str(o, " &middot; catalog ");
        rep_html_esc(o, r->cat->zSource);
        rep_out_ch(o, ' ');
        rep_html_esc(o, r->cat->zHash);
        if (r->cat->zDataDate[0]) {
            rep_out_str(o, ", data of ");
            rep_html_esc(o, r->cat->zDataDate);
        }
    }
    rep_out_str(o, "</p>\n");
    if (r->cov.bDir) {
        rep_out_str(o, "<p class=\"meta\" id=\"kbs-coverage\">");
        rep_cov_text(o, r, " &middot; ");
        if (r->cov.zOu) {
            rep_out_str(o, " &middot; under ");
            rep_html_esc(o, r->cov.zOu);
        }
        rep_out_str(o, "</p>\n");
    }
    if ((rc = rep_html_headline(o, r, &s)) || (rc = rep_html_actions(o, r))) goto out;
    rep_html_summary(o, r, &s);

    rep_out_str(o, "<h2>Hosts</h2>\n<div class=\"ctl\">Filter <input id=\"kbs-q\" type=\"text\" "
                   "size=\"24\"> verdict <select id=\"kbs-v\"><option value=\"\">any</option>"
                   "<option value=\"bad\">not ok</option>");
    for (k = 0; k < VERDICT_COUNT; k++) {
        rep_out_str(o, "<option value=\"");
        rep_out_str(o, rep_html_cls(rep_aStatusOrder[k]));
        rep_out_str(o, "\">");
        rep_out_str(o, rep_status_key(rep_aStatusOrder[k]));
        rep_out_str(o, "</option>");
    }
    rep_out_str(o, "</select><label><input id=\"kbs-stale\" type=\"checkbox\"> stale only</label>"
                   " <span id=\"kbs-count\"></span> <button id=\"kbs-all\" type=\"button\" "
                   "style=\"display:none\">show all</button></div>\n"
                   "<table id=\"kbs-hosts\"><thead><tr><th>host</th><th>domain</th>"
                   "<th>family</th><th>OS</th><th data-t=\"n\">last seen</th>");
    if (r->group) {
        rep_out_str(o, "<th>");
        rep_out_str(o, rep_html_group_name(r->group));
        rep_out_str(o, "</th>");
    }
    rep_out_str(o, "<th data-t=\"v\">worst</th><th>what needs action: rule, verdict, evidence "
                   "&rarr; action</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < r->nHost; i++)
        rep_html_row(o, r, &s, i, i >= REP_HTML_SHOWN);
    rep_out_str(o, "</tbody></table>\n<div id=\"kbs-selftest\"></div>\n<script>\n");
    rep_out_str(o, rep_zScript);
    rep_out_str(o, "</script>\n</body></html>\n");
    rc = rep_out_finish(o);
out:
    rep_sum_release(&s);
    free(o);
    return rc;
}
