/* imp.c: agentless inputs: recognising the kind of a file and decoding its text to UTF-8. */
#include "imp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "kb.h"
#include "kbs_err.h"

/* ---- single-byte code pages: bytes 0x80..0xFF to Unicode ---- */

static const uint16_t aCp850[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF,
    0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA,
    0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0, 0x00A9, 0x2563, 0x2551, 0x2557,
    0x255D, 0x00A2, 0x00A5, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4, 0x00F0, 0x00D0, 0x00CA, 0x00CB,
    0x00C8, 0x0131, 0x00CD, 0x00CE, 0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580,
    0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE, 0x00DE, 0x00DA, 0x00DB, 0x00D9,
    0x00FD, 0x00DD, 0x00AF, 0x00B4, 0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8,
    0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0};

/* 0x80..0x9F only: 0xA0..0xFF of CP1252 are Latin-1. */
static const uint16_t aCp1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

/* 0xB0..0xFF of CP866 (0x80..0xAF are U+0410..U+043F). */
static const uint16_t aCp866[80] = {
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447, 0x0448, 0x0449, 0x044A, 0x044B,
    0x044C, 0x044D, 0x044E, 0x044F, 0x0401, 0x0451, 0x0404, 0x0454, 0x0407, 0x0457, 0x040E, 0x045E,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x2116, 0x00A4, 0x25A0, 0x00A0};

/* 0x80..0xBF of CP1251 (0xC0..0xFF are U+0410..U+044F). */
static const uint16_t aCp1251[64] = {
    0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021, 0x20AC, 0x2030, 0x0409,
    0x2039, 0x040A, 0x040C, 0x040B, 0x040F, 0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x0098, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F, 0x00A0,
    0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7, 0x0401, 0x00A9, 0x0404, 0x00AB,
    0x00AC, 0x00AD, 0x00AE, 0x0407, 0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6,
    0x00B7, 0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457};

static uint32_t sbcs_cp(imp_enc_t enc, unsigned char b)
{
    if (b < 0x80) return b;
    switch (enc) {
    case IMP_ENC_CP850: return aCp850[b - 0x80];
    case IMP_ENC_CP1252: return b < 0xA0 ? aCp1252[b - 0x80] : b;
    case IMP_ENC_CP866: return b < 0xB0 ? 0x0410u + (b - 0x80u) : aCp866[b - 0xB0];
    case IMP_ENC_CP1251: return b >= 0xC0 ? 0x0410u + (b - 0xC0u) : aCp1251[b - 0x80];
    default: return 0xFFFD;
    }
}

/* Cyrillic text is words made only of high bytes; Latin text has high bytes alone among ASCII
 * letters. Within each script, the OEM and ANSI pages put their lowercase letters (the bulk of
 * any text) in different ranges, which the counts below tell apart. Ties go to the OEM page:
 * systeminfo redirected to a file writes the console (OEM) code page. */
imp_enc_t imp_enc_guess_sbcs(const unsigned char *a, size_t n)
{
    size_t i, nHigh = 0, nPaired = 0, n866 = 0, n1251 = 0, n850 = 0, n1252 = 0;
    for (i = 0; i < n; i++) {
        unsigned char b = a[i];
        if (b < 0x80) continue;
        nHigh++;
        if ((i > 0 && a[i - 1] >= 0x80) || (i + 1 < n && a[i + 1] >= 0x80)) nPaired++;
        if (b <= 0xAF) n866++;
        if ((b >= 0xC0 && b <= 0xDF) || b >= 0xF0) n1251++;
        if (b <= 0xA5) n850++;
        if (b >= 0xC0) n1252++;
    }
    if (nHigh >= 4 && nPaired * 2 >= nHigh) return n1251 > n866 ? IMP_ENC_CP1251 : IMP_ENC_CP866;
    return n1252 > n850 ? IMP_ENC_CP1252 : IMP_ENC_CP850;
}

const char *imp_enc_name(imp_enc_t enc)
{
    switch (enc) {
    case IMP_ENC_UTF8: return "UTF-8";
    case IMP_ENC_UTF16LE: return "UTF-16LE";
    case IMP_ENC_UTF16BE: return "UTF-16BE";
    case IMP_ENC_CP850: return "CP850";
    case IMP_ENC_CP1252: return "CP1252";
    case IMP_ENC_CP866: return "CP866";
    case IMP_ENC_CP1251: return "CP1251";
    }
    return "?";
}

