/* db_ingest.c: storing one scan: host identity, shared hotfix sets, history and the current state. */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "hostid.h"
#include "kbs_err.h"
#include "merge.h"
#include "plat.h"

/* A QFE CSV and a systeminfo made by the same inventory run are minutes apart, in either order:
 * an OS-less scan this close before the newest scan still counts for the state. */
#define DB_MERGE_WINDOW 86400

static void db_upper(const char *z, char *zOut, size_t nOut)
{
    size_t i;
    for (i = 0; z[i] && i + 1 < nOut; i++)
        zOut[i] = (z[i] >= 'a' && z[i] <= 'z') ? (char)(z[i] - 32) : z[i];
    zOut[i] = 0;
}

/* ---- hotfix sets ---- */

/* Writes v in decimal at z (room for 20 digits and a sign) and returns the end. */
static char *db_put_num(char *z, long long v)
{
    char zDig[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        zDig[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *z++ = '-';
    while (n) *z++ = zDig[--n];
    return z;
}

/* The canonical text of s's hotfix list: one "raw TAB sources TAB cbs" line per entry in the
 * snapshot's own order (snap.c keeps it sorted by KB), so the same list on two hosts gives the
 * same text. Runs once per input file, so the buffer is sized once for the worst case: no printf,
 * no sort, no growth check per field. */
static int db_set_text(const snap_t *s, db_buf_t *b)
{
    /* Per entry at most: every raw byte escaped, two numbers with signs, three separators. */
    size_t i;
    char *z;
    b->n = 0;
    b->oom = 0;
    if (db_buf_reserve(b, s->nHotfix * (2 * SNAP_RAW_MAX + 2 * 21 + 3))) return KBS_ENOMEM;
    z = b->z;
    for (i = 0; i < s->nHotfix; i++) {
        const snap_hotfix_t *h = &s->aHotfix[i];
        z = db_esc_copy(z, h->zRaw, SNAP_RAW_MAX);
        *z++ = '\t';
        z = db_put_num(z, (long long)h->sources);
        *z++ = '\t';
        z = db_put_num(z, (long long)h->cbsState);
        *z++ = '\n';
    }
    *z = 0;
    b->n = (size_t)(z - b->z);
    return KBS_OK;
}

/* A new hotfix set's rows in hotfix_set_kb, for queries by KB. */
static int db_set_items(db_t *db, int64_t setId, const void *pCtx)
{
    const snap_t *s = pCtx;
    size_t i;
    for (i = 0; i < s->nHotfix; i++) {
        sqlite3_stmt *st = db_stmt(db, DB_ST_SETKB_INSERT);
        if (!st) return KBS_EDB;
        sqlite3_bind_int64(st, 1, setId);
        sqlite3_bind_text(st, 2, s->aHotfix[i].zRaw, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)s->aHotfix[i].kb.num);
        if (sqlite3_step(st) != SQLITE_DONE) return KBS_EDB;
    }
    return KBS_OK;
}

/* db_set_get: the id of the hotfix_set row holding s's list (canonical text pb, hash h),
 * inserting it when new. */
static int db_set_get(db_t *db, const snap_t *s, const db_buf_t *pb, uint64_t h, int64_t *pId)
{
    static const db_shared_t kSet = {DB_ST_SET_BY_HASH, DB_ST_SET_INSERT};
    return db_shared_get(db, &kSet, &db->setCache, pb, h, s->nHotfix, db_set_items, s, pId);
}

static int db_ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y || !x) return x - y;
    }
}

/* snap.c's order of aHotfix: KB number, then qualifier; non-KB entries first by raw text. */
static int db_cmp_snap_order(const void *pa, const void *pb)
{
    const snap_hotfix_t *a = pa, *b = pb;
    if (a->kb.num != b->kb.num) return a->kb.num < b->kb.num ? -1 : 1;
    if (!a->kb.num) return strcmp(a->zRaw, b->zRaw);
    return db_ascii_casecmp(a->kb.zQual, b->kb.zQual);
}

/* Fills s's hotfixes from a set's canonical text (entries are unique already), with the install
 * dates of date set dsetId (0: none). */
int db_set_fill(db_t *db, int64_t setId, int64_t dsetId, snap_t *s)
{
    sqlite3_stmt *st, *stDates = NULL;
    const char *z, *zDates = "";
    size_t n = 0, nLine = 0, nCap;
    if (dsetId) {
        if (!(stDates = db_stmt(db, DB_ST_DSET_LIST))) return KBS_EDB;
        sqlite3_bind_int64(stDates, 1, dsetId);
        if (sqlite3_step(stDates) != SQLITE_ROW || !(zDates = (const char *)sqlite3_column_text(stDates, 0)))
            return KBS_EDB;
    }
    if (!(st = db_stmt(db, DB_ST_SET_LIST))) return KBS_EDB;
    sqlite3_bind_int64(st, 1, setId);
    if (sqlite3_step(st) != SQLITE_ROW) return KBS_EDB;
    z = (const char *)sqlite3_column_text(st, 0);
    if (!z) return KBS_EDB;
    for (const char *p = z; *p; p++) nLine += *p == '\n';
    free(s->aHotfix);
    s->aHotfix = NULL;
    s->nHotfix = 0;
    if (!nLine) return KBS_OK;
    /* snap.c infers an array's capacity from its count (8, then powers of two): allocate so
     * that snap_add_hotfix may grow it later. */
    for (nCap = 8; nCap < nLine; nCap *= 2) {
    }
    if (!(s->aHotfix = calloc(nCap, sizeof *s->aHotfix))) return KBS_ENOMEM;
    while (*z && n < nLine) {
        snap_hotfix_t *h = &s->aHotfix[n];
        char zNum[24];
        char c = db_field_next(&z, h->zRaw, sizeof h->zRaw);
        if (c != '\t') break;
        db_field_next(&z, zNum, sizeof zNum);
        h->sources = (unsigned)strtoul(zNum, NULL, 10);
        db_field_next(&z, zNum, sizeof zNum);
        h->cbsState = (int)strtol(zNum, NULL, 10);
        if (kb_parse(h->zRaw, &h->kb) != KBS_OK) memset(&h->kb, 0, sizeof h->kb);
        if (*zDates) db_field_next(&zDates, h->zInstalled, sizeof h->zInstalled);
        n++;
    }
    s->nHotfix = n;
    /* ... and keeps it in its lookup order. */
    qsort(s->aHotfix, n, sizeof *s->aHotfix, db_cmp_snap_order);
    return KBS_OK;
}

