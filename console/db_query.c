/* db_query.c: reading reports out of the database: hosts with their verdicts, filtered and sorted. */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "kbs_err.h"

/* Strings of a report live in big chunks freed at once: a fleet report holds ~300,000. */
typedef struct db_chunk {
    struct db_chunk *pNext;
    size_t n, cap;
    char a[1];
} db_chunk_t;

#define DB_CHUNK_SIZE ((size_t)1 << 20)

const char *db_arena_str(void **ppArena, const char *z)
{
    db_chunk_t *c = *ppArena;
    size_t n = strlen(z ? z : "") + 1;
    char *p;
    if (!c || c->n + n > c->cap) {
        size_t cap = n > DB_CHUNK_SIZE ? n : DB_CHUNK_SIZE;
        db_chunk_t *cNew = malloc(sizeof *cNew + cap);
        if (!cNew) return NULL;
        cNew->pNext = c;
        cNew->n = 0;
        cNew->cap = cap;
        *ppArena = c = cNew;
    }
    p = c->a + c->n;
    memcpy(p, z ? z : "", n);
    c->n += n;
    return p;
}

static void db_arena_free(void *pArena)
{
    db_chunk_t *c = pArena;
    while (c) {
        db_chunk_t *pNext = c->pNext;
        free(c);
        c = pNext;
    }
}

static int db_ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'a' && x <= 'z') x -= 32;
        if (y >= 'a' && y <= 'z') y -= 32;
        if (x != y || !x) return x - y;
    }
}

static int db_cmp_host(const void *pa, const void *pb)
{
    const rep_host_t *a = pa, *b = pb;
    int c = db_ascii_casecmp(a->zHost, b->zHost);
    if (!c) c = db_ascii_casecmp(a->zDomain, b->zDomain);
    if (!c) c = strcmp(a->zMachineId, b->zMachineId);
    return c;
}

void db_report_release(db_report_t *pR)
{
    db_arena_free(pR->pArena);
    free(pR->aHost);
    free(pR->aVerdict);
    free(pR->aDirVerdict);
    memset(pR, 0, sizeof *pR);
}

/* The verdicts of rules [iRule0, iRule0 + nRule) of db's view catalog for the hosts aHostId,
 * from each host's stored state (what recompute would store), into pR's slots. */
static int db_view_verdicts(db_t *db, db_report_t *pR, const int64_t *aHostId, size_t nHost,
                            size_t iRule0, size_t nRule)
{
    const cat_t *c = db->cat;
    size_t i, k;
    int rc = KBS_OK;
    for (i = 0; i < nHost && !rc; i++) {
        snap_t s;
        int n;
        if ((rc = db_state_load(db, aHostId[i], &s))) break;
        n = verdict_eval(c, &s, db->aVerdict, c->nRule);
        snap_release(&s);
        if (n < 0) return n;
        for (k = 0; k < nRule && iRule0 + k < (size_t)n; k++) {
            const verdict_t *v = &db->aVerdict[iRule0 + k];
            rep_verdict_t *o = &pR->aHost[i].aVerdict[k];
            o->status = v->status;
            o->zEvidence = db_arena_str(&pR->pArena, v->zEvidence);
            o->zAction = db_arena_str(&pR->pArena, v->zAction);
            if (!o->zEvidence || !o->zAction) return KBS_ENOMEM;
        }
    }
    return rc;
}

