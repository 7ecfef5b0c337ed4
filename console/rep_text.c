/* rep_text.c: the plain-text renderers: the aligned report table and the helpdesk check view. */
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "rep_int.h"

#define REP_W_HOST 40 /* longer host names are cut in the table; the check view shows them whole   \
                       */
#define REP_W_FAMILY 16
#define REP_W_RULE   24

/* Terminal columns a code point takes: East Asian wide ranges take two. */
static size_t rep_cp_width(uint32_t cp)
{
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

/* Writes z (when o is not NULL) with controls, bidi overrides and invalid UTF-8 shown as U+FFFD,
 * so that no input can move the cursor, recolour the terminal or split a row. At most maxW
 * columns: a longer text is cut and ends in '~'. Returns the columns written (or needed). */
static size_t rep_text_put(rep_out_t *o, const char *z, size_t maxW)
{
    const unsigned char *p = (const unsigned char *)rep_str(z);
    size_t n = strlen((const char *)p), i, w = 0, wAll = 0, limit;

    for (i = 0; i < n;) {
        uint32_t cp;
        i += rep_utf8_next(p + i, n - i, &cp);
        wAll += rep_cp_width(cp);
    }
    limit = wAll <= maxW ? wAll : (maxW ? maxW - 1 : 0);
    if (!o) return wAll <= maxW ? wAll : maxW;
    for (i = 0; i < n;) {
        uint32_t cp;
        size_t k = rep_utf8_next(p + i, n - i, &cp), cw = rep_cp_width(cp);
        if (w + cw > limit) break;
        if (rep_cp_unsafe_text(cp)) cp = 0xFFFD;
        if (cp < 0x80)
            rep_out_ch(o, (char)cp);
        else if (cp == 0xFFFD)
            rep_out_cp(o, cp);
        else
            rep_out_put(o, (const char *)p + i, k); /* valid: copy the bytes as they are */
        w += cw;
        i += k;
    }
    if (wAll > maxW && maxW) {
        rep_out_ch(o, '~');
        w++;
    }
    return w;
}

/* "2017-05-12 08:30 (3d)" and " STALE" for the table; "never" without a scan time. */
static size_t rep_seen_text(const rep_t *r, const rep_host_t *h, char *zBuf, size_t nBuf)
{
    char zIso[24];
    size_t n = 0;

    if (!rep_iso_time(h->scanTime, zIso)) {
        n = (size_t)snprintf(zBuf, nBuf, "never");
    } else {
        zIso[10] = ' ';
        zIso[16] = 0;
        if (r->now && r->now >= h->scanTime)
            n = (size_t)snprintf(zBuf, nBuf, "%s (%ldd)", zIso,
                                 (long)((r->now - h->scanTime) / 86400));
        else if (r->now)
            n = (size_t)snprintf(zBuf, nBuf, "%s (future)", zIso);
        else
            n = (size_t)snprintf(zBuf, nBuf, "%s", zIso);
    }
    if (h->stale && n + 7 < nBuf) {
        memcpy(zBuf + n, " STALE", 7);
        n += 6;
    }
    return n;
}

static size_t rep_digits(size_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static void rep_num(rep_out_t *o, size_t v, size_t w)
{
    size_t d = rep_digits(v);
    rep_out_pad(o, w > d ? w - d : 0);
    rep_out_u64(o, v);
}

static void rep_cell(rep_out_t *o, const char *z, size_t maxW, size_t w, int last)
{
    size_t got = rep_text_put(o, z, maxW);
    if (!last) rep_out_pad(o, (w > got ? w - got : 0) + 2);
}

/* Summary: hosts by worst verdict per OS family, then hosts by verdict per rule. */
/* Hosts by worst verdict per family or group, then all of them. */
static void rep_table_worst(rep_out_t *o, const rep_t *r, const rep_sum_t *s, const char *zHead,
                            const char *zCol, const rep_fam_t *aFam, size_t nFam, size_t wName)
{
    size_t wNum = rep_digits(r->nHost), i, k;
    rep_out_str(o, zHead);
    rep_cell(o, zCol, wName, wName, 0);
    rep_out_str(o, "HOSTS  STALE");
    for (k = 0; k < VERDICT_COUNT; k++) {
        rep_out_str(o, "  ");
        rep_out_str(o, rep_status_key(rep_aStatusOrder[k]));
    }
    rep_out_ch(o, '\n');
    for (i = 0; i <= nFam; i++) {
        const size_t *aCnt = i < nFam ? aFam[i].aWorst : s->aWorst;
        rep_cell(o, i < nFam ? aFam[i].zFamily : "all", REP_W_FAMILY, wName, 0);
        rep_num(o, i < nFam ? aFam[i].nHost : r->nHost, wNum > 5 ? wNum : 5);
        rep_out_str(o, "  ");
        rep_num(o, i < nFam ? aFam[i].nStale : s->nStale, wNum > 5 ? wNum : 5);
        for (k = 0; k < VERDICT_COUNT; k++) {
            size_t wk = strlen(rep_status_key(rep_aStatusOrder[k]));
            rep_out_str(o, "  ");
            rep_num(o, aCnt[rep_aStatusOrder[k]], wk > wNum ? wk : wNum);
        }
        rep_out_ch(o, '\n');
    }
}

static void rep_table_summary(rep_out_t *o, const rep_t *r, const rep_sum_t *s)
{
    size_t wNum = rep_digits(r->nHost), wName = strlen("FAMILY"), i, k;

    for (i = 0; i < s->nFam; i++) {
        size_t w = rep_text_put(NULL, s->aFam[i].zFamily, REP_W_FAMILY);
        if (w > wName) wName = w;
    }
    for (i = 0; i < s->nCol; i++) {
        size_t w = rep_text_put(NULL, s->aCol[i]->zId, REP_W_RULE);
        if (w > wName) wName = w;
    }
    for (i = 0; i < s->nGrp; i++) {
        size_t w = rep_text_put(NULL, s->aGrp[i].zFamily, REP_W_FAMILY);
        if (w > wName) wName = w;
    }
    rep_table_worst(o, r, s, "\nBy OS family (hosts counted by their worst verdict):\n", "FAMILY",
                    s->aFam, s->nFam, wName);
    if (r->group)
        rep_table_worst(o, r, s,
                        r->group == REP_GROUP_FOLDER   ? "\nBy folder (hosts by worst verdict):\n"
                        : r->group == REP_GROUP_DOMAIN ? "\nBy domain (hosts by worst verdict):\n"
                                                       : "\nBy OU (hosts by worst verdict):\n",
                        "GROUP", s->aGrp, s->nGrp, wName);
    if (!s->nCol) return;
    rep_out_str(o, "\nBy rule (hosts):\n");
    rep_cell(o, "RULE", wName, wName, 0);
    rep_out_pad(o, wNum > 5 ? wNum - 5 : 0);
    rep_out_str(o, "HOSTS");
    for (k = 0; k < VERDICT_COUNT; k++) {
        rep_out_str(o, "  ");
        rep_out_str(o, rep_status_key(rep_aStatusOrder[k]));
    }
    rep_out_ch(o, '\n');
    for (i = 0; i < s->nCol; i++) {
        size_t nAll = 0;
        for (k = 0; k < VERDICT_COUNT; k++)
            nAll += s->aColCount[i][k];
        rep_cell(o, s->aCol[i]->zId, REP_W_RULE, wName, 0);
        rep_num(o, nAll, wNum > 5 ? wNum : 5);
        for (k = 0; k < VERDICT_COUNT; k++) {
            size_t wk = strlen(rep_status_key(rep_aStatusOrder[k]));
            rep_out_str(o, "  ");
            rep_num(o, s->aColCount[i][rep_aStatusOrder[k]], wk > wNum ? wk : wNum);
        }
        rep_out_ch(o, '\n');
    }
}

int rep_table_render(const rep_t *r, FILE *out)
{
    rep_out_t *o = NULL;
    rep_sum_t s;
    long *aIdx = NULL;
    size_t *aW = NULL, wHost = 4, wFam = 6, wSeen = 9, i, c;
    char zSeen[64], zNow[24];
    int rc, detail;

    if ((rc = rep_sum_build(r, &s)) != KBS_OK) goto out;
    rc = KBS_ENOMEM;
    if (!(o = malloc(sizeof *o))) goto out;
    if (s.nCol && (!(aIdx = malloc(s.nCol * sizeof *aIdx)) || !(aW = malloc(s.nCol * sizeof *aW))))
        goto out;
    rep_out_init(o, out);
    /* One rule (report --rule): its evidence and action fit on the row. */
    detail = s.nCol == 1;

    for (i = 0; i < r->nHost; i++) {
        const rep_host_t *h = &r->aHost[i];
        size_t w = rep_text_put(NULL, h->zHost, REP_W_HOST);
        if (w > wHost) wHost = w;
        w = rep_text_put(NULL, h->zOsFamily ? h->zOsFamily : "unknown", REP_W_FAMILY);
        if (w > wFam) wFam = w;
        w = rep_seen_text(r, h, zSeen, sizeof zSeen);
        if (w > wSeen) wSeen = w;
    }
    for (c = 0; c < s.nCol; c++) {
        aW[c] = rep_text_put(NULL, s.aCol[c]->zId, REP_W_RULE);
        if (aW[c] < 12) aW[c] = 12; /* "not-affected" */
    }

    rep_text_put(o, r->zTitle ? r->zTitle : "kbsentry compliance report", 200);
    rep_out_ch(o, '\n');
    if (rep_iso_time(r->now, zNow)) {
        zNow[10] = ' ';
        zNow[16] = 0;
        rep_out_str(o, "generated ");
        rep_out_str(o, zNow);
        rep_out_str(o, " UTC, ");
    }
    rep_out_u64(o, r->nHost);
    rep_out_str(o, r->nHost == 1 ? " host, " : " hosts, ");
    rep_out_u64(o, s.nCol);
    rep_out_str(o, s.nCol == 1 ? " rule" : " rules");
    if (r->staleDays > 0) {
        rep_out_str(o, ", ");
        rep_out_u64(o, s.nStale);
        rep_out_str(o, " stale (not seen for more than ");
        rep_out_u64(o, (uint64_t)r->staleDays);
        rep_out_str(o, " days)");
    }
    if (r->cat && r->cat->zDataDate[0]) {
        /* Verdicts are as new as the catalog's KB lists: say how old they are. */
        rep_out_str(o, ", catalog data of ");
        rep_out_str(o, r->cat->zDataDate);
    }
    rep_out_str(o, "\n");
    if (r->cov.bDir) {
        rep_cov_text(o, r, ", ");
        if (r->cov.zOu) {
            rep_out_str(o, "; under ");
            rep_text_put(o, r->cov.zOu, 400);
        }
        rep_out_ch(o, '\n');
    }
    rep_out_ch(o, '\n');

    rep_cell(o, "HOST", wHost, wHost, 0);
    rep_cell(o, "FAMILY", wFam, wFam, 0);
    rep_cell(o, "LAST SEEN", wSeen, wSeen, !s.nCol);
    for (c = 0; c < s.nCol; c++)
        rep_cell(o, s.aCol[c]->zId, REP_W_RULE, aW[c], c + 1 == s.nCol && !detail);
    if (detail) rep_out_str(o, "EVIDENCE / ACTION");
    rep_out_ch(o, '\n');

    for (i = 0; i < r->nHost; i++) {
        const rep_host_t *h = &r->aHost[i];
        rep_cell(o, h->zHost, REP_W_HOST, wHost, 0);
        rep_cell(o, h->zOsFamily ? h->zOsFamily : "unknown", REP_W_FAMILY, wFam, 0);
        rep_seen_text(r, h, zSeen, sizeof zSeen);
        rep_cell(o, zSeen, sizeof zSeen, wSeen, !s.nCol);
        if (s.nCol) rep_host_cells(&s, r, h, aIdx);
        for (c = 0; c < s.nCol; c++) {
            const char *z = aIdx[c] >= 0 ? rep_status_key(h->aVerdict[aIdx[c]].status) : "-";
            rep_cell(o, z, aW[c], aW[c], c + 1 == s.nCol && !detail);
        }
        if (detail && aIdx[0] >= 0) {
            const rep_verdict_t *v = &h->aVerdict[aIdx[0]];
            char zActBuf[REP_ACTION_MAX];
            const char *zAct = rep_action(v, zActBuf, sizeof zActBuf);
            rep_text_put(o, v->zEvidence, 400);
            if (zAct[0]) {
                rep_out_str(o, " -> ");
                rep_text_put(o, zAct, 200);
            }
        }
        rep_out_ch(o, '\n');
    }
    rep_table_summary(o, r, &s);
    rc = rep_out_finish(o);
out:
    rep_sum_release(&s);
    free(aIdx);
    free(aW);
    free(o);
    return rc;
}

/* One "Label      value" line of the check view. */
static void rep_field(rep_out_t *o, const char *zLabel, const char *zVal)
{
    rep_out_str(o, zLabel);
    rep_out_pad(o, 12 - strlen(zLabel));
    rep_text_put(o, zVal, 1000);
    rep_out_ch(o, '\n');
}

/* The verdict in capitals ("MISSING"); returns its length. */
static size_t rep_check_status(rep_out_t *o, const rep_verdict_t *v)
{
    const char *zKey = rep_status_key(v->status);
    size_t k;
    for (k = 0; zKey[k]; k++)
        rep_out_ch(o, (char)(zKey[k] >= 'a' ? zKey[k] - 32 : zKey[k]));
    return k;
}

/* The "evidence:" and "action:" lines of a verdict. */
static void rep_check_why(rep_out_t *o, const rep_verdict_t *v)
{
    char zActBuf[REP_ACTION_MAX];
    const char *zAct = rep_action(v, zActBuf, sizeof zActBuf);
    rep_out_str(o, "\n    evidence: ");
    rep_text_put(o, v->zEvidence && v->zEvidence[0] ? v->zEvidence : "(none recorded)", 1000);
    if (zAct[0]) {
        rep_out_str(o, "\n    action:   ");
        rep_text_put(o, zAct, 1000);
    }
    rep_out_ch(o, '\n');
}

/* 1 when h has several verdicts, all unknown for the same reason (no OS facts in a hotfix
 * list): the check view says it once instead of once per rule. */
static int rep_check_same(const rep_host_t *h)
{
    size_t i;
    if (h->nVerdict < 2) return 0;
    for (i = 0; i < h->nVerdict; i++) {
        const rep_verdict_t *v = &h->aVerdict[i];
        if (rep_status(v->status) != VERDICT_UNKNOWN ||
            strcmp(rep_str(v->zEvidence), rep_str(h->aVerdict[0].zEvidence)) ||
            strcmp(rep_str(v->zAction), rep_str(h->aVerdict[0].zAction)))
            return 0;
    }
    return 1;
}

int rep_check_text(const rep_t *r, const rep_host_t *h, FILE *out)
{
    rep_out_t *o = malloc(sizeof *o);
    size_t i, aCnt[VERDICT_COUNT] = {0}, wId = 8;
    char zIso[24];
    int first, rc;

    if (!o) return KBS_ENOMEM;
    rep_out_init(o, out);
    rep_field(o, "Host", h->zHost);
    if (h->zDomain && h->zDomain[0]) rep_field(o, "Domain", h->zDomain);
    if (h->zMachineId && h->zMachineId[0]) rep_field(o, "Machine ID", h->zMachineId);
    rep_field(o, "OS", h->zOsDetail && h->zOsDetail[0] ? h->zOsDetail : rep_str(h->zOsName));
    rep_out_str(o, "            ");
    rep_text_put(o, h->zOsName && h->zOsName[0] ? h->zOsName : "Unknown OS", 200);
    rep_out_str(o, " (family ");
    rep_text_put(o, h->zOsFamily && h->zOsFamily[0] ? h->zOsFamily : "unknown", 40);
    rep_out_str(o, ")\nLast scan   ");
    if (!rep_iso_time(h->scanTime, zIso)) {
        rep_out_str(o, "scan date unknown");
    } else if (h->timeFromFile) {
        /* the file's date is no scan date: said the same whether the file is checked directly
         * or after collect */
        zIso[10] = ' ';
        zIso[19] = 0;
        rep_out_str(o, "scan date unknown (the input carries none; file dated ");
        rep_out_str(o, zIso);
        rep_out_str(o, " UTC)");
    } else {
        zIso[10] = ' ';
        zIso[19] = 0;
        rep_out_str(o, zIso);
        rep_out_str(o, " UTC");
        if (r->now && r->now >= h->scanTime) {
            int64_t age = r->now - h->scanTime;
            rep_out_str(o, ", ");
            if (age < 86400) {
                rep_out_u64(o, (uint64_t)(age / 3600));
                rep_out_str(o, " hours ago");
            } else {
                rep_out_u64(o, (uint64_t)(age / 86400));
                rep_out_str(o, age < 2 * 86400 ? " day ago" : " days ago");
            }
        } else if (r->now) {
            rep_out_str(o, ", in the future: check this machine's clock");
        }
    }
    if (h->stale) {
        rep_out_str(o, "  STALE: not seen for more than ");
        rep_out_u64(o, (uint64_t)(r->staleDays > 0 ? r->staleDays : 0));
        rep_out_str(o, " days, rescan it");
    }
    rep_out_ch(o, '\n');
    if (h->futureScanTime && rep_iso_time(h->futureScanTime, zIso)) {
        rep_out_str(o, "Ignored scan: dated ");
        zIso[10] = ' ';
        zIso[19] = 0;
        rep_out_str(o, zIso);
        rep_out_str(o, " UTC, later than it was collected: check this machine's clock\n");
    }
    if ((h->zOrigin && h->zOrigin[0]) || (h->zSourcePath && h->zSourcePath[0])) {
        rep_out_str(o, "Source      ");
        rep_text_put(o, h->zOrigin && h->zOrigin[0] ? h->zOrigin : "?", 40);
        if (h->zSourcePath && h->zSourcePath[0]) {
            rep_out_str(o, ": ");
            rep_text_put(o, h->zSourcePath, 1000);
        }
        rep_out_ch(o, '\n');
    }
    rep_out_str(o, "Hotfixes    ");
    rep_out_u64(o, h->nHotfix);
    rep_out_str(o, " listed\n\n");

    for (i = 0; i < h->nVerdict; i++) {
        size_t w = h->aVerdict[i].rule ? rep_text_put(NULL, h->aVerdict[i].rule->zId, 40) : 1;
        if (w > wId) wId = w;
    }
    if (!h->nVerdict) rep_out_str(o, "No rule applies to this machine's data.\n");
    if (rep_check_same(h)) {
        /* one reason for every rule (a hotfix list without OS facts): said once */
        aCnt[rep_status(h->aVerdict[0].status)] += h->nVerdict;
        rep_out_u64(o, h->nVerdict);
        rep_out_str(o, " rules ");
        rep_check_status(o, &h->aVerdict[0]);
        rep_out_str(o, h->stale ? " (STALE SCAN):" : ":");
        for (i = 0; i < h->nVerdict; i++) {
            rep_out_str(o, i ? ", " : " ");
            rep_text_put(o, h->aVerdict[i].rule ? h->aVerdict[i].rule->zId : "?", 40);
        }
        rep_check_why(o, &h->aVerdict[0]);
    }
    for (i = 0; i < h->nVerdict && !rep_check_same(h); i++) {
        const rep_verdict_t *v = &h->aVerdict[i];
        size_t k;
        aCnt[rep_status(v->status)]++;
        rep_cell(o, v->rule ? v->rule->zId : "?", 40, wId, 0);
        k = rep_check_status(o, v);
        if (h->stale) {
            /* A verdict from an old scan is not proof today: said where it is read. */
            rep_out_str(o, " (STALE SCAN)");
            k += 13;
        }
        if (v->rule && v->rule->zTitle[0]) {
            rep_out_pad(o, k < 14 ? 14 - k : 1);
            rep_text_put(o, v->rule->zTitle, 100);
        }
        rep_check_why(o, v);
    }

    if (!aCnt[VERDICT_MISSING] && !aCnt[VERDICT_UNPATCHABLE] && !aCnt[VERDICT_UNKNOWN] &&
        h->nVerdict) {
        rep_out_str(o, "\nResult: COMPLIANT");
        if (aCnt[VERDICT_MITIGATED]) {
            /* Not a failure (exit 0 unless --strict), but the fix is still owed. */
            rep_out_str(o, " (");
            rep_out_u64(o, aCnt[VERDICT_MITIGATED]);
            rep_out_str(o, " mitigated: a workaround protects until the fix is installed)");
        }
        rep_out_ch(o, '\n');
    } else {
        rep_out_str(o, "\nResult: ACTION NEEDED (");
        for (i = 0, first = 1; i < 3; i++) {
            verdict_status_t st = rep_aStatusOrder[i];
            if (!aCnt[st]) continue;
            if (!first) rep_out_str(o, ", ");
            rep_out_u64(o, aCnt[st]);
            rep_out_ch(o, ' ');
            rep_out_str(o, rep_status_key(st));
            first = 0;
        }
        if (first) rep_out_str(o, "no verdicts");
        rep_out_str(o, ")\n");
    }
    rc = rep_out_finish(o);
    free(o);
    return rc;
}
