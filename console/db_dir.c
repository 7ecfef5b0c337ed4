/* db_dir.c: the directory's computer accounts in the database: dated syncs, accounts marked gone,
 * and their join to the reported hosts (coverage, rows for machines that never reported). */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "hostid.h"
#include "kbs_err.h"

static void db_dir_upper(const char *z, char *zOut, size_t nOut)
{
    size_t i;
    for (i = 0; z[i] && i + 1 < nOut; i++)
        zOut[i] = (char)(z[i] >= 'a' && z[i] <= 'z' ? z[i] - 32 : z[i]);
    zOut[i] = 0;
}

static int db_dir_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'a' && x <= 'z') x -= 32;
        if (y >= 'a' && y <= 'z') y -= 32;
        if (x != y || !x) return x - y;
    }
}

/* kbs_dn_under(dn, base): adc_dn_under for SQL (the scope of an LDAP sync). */
static void db_dir_sql_under(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *zDn = (const char *)sqlite3_value_text(argv[0]);
    const char *zBase = (const char *)sqlite3_value_text(argv[1]);
    (void)argc;
    sqlite3_result_int(ctx, zDn && zBase && adc_dn_under(zDn, zBase));
}

static int db_dir_step_done(sqlite3_stmt *st)
{
    int r = sqlite3_step(st);
    return r == SQLITE_DONE || r == SQLITE_ROW ? KBS_OK : KBS_EDB;
}

int db_dir_begin(db_t *db, const char *zSource, const char *zScope, int64_t now, int64_t *pSyncId)
{
    sqlite3_stmt *st = NULL;
    int rc = KBS_EDB;
    if (sqlite3_create_function(db->h, "kbs_dn_under", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                db_dir_sql_under, NULL, NULL) != SQLITE_OK)
        return KBS_EDB;
    if (db_begin(db)) return KBS_EDB;
    if (sqlite3_prepare_v2(db->h, "INSERT INTO dir_sync(synced_at, source, scope) VALUES(?1, ?2, ?3)",
                           -1, &st, NULL))
        goto out;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, zSource, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, zScope, -1, SQLITE_STATIC);
    if (db_dir_step_done(st)) goto out;
    *pSyncId = sqlite3_last_insert_rowid(db->h);
    rc = KBS_OK;
out:
    sqlite3_finalize(st);
    if (rc) db_rollback(db);
    return rc;
}

int db_dir_put(db_t *db, int64_t syncId, const adc_t *a, const char *zNetbios)
{
    static const char zSql[] =
        "INSERT INTO dir_computer(name, name_key, domain, netbios, dns_name, dn, ou, os, os_sp,"
        " os_version, enabled, last_logon, pwd_last_set, when_created, first_sync_id, last_sync_id)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)"
        " ON CONFLICT(name_key, domain) DO UPDATE SET name = ?1, netbios = ?4, dns_name = ?5,"
        " dn = ?6, ou = ?7, os = ?8, os_sp = ?9, os_version = ?10, enabled = ?11, last_logon = ?12,"
        " pwd_last_set = ?13, when_created = ?14, last_sync_id = ?15, gone_sync_id = NULL";
    sqlite3_stmt *st = db->stDirPut;
    char zKey[ADC_NAME_MAX], zNb[ADC_NAME_MAX];
    /* prepared once: a sync stores up to 100,000 accounts */
    if (!st && sqlite3_prepare_v2(db->h, zSql, -1, &db->stDirPut, NULL)) return KBS_EDB;
    st = db->stDirPut;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    db_dir_upper(a->zName, zKey, sizeof zKey);
    if (zNetbios && zNetbios[0]) db_dir_upper(zNetbios, zNb, sizeof zNb);
    else if (a->zNetbios[0]) db_dir_upper(a->zNetbios, zNb, sizeof zNb);
    else adc_netbios_default(a->zDomain, zNb, sizeof zNb);
    sqlite3_bind_text(st, 1, a->zName, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, zKey, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->zDomain, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, zNb, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, a->zDnsName, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, a->zDn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, adc_dn_parent(a->zDn), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, a->zOs, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, a->zOsSp, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, a->zOsVer, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, a->enabled);
    sqlite3_bind_int64(st, 12, a->lastLogon);
    sqlite3_bind_int64(st, 13, a->pwdLastSet);
    sqlite3_bind_int64(st, 14, a->whenCreated);
    sqlite3_bind_int64(st, 15, syncId);
    return db_dir_step_done(st);
}

