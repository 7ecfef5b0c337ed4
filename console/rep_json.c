/* rep_json.c: the JSON report ({"hosts": [...], "summary": {...}}) and the JSON check object. */
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "rep_int.h"

/* A JSON string: quotes, backslashes and controls escaped, invalid UTF-8 as U+FFFD, and the
 * line and paragraph separators escaped too so the text is also safe inside JavaScript. */
void rep_json_str(rep_out_t *o, const char *z)
{
    static const char zHex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)rep_str(z);
    size_t n = strlen((const char *)p), i, start;

    rep_out_ch(o, '"');
    for (i = 0, start = 0; i < n;) {
        unsigned c = p[i];
        uint32_t cp;
        size_t k = 1;
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            i++;
            continue;
        }
        rep_out_put(o, (const char *)p + start, i - start);
        switch (c) {
        case '"': rep_out_put(o, "\\\"", 2); break;
        case '\\': rep_out_put(o, "\\\\", 2); break;
        case '\n': rep_out_put(o, "\\n", 2); break;
        case '\r': rep_out_put(o, "\\r", 2); break;
        case '\t': rep_out_put(o, "\\t", 2); break;
        case '\b': rep_out_put(o, "\\b", 2); break;
        case '\f': rep_out_put(o, "\\f", 2); break;
        default:
            k = rep_utf8_next(p + i, n - i, &cp);
            if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x2028 || cp == 0x2029) {
                char a[6] = {'\\',
                             'u',
                             zHex[(cp >> 12) & 15],
                             zHex[(cp >> 8) & 15],
                             zHex[(cp >> 4) & 15],
                             zHex[cp & 15]};
                rep_out_put(o, a, 6);
            } else if (cp == 0xFFFD) {
                rep_out_cp(o, cp);
            } else {
                rep_out_put(o, (const char *)p + i, k);
            }
            break;
        }
        i += k;
        start = i;
    }
    rep_out_put(o, (const char *)p + start, n - start);
    rep_out_ch(o, '"');
}

static void rep_json_key(rep_out_t *o, const char *zKey)
{
    rep_out_ch(o, '"');
    rep_out_str(o, zKey);
    rep_out_put(o, "\":", 2);
}

/* "key":"value" with a comma before it unless first. */
static void rep_json_kv(rep_out_t *o, const char *zKey, const char *zVal, int first)
{
    if (!first) rep_out_ch(o, ',');
    rep_json_key(o, zKey);
    rep_json_str(o, zVal);
}

static void rep_json_counts(rep_out_t *o, const size_t *aCnt)
{
    size_t k;
    rep_out_ch(o, '{');
    for (k = 0; k < VERDICT_COUNT; k++) {
        if (k) rep_out_ch(o, ',');
        rep_json_key(o, rep_status_key(rep_aStatusOrder[k]));
        rep_out_u64(o, aCnt[rep_aStatusOrder[k]]);
    }
    rep_out_ch(o, '}');
}

