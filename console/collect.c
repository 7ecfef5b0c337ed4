/* collect.c: walks input paths, skips unchanged files, parses the rest by content and stores them. */
#include "collect.h"

#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "kbs_err.h"
#include "plat.h"

/* ---- what the database already holds: path -> size, mtime, hash ---- */

typedef struct coll_known {
    char *zPath;             /* NULL: empty slot */
    int64_t size, mtime;
    uint64_t hash;
} coll_known_t;

typedef struct coll_map {
    coll_known_t *a;
    size_t nSlot, nUsed;
} coll_map_t;

static coll_known_t *coll_map_find(const coll_map_t *m, const char *zPath)
{
    size_t i;
    if (!m->nSlot) return NULL;
    for (i = (size_t)db_hash64(zPath, strlen(zPath)) & (m->nSlot - 1); m->a[i].zPath;
         i = (i + 1) & (m->nSlot - 1))
        if (!strcmp(m->a[i].zPath, zPath)) return &m->a[i];
    return NULL;
}

static int coll_map_put(coll_map_t *m, const char *zPath, int64_t size, int64_t mtime, uint64_t h)
{
    size_t i;
    coll_known_t *p;
    if ((m->nUsed + 1) * 2 > m->nSlot) {
        size_t nNew = m->nSlot ? m->nSlot * 2 : 4096, j;
        coll_known_t *a = calloc(nNew, sizeof *a);
        if (!a) return KBS_ENOMEM;
        for (j = 0; j < m->nSlot; j++) {
            if (!m->a[j].zPath) continue;
            for (i = (size_t)db_hash64(m->a[j].zPath, strlen(m->a[j].zPath)) & (nNew - 1);
                 a[i].zPath; i = (i + 1) & (nNew - 1)) {
            }
            a[i] = m->a[j];
        }
        free(m->a);
        m->a = a;
        m->nSlot = nNew;
    }
    if ((p = coll_map_find(m, zPath)) == NULL) {
        for (i = (size_t)db_hash64(zPath, strlen(zPath)) & (m->nSlot - 1); m->a[i].zPath;
             i = (i + 1) & (m->nSlot - 1)) {
        }
        p = &m->a[i];
        if (!(p->zPath = malloc(strlen(zPath) + 1))) return KBS_ENOMEM;
        memcpy(p->zPath, zPath, strlen(zPath) + 1);
        m->nUsed++;
    }
    p->size = size;
    p->mtime = mtime;
    p->hash = h;
    return KBS_OK;
}

static void coll_map_free(coll_map_t *m)
{
    size_t i;
    for (i = 0; i < m->nSlot; i++) free(m->a[i].zPath);
    free(m->a);
    memset(m, 0, sizeof *m);
}

static int coll_map_load_cb(void *pCtx, const char *zPath, int64_t size, int64_t mtime, uint64_t h)
{
    return coll_map_put(pCtx, zPath, size, mtime, h);
}

/* ---- the files to look at ---- */

typedef struct coll_item {
    char *zPath;
    int64_t size, mtime, mtimeNs;
} coll_item_t;

typedef struct coll_walk {
    coll_item_t *a;
    size_t n, nAlloc;
    FILE *err;
    size_t nBad;
} coll_walk_t;

static int coll_walk_cb(void *pCtx, const char *zPath, const plat_stat_t *pSt, int rc)
{
    coll_walk_t *w = pCtx;
    coll_item_t *p;
    if (rc) {
        fprintf(w->err, "%s: cannot read: %s\n", zPath, kbs_strerror(rc));
        w->nBad++;
        return KBS_OK;
    }
    if (w->n == w->nAlloc) {
        size_t nNew = w->nAlloc ? w->nAlloc * 2 : 1024;
        coll_item_t *a = realloc(w->a, nNew * sizeof *a);
        if (!a) return KBS_ENOMEM;
        w->a = a;
        w->nAlloc = nNew;
    }
    p = &w->a[w->n];
    if (!(p->zPath = malloc(strlen(zPath) + 1))) return KBS_ENOMEM;
    memcpy(p->zPath, zPath, strlen(zPath) + 1);
    p->size = pSt->size;
    p->mtime = pSt->mtime;
    p->mtimeNs = pSt->mtimeNs;
    w->n++;
    return KBS_OK;
}

/* The last path component (after '/' or '\\'). */
static const char *coll_base(const char *z)
{
    const char *p = z;
    for (; *z; z++)
        if (*z == '/' || *z == '\\') p = z + 1;
    return p;
}

/* 1 when zPath names the database or one of SQLite's files beside it (a drop folder may hold
 * the database itself). */
