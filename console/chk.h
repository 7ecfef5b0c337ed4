/* chk.h: the hosts of `kbsentry check FILE...`: each machine's facts joined across the files. */
#ifndef KBS_CHK_H
#define KBS_CHK_H

#include <stdio.h>

#include "snap.h"

/* A host read from the files of one check, with the files it came from. */
typedef struct chk_host {
    snap_t s;
    char zFrom[1024]; /* "FILE" or "FILE1 + FILE2" */
    int bNamed;       /* its name came from the input, not from the file's path */
} chk_host_t;

/* The hosts, with an index by name (ASCII case ignored) so that a file of 40,000 hosts is joined
 * in linear time. */
typedef struct chk_set {
    chk_host_t *a;
    size_t n, nCap;
    size_t *aSlot; /* open addressing: index + 1 into a, 0 empty; nSlot a power of two */
    size_t nSlot;
} chk_set_t;

void chk_set_init(chk_set_t *p);
/* chk_set_release: frees the hosts and their snapshots. */
void chk_set_release(chk_set_t *p);

/* chk_set_add: adds the snapshot *pS (taken over: emptied) read from zPath: joined to the host
 * of the same whole name, else a new host. Returns KBS_OK, KBS_ENOMEM or KBS_ETOOBIG. */
int chk_set_add(chk_set_t *p, snap_t *pS, const char *zPath);

/* chk_set_join: once every file is added, joins what only fits: a name cut by a console table
 * ("WS-PC0...") to the one whole name it starts, and the files without a host name to the one
 * named host. A cut name that fits several machines is joined to none, and a line to fErr says
 * so (argument order never decides). Returns KBS_OK or KBS_ENOMEM. */
int chk_set_join(chk_set_t *p, FILE *fErr);

#endif
