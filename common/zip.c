/* zip.c: one member of a ZIP archive, inflated (RFC 1951) with every length and offset checked. */
#include "zip.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "snap_int.h"

/* ---- inflate ---- */

#define ZIP_FAST_BITS 9

/* A canonical Huffman code: counts per length, symbols in code order, and a table that decodes
 * codes of up to ZIP_FAST_BITS bits in one step (entry: symbol << 4 | length, 0 = slow path). */
typedef struct zip_huff {
    uint16_t aCount[16];
    uint16_t aSym[288];
    uint16_t aFast[1 << ZIP_FAST_BITS];
} zip_huff_t;

typedef struct zip_in {
    const unsigned char *p, *pEnd;
    uint32_t bits;      /* bit buffer, next bit at bit 0 */
    unsigned nBits;
    int bOver;          /* read past the end: the stream is truncated */
    unsigned char *pOut;
    size_t nOut, nCap, nMax;
} zip_in_t;

static void zip_refill(zip_in_t *s)
{
    while (s->nBits <= 24) {
        if (s->p < s->pEnd) {
            s->bits |= (uint32_t)*s->p++ << s->nBits;
        } else {
            s->bOver++;
            if (s->bOver > 8) return; /* zeros past the end; flagged when consumed */
        }
        s->nBits += 8;
    }
}

static uint32_t zip_getbits(zip_in_t *s, unsigned n)
{
    uint32_t v;
    if (n == 0) return 0;
    if (s->nBits < n) zip_refill(s);
    if (s->nBits < n) {
        s->bOver = 99;
        return 0;
    }
    v = s->bits & ((1u << n) - 1);
    s->bits >>= n;
    s->nBits -= n;
    return v;
}

/* Builds h from nSym code lengths. Returns 0, or -1 for an over-subscribed code. */
static int zip_build(zip_huff_t *h, const unsigned char *aLen, unsigned nSym)
{
    uint16_t aOffs[16];
    unsigned i, sum = 0;
    int left = 1;
    memset(h->aCount, 0, sizeof h->aCount);
    memset(h->aFast, 0, sizeof h->aFast);
    for (i = 0; i < nSym; i++) h->aCount[aLen[i]]++;
    h->aCount[0] = 0;
    for (i = 1; i < 16; i++) {
        left <<= 1;
        left -= h->aCount[i];
        if (left < 0) return -1;
    }
    for (i = 0; i < 16; i++) {
        aOffs[i] = (uint16_t)sum;
        sum += h->aCount[i];
    }
    for (i = 0; i < nSym; i++)
        if (aLen[i]) h->aSym[aOffs[aLen[i]]++] = (uint16_t)i;
    /* Fast table: walk the canonical codes of up to ZIP_FAST_BITS bits. */
    {
        unsigned code = 0, k = 0, len;
        for (len = 1; len <= ZIP_FAST_BITS; len++) {
            unsigned c;
            for (c = 0; c < h->aCount[len]; c++, k++, code++) {
                /* Deflate sends codes MSB first; our bit buffer is LSB first: reverse. */
                unsigned rev = 0, b, fill;
                for (b = 0; b < len; b++) rev |= ((code >> b) & 1u) << (len - 1 - b);
                for (fill = rev; fill < (1u << ZIP_FAST_BITS); fill += 1u << len)
                    h->aFast[fill] = (uint16_t)(h->aSym[k] << 4 | len);
            }
            code <<= 1;
        }
    }
    return 0;
}

/* The next symbol of h, or -1 for a code that is not in the table. */
static int zip_decode(zip_in_t *s, const zip_huff_t *h)
{
    int code = 0, first = 0, index = 0;
    unsigned len;
    uint16_t e;
    if (s->nBits < 15) zip_refill(s);
    if (s->nBits < 15) return -1;
    e = h->aFast[s->bits & ((1u << ZIP_FAST_BITS) - 1)];
    if (e) {
        s->bits >>= e & 15;
        s->nBits -= e & 15;
        return e >> 4;
    }
    for (len = 1; len < 16; len++) {
        int count;
        code |= (int)zip_getbits(s, 1);
        count = h->aCount[len];
        if (code - count < first) return h->aSym[index + (code - first)];
        index += count;
        first += count;
        first <<= 1;
        code <<= 1;
    }
    return -1;
}

