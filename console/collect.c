/* collect.c: walks input paths, skips unchanged files, parses the rest by content and stores them. */
#include "collect.h"

#include <stdlib.h>
#include <string.h>

#include "coll_stem.h"
#include "imp.h"
#include "kbs_err.h"
#include "plat.h"
#include "prog.h"

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
    size_t nDirErr, nLink;   /* folders not read completely; links not followed */
    size_t nSkipped;         /* not inputs by name */
} coll_walk_t;

/* 1 for c an ASCII hex digit. */
static int coll_is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 1 for the agent's file in flight (or left by a killed write), renamed over <HOST>.kbs when
 * whole: "<HOST>.kbs.tmp<pid>-<16 hex digits>" (service/win_out.c), and the older forms
 * "<HOST>.kbs.tmp<pid>" and "<HOST>.kbs.tmp<pid>-<n>". Reading it would report a torn file. */
static int coll_is_agent_temp(const char *zBase)
{
    const char *p = strstr(zBase, ".kbs.tmp");
    size_t n;
    if (!p) return 0;
    p += 8;
    for (n = 0; p[n] >= '0' && p[n] <= '9'; n++) {
    }
    if (n < 1 || n > 10) return 0; /* the pid: a DWORD */
    p += n;
    if (!*p) return 1;
    if (*p++ != '-') return 0;
    for (n = 0; coll_is_hex(p[n]); n++) {
    }
    return n >= 1 && n <= 16 && !p[n];
}

/* ASCII case-insensitive equality (Windows names). */
static int coll_name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y) return 0;
    }
    return *a == *b;
}

int coll_not_input(const char *zPath)
{
    static const char *const azName[] = {"desktop.ini", "thumbs.db", ".ds_store"};
    const char *z = zPath, *p;
    size_t i;
    for (p = zPath; *p; p++)
        if (*p == '/' || *p == '\\') z = p + 1;
    for (i = 0; i < sizeof azName / sizeof azName[0]; i++)
        if (coll_name_eq(z, azName[i])) return 1;
    /* Office's owner file beside an open document; a Mac's AppleDouble twin of a copied file */
    if ((z[0] == '~' && z[1] == '$') || (z[0] == '.' && z[1] == '_')) return 1;
    return coll_is_agent_temp(z);
}

