/* rep_int.h: internals shared by the report renderers: buffered writer, UTF-8, times, summaries. */
#ifndef KBS_REP_INT_H
#define KBS_REP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rep.h"

/* A write buffer in front of a FILE: the HTML report of a whole fleet is tens of MB, and a stdio
 * call per escaped character would cost more than building the text. */
#define REP_OUT_BUF 32768
typedef struct rep_out {
    FILE *f;
    size_t n;
    int err; /* 1 once a write failed: later writes are dropped, rep_out_finish reports it */
    char aBuf[REP_OUT_BUF];
} rep_out_t;

void rep_out_init(rep_out_t *o, FILE *f);
void rep_out_flush(rep_out_t *o);
void rep_out_put(rep_out_t *o, const char *p, size_t n);
void rep_out_str(rep_out_t *o, const char *z);
void rep_out_u64(rep_out_t *o, uint64_t v);
void rep_out_cp(rep_out_t *o, uint32_t cp); /* one code point as UTF-8 */
void rep_out_pad(rep_out_t *o, size_t n);   /* n spaces */
/* rep_out_finish: flushes to the FILE and fflush()es it. Returns KBS_OK or KBS_EIO. */
int rep_out_finish(rep_out_t *o);

static inline void rep_out_ch(rep_out_t *o, char c)
{
    if (o->n == REP_OUT_BUF) rep_out_flush(o);
    o->aBuf[o->n++] = c;
}

/* rep_utf8_next: decodes one code point from z[0..n) (n >= 1) into *pCp. Returns the bytes
 * consumed (>= 1); an invalid sequence gives U+FFFD for its maximal ill-formed prefix, so every
 * byte of input is consumed exactly once and output is always valid UTF-8. */
size_t rep_utf8_next(const unsigned char *z, size_t n, uint32_t *pCp);

/* rep_cp_unsafe_text: 1 for code points that must not reach a terminal or a cell as they are:
 * C0/C1 controls, DEL and the bidirectional overrides that reorder what a reader sees. */
int rep_cp_unsafe_text(uint32_t cp);

/* rep_iso_time: "2017-05-12T08:30:00Z" into zBuf (>= 21 bytes); "" when t is 0 or out of the
 * years 1..9999. Returns the length written. */
size_t rep_iso_time(int64_t t, char *zBuf);

/* rep_status: the status clamped to the enum (out-of-range values read as unknown). */
verdict_status_t rep_status(verdict_status_t st);
/* rep_status_key: "patched", "missing", "unpatchable", "not-affected", "unknown", "mitigated". */
const char *rep_status_key(verdict_status_t st);
/* Statuses from worst to best: the order summaries and filters list them in. */
extern const verdict_status_t rep_aStatusOrder[VERDICT_COUNT];

/* rep_action: what to do about v: its zAction, or a default by status when that is empty
 * ("" for patched and not-affected). An unpatchable verdict's action (e.g. "install XP SP3,
 * then KB4012598") is said as the way out of an OS level that has no update, so that it does
 * not read as a fix the verdict denies; that text is made in zBuf (REP_ACTION_MAX bytes).
 * Never NULL. */
#define REP_ACTION_MAX 320
const char *rep_action(const rep_verdict_t *v, char *zBuf, size_t nBuf);

/* rep_host_worst: the worst status of h's verdicts (missing > unpatchable > unknown > mitigated >
 * patched > not-affected); unknown when h has none. */
verdict_status_t rep_host_worst(const rep_host_t *h);

/* rep_str: z, or "" when NULL. */
static inline const char *rep_str(const char *z)
{
    return z ? z : "";
}

/* One OS family in the summary: its hosts counted by their worst verdict. */
typedef struct rep_fam {
    const char *zFamily;
    size_t nHost, nStale;
    size_t aWorst[VERDICT_COUNT];
} rep_fam_t;