/* ---- list columns ---- */

static void db_sources_text(const snap_t *s, db_buf_t *b)
{
    size_t i;
    db_buf_clear(b);
    for (i = 0; i < s->nSource; i++) {
        db_buf_field(b, s->aSource[i].zName, '\t');
        db_buf_field(b, s->aSource[i].ok ? "1" : "0", '\t');
        db_buf_field(b, s->aSource[i].zError, '\n');
    }
}

static void db_files_text(const snap_t *s, db_buf_t *b)
{
    size_t i;
    db_buf_clear(b);
    for (i = 0; i < s->nFile; i++) {
        char zVer[32] = "";
        const snap_file_t *f = &s->aFile[i];
        if (f->present) ver_format(&f->ver, zVer, sizeof zVer);
        db_buf_field(b, f->zPath, '\t');
        db_buf_field(b, f->present ? "1" : "0", '\t');
        db_buf_field(b, zVer, '\t');
        db_buf_field(b, f->zError, '\n');
    }
}

/* One "name TAB value TAB error" line per configuration fact (snapshot format 1.1). */
static void db_facts_text(const snap_t *s, db_buf_t *b)
{
    size_t i;
    db_buf_clear(b);
    for (i = 0; i < s->nFact; i++) {
        db_buf_field(b, s->aFact[i].zName, '\t');
        db_buf_field(b, s->aFact[i].zValue, '\t');
        db_buf_field(b, s->aFact[i].zError, '\n');
    }
}

static int db_facts_parse(const char *z, snap_t *s)
{
    while (z && *z) {
        char zName[SNAP_FACT_NAME_MAX], zValue[SNAP_FACT_VALUE_MAX], zErr[SNAP_ERR_MAX];
        int rc;
        if (db_field_next(&z, zName, sizeof zName) != '\t') break;
        if (db_field_next(&z, zValue, sizeof zValue) != '\t') break;
        db_field_next(&z, zErr, sizeof zErr);
        if ((rc = snap_add_fact(s, zName, zValue, zErr)) == KBS_ENOMEM) return rc;
    }
    return KBS_OK;
}

/* The install dates of s's hotfix list: one line per entry, in the list's order (its canonical
 * text's), the date or nothing; empty when no entry has one. */
static void db_dates_text(const snap_t *s, db_buf_t *b)
{
    size_t i, nLast = 0;
    db_buf_clear(b);
    for (i = 0; i < s->nHotfix; i++)
        if (s->aHotfix[i].zInstalled[0]) nLast = i + 1;
    for (i = 0; i < nLast; i++) db_buf_field(b, s->aHotfix[i].zInstalled, '\n');
}

static int db_dset_items(db_t *db, int64_t setId, const void *pCtx)
{
    (void)db, (void)setId, (void)pCtx;
    return KBS_OK;
}

/* db_dset_get: the id of the date_set row holding text pb (hash h), inserted when new; 0 for an
 * empty text (no dates). */
static int db_dset_get(db_t *db, const db_buf_t *pb, uint64_t h, int64_t *pId)
{
    static const db_shared_t kDset = {DB_ST_DSET_BY_HASH, DB_ST_DSET_INSERT};
    *pId = 0;
    if (!pb->n) return KBS_OK;
    return db_shared_get(db, &kDset, &db->dsetCache, pb, h, 0, db_dset_items, NULL, pId);
}


static int db_sources_parse(const char *z, snap_t *s)
{
    while (z && *z) {
        char zName[32], zOk[4], zErr[SNAP_ERR_MAX];
        int rc;
        if (db_field_next(&z, zName, sizeof zName) != '\t') break;
        if (db_field_next(&z, zOk, sizeof zOk) != '\t') break;
        db_field_next(&z, zErr, sizeof zErr);
        if ((rc = snap_add_source(s, zName, zOk[0] == '1', zErr))) return rc;
    }
    return KBS_OK;
}

static int db_files_parse(const char *z, snap_t *s)
{
    while (z && *z) {
        char zPath[SNAP_PATH_MAX], zPresent[4], zVer[32], zErr[SNAP_ERR_MAX];
        ver_t v;
        int rc;
        if (db_field_next(&z, zPath, sizeof zPath) != '\t') break;
        if (db_field_next(&z, zPresent, sizeof zPresent) != '\t') break;
        if (db_field_next(&z, zVer, sizeof zVer) != '\t') break;
        db_field_next(&z, zErr, sizeof zErr);
        memset(&v, 0, sizeof v);
        if (zVer[0]) ver_parse(zVer, &v);
        if ((rc = snap_add_file(s, zPath, zPresent[0] == '1', &v, zErr))) return rc;
    }
    return KBS_OK;
}

/* ---- scans ---- */

static void db_os_text(const snap_t *s, os_ident_t *pId, char *zDetail, size_t nDetail)
{
    int sp;
    memset(pId, 0, sizeof *pId);
    zDetail[0] = 0;
    if (!s->osKnown) {
        pId->family = OS_FAM_UNKNOWN;
        snprintf(pId->zName, sizeof pId->zName, "Unknown OS");
        return;
    }
    os_identify(&s->os, pId);
    sp = os_sp_major(&s->os);
    snprintf(zDetail, nDetail, "%s%s%u.%u.%u%s%.0d%s%s", s->os.zProductName,
             s->os.zProductName[0] ? " " : "", (unsigned)s->os.major, (unsigned)s->os.minor,
             (unsigned)s->os.build, sp > 0 ? " SP" : "", sp > 0 ? sp : 0,
             s->os.arch != OS_ARCH_UNKNOWN ? " " : "",
             s->os.arch != OS_ARCH_UNKNOWN ? os_arch_key(s->os.arch) : "");
}

