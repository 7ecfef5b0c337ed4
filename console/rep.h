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
    int timeFromFile;            /* 1: the input carried no scan date; scanTime is its file's
                                  * modification time (what "last seen" and stale go by) */
    int stale;                   /* 1 when not seen for longer than rep_t.staleDays */
    int64_t futureScanTime;      /* a scan dated later than it was collected (plus a day), left
                                  * out of the state: its date, or 0 */
    size_t nHotfix;
    int roleUnknown;             /* 1 when its OS facts do not say whether it is a domain
                                  * controller (report --role dc keeps it, with a note) */
    rep_verdict_t *aVerdict; size_t nVerdict;
    rep_dir_t dir;
} rep_host_t;

/* What hosts are grouped by (report --group). */
typedef enum rep_group {
    REP_GROUP_NONE = 0,
    REP_GROUP_FOLDER,            /* the folder of the host's input file: a drop share's
                                  * subfolders are its sites */
    REP_GROUP_DOMAIN,            /* the domain (or workgroup) of the host's facts */
    REP_GROUP_OU,                /* the organizational unit in the directory */
} rep_group_t;

/* rep_group_from_name: "folder", "domain", "ou" -> group; -1 when unknown. */
int rep_group_from_name(const char *zName);

/* rep_group_key: the group of h by kind, into zBuf (nBuf bytes) when it must be made; never
 * NULL: "(no folder)", "(no domain)", "(not in directory)" when h has none. The one place a
 * grouping is decided: every format calls it. */
const char *rep_group_key(const rep_host_t *h, rep_group_t kind, char *zBuf, size_t nBuf);

typedef struct rep_trend rep_trend_t;

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
    rep_group_t group;           /* REP_GROUP_NONE: no grouping */
    const rep_trend_t *aTrend;   /* the rules' histories (the HTML rollout curves), or NULL */
    size_t nTrend;
    rep_cov_t cov;
} rep_t;

/* The history of one rule: the hosts by verdict as the fleet stood at the end of each UTC day
 * (a host counts from its first stored scan on). */
struct rep_trend {
    const cat_rule_t *rule;
    int64_t day0;                    /* Unix seconds UTC of the first day's midnight */
    size_t nDay;
    size_t (*aDay)[VERDICT_COUNT];   /* [d][status]: hosts at the end of day d */
};

/* rep_trend_render: one row per day of t, ISO date first (table, CSV, JSON; HTML: a page with
 * the curve and the table) under zTitle. Returns KBS_OK, KBS_EIO or KBS_ENOMEM. */
int rep_trend_render(const rep_trend_t *t, rep_format_t fmt, const char *zTitle, FILE *out);

/* rep_render: writes the whole report in fmt to out. Returns KBS_OK or KBS_EIO. */
int rep_render(const rep_t *r, rep_format_t fmt, FILE *out);

/* rep_render_check: the helpdesk view of one host (text, or one JSON object when fmt is
 * REP_FMT_JSON: host, os, last_scan, rules[{id, verdict, evidence}]). Returns KBS_OK or KBS_EIO. */
int rep_render_check(const rep_t *r, const rep_host_t *h, rep_format_t fmt, FILE *out);

/* rep_format_from_name: "table", "csv", "json", "html" -> format; -1 when unknown. */
int rep_format_from_name(const char *zName);

#endif
