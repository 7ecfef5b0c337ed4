/* imp_int.h: internals shared by the agentless readers: text decoding, lines, dates, errors. */
#ifndef KBS_IMP_INT_H
#define KBS_IMP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "imp.h"

/* How the input bytes were read. */
typedef enum imp_enc {
    IMP_ENC_UTF8 = 0,
    IMP_ENC_UTF16LE,
    IMP_ENC_UTF16BE,
    IMP_ENC_CP850,  /* OEM Western Europe (also stands in for CP437 and other Latin OEM pages) */
    IMP_ENC_CP1252, /* ANSI Western Europe */
    IMP_ENC_CP866,  /* OEM Cyrillic */
    IMP_ENC_CP1251, /* ANSI Cyrillic */
} imp_enc_t;

/* Input decoded to UTF-8: no BOM, no NUL inside, z[n] == 0. */
typedef struct imp_text {
    char *z;
    size_t n;
    imp_enc_t enc;
    int bom; /* 1 when the input began with a byte order mark */
} imp_text_t;

/* imp_text_decode: converts nIn bytes (UTF-16LE/BE with or without BOM, UTF-8 with or without
 * BOM, else a single-byte code page guessed from the bytes) into pText->z (malloc'd; free with
 * imp_text_release). With prefix != 0 only the first IMP_DETECT_MAX bytes are read, a cut
 * character at the end is dropped and decoding stops quietly at a NUL (for imp_detect); otherwise
 * a NUL, an odd UTF-16 byte count or an input over IMP_INPUT_MAX is an error in *pErr. Returns
 * KBS_OK, KBS_EPARSE, KBS_ETOOBIG or KBS_ENOMEM. */
#define IMP_DETECT_MAX 65536u
int imp_text_decode(const char *zIn, size_t nIn, int prefix, imp_text_t *pText, imp_err_t *pErr);
void imp_text_release(imp_text_t *pText);
const char *imp_enc_name(imp_enc_t enc);

/* imp_enc_guess_sbcs: which single-byte code page nIn bytes (not UTF-8) most likely use. */
imp_enc_t imp_enc_guess_sbcs(const unsigned char *a, size_t n);

/* Lines of decoded text: CRLF, LF and wmic's CR CR LF all end a line; trailing CRs are dropped. */
typedef struct imp_lines {
    const char *z;
    size_t n, off;
    unsigned line; /* number of the line last returned */
} imp_lines_t;

void imp_lines_init(imp_lines_t *p, const char *z, size_t n);
/* imp_lines_next: the next line in *pz, *pn (not NUL-terminated). Returns 1, 0 at the end, or
 * KBS_ETOOBIG (with *pErr) for a line over IMP_LINE_MAX bytes. */
int imp_lines_next(imp_lines_t *p, const char **pz, size_t *pn, imp_err_t *pErr);

/* imp_err_set: fills *pErr (may be NULL) printf-style; returns rc. */
int imp_err_set(imp_err_t *pErr, int rc, unsigned line, const char *zFmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* imp_date_iso: reads a date at the start of z ("3/15/2011", "15.03.2011, 10:22:31",
 * "2011-03-15", "20110315", or an XP registry FILETIME in 16 hex digits) into "YYYY-MM-DD".
 * Dotted and dashed dates with the year last are day first; slash dates whose day and month
 * cannot be told apart are read month first only when mdy is set (the caller knows the writer
 * used the US order), else they are refused. Returns KBS_OK, or KBS_EPARSE with zOut "". nOut
 * >= 11. */
int imp_date_iso(const char *z, int mdy, char *zOut, size_t nOut);

/* imp_copy: copies at most nOut-1 bytes of z[0..n) into zOut without cutting a UTF-8
 * character; returns 1 when it had to shorten. */
int imp_copy(char *zOut, size_t nOut, const char *z, size_t n);

/* imp_trim: shrinks [*pz, *pz + *pn) past leading and trailing blanks (space, tab, CR, NBSP). */
void imp_trim(const char **pz, size_t *pn);

/* imp_ci_eq: 1 when a[0..na) equals the string b ignoring ASCII case. */
int imp_ci_eq(const char *a, size_t na, const char *b);

/* imp_kb_like: 1 when z starts like a KB id ("KB", "Q" or a digit followed by digits). */
int imp_kb_like(const char *z, size_t n);

/* imp_hotfix_raw: the hotfix id to record for a list entry z[0..n): its first word when that
 * looks like a KB id (XP writes "KB893803v2 - Update"; a "v2" glued to the number becomes
 * "-v2"), else the whole entry ("File 1"). Returns 1 when zRaw parses as a KB id, 0 when not. */
int imp_hotfix_raw(const char *z, size_t n, char *zRaw, size_t nRaw);

/* imp_host_check: host names are kept as data whatever they contain, but must be non-empty and
 * fit SNAP_HOST_MAX: n is the length of the trimmed name. Returns KBS_OK, KBS_EPARSE (empty) or
 * KBS_ETOOBIG, with *pErr set. */
int imp_host_check(size_t n, unsigned line, imp_err_t *pErr);

/* The hosts of a multi-host input (CSV, console table): one snapshot each, in order of first
 * sight. Start zeroed; the caller takes aSnap / nSnap over (setting them to NULL / 0) or
 * imp_hosts_release frees them. */
typedef struct imp_hosts {
    snap_t *aSnap;
    size_t nSnap, nAlloc;
    size_t *aSlot; /* hash slots: index + 1, 0 empty */
    size_t nSlot;
    size_t *anNonKb;     /* per host: entries without a KB id */
    char (*azNonKb)[40]; /* per host: the first of them */
} imp_hosts_t;

/* imp_hosts_get: the snapshot of host z[0..n) (ASCII case ignored; n < SNAP_HOST_MAX), made on
 * first sight with zOrigin and osKnown = 0. Amortised constant time. Returns KBS_OK or
 * KBS_ENOMEM. */
int imp_hosts_get(imp_hosts_t *hs, const char *z, size_t n, const char *zOrigin, snap_t **pp);
void imp_hosts_release(imp_hosts_t *hs);

/* imp_os_version_like: 1 when z[0..n) is an OS version as systeminfo writes it ("10.0.19045 N/A
 * Build 19045", "5.1.2600 Service Pack 3 Build 2600", "6.3.9600"). */
int imp_os_version_like(const char *z, size_t n);

/* imp_sicsv_to_list: `systeminfo /FO CSV` text (a header row and / or rows whose third cell is
 * an OS version, quoted, maybe wrapped by a console; other lines are stepped over) rewritten in
 * systeminfo's list form, one run per row, into *pzOut (malloc'd, *pnOut bytes). With bSniff
 * only says whether there is such a row (*pzOut stays NULL). Returns 1 (rows found), 0 (none:
 * not this form) or KBS_ENOMEM. */
int imp_sicsv_to_list(const char *z, size_t n, int bSniff, char **pzOut, size_t *pnOut);

/* Sniffers on decoded text (imp_detect): 1 / a kind when the start of z looks like that input. */
int imp_systeminfo_sniff(const char *z, size_t n);
imp_kind_t imp_csv_sniff(const char *z, size_t n);
imp_kind_t imp_table_sniff(const char *z, size_t n);

#endif