static int zip_put_reserve(zip_in_t *s, size_t nMore)
{
    size_t nNeed = s->nOut + nMore + 1;
    unsigned char *p;
    size_t nCap;
    if (nNeed - 1 > s->nMax) return KBS_ETOOBIG;
    if (nNeed <= s->nCap) return KBS_OK;
    nCap = s->nCap ? s->nCap : 65536;
    while (nCap < nNeed) nCap = nCap > s->nMax / 2 ? s->nMax + 1 : nCap * 2;
    p = realloc(s->pOut, nCap);
    if (!p) return KBS_ENOMEM;
    s->pOut = p;
    s->nCap = nCap;
    return KBS_OK;
}

static const uint16_t zip_aLenBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,
                                          15, 17, 19, 23, 27, 31, 35, 43, 51,  59,
                                          67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t zip_aLenExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                          2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t zip_aDistBase[30] = {1,    2,    3,    4,    5,    7,     9,     13,
                                           17,   25,   33,   49,   65,   97,    129,   193,
                                           257,  385,  513,  769,  1025, 1537,  2049,  3073,
                                           4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t zip_aDistExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                           6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

static int zip_block(zip_in_t *s, const zip_huff_t *hLit, const zip_huff_t *hDist)
{
    for (;;) {
        int sym = zip_decode(s, hLit), rc;
        if (sym < 0 || s->bOver > 4) return KBS_EPARSE;
        if (sym < 256) {
            if (s->nOut >= s->nCap && (rc = zip_put_reserve(s, 1)) != KBS_OK) return rc;
            s->pOut[s->nOut++] = (unsigned char)sym;
        } else if (sym == 256) {
            return KBS_OK;
        } else {
            size_t len, dist, i;
            int d;
            sym -= 257;
            if (sym >= 29) return KBS_EPARSE;
            len = zip_aLenBase[sym] + zip_getbits(s, zip_aLenExtra[sym]);
            d = zip_decode(s, hDist);
            if (d < 0 || d >= 30) return KBS_EPARSE;
            dist = zip_aDistBase[d] + zip_getbits(s, zip_aDistExtra[d]);
            if (dist > s->nOut) return KBS_EPARSE;
            if (s->nOut + len >= s->nCap && (rc = zip_put_reserve(s, len)) != KBS_OK) return rc;
            for (i = 0; i < len; i++, s->nOut++) s->pOut[s->nOut] = s->pOut[s->nOut - dist];
        }
    }
}

static int zip_fixed_trees(zip_huff_t *hLit, zip_huff_t *hDist)
{
    unsigned char aLen[288];
    unsigned i;
    for (i = 0; i < 144; i++) aLen[i] = 8;
    for (; i < 256; i++) aLen[i] = 9;
    for (; i < 280; i++) aLen[i] = 7;
    for (; i < 288; i++) aLen[i] = 8;
    if (zip_build(hLit, aLen, 288)) return KBS_EPARSE;
    for (i = 0; i < 30; i++) aLen[i] = 5;
    return zip_build(hDist, aLen, 30) ? KBS_EPARSE : KBS_OK;
}

static int zip_dynamic_trees(zip_in_t *s, zip_huff_t *hLit, zip_huff_t *hDist)
{
    static const uint8_t aOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    unsigned char aLen[288 + 32];
    unsigned hlit = zip_getbits(s, 5) + 257, hdist = zip_getbits(s, 5) + 1, hclen = zip_getbits(s, 4) + 4;
    unsigned i, n;
    if (hlit > 286 || hdist > 30) return KBS_EPARSE;
    memset(aLen, 0, sizeof aLen);
    for (i = 0; i < hclen; i++) aLen[aOrder[i]] = (unsigned char)zip_getbits(s, 3);
    if (zip_build(hLit, aLen, 19)) return KBS_EPARSE;
    memset(aLen, 0, sizeof aLen);
    for (n = 0; n < hlit + hdist;) {
        int sym = zip_decode(s, hLit);
        unsigned rep = 0, val = 0;
        if (sym < 0 || s->bOver > 4) return KBS_EPARSE;
        if (sym < 16) {
            aLen[n++] = (unsigned char)sym;
            continue;
        }
        if (sym == 16) {
            if (n == 0) return KBS_EPARSE;
            val = aLen[n - 1];
            rep = 3 + zip_getbits(s, 2);
        } else if (sym == 17) {
            rep = 3 + zip_getbits(s, 3);
        } else {
            rep = 11 + zip_getbits(s, 7);
        }
        if (n + rep > hlit + hdist) return KBS_EPARSE;
        while (rep--) aLen[n++] = (unsigned char)val;
    }
    if (aLen[256] == 0) return KBS_EPARSE;
    if (zip_build(hLit, aLen, hlit) || zip_build(hDist, aLen + hlit, hdist)) return KBS_EPARSE;
    return KBS_OK;
}

int zip_inflate(const unsigned char *p, size_t n, size_t nHint, size_t nMax, char **ppOut,
                size_t *pnOut)
{
    zip_in_t s;
    zip_huff_t *aH = NULL;
    int rc = KBS_OK, bFinal = 0;

    *ppOut = NULL;
    *pnOut = 0;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.pEnd = p + n;
    s.nMax = nMax;
    aH = malloc(2 * sizeof *aH);
    if (!aH) return KBS_ENOMEM;
    if ((rc = zip_put_reserve(&s, nHint < nMax ? nHint : nMax)) != KBS_OK) goto out;
    while (!bFinal) {
        unsigned type;
        bFinal = (int)zip_getbits(&s, 1);
        type = zip_getbits(&s, 2);
        if (s.bOver > 4) {
            rc = KBS_EPARSE;
            goto out;
        }
        if (type == 0) {
            unsigned len, nlen;
            /* Stored: drop to a byte boundary; whole bytes still in the bit buffer go back. */
            {
                unsigned nBack = (s.nBits - (s.nBits & 7)) / 8;
                if ((unsigned)s.bOver > nBack) {
                    rc = KBS_EPARSE;
                    goto out;
                }
                s.p -= nBack - (unsigned)s.bOver;
                s.bOver = 0;
            }
            s.bits = 0;
            s.nBits = 0;
            if (s.pEnd - s.p < 4) {
                rc = KBS_EPARSE;
                goto out;
            }
            len = (unsigned)s.p[0] | (unsigned)s.p[1] << 8;
            nlen = (unsigned)s.p[2] | (unsigned)s.p[3] << 8;
            s.p += 4;
            if ((len ^ 0xffffu) != nlen || (size_t)(s.pEnd - s.p) < len) {
                rc = KBS_EPARSE;
                goto out;
            }
            if ((rc = zip_put_reserve(&s, len)) != KBS_OK) goto out;
            memcpy(s.pOut + s.nOut, s.p, len);
            s.nOut += len;
            s.p += len;
        } else if (type == 1 || type == 2) {
            rc = type == 1 ? zip_fixed_trees(&aH[0], &aH[1]) : zip_dynamic_trees(&s, &aH[0], &aH[1]);
            if (rc == KBS_OK) rc = zip_block(&s, &aH[0], &aH[1]);
            if (rc != KBS_OK) goto out;
        } else {
            rc = KBS_EPARSE;
            goto out;
        }
    }
    if ((unsigned)s.bOver * 8 > s.nBits) rc = KBS_EPARSE; /* used bits past the end */
out:
    free(aH);
    if (rc != KBS_OK) {
        free(s.pOut);
        return rc;
    }
    if ((rc = zip_put_reserve(&s, 0)) != KBS_OK) {
        free(s.pOut);
        return rc;
    }
    s.pOut[s.nOut] = 0;
    *ppOut = (char *)s.pOut;
    *pnOut = s.nOut;
    return KBS_OK;
}

/* ---- the archive ---- */

static uint32_t zip_u16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t zip_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int zip_is_zip(const unsigned char *p, size_t n)
{
    return n >= 4 && p[0] == 'P' && p[1] == 'K' && p[2] == 3 && p[3] == 4;
}

static int zip_fail(char *zWhy, size_t nWhy, int rc, const char *zMsg)
{
    if (zWhy && nWhy) snprintf(zWhy, nWhy, "%s", zMsg);
    return rc;
}

static int zip_name_matches(const unsigned char *z, size_t n, const char *zPrefix, const char *zSuffix)
{
    size_t nP = strlen(zPrefix), nS = strlen(zSuffix);
    if (n < nP + nS) return 0;
    return memcmp(z, zPrefix, nP) == 0 && memcmp(z + n - nS, zSuffix, nS) == 0;
}

int zip_extract(const unsigned char *p, size_t n, const char *zPrefix, const char *zSuffix,
                char **ppOut, size_t *pnOut, char *zName, size_t nName, char *zWhy, size_t nWhy)
{
    size_t iEocd, nScan, off, i;
    uint32_t nEntry, cdSize, cdOff;
    int rc;

    *ppOut = NULL;
    *pnOut = 0;
    if (zName && nName) zName[0] = 0;
    if (!zip_is_zip(p, n) || n < 22) return zip_fail(zWhy, nWhy, KBS_EPARSE, "not a zip archive");
    /* The end-of-central-directory record: within the last 64 KiB + 22 bytes (its comment). */
    nScan = n - 22 < 65535 ? n - 22 : 65535;
    for (i = 0; i <= nScan; i++) {
        iEocd = n - 22 - i;
        if (zip_u32(p + iEocd) == 0x06054b50u) break;
    }
    if (i > nScan) return zip_fail(zWhy, nWhy, KBS_EPARSE, "zip archive cut short (no central directory)");
    nEntry = zip_u16(p + iEocd + 10);
    cdSize = zip_u32(p + iEocd + 12);
    cdOff = zip_u32(p + iEocd + 16);
    if ((size_t)cdOff > iEocd || (size_t)cdSize > iEocd - cdOff)
        return zip_fail(zWhy, nWhy, KBS_EPARSE, "zip central directory out of bounds");
    for (off = cdOff, i = 0; i < nEntry; i++) {
        uint32_t method, flags, crc, csize, usize, nFile, nExtra, nComment, lho;
        const unsigned char *q = p + off, *pData;
        if (off + 46 > (size_t)cdOff + cdSize || zip_u32(q) != 0x02014b50u)
            return zip_fail(zWhy, nWhy, KBS_EPARSE, "bad zip central directory entry");
        flags = zip_u16(q + 8);
        method = zip_u16(q + 10);
        crc = zip_u32(q + 16);
        csize = zip_u32(q + 20);
        usize = zip_u32(q + 24);
        nFile = zip_u16(q + 28);
        nExtra = zip_u16(q + 30);
        nComment = zip_u16(q + 32);
        lho = zip_u32(q + 42);
        if (off + 46 + nFile + nExtra + nComment > (size_t)cdOff + cdSize)
            return zip_fail(zWhy, nWhy, KBS_EPARSE, "bad zip central directory entry");
        off += 46 + nFile + nExtra + nComment;
        if (!zip_name_matches(q + 46, nFile, zPrefix, zSuffix)) continue;
        if (zName && nName) snprintf(zName, nName, "%.*s", (int)nFile, (const char *)(q + 46));
        if (flags & 1u) return zip_fail(zWhy, nWhy, KBS_EUNSUPPORTED, "encrypted zip member");
        if (method != 0 && method != 8)
            return zip_fail(zWhy, nWhy, KBS_EUNSUPPORTED, "zip member compressed with an unknown method");
        if (usize > ZIP_OUT_MAX || csize == 0xffffffffu)
            return zip_fail(zWhy, nWhy, KBS_ETOOBIG, "zip member larger than 512 MiB");
        if ((size_t)lho + 30 > n || zip_u32(p + lho) != 0x04034b50u)
            return zip_fail(zWhy, nWhy, KBS_EPARSE, "bad zip local header");
        pData = p + lho + 30 + zip_u16(p + lho + 26) + zip_u16(p + lho + 28);
        if (pData > p + n || (size_t)(p + n - pData) < csize)
            return zip_fail(zWhy, nWhy, KBS_ECHECKSUM, "zip member cut short (truncated file?)");
        if (method == 0) {
            if (csize != usize) return zip_fail(zWhy, nWhy, KBS_EPARSE, "stored zip member with two sizes");
            *ppOut = malloc((size_t)usize + 1);
            if (!*ppOut) return zip_fail(zWhy, nWhy, KBS_ENOMEM, "out of memory");
            memcpy(*ppOut, pData, usize);
            (*ppOut)[usize] = 0;
            *pnOut = usize;
        } else if ((rc = zip_inflate(pData, csize, usize, ZIP_OUT_MAX, ppOut, pnOut)) != KBS_OK) {
            return zip_fail(zWhy, nWhy, rc,
                            rc == KBS_ETOOBIG ? "zip member inflates past 512 MiB"
                            : rc == KBS_ENOMEM ? "out of memory" : "bad deflate data in zip member");
        }
        if (*pnOut != usize || snap_crc(0, (const unsigned char *)*ppOut, *pnOut) != crc) {
            free(*ppOut);
            *ppOut = NULL;
            *pnOut = 0;
            return zip_fail(zWhy, nWhy, KBS_ECHECKSUM, "zip member fails its CRC or size check");
        }
        return KBS_OK;
    }
    return zip_fail(zWhy, nWhy, KBS_ENOTFOUND, "no such member in the zip archive");
}
