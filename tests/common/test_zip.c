/* test_zip.c: zip_inflate (zlib, raw deflate) and zip_extract's directory walk, each refusal with
 * its message: CRC, zip64, offsets, truncation, the 512 MiB cap and a deflate bomb. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "kbs_err.h"
#include "zip.h"

#define T_NAME "CVEs_20990101.csv"

/* A one-member archive built in memory: local header, data, central directory, end record. */
typedef struct t_zip {
    unsigned char *p;
    size_t n;
    size_t iCd;   /* the central directory entry */
    size_t iEocd; /* the end-of-central-directory record */
} t_zip_t;

static void t_put16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void t_put32(unsigned char *p, uint32_t v)
{
    t_put16(p, v & 0xffffu);
    t_put16(p + 2, v >> 16);
}

/* Raw deflate of [z, z+n) (window bits -15, as zip members are): a malloc'd buffer, *pn bytes. */
static unsigned char *t_deflate(const unsigned char *z, size_t n, size_t *pn)
{
    z_stream s;
    uLong nCap;
    unsigned char *p;
    memset(&s, 0, sizeof s);
    assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
    nCap = deflateBound(&s, (uLong)n);
    p = malloc(nCap);
    assert_non_null(p);
    s.next_in = (Bytef *)(uintptr_t)z;
    s.avail_in = (uInt)n;
    s.next_out = p;
    s.avail_out = (uInt)nCap;
    assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
    *pn = s.total_out;
    deflateEnd(&s);
    return p;
}

/* Builds an archive holding zData (n bytes) as T_NAME, deflated when bDeflate. */
static void t_zip_make(t_zip_t *a, const char *zData, size_t n, int bDeflate)
{
    size_t nName = strlen(T_NAME), nC = n, off;
    unsigned char *pC = (unsigned char *)(uintptr_t)zData, *q;
    uint32_t crc = (uint32_t)crc32(0, (const Bytef *)zData, (uInt)n);
    if (bDeflate) pC = t_deflate((const unsigned char *)zData, n, &nC);
    a->n = 30 + nName + nC + 46 + nName + 22;
    a->p = calloc(1, a->n);
    assert_non_null(a->p);
    q = a->p;
    t_put32(q, 0x04034b50u);
    t_put16(q + 8, bDeflate ? 8 : 0);
    t_put32(q + 14, crc);
    t_put32(q + 18, (uint32_t)nC);
    t_put32(q + 22, (uint32_t)n);
    t_put16(q + 26, (uint32_t)nName);
    memcpy(q + 30, T_NAME, nName);
    memcpy(q + 30 + nName, pC, nC);
    off = a->iCd = 30 + nName + nC;
    q = a->p + off;
    t_put32(q, 0x02014b50u);
    t_put16(q + 10, bDeflate ? 8 : 0);
    t_put32(q + 16, crc);
    t_put32(q + 20, (uint32_t)nC);
    t_put32(q + 24, (uint32_t)n);
    t_put16(q + 28, (uint32_t)nName);
    t_put32(q + 42, 0);
    memcpy(q + 46, T_NAME, nName);
    a->iEocd = off + 46 + nName;
    q = a->p + a->iEocd;
    t_put32(q, 0x06054b50u);
    t_put16(q + 8, 1);
    t_put16(q + 10, 1);
    t_put32(q + 12, (uint32_t)(46 + nName));
    t_put32(q + 16, (uint32_t)off);
    if (bDeflate) free(pC);
}

/* zip_extract on a: expects rc and, for an error, a reason containing zWhy. */
static void t_expect(const t_zip_t *a, size_t n, int rc, const char *zWhy)
{
    char *zOut = NULL, zName[ZIP_NAME_MAX], zErr[128] = "";
    size_t nOut = 0;
    int got =
        zip_extract(a->p, n, "CVEs_", ".csv", &zOut, &nOut, zName, sizeof zName, zErr, sizeof zErr);
    if (got != rc || (zWhy && !strstr(zErr, zWhy)))
        fail_msg("rc %d (expected %d), reason '%s' (expected '%s')", got, rc, zErr,
                 zWhy ? zWhy : "");
    if (rc == KBS_OK) {
        assert_non_null(zOut);
        assert_string_equal(zName, T_NAME);
    } else {
        assert_null(zOut);
        assert_int_equal(nOut, 0);
    }
    free(zOut);
}