static int coll_walk_cb(void *pCtx, const char *zPath, const plat_stat_t *pSt, int rc)
{
    coll_walk_t *w = pCtx;
    coll_item_t *p;
    if (!rc && pSt && !pSt->isDir && coll_not_input(zPath)) {
        w->nSkipped++;
        return KBS_OK;
    }
    if (rc && pSt && pSt->isDir && rc == KBS_EUNSUPPORTED) {
        fprintf(w->err, "%s: not followed: a link to a folder (not a DFS link or mount point)\n",
                zPath);
        w->nLink++;
        return KBS_OK;
    }
    if (rc && pSt && pSt->isDir) {
        /* The files of this folder were not all seen: the collect is incomplete. */
        fprintf(w->err, "%s: folder not read completely: %s\n", zPath, kbs_strerror(rc));
        w->nDirErr++;
        return KBS_OK;
    }
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
    if (k == IMP_KIND_SNAPSHOT) {
        snap_t *s = calloc(1, sizeof *s);
        snap_err_t e;
        if (!s) return KBS_ENOMEM;
        memset(&e, 0, sizeof e);
        rc = snap_parse(z, n, s, &e);
        if (rc) {
            snprintf(zErr, nErr, "%s:%u: %s", zPath, e.line,
                     e.zReason[0] ? e.zReason : kbs_strerror(rc));
            free(s);
            return rc;
        }
        *paSnap = s;
        *pnSnap = 1;
    } else if (k == IMP_KIND_SYSTEMINFO) {
        imp_err_t e;
        memset(&e, 0, sizeof e);
        rc = imp_systeminfo_parse_all(z, n, paSnap, pnSnap, &e);
        if (rc) {
            snprintf(zErr, nErr, "%s:%u: %s", zPath, e.line,
                     e.zReason[0] ? e.zReason : kbs_strerror(rc));
            return rc;
        }
    } else if (k == IMP_KIND_QFE_CSV || k == IMP_KIND_GETHOTFIX_CSV ||
               k == IMP_KIND_HOTFIX_TABLE) {
        imp_err_t e;
        memset(&e, 0, sizeof e);
        rc = k == IMP_KIND_HOTFIX_TABLE ? imp_table_parse(z, n, paSnap, pnSnap, &e)
                                        : imp_csv_parse(z, n, paSnap, pnSnap, &e);
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
    /* A paste without its Host Name line, or a table without a Source column, still holds
     * that machine's facts: it is named by the file it came in, which no other host shares. */
    for (i = 0; i < *pnSnap; i++)
        if (!(*paSnap)[i].zHost[0] && !(*paSnap)[i].zMachineId[0])
            snap_copy_field((*paSnap)[i].zHost, SNAP_HOST_MAX, zPath);
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

/* ---- the run ---- */

static int coll_cmp_item(const void *a, const void *b)
{
    return strcmp(((const coll_item_t *)a)->zPath, ((const coll_item_t *)b)->zPath);
}

/* ---- the pipeline: worker threads read, hash, parse and prepare files (verdicts included)
 * while the main thread stores the ones before them, in path order ---- */

#define COLL_RING 96         /* files prepared (or held by the open group) ahead of the store */
#define COLL_WORKERS_MAX 8
/* Files stored under one savepoint (a savepoint per file cost a tenth of the storing thread's
 * instructions, mostly sub-journal copies of the same hot pages). Their slots are held until the
 * group ends, so that a failure can roll the group back and store its files again one by one;
 * the workers keep COLL_RING - COLL_GROUP slots to fill ahead. */
#define COLL_GROUP 32

/* A file to read: the walk's item and what the database knew of it. */
typedef struct coll_job {
    coll_item_t *it;
    int bKnown;
    uint64_t knownHash;
    const coll_stem_t *aSib; /* the files sharing its folder and file-name stem */
    size_t nSib;
} coll_job_t;

/* A worker's result for one file; slot i % COLL_RING holds job i. */
typedef struct coll_slot {
    plat_sem_t *pDone;       /* posted by the worker when the slot is filled */
    int bFilled;
    int rc;                  /* KBS_OK, or the error zErr describes */
    int bSame;               /* the bytes are those recorded: nothing to parse */
    uint64_t hash;
    imp_kind_t kind;
    snap_t *aSnap;
    size_t nSnap;
    db_prep_t **apPrep;      /* reused: grows to the most snapshots one file gave */
    size_t nPrep;
    double msRead, msParse;
    char zErr[SNAP_ERR_MAX + 320];
    int bStemJoined;         /* a host-less hotfix list named after the systeminfo beside it */
    char zNote[1400];        /* what was decided about such a list, or "" */
} coll_slot_t;

typedef struct coll_pipe {
    coll_job_t *aJob;
    size_t nJob;
    size_t nFileMax;
    const cat_t *cat;
    plat_mutex_t *pMu;       /* guards iNext and bStop */
    size_t iNext;
    int bStop;
    plat_sem_t *pFree;       /* slots the workers may fill */
    coll_slot_t aSlot[COLL_RING];
    plat_thread_t *apThread[COLL_WORKERS_MAX];
    size_t nThread;
} coll_pipe_t;

static void coll_slot_clear(coll_slot_t *sl)
{
    imp_free_snaps(sl->aSnap, sl->nSnap);
    sl->aSnap = NULL;
    sl->nSnap = 0;
    sl->bFilled = 0;
}

/* Reads, hashes, parses and prepares job j into sl (a worker thread). */
static void coll_work(coll_pipe_t *p, const coll_job_t *j, coll_slot_t *sl, char **pzBuf,
                      size_t *pnCap)
{
    const char *zPath = j->it->zPath;
    size_t n = 0, i;
    double t = plat_now_ms();
    int r;

    sl->rc = KBS_OK;
    sl->bSame = 0;
    sl->kind = IMP_KIND_UNKNOWN;
    sl->zErr[0] = 0;
    sl->msParse = 0;
    r = plat_read_file_buf(zPath, p->nFileMax, pzBuf, pnCap, &n);
    sl->msRead = plat_now_ms() - t;
    if (r) {
        sl->rc = r;
        snprintf(sl->zErr, sizeof sl->zErr, "%s:0: %s", zPath,
                 r == KBS_ETOOBIG ? "file too large" : kbs_strerror(r));
        return;
    }
    t = plat_now_ms();
    sl->hash = db_hash64(*pzBuf, n);
    if (j->bKnown && j->knownHash == sl->hash) {
        sl->bSame = 1;
        sl->msParse = plat_now_ms() - t;
        return;
    }
    r = coll_parse_buf(zPath, *pzBuf, n, &sl->aSnap, &sl->nSnap, &sl->kind, sl->zErr,
                       sizeof sl->zErr);
    sl->bStemJoined = 0;
    sl->zNote[0] = 0;
    if (!r && sl->nSnap == 1 && sl->kind != IMP_KIND_SNAPSHOT && sl->kind != IMP_KIND_SYSTEMINFO) {
        r = coll_stem_join(j->aSib, j->nSib, zPath, p->nFileMax, &sl->aSnap[0], sl->zNote,
                           sizeof sl->zNote);
        sl->bStemJoined = r == 1;
        if (r == 1) r = KBS_OK;
    }
    if (!r && sl->nSnap > sl->nPrep) {
        db_prep_t **a = realloc(sl->apPrep, sl->nSnap * sizeof *a);
        if (!a) {
            r = KBS_ENOMEM;
        } else {
            sl->apPrep = a;
            for (; sl->nPrep < sl->nSnap; sl->nPrep++)
                if (!(a[sl->nPrep] = db_prep_new())) { r = KBS_ENOMEM; break; }
        }
    }
    for (i = 0; !r && i < sl->nSnap; i++) r = db_prep_make(sl->apPrep[i], p->cat, &sl->aSnap[i]);
    if (r == KBS_ENOMEM) snprintf(sl->zErr, sizeof sl->zErr, "%s:0: %s", zPath, kbs_strerror(r));
    sl->rc = r;
    sl->msParse = plat_now_ms() - t;
}

static void coll_worker(void *pArg)
{
    coll_pipe_t *p = pArg;
    char *zBuf = NULL;
    size_t nCap = 0;
    for (;;) {
        size_t i;
        plat_sem_wait(p->pFree);
        plat_mutex_lock(p->pMu);
        if (p->bStop || p->iNext >= p->nJob) {
            plat_mutex_unlock(p->pMu);
            plat_sem_post(p->pFree, 1); /* wakes the next worker to see the end too */
            break;
        }
        i = p->iNext++;
        plat_mutex_unlock(p->pMu);
        coll_work(p, &p->aJob[i], &p->aSlot[i % COLL_RING], &zBuf, &nCap);
        p->aSlot[i % COLL_RING].bFilled = 1;
        plat_sem_post(p->aSlot[i % COLL_RING].pDone, 1);
    }
    free(zBuf);
}

/* snap_parse sets up its tables on first use: do that once here, before threads share it. */
static int coll_parser_warm_up(void)
{
    snap_t s, t;
    snap_err_t e;
    char *z = NULL;
    size_t n = 0;
    int rc;
    snap_init(&s);
    snap_init(&t);
    snprintf(s.zHost, sizeof s.zHost, "%s", "WARMUP");
    s.scanTime = 1;
    rc = snap_write(&s, &z, &n);
    memset(&e, 0, sizeof e);
    if (!rc) rc = snap_parse(z, n, &t, &e);
    free(z);
    snap_release(&s);
    snap_release(&t);
    return rc;
}

/* Stops the workers (after an error or at the end), joins them and frees the pipeline. */
static void coll_pipe_end(coll_pipe_t *p)
{
    size_t i;
    if (p->pMu) {
        plat_mutex_lock(p->pMu);
        p->bStop = 1;
        plat_mutex_unlock(p->pMu);
    }
    if (p->pFree) plat_sem_post(p->pFree, (unsigned)p->nThread + 1);
    for (i = 0; i < p->nThread; i++) plat_thread_join(p->apThread[i]);
    p->nThread = 0;
    for (i = 0; i < COLL_RING; i++) {
        coll_slot_t *sl = &p->aSlot[i];
        size_t k;
        coll_slot_clear(sl);
        for (k = 0; k < sl->nPrep; k++) db_prep_free(sl->apPrep[k]);
        free(sl->apPrep);
        plat_sem_free(sl->pDone);
    }
    plat_sem_free(p->pFree);
    plat_mutex_free(p->pMu);
    free(p->aJob);
    memset(p, 0, sizeof *p);
}

static int coll_pipe_start(coll_pipe_t *p, size_t nWorker)
{
    size_t i;
    int rc;
    if ((rc = plat_mutex_new(&p->pMu)) || (rc = plat_sem_new(&p->pFree, COLL_RING))) return rc;
    for (i = 0; i < COLL_RING; i++)
        if ((rc = plat_sem_new(&p->aSlot[i].pDone, 0))) return rc;
    if (nWorker > 1 && coll_parser_warm_up()) nWorker = 1;
    if (nWorker > COLL_WORKERS_MAX) nWorker = COLL_WORKERS_MAX;
    for (i = 0; i < nWorker; i++) {
        if ((rc = plat_thread_start(&p->apThread[i], coll_worker, p))) return rc;
        p->nThread++;
    }
    return KBS_OK;
}

/* Worker threads for n files: twice the processors, at least four. Reading waits on the disk, a
 * USB stick or a share more than it computes: with the page cache dropped, four workers took a
 * cold collect of 35,640 files on two processors from 3.4 s to 2.5 s, and cost nothing when the
 * files are cached. */
static size_t coll_workers_for(const coll_opts_t *o, size_t nJob)
{
    size_t n = o->nWorker;
    if (!n) {
        n = (size_t)plat_ncpu() * 2;
        if (n < 4) n = 4;
    }
    if (n > COLL_WORKERS_MAX) n = COLL_WORKERS_MAX;
    if (n > nJob) n = nJob ? nJob : 1;
    return n;
}

/* Stores one file (its snapshots, or only its new size and mtime when the bytes are those
 * recorded). Alone, the file has its own savepoint (all of it or none) and a failure is reported
 * "PATH:0: reason". Not alone, the caller's group savepoint covers it and a failure is only
 * returned: the caller rolls the group back and stores its files again one by one, alone. */
static int coll_store(db_t *db, const coll_item_t *it, const coll_slot_t *sl, int bAlone,
                      coll_stats_t *pSt, FILE *err)
{
    db_file_t f;
    size_t i;
    int rc;
    size_t aRes[DB_ING_APART + 1] = {0};
    char zKind[24];

    f.zPath = it->zPath;
    f.size = it->size;
    f.mtime = it->mtimeNs;
    f.hash = sl->hash;
    if (sl->bSame) {
        /* Touched or copied again but the same bytes: one statement, atomic on its own. */
        f.zKind = "";
        if ((rc = db_file_record(db, &f))) {
            if (bAlone) fprintf(err, "%s:0: database: %s\n", it->zPath, db_errmsg(db));
            return rc == KBS_ENOMEM ? rc : KBS_EDB;
        }
        pSt->nUnchanged++;
        return KBS_OK;
    }
    snprintf(zKind, sizeof zKind, "%s", imp_kind_name(sl->kind));
    f.zKind = zKind;
    if (bAlone && (rc = db_savepoint(db))) goto fail;
    for (i = 0; i < sl->nSnap; i++) {
        db_ingest_res_t res;
        if ((rc = db_ingest_prep(db, &sl->aSnap[i], sl->apPrep[i], it->zPath, it->mtime, &res)))
            goto undo;
        aRes[res]++;
        /* A scan kept apart (or scans detached from a host): said once, with the file. */
        if (db_ingest_note(db)[0]) fprintf(err, "%s: %s\n", it->zPath, db_ingest_note(db));
    }
    if ((rc = db_file_record(db, &f))) goto undo;
    if (bAlone && (rc = db_release(db))) goto fail;
    pSt->nNewHost += aRes[DB_ING_NEW_HOST];
    pSt->nCurrent += aRes[DB_ING_CURRENT];
    pSt->nMerged += aRes[DB_ING_MERGED];
    pSt->nHistory += aRes[DB_ING_HISTORY];
    pSt->nDuplicate += aRes[DB_ING_DUPLICATE];
    pSt->nApart += aRes[DB_ING_APART];
    pSt->nScan += sl->nSnap;
    pSt->nRead++;
    return KBS_OK;
undo:
    if (!bAlone) {
        /* SQLite undid the whole transaction itself (a full disk): the group cannot be
         * replayed; say why here, where the cause is known. */
        if (rc == KBS_EDB && !db_in_transaction(db))
            fprintf(err, "%s:0: not stored: %s (%s); the open batch was undone\n", it->zPath,
                    kbs_strerror(rc), db_errmsg(db));
        return rc ? rc : KBS_EDB;
    }
    /* SQLite's message only for a database error: after another one it is a stale one. */
    if (rc == KBS_EDB)
        fprintf(err, "%s:0: not stored: %s (%s)\n", it->zPath, kbs_strerror(rc), db_errmsg(db));
    else
        fprintf(err, "%s:0: not stored: %s\n", it->zPath, kbs_strerror(rc));
    if (db_rollback_savepoint(db)) return KBS_EDB;
    return rc == KBS_EDB || rc == KBS_ENOMEM ? rc : KBS_EPARSE;
fail:
    if (!bAlone) return KBS_EDB;
    fprintf(err, "%s:0: database: %s\n", it->zPath, db_errmsg(db));
    return KBS_EDB;
}

/* Ends the group of jobs [i0, iEnd) stored under one savepoint: releases it and counts gs, or,
 * when a file failed (bFailed), rolls the group back and stores each of its files again alone,
 * so that only the bad one is reported and left out. Returns KBS_OK or a fatal error. */
static int coll_group_end(db_t *db, const coll_pipe_t *p, size_t i0, size_t iEnd, int bFailed,
                          const coll_stats_t *gs, coll_stats_t *pSt, FILE *err)
{
    size_t k;
    if (bFailed && !db_in_transaction(db)) return KBS_EDB; /* reported by coll_store */
    if (!bFailed) {
        if (db_release(db)) {
            fprintf(err, "kbsentry: database: %s\n", db_errmsg(db));
            return KBS_EDB;
        }
        pSt->nUnchanged += gs->nUnchanged;
        pSt->nRead += gs->nRead;
        pSt->nScan += gs->nScan;
        pSt->nNewHost += gs->nNewHost;
        pSt->nCurrent += gs->nCurrent;
        pSt->nMerged += gs->nMerged;
        pSt->nHistory += gs->nHistory;
        pSt->nDuplicate += gs->nDuplicate;
        pSt->nApart += gs->nApart;
        return KBS_OK;
    }
    if (db_rollback_savepoint(db)) {
        fprintf(err, "kbsentry: database: %s\n", db_errmsg(db));
        return KBS_EDB;
    }
    for (k = i0; k < iEnd; k++) {
        const coll_slot_t *sl = &p->aSlot[k % COLL_RING];
        int r;
        if (sl->rc) continue; /* unreadable or bad: already reported */
        r = coll_store(db, p->aJob[k].it, sl, 1, pSt, err);
        if (r == KBS_EDB || r == KBS_ENOMEM) return r;
        if (r) pSt->nBad++;
    }
    return KBS_OK;
}

/* Takes back from *pSt what was counted as stored since *pBefore (a transaction rolled back). */
static void coll_uncount(coll_stats_t *pSt, const coll_stats_t *pBefore)
{
    pSt->nLost += pSt->nRead - pBefore->nRead;
    pSt->nRead = pBefore->nRead;
    pSt->nScan = pBefore->nScan;
    pSt->nNewHost = pBefore->nNewHost;
    pSt->nCurrent = pBefore->nCurrent;
    pSt->nMerged = pBefore->nMerged;
    pSt->nHistory = pBefore->nHistory;
    pSt->nDuplicate = pBefore->nDuplicate;
    pSt->nApart = pBefore->nApart;
    pSt->nStemJoined = pBefore->nStemJoined;
}

int coll_run(db_t *db, char *const *azPath, size_t nPath, const coll_opts_t *o, coll_stats_t *pSt)
{
    coll_map_t known = {0};
    coll_walk_t w = {0};
    coll_stems_t stems = {0};
    prog_t prog;
    coll_pipe_t pipe;
    coll_stats_t gs, stTx;
    size_t nFileMax = o->nFileMax ? o->nFileMax : COLL_FILE_MAX, i, nInTx = 0, nSkip = 0;
    size_t iGroup = 0, iHeld = 0, nBatch = 0;
    double tTx = 0, tStep;
    int rc = KBS_OK, bTx = 0, bGroup = 0, bFailed = 0;

    memset(pSt, 0, sizeof *pSt);
    memset(&stTx, 0, sizeof stTx);
    memset(&pipe, 0, sizeof pipe);
    prog_init(&prog, o->err, o->bProgress, "collect", "files");
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
    pSt->nDirErr = w.nDirErr;
    pSt->nLinkSkipped = w.nLink;
    pSt->nSkipped = w.nSkipped;
    pSt->nFile = w.n;
    /* Path order: the same inputs give the same history whatever order the paths were given. */
    if (w.n > 1) qsort(w.a, w.n, sizeof *w.a, coll_cmp_item);

    /* Every file's folder and file-name stem: a hotfix list without a host name is joined to
     * the one systeminfo beside it that shares its stem (read or not in this run). */
    if (w.n) {
        char **azAll = malloc(w.n * sizeof *azAll);
        if (!azAll) { rc = KBS_ENOMEM; goto out; }
        for (i = 0; i < w.n; i++) azAll[i] = w.a[i].zPath;
        rc = coll_stems_build(&stems, azAll, w.n);
        free(azAll);
        if (rc) goto out;
    }
    /* What needs reading: not the database, not a path given twice, not unchanged. */
    if (w.n && !(pipe.aJob = malloc(w.n * sizeof *pipe.aJob))) { rc = KBS_ENOMEM; goto out; }
    for (i = 0; i < w.n; i++) {
        coll_item_t *it = &w.a[i];
        coll_known_t *k = coll_map_find(&known, it->zPath);
        coll_job_t *j;
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
        j = &pipe.aJob[pipe.nJob++];
        j->it = it;
        j->bKnown = k != NULL;
        j->knownHash = k ? k->hash : 0;
        coll_stems_find(&stems, it->zPath, &j->aSib, &j->nSib);
    }
    nSkip = w.n - pipe.nJob;
    pSt->msWalk = plat_now_ms() - tStep;
    if (!pipe.nJob) goto done;

    pipe.nFileMax = nFileMax;
    pipe.cat = db_catalog(db);
    if ((rc = coll_pipe_start(&pipe, coll_workers_for(o, pipe.nJob)))) goto out;
    for (i = 0; i < pipe.nJob; i++) {
        coll_slot_t *sl = &pipe.aSlot[i % COLL_RING];
        int bDue = 0;

        prog_show(&prog, nSkip + i, w.n);
        tStep = plat_now_ms();
        plat_sem_wait(sl->pDone);
        pSt->msWait += plat_now_ms() - tStep;
        pSt->msRead += sl->msRead;
        pSt->msParse += sl->msParse;
        if (sl->rc) {
            fprintf(o->err, "%s\n", sl->zErr);
            pSt->nBad++;
            if (sl->rc == KBS_ENOMEM) { rc = sl->rc; goto out; }
        } else {
            if (!bTx) {
                if (o->fnBatch) o->fnBatch(o->pBatchCtx, nBatch);
                nBatch++;
                if ((rc = db_begin(db))) {
                    fprintf(o->err, "kbsentry: database: %s\n", db_errmsg(db));
                    goto out;
                }
                bTx = 1;
                stTx = *pSt;
                /* Inside the write lock: the verdicts about to be stored are the stored
                 * catalog's, under the rule ids mapped at the start. */
                if ((rc = db_catalog_check(db))) {
                    if (rc == KBS_ECONFLICT)
                        fprintf(o->err, "kbsentry: the database's catalog was changed (kbsentry "
                                        "recompute) while this collect ran: stopped before storing "
                                        "more; run the collect again\n");
                    else
                        fprintf(o->err, "kbsentry: database: %s\n", db_errmsg(db));
                    goto out;
                }
                nInTx = 0;
                tTx = plat_now_ms();
            }
            if (sl->zNote[0]) fprintf(o->err, "%s\n", sl->zNote);
            if (sl->bStemJoined) pSt->nStemJoined++;
            tStep = plat_now_ms();
            if (!bGroup) {
                if ((rc = db_savepoint(db))) {
                    fprintf(o->err, "kbsentry: database: %s\n", db_errmsg(db));
                    goto out;
                }
                bGroup = 1;
                iGroup = i;
                memset(&gs, 0, sizeof gs);
            }
            if (coll_store(db, pipe.aJob[i].it, sl, 0, &gs, o->err)) bFailed = 1;
            pSt->msStore += plat_now_ms() - tStep;
            bDue = ++nInTx >= (o->nBatchFiles ? o->nBatchFiles : COLL_BATCH_FILES) ||
                   plat_now_ms() - tTx >= COLL_BATCH_MS;
        }
        if (bGroup && (bDue || bFailed || i + 1 == pipe.nJob || i + 1 - iGroup >= COLL_GROUP)) {
            tStep = plat_now_ms();
            rc = coll_group_end(db, &pipe, iGroup, i + 1, bFailed, &gs, pSt, o->err);
            pSt->msStore += plat_now_ms() - tStep;
            bGroup = bFailed = 0;
            if (rc) goto out;
        }
        if (bDue) {
            tStep = plat_now_ms();
            rc = db_commit(db);
            pSt->msCommit += plat_now_ms() - tStep;
            if (rc) {
                fprintf(o->err, "kbsentry: database: %s\n", db_errmsg(db));
                goto out;
            }
            bTx = 0;
        }
        /* The slots of an open group stay held: a failure in it replays them. */
        for (; !bGroup && iHeld <= i; iHeld++) {
            coll_slot_clear(&pipe.aSlot[iHeld % COLL_RING]);
            plat_sem_post(pipe.pFree, 1);
        }
    }
    if (bTx) {
        tStep = plat_now_ms();
        rc = db_commit(db);
        pSt->msCommit += plat_now_ms() - tStep;
        if (rc) {
            fprintf(o->err, "kbsentry: database: %s\n", db_errmsg(db));
            goto out;
        }
        bTx = 0;
    }
done:
    prog_show(&prog, w.n, w.n);
    rc = pSt->nBad || pSt->nDirErr ? KBS_EPARSE : KBS_OK;
out:
    coll_pipe_end(&pipe);
    prog_end(&prog);
    if (bTx) {
        /* The open transaction is undone (a full disk fails its commit): what it stored is
         * not stored, and the counts must not say otherwise. */
        db_rollback(db);
        coll_uncount(pSt, &stTx);
    }
    coll_stems_release(&stems);
    for (i = 0; i < w.n; i++) free(w.a[i].zPath);
    free(w.a);
    coll_map_free(&known);
    return rc;
}
