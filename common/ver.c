/* ver.c: a.b.c.d versions as Windows writes them in version resources and registry values. */
#include "ver.h"

#include <string.h>

#include "kbs_err.h"

int ver_parse(const char *zText, ver_t *pOut)
{
    const char *z = zText;
    unsigned i;

    memset(pOut, 0, sizeof *pOut);
    if (!z) return KBS_EPARSE;
    while (*z == ' ' || *z == '\t') z++;
    for (i = 0; i < 4; i++) {
        unsigned long v = 0;
        int nDigit = 0;
        while (*z >= '0' && *z <= '9') {
            v = v * 10 + (unsigned long)(*z++ - '0');
            if (++nDigit > 5 || v > 65535) goto bad;
        }
        if (nDigit == 0) goto bad;
        pOut->part[i] = (uint16_t)v;
        if (*z != '.') break;
        if (i == 3) goto bad; /* a fifth part */
        z++;
    }
    /* Free text may follow after a blank ("5.1.2600.7208 (xpsp_sp3_gdr...)"), nothing else. */
    if (*z && *z != ' ' && *z != '\t') goto bad;
    return KBS_OK;
bad:
    memset(pOut, 0, sizeof *pOut);
    return KBS_EPARSE;
}

int ver_cmp(const ver_t *a, const ver_t *b)
{
    unsigned i;
    for (i = 0; i < 4; i++) {
        if (a->part[i] != b->part[i]) return a->part[i] < b->part[i] ? -1 : 1;
    }
    return 0;
}

int ver_format(const ver_t *v, char *zBuf, size_t nBuf)
{
    /* Hand-rolled: collect formats every proof file of every snapshot. */
    char z[24];
    size_t n = 0, i;
    for (i = 0; i < 4; i++) {
        char zDig[5];
        unsigned u = v->part[i];
        size_t nDig = 0;
        do {
            zDig[nDig++] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (i) z[n++] = '.';
        while (nDig) z[n++] = zDig[--nDig];
    }
    if (n >= nBuf) {
        if (nBuf) zBuf[0] = 0;
        return KBS_ETOOBIG;
    }
    memcpy(zBuf, z, n);
    zBuf[n] = 0;
    return KBS_OK;
}