/* A CSV-like text long enough for deflate to use dynamic Huffman blocks and back-references. */
static char *t_text(size_t *pn)
{
    size_t nCap = 200000, n = 0, i;
    char *z = malloc(nCap);
    assert_non_null(z);
    for (i = 0; n + 100 < nCap; i++)
        n += (size_t)snprintf(z + n, nCap - n, "CVE-2017-%04u,KB%u,Windows XP Service Pack 3,%u\n",
                              (unsigned)(i % 9973), (unsigned)(4012000 + i * 7 % 1000),
                              (unsigned)(i * 31 % 17));
    *pn = n;
    return z;
}

static void test_roundtrip(void **state)
{
    size_t n, nOut;
    char *z = t_text(&n), *zOut = NULL, zName[ZIP_NAME_MAX], zWhy[128];
    t_zip_t a;
    int bDeflate;
    (void)state;
    for (bDeflate = 0; bDeflate <= 1; bDeflate++) {
        t_zip_make(&a, z, n, bDeflate);
        assert_int_equal(zip_extract(a.p, a.n, "CVEs_", ".csv", &zOut, &nOut, zName, sizeof zName,
                                     zWhy, sizeof zWhy),
                         KBS_OK);
        assert_int_equal(nOut, n);
        assert_memory_equal(zOut, z, n);
        assert_int_equal(zOut[n], 0);
        free(zOut);
        /* Another name: not found, and said so. */
        assert_int_equal(
            zip_extract(a.p, a.n, "Products_", ".csv", &zOut, &nOut, NULL, 0, zWhy, sizeof zWhy),
            KBS_ENOTFOUND);
        assert_non_null(strstr(zWhy, "no such member"));
        free(a.p);
    }
    free(z);
}

static void test_refusals(void **state)
{
    size_t n;
    char *z = t_text(&n);
    t_zip_t a;
    (void)state;
    t_zip_make(&a, z, n, 1);

    /* One byte of the deflated data altered: zlib refuses it, or the CRC does. */
    a.p[30 + strlen(T_NAME) + 200] ^= 0x55;
    {
        char *zOut = NULL, zWhy[128] = "";
        size_t nOut;
        int rc = zip_extract(a.p, a.n, "CVEs_", ".csv", &zOut, &nOut, NULL, 0, zWhy, sizeof zWhy);
        assert_true(rc == KBS_EPARSE || rc == KBS_ECHECKSUM);
        assert_non_null(strstr(zWhy, rc == KBS_EPARSE ? "bad deflate data" : "fails its CRC"));
        assert_null(zOut);
    }
    a.p[30 + strlen(T_NAME) + 200] ^= 0x55;
    t_expect(&a, a.n, KBS_OK, NULL);

    /* The CRC in the directory does not match the data. */
    a.p[a.iCd + 16] ^= 1;
    t_expect(&a, a.n, KBS_ECHECKSUM, "fails its CRC or size check");
    a.p[a.iCd + 16] ^= 1;
    /* The declared size does not match what inflates. */
    t_put32(a.p + a.iCd + 24, (uint32_t)n - 1);
    t_expect(&a, a.n, KBS_ECHECKSUM, "fails its CRC or size check");
    t_put32(a.p + a.iCd + 24, (uint32_t)n);

    /* zip64: the sizes (or the offset) are in an extra field. */
    t_put32(a.p + a.iCd + 20, 0xffffffffu);
    t_expect(&a, a.n, KBS_ETOOBIG, "zip64");
    t_put32(a.p + a.iCd + 20, 0xffffffffu);
    t_put32(a.p + a.iCd + 24, 0xffffffffu);
    t_expect(&a, a.n, KBS_ETOOBIG, "zip64");
    free(a.p);
    t_zip_make(&a, z, n, 1);

    /* Over the cap by its own declaration: refused before anything is inflated. */
    t_put32(a.p + a.iCd + 24, (uint32_t)ZIP_OUT_MAX + 1);
    t_expect(&a, a.n, KBS_ETOOBIG, "larger than 512 MiB");
    t_put32(a.p + a.iCd + 24, (uint32_t)n);

    /* Offsets: the directory past its end record, a local header elsewhere, a cut-off file. */
    t_put32(a.p + a.iEocd + 16, (uint32_t)a.iEocd + 1);
    t_expect(&a, a.n, KBS_EPARSE, "central directory out of bounds");
    t_put32(a.p + a.iEocd + 16, (uint32_t)a.iCd);
    t_put32(a.p + a.iEocd + 12, 0x7fffffffu);
    t_expect(&a, a.n, KBS_EPARSE, "central directory out of bounds");
    t_put32(a.p + a.iEocd + 12, (uint32_t)(46 + strlen(T_NAME)));
    t_put32(a.p + a.iCd + 42, 7);
    t_expect(&a, a.n, KBS_EPARSE, "bad zip local header");
    t_put32(a.p + a.iCd + 42, (uint32_t)a.n);
    t_expect(&a, a.n, KBS_EPARSE, "bad zip local header");
    t_put32(a.p + a.iCd + 42, 0);
    t_put32(a.p + a.iCd + 20, (uint32_t)a.n);
    t_expect(&a, a.n, KBS_ECHECKSUM, "cut short");
    free(a.p);
    t_zip_make(&a, z, n, 1);
    a.p[a.iCd] = 'X';
    t_expect(&a, a.n, KBS_EPARSE, "bad zip central directory entry");
    t_expect(&a, a.iEocd, KBS_EPARSE, "no central directory");
    t_expect(&a, 3, KBS_EPARSE, "not a zip archive");
    free(a.p);
    free(z);
}