int db_dir_scope(db_t *db, int64_t syncId, const char *zScope)
{
    sqlite3_stmt *st = NULL;
    int rc = KBS_EDB;
    if (sqlite3_prepare_v2(db->h, "UPDATE dir_sync SET scope = ?2 WHERE id = ?1", -1, &st, NULL)) goto out;
    sqlite3_bind_int64(st, 1, syncId);
    sqlite3_bind_text(st, 2, zScope, -1, SQLITE_STATIC);
    rc = db_dir_step_done(st);
out:
    sqlite3_finalize(st);
    return rc;
}

static int db_dir_count(db_t *db, const char *zSql, int64_t syncId, int64_t *pN)
{
    sqlite3_stmt *st = NULL;
    int rc = KBS_EDB;
    if (sqlite3_prepare_v2(db->h, zSql, -1, &st, NULL)) goto out;
    sqlite3_bind_int64(st, 1, syncId);
    if (sqlite3_step(st) != SQLITE_ROW) goto out;
    *pN = sqlite3_column_int64(st, 0);
    rc = KBS_OK;
out:
    sqlite3_finalize(st);
    return rc;
}

/* The accounts of the sync's scope: under its base DN, or (files) in the domains it returned. */
#define DB_DIR_SCOPE                                                                               \
    " gone_sync_id IS NULL AND last_sync_id <> ?1 AND (CASE (SELECT scope FROM dir_sync WHERE"      \
    " id = ?1) WHEN '' THEN domain IN (SELECT domain FROM dir_computer WHERE last_sync_id = ?1)"    \
    " ELSE kbs_dn_under(dn, (SELECT scope FROM dir_sync WHERE id = ?1)) END)"