static int coll_is_db_file(const char *zPath, const char *zDbPath)
{
    const char *zB = coll_base(zPath), *zDb;
    size_t n;
    if (!zDbPath) return 0;
    zDb = coll_base(zDbPath);
    n = strlen(zDb);
    if (strncmp(zB, zDb, n)) return 0;
    return !zB[n] || !strcmp(zB + n, "-wal") || !strcmp(zB + n, "-shm") ||
           !strcmp(zB + n, "-journal");
}

/* ---- parsing one input ---- */

static int coll_parse_buf(const char *zPath, const char *z, size_t n, snap_t **paSnap,
                          size_t *pnSnap, imp_kind_t *pKind, char *zErr, size_t nErr)
{
    imp_kind_t k = imp_detect(z, n);
    int rc;
    size_t i;

    *paSnap = NULL;
    *pnSnap = 0;
    *pKind = k;
    if (k == IMP_KIND_SNAPSHOT || k == IMP_KIND_SYSTEMINFO) {
        snap_t *s = calloc(1, sizeof *s);
        unsigned line = 0;
        const char *zWhy = "";
        if (!s) return KBS_ENOMEM;
        if (k == IMP_KIND_SNAPSHOT) {
            snap_err_t e;
            memset(&e, 0, sizeof e);
            rc = snap_parse(z, n, s, &e);
            line = e.line;
            zWhy = rc ? (e.zReason[0] ? e.zReason : kbs_strerror(rc)) : "";
            if (rc) snprintf(zErr, nErr, "%s:%u: %s", zPath, line, zWhy);
        } else {
            imp_err_t e;
            memset(&e, 0, sizeof e);
            rc = imp_systeminfo_parse(z, n, s, &e);
            line = e.line;
            zWhy = rc ? (e.zReason[0] ? e.zReason : kbs_strerror(rc)) : "";
            if (rc) snprintf(zErr, nErr, "%s:%u: %s", zPath, line, zWhy);
        }
        if (rc) {
            free(s);
            return rc;
        }
        *paSnap = s;
        *pnSnap = 1;
    } else if (k == IMP_KIND_QFE_CSV || k == IMP_KIND_GETHOTFIX_CSV) {
        imp_err_t e;
        memset(&e, 0, sizeof e);
        rc = imp_csv_parse(z, n, paSnap, pnSnap, &e);
        if (rc) {
            snprintf(zErr, nErr, "%s:%u: %s", zPath, e.line,
                     e.zReason[0] ? e.zReason : kbs_strerror(rc));
            return rc;
        }
        if (!*pnSnap) {
            imp_free_snaps(*paSnap, *pnSnap);
            *paSnap = NULL;
            snprintf(zErr, nErr, "%s:0: no host in this hotfix list", zPath);
            return KBS_EPARSE;
        }
    } else {
        snprintf(zErr, nErr, "%s:1: not a kbsentry snapshot, systeminfo output or hotfix CSV",
                 zPath);
        return KBS_EPARSE;
    }
    for (i = 0; i < *pnSnap; i++) {
        if (!(*paSnap)[i].zHost[0] && !(*paSnap)[i].zMachineId[0]) {
            snprintf(zErr, nErr, "%s:0: no host name", zPath);
            imp_free_snaps(*paSnap, *pnSnap);
            *paSnap = NULL;
            *pnSnap = 0;
            return KBS_EPARSE;
        }
    }
    return KBS_OK;
}

int coll_read_input(const char *zPath, size_t nFileMax, snap_t **paSnap, size_t *pnSnap,
                    char *zKind, size_t nKind, uint64_t *pHash, char *zErr, size_t nErr)
{
    char *z = NULL;
    size_t n = 0;
    imp_kind_t k = IMP_KIND_UNKNOWN;
    int rc;

    *paSnap = NULL;
    *pnSnap = 0;
    zErr[0] = 0;
    if (!nFileMax) nFileMax = COLL_FILE_MAX;
    rc = plat_read_file(zPath, nFileMax, &z, &n);
    if (rc == KBS_ETOOBIG) {
        snprintf(zErr, nErr, "%s:0: file too large (the limit is %lu MB)", zPath,
                 (unsigned long)(nFileMax >> 20));
        return rc;
    }
    if (rc) {
        snprintf(zErr, nErr, "%s:0: cannot read: %s", zPath, kbs_strerror(rc));
        return rc;
    }
    if (pHash) *pHash = db_hash64(z, n);
    rc = coll_parse_buf(zPath, z, n, paSnap, pnSnap, &k, zErr, nErr);
    if (zKind) snprintf(zKind, nKind, "%s", imp_kind_name(k));
    free(z);
    return rc;
}