/* One host: the object of `check --format json` and of each entry of the report's "hosts". */
static void rep_json_host(rep_out_t *o, const rep_t *r, const rep_host_t *h, const char *zSep)
{
    char zIso[24];
    size_t i;

    rep_out_ch(o, '{');
    rep_json_kv(o, "host", h->zHost, 1);
    rep_json_kv(o, "domain", h->zDomain, 0);
    rep_json_kv(o, "machine_id", h->zMachineId, 0);
    rep_json_kv(o, "os", h->zOsName && h->zOsName[0] ? h->zOsName : "Unknown OS", 0);
    rep_json_kv(o, "os_family", h->zOsFamily && h->zOsFamily[0] ? h->zOsFamily : "unknown", 0);
    rep_json_kv(o, "os_detail", h->zOsDetail, 0);
    rep_out_ch(o, ',');
    rep_json_key(o, "last_scan");
    if (rep_iso_time(h->scanTime, zIso)) {
        rep_out_ch(o, '"');
        rep_out_str(o, zIso);
        rep_out_ch(o, '"');
    } else {
        rep_out_str(o, "null");
    }
    if (h->timeFromFile) {
        /* last_scan is then the input file's date: the input carries no scan date */
        rep_out_ch(o, ',');
        rep_json_key(o, "time_from_file");
        rep_out_str(o, "true");
    }
    if (h->futureScanTime && rep_iso_time(h->futureScanTime, zIso)) {
        /* Only when there is one: a scan dated after its collection, left out of the state. */
        rep_out_ch(o, ',');
        rep_json_key(o, "ignored_future_scan");
        rep_out_ch(o, '"');
        rep_out_str(o, zIso);
        rep_out_ch(o, '"');
        rep_iso_time(h->scanTime, zIso);
    }
    rep_out_ch(o, ',');
    rep_json_key(o, "age_days");
    if (zIso[0] && r->now && r->now >= h->scanTime)
        rep_out_u64(o, (uint64_t)((r->now - h->scanTime) / 86400));
    else
        rep_out_str(o, "null");
    rep_out_ch(o, ',');
    rep_json_key(o, "stale");
    rep_out_str(o, h->stale ? "true" : "false");
    rep_json_kv(o, "origin", h->zOrigin, 0);
    rep_json_kv(o, "source", h->zSourcePath, 0);
    rep_out_ch(o, ',');
    rep_json_key(o, "hotfixes");
    rep_out_u64(o, h->nHotfix);
    rep_json_kv(o, "worst", rep_status_key(rep_host_worst(h)), 0);
    if (r->group) {
        char zKey[256];
        rep_json_kv(o, "group", rep_group_key(h, r->group, zKey, sizeof zKey), 0);
    }
    rep_out_ch(o, ',');
    rep_json_key(o, "rules");
    rep_out_ch(o, '[');
    for (i = 0; i < h->nVerdict; i++) {
        const rep_verdict_t *v = &h->aVerdict[i];
        char zActBuf[REP_ACTION_MAX];
        if (i) rep_out_ch(o, ',');
        rep_out_str(o, zSep);
        rep_out_ch(o, '{');
        rep_json_kv(o, "id", v->rule ? v->rule->zId : "", 1);
        rep_json_kv(o, "title", v->rule ? v->rule->zTitle : "", 0);
        rep_json_kv(o, "verdict", rep_status_key(v->status), 0);
        rep_json_kv(o, "evidence", v->zEvidence, 0);
        rep_json_kv(o, "action", rep_action(v, zActBuf, sizeof zActBuf), 0);
        rep_out_ch(o, '}');
    }
    rep_out_str(o, "]");
    if (r->cov.bDir) {
        /* the directory's account of the host: the same fields for every row */
        rep_out_str(o, ",\"directory\":");
        if (h->dir.inDir) {
            rep_out_str(o, "{\"never_reported\":");
            rep_out_str(o, h->dir.silent ? "true" : "false");
            rep_out_str(o, ",\"enabled\":");
            rep_out_str(o, h->dir.enabled < 0 ? "null" : h->dir.enabled ? "true" : "false");
            rep_json_kv(o, "domain", h->dir.zDomain, 0);
            rep_json_kv(o, "ou", h->dir.zOu, 0);
            rep_json_kv(o, "dn", h->dir.zDn, 0);
            rep_json_kv(o, "os", h->dir.zDirOs, 0);
            rep_json_kv(o, "when_created", rep_iso_time(h->dir.whenCreated, zIso) ? zIso : "", 0);
            rep_json_kv(o, "last_logon", rep_iso_time(h->dir.lastLogon, zIso) ? zIso : "", 0);
            rep_out_ch(o, '}');
        } else {
            rep_out_str(o, "null");
        }
    }
    rep_out_ch(o, '}');
}

int rep_json_check(const rep_t *r, const rep_host_t *h, FILE *out)
{
    rep_out_t *o = malloc(sizeof *o);
    int rc;
    if (!o) return KBS_ENOMEM;
    rep_out_init(o, out);
    rep_json_host(o, r, h, "\n  ");
    rep_out_ch(o, '\n');
    rc = rep_out_finish(o);
    free(o);
    return rc;
}

/* The entries of "by_family" / "by_group": {zKey: name, hosts, stale, worst: {...}}. */
static void rep_json_worst_list(rep_out_t *o, const char *zKey, const rep_fam_t *aFam, size_t nFam)
{
    size_t i;
    for (i = 0; i < nFam; i++) {
        rep_out_str(o, i ? ",\n{" : "\n{");
        rep_json_kv(o, zKey, aFam[i].zFamily, 1);
        rep_out_str(o, ",\"hosts\":");
        rep_out_u64(o, aFam[i].nHost);
        rep_out_str(o, ",\"stale\":");
        rep_out_u64(o, aFam[i].nStale);
        rep_out_str(o, ",\"worst\":");
        rep_json_counts(o, aFam[i].aWorst);
        rep_out_ch(o, '}');
    }
}

