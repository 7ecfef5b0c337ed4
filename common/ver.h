/* ver.h: a.b.c.d file and OS versions: parse, compare, format. */
#ifndef KBS_VER_H
#define KBS_VER_H

#include <stddef.h>
#include <stdint.h>

/* Four 16-bit parts, as in a VS_FIXEDFILEINFO; missing trailing parts are 0. */
typedef struct ver {
    uint16_t part[4];
} ver_t;

/* ver_parse: reads "5.1.2600.7208" (1 to 4 dot-separated decimal parts, each <= 65535) from zText.
 * Leading blanks are skipped; the version may be followed by a blank and free text, as Windows
 * writes "5.1.2600.7208 (xpsp_sp3_gdr.170208-0000)". Returns KBS_OK or KBS_EPARSE; *pOut is
 * zeroed on error. */
int ver_parse(const char *zText, ver_t *pOut);

/* ver_cmp: <0, 0, >0 as a is older than, equal to, newer than b. */
int ver_cmp(const ver_t *a, const ver_t *b);

/* ver_format: writes "a.b.c.d" into zBuf (nBuf >= 24 always suffices). Returns KBS_OK or
 * KBS_ETOOBIG when nBuf is too small (zBuf then holds ""). */
int ver_format(const ver_t *v, char *zBuf, size_t nBuf);

#endif
