/* plat.h: the few OS-specific services the console needs (plat_win.c / plat_posix.c). */
#ifndef KBS_PLAT_H
#define KBS_PLAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <wchar.h>

/* plat_console_init: makes stdout/stderr carry UTF-8 (Windows) ; no-op elsewhere. */
void plat_console_init(void);

#ifdef _WIN32
/* plat_utf8_argv: a malloc'd UTF-8 copy of the wide argv; free with plat_free_argv. */
char **plat_utf8_argv(int argc, wchar_t **wargv);
void plat_free_argv(int argc, char **argv);
#endif

/* What plat_stat and the directory walk tell about a file. */
typedef struct plat_stat {
    int isDir;               /* 1 directory, 0 regular file (or anything else readable) */
    int64_t size;            /* bytes */
    int64_t mtime;           /* last write, Unix seconds UTC */
    int64_t mtimeNs;         /* the same in nanoseconds (as fine as the file system keeps it) */
} plat_stat_t;

/* plat_stat: size, mtime and kind of the UTF-8 path zPath (UNC paths work on Windows).
 * Returns KBS_OK, KBS_ENOTFOUND, KBS_EACCESS or KBS_EIO. */
int plat_stat(const char *zPath, plat_stat_t *pSt);

/* Called by plat_walk for every regular file (zPath is valid only during the call) and for every
 * entry it could not read (rc < 0, pSt NULL). A non-zero return stops the walk and is returned. */
typedef int (*plat_walk_fn)(void *pCtx, const char *zPath, const plat_stat_t *pSt, int rc);

/* plat_walk: zRoot itself when it is a file, else every file below it, recursively, in
 * name order within a directory. Symbolic links are not followed into directories (no loops).
 * Returns KBS_OK when the walk ran to its end (unreadable entries went to fn), the root's error
 * when zRoot cannot be read, or fn's non-zero value. */
int plat_walk(const char *zRoot, plat_walk_fn fn, void *pCtx);

/* plat_read_file: reads the whole file into a malloc'd buffer *pzOut (NUL-terminated, *pnOut
 * bytes without the NUL) when it is at most nMax bytes; the size is checked before reading.
 * Returns KBS_OK, KBS_ETOOBIG, KBS_ENOTFOUND, KBS_EACCESS, KBS_EIO or KBS_ENOMEM. */
int plat_read_file(const char *zPath, size_t nMax, char **pzOut, size_t *pnOut);

/* plat_write_atomic: writes n bytes to zPath through a temp file beside it (unpredictable
 * name, created exclusively), flushed, then renamed over zPath: readers see the old file or
 * the whole new one, never a part. Returns KBS_OK, KBS_EACCESS, KBS_ENOTFOUND, KBS_EIO or
 * KBS_ENOMEM; on error zPath is untouched and the temp file removed. */
int plat_write_atomic(const char *zPath, const void *p, size_t n);

/* plat_mkdir: creates directory zPath (its parent must exist); an existing directory is fine.
 * Returns KBS_OK, KBS_EACCESS or KBS_EIO. */
int plat_mkdir(const char *zPath);

/* plat_fopen: fopen for a UTF-8 path (wide API on Windows). */
FILE *plat_fopen(const char *zPath, const char *zMode);

/* plat_isatty: 1 when f is an interactive terminal (a console on Windows). */
int plat_isatty(FILE *f);

/* plat_now_ms: a monotonic clock in milliseconds, for timing and progress. */
double plat_now_ms(void);

/* plat_time: the wall clock, Unix seconds UTC. */
int64_t plat_time(void);

/* plat_getenv: a malloc'd UTF-8 copy of the environment variable zName, or NULL. */
char *plat_getenv(const char *zName);

/* plat_read_file_buf: like plat_read_file, but into *pzBuf (capacity *pnCap, grown with realloc
 * when too small; the caller frees it), so that a loop over many files allocates once. */
int plat_read_file_buf(const char *zPath, size_t nMax, char **pzBuf, size_t *pnCap, size_t *pnOut);

/* ---- threads for the collect pipeline (pthreads; on Windows XP-safe primitives only:
 * _beginthreadex, CRITICAL_SECTION and semaphores) ---- */

typedef struct plat_thread plat_thread_t;
typedef struct plat_mutex plat_mutex_t;
typedef struct plat_sem plat_sem_t;

/* plat_ncpu: processors available to this process (at least 1). */
int plat_ncpu(void);

/* plat_thread_start: runs fn(pArg) on a new thread; *ppT is joined (and freed) by
 * plat_thread_join. Returns KBS_OK or KBS_ENOMEM. */
int plat_thread_start(plat_thread_t **ppT, void (*fn)(void *), void *pArg);
void plat_thread_join(plat_thread_t *t);

/* A mutex; plat_mutex_new returns KBS_OK or KBS_ENOMEM; free accepts NULL. */
int plat_mutex_new(plat_mutex_t **ppM);
void plat_mutex_free(plat_mutex_t *m);
void plat_mutex_lock(plat_mutex_t *m);
void plat_mutex_unlock(plat_mutex_t *m);

/* A counting semaphore starting at nInit; post adds n. Returns KBS_OK or KBS_ENOMEM. */
int plat_sem_new(plat_sem_t **ppS, unsigned nInit);
void plat_sem_free(plat_sem_t *s);
void plat_sem_wait(plat_sem_t *s);
void plat_sem_post(plat_sem_t *s, unsigned n);

#endif