/* The columns (rules) of a report and the counts every format shows. */
typedef struct rep_sum {
    const cat_rule_t **aCol; /* rules that occur in the hosts' verdicts: catalog order first */
    size_t nCol;
    size_t (*aColCount)[VERDICT_COUNT]; /* per column: hosts by status */
    rep_fam_t *aFam;                    /* sorted by family key */
    size_t nFam;
    size_t nStale;
    size_t aWorst[VERDICT_COUNT]; /* all hosts by worst status */
    size_t *aCatCol;              /* catalog rule index -> column + 1, 0 unused */
    size_t nCat;
    /* With r->group: each host's group (azHostGroup[i] for r->aHost[i]) and the groups, counted
     * like the families (rep_fam_t.zFamily is the group's name), sorted by name. */
    const char **azHostGroup;
    char *zGroupText;
    rep_fam_t *aGrp;
    size_t nGrp;
} rep_sum_t;

/* rep_sum_build: computes *s for r in O(hosts x verdicts + hosts log hosts). Returns KBS_OK or
 * KBS_ENOMEM. Release with rep_sum_release (also after a failure). */
int rep_sum_build(const rep_t *r, rep_sum_t *s);
void rep_sum_release(rep_sum_t *s);

/* rep_host_cells: aIdx[c] = index into h->aVerdict of column c's verdict, or -1 (aIdx has
 * s->nCol entries). */
void rep_host_cells(const rep_sum_t *s, const rep_t *r, const rep_host_t *h, long *aIdx);

/* rep_html_esc: z (from input files) as HTML text or a quoted attribute value: markup
 * characters as entities, controls, bidi overrides and invalid UTF-8 as U+FFFD. */
void rep_html_esc(rep_out_t *o, const char *z);
/* rep_html_dec: v/d with one decimal (SVG coordinates, percentages). */
void rep_html_dec(rep_out_t *o, uint64_t v, uint64_t d);
/* rep_html_color: the colour of a status in the HTML report's charts. */
const char *rep_html_color(verdict_status_t st);
/* rep_json_str: z as a JSON string, quotes included (invalid UTF-8 as U+FFFD). */
void rep_json_str(rep_out_t *o, const char *z);

/* rep_trend_svg: t as an inline SVG curve (one line per status that occurs, hosts over days),
 * w x h pixels with its axes and legend; nothing when t has no day. */
void rep_trend_svg(rep_out_t *o, const rep_trend_t *t, unsigned w, unsigned h);

/* rep_html_headline: the per-rule table of the HTML report (rep_html_top.c): hosts per rule and
 * verdict, newest rules first, old rules nobody misses folded, proportional bars, rollout
 * curves from r->aTrend. rep_html_actions: the "what to do" table (action x OS x hosts).
 * Return KBS_OK or KBS_ENOMEM. */
int rep_html_headline(rep_out_t *o, const rep_t *r, const rep_sum_t *s);
int rep_html_actions(rep_out_t *o, const rep_t *r);

/* The directory coverage (rep_t.cov) in one order: in the directory, reporting, never reported,
 * stale, disabled, reporting but not in the directory. */
#define REP_COV_N 6
extern const char *const rep_azCovKey[REP_COV_N];   /* "in_directory", ... (CSV, JSON) */
extern const char *const rep_azCovLabel[REP_COV_N]; /* "in the directory", ... */
void rep_cov_counts(const rep_cov_t *c, size_t aN[REP_COV_N]);
/* rep_cov_text: "Directory coverage (sync of ...): 3 in the directory, 1 reporting, ..." with
 * zSep between the counts; no line end. Only the OU filter is from input: callers write it. */
void rep_cov_text(rep_out_t *o, const rep_t *r, const char *zSep);

/* The renderers (rep.c dispatches to them). Each returns KBS_OK, KBS_EIO or KBS_ENOMEM. */
int rep_table_render(const rep_t *r, FILE *out);
int rep_check_text(const rep_t *r, const rep_host_t *h, FILE *out);
int rep_csv_render(const rep_t *r, FILE *out);
int rep_json_render(const rep_t *r, FILE *out);
int rep_json_check(const rep_t *r, const rep_host_t *h, FILE *out);
int rep_html_render(const rep_t *r, FILE *out);

#endif