/* ---- errors and small text helpers ---- */

int imp_err_set(imp_err_t *pErr, int rc, unsigned line, const char *zFmt, ...)
{
    va_list ap;
    if (!pErr) return rc;
    pErr->rc = rc;
    pErr->line = line;
    va_start(ap, zFmt);
    vsnprintf(pErr->zReason, sizeof pErr->zReason, zFmt, ap);
    va_end(ap);
    return rc;
}

int imp_copy(char *zOut, size_t nOut, const char *z, size_t n)
{
    int cut = 0;
    if (nOut == 0) return n > 0;
    if (n > nOut - 1) {
        n = nOut - 1;
        while (n > 0 && ((unsigned char)z[n] & 0xC0) == 0x80)
            n--; /* z[n] starts the cut char */
        cut = 1;
    }
    memcpy(zOut, z, n);
    zOut[n] = 0;
    return cut;
}

void imp_trim(const char **pz, size_t *pn)
{
    const unsigned char *z = (const unsigned char *)*pz;
    size_t n = *pn;
    for (;;) {
        if (n && (z[0] == ' ' || z[0] == '\t' || z[0] == '\r')) {
            z++, n--;
        } else if (n >= 2 && z[0] == 0xC2 && z[1] == 0xA0) {
            z += 2, n -= 2;
        } else {
            break;
        }
    }
    for (;;) {
        if (n && (z[n - 1] == ' ' || z[n - 1] == '\t' || z[n - 1] == '\r')) {
            n--;
        } else if (n >= 2 && z[n - 2] == 0xC2 && z[n - 1] == 0xA0) {
            n -= 2;
        } else {
            break;
        }
    }
    *pz = (const char *)z;
    *pn = n;
}

