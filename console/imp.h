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
    IMP_KIND_HOTFIX_TABLE,   /* console table of Get-HotFix, Win32_QuickFixEngineering, wmic qfe */
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

/* imp_systeminfo_parse_all: systeminfo output into a malloc'd array *paSnap of *pnSnap
 * snapshots, one per run of the command in the text (zOrigin "systeminfo"; free with
 * imp_free_snaps). Prompts, banners, other output, quoting and lost or extra lines around the
 * fields are stepped over. A hotfix list cut short, or output that ends before it, sets
 * hotfixesComplete = 0 with the reason; a paste without its Host Name line leaves zHost "". The
 * only refusal of readable text is output without an OS version line. On error *pErr says line
 * and reason. Returns KBS_OK, KBS_EPARSE, KBS_ETOOBIG, KBS_ENOMEM. */
int imp_systeminfo_parse_all(const char *zIn, size_t nIn, snap_t **paSnap, size_t *pnSnap,
                             imp_err_t *pErr);

/* imp_systeminfo_parse: as imp_systeminfo_parse_all, keeping only the first run, into *s
 * (snap_init'ed here; empty on error). */
int imp_systeminfo_parse(const char *zIn, size_t nIn, snap_t *s, imp_err_t *pErr);

/* imp_csv_parse: a wmic qfe or Get-HotFix CSV, which may hold several hosts, into a malloc'd
 * array *paSnap of *pnSnap snapshots, one per host (osKnown = 0: a CSV carries no OS). Free
 * with imp_free_snaps. Returns as imp_systeminfo_parse. */
int imp_csv_parse(const char *zIn, size_t nIn, snap_t **paSnap, size_t *pnSnap, imp_err_t *pErr);
void imp_free_snaps(snap_t *aSnap, size_t nSnap);

/* imp_table_parse: the console table of Get-HotFix / Get-WmiObject Win32_QuickFixEngineering
 * (header, dash line) or of `wmic qfe list` / `wmic qfe get ...` (header only), columns in any
 * order, into one snapshot per host of the Source / CSName column (zHost "" without one; zOrigin
 * "hotfix-table"; osKnown = 0). A table filtered by its command, or whose every row is a Security
 * Update, is not complete. Same ownership and returns as imp_csv_parse. */
int imp_table_parse(const char *zIn, size_t nIn, snap_t **paSnap, size_t *pnSnap, imp_err_t *pErr);

#endif