int db_dir_end(db_t *db, int64_t syncId, int bReplace, db_dir_res_t *pRes)
{
    sqlite3_stmt *st = NULL;
    int64_t nMissing = 0;
    int rc = KBS_EDB;
    memset(pRes, 0, sizeof *pRes);
    if (db_dir_count(db, "SELECT count(*) FROM dir_computer WHERE last_sync_id = ?1", syncId,
                     &pRes->nSeen) ||
        db_dir_count(db, "SELECT count(*) FROM dir_computer WHERE first_sync_id = ?1", syncId,
                     &pRes->nNew) ||
        db_dir_count(db, "SELECT count(*) FROM dir_computer WHERE" DB_DIR_SCOPE, syncId, &nMissing))
        goto out;
    /* Fewer than half of what the scope held: a wrong base DN or a filtered export, not half the
     * fleet thrown away; --replace says it is meant. */
    if (nMissing > pRes->nSeen && !bReplace) {
        pRes->nKept = nMissing;
    } else if (nMissing) {
        if (sqlite3_prepare_v2(db->h, "UPDATE dir_computer SET gone_sync_id = ?1 WHERE" DB_DIR_SCOPE,
                               -1, &st, NULL))
            goto out;
        sqlite3_bind_int64(st, 1, syncId);
        if (db_dir_step_done(st)) goto out;
        pRes->nGone = sqlite3_changes(db->h);
        sqlite3_finalize(st);
        st = NULL;
    }
    if (sqlite3_prepare_v2(db->h, "UPDATE dir_sync SET n_computer = ?2, n_gone = ?3, n_kept = ?4"
                                  " WHERE id = ?1",
                           -1, &st, NULL))
        goto out;
    sqlite3_bind_int64(st, 1, syncId);
    sqlite3_bind_int64(st, 2, pRes->nSeen);
    sqlite3_bind_int64(st, 3, pRes->nGone);
    sqlite3_bind_int64(st, 4, pRes->nKept);
    rc = db_dir_step_done(st);
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- the join, for reports ---- */

/* One account of the directory, as a report needs it (strings in the report's arena). */
typedef struct db_dacc {
    const char *zName, *zKey, *zDomain, *zNetbios, *zDn, *zOu, *zOs, *zOsSp, *zOsVer;
    int enabled;
    int64_t lastLogon, whenCreated;
    int bJoined;
    int64_t newestScan;          /* the newest scan of the hosts joined to it */
} db_dacc_t;

static int db_dacc_cmp_key(const char *zKey, const db_dacc_t *d)
{
    return strcmp(zKey, d->zKey);
}

/* The role a directory account has by its OS name and container: domain controllers live in
 * "OU=Domain Controllers" unless moved (the directory says no more). */
static int db_dacc_role(const db_dacc_t *d)
{
    if (!strncmp(d->zOu, "OU=Domain Controllers,", 22)) return OS_PT_DC;
    return strstr(d->zOs, "Server") ? OS_PT_SERVER : OS_PT_WORKSTATION;
}

static void db_dacc_dir(const db_dacc_t *d, rep_dir_t *pDir, void **ppArena)
{
    char z[320];
    pDir->inDir = 1;
    pDir->enabled = d->enabled;
    pDir->zDomain = d->zDomain;
    pDir->zOu = d->zOu;
    pDir->zDn = d->zDn;
    snprintf(z, sizeof z, "%.120s%s%.60s%s%.60s", d->zOs, d->zOsSp[0] ? " " : "", d->zOsSp,
             d->zOsVer[0] ? " " : "", d->zOsVer);
    pDir->zDirOs = db_arena_str(ppArena, z);
    if (!pDir->zDirOs) pDir->zDirOs = "";
    pDir->whenCreated = d->whenCreated;
    pDir->lastLogon = d->lastLogon;
}

/* Loads the accounts in the directory now, sorted by name key; *pSync gets the last sync's time. */
static int db_dir_load(db_t *db, db_report_t *pR, db_dacc_t **paD, size_t *pnD, int64_t *pSync)
{
    sqlite3_stmt *st = NULL;
    db_dacc_t *a = NULL;
    size_t n = 0, nAlloc = 0;
    int rc = KBS_EDB, r;
    *pSync = 0;
    if (sqlite3_prepare_v2(db->h, "SELECT max(synced_at) FROM dir_sync", -1, &st, NULL) ||
        sqlite3_step(st) != SQLITE_ROW)
        goto out;
    *pSync = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    /* whenCreated unknown: the first sync that saw it is a date it was in the directory by */
    if (sqlite3_prepare_v2(db->h,
                           "SELECT name, name_key, domain, netbios, dn, ou, os, os_sp, os_version,"
                           " enabled, last_logon, CASE when_created WHEN 0 THEN (SELECT synced_at"
                           " FROM dir_sync WHERE id = first_sync_id) ELSE when_created END"
                           " FROM dir_computer WHERE gone_sync_id IS NULL ORDER BY name_key",
                           -1, &st, NULL))
        goto out;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        db_dacc_t *d;
        void **pp = &pR->pArena;
        if (n == nAlloc) {
            size_t nNew = nAlloc ? nAlloc * 2 : 256;
            db_dacc_t *aNew = realloc(a, nNew * sizeof *aNew);
            if (!aNew) {
                rc = KBS_ENOMEM;
                goto out;
            }
            a = aNew;
            nAlloc = nNew;
        }
        d = &a[n];
        memset(d, 0, sizeof *d);
        d->zName = db_arena_str(pp, (const char *)sqlite3_column_text(st, 0));
        d->zKey = db_arena_str(pp, (const char *)sqlite3_column_text(st, 1));
        d->zDomain = db_arena_str(pp, (const char *)sqlite3_column_text(st, 2));
        d->zNetbios = db_arena_str(pp, (const char *)sqlite3_column_text(st, 3));
        d->zDn = db_arena_str(pp, (const char *)sqlite3_column_text(st, 4));
        d->zOu = db_arena_str(pp, (const char *)sqlite3_column_text(st, 5));
        d->zOs = db_arena_str(pp, (const char *)sqlite3_column_text(st, 6));
        d->zOsSp = db_arena_str(pp, (const char *)sqlite3_column_text(st, 7));
        d->zOsVer = db_arena_str(pp, (const char *)sqlite3_column_text(st, 8));
        d->enabled = sqlite3_column_int(st, 9);
        d->lastLogon = sqlite3_column_int64(st, 10);
        d->whenCreated = sqlite3_column_int64(st, 11);
        if (!d->zName || !d->zKey || !d->zDomain || !d->zNetbios || !d->zDn || !d->zOu || !d->zOs ||
            !d->zOsSp || !d->zOsVer) {
            rc = KBS_ENOMEM;
            goto out;
        }
        n++;
    }
    if (r != SQLITE_DONE) goto out;
    rc = KBS_OK;
out:
    sqlite3_finalize(st);
    if (rc) {
        free(a);
        a = NULL;
        n = 0;
    }
    *paD = a;
    *pnD = n;
    return rc;
}