static void db_bind_str(sqlite3_stmt *st, int i, const char *z)
{
    sqlite3_bind_text(st, i, z ? z : "", -1, SQLITE_STATIC);
}

/* A row id, or NULL for 0 (none). */
static void db_bind_id(sqlite3_stmt *st, int i, int64_t id)
{
    if (id)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

static int db_scan_insert(db_t *db, int64_t hostId, const snap_t *s, const db_prep_t *p,
                          int64_t scanTime, int64_t setId, int64_t dsetId, const char *zPath,
                          int64_t *pScanId)
{
    sqlite3_stmt *st = db_stmt(db, DB_ST_SCAN_INSERT);
    const os_ident_t *pId = &p->osId;
    int bFromFile = s->scanTime == 0;
    if (!st) return KBS_EDB;
    sqlite3_bind_int64(st, 1, hostId);
    sqlite3_bind_int64(st, 2, scanTime);
    sqlite3_bind_int(st, 3, bFromFile);
    db_bind_str(st, 4, s->zOrigin);
    db_bind_str(st, 5, s->zHost);
    db_bind_str(st, 6, s->zDomain);
    db_bind_str(st, 7, s->zMachineId);
    db_bind_str(st, 8, s->zAgentVersion);
    sqlite3_bind_int(st, 9, s->osKnown ? 1 : 0);
    sqlite3_bind_int64(st, 10, s->os.major);
    sqlite3_bind_int64(st, 11, s->os.minor);
    sqlite3_bind_int64(st, 12, s->os.build);
    sqlite3_bind_int64(st, 13, s->os.ubr);
    sqlite3_bind_int64(st, 14, s->os.sp_major);
    sqlite3_bind_int64(st, 15, s->os.sp_minor);
    sqlite3_bind_int(st, 16, s->os.sp_known);
    sqlite3_bind_int(st, 17, (int)s->os.product_type);
    db_bind_str(st, 18, os_arch_key(s->os.arch));
    db_bind_str(st, 19, s->os.zProductName);
    db_bind_str(st, 20, s->os.zEdition);
    db_bind_str(st, 21, s->os.zCsdVersion);
    db_bind_str(st, 22, s->os.zDisplayVersion);
    db_bind_str(st, 23, s->os.zInstallDate);
    db_bind_str(st, 24, s->os.zUiLanguage);
    db_bind_str(st, 25, os_family_key(pId->family));
    db_bind_str(st, 26, pId->zName);
    sqlite3_bind_int64(st, 27, setId);
    sqlite3_bind_int(st, 28, s->hotfixesComplete ? 1 : 0);
    db_bind_str(st, 29, s->zHotfixNote);
    sqlite3_bind_text(st, 30, p->src.z, (int)p->src.n, SQLITE_STATIC);
    sqlite3_bind_text(st, 31, p->files.z, (int)p->files.n, SQLITE_STATIC);
    db_bind_str(st, 32, zPath);
    sqlite3_bind_int64(st, 33, plat_time());
    sqlite3_bind_int64(st, 34, (sqlite3_int64)s->nHotfixCounted);
    sqlite3_bind_text(st, 35, p->facts.z, (int)p->facts.n, SQLITE_STATIC);
    db_bind_id(st, 36, dsetId);
    if (sqlite3_step(st) != SQLITE_DONE) return KBS_EDB;
    *pScanId = sqlite3_last_insert_rowid(db->h);
    return KBS_OK;
}

static char *db_strdup(const char *z)
{
    size_t n = strlen(z) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, z, n);
    return p;
}

static const char *db_col(sqlite3_stmt *st, int i)
{
    const char *z = (const char *)sqlite3_column_text(st, i);
    return z ? z : "";
}

#define DB_COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

int db_scan_load(db_t *db, int64_t scanId, snap_t *s, char **pzPath)
{
    int64_t setId = 0, dsetId = 0;
    int rc = db_scan_load_row(db, scanId, s, pzPath, &setId, &dsetId);
    if (rc) return rc;
    if ((rc = db_set_fill(db, setId, dsetId, s))) {
        snap_release(s);
        if (pzPath) { free(*pzPath); *pzPath = NULL; }
    }
    return rc;
}