/* ---- progress ---- */

typedef struct coll_progress {
    FILE *f;
    int bOn;                 /* allowed: a terminal and asked for */
    int bShown;
    double t0, tLast;
} coll_progress_t;

static void coll_progress_show(coll_progress_t *p, size_t nDone, size_t nAll)
{
    char zBar[41];
    double t;
    size_t i, nFill;
    if (!p->bOn || !nAll) return;
    t = plat_now_ms();
    /* Nothing for quick runs; then at most ten redraws a second. */
    if (t - p->t0 < 1000.0 || (p->bShown && t - p->tLast < 100.0 && nDone < nAll)) return;
    nFill = nDone * 40 / nAll;
    for (i = 0; i < 40; i++) zBar[i] = i < nFill ? '#' : '.';
    zBar[40] = 0;
    fprintf(p->f, "\rcollect [%s] %lu/%lu files", zBar, (unsigned long)nDone, (unsigned long)nAll);
    fflush(p->f);
    p->bShown = 1;
    p->tLast = t;
}

static void coll_progress_end(coll_progress_t *p)
{
    if (p->bShown) fputs("\n", p->f);
    p->bShown = 0;
}

/* ---- the run ---- */

static int coll_cmp_item(const void *a, const void *b)
{
    return strcmp(((const coll_item_t *)a)->zPath, ((const coll_item_t *)b)->zPath);
}

/* Stores one file's snapshots inside a savepoint: all of them or none. */
static int coll_store(db_t *db, const coll_item_t *it, snap_t *aSnap, size_t nSnap, uint64_t h,
                      const char *zKind, coll_stats_t *pSt, FILE *err)
{
    db_file_t f;
    size_t i;
    int rc;
    size_t aRes[DB_ING_DUPLICATE + 1] = {0};

    if ((rc = db_savepoint(db))) goto fail;
    for (i = 0; i < nSnap; i++) {
        db_ingest_res_t res;
        if ((rc = db_ingest(db, &aSnap[i], it->zPath, it->mtime, &res))) goto undo;
        aRes[res]++;
    }
    f.zPath = it->zPath;
    f.size = it->size;
    f.mtime = it->mtimeNs;
    f.hash = h;
    f.zKind = zKind;
    if ((rc = db_file_record(db, &f))) goto undo;
    if ((rc = db_release(db))) goto fail;
    pSt->nNewHost += aRes[DB_ING_NEW_HOST];
    pSt->nCurrent += aRes[DB_ING_CURRENT];
    pSt->nMerged += aRes[DB_ING_MERGED];
    pSt->nHistory += aRes[DB_ING_HISTORY];
    pSt->nDuplicate += aRes[DB_ING_DUPLICATE];
    pSt->nScan += nSnap;
    return KBS_OK;
undo:
    fprintf(err, "%s:0: not stored: %s (%s)\n", it->zPath, kbs_strerror(rc), db_errmsg(db));
    if (db_rollback_savepoint(db)) return KBS_EDB;
    return rc == KBS_EDB || rc == KBS_ENOMEM ? rc : KBS_EPARSE;
fail:
    fprintf(err, "%s:0: database: %s\n", it->zPath, db_errmsg(db));
    return KBS_EDB;
}

