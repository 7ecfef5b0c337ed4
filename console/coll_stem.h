/* coll_stem.h: a hotfix list without a host name joined to the systeminfo beside it that shares
 * its file-name stem (`PC12_qfe.txt` + `PC12_systeminfo.txt`). */
#ifndef KBS_COLL_STEM_H
#define KBS_COLL_STEM_H

#include <stddef.h>

#include "snap.h"

/* The files of one collect by folder and stem: the folder and the name without its extension
 * and without a trailing word naming the input ("_qfe", "-systeminfo", ...), lowercased. */
typedef struct coll_stem {
    char *zKey;
    const char *zPath; /* not owned */
} coll_stem_t;

typedef struct coll_stems {
    coll_stem_t *a;
    size_t n;
} coll_stems_t;

/* coll_stems_build: keys for azPath[0..nPath) (kept pointed to, not copied), grouped. Returns
 * KBS_OK or KBS_ENOMEM; free with coll_stems_release. */
int coll_stems_build(coll_stems_t *p, char *const *azPath, size_t nPath);
void coll_stems_release(coll_stems_t *p);

/* coll_stems_find: the group of files sharing zPath's folder and stem (zPath included), or
 * none (*pnSib 0). */
void coll_stems_find(const coll_stems_t *p, const char *zPath, const coll_stem_t **paSib,
                     size_t *pnSib);

/* coll_stem_join: when *s (read from zPath) is a hotfix list named only by its file and exactly
 * one systeminfo file among aSib names a host, gives *s that host (and domain) and returns 1;
 * with several such files returns 0 and says so in zNote; else returns 0 with zNote "". A
 * sibling that cannot be read is not counted. KBS_ENOMEM on memory failure. */
int coll_stem_join(const coll_stem_t *aSib, size_t nSib, const char *zPath, size_t nFileMax,
                   snap_t *s, char *zNote, size_t nNote);

#endif