int db_scan_load_row(db_t *db, int64_t scanId, snap_t *s, char **pzPath, int64_t *pSetId,
                     int64_t *pDsetId)
{
    sqlite3_stmt *st = db_stmt(db, DB_ST_SCAN_LOAD);
    int64_t setId;
    char *zSources = NULL, *zFiles = NULL, *zFacts = NULL;
    int64_t dsetId;
    int rc = KBS_EDB;

    snap_init(s);
    if (pzPath) *pzPath = NULL;
    if (!st) return KBS_EDB;
    sqlite3_bind_int64(st, 1, scanId);
    if (sqlite3_step(st) != SQLITE_ROW) return KBS_EDB;
    s->scanTime = sqlite3_column_int64(st, 0);
    DB_COPY(s->zOrigin, db_col(st, 1));
    DB_COPY(s->zHost, db_col(st, 2));
    DB_COPY(s->zDomain, db_col(st, 3));
    DB_COPY(s->zMachineId, db_col(st, 4));
    DB_COPY(s->zAgentVersion, db_col(st, 5));
    s->osKnown = sqlite3_column_int(st, 6);
    s->os.major = (uint32_t)sqlite3_column_int64(st, 7);
    s->os.minor = (uint32_t)sqlite3_column_int64(st, 8);
    s->os.build = (uint32_t)sqlite3_column_int64(st, 9);
    s->os.ubr = (uint32_t)sqlite3_column_int64(st, 10);
    s->os.sp_major = (uint32_t)sqlite3_column_int64(st, 11);
    s->os.sp_minor = (uint32_t)sqlite3_column_int64(st, 12);
    s->os.sp_known = sqlite3_column_int(st, 13);
    s->os.product_type = (os_ptype_t)sqlite3_column_int(st, 14);
    s->os.arch = os_arch_from_key(db_col(st, 15));
    DB_COPY(s->os.zProductName, db_col(st, 16));
    DB_COPY(s->os.zEdition, db_col(st, 17));
    DB_COPY(s->os.zCsdVersion, db_col(st, 18));
    DB_COPY(s->os.zDisplayVersion, db_col(st, 19));
    DB_COPY(s->os.zInstallDate, db_col(st, 20));
    DB_COPY(s->os.zUiLanguage, db_col(st, 21));
    setId = sqlite3_column_int64(st, 22);
    s->hotfixesComplete = sqlite3_column_int(st, 23);
    DB_COPY(s->zHotfixNote, db_col(st, 24));
    zSources = db_strdup(db_col(st, 25));
    zFiles = db_strdup(db_col(st, 26));
    if (pzPath) *pzPath = db_strdup(db_col(st, 27));
    s->nHotfixCounted = (uint32_t)sqlite3_column_int64(st, 28);
    zFacts = db_strdup(db_col(st, 29));
    dsetId = sqlite3_column_int64(st, 30);
    if (!zSources || !zFiles || !zFacts || (pzPath && !*pzPath)) {
        rc = KBS_ENOMEM;
        goto out;
    }
    if ((rc = db_sources_parse(zSources, s)) || (rc = db_files_parse(zFiles, s)) ||
        (rc = db_facts_parse(zFacts, s)))
        goto out;
    *pSetId = setId;
    *pDsetId = dsetId;
out:
    free(zSources);
    free(zFiles);
    free(zFacts);
    if (rc) {
        snap_release(s);
        if (pzPath) { free(*pzPath); *pzPath = NULL; }
    }
    return rc;
}

/* ---- host state ---- */

typedef struct db_state {
    int64_t curScanId, osScanId, setId, dsetId, lastScan;
    const char *zPath;
    const char *zOrigin;
} db_state_t;

/* The verdict text p holds for db's catalog, or NULL when p was made without it (then the
 * verdicts are evaluated when stored). */
static const db_buf_t *db_prep_vset(const db_t *db, const db_prep_t *p)
{
    return p && p->cat == db->cat && p->nVerdict == db->cat->nRule ? &p->vset : NULL;
}

/* Writes the host row's state columns and its verdicts from s (the state snapshot). With p (made
 * by db_prep_make for s itself: the state is one scan) its texts and verdicts are used as they are;
 * with p NULL (a merged state) they are made here. */
static int db_state_write(db_t *db, int64_t hostId, const snap_t *s, const db_prep_t *p,
                          const db_state_t *pSt)
{
    sqlite3_stmt *st;
    os_ident_t idOwn;
    const os_ident_t *pId = &idOwn;
    char zOwnDetail[256], zKey[SNAP_HOST_MAX];
    const char *zDetail = zOwnDetail;
    const db_buf_t *pb = &db->bufState;
    int64_t vsetId = 0, dsetId = pSt->dsetId;
    int rc;

    if ((rc = db_verdict_set(db, s, db_prep_vset(db, p), p ? p->vsetHash : 0, &vsetId))) return rc;
    if (!(st = db_stmt(db, DB_ST_HOST_STATE))) return KBS_EDB;
    if (p) {
        pId = &p->osId;
        zDetail = p->zOsDetail;
        pb = &p->src;
    } else {
        db_os_text(s, &idOwn, zOwnDetail, sizeof zOwnDetail);
        db_sources_text(s, &db->bufState);
        db_dates_text(s, &db->bufDates);
        if (db->bufState.oom || db->bufDates.oom) return KBS_ENOMEM;
        if ((rc = db_dset_get(db, &db->bufDates, db_hash64(db->bufDates.z, db->bufDates.n), &dsetId)))
            return rc;
    }
    db_upper(s->zHost, zKey, sizeof zKey);
    sqlite3_bind_int64(st, 1, hostId);
    db_bind_str(st, 2, s->zHost);
    db_bind_str(st, 3, zKey);
    db_bind_str(st, 4, s->zDomain);
    sqlite3_bind_int64(st, 5, pSt->lastScan);
    sqlite3_bind_int64(st, 6, pSt->curScanId);
    if (pSt->osScanId)
        sqlite3_bind_int64(st, 7, pSt->osScanId);
    else
        sqlite3_bind_null(st, 7);
    db_bind_str(st, 8, os_family_key(pId->family));
    db_bind_str(st, 9, pId->zName);
    db_bind_str(st, 10, zDetail);
    db_bind_str(st, 11, pSt->zOrigin);
    db_bind_str(st, 12, pSt->zPath);
    sqlite3_bind_int64(st, 13, pSt->setId);
    sqlite3_bind_int(st, 14, s->hotfixesComplete ? 1 : 0);
    db_bind_str(st, 15, s->zHotfixNote);
    db_bind_str(st, 16, pb->z);
    sqlite3_bind_int64(st, 17, (sqlite3_int64)s->nHotfix);
    sqlite3_bind_int64(st, 18, vsetId);
    db_bind_id(st, 19, dsetId);
    return sqlite3_step(st) == SQLITE_DONE ? KBS_OK : KBS_EDB;
}

