/* db_trend.c: each rule's history from the stored scans: hosts by verdict at the end of each day. */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "kbs_err.h"
#include "merge.h"

/* The UTC day number of Unix time t (floor, also before 1970). */
static int64_t db_day(int64_t t)
{
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

void db_trend_free(rep_trend_t *aTrend, size_t nTrend)
{
    size_t i;
    if (!aTrend) return;
    for (i = 0; i < nTrend; i++)
        free(aTrend[i].aDay);
    free(aTrend);
}

/* Hotfix lists read once: managed fleets share a few dozen among tens of thousands of scans, and
 * parsing a list for every scan was most of the replay's time. Open addressing by set id. */
typedef struct db_trend_list {
    int64_t setId;              /* 0: free slot */
    int64_t dsetId;             /* its install dates (0: none): a list is kept per pair */
    snap_hotfix_t *a;
    size_t n;
} db_trend_list_t;

typedef struct db_trend_lists {
    db_trend_list_t *a;
    size_t nSlot, nUsed;        /* nSlot a power of two, or 0 */
} db_trend_lists_t;

static void db_trend_lists_free(db_trend_lists_t *c)
{
    size_t i;
    for (i = 0; i < c->nSlot; i++)
        free(c->a[i].a);
    free(c->a);
    memset(c, 0, sizeof *c);
}

static db_trend_list_t *db_trend_list_slot(db_trend_lists_t *c, int64_t setId, int64_t dsetId)
{
    uint64_t k = (uint64_t)setId * 0x9E3779B97F4A7C15ull ^ (uint64_t)dsetId * 0xC2B2AE3D27D4EB4Full;
    size_t i = (size_t)(k >> 20) & (c->nSlot - 1);
    while (c->a[i].setId && (c->a[i].setId != setId || c->a[i].dsetId != dsetId))
        i = (i + 1) & (c->nSlot - 1);
    return &c->a[i];
}

/* s's hotfixes from the list setId with the dates dsetId: copied from the cache, else read and
 * remembered. */
static int db_trend_fill(db_t *db, db_trend_lists_t *c, int64_t setId, int64_t dsetId, snap_t *s)
{
    db_trend_list_t *e;
    size_t nCap;
    int rc;
    if (c->nUsed * 2 >= c->nSlot) {
        db_trend_lists_t g;
        size_t i;
        g.nSlot = c->nSlot ? c->nSlot * 2 : 64;
        g.nUsed = c->nUsed;
        if (!(g.a = calloc(g.nSlot, sizeof *g.a))) return KBS_ENOMEM;
        for (i = 0; i < c->nSlot; i++)
            if (c->a[i].setId) *db_trend_list_slot(&g, c->a[i].setId, c->a[i].dsetId) = c->a[i];
        free(c->a);
        *c = g;
    }
    e = db_trend_list_slot(c, setId, dsetId);
    if (!e->setId) {
        if ((rc = db_set_fill(db, setId, dsetId, s))) return rc;
        if (s->nHotfix && !(e->a = malloc(s->nHotfix * sizeof *e->a))) return KBS_ENOMEM;
        if (s->nHotfix) memcpy(e->a, s->aHotfix, s->nHotfix * sizeof *e->a);
        e->n = s->nHotfix;
        e->setId = setId;
        e->dsetId = dsetId;
        c->nUsed++;
        return KBS_OK;
    }
    /* snap.c infers an array's capacity from its count (8, then powers of two) */
    free(s->aHotfix);
    s->aHotfix = NULL;
    s->nHotfix = 0;
    if (!e->n) return KBS_OK;
    for (nCap = 8; nCap < e->n; nCap *= 2) {
    }
    if (!(s->aHotfix = calloc(nCap, sizeof *s->aHotfix))) return KBS_ENOMEM;
    memcpy(s->aHotfix, e->a, e->n * sizeof *e->a);
    s->nHotfix = e->n;
    return KBS_OK;
}

/* One scan with its hotfixes (through the cache). */
static int db_trend_scan(db_t *db, db_trend_lists_t *c, int64_t scanId, snap_t *s)
{
    int64_t setId = 0, dsetId = 0;
    int rc = db_scan_load_row(db, scanId, s, NULL, &setId, &dsetId);
    if (rc) return rc;
    if ((rc = db_trend_fill(db, c, setId, dsetId, s))) snap_release(s);
    return rc;
}

/* The state of a host as its scans up to now give it: the newest scan with OS facts (osId),
 * joined with a newer hotfix list without them (listId); either may be 0. */
static int db_trend_state(db_t *db, db_trend_lists_t *c, int64_t osId, int64_t listId, snap_t *s)
{
    snap_t other;
    int rc;
    if ((rc = db_trend_scan(db, c, osId ? osId : listId, s))) return rc;
    if (!osId || !listId) return KBS_OK;
    if ((rc = db_trend_scan(db, c, listId, &other))) {
        snap_release(s);
        return rc;
    }
    rc = merge_into(s, &other);
    snap_release(&other);
    if (rc == KBS_ETOOBIG) rc = KBS_OK; /* judged on what fits, as the stored state is */
    if (rc) snap_release(s);
    return rc;
}

/* The first day of the trend: since's day, else the first stored scan's. */
static int db_trend_first_day(db_t *db, int64_t since, int64_t *pDay)
{
    sqlite3_stmt *st = NULL;
    int rc = KBS_EDB;
    if (since) {
        *pDay = db_day(since);
        return KBS_OK;
    }
    if (sqlite3_prepare_v2(db->h,
                           "SELECT min(scan_time) FROM scan WHERE scan_time <= collected_at + "
                           DB_FUTURE_SLACK,
                           -1, &st, NULL))
        goto out;
    if (sqlite3_step(st) != SQLITE_ROW) goto out;
    *pDay = db_day(sqlite3_column_int64(st, 0));
    rc = KBS_OK;
out:
    sqlite3_finalize(st);
    return rc;
}

int db_trend_load(db_t *db, const char *zRule, int64_t since, int64_t until,
                  rep_trend_t **paTrend, size_t *pnTrend)
{
    const cat_t *c = db->cat;
    const cat_rule_t *aRule;
    sqlite3_stmt *st = NULL;
    rep_trend_t *aT = NULL;
    long (*aDiff)[VERDICT_COUNT] = NULL; /* [rule * (nDay + 1) + d]: changes on day d */
    int *aPrev = NULL;                    /* [rule]: the host's status so far, -1 none */
    db_trend_lists_t lists;
    verdict_t v;
    int64_t day0 = 0, dayEnd = db_day(until), hostId = -1, osId = 0, listId = 0;
    size_t nRule, nDay, i, d, k;
    int rc = KBS_ENOMEM, r;

    *paTrend = NULL;
    *pnTrend = 0;
    memset(&lists, 0, sizeof lists);
    if (!c) return KBS_EINVAL;
    if (zRule) {
        if (!(aRule = cat_find_rule(c, zRule))) return KBS_ENOTFOUND;
        nRule = 1;
    } else {
        aRule = c->aRule;
        nRule = c->nRule;
    }
    if ((rc = db_trend_first_day(db, since, &day0))) return rc;
    if (day0 > dayEnd) day0 = dayEnd;
    if (dayEnd - day0 >= DB_TREND_DAYS_MAX) day0 = dayEnd - DB_TREND_DAYS_MAX + 1;
    nDay = (size_t)(dayEnd - day0 + 1);

    rc = KBS_ENOMEM;
    aT = calloc(nRule ? nRule : 1, sizeof *aT);
    aDiff = calloc((nRule ? nRule : 1) * (nDay + 1), sizeof *aDiff);
    aPrev = malloc((nRule ? nRule : 1) * sizeof *aPrev);
    if (!aT || !aDiff || !aPrev) goto out;
    for (k = 0; k < nRule; k++) {
        aT[k].rule = &aRule[k];
        aT[k].day0 = day0 * 86400;
        aT[k].nDay = nDay;
        if (!(aT[k].aDay = calloc(nDay, sizeof *aT[k].aDay))) goto out;
    }

    rc = KBS_EDB;
    if (sqlite3_prepare_v2(db->h,
                           "SELECT s.id, s.host_id, s.scan_time, s.os_known FROM scan s"
                           " JOIN host h ON h.id = s.host_id AND h.cur_scan_id IS NOT NULL"
                           " WHERE s.scan_time <= ?1 AND s.scan_time <= s.collected_at + "
                           DB_FUTURE_SLACK " ORDER BY s.host_id, s.scan_time, s.id",
                           -1, &st, NULL))
        goto out;
    sqlite3_bind_int64(st, 1, until);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), hid = sqlite3_column_int64(st, 1);
        int64_t day = db_day(sqlite3_column_int64(st, 2)) - day0;
        snap_t s;
        if (hid != hostId) {
            hostId = hid;
            osId = listId = 0;
            for (k = 0; k < nRule; k++)
                aPrev[k] = -1;
        }
        if (sqlite3_column_int(st, 3)) {
            osId = id;
            listId = 0;
        } else {
            listId = id;
        }
        if ((rc = db_trend_state(db, &lists, osId, listId, &s))) goto out;
        d = day < 0 ? 0 : (size_t)day; /* before the first day: part of how it started */
        for (k = 0; k < nRule; k++) {
            int now;
            verdict_eval_rule(&aRule[k], &s, &v);
            now = (unsigned)v.status < VERDICT_COUNT ? (int)v.status : (int)VERDICT_UNKNOWN;
            if (now == aPrev[k]) continue;
            if (aPrev[k] >= 0) aDiff[k * (nDay + 1) + d][aPrev[k]]--;
            aDiff[k * (nDay + 1) + d][now]++;
            aPrev[k] = now;
        }
        snap_release(&s);
        rc = KBS_EDB;
    }
    if (r != SQLITE_DONE) goto out;
    for (k = 0; k < nRule; k++) {
        long aRun[VERDICT_COUNT] = {0};
        for (d = 0; d < nDay; d++)
            for (i = 0; i < VERDICT_COUNT; i++) {
                aRun[i] += aDiff[k * (nDay + 1) + d][i];
                aT[k].aDay[d][i] = aRun[i] > 0 ? (size_t)aRun[i] : 0;
            }
    }
    *paTrend = aT;
    *pnTrend = nRule;
    aT = NULL;
    rc = KBS_OK;
out:
    sqlite3_finalize(st);
    db_trend_free(aT, nRule);
    db_trend_lists_free(&lists);
    free(aDiff);
    free(aPrev);
    return rc;
}
