/* imp_table.c: the console tables of Get-HotFix, Get-WmiObject Win32_QuickFixEngineering and
 * `wmic qfe list` / `wmic qfe get ...`, read into one snapshot per host. */
#include "imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "kbs_err.h"

#define TBL_COLS_MAX 32

/* The columns of a table: where each starts (in display columns of its lines) and which one is
 * which. PowerShell underlines its header with one run of dashes per column, cuts long cells
 * with "..." and pads by console cells (an East Asian wide character takes two); wmic has no
 * underline and pads every column to its widest cell, counting characters. Neither counts
 * bytes: "Mise à jour de sécurité" is 23 columns wide in 25 bytes of UTF-8. */
typedef struct tbl_cols {
    size_t aStart[TBL_COLS_MAX];
    size_t nCol;
    int colId, colHost, colDesc, colDate, colSpie;
    int bDashes;
} tbl_cols_t;

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* 1 for the code points a console shows two cells wide (East Asian Wide and Fullwidth:
 * Hangul Jamo, CJK, Hiragana, Katakana, Hangul syllables, compatibility ideographs, fullwidth
 * forms, and the supplementary ideographic planes). */
static int cp_wide(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
           (cp >= 0x3041 && cp <= 0xA4CF) || (cp >= 0xA960 && cp <= 0xA97F) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* The byte length of the (decoded, valid) UTF-8 character at z[0..n) and its width: one column,
 * or two when bCells and it is wide. */
static size_t char_width(const char *z, size_t n, int bCells, unsigned *pW)
{
    const unsigned char *a = (const unsigned char *)z;
    size_t len = a[0] < 0x80 ? 1 : a[0] < 0xE0 ? 2 : a[0] < 0xF0 ? 3 : 4, k;
    uint32_t cp = len == 1 ? a[0] : len == 2 ? a[0] & 0x1Fu : len == 3 ? a[0] & 0x0Fu : a[0] & 0x07u;
    if (len > n) len = n;
    for (k = 1; k < len; k++)
        cp = cp << 6 | (a[k] & 0x3Fu);
    *pW = bCells && cp_wide(cp) ? 2 : 1;
    return len;
}

/* The byte offset in z[0..n) where display column col starts (n when the line is shorter). */
static size_t col_byte(const char *z, size_t n, size_t col, int bCells)
{
    size_t i = 0, c = 0;
    while (i < n && c < col) {
        unsigned w;
        i += char_width(z + i, n - i, bCells, &w);
        c += w;
    }
    return i;
}

/* The display column of byte offset at in z (at on a character boundary). */
static size_t byte_col(const char *z, size_t at, int bCells)
{
    size_t i = 0, c = 0;
    while (i < at) {
        unsigned w;
        i += char_width(z + i, at - i, bCells, &w);
        c += w;
    }
    return c;
}

/* Splits a header line into its words: each word starts a column. Returns 1 when one of them is
 * HotFixID (a WMI property name, never translated). */
static int header_cols(const char *z, size_t n, tbl_cols_t *c)
{
    size_t i = 0;
    int bId = 0;
    memset(c, 0, sizeof *c);
    c->colId = c->colHost = c->colDesc = c->colDate = c->colSpie = -1;
    while (i < n) {
        size_t s;
        while (i < n && is_blank(z[i]))
            i++;
        if (i >= n) break;
        if (c->nCol == TBL_COLS_MAX) return 0;
        s = i;
        while (i < n && !is_blank(z[i]))
            i++;
        c->aStart[c->nCol] = byte_col(z, s, 1);
        if (imp_ci_eq(z + s, i - s, "HotFixID")) c->colId = (int)c->nCol, bId = 1;
        if (imp_ci_eq(z + s, i - s, "Source") || imp_ci_eq(z + s, i - s, "CSName") ||
            imp_ci_eq(z + s, i - s, "PSComputerName") || imp_ci_eq(z + s, i - s, "__SERVER") ||
            imp_ci_eq(z + s, i - s, "ComputerName")) {
            if (c->colHost < 0) c->colHost = (int)c->nCol;
        }
        if (imp_ci_eq(z + s, i - s, "Description")) c->colDesc = (int)c->nCol;
        if (imp_ci_eq(z + s, i - s, "InstalledOn")) c->colDate = (int)c->nCol;
        if (imp_ci_eq(z + s, i - s, "ServicePackInEffect")) c->colSpie = (int)c->nCol;
        c->nCol++;
    }
    /* a CSV header has its commas inside the words: not a table */
    return bId && c->nCol >= 1 && !memchr(z, ',', n) && !memchr(z, ';', n);
}

/* A line of dash runs under the header: the runs give the column starts exactly. */
static int dash_cols(const char *z, size_t n, tbl_cols_t *c)
{
    size_t i = 0, k = 0, aStart[TBL_COLS_MAX];
    while (i < n) {
        while (i < n && is_blank(z[i]))
            i++;
        if (i >= n) break;
        if (z[i] != '-' || k == TBL_COLS_MAX) return 0;
        aStart[k++] = i; /* dashes and blanks only: bytes are columns */
        while (i < n && z[i] == '-')
            i++;
        if (i < n && !is_blank(z[i])) return 0;
    }
    if (k != c->nCol) return 0;
    memcpy(c->aStart, aStart, k * sizeof *aStart);
    c->bDashes = 1;
    return 1;
}

/* The trimmed cell of column col in the row z[0..n): PowerShell's tables (dashes) count console
 * cells, wmic's count characters. */
static void cell(const tbl_cols_t *c, int col, const char *z, size_t n, const char **pz, size_t *pn)
{
    size_t s, e;
    *pz = "", *pn = 0;
    if (col < 0) return;
    s = col_byte(z, n, c->aStart[col], c->bDashes);
    e = (size_t)col + 1 < c->nCol ? col_byte(z, n, c->aStart[col + 1], c->bDashes) : n;
    if (s >= n) return;
    *pz = z + s, *pn = e - s;
    imp_trim(pz, pn);
}

/* Finds the header: returns its line number (1-based) and columns, or 0. *pFiltered is set when
 * a command line above it filters the list (Get-HotFix -Description / -Id, Where-Object,
 * Select-Object -First): such a table is not the machine's whole inventory. */
static unsigned find_header(imp_lines_t *it, tbl_cols_t *c, int *pFiltered)
{
    const char *zl;
    size_t nl;
    *pFiltered = 0;
    while (imp_lines_next(it, &zl, &nl, NULL) == 1) {
        size_t i;
        if (header_cols(zl, nl, c)) return it->line;
        for (i = 0; i + 5 < nl; i++) {
            if (zl[i] != '-' && zl[i] != '|' && zl[i] != '?' && zl[i] != 'w') continue;
            if (!strncmp(zl + i, "-Description", 12) || !strncmp(zl + i, "-description", 12) ||
                !strncmp(zl + i, "-Id ", 4) || !strncmp(zl + i, "-First", 6) ||
                !strncmp(zl + i, "-first", 6) || !strncmp(zl + i, "-Last", 5) ||
                !strncmp(zl + i, "Where", 5) || !strncmp(zl + i, "where ", 6) ||
                !strncmp(zl + i, "-Filter", 7) || !strncmp(zl + i, "| ?", 3) ||
                !strncmp(zl + i, "-Query", 6) || !strncmp(zl + i, "-query", 6))
                *pFiltered = 1;
        }
    }
    return 0;
}

imp_kind_t imp_table_sniff(const char *z, size_t n)
{
    imp_lines_t it;
    tbl_cols_t c;
    int bFiltered;
    imp_lines_init(&it, z, n);
    return find_header(&it, &c, &bFiltered) ? IMP_KIND_HOTFIX_TABLE : IMP_KIND_UNKNOWN;
}

int imp_table_parse(const char *zIn, size_t nIn, snap_t **paSnap, size_t *pnSnap, imp_err_t *pErr)
{
    imp_text_t t;
    imp_lines_t it;
    tbl_cols_t c;
    imp_hosts_t hs;
    size_t i, nRow = 0, nSecurity = 0;
    unsigned hdrLine;
    int rc, bFiltered, bFirst = 1;
    const char *zl;
    size_t nl;
    imp_err_t errLocal;

    if (!pErr) pErr = &errLocal;
    memset(pErr, 0, sizeof *pErr);
    memset(&hs, 0, sizeof hs);
    *paSnap = NULL;
    *pnSnap = 0;
    if (!zIn) return imp_err_set(pErr, KBS_EINVAL, 0, "no input");
    rc = imp_text_decode(zIn, nIn, 0, &t, pErr);
    if (rc) return rc;
    imp_lines_init(&it, t.z, t.n);
    hdrLine = find_header(&it, &c, &bFiltered);
    if (!hdrLine) {
        rc = imp_err_set(pErr, KBS_EPARSE, 1, "no table header with a HotFixID column");
        goto out;
    }
    while ((rc = imp_lines_next(&it, &zl, &nl, pErr)) == 1) {
        const char *zId, *zHost, *zDesc, *zDate, *zSpie;
        size_t nId, nHost, nDesc, nDate, nSpie;
        char zRaw[SNAP_RAW_MAX], zIso[24], zDateBuf[64];
        snap_t *s;
        const char *zt = zl;
        size_t nt = nl;
        imp_trim(&zt, &nt);
        if (bFirst) {
            bFirst = 0;
            if (dash_cols(zl, nl, &c)) continue;
        }
        if (nt == 0) {
            if (c.bDashes && nRow) break; /* PowerShell ends its table with a blank line */
            continue;
        }
        if (nt >= 2 && zt[0] == 'P' && zt[1] == 'S' && memchr(zt, '>', nt)) break; /* prompt */
        cell(&c, c.colId, zl, nl, &zId, &nId);
        if (nId == 0) continue;
        cell(&c, c.colHost, zl, nl, &zHost, &nHost);
        cell(&c, c.colDesc, zl, nl, &zDesc, &nDesc);
        cell(&c, c.colDate, zl, nl, &zDate, &nDate);
        cell(&c, c.colSpie, zl, nl, &zSpie, &nSpie);
        if (nHost >= SNAP_HOST_MAX) {
            rc = imp_err_set(pErr, KBS_ETOOBIG, it.line, "host name of %lu bytes (limit %d)",
                             (unsigned long)nHost, SNAP_HOST_MAX - 1);
            goto out;
        }
        rc = imp_hosts_get(&hs, zHost, nHost, "hotfix-table", &s);
        if (rc) {
            imp_err_set(pErr, rc, it.line, "out of memory");
            goto out;
        }
        if (!imp_hotfix_raw(zId, nId, zRaw, sizeof zRaw) && imp_kb_like(zSpie, nSpie))
            imp_hotfix_raw(zSpie, nSpie, zRaw, sizeof zRaw); /* XP: "File 1", KB in SPIE */
        imp_copy(zDateBuf, sizeof zDateBuf, zDate, nDate);
        /* WMI's own InstalledOn (wmic) is month first; PowerShell writes the user's culture,
         * month first only when a 12-hour clock says it is the US format */
        imp_date_iso(zDateBuf,
                     !c.bDashes || strstr(zDateBuf, " AM") || strstr(zDateBuf, " PM"), zIso,
                     sizeof zIso);
        rc = snap_add_hotfix(s, zRaw, SNAP_SRC_QFE, zIso[0] ? zIso : NULL, -1);
        if (rc) {
            imp_err_set(pErr, rc, it.line, "hotfix list: %s", kbs_strerror(rc));
            goto out;
        }
        nRow++;
        if (imp_ci_eq(zDesc, nDesc, "Security Update")) nSecurity++;
    }
    if (rc < 0) goto out;
    if (!hs.nSnap) {
        rc = imp_err_set(pErr, KBS_EPARSE, hdrLine, "table header but no hotfix rows");
        goto out;
    }
    for (i = 0; i < hs.nSnap; i++) {
        snap_t *s = &hs.aSnap[i];
        if (bFiltered) {
            s->hotfixesComplete = 0;
            snprintf(s->zHotfixNote, sizeof s->zHotfixNote,
                     "the hotfix table was filtered by its command: not the whole hotfix list");
        } else if (c.colDesc >= 0 && nSecurity == nRow) {
            s->hotfixesComplete = 0;
            snprintf(s->zHotfixNote, sizeof s->zHotfixNote,
                     "every row of the hotfix table is a Security Update: it may be filtered "
                     "(-Description Security*), not the whole hotfix list");
        }
    }
    *paSnap = hs.aSnap;
    *pnSnap = hs.nSnap;
    hs.aSnap = NULL;
    hs.nSnap = 0;
    rc = KBS_OK;
out:
    imp_hosts_release(&hs);
    imp_text_release(&t);
    return rc;
}