int db_state_load(db_t *db, int64_t hostId, snap_t *s)
{
    sqlite3_stmt *st = NULL;
    int64_t osScanId = 0, setId = 0;
    int rc = KBS_EDB;

    snap_init(s);
    if (sqlite3_prepare_v2(db->h,
                           "SELECT os_scan_id, state_set_id, state_complete, state_note,"
                           " state_sources, name, domain, machine_id, last_scan, origin,"
                           " state_date_set_id FROM host WHERE id = ?1",
                           -1, &st, NULL))
        return KBS_EDB;
    sqlite3_bind_int64(st, 1, hostId);
    if (sqlite3_step(st) != SQLITE_ROW) goto out;
    osScanId = sqlite3_column_int64(st, 0);
    setId = sqlite3_column_int64(st, 1);
    if (osScanId) {
        if ((rc = db_scan_load(db, osScanId, s, NULL))) goto out;
        /* The state's own source list replaces the OS scan's. */
        free(s->aSource);
        s->aSource = NULL;
        s->nSource = 0;
    }
    rc = KBS_ENOMEM;
    s->hotfixesComplete = sqlite3_column_int(st, 2);
    DB_COPY(s->zHotfixNote, db_col(st, 3));
    if (db_sources_parse(db_col(st, 4), s)) goto out;
    DB_COPY(s->zHost, db_col(st, 5));
    DB_COPY(s->zDomain, db_col(st, 6));
    DB_COPY(s->zMachineId, db_col(st, 7));
    s->scanTime = sqlite3_column_int64(st, 8);
    DB_COPY(s->zOrigin, db_col(st, 9));
    rc = setId ? db_set_fill(db, setId, sqlite3_column_int64(st, 10), s) : KBS_OK;
out:
    sqlite3_finalize(st);
    if (rc) snap_release(s);
    return rc;
}

/* Recomputes host hostId's state from its scans (the general path: a known host) when the new
 * scan scanId (s, prepared as p, its hotfix set setId) is part of it: the newest scan, the OS scan
 * or a merge partner. Otherwise the scan is history and *pRes says so. With scanId 0 (s and p
 * NULL) the state is rebuilt whatever changed (scans moved to or from the host). */
static int db_state_recompute(db_t *db, int64_t hostId, int64_t scanId, const snap_t *s,
                              const db_prep_t *p, int64_t setId, const char *zScanPath,
                              db_ingest_res_t *pRes)
{
    sqlite3_stmt *st;
    int64_t newestId, newestTime, newestSeen, osId = 0, aNear[8];
    int newestOs, bInvolved = 0, rc;
    size_t nNear = 0, i;
    snap_t base, other;
    char *zPath = NULL, zOrigin[64];
    db_state_t state;

    snap_init(&base);
    snap_init(&other);
    if (!(st = db_stmt(db, DB_ST_SCAN_NEWEST))) return KBS_EDB;
    sqlite3_bind_int64(st, 1, hostId);
    if (sqlite3_step(st) != SQLITE_ROW) return KBS_EDB;
    newestId = sqlite3_column_int64(st, 0);
    newestTime = sqlite3_column_int64(st, 1);
    newestOs = sqlite3_column_int(st, 2);
    /* "Last seen" is never later than the scan was collected: a clock years ahead must not keep
     * a host from going stale. */
    newestSeen = sqlite3_column_int64(st, 3);
    if (newestSeen > newestTime) newestSeen = newestTime;
    bInvolved = !scanId || newestId == scanId;
    if (newestOs) {
        osId = newestId;
        if (!(st = db_stmt(db, DB_ST_SCAN_CSV_NEAR))) return KBS_EDB;
        sqlite3_bind_int64(st, 1, hostId);
        sqlite3_bind_int64(st, 2, newestTime - DB_MERGE_WINDOW);
        sqlite3_bind_int64(st, 3, newestTime);
        sqlite3_bind_int64(st, 4, newestId);
        while (nNear < sizeof aNear / sizeof aNear[0] && sqlite3_step(st) == SQLITE_ROW) {
            aNear[nNear] = sqlite3_column_int64(st, 0);
            bInvolved |= aNear[nNear] == scanId;
            nNear++;
        }
    } else {
        if (!(st = db_stmt(db, DB_ST_SCAN_NEWEST_OS))) return KBS_EDB;
        sqlite3_bind_int64(st, 1, hostId);
        if (sqlite3_step(st) == SQLITE_ROW) osId = sqlite3_column_int64(st, 0);
        bInvolved |= osId == scanId;
        if (osId) aNear[nNear++] = newestId;
    }
    if (!bInvolved) {
        *pRes = DB_ING_HISTORY;
        return KBS_OK;
    }
    *pRes = nNear ? DB_ING_MERGED : DB_ING_CURRENT;
    if (s && osId == scanId && !nNear) {
        /* The usual case, an agent's next scan: the state is this scan alone, as it was read
         * (what loading it back from its row would give). */
        memset(&state, 0, sizeof state);
        state.curScanId = state.osScanId = scanId;
        state.lastScan = newestSeen;
        state.setId = setId;
        if ((rc = db_dset_get(db, &p->dates, p->datesHash, &state.dsetId))) return rc;
        state.zPath = zScanPath;
        state.zOrigin = s->zOrigin;
        return db_state_write(db, hostId, s, p, &state);
    }
    if ((rc = db_scan_load(db, osId ? osId : newestId, &base, &zPath))) goto out;
    DB_COPY(zOrigin, base.zOrigin);
    for (i = 0; i < nNear; i++) {
        char *zOtherPath = NULL;
        if ((rc = db_scan_load(db, aNear[i], &other, &zOtherPath))) goto out;
        if ((rc = merge_into(&base, &other))) { free(zOtherPath); goto out; }
        if (strlen(zOrigin) + strlen(other.zOrigin) + 2 < sizeof zOrigin &&
            !strstr(zOrigin, other.zOrigin)) {
            strcat(zOrigin, "+");
            strcat(zOrigin, other.zOrigin);
        }
        if (aNear[i] == newestId) {
            /* The newest scan names the host and says where the state came from. */
            DB_COPY(base.zHost, other.zHost);
            if (other.zDomain[0]) DB_COPY(base.zDomain, other.zDomain);
            free(zPath);
            zPath = zOtherPath;
            zOtherPath = NULL;
        }
        free(zOtherPath);
        snap_release(&other);
    }
    memset(&state, 0, sizeof state);
    state.curScanId = newestId;
    state.osScanId = osId;
    state.lastScan = newestSeen;
    state.zPath = zPath;
    state.zOrigin = zOrigin;
    if ((rc = db_set_text(&base, &db->bufSet))) goto out;
    if ((rc = db_set_get(db, &base, &db->bufSet, db_hash64(db->bufSet.z, db->bufSet.n),
                         &state.setId)))
        goto out;
    rc = db_state_write(db, hostId, &base, NULL, &state);
out:
    snap_release(&base);
    snap_release(&other);
    free(zPath);
    return rc;
}

