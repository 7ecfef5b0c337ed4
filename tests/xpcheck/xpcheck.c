/* xpcheck.c: host tool that fails when a PE file would not load on the XP-era floor. */
/*
 * Usage: xpcheck --exports LIST --max-os MAJOR.MINOR [--expect-missing DLL!FUNC] FILE...
 *
 * For each FILE: the PE header's OS and subsystem versions must be <= MAJOR.MINOR, and every
 * import and delay-load import must name a DLL in LIST and a function (or ordinal) that DLL
 * exports there. With --expect-missing the check inverts: it passes only when FILE reports that
 * import as missing (proves the check bites).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct exports {
    char **azKey;   /* "dll!name" or "dll!#ordinal", lower-case dll */
    size_t nKey, nAlloc;
    char **azDll;   /* module names */
    size_t nDll, nDllAlloc;
} exports_t;

typedef struct pe {
    const unsigned char *p;
    size_t n;
    const char *zPath;
    int is64;
    const unsigned char *pSect;
    unsigned nSect;
} pe_t;

static int push(char ***paz, size_t *pn, size_t *pnAlloc, const char *z)
{
    if (*pn == *pnAlloc) {
        size_t nNew = *pnAlloc ? *pnAlloc * 2 : 4096;
        char **a = realloc(*paz, nNew * sizeof(*a));
        if (!a) return -1;
        *paz = a;
        *pnAlloc = nNew;
    }
    (*paz)[*pn] = strdup(z);
    if (!(*paz)[*pn]) return -1;
    (*pn)++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lower(char *z)
{
    for (; *z; z++) *z = (char)tolower((unsigned char)*z);
}

static int exports_load(exports_t *e, const char *zPath)
{
    FILE *f = fopen(zPath, "r");
    char zLine[1024], zDll[256] = "", zKey[1400];
    unsigned nLine = 0;
    if (!f) {
        fprintf(stderr, "xpcheck: %s: %s\n", zPath, strerror(errno));
        return -1;
    }
    while (fgets(zLine, sizeof zLine, f)) {
        char *z = zLine, *eq;
        nLine++;
        z[strcspn(z, "\r\n")] = 0;
        if (!*z) continue;
        if (*z == '[') {
            char *end = strchr(z, ']');
            if (!end || end - z - 1 >= (long)sizeof zDll) {
                fprintf(stderr, "xpcheck: %s:%u: bad section line\n", zPath, nLine);
                fclose(f);
                return -1;
            }
            memcpy(zDll, z + 1, (size_t)(end - z - 1));
            zDll[end - z - 1] = 0;
            lower(zDll);
            if (push(&e->azDll, &e->nDll, &e->nDllAlloc, zDll)) goto oom;
            continue;
        }
        if (!*zDll) continue;
        eq = strchr(z, '=');
        if (eq) {
            *eq = 0;
            snprintf(zKey, sizeof zKey, "%s!%s", zDll, eq + 1);
            if (push(&e->azKey, &e->nKey, &e->nAlloc, zKey)) goto oom;
        }
        snprintf(zKey, sizeof zKey, "%s!#%s", zDll, z);
        if (push(&e->azKey, &e->nKey, &e->nAlloc, zKey)) goto oom;
    }
    fclose(f);
    qsort(e->azKey, e->nKey, sizeof(char *), cmp_str);
    qsort(e->azDll, e->nDll, sizeof(char *), cmp_str);
    return 0;
oom:
    fclose(f);
    fprintf(stderr, "xpcheck: out of memory\n");
    return -1;
}

static int has(char **az, size_t n, const char *zKey)
{
    return bsearch(&zKey, az, n, sizeof(char *), cmp_str) != NULL;
}

static uint32_t rd16(const pe_t *pe, size_t off)
{
    if (off + 2 > pe->n) return 0;
    return (uint32_t)pe->p[off] | (uint32_t)pe->p[off + 1] << 8;
}

static uint32_t rd32(const pe_t *pe, size_t off)
{
    if (off + 4 > pe->n) return 0;
    return rd16(pe, off) | rd16(pe, off + 2) << 16;
}

static uint64_t rd64(const pe_t *pe, size_t off)
{
    return (uint64_t)rd32(pe, off) | (uint64_t)rd32(pe, off + 4) << 32;
}

/* File offset of an RVA, or 0 when no section holds it. */
static size_t rva_off(const pe_t *pe, uint32_t rva)
{
    unsigned i;
    for (i = 0; i < pe->nSect; i++) {
        const unsigned char *s = pe->pSect + i * 40;
        size_t so = (size_t)(s - pe->p);
        uint32_t va = rd32(pe, so + 12), vsz = rd32(pe, so + 8), raw = rd32(pe, so + 20);
        uint32_t rawsz = rd32(pe, so + 16);
        if (vsz < rawsz) vsz = rawsz;
        if (rva >= va && rva < va + vsz) {
            size_t off = (size_t)raw + (rva - va);
            return off < pe->n ? off : 0;
        }
    }
    return 0;
}

static const char *rva_str(const pe_t *pe, uint32_t rva)
{
    size_t off = rva_off(pe, rva);
    if (!off || !memchr(pe->p + off, 0, pe->n - off)) return NULL;
    return (const char *)pe->p + off;
}

typedef struct report {
    int nBad;
    const char *zExpect;   /* "dll!func" expected to be missing, or NULL */
    int expectSeen;
} report_t;

static void missing(report_t *r, const pe_t *pe, const char *zDll, const char *zFunc,
                    const char *zWhy, const char *zKind)
{
    char zKey[600];
    snprintf(zKey, sizeof zKey, "%s!%s", zDll, zFunc);
    if (r->zExpect && strcasecmp(r->zExpect, zKey) == 0) r->expectSeen = 1;
    printf("xpcheck: %s: %s %s!%s: %s\n", pe->zPath, zKind, zDll, zFunc, zWhy);
    r->nBad++;
}

/* Walks one import name table (thunk array) of zDll. */
static void check_thunks(const pe_t *pe, const exports_t *e, report_t *r, const char *zDll,
                         uint32_t rvaThunks, const char *zKind)
{
    char zLow[256], zKey[600];
    size_t off = rva_off(pe, rvaThunks);
    size_t step = pe->is64 ? 8 : 4;
    snprintf(zLow, sizeof zLow, "%s", zDll);
    lower(zLow);
    if (!off) return;
    for (;; off += step) {
        uint64_t t = pe->is64 ? rd64(pe, off) : rd32(pe, off);
        uint64_t ordFlag = pe->is64 ? (uint64_t)1 << 63 : (uint64_t)1 << 31;
        if (off + step > pe->n || t == 0) break;
        if (t & ordFlag) {
            char zOrd[16];
            snprintf(zOrd, sizeof zOrd, "#%u", (unsigned)(t & 0xffff));
            snprintf(zKey, sizeof zKey, "%s!%s", zLow, zOrd);
            if (!has(e->azKey, e->nKey, zKey))
                missing(r, pe, zDll, zOrd, "ordinal not exported on the floor", zKind);
        } else {
            const char *zName = rva_str(pe, (uint32_t)t + 2);
            if (!zName) {
                missing(r, pe, zDll, "?", "unreadable import name", zKind);
                break;
            }
            snprintf(zKey, sizeof zKey, "%s!%s", zLow, zName);
            if (!has(e->azKey, e->nKey, zKey))
                missing(r, pe, zDll, zName, "not exported on the floor", zKind);
        }
    }
}

static int check_dll(const pe_t *pe, const exports_t *e, report_t *r, const char *zDll,
                     const char *zKind)
{
    char zLow[256];
    snprintf(zLow, sizeof zLow, "%s", zDll);
    lower(zLow);
    if (!has(e->azDll, e->nDll, zLow)) {
        missing(r, pe, zDll, "*", "DLL does not exist on the floor", zKind);
        return 0;
    }
    return 1;
}

static int check_file(const char *zPath, const exports_t *e, unsigned maxMaj, unsigned maxMin,
                      report_t *r)
{
    pe_t pe = {0};
    FILE *f = fopen(zPath, "rb");
    unsigned char *buf = NULL;
    long n;
    size_t peOff, opt, dd, i;
    uint32_t magic, nDir, osMaj, osMin, ssMaj, ssMin, rvaImp, rvaDelay;
    int rc = -1;

    if (!f) {
        printf("xpcheck: %s: %s\n", zPath, strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 64 || fseek(f, 0, SEEK_SET)) goto bad;
    buf = malloc((size_t)n);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) goto bad;
    pe.p = buf;
    pe.n = (size_t)n;
    pe.zPath = zPath;
    if (buf[0] != 'M' || buf[1] != 'Z') goto bad;
    peOff = rd32(&pe, 0x3c);
    if (peOff + 24 > pe.n || memcmp(buf + peOff, "PE\0\0", 4)) goto bad;
    opt = peOff + 24;
    magic = rd16(&pe, opt);
    if (magic != 0x10b && magic != 0x20b) goto bad;
    pe.is64 = magic == 0x20b;
    pe.nSect = rd16(&pe, peOff + 6);
    pe.pSect = buf + opt + rd16(&pe, peOff + 20);
    if ((size_t)(pe.pSect - buf) + (size_t)pe.nSect * 40 > pe.n) goto bad;
    osMaj = rd16(&pe, opt + 40);
    osMin = rd16(&pe, opt + 42);
    ssMaj = rd16(&pe, opt + 48);
    ssMin = rd16(&pe, opt + 50);
    if (osMaj * 100 + osMin > maxMaj * 100 + maxMin) {
        printf("xpcheck: %s: PE OS version %u.%u > %u.%u\n", zPath, osMaj, osMin, maxMaj, maxMin);
        r->nBad++;
    }
    if (ssMaj * 100 + ssMin > maxMaj * 100 + maxMin) {
        printf("xpcheck: %s: PE subsystem version %u.%u > %u.%u\n", zPath, ssMaj, ssMin, maxMaj,
               maxMin);
        r->nBad++;
    }
    nDir = rd32(&pe, opt + (pe.is64 ? 108 : 92));
    dd = opt + (pe.is64 ? 112 : 96);
    rvaImp = nDir > 1 ? rd32(&pe, dd + 8) : 0;
    rvaDelay = nDir > 13 ? rd32(&pe, dd + 13 * 8) : 0;

    if (rvaImp) {
        size_t off = rva_off(&pe, rvaImp);
        for (i = 0; off && off + 20 <= pe.n; off += 20, i++) {
            uint32_t oft = rd32(&pe, off), nameRva = rd32(&pe, off + 12), ft = rd32(&pe, off + 16);
            const char *zDll;
            if (!oft && !nameRva && !ft) break;
            zDll = rva_str(&pe, nameRva);
            if (!zDll) goto bad;
            if (check_dll(&pe, e, r, zDll, "import"))
                check_thunks(&pe, e, r, zDll, oft ? oft : ft, "import");
        }
    }
    if (rvaDelay) {
        size_t off = rva_off(&pe, rvaDelay);
        for (; off && off + 32 <= pe.n; off += 32) {
            uint32_t nameRva = rd32(&pe, off + 4), intRva = rd32(&pe, off + 16);
            const char *zDll;
            if (!nameRva) break;
            zDll = rva_str(&pe, nameRva);
            if (!zDll) goto bad;
            if (check_dll(&pe, e, r, zDll, "delay-import"))
                check_thunks(&pe, e, r, zDll, intRva, "delay-import");
        }
    }
    printf("xpcheck: %s: %s, OS %u.%u, subsystem %u.%u\n", zPath, pe.is64 ? "PE32+" : "PE32",
           osMaj, osMin, ssMaj, ssMin);
    rc = 0;
    goto out;
bad:
    printf("xpcheck: %s: not a readable PE file\n", zPath);
    r->nBad++;
out:
    if (f) fclose(f);
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    exports_t e = {0};
    report_t r = {0};
    const char *zList = NULL, *zMax = NULL;
    unsigned maj = 0, min = 0, nFiles = 0;
    int i;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--exports") && i + 1 < argc) zList = argv[++i];
        else if (!strcmp(argv[i], "--max-os") && i + 1 < argc) zMax = argv[++i];
        else if (!strcmp(argv[i], "--expect-missing") && i + 1 < argc) r.zExpect = argv[++i];
        else if (argv[i][0] == '-') {
            fprintf(stderr, "xpcheck: unknown option %s\n", argv[i]);
            return 2;
        } else break;
    }
    if (!zList || !zMax || sscanf(zMax, "%u.%u", &maj, &min) != 2 || i >= argc) {
        fprintf(stderr, "usage: xpcheck --exports LIST --max-os M.N [--expect-missing DLL!F] PE...\n");
        return 2;
    }
    if (exports_load(&e, zList)) return 2;
    for (; i < argc; i++, nFiles++) check_file(argv[i], &e, maj, min, &r);

    if (r.zExpect) {
        if (r.expectSeen) {
            printf("xpcheck: OK: %s reported as expected\n", r.zExpect);
            return 0;
        }
        printf("xpcheck: FAIL: %s was not reported\n", r.zExpect);
        return 1;
    }
    printf("xpcheck: %u file(s), %d problem(s)\n", nFiles, r.nBad);
    return r.nBad ? 1 : 0;
}
