/* fuzz_snap.c: libFuzzer harness for the snapshot parser; what parses must round-trip exactly. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "snap.h"
#include "snap_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A mutated line almost never keeps the checksum right, so the parser would stop at the end line
 * and the write/re-parse path would go untested. When the input's last byte is odd, the end line
 * is recomputed here first (record count and CRC-32 as the writer makes them); an even last byte
 * feeds the input as it is, so the torn-file checks stay fuzzed too. Returns a malloc'd copy. */
static char *fuzz_fix_end(const char *z, size_t n, size_t *pnOut)
{
    const char *zEnd = z + n, *p = z, *zLast = NULL;
    char *zOut;
    uint32_t crc = 0;
    unsigned nRecord = 0, nLine = 0;
    size_t nBody;
    static const char aHex[] = "0123456789ABCDEF";
    char zTail[48];
    int i, k;

    if (n >= 3 && !memcmp(z, "\xEF\xBB\xBF", 3)) p += 3;
    /* The body is everything before the last line that starts with "END ". */
    for (const char *q = p; q < zEnd;) {
        const char *nl = memchr(q, '\n', (size_t)(zEnd - q));
        if ((size_t)(zEnd - q) >= 4 && !memcmp(q, "END ", 4)) zLast = q;
        q = nl ? nl + 1 : zEnd;
    }
    nBody = (size_t)((zLast ? zLast : zEnd) - z);
    for (const char *q = p; q < z + nBody;) {
        const char *nl = memchr(q, '\n', (size_t)(z + nBody - q));
        size_t nL = nl ? (size_t)(nl - q) : (size_t)(z + nBody - q);
        if (nL && q[nL - 1] == '\r') nL--;
        crc = snap_crc(crc, (const unsigned char *)q, nL);
        crc = snap_crc(crc, (const unsigned char *)"\n", 1);
        if (nLine++) nRecord++;
        q = nl ? nl + 1 : z + nBody;
    }
    memcpy(zTail, "END records=", 12);
    k = 12;
    {
        char zNum[12];
        int nNum = 0;
        do zNum[nNum++] = (char)('0' + nRecord % 10), nRecord /= 10;
        while (nRecord);
        while (nNum) zTail[k++] = zNum[--nNum];
    }
    memcpy(zTail + k, " crc32=", 7);
    k += 7;
    for (i = 7; i >= 0; i--) zTail[k++] = aHex[(crc >> (4 * i)) & 15];
    zTail[k++] = '\r';
    zTail[k++] = '\n';
    zOut = malloc(nBody + (size_t)k + 1);
    if (!zOut) return NULL;
    memcpy(zOut, z, nBody);
    memcpy(zOut + nBody, zTail, (size_t)k);
    *pnOut = nBody + (size_t)k;
    return zOut;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    snap_t s, s2;
    snap_err_t err;
    char *zIn = NULL, *z = NULL, *z2 = NULL;
    const char *zParse = (const char *)data;
    size_t nParse = size, n = 0, n2 = 0;

    if (size && (data[size - 1] & 1)) {
        zIn = fuzz_fix_end((const char *)data, size, &nParse);
        if (!zIn) return 0;
        zParse = zIn;
    }
    if (snap_parse(zParse, nParse, &s, &err) != KBS_OK) {
        if (err.zReason[0] == 0) abort(); /* every rejection says why */
        if (s.nHotfix || s.nFile || s.nSource || s.nExtra) abort(); /* released on error */
        free(zIn);
        return 0;
    }
    /* Whatever was read is written again, read again and written to the very same bytes. */
    if (snap_write(&s, &z, &n) != KBS_OK) abort();
    if (snap_parse(z, n, &s2, &err) != KBS_OK) abort();
    if (s2.nHotfix != s.nHotfix || s2.nFile != s.nFile || s2.nSource != s.nSource ||
        s2.nExtra != s.nExtra || (s.nExtra && s2.fmtMinor != s.fmtMinor) || s2.scanTime != s.scanTime ||
        strcmp(s2.zHost, s.zHost) != 0)
        abort();
    if (snap_write(&s2, &z2, &n2) != KBS_OK || n != n2 || memcmp(z, z2, n) != 0) abort();
    snap_release(&s2);
    free(z);
    free(z2);
    free(zIn);
    snap_release(&s);
    return 0;
}
