/* zip.c: one member of a ZIP archive: the directory walked with every length and offset checked,
 * the member inflated by zlib (raw deflate, RFC 1951) under a size cap. */
#include "zip.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define ZLIB_CONST /* next_in is const: zlib only reads the input */
#include <zlib.h>

#include "kbs_err.h"
#include "snap_int.h"

/* ---- inflate (zlib) ---- */

/* The output buffer: n bytes inflated so far, room for nCap bytes (the NUL included). */
typedef struct zip_out {
    unsigned char *p;
    size_t n, nCap;
} zip_out_t;

/* Grows o to hold nWant bytes and the NUL. Returns KBS_OK or KBS_ENOMEM. */
static int zip_out_reserve(zip_out_t *o, size_t nWant)
{
    unsigned char *p;
    size_t nCap;
    if (nWant < o->nCap) return KBS_OK;
    nCap = o->nCap ? o->nCap : 65536;
    while (nCap <= nWant)
        nCap = nCap > SIZE_MAX / 2 ? nWant + 1 : nCap * 2;
    p = realloc(o->p, nCap);
    if (!p) return KBS_ENOMEM;
    o->p = p;
    o->nCap = nCap;
    return KBS_OK;
}

int zip_inflate(const unsigned char *p, size_t n, size_t nHint, size_t nMax, char **ppOut,
                size_t *pnOut)
{
    z_stream z;
    zip_out_t o = {NULL, 0, 0};
    /* One byte more than the cap may be inflated: that byte is what tells a bomb from a member
     * of exactly nMax bytes. */
    size_t nLimit = nMax < SIZE_MAX - 1 ? nMax + 1 : nMax, nLeft = n;
    int rc = KBS_OK, zrc, bInit = 0;

    *ppOut = NULL;
    *pnOut = 0;
    memset(&z, 0, sizeof z);
    /* -15: raw deflate (no zlib header or Adler-32; the zip's own CRC-32 is checked by the
     * caller), with the full 32 KiB window deflate allows. */
    zrc = inflateInit2(&z, -15);
    if (zrc != Z_OK) {
        rc = zrc == Z_MEM_ERROR ? KBS_ENOMEM : KBS_EPARSE;
        goto out;
    }
    bInit = 1;
    if ((rc = zip_out_reserve(&o, nHint < nMax ? nHint : nMax)) != KBS_OK) goto out;
    z.next_in = p;
    for (;;) {
        size_t nRoom;
        if (z.avail_in == 0 && nLeft > 0) {
            z.avail_in = nLeft > UINT_MAX ? UINT_MAX : (uInt)nLeft;
            nLeft -= z.avail_in;
        }
        if (o.n + 1 >= o.nCap) {
            if (o.n >= nLimit) {
                rc = KBS_ETOOBIG;
                goto out;
            }
            if ((rc = zip_out_reserve(&o, o.n < nLimit / 2 ? o.n * 2 + 1 : nLimit)) != KBS_OK)
                goto out;
        }
        nRoom = (o.nCap - 1 < nLimit ? o.nCap - 1 : nLimit) - o.n;
        z.next_out = o.p + o.n;
        z.avail_out = nRoom > UINT_MAX ? UINT_MAX : (uInt)nRoom;
        zrc = inflate(&z, Z_NO_FLUSH);
        o.n = (size_t)(z.next_out - o.p);
        if (o.n > nMax) {
            rc = KBS_ETOOBIG;
            goto out;
        }
        if (zrc == Z_STREAM_END) break;
        if (zrc == Z_MEM_ERROR) {
            rc = KBS_ENOMEM;
            goto out;
        }
        /* Z_BUF_ERROR with all input used: the stream is cut short. Z_DATA_ERROR, Z_NEED_DICT
         * (no dictionary in raw deflate) and Z_STREAM_ERROR: not deflate data. */
        if (zrc != Z_OK && !(zrc == Z_BUF_ERROR && (z.avail_in > 0 || nLeft > 0))) {
            rc = KBS_EPARSE;
            goto out;
        }
        if (zrc == Z_BUF_ERROR && z.avail_out > 0) {
            rc = KBS_EPARSE;
            goto out;
        }
    }
    o.p[o.n] = 0;
    *ppOut = (char *)o.p;
    *pnOut = o.n;
    o.p = NULL;
out:
    if (bInit) inflateEnd(&z);
    free(o.p);
    return rc;
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
        /* 0xffffffff: the real sizes or offset are in a zip64 extra field (members of 4 GiB
         * and more); far past the cap either way. */
        if (csize == 0xffffffffu || usize == 0xffffffffu || lho == 0xffffffffu)
            return zip_fail(zWhy, nWhy, KBS_ETOOBIG,
                            "zip64 member (4 GiB format): larger than 512 MiB");
        if (usize > ZIP_OUT_MAX)
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