int imp_ci_eq(const char *a, size_t na, const char *b)
{
    size_t i;
    if (na != strlen(b)) return 0;
    for (i = 0; i < na; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return 1;
}

int imp_kb_like(const char *z, size_t n)
{
    size_t i = 0;
    if (n >= 2 && (z[0] == 'K' || z[0] == 'k') && (z[1] == 'B' || z[1] == 'b')) {
        i = 2;
    } else if (n >= 1 && (z[0] == 'Q' || z[0] == 'q')) {
        i = 1;
    }
    return i < n && z[i] >= '0' && z[i] <= '9';
}

int imp_hotfix_raw(const char *z, size_t n, char *zRaw, size_t nRaw)
{
    kb_id_t kb;
    imp_trim(&z, &n);
    if (imp_kb_like(z, n)) {
        size_t w = 0, d;
        while (w < n && z[w] != ' ' && z[w] != '\t')
            w++;
        imp_copy(zRaw, nRaw, z, w);
        /* "KB893803v2" -> "KB893803-v2" */
        for (d = 0; zRaw[d] && !(zRaw[d] >= '0' && zRaw[d] <= '9'); d++)
            ;
        while (zRaw[d] >= '0' && zRaw[d] <= '9')
            d++;
        if ((zRaw[d] == 'v' || zRaw[d] == 'V') && zRaw[d + 1] >= '0' && zRaw[d + 1] <= '9' &&
            strlen(zRaw) + 2 <= nRaw) {
            memmove(zRaw + d + 1, zRaw + d, strlen(zRaw + d) + 1);
            zRaw[d] = '-';
        }
        if (kb_parse(zRaw, &kb) == KBS_OK) return 1;
    }
    imp_copy(zRaw, nRaw, z, n);
    return 0;
}

int imp_host_check(size_t n, unsigned line, imp_err_t *pErr)
{
    if (n == 0) return imp_err_set(pErr, KBS_EPARSE, line, "empty host name");
    if (n >= SNAP_HOST_MAX)
        return imp_err_set(pErr, KBS_ETOOBIG, line, "host name of %lu bytes (limit %d)",
                           (unsigned long)n, SNAP_HOST_MAX - 1);
    return KBS_OK;
}

/* ---- decoding ---- */

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the valid UTF-8 sequence at a[0..n), 0 if invalid, or (size_t)-1 when the sequence
 * is only cut short by the end of the buffer. */
static size_t utf8_seq(const unsigned char *a, size_t n)
{
    unsigned char b = a[0];
    size_t len, i;
    uint32_t cp;
    if (b < 0x80) return 1;
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2, cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3, cp = b & 0x0Fu;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4, cp = b & 0x07u;
    } else {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if (i >= n) return (size_t)-1;
        if ((a[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (a[i] & 0x3Fu);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

/* 1 when a[0..n) is valid UTF-8 (a sequence cut at the very end is allowed when prefix). */
static int utf8_valid(const unsigned char *a, size_t n, int prefix)
{
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_seq(a + i, n - i);
        if (k == (size_t)-1) return prefix;
        if (k == 0) return 0;
        i += k;
    }
    return 1;
}

/* UTF-16 without a BOM: most systeminfo and CSV text is ASCII (and padding spaces), so most
 * code units have a zero high byte (or 0x04 for Cyrillic) and a non-zero low byte. */
static imp_enc_t utf16_guess(const unsigned char *a, size_t n)
{
    size_t i, nPair = (n < 4096 ? n : 4096) / 2, nLe = 0, nBe = 0;
    if (nPair < 2) return IMP_ENC_UTF8;
    for (i = 0; i < nPair; i++) {
        unsigned char lo = a[2 * i], hi = a[2 * i + 1];
        if (lo != 0 && (hi == 0 || hi == 0x04)) nLe++;
        if (hi != 0 && (lo == 0 || lo == 0x04)) nBe++;
    }
    if (nLe * 10 >= nPair * 7) return IMP_ENC_UTF16LE;
    if (nBe * 10 >= nPair * 7) return IMP_ENC_UTF16BE;
    return IMP_ENC_UTF8;
}

/* 1 when the nNul bytes before the first NUL are an ASCII text of a few words followed by the
 * low byte of a UTF-16LE unit: UTF-16 text itself has a NUL (ASCII) or a 0x04 (Cyrillic) in
 * every second byte, never a run of printable bytes. */
static int ascii_banner(const unsigned char *a, size_t nNul)
{
    size_t i;
    if (nNul < 9 || a[0] < 0x20 || a[0] > 0x7E) return 0;
    for (i = 0; i + 1 < nNul; i++)
        if ((a[i] < 0x20 || a[i] > 0x7E) && a[i] != '\r' && a[i] != '\t' && a[i] != 0xFF &&
            a[i] != 0xFE)
            return 0;
    return 1;
}

/* Line number (1-based) of byte offset `at` in UTF-8/single-byte input. */
static unsigned line_at(const unsigned char *a, size_t at)
{
    unsigned line = 1;
    size_t i;
    for (i = 0; i < at; i++)
        if (a[i] == '\n') line++;
    return line;
}

static int decode_utf16(const unsigned char *a, size_t n, int be, int prefix, imp_text_t *t,
                        imp_err_t *pErr)
{
    size_t i, nUnit, o = 0;
    unsigned line = 1;
    char *z;
    if (n % 2 && !prefix && a[n - 1] == 0) n--; /* a trailing NUL byte after the last unit */
    if (n % 2) {
        if (!prefix) {
            for (i = 0; i + 1 < n; i += 2)
                if ((be ? a[i + 1] : a[i]) == '\n' && (be ? a[i] : a[i + 1]) == 0) line++;
            return imp_err_set(pErr, KBS_EPARSE, line,
                               "UTF-16 text with an odd number of bytes (%lu): truncated or "
                               "not UTF-16",
                               (unsigned long)n);
        }
        n--;
    }
    nUnit = n / 2;
    z = malloc(nUnit * 3 + 1);
    if (!z) return imp_err_set(pErr, KBS_ENOMEM, 0, "out of memory decoding UTF-16");
    for (i = 0; i < nUnit; i++) {
        uint32_t u =
            be ? (uint32_t)a[2 * i] << 8 | a[2 * i + 1] : (uint32_t)a[2 * i + 1] << 8 | a[2 * i];
        if (u == 0) {
            size_t j = i;
            while (j < nUnit && !a[2 * j] && !a[2 * j + 1])
                j++;
            if (prefix || j == nUnit) break; /* trailing NULs carry nothing */
            free(z);
            return imp_err_set(pErr, KBS_EPARSE, line, "NUL character in UTF-16 text");
        }
        if (u == '\n') line++;
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < nUnit) {
            uint32_t u2 = be ? (uint32_t)a[2 * i + 2] << 8 | a[2 * i + 3]
                             : (uint32_t)a[2 * i + 3] << 8 | a[2 * i + 2];
            if (u2 >= 0xDC00 && u2 <= 0xDFFF) {
                /* a pair takes 4 bytes of output for 4 bytes of input: within the 3-per-unit
                 * allowance */
                o += put_utf8(z + o, 0x10000u + ((u - 0xD800u) << 10) + (u2 - 0xDC00u));
                i++;
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF) u = 0xFFFD; /* unpaired surrogate */
        o += put_utf8(z + o, u);
    }
    z[o] = 0;
    t->z = z;
    t->n = o;
    return KBS_OK;
}

int imp_text_decode(const char *zIn, size_t nIn, int prefix, imp_text_t *t, imp_err_t *pErr)
{
    const unsigned char *a = (const unsigned char *)zIn;
    size_t n = nIn, i, o = 0;
    const unsigned char *nul;
    char *z;

    memset(t, 0, sizeof *t);
    if (pErr) memset(pErr, 0, sizeof *pErr);
    if (prefix && n > IMP_DETECT_MAX) n = IMP_DETECT_MAX;
    if (n > IMP_INPUT_MAX)
        return imp_err_set(pErr, KBS_ETOOBIG, 0, "input of %lu bytes (limit %lu)", (unsigned long)n,
                           (unsigned long)IMP_INPUT_MAX);

    if (n >= 2 && a[0] == 0xFF && a[1] == 0xFE) {
        t->enc = IMP_ENC_UTF16LE, t->bom = 1;
        return decode_utf16(a + 2, n - 2, 0, prefix, t, pErr);
    }
    if (n >= 2 && a[0] == 0xFE && a[1] == 0xFF) {
        t->enc = IMP_ENC_UTF16BE, t->bom = 1;
        return decode_utf16(a + 2, n - 2, 1, prefix, t, pErr);
    }
    if (n >= 3 && a[0] == 0xEF && a[1] == 0xBB && a[2] == 0xBF) {
        t->bom = 1;
        a += 3, n -= 3;
    } else {
        /* a whole line of 8-bit text before the first NUL, or a run of ASCII text without a
         * line end (wmic's first run on XP writes "Please wait while WMIC is being
         * installed." in ANSI, then its output in UTF-16LE without a BOM): a banner, then
         * UTF-16 (below) */
        const unsigned char *pNul = memchr(a, 0, n), *pNl = memchr(a, '\n', n);
        t->enc = pNul && ((pNl && pNl < pNul) || ascii_banner(a, (size_t)(pNul - a)))
                     ? IMP_ENC_UTF8
                     : utf16_guess(a, n);
        if (t->enc != IMP_ENC_UTF8)
            return decode_utf16(a, n, t->enc == IMP_ENC_UTF16BE, prefix, t, pErr);
    }

    nul = memchr(a, 0, n);
    if (nul) {
        /* An ASCII banner, then UTF-16LE: `echo ... > f` followed by `wmic ... >> f` in cmd. */
        size_t at = (size_t)(nul - a);
        if (at > 0) at--; /* the low byte of the first UTF-16 unit */
        if (at >= 2 && a[at - 2] == 0xFF && a[at - 1] == 0xFE) at -= 2; /* its BOM */
        if (at > 0 && utf16_guess(a + at, n - at) == IMP_ENC_UTF16LE) {
            imp_text_t head, tail;
            int rc;
            size_t off = at;
            if (a[off] == 0xFF && off + 1 < n && a[off + 1] == 0xFE) off += 2;
            rc = imp_text_decode((const char *)a, at, 0, &head, pErr);
            if (rc) return rc;
            rc = decode_utf16(a + off, n - off, 0, prefix, &tail, pErr);
            if (rc) {
                imp_text_release(&head);
                return rc;
            }
            z = malloc(head.n + tail.n + 2);
            if (!z) {
                imp_text_release(&head);
                imp_text_release(&tail);
                return imp_err_set(pErr, KBS_ENOMEM, 0, "out of memory decoding text");
            }
            memcpy(z, head.z, head.n);
            o = head.n;
            /* the banner is a write of its own: the UTF-16 text starts a new line even when the
             * banner ends without one (or with a bare CR) */
            if (o && z[o - 1] != '\n') z[o++] = '\n';
            memcpy(z + o, tail.z, tail.n);
            o += tail.n;
            z[o] = 0;
            t->z = z;
            t->n = o;
            t->enc = IMP_ENC_UTF16LE;
            imp_text_release(&head);
            imp_text_release(&tail);
            return KBS_OK;
        }
    }
    /* Trailing NULs (a file padded by its copier, a C string's terminator) carry nothing. */
    while (nul && n && a[n - 1] == 0)
        n--;
    if (nul) nul = memchr(a, 0, n);
    if (nul) {
        if (!prefix)
            return imp_err_set(pErr, KBS_EPARSE, line_at(a, (size_t)(nul - a)),
                               "NUL byte in text (binary data?)");
        n = (size_t)(nul - a);
    }
    if (t->bom || utf8_valid(a, n, prefix)) {
        /* A BOM promises UTF-8: invalid sequences then become U+FFFD rather than a guess. */
        t->enc = IMP_ENC_UTF8;
        z = malloc(n * 3 + 1);
        if (!z) return imp_err_set(pErr, KBS_ENOMEM, 0, "out of memory decoding text");
        for (i = 0; i < n;) {
            size_t k = utf8_seq(a + i, n - i);
            if (k == (size_t)-1 && prefix) break;
            if (k == 0 || k == (size_t)-1) {
                o += put_utf8(z + o, 0xFFFD);
                i++;
            } else {
                memcpy(z + o, a + i, k);
                o += k, i += k;
            }
        }
    } else {
        t->enc = imp_enc_guess_sbcs(a, n);
        z = malloc(n * 3 + 1);
        if (!z) return imp_err_set(pErr, KBS_ENOMEM, 0, "out of memory decoding text");
        for (i = 0; i < n; i++)
            o += put_utf8(z + o, sbcs_cp(t->enc, a[i]));
    }
    z[o] = 0;
    t->z = z;
    t->n = o;
    return KBS_OK;
}

void imp_text_release(imp_text_t *t)
{
    free(t->z);
    memset(t, 0, sizeof *t);
}

/* ---- lines ---- */

void imp_lines_init(imp_lines_t *p, const char *z, size_t n)
{
    p->z = z;
    p->n = n;
    p->off = 0;
    p->line = 0;
}

int imp_lines_next(imp_lines_t *p, const char **pz, size_t *pn, imp_err_t *pErr)
{
    const char *s, *e;
    size_t len;
    if (p->off >= p->n) return 0;
    s = p->z + p->off;
    e = memchr(s, '\n', p->n - p->off);
    len = e ? (size_t)(e - s) : p->n - p->off;
    p->line++;
    if (len > IMP_LINE_MAX)
        return imp_err_set(pErr, KBS_ETOOBIG, p->line, "line of %lu bytes (limit %u)",
                           (unsigned long)len, IMP_LINE_MAX);
    p->off += len + (e ? 1 : 0);
    while (len && s[len - 1] == '\r')
        len--;
    *pz = s;
    *pn = len;
    return 1;
}

/* ---- dates ---- */

static int days_in_month(unsigned y, unsigned m)
{
    static const unsigned char aDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return aDays[m - 1];
}

static int put_date(unsigned y, unsigned m, unsigned d, char *zOut, size_t nOut)
{
    if (y < 1980 || y > 2199 || m < 1 || m > 12 || d < 1 || (int)d > days_in_month(y, m))
        return KBS_EPARSE;
    snprintf(zOut, nOut, "%04u-%02u-%02u", y, m, d);
    return KBS_OK;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil_from_days(int64_t z, unsigned *py, unsigned *pm, unsigned *pd)
{
    int64_t era, doe, yoe, doy, mp, y;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *pd = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *pm = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *py = (unsigned)(y + (*pm <= 2));
}

/* Reads up to 9 decimal digits; *pnDig gets how many. */
static unsigned read_num(const char **pz, int *pnDig)
{
    unsigned v = 0;
    int k = 0;
    while (**pz >= '0' && **pz <= '9' && k < 9) {
        v = v * 10 + (unsigned)(**pz - '0');
        (*pz)++, k++;
    }
    *pnDig = k;
    return v;
}

int imp_date_iso(const char *z, int mdy, char *zOut, size_t nOut)
{
    const char *p;
    unsigned a, b, c;
    int na, nb, nc, i, rc;
    char sep;

    zOut[0] = 0;
    while (*z == ' ' || *z == '\t')
        z++;
    /* XP's registry InstalledOn: a FILETIME as 16 hex digits. */
    for (i = 0; i < 16 && ((z[i] >= '0' && z[i] <= '9') || (z[i] >= 'a' && z[i] <= 'f') ||
                           (z[i] >= 'A' && z[i] <= 'F'));
         i++)
        ;
    if (i == 16 &&
        !((z[16] >= '0' && z[16] <= '9') || ((z[16] | 0x20) >= 'a' && (z[16] | 0x20) <= 'f'))) {
        uint64_t ft = 0;
        unsigned y, m, d;
        for (i = 0; i < 16; i++) /* by hand: XP's msvcrt.dll has no strtoull */
            ft = ft << 4 | (uint64_t)(z[i] <= '9' ? z[i] - '0' : (z[i] | 0x20) - 'a' + 10);
        if (ft < 116444736000000000ull) return KBS_EPARSE;
        civil_from_days((int64_t)((ft - 116444736000000000ull) / 864000000000ull), &y, &m, &d);
        rc = put_date(y, m, d, zOut, nOut);
        if (rc) zOut[0] = 0;
        return rc;
    }
    p = z;
    a = read_num(&p, &na);
    if (na == 8 && !(*p >= '0' && *p <= '9')) { /* 20110315 */
        rc = put_date(a / 10000, a / 100 % 100, a % 100, zOut, nOut);
        if (rc) zOut[0] = 0;
        return rc;
    }
    if (na == 0 || na > 4) return KBS_EPARSE;
    sep = *p;
    if (sep != '/' && sep != '.' && sep != '-') return KBS_EPARSE;
    p++;
    b = read_num(&p, &nb);
    if (nb == 0 || nb > 2 || *p != sep) return KBS_EPARSE;
    p++;
    c = read_num(&p, &nc);
    if (nc == 0 || (*p >= '0' && *p <= '9')) return KBS_EPARSE;
    if (na == 4) {
        if (nc > 2) return KBS_EPARSE;
        rc = put_date(a, b, c, zOut, nOut);
    } else if (nc != 4 || na > 2) {
        return KBS_EPARSE; /* two-digit years are not worth guessing */
    } else if (sep == '.' || sep == '-') {
        rc = put_date(c, b, a, zOut, nOut); /* "15.03.2011", nl "15-3-2011": day first */
    } else if (a > 12) {
        rc = put_date(c, b, a, zOut, nOut);
    } else if (b > 12 || (mdy && a != b)) {
        rc = put_date(c, a, b, zOut, nOut);
    } else if (a == b) {
        rc = put_date(c, a, b, zOut, nOut);
    } else {
        return KBS_EPARSE;
    }
    if (rc) zOut[0] = 0;
    return rc;
}

/* ---- detection ---- */

const char *imp_kind_name(imp_kind_t k)
{
    switch (k) {
    case IMP_KIND_SNAPSHOT: return "snapshot";
    case IMP_KIND_SYSTEMINFO: return "systeminfo";
    case IMP_KIND_QFE_CSV: return "qfe-csv";
    case IMP_KIND_GETHOTFIX_CSV: return "get-hotfix-csv";
    case IMP_KIND_HOTFIX_TABLE: return "hotfix-table";
    case IMP_KIND_UNKNOWN: break;
    }
    return "unknown";
}

imp_kind_t imp_detect(const char *zIn, size_t nIn)
{
    imp_text_t t;
    imp_kind_t k = IMP_KIND_UNKNOWN;
    if (!zIn || nIn == 0) return IMP_KIND_UNKNOWN;
    if (snap_is_snapshot(zIn, nIn)) return IMP_KIND_SNAPSHOT;
    if (imp_text_decode(zIn, nIn, 1, &t, NULL) != KBS_OK) return IMP_KIND_UNKNOWN;
    if (imp_systeminfo_sniff(t.z, t.n)) {
        k = IMP_KIND_SYSTEMINFO;
    } else {
        k = imp_csv_sniff(t.z, t.n);
        if (k == IMP_KIND_UNKNOWN) k = imp_table_sniff(t.z, t.n);
    }
    imp_text_release(&t);
    return k;
}