/* One stored host of a name, as hostid sees it. */
typedef struct db_cand {
    int64_t id;
    char zDom[SNAP_HOST_MAX];
    char zMid[SNAP_ID_MAX];
} db_cand_t;

/* The stored hosts of one name: all of them (a name may be in any number of workgroups). */
typedef struct db_cands {
    db_cand_t *a;
    hostid_facts_t *aF;
    size_t n, nCap;
} db_cands_t;

static void db_cands_free(db_cands_t *pC)
{
    free(pC->a);
    free(pC->aF);
    memset(pC, 0, sizeof *pC);
}

static int db_cands_load(db_t *db, const char *zName, db_cands_t *pC)
{
    sqlite3_stmt *st;
    char zKey[SNAP_HOST_MAX];
    size_t i;
    int r;
    pC->n = 0;
    db_upper(zName, zKey, sizeof zKey);
    if (!(st = db_stmt(db, DB_ST_HOST_BY_NAME))) return KBS_EDB;
    sqlite3_bind_text(st, 1, zKey, -1, SQLITE_STATIC);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (pC->n == pC->nCap) {
            size_t nCap = pC->nCap ? pC->nCap * 2 : 8;
            db_cand_t *a = realloc(pC->a, nCap * sizeof *a);
            hostid_facts_t *aF;
            if (!a) return KBS_ENOMEM;
            pC->a = a;
            if (!(aF = realloc(pC->aF, nCap * sizeof *aF))) return KBS_ENOMEM;
            pC->aF = aF;
            pC->nCap = nCap;
        }
        i = pC->n++;
        pC->a[i].id = sqlite3_column_int64(st, 0);
        DB_COPY(pC->a[i].zDom, db_col(st, 1));
        DB_COPY(pC->a[i].zMid, db_col(st, 2));
    }
    if (r != SQLITE_DONE) return KBS_EDB;
    /* pointed to once the array has stopped moving */
    for (i = 0; i < pC->n; i++) {
        pC->aF[i].zName = zName;
        pC->aF[i].zDomain = pC->a[i].zDom;
        pC->aF[i].zMachineId = pC->a[i].zMid;
    }
    return KBS_OK;
}

/* Finds the host a scan belongs to (hostid_choose): *pId 0 for a new host; *pbAdopt when the
 * scan's machine id is to be written to a name-only host; *pbApart when a domain-less scan
 * matched several hosts (*pId is then the host holding such scans apart, or 0). pC gets the hosts
 * of the scan's name. */
static int db_host_find(db_t *db, const snap_t *s, int64_t *pId, int *pbAdopt, int *pbApart,
                        db_cands_t *pC)
{
    sqlite3_stmt *st;
    hostid_facts_t f;
    hostid_decision_t d;
    size_t i = HOSTID_NONE, nMatch = 0;
    int r, rc;

    *pId = 0;
    *pbAdopt = *pbApart = 0;
    pC->n = 0;
    if (s->zMachineId[0]) {
        if (!(st = db_stmt(db, DB_ST_HOST_BY_MID))) return KBS_EDB;
        sqlite3_bind_text(st, 1, s->zMachineId, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            *pId = sqlite3_column_int64(st, 0);
            return KBS_OK;
        }
        if (r != SQLITE_DONE) return KBS_EDB;
    }
    if ((rc = db_cands_load(db, s->zHost, pC))) return rc;
    f.zName = s->zHost;
    f.zDomain = s->zDomain;
    f.zMachineId = s->zMachineId;
    d = hostid_choose(&f, pC->aF, pC->n, &i, &nMatch);
    if (i != HOSTID_NONE) {
        *pId = pC->a[i].id;
        *pbAdopt = s->zMachineId[0] && !pC->a[i].zMid[0];
    }
    if (d == HOSTID_APART) {
        char zKey[SNAP_HOST_MAX];
        *pbApart = 1;
        db_upper(s->zHost, zKey, sizeof zKey);
        /* The holder of such files is not one of the hosts that make the name ambiguous. */
        snprintf(db->zNote, sizeof db->zNote,
                 "%.64s: %lu hosts of that name, %s file not merged -- give its domain or collect it"
                 " with its systeminfo",
                 zKey, (unsigned long)(nMatch - (i != HOSTID_NONE)),
                 s->zOrigin[0] ? s->zOrigin : "hotfix");
    }
    return KBS_OK;
}

/* After a host of a new domain was added to the hosts pC of its name: when a domain-less scan of
 * that name can no longer be told to belong to one of them, the domain-less scans merged into
 * them before are moved to the host that holds such scans apart (made here when there is none
 * and a scan is to be moved), and the states of every host involved are rebuilt. */