/* The index of the account host h is, or HOSTID_NONE. */
static size_t db_dir_join(const db_dacc_t *aD, size_t nD, const rep_host_t *h)
{
    char zKey[ADC_NAME_MAX];
    hostid_dir_t aCand[16];
    size_t lo = 0, hi = nD, i, n, iPick;
    db_dir_upper(h->zHost, zKey, sizeof zKey);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (db_dacc_cmp_key(zKey, &aD[mid]) > 0) lo = mid + 1;
        else hi = mid;
    }
    for (n = 0; lo + n < nD && !strcmp(aD[lo + n].zKey, zKey); n++) {
    }
    if (!n) return HOSTID_NONE;
    /* a name in more than 16 domains: nothing sensible to join by */
    if (n > sizeof aCand / sizeof aCand[0]) return HOSTID_NONE;
    for (i = 0; i < n; i++) {
        aCand[i].zDomain = aD[lo + i].zDomain;
        aCand[i].zNetbios = aD[lo + i].zNetbios;
    }
    iPick = hostid_dir_choose(h->zDomain, aCand, n);
    return iPick == HOSTID_NONE ? HOSTID_NONE : lo + iPick;
}

/* Whether the --host filter names the account: its name, or NAME.DOMAIN. */
static int db_dir_host_match(const db_dacc_t *d, const char *zHost)
{
    char z[2 * ADC_NAME_MAX + 2];
    if (!db_dir_casecmp(d->zName, zHost)) return 1;
    snprintf(z, sizeof z, "%s.%s", d->zName, d->zDomain);
    return !db_dir_casecmp(z, zHost);
}

/* Adds the row of account d (never reported) to the report: verdicts from its OS strings alone. */
static int db_dir_silent_row(db_t *db, db_report_t *pR, const db_dacc_t *d, rep_host_t *h,
                             rep_verdict_t *aV)
{
    const cat_t *c = db->cat;
    size_t iRule0 = (size_t)(pR->catView.aRule - c->aRule), k;
    adc_t *a = NULL;
    os_ident_t id;
    int n, rc = KBS_ENOMEM;
    void **pp = &pR->pArena;

    if (!(a = calloc(1, sizeof *a))) goto out;
    snprintf(a->zName, sizeof a->zName, "%s", d->zName);
    snprintf(a->zDomain, sizeof a->zDomain, "%s", d->zDomain);
    snprintf(a->zOs, sizeof a->zOs, "%s", d->zOs);
    snprintf(a->zOsSp, sizeof a->zOsSp, "%s", d->zOsSp);
    snprintf(a->zOsVer, sizeof a->zOsVer, "%s", d->zOsVer);
    a->enabled = d->enabled;
    a->lastLogon = d->lastLogon;
    a->whenCreated = d->whenCreated;
    memset(h, 0, sizeof *h);
    memset(&id, 0, sizeof id);
    {
        os_info_t os;
        if (adc_os_info(a, &os)) os_identify(&os, &id);
        else snprintf(id.zName, sizeof id.zName, "Unknown OS");
    }
    h->zHost = d->zName;
    h->zDomain = d->zDomain;
    h->zMachineId = "";
    h->zOsName = db_arena_str(pp, id.zName);
    h->zOsFamily = os_family_key(id.family);
    h->zOrigin = "directory";
    h->zSourcePath = "";
    db_dacc_dir(d, &h->dir, pp);
    h->dir.silent = 1;
    h->zOsDetail = h->dir.zDirOs;
    if (!h->zOsName) goto out;
    if ((n = adc_eval(c, a, db->aVerdict, c->nRule)) < 0) {
        rc = n;
        goto out;
    }
    h->aVerdict = aV;
    h->nVerdict = pR->catView.nRule;
    for (k = 0; k < h->nVerdict; k++) {
        const verdict_t *v = &db->aVerdict[iRule0 + k];
        aV[k].rule = &pR->catView.aRule[k];
        aV[k].status = v->status;
        aV[k].zEvidence = db_arena_str(pp, v->zEvidence);
        aV[k].zAction = db_arena_str(pp, v->zAction);
        if (!aV[k].zEvidence || !aV[k].zAction) goto out;
    }
    rc = KBS_OK;
out:
    free(a);
    return rc;
}