static void rep_json_summary(rep_out_t *o, const rep_t *r, const rep_sum_t *s)
{
    size_t i, k, nAll;

    rep_out_str(o, "\"summary\":{\"hosts\":");
    rep_out_u64(o, r->nHost);
    rep_out_str(o, ",\"stale\":");
    rep_out_u64(o, s->nStale);
    rep_out_str(o, ",\"worst\":");
    rep_json_counts(o, s->aWorst);
    rep_out_str(o, ",\n\"by_family\":[");
    rep_json_worst_list(o, "family", s->aFam, s->nFam);
    if (r->group) {
        rep_out_str(o, "],\n\"by_group\":[");
        rep_json_worst_list(o, "group", s->aGrp, s->nGrp);
    }
    rep_out_str(o, "],\n\"by_rule\":[");
    for (i = 0; i < s->nCol; i++) {
        for (k = 0, nAll = 0; k < VERDICT_COUNT; k++)
            nAll += s->aColCount[i][k];
        rep_out_str(o, i ? ",\n{" : "\n{");
        rep_json_kv(o, "id", s->aCol[i]->zId, 1);
        rep_out_str(o, ",\"hosts\":");
        rep_out_u64(o, nAll);
        rep_out_str(o, ",\"verdicts\":");
        rep_json_counts(o, s->aColCount[i]);
        rep_out_ch(o, '}');
    }
    rep_out_str(o, "]}");
}

int rep_json_render(const rep_t *r, FILE *out)
{
    rep_out_t *o = NULL;
    rep_sum_t s;
    char zIso[24];
    size_t i;
    int rc;

    if ((rc = rep_sum_build(r, &s)) != KBS_OK) goto out;
    rc = KBS_ENOMEM;
    if (!(o = malloc(sizeof *o))) goto out;
    rep_out_init(o, out);
    rep_out_ch(o, '{');
    if (r->cov.bDir) {
        size_t aN[REP_COV_N], k;
        rep_cov_counts(&r->cov, aN);
        rep_out_str(o, "\"coverage\":{");
        for (k = 0; k < REP_COV_N; k++) {
            rep_json_key(o, rep_azCovKey[k]);
            rep_out_u64(o, aN[k]);
            rep_out_ch(o, ',');
        }
        rep_json_kv(o, "synced_at", rep_iso_time(r->cov.syncTime, zIso) ? zIso : "", 1);
        if (r->cov.zOu) rep_json_kv(o, "ou", r->cov.zOu, 0);
        rep_out_str(o, "},\n");
    }
    rep_out_str(o, "\"hosts\":[");
    for (i = 0; i < r->nHost; i++) {
        rep_out_str(o, i ? ",\n" : "\n");
        rep_json_host(o, r, &r->aHost[i], "");
    }
    rep_out_str(o, "\n],\n");
    rep_json_summary(o, r, &s);
    rep_out_str(o, ",\n\"generated\":");
    if (rep_iso_time(r->now, zIso)) {
        rep_out_ch(o, '"');
        rep_out_str(o, zIso);
        rep_out_ch(o, '"');
    } else {
        rep_out_str(o, "null");
    }
    rep_json_kv(o, "title", r->zTitle ? r->zTitle : "kbsentry compliance report", 0);
    rep_out_str(o, ",\"stale_days\":");
    rep_out_u64(o, (uint64_t)(r->staleDays > 0 ? r->staleDays : 0));
    rep_out_str(o, ",\"catalog\":");
    if (r->cat) {
        rep_out_ch(o, '{');
        rep_json_kv(o, "source", r->cat->zSource, 1);
        rep_json_kv(o, "hash", r->cat->zHash, 0);
        rep_json_kv(o, "data_date", r->cat->zDataDate, 0);
        rep_out_ch(o, '}');
    } else {
        rep_out_str(o, "null");
    }
    rep_out_str(o, "}\n");
    rc = rep_out_finish(o);
out:
    rep_sum_release(&s);
    free(o);
    return rc;
}