static void test_inflate(void **state)
{
    /* Raw deflate: a stored block, then garbage block types. */
    static const unsigned char aStored[] = {0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'};
    static const unsigned char aBad[] = {0x07, 0x00};
    char *zOut = NULL;
    size_t nOut = 0, nBomb, nText;
    unsigned char *pBomb, *pDef;
    char *zZero, *zText;
    (void)state;
    assert_int_equal(zip_inflate(aStored, sizeof aStored, 0, 100, &zOut, &nOut), KBS_OK);
    assert_int_equal(nOut, 3);
    assert_memory_equal(zOut, "abc", 4);
    free(zOut);
    /* Exactly at the cap is fine; one byte over is not. */
    assert_int_equal(zip_inflate(aStored, sizeof aStored, 0, 3, &zOut, &nOut), KBS_OK);
    free(zOut);
    assert_int_equal(zip_inflate(aStored, sizeof aStored, 0, 2, &zOut, &nOut), KBS_ETOOBIG);
    assert_null(zOut);
    assert_int_equal(zip_inflate(aStored, 6, 0, 100, &zOut, &nOut), KBS_EPARSE);
    assert_int_equal(zip_inflate(aStored, 0, 0, 100, &zOut, &nOut), KBS_EPARSE);
    assert_int_equal(zip_inflate(aBad, sizeof aBad, 0, 100, &zOut, &nOut), KBS_EPARSE);
    assert_null(zOut);

    /* A deflate bomb: 8 MiB of zeros in a few kilobytes, capped at 1 MiB: refused once the cap
     * is passed, whatever the hint says. */
    zZero = calloc(1, 8u << 20);
    assert_non_null(zZero);
    pBomb = t_deflate((const unsigned char *)zZero, 8u << 20, &nBomb);
    assert_true(nBomb < 16384);
    assert_int_equal(zip_inflate(pBomb, nBomb, 100, (size_t)1 << 20, &zOut, &nOut), KBS_ETOOBIG);
    assert_null(zOut);
    assert_int_equal(nOut, 0);
    assert_int_equal(zip_inflate(pBomb, nBomb, 0, (size_t)8 << 20, &zOut, &nOut), KBS_OK);
    assert_int_equal(nOut, (size_t)8 << 20);
    assert_memory_equal(zOut, zZero, nOut);
    free(zOut);
    free(pBomb);
    free(zZero);

    /* Cut anywhere, a real stream is refused, never read as a shorter text. */
    zText = t_text(&nText);
    pDef = t_deflate((const unsigned char *)zText, nText, &nBomb);
    {
        size_t nCut;
        for (nCut = 0; nCut < nBomb; nCut += nBomb / 37 + 1) {
            assert_int_equal(zip_inflate(pDef, nCut, nText, nText * 2, &zOut, &nOut), KBS_EPARSE);
            assert_null(zOut);
        }
    }
    assert_int_equal(zip_inflate(pDef, nBomb, 0, nText * 2, &zOut, &nOut), KBS_OK);
    assert_int_equal(nOut, nText);
    assert_memory_equal(zOut, zText, nText);
    free(zOut);
    free(pDef);
    free(zText);
}

int main(void)
{
    const struct CMUnitTest aTest[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_inflate),
    };
    return cmocka_run_group_tests(aTest, NULL, NULL);
}