int db_report_load(db_t *db, const db_filter_t *pF, db_report_t *pR)
{
    sqlite3_stmt *st = NULL;
    const cat_t *c = db->cat;
    size_t nRule, nHost = 0, nAlloc = 0, i, j, k, iRule0 = 0;
    int64_t *aHostId = NULL;
    int rc = KBS_EDB, r;

    memset(pR, 0, sizeof *pR);
    if (!c) return KBS_EINVAL;
    pR->catView = *c;
    if (pF->zRule) {
        const cat_rule_t *rule = cat_find_rule(c, pF->zRule);
        if (!rule) return KBS_ENOTFOUND;
        iRule0 = (size_t)(rule - c->aRule);
        pR->catView.aRule = (cat_rule_t *)rule;
        pR->catView.nRule = 1;
    }
    nRule = pR->catView.nRule;

    if (sqlite3_prepare_v2(db->h,
                           "SELECT id, name, domain, coalesce(machine_id, ''), os_name, os_family,"
                           " os_detail, origin, source_path, last_scan, n_hotfix,"
                           " (SELECT max(s.scan_time) FROM scan s WHERE s.host_id = host.id AND"
                           " s.scan_time > s.collected_at + " DB_FUTURE_SLACK "),"
                           " (SELECT product_type FROM scan WHERE scan.id = host.os_scan_id),"
                           " (SELECT time_from_file FROM scan WHERE scan.id = host.cur_scan_id)"
                           " FROM host"
                           " WHERE cur_scan_id IS NOT NULL AND (?1 IS NULL OR name_key = upper(?1)"
                           " OR machine_id = ?1 OR name_key || '.' || upper(domain) = upper(?1))"
                           " AND (?2 IS NULL OR (SELECT product_type FROM scan"
                           "  WHERE scan.id = host.os_scan_id) = ?2 OR (?2 = 2 AND (SELECT"
                           "  product_type FROM scan WHERE scan.id = host.os_scan_id) = 0 AND"
                           "  os_family NOT IN ('xp', 'xp64', 'vista', '7', '8', '8.1', '10', '11')))"
                           " ORDER BY id",
                           -1, &st, NULL))
        goto out;
    if (pF->zHost) sqlite3_bind_text(st, 1, pF->zHost, -1, SQLITE_STATIC);
    if (pF->role > 0) sqlite3_bind_int(st, 2, pF->role);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rep_host_t *h;
        if (nHost == nAlloc) {
            size_t nNew = nAlloc ? nAlloc * 2 : 256;
            rep_host_t *a = realloc(pR->aHost, nNew * sizeof *a);
            int64_t *aId = realloc(aHostId, nNew * sizeof *aId);
            if (a) pR->aHost = a;
            if (aId) aHostId = aId;
            if (!a || !aId) { rc = KBS_ENOMEM; goto out; }
            nAlloc = nNew;
        }
        h = &pR->aHost[nHost];
        memset(h, 0, sizeof *h);
        aHostId[nHost] = sqlite3_column_int64(st, 0);
        h->zHost = db_arena_str(&pR->pArena, (const char *)sqlite3_column_text(st, 1));
        h->zDomain = db_arena_str(&pR->pArena, (const char *)sqlite3_column_text(st, 2));
        h->zMachineId = db_arena_str(&pR->pArena, (const char *)sqlite3_column_text(st, 3));
        h->zOsName = db_arena_str(&pR->pArena, (const char *)sqlite3_column_text(st, 4));
        h->zOsFamily = db_arena_str(&pR->pArena, (const char *)sqlite3_column_text(st, 5));
        h->zOsDetail = db_arena_str(&pR->pArena, (const char *)sqlite3_column_text(st, 6));
        h->zOrigin = db_arena_str(&pR->pArena, (const char *)sqlite3_column_text(st, 7));
        h->zSourcePath = db_arena_str(&pR->pArena, (const char *)sqlite3_column_text(st, 8));
        h->scanTime = sqlite3_column_int64(st, 9);
        h->nHotfix = (size_t)sqlite3_column_int64(st, 10);
        h->futureScanTime = sqlite3_column_int64(st, 11);
        /* OS facts without the role (systeminfo in a language whose wording is not known) */
        h->roleUnknown = sqlite3_column_type(st, 12) != SQLITE_NULL && sqlite3_column_int(st, 12) == 0;
        h->timeFromFile = sqlite3_column_int(st, 13);
        if (!h->zHost || !h->zDomain || !h->zMachineId || !h->zOsName || !h->zOsFamily ||
            !h->zOsDetail || !h->zOrigin || !h->zSourcePath) {
            rc = KBS_ENOMEM;
            goto out;
        }
        nHost++;
    }
    if (r != SQLITE_DONE) goto out;
    sqlite3_finalize(st);
    st = NULL;

    /* Every host gets one slot per rule in catalog order; a rule without a stored verdict
     * (never happens after db_use_catalog) reads as unknown. */
    if (nHost && nRule) {
        if (!(pR->aVerdict = calloc(nHost * nRule, sizeof *pR->aVerdict))) { rc = KBS_ENOMEM; goto out; }
        for (i = 0; i < nHost; i++) {
            pR->aHost[i].aVerdict = &pR->aVerdict[i * nRule];
            pR->aHost[i].nVerdict = nRule;
            for (k = 0; k < nRule; k++) {
                rep_verdict_t *v = &pR->aVerdict[i * nRule + k];
                v->rule = &pR->catView.aRule[k];
                v->status = VERDICT_UNKNOWN;
                v->zEvidence = "not evaluated";
                v->zAction = "";
            }
        }
    }
    if (db->bView) {
        /* A view through another catalog: each host's stored state evaluated here. */
        if ((rc = db_view_verdicts(db, pR, aHostId, nHost, iRule0, nRule))) goto out;
        goto filter;
    }
    rc = KBS_EDB;
    if (sqlite3_prepare_v2(db->h,
                           "SELECT host_id, rule_id, status, evidence, action FROM verdict"
                           " ORDER BY host_id",
                           -1, &st, NULL))
        goto out;
    i = 0;
    while (nHost && (r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t hid = sqlite3_column_int64(st, 0), rid = sqlite3_column_int64(st, 1);
        int status;
        rep_verdict_t *v;
        while (i < nHost && aHostId[i] < hid) i++;
        if (i == nHost) break;
        if (aHostId[i] != hid) continue;
        for (k = 0; k < nRule && db->aRuleId[iRule0 + k] != rid; k++) {
        }
        if (k == nRule) continue;
        v = &pR->aHost[i].aVerdict[k];
        status = verdict_status_from_name((const char *)sqlite3_column_text(st, 2));
        v->status = status < 0 ? VERDICT_UNKNOWN : (verdict_status_t)status;
        v->zEvidence = db_arena_str(&pR->pArena, (const char *)sqlite3_column_text(st, 3));
        v->zAction = db_arena_str(&pR->pArena, (const char *)sqlite3_column_text(st, 4));
        if (!v->zEvidence || !v->zAction) { rc = KBS_ENOMEM; goto out; }
    }
    sqlite3_finalize(st);
    st = NULL;

filter:
    if ((rc = db_dir_apply(db, pF, pR, &nHost))) goto out;
    /* Stale flags and filters, then name order. */
    for (i = j = 0; i < nHost; i++) {
        rep_host_t *h = &pR->aHost[i];
        int bKeep = 1;
        h->stale = pF->staleDays > 0 && h->scanTime < pF->now - (int64_t)pF->staleDays * 86400;
        if (pF->staleOnly && !h->stale) bKeep = 0;
        if (bKeep && (pF->status >= 0 || pF->statusMask)) {
            bKeep = 0;
            for (k = 0; k < h->nVerdict; k++)
                if ((int)h->aVerdict[k].status == pF->status ||
                    ((unsigned)h->aVerdict[k].status < 32 &&
                     (pF->statusMask >> (unsigned)h->aVerdict[k].status) & 1u))
                    bKeep = 1;
        }
        if (bKeep) pR->aHost[j++] = *h;
    }
    nHost = j;
    if (nHost > 1) qsort(pR->aHost, nHost, sizeof *pR->aHost, db_cmp_host);
    pR->rep.cat = &pR->catView;
    pR->rep.aHost = pR->aHost;
    pR->rep.nHost = nHost;
    pR->rep.now = pF->now;
    pR->rep.staleDays = pF->staleDays;
    pR->rep.zTitle = "kbsentry compliance report";
    rc = KBS_OK;
out:
    sqlite3_finalize(st);
    free(aHostId);
    if (rc) db_report_release(pR);
    return rc;
}
