/* plat_posix.c: console platform layer for Linux and other POSIX systems. */
#define _POSIX_C_SOURCE 200809L
#include "plat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kbs_err.h"

void plat_console_init(void)
{
}

static int plat_errno_rc(int e)
{
    switch (e) {
    case ENOENT: case ENOTDIR: return KBS_ENOTFOUND;
    case EACCES: case EPERM: return KBS_EACCESS;
    case ENOMEM: return KBS_ENOMEM;
    default: return KBS_EIO;
    }
}

static void plat_fill(const struct stat *st, plat_stat_t *p)
{
    p->isDir = S_ISDIR(st->st_mode) ? 1 : 0;
    p->size = (int64_t)st->st_size;
    p->mtime = (int64_t)st->st_mtime;
    p->mtimeNs = (int64_t)st->st_mtim.tv_sec * 1000000000 + (int64_t)st->st_mtim.tv_nsec;
}

int plat_stat(const char *zPath, plat_stat_t *pSt)
{
    struct stat st;
    if (stat(zPath, &st) != 0) return plat_errno_rc(errno);
    plat_fill(&st, pSt);
    return KBS_OK;
}

static int plat_cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walks one directory; zPath is a buffer of nCap bytes holding the directory's path (nLen). */
static int plat_walk_dir(char **pzPath, size_t *pnCap, size_t nLen, plat_walk_fn fn, void *pCtx)
{
    DIR *d = NULL;
    struct dirent *e;
    char **azName = NULL;
    size_t nName = 0, nAlloc = 0, i;
    int rc = KBS_OK;

    d = opendir(*pzPath);
    if (!d) return fn(pCtx, *pzPath, NULL, plat_errno_rc(errno));
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (nName == nAlloc) {
            size_t nNew = nAlloc ? nAlloc * 2 : 64;
            char **az = realloc(azName, nNew * sizeof *az);
            if (!az) { rc = KBS_ENOMEM; goto out; }
            azName = az;
            nAlloc = nNew;
        }
        if (!(azName[nName] = strdup(e->d_name))) { rc = KBS_ENOMEM; goto out; }
        nName++;
    }
    closedir(d);
    d = NULL;
    /* Name order makes runs reproducible (readdir order depends on the file system). */
    if (nName) qsort(azName, nName, sizeof *azName, plat_cmp_name);
    for (i = 0; i < nName && rc == KBS_OK; i++) {
        size_t nSub = strlen(azName[i]), nNeed = nLen + 1 + nSub + 1;
        struct stat st;
        plat_stat_t ps;
        if (nNeed > *pnCap) {
            size_t nNew = nNeed * 2;
            char *z = realloc(*pzPath, nNew);
            if (!z) { rc = KBS_ENOMEM; break; }
            *pzPath = z;
            *pnCap = nNew;
        }
        if (nLen && (*pzPath)[nLen - 1] == '/') {
            memcpy(*pzPath + nLen, azName[i], nSub + 1);
            nNeed = nLen + nSub;
        } else {
            (*pzPath)[nLen] = '/';
            memcpy(*pzPath + nLen + 1, azName[i], nSub + 1);
            nNeed = nLen + 1 + nSub;
        }
        if (lstat(*pzPath, &st) != 0) {
            rc = fn(pCtx, *pzPath, NULL, plat_errno_rc(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = plat_walk_dir(pzPath, pnCap, nNeed, fn, pCtx);
        } else if (S_ISLNK(st.st_mode)) {
            /* A link to a file is read; a link to a directory is not followed (no loops). */
            if (stat(*pzPath, &st) == 0 && S_ISREG(st.st_mode)) {
                plat_fill(&st, &ps);
                rc = fn(pCtx, *pzPath, &ps, KBS_OK);
            }
        } else if (S_ISREG(st.st_mode)) {
            plat_fill(&st, &ps);
            rc = fn(pCtx, *pzPath, &ps, KBS_OK);
        }
        (*pzPath)[nLen] = 0;
    }
out:
    if (d) closedir(d);
    for (i = 0; i < nName; i++) free(azName[i]);
    free(azName);
    return rc;
}

int plat_walk(const char *zRoot, plat_walk_fn fn, void *pCtx)
{
    plat_stat_t ps;
    char *zPath;
    size_t nLen = strlen(zRoot), nCap = nLen + 256;
    int rc = plat_stat(zRoot, &ps);
    if (rc) return rc;
    if (!ps.isDir) return fn(pCtx, zRoot, &ps, KBS_OK);
    if (!(zPath = malloc(nCap))) return KBS_ENOMEM;
    memcpy(zPath, zRoot, nLen + 1);
    rc = plat_walk_dir(&zPath, &nCap, nLen, fn, pCtx);
    free(zPath);
    return rc;
}

int plat_read_file_buf(const char *zPath, size_t nMax, char **pzBuf, size_t *pnCap, size_t *pnOut)
{
    struct stat st;
    size_t nGot = 0;
    int fd = -1, rc = KBS_OK;

    *pnOut = 0;
    fd = open(zPath, O_RDONLY);
    if (fd < 0) return plat_errno_rc(errno);
    if (fstat(fd, &st) != 0) { rc = plat_errno_rc(errno); goto out; }
    if (S_ISDIR(st.st_mode)) { rc = KBS_EIO; goto out; }
    if (st.st_size < 0 || (uint64_t)st.st_size > (uint64_t)nMax) { rc = KBS_ETOOBIG; goto out; }
    if (!*pzBuf || *pnCap < (size_t)st.st_size + 1) {
        char *z = realloc(*pzBuf, (size_t)st.st_size + 1);
        if (!z) { rc = KBS_ENOMEM; goto out; }
        *pzBuf = z;
        *pnCap = (size_t)st.st_size + 1;
    }
    while (nGot < (size_t)st.st_size) {
        ssize_t n = read(fd, *pzBuf + nGot, (size_t)st.st_size - nGot);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { rc = plat_errno_rc(errno); goto out; }
        if (n == 0) break; /* shrank while we read: take what is there, the parser judges it */
        nGot += (size_t)n;
    }
    (*pzBuf)[nGot] = 0;
    *pnOut = nGot;
out:
    if (fd >= 0) close(fd);
    return rc;
}

int plat_mkdir(const char *zPath)
{
    struct stat st;
    if (mkdir(zPath, 0777) == 0) return KBS_OK;
    if (errno == EEXIST && stat(zPath, &st) == 0 && S_ISDIR(st.st_mode)) return KBS_OK;
    return plat_errno_rc(errno);
}

FILE *plat_fopen(const char *zPath, const char *zMode)
{
    return fopen(zPath, zMode);
}

int plat_isatty(FILE *f)
{
    return isatty(fileno(f)) ? 1 : 0;
}

double plat_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int64_t plat_time(void)
{
    return (int64_t)time(NULL);
}

char *plat_getenv(const char *zName)
{
    const char *z = getenv(zName);
    return z ? strdup(z) : NULL;
}

int plat_ncpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

struct plat_thread {
    pthread_t t;
    void (*fn)(void *);
    void *pArg;
};

static void *plat_thread_main(void *p)
{
    plat_thread_t *t = p;
    t->fn(t->pArg);
    return NULL;
}

int plat_thread_start(plat_thread_t **ppT, void (*fn)(void *), void *pArg)
{
    plat_thread_t *t = calloc(1, sizeof *t);
    *ppT = NULL;
    if (!t) return KBS_ENOMEM;
    t->fn = fn;
    t->pArg = pArg;
    if (pthread_create(&t->t, NULL, plat_thread_main, t) != 0) {
        free(t);
        return KBS_ENOMEM;
    }
    *ppT = t;
    return KBS_OK;
}

void plat_thread_join(plat_thread_t *t)
{
    if (!t) return;
    pthread_join(t->t, NULL);
    free(t);
}

struct plat_mutex {
    pthread_mutex_t m;
};

int plat_mutex_new(plat_mutex_t **ppM)
{
    plat_mutex_t *m = calloc(1, sizeof *m);
    *ppM = NULL;
    if (!m) return KBS_ENOMEM;
    if (pthread_mutex_init(&m->m, NULL) != 0) {
        free(m);
        return KBS_ENOMEM;
    }
    *ppM = m;
    return KBS_OK;
}

void plat_mutex_free(plat_mutex_t *m)
{
    if (!m) return;
    pthread_mutex_destroy(&m->m);
    free(m);
}

void plat_mutex_lock(plat_mutex_t *m) { pthread_mutex_lock(&m->m); }
void plat_mutex_unlock(plat_mutex_t *m) { pthread_mutex_unlock(&m->m); }

/* A mutex and a condition variable rather than sem_t: unnamed POSIX semaphores are not
 * everywhere (macOS). */
struct plat_sem {
    pthread_mutex_t m;
    pthread_cond_t c;
    unsigned n;
};

int plat_sem_new(plat_sem_t **ppS, unsigned nInit)
{
    plat_sem_t *s = calloc(1, sizeof *s);
    *ppS = NULL;
    if (!s) return KBS_ENOMEM;
    if (pthread_mutex_init(&s->m, NULL) != 0) {
        free(s);
        return KBS_ENOMEM;
    }
    if (pthread_cond_init(&s->c, NULL) != 0) {
        pthread_mutex_destroy(&s->m);
        free(s);
        return KBS_ENOMEM;
    }
    s->n = nInit;
    *ppS = s;
    return KBS_OK;
}

void plat_sem_free(plat_sem_t *s)
{
    if (!s) return;
    pthread_cond_destroy(&s->c);
    pthread_mutex_destroy(&s->m);
    free(s);
}

void plat_sem_wait(plat_sem_t *s)
{
    pthread_mutex_lock(&s->m);
    while (!s->n) pthread_cond_wait(&s->c, &s->m);
    s->n--;
    pthread_mutex_unlock(&s->m);
}

void plat_sem_post(plat_sem_t *s, unsigned n)
{
    pthread_mutex_lock(&s->m);
    s->n += n;
    if (n == 1)
        pthread_cond_signal(&s->c);
    else
        pthread_cond_broadcast(&s->c);
    pthread_mutex_unlock(&s->m);
}

int plat_write_atomic(const char *zPath, const void *p, size_t n)
{
    size_t nPath = strlen(zPath);
    char *zTmp = malloc(nPath + 32);
    int fd = -1, rc = KBS_OK, i;
    const char *q = p;
    if (!zTmp) return KBS_ENOMEM;
    /* Beside the target (same file system, so rename is atomic), a name nobody can predict. */
    for (i = 0; i < 16 && fd < 0; i++) {
        snprintf(zTmp, nPath + 32, "%s.tmp%ld.%d", zPath, (long)getpid(), rand());
        fd = open(zTmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        rc = plat_errno_rc(errno);
        goto out;
    }
    while (n) {
        ssize_t w = write(fd, q, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            rc = KBS_EIO;
            break;
        }
        q += w;
        n -= (size_t)w;
    }
    if (rc == KBS_OK && fsync(fd) != 0) rc = KBS_EIO;
    if (close(fd) != 0 && rc == KBS_OK) rc = KBS_EIO;
    if (rc == KBS_OK && rename(zTmp, zPath) != 0) rc = plat_errno_rc(errno);
    if (rc != KBS_OK) unlink(zTmp);
out:
    free(zTmp);
    return rc;
}