static int db_detach_domainless(db_t *db, const snap_t *s, int64_t newId, const db_cands_t *pC)
{
    sqlite3_stmt *st = NULL, *stHas = NULL;
    db_ingest_res_t res;
    int64_t holderId = 0, *aMoved = NULL;
    size_t i, nDom = 0, nMoved = 0;
    int rc = KBS_EDB;
    char zKey[SNAP_HOST_MAX];

    for (i = 0; i < pC->n; i++) {
        if (pC->a[i].zDom[0]) nDom++;
        else if (!pC->a[i].zMid[0] && !holderId) holderId = pC->a[i].id;
    }
    if (!nDom) return KBS_OK; /* the new host is the only one with a domain */
    if (!(aMoved = malloc(pC->n * sizeof *aMoved))) return KBS_ENOMEM;
    if (sqlite3_prepare_v2(db->h,
                           "SELECT 1 FROM scan WHERE host_id = ?1 AND domain = '' AND machine_id = ''"
                           " LIMIT 1",
                           -1, &stHas, NULL) ||
        sqlite3_prepare_v2(db->h,
                           "UPDATE scan SET host_id = ?2 WHERE host_id = ?1 AND domain = ''"
                           " AND machine_id = ''",
                           -1, &st, NULL))
        goto out;
    for (i = 0; i < pC->n; i++) {
        int r;
        if (!pC->a[i].zDom[0] || pC->a[i].id == newId) continue;
        sqlite3_reset(stHas);
        sqlite3_bind_int64(stHas, 1, pC->a[i].id);
        if ((r = sqlite3_step(stHas)) == SQLITE_DONE) continue;
        if (r != SQLITE_ROW) goto out;
        if (!holderId) {
            /* The first scan to move makes the holder: none is made when nothing moves. */
            sqlite3_stmt *stNew = NULL;
            db_upper(s->zHost, zKey, sizeof zKey);
            if (sqlite3_prepare_v2(db->h,
                                   "INSERT INTO host(machine_id, name, name_key, domain, first_seen)"
                                   " VALUES(NULL, ?1, ?2, '', 0)",
                                   -1, &stNew, NULL) == SQLITE_OK) {
                sqlite3_bind_text(stNew, 1, s->zHost, -1, SQLITE_STATIC);
                sqlite3_bind_text(stNew, 2, zKey, -1, SQLITE_STATIC);
                if (sqlite3_step(stNew) == SQLITE_DONE) holderId = sqlite3_last_insert_rowid(db->h);
            }
            sqlite3_finalize(stNew);
            if (!holderId) goto out;
        }
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, pC->a[i].id);
        sqlite3_bind_int64(st, 2, holderId);
        if (sqlite3_step(st) != SQLITE_DONE) goto out;
        if (sqlite3_changes(db->h) > 0) aMoved[nMoved++] = pC->a[i].id;
    }
    rc = KBS_OK;
    if (!nMoved) goto out;
    for (i = 0; i < nMoved && !rc; i++) rc = db_state_recompute(db, aMoved[i], 0, NULL, NULL, 0, NULL, &res);
    if (!rc) rc = db_state_recompute(db, holderId, 0, NULL, NULL, 0, NULL, &res);
    if (!rc)
        snprintf(db->zNote, sizeof db->zNote,
                 "%.64s: a second domain (%.64s) has a host of that name: hotfix files without a"
                 " domain merged into another one before are kept apart now -- give their domain"
                 " or collect them with their systeminfo",
                 s->zHost, s->zDomain);
out:
    sqlite3_finalize(stHas);
    sqlite3_finalize(st);
    free(aMoved);
    return rc;
}

static int db_is_dup(db_t *db, int64_t hostId, int64_t scanTime, int64_t setId, const snap_t *s,
                     const char *zFiles, const char *zFacts, int *pbDup)
{
    sqlite3_stmt *st = db_stmt(db, DB_ST_SCAN_DUP);
    int r;
    if (!st) return KBS_EDB;
    sqlite3_bind_int64(st, 1, hostId);
    sqlite3_bind_int64(st, 2, scanTime);
    sqlite3_bind_int64(st, 3, setId);
    db_bind_str(st, 4, s->zOrigin);
    sqlite3_bind_int(st, 5, s->osKnown ? 1 : 0);
    db_bind_str(st, 6, zFiles);
    db_bind_str(st, 7, zFacts);
    r = sqlite3_step(st);
    *pbDup = r == SQLITE_ROW;
    return (r == SQLITE_ROW || r == SQLITE_DONE) ? KBS_OK : KBS_EDB;
}

db_prep_t *db_prep_new(void)
{
    return calloc(1, sizeof(db_prep_t));
}

void db_prep_free(db_prep_t *p)
{
    if (!p) return;
    free(p->set.z);
    free(p->src.z);
    free(p->files.z);
    free(p->facts.z);
    free(p->dates.z);
    free(p->aVerdict);
    free(p->vset.z);
    free(p);
}

int db_prep_make(db_prep_t *p, const cat_t *c, const snap_t *s)
{
    int rc, n;
    p->cat = NULL;
    p->nVerdict = 0;
    if ((rc = db_set_text(s, &p->set))) return rc;
    p->setHash = db_hash64(p->set.z, p->set.n);
    db_os_text(s, &p->osId, p->zOsDetail, sizeof p->zOsDetail);
    db_sources_text(s, &p->src);
    db_files_text(s, &p->files);
    db_facts_text(s, &p->facts);
    db_dates_text(s, &p->dates);
    if (p->src.oom || p->files.oom || p->facts.oom || p->dates.oom) return KBS_ENOMEM;
    p->datesHash = db_hash64(p->dates.z, p->dates.n);
    if (!c) return KBS_OK;
    if (p->nVerdictCap < c->nRule || !p->aVerdict) {
        verdict_t *a = realloc(p->aVerdict, (c->nRule ? c->nRule : 1) * sizeof *a);
        if (!a) return KBS_ENOMEM;
        p->aVerdict = a;
        p->nVerdictCap = c->nRule ? c->nRule : 1;
    }
    n = verdict_eval(c, s, p->aVerdict, c->nRule);
    if (n < 0) return n;
    if ((rc = db_verdict_text(c, p->aVerdict, (size_t)n, &p->vset))) return rc;
    p->vsetHash = db_hash64(p->vset.z, p->vset.n);
    p->nVerdict = (size_t)n;
    p->cat = c;
    return KBS_OK;
}

