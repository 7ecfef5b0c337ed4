/* rep_csv.c: the CSV report (RFC 4180, UTF-8 with BOM, CRLF), safe to open in a spreadsheet. */
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "rep_int.h"

/* Does the text, read as a spreadsheet would, start a formula? Leading blanks do not stop
 * Excel or LibreOffice from taking "  =1+1" as one, and the full-width signs are read as the
 * ASCII ones in East Asian locales. */
static int rep_csv_formula_like(const unsigned char *p, size_t n)
{
    size_t i = 0;
    uint32_t cp;
    while (i < n && p[i] == ' ')
        i++;
    if (i == n) return 0;
    switch (p[i]) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r': return 1;
    default: break;
    }
    rep_utf8_next(p + i, n - i, &cp);
    return cp == 0xFF1D || cp == 0xFF0B || cp == 0xFF0D || cp == 0xFF20;
}

/* One field: formula-like text gets a leading apostrophe (shown as text, never evaluated);
 * a field with a comma, quote or line break is quoted with its quotes doubled; controls other
 * than TAB/CR/LF, bidi overrides and invalid UTF-8 become U+FFFD. */
static void rep_csv_field(rep_out_t *o, const char *z)
{
    const unsigned char *p = (const unsigned char *)rep_str(z);
    size_t n = strlen((const char *)p), i, start;
    int quote = strpbrk((const char *)p, ",\"\r\n") != NULL;

    if (quote) rep_out_ch(o, '"');
    if (rep_csv_formula_like(p, n)) rep_out_ch(o, '\'');
    for (i = 0, start = 0; i < n;) {
        unsigned c = p[i];
        uint32_t cp;
        size_t k;
        if (c >= 0x20 && c < 0x7F && c != '"') {
            i++;
            continue;
        }
        rep_out_put(o, (const char *)p + start, i - start);
        if (c == '"') {
            rep_out_put(o, "\"\"", 2);
            k = 1;
        } else {
            k = rep_utf8_next(p + i, n - i, &cp);
            if (cp == '\t' || cp == '\r' || cp == '\n')
                rep_out_ch(o, (char)cp);
            else if (cp == 0xFFFD || rep_cp_unsafe_text(cp))
                rep_out_cp(o, 0xFFFD);
            else
                rep_out_put(o, (const char *)p + i, k);
        }
        i += k;
        start = i;
    }
    rep_out_put(o, (const char *)p + start, n - start);
    if (quote) rep_out_ch(o, '"');
}

static void rep_csv_row(rep_out_t *o, const rep_t *r, const rep_host_t *h, const char *zIso,
                        const rep_verdict_t *v)
{
    rep_csv_field(o, h->zHost);
    rep_out_ch(o, ',');
    rep_csv_field(o, h->zDomain);
    rep_out_ch(o, ',');
    rep_csv_field(o, h->zMachineId);
    rep_out_ch(o, ',');
    rep_csv_field(o, h->zOsName);
    rep_out_ch(o, ',');
    rep_csv_field(o, h->zOsFamily && h->zOsFamily[0] ? h->zOsFamily : "unknown");
    rep_out_ch(o, ',');
    rep_out_str(o, zIso);
    rep_out_str(o, h->stale ? ",yes," : ",no,");
    if (r->cov.bDir) {
        /* the directory columns come before rule..action, which only the group follows */
        rep_out_str(o, h->dir.silent ? "never-reported," : h->dir.inDir ? "yes," : "no,");
        rep_csv_field(o, h->dir.zOu);
        rep_out_ch(o, ',');
    }
    if (v) {
        char zActBuf[REP_ACTION_MAX];
        rep_csv_field(o, v->rule ? v->rule->zId : "");
        rep_out_ch(o, ',');
        rep_out_str(o, rep_status_key(v->status));
        rep_out_ch(o, ',');
        rep_csv_field(o, v->zEvidence);
        rep_out_ch(o, ',');
        rep_csv_field(o, rep_action(v, zActBuf, sizeof zActBuf));
    } else {
        rep_out_str(o, ",,,"); /* a host without verdicts still gets its row */
    }
    if (r->group) {
        char zKey[256];
        rep_out_ch(o, ',');
        rep_csv_field(o, rep_group_key(h, r->group, zKey, sizeof zKey));
    }
    rep_out_put(o, "\r\n", 2);
}

int rep_csv_render(const rep_t *r, FILE *out)
{
    rep_out_t *o = malloc(sizeof *o);
    size_t i, j;
    int rc;

    if (!o) return KBS_ENOMEM;
    rep_out_init(o, out);
    /* The BOM makes Excel read UTF-8 instead of the ANSI code page. */
    rep_out_str(o, "\xEF\xBB\xBF");
    if (r->cov.bDir) {
        /* The coverage heads the file as '#' lines (docs/report-formats.md): the header row
         * follows them. */
        size_t aN[REP_COV_N], k;
        char zIso[24];
        rep_cov_counts(&r->cov, aN);
        rep_out_str(o, "# coverage");
        for (k = 0; k < REP_COV_N; k++) {
            rep_out_ch(o, ',');
            rep_out_str(o, rep_azCovKey[k]);
            rep_out_ch(o, '=');
            rep_out_u64(o, aN[k]);
        }
        rep_iso_time(r->cov.syncTime, zIso);
        rep_out_str(o, ",synced_at=");
        rep_out_str(o, zIso);
        if (r->cov.zOu) {
            rep_out_str(o, ",ou=");
            rep_csv_field(o, r->cov.zOu);
        }
        rep_out_str(o, "\r\n");
    }
    rep_out_str(o, r->cov.bDir ? "host,domain,machine_id,os,family,last_scan,stale,in_directory,ou,"
                                 "rule,verdict,evidence,action"
                               : "host,domain,machine_id,os,family,last_scan,stale,rule,verdict,"
                                 "evidence,action");
    rep_out_str(o, r->group ? ",group\r\n" : "\r\n");
    for (i = 0; i < r->nHost; i++) {
        const rep_host_t *h = &r->aHost[i];
        char zIso[24];
        rep_iso_time(h->scanTime, zIso);
        if (!h->nVerdict) rep_csv_row(o, r, h, zIso, NULL);
        for (j = 0; j < h->nVerdict; j++)
            rep_csv_row(o, r, h, zIso, &h->aVerdict[j]);
    }
    rc = rep_out_finish(o);
    free(o);
    return rc;
}
