/* imp.h: agentless inputs (systeminfo text, wmic qfe CSV, Get-HotFix CSV) read into snapshots. */
#ifndef KBS_IMP_H
#define KBS_IMP_H

#include <stddef.h>

#include "snap.h"

typedef enum imp_kind {
    IMP_KIND_UNKNOWN = 0,    /* not something kbsentry reads (a foreign file) */
    IMP_KIND_SNAPSHOT,       /* a kbsentry .kbs snapshot (read with snap_parse) */
    IMP_KIND_SYSTEMINFO,     /* `systeminfo` output, any UI language / encoding */
    IMP_KIND_QFE_CSV,        /* `wmic qfe list full /format:csv` */
    IMP_KIND_GETHOTFIX_CSV,  /* PowerShell `Get-HotFix | Export-Csv` */
} imp_kind_t;

/* Limits on untrusted input: no real systeminfo or QFE CSV comes near them. A caller may refuse a
 * file over IMP_INPUT_MAX before reading it. */
#define IMP_INPUT_MAX ((size_t)256 << 20) /* bytes of one input file */
#define IMP_LINE_MAX 65536u               /* bytes of one (decoded) line or CSV record */

typedef struct imp_err {
    int rc;
    unsigned line;           /* 1-based line of the (decoded) input, 0 for the whole input */
    char zReason[160];
} imp_err_t;

/* imp_detect: recognises the kind of nIn bytes by content, not by name (BOMs, UTF-16LE and
 * code pages included). */
imp_kind_t imp_detect(const char *zIn, size_t nIn);

/* imp_kind_name: "snapshot", "systeminfo", "qfe-csv", "get-hotfix-csv", "unknown". */
const char *imp_kind_name(imp_kind_t k);

/* imp_systeminfo_parse: one machine's systeminfo output into *s (snap_init'ed here; zOrigin
 * "systeminfo"). A hotfix list cut short sets s->hotfixesComplete = 0 with the reason. On error
 * *s is empty and *pErr says line and reason. Returns KBS_OK, KBS_EPARSE, KBS_ETOOBIG, KBS_ENOMEM. */
int imp_systeminfo_parse(const char *zIn, size_t nIn, snap_t *s, imp_err_t *pErr);

/* imp_csv_parse: a wmic qfe or Get-HotFix CSV, which may hold several hosts, into a malloc'd
 * array *paSnap of *pnSnap snapshots, one per host (osKnown = 0: a CSV carries no OS). Free
 * with imp_free_snaps. Returns as imp_systeminfo_parse. */
int imp_csv_parse(const char *zIn, size_t nIn, snap_t **paSnap, size_t *pnSnap, imp_err_t *pErr);
void imp_free_snaps(snap_t *aSnap, size_t nSnap);

#endif