const char *db_ingest_note(db_t *db)
{
    return db->zNote;
}

int db_ingest(db_t *db, const snap_t *s, const char *zSourcePath, int64_t fileTime,
              db_ingest_res_t *pRes)
{
    int rc;
    *pRes = DB_ING_HISTORY;
    if (!db->cat) return KBS_EINVAL;
    if (!s->zHost[0] && !s->zMachineId[0]) return KBS_EINVAL;
    if ((rc = db_prep_make(&db->prep, NULL, s))) return rc;
    return db_ingest_prep(db, s, &db->prep, zSourcePath, fileTime, pRes);
}

int db_ingest_prep(db_t *db, const snap_t *s, const db_prep_t *p, const char *zSourcePath,
                   int64_t fileTime, db_ingest_res_t *pRes)
{
    const db_buf_t *pSrc = &p->src, *pFiles = &p->files;
    int64_t hostId = 0, setId = 0, dsetId = 0, scanId = 0;
    int64_t scanTime = s->scanTime ? s->scanTime : fileTime;
    int bAdopt = 0, bApart = 0, bDup = 0, rc = KBS_EDB;
    sqlite3_stmt *st;
    db_cands_t cands, *pCands = &cands;

    *pRes = DB_ING_HISTORY;
    db->zNote[0] = 0;
    if (!db->cat || db->bView) return KBS_EINVAL;
    if (!s->zHost[0] && !s->zMachineId[0]) return KBS_EINVAL;
    memset(&cands, 0, sizeof cands);
    if ((rc = db_host_find(db, s, &hostId, &bAdopt, &bApart, pCands))) goto out;
    if ((rc = db_set_get(db, s, &p->set, p->setHash, &setId)) ||
        (rc = db_dset_get(db, &p->dates, p->datesHash, &dsetId)))
        goto out;
    rc = KBS_EDB;
    if (hostId) {
        if ((rc = db_is_dup(db, hostId, scanTime, setId, s, pFiles->z, p->facts.z, &bDup))) goto out;
        if (bDup) {
            *pRes = DB_ING_DUPLICATE;
            goto out;
        }
        if (bAdopt) {
            if (!(st = db_stmt(db, DB_ST_HOST_SET_MID))) goto out;
            sqlite3_bind_int64(st, 1, hostId);
            sqlite3_bind_text(st, 2, s->zMachineId, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) goto out;
        }
        if ((rc = db_scan_insert(db, hostId, s, p, scanTime, setId, dsetId, zSourcePath, &scanId))) goto out;
        rc = db_state_recompute(db, hostId, scanId, s, p, setId, zSourcePath, pRes);
        if (!rc && bApart) *pRes = DB_ING_APART;
        goto out;
    }
    /* A new host: its only scan is its state (the fast path of a first collect). The row is
     * written whole at once, so its indexes are touched once; only the scan ids follow. */
    {
        char zKey[SNAP_HOST_MAX];
        int64_t vsetId = 0;
        if ((rc = db_verdict_set(db, s, db_prep_vset(db, p), p->vsetHash, &vsetId))) goto out;
        rc = KBS_EDB;
        if (!(st = db_stmt(db, DB_ST_HOST_INSERT_FULL))) goto out;
        db_upper(s->zHost, zKey, sizeof zKey);
        if (s->zMachineId[0])
            sqlite3_bind_text(st, 1, s->zMachineId, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 1);
        db_bind_str(st, 2, s->zHost);
        db_bind_str(st, 3, zKey);
        db_bind_str(st, 4, s->zDomain);
        /* Last seen: never later than now (a clock years ahead must not keep it fresh). */
        sqlite3_bind_int64(st, 5, scanTime < plat_time() ? scanTime : (int64_t)plat_time());
        db_bind_str(st, 6, os_family_key(p->osId.family));
        db_bind_str(st, 7, p->osId.zName);
        db_bind_str(st, 8, p->zOsDetail);
        db_bind_str(st, 9, s->zOrigin);
        db_bind_str(st, 10, zSourcePath);
        sqlite3_bind_int64(st, 11, setId);
        sqlite3_bind_int(st, 12, s->hotfixesComplete ? 1 : 0);
        db_bind_str(st, 13, s->zHotfixNote);
        db_bind_str(st, 14, pSrc->z);
        sqlite3_bind_int64(st, 15, (sqlite3_int64)s->nHotfix);
        sqlite3_bind_int64(st, 16, vsetId);
        db_bind_id(st, 17, dsetId);
        if (sqlite3_step(st) != SQLITE_DONE) goto out;
        hostId = sqlite3_last_insert_rowid(db->h);
        if ((rc = db_scan_insert(db, hostId, s, p, scanTime, setId, dsetId, zSourcePath, &scanId))) goto out;
        rc = KBS_EDB;
        if (!(st = db_stmt(db, DB_ST_HOST_SCANS))) goto out;
        sqlite3_bind_int64(st, 1, hostId);
        sqlite3_bind_int64(st, 2, scanId);
        if (s->osKnown)
            sqlite3_bind_int64(st, 3, scanId);
        else
            sqlite3_bind_null(st, 3);
        if (sqlite3_step(st) != SQLITE_DONE) goto out;
        rc = KBS_OK;
        *pRes = bApart ? DB_ING_APART : DB_ING_NEW_HOST;
        if (s->zDomain[0] && pCands->n) rc = db_detach_domainless(db, s, hostId, pCands);
        /* A cut name proves no machine (a later one may fit it too): said, never joined. */
        if (!rc && !db->zNote[0] && merge_cut_len(s->zHost))
            snprintf(db->zNote, sizeof db->zNote,
                     "%.64s: host name cut by a console table: kept as a host of its own, joined to"
                     " no machine -- give whole names (Get-HotFix | Export-Csv, or Format-Table"
                     " -AutoSize)",
                     s->zHost);
    }
out:
    db_cands_free(&cands);
    return rc;
}
