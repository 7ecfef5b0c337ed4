/* rep.h: the report model (hosts with their verdicts) and its renderers (table, csv, json, html). */
#ifndef KBS_REP_H
#define KBS_REP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cat.h"
#include "verdict.h"

typedef enum rep_format {
    REP_FMT_TABLE = 0,
    REP_FMT_CSV,
    REP_FMT_JSON,
    REP_FMT_HTML,
} rep_format_t;

/* One rule's verdict for one host. Strings are owned by the rep_t's arena (or the caller). */
typedef struct rep_verdict {
    const cat_rule_t *rule;      /* into rep_t.cat */
    verdict_status_t status;
    const char *zEvidence;
    const char *zAction;
} rep_verdict_t;

/* What the directory (kbsentry inventory) says of a reported host: one place for every renderer
 * and grouping to read. Strings are "" when the host is not in the directory. */
typedef struct rep_dir {
    int inDir;                   /* 1: a computer account of the last directory sync */
    int silent;                  /* 1: never reported: a row made from the directory alone */
    int enabled;                 /* 1 enabled, 0 disabled, -1 unknown (or not in the directory) */
    const char *zDomain;         /* the account's DNS domain ("corp.example.com") */
    const char *zOu;             /* the DN of its container ("OU=Desktops,DC=corp,...") */
    const char *zDn;
    const char *zDirOs;          /* "Windows XP Professional Service Pack 2 5.1 (2600)" */
    int64_t whenCreated, lastLogon; /* Unix seconds UTC; 0 unknown */
} rep_dir_t;

/* One host as reported. Every string comes from input files: renderers must escape it. */
typedef struct rep_host {
    const char *zHost;
    const char *zDomain;
    const char *zMachineId;
    const char *zOsName;         /* os_ident.zName, "Unknown OS" when not known */
    const char *zOsFamily;       /* os_family_key() */
    const char *zOsDetail;       /* "Microsoft Windows XP Professional 5.1.2600 SP3 x86" */
    const char *zOrigin;         /* "agent", "systeminfo", "qfe-csv", ... */
    const char *zSourcePath;     /* the file the current state came from */
    int64_t scanTime;            /* Unix seconds UTC of the scan; 0 unknown */
    int stale;                   /* 1 when not seen for longer than rep_t.staleDays */
    int64_t futureScanTime;      /* a scan dated later than it was collected (plus a day), left
                                  * out of the state: its date, or 0 */
    size_t nHotfix;
    rep_verdict_t *aVerdict; size_t nVerdict;
    rep_dir_t dir;
} rep_host_t;

/* Coverage of the directory: every report format heads with it once a directory was synced. */
typedef struct rep_cov {
    int bDir;                    /* 1: a directory sync is stored; the counts below apply */
    int64_t syncTime;            /* the last sync, Unix seconds UTC */
    const char *zOu;             /* the --ou filter, or NULL */
    size_t nInDir;               /* accounts in the directory (under zOu) */
    size_t nReporting;           /* ... whose machine reported (any age) */
    size_t nNever;               /* ... enabled, never reported */
    size_t nStale;               /* ... reported, but not within rep_t.staleDays */
    size_t nDisabled;            /* ... disabled (listed here, not made rows unless reporting) */
    size_t nNotInDir;            /* reporting hosts that no account matches (not with zOu) */
} rep_cov_t;

typedef struct rep {
    const cat_t *cat;
    rep_host_t *aHost; size_t nHost;
    int64_t now;                 /* Unix seconds UTC the report is made at */
    int staleDays;               /* 0: no stale flagging */
    const char *zTitle;          /* e.g. "kbsentry compliance report" */
    rep_cov_t cov;
} rep_t;

/* rep_render: writes the whole report in fmt to out. Returns KBS_OK or KBS_EIO. */
int rep_render(const rep_t *r, rep_format_t fmt, FILE *out);

/* rep_render_check: the helpdesk view of one host (text, or one JSON object when fmt is
 * REP_FMT_JSON: host, os, last_scan, rules[{id, verdict, evidence}]). Returns KBS_OK or KBS_EIO. */
int rep_render_check(const rep_t *r, const rep_host_t *h, rep_format_t fmt, FILE *out);

/* rep_format_from_name: "table", "csv", "json", "html" -> format; -1 when unknown. */
int rep_format_from_name(const char *zName);

#endif