int db_dir_apply(db_t *db, const db_filter_t *pF, db_report_t *pR, size_t *pnHost)
{
    db_dacc_t *aD = NULL;
    size_t nD = 0, i, j, nHost = *pnHost, nSilent = 0, nRule = pR->catView.nRule, *aJoin = NULL;
    int64_t syncTime = 0, staleBefore = pF->now - (int64_t)pF->staleDays * 86400;
    rep_cov_t *cov = &pR->rep.cov;
    int rc;

    memset(cov, 0, sizeof *cov);
    if (pF->bNoDir) return KBS_OK;
    if ((rc = db_dir_load(db, pR, &aD, &nD, &syncTime))) goto out;
    if (!syncTime) goto out; /* no directory: reports as before */
    cov->bDir = 1;
    cov->syncTime = syncTime;
    cov->zOu = pF->zOu;
    rc = KBS_ENOMEM;
    if (nHost && !(aJoin = malloc(nHost * sizeof *aJoin))) goto out;
    for (i = 0; i < nHost; i++) {
        rep_host_t *h = &pR->aHost[i];
        aJoin[i] = db_dir_join(aD, nD, h);
        memset(&h->dir, 0, sizeof h->dir);
        h->dir.enabled = -1;
        if (aJoin[i] == HOSTID_NONE) continue;
        db_dacc_dir(&aD[aJoin[i]], &h->dir, &pR->pArena);
        aD[aJoin[i]].bJoined = 1;
        if (h->scanTime > aD[aJoin[i]].newestScan) aD[aJoin[i]].newestScan = h->scanTime;
    }
    /* Coverage of the accounts under --ou; the rows to add. */
    for (j = 0; j < nD; j++) {
        const db_dacc_t *d = &aD[j];
        if (pF->zOu && !adc_dn_under(d->zDn, pF->zOu)) continue;
        cov->nInDir++;
        if (d->enabled == 0) cov->nDisabled++;
        if (d->bJoined) {
            cov->nReporting++;
            if (pF->staleDays > 0 && d->newestScan < staleBefore) cov->nStale++;
        } else if (d->enabled != 0) {
            cov->nNever++;
            if ((!pF->zHost || db_dir_host_match(d, pF->zHost)) &&
                (pF->role <= 0 || db_dacc_role(d) == pF->role))
                nSilent++;
        }
    }
    /* Hosts outside --ou (or in no account at all under it) leave the report. */
    for (i = j = 0; i < nHost; i++) {
        rep_host_t *h = &pR->aHost[i];
        if (aJoin[i] == HOSTID_NONE) {
            if (!pF->zOu) cov->nNotInDir++;
            else continue;
        } else if (pF->zOu && !adc_dn_under(h->dir.zDn, pF->zOu)) {
            continue;
        }
        pR->aHost[j++] = *h;
    }
    nHost = j;
    if (nSilent) {
        rep_host_t *aNew = realloc(pR->aHost, (nHost + nSilent) * sizeof *aNew);
        if (!aNew) goto out;
        pR->aHost = aNew;
        if (nRule && !(pR->aDirVerdict = calloc(nSilent * nRule, sizeof *pR->aDirVerdict))) goto out;
        for (j = 0, i = 0; j < nD; j++) {
            const db_dacc_t *d = &aD[j];
            if (d->bJoined || d->enabled == 0 || (pF->zOu && !adc_dn_under(d->zDn, pF->zOu)) ||
                (pF->zHost && !db_dir_host_match(d, pF->zHost)) ||
                (pF->role > 0 && db_dacc_role(d) != pF->role))
                continue;
            if ((rc = db_dir_silent_row(db, pR, d, &pR->aHost[nHost], pR->aDirVerdict + i * nRule)))
                goto out;
            nHost++, i++;
        }
    }
    *pnHost = nHost;
    rc = KBS_OK;
out:
    free(aD);
    free(aJoin);
    return rc;
}