int coll_run(db_t *db, char *const *azPath, size_t nPath, const coll_opts_t *o, coll_stats_t *pSt)
{
    coll_map_t known = {0};
    coll_walk_t w = {0};
    coll_progress_t prog;
    size_t nFileMax = o->nFileMax ? o->nFileMax : COLL_FILE_MAX, i, nInTx = 0;
    double tTx = 0, tStep;
    int rc = KBS_OK, bTx = 0;

    memset(pSt, 0, sizeof *pSt);
    memset(&prog, 0, sizeof prog);
    prog.f = o->err;
    prog.bOn = o->bProgress && plat_isatty(o->err);
    prog.t0 = plat_now_ms();
    w.err = o->err;

    tStep = plat_now_ms();
    if ((rc = db_file_each(db, coll_map_load_cb, &known))) goto out;
    for (i = 0; i < nPath; i++) {
        int r = plat_walk(azPath[i], coll_walk_cb, &w);
        if (r == KBS_ENOMEM) { rc = r; goto out; }
        if (r) {
            fprintf(o->err, "%s:0: cannot read: %s\n", azPath[i], kbs_strerror(r));
            w.nBad++;
        }
    }
    pSt->nBad = w.nBad;
    pSt->nFile = w.n;
    pSt->msWalk = plat_now_ms() - tStep;
    /* Path order: the same inputs give the same history whatever order the paths were given. */
    if (w.n > 1) qsort(w.a, w.n, sizeof *w.a, coll_cmp_item);

    for (i = 0; i < w.n; i++) {
        coll_item_t *it = &w.a[i];
        coll_known_t *k = coll_map_find(&known, it->zPath);
        char *z = NULL, zErr[SNAP_ERR_MAX + 320], zKind[24];
        size_t n = 0, nSnap = 0;
        snap_t *aSnap = NULL;
        imp_kind_t kind = IMP_KIND_UNKNOWN;
        uint64_t h;
        int r;

        coll_progress_show(&prog, i, w.n);
        if (coll_is_db_file(it->zPath, o->zDbPath)) continue;
        if (i && w.a[i - 1].zPath && !strcmp(w.a[i - 1].zPath, it->zPath)) {
            pSt->nUnchanged++; /* the same file named by two paths given */
            continue;
        }
        if (k && k->size == it->size && k->mtime == it->mtimeNs) {
            pSt->nUnchanged++;
            continue;
        }
        if (it->size < 0 || (uint64_t)it->size > (uint64_t)nFileMax) {
            fprintf(o->err, "%s:0: file too large (%lld bytes; the limit is %lu MB)\n", it->zPath,
                    (long long)it->size, (unsigned long)(nFileMax >> 20));
            pSt->nBad++;
            continue;
        }
        tStep = plat_now_ms();
        r = plat_read_file(it->zPath, nFileMax, &z, &n);
        pSt->msRead += plat_now_ms() - tStep;
        if (r) {
            fprintf(o->err, "%s:0: %s\n", it->zPath,
                    r == KBS_ETOOBIG ? "file too large" : kbs_strerror(r));
            pSt->nBad++;
            if (r == KBS_ENOMEM) { rc = r; goto out; }
            continue;
        }
        h = db_hash64(z, n);
        if (!bTx) {
            if ((rc = db_begin(db))) {
                fprintf(o->err, "kbsentry: database: %s\n", db_errmsg(db));
                free(z);
                goto out;
            }
            bTx = 1;
            nInTx = 0;
            tTx = plat_now_ms();
        }
        if (k && k->hash == h) {
            /* Touched or copied again but the same bytes: remember the new size/mtime only. */
            db_file_t f;
            f.zPath = it->zPath;
            f.size = it->size;
            f.mtime = it->mtimeNs;
            f.hash = h;
            f.zKind = "";
            free(z);
            pSt->nUnchanged++;
            if ((rc = db_file_record(db, &f))) {
                fprintf(o->err, "%s:0: database: %s\n", it->zPath, db_errmsg(db));
                goto out;
            }
        } else {
            zErr[0] = 0;
            tStep = plat_now_ms();
            r = coll_parse_buf(it->zPath, z, n, &aSnap, &nSnap, &kind, zErr, sizeof zErr);
            free(z);
            pSt->msParse += plat_now_ms() - tStep;
            if (r == KBS_ENOMEM) { rc = r; goto out; }
            if (r) {
                fprintf(o->err, "%s\n", zErr);
                pSt->nBad++;
                continue;
            }
            snprintf(zKind, sizeof zKind, "%s", imp_kind_name(kind));
            tStep = plat_now_ms();
            r = coll_store(db, it, aSnap, nSnap, h, zKind, pSt, o->err);
            imp_free_snaps(aSnap, nSnap);
            pSt->msStore += plat_now_ms() - tStep;
            if (r == KBS_EDB || r == KBS_ENOMEM) { rc = r; goto out; }
            if (r) {
                pSt->nBad++;
                continue;
            }
            pSt->nRead++;
        }
        if (++nInTx >= COLL_BATCH_FILES || plat_now_ms() - tTx >= COLL_BATCH_MS) {
            tStep = plat_now_ms();
            rc = db_commit(db);
            pSt->msCommit += plat_now_ms() - tStep;
            if (rc) {
                fprintf(o->err, "kbsentry: database: %s\n", db_errmsg(db));
                goto out;
            }
            bTx = 0;
        }
    }
    if (bTx) {
        if ((rc = db_commit(db))) {
            fprintf(o->err, "kbsentry: database: %s\n", db_errmsg(db));
            goto out;
        }
        bTx = 0;
    }
    coll_progress_show(&prog, w.n, w.n);
    rc = pSt->nBad ? KBS_EPARSE : KBS_OK;
out:
    coll_progress_end(&prog);
    if (bTx) db_rollback(db);
    for (i = 0; i < w.n; i++) free(w.a[i].zPath);
    free(w.a);
    coll_map_free(&known);
    return rc;
}
