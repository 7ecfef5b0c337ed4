/* snap.c: the in-memory snapshot: lifetime, merging hotfixes from several sources, lookups. */
#include "snap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "snap_int.h"

void snap_init(snap_t *s)
{
    memset(s, 0, sizeof *s);
    s->fmtMajor = SNAP_FMT_MAJOR;
    s->fmtMinor = SNAP_FMT_MINOR;
    s->hotfixesComplete = 1;
}

void snap_release(snap_t *s)
{
    size_t i;
    free(s->aSource);
    free(s->aHotfix);
    free(s->aFile);
    free(s->aFact);
    for (i = 0; i < s->nExtra; i++) free(s->azExtra[i]);
    free(s->azExtra);
    snap_init(s);
}

/* Copies zSrc into a fixed field, cutting it at the limit on a UTF-8 character boundary. */
void snap_copy_field(char *zDst, size_t nDst, const char *zSrc)
{
    size_t n;
    if (!nDst) return;
    if (!zSrc) zSrc = "";
    n = strlen(zSrc);
    if (n >= nDst) {
        n = nDst - 1;
        while (n > 0 && ((unsigned char)zSrc[n] & 0xC0) == 0x80) n--;
    }
    memcpy(zDst, zSrc, n);
    zDst[n] = 0;
}

static int snap_ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z') ca += 32;
        if (cb >= 'A' && cb <= 'Z') cb += 32;
        if (ca != cb || !ca) return ca - cb;
    }
}

/* Hotfixes are kept sorted: by KB number, then qualifier; entries that are not KB ids
 * (num 0) come first, by raw text. Sorted input (our own writer's) appends in O(1). */
static int snap_hotfix_cmp(const kb_id_t *kb, const char *zRaw, const snap_hotfix_t *h)
{
    if (kb->num != h->kb.num) return kb->num < h->kb.num ? -1 : 1;
    if (kb->num == 0) return strcmp(zRaw, h->zRaw);
    return snap_ascii_casecmp(kb->zQual, h->kb.zQual);
}

/* Index where (kb, zRaw) is or would go; *pFound says which. */
static size_t snap_hotfix_find(const snap_t *s, const kb_id_t *kb, const char *zRaw, int *pFound)
{
    size_t lo = 0, hi = s->nHotfix;
    *pFound = 0;
    if (hi && snap_hotfix_cmp(kb, zRaw, &s->aHotfix[hi - 1]) > 0) return hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = snap_hotfix_cmp(kb, zRaw, &s->aHotfix[mid]);
        if (c == 0) {
            *pFound = 1;
            return mid;
        }
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* Makes room for element n of a counted array whose capacity is implied by n: 8, then the next
 * power of two, so no capacity field is needed. Returns KBS_OK, KBS_ENOMEM or KBS_ETOOBIG. */
static int snap_grow(void **pa, size_t n, size_t nMax, size_t szElem)
{
    void *aNew;
    int isFull = n == 0 || (n >= 8 && (n & (n - 1)) == 0);
    if (n >= nMax) return KBS_ETOOBIG;
    if (!isFull) return KBS_OK;
    aNew = realloc(*pa, (n == 0 ? 8 : n * 2) * szElem);
    if (!aNew) return KBS_ENOMEM;
    *pa = aNew;
    return KBS_OK;
}

int snap_add_hotfix(snap_t *s, const char *zRaw, unsigned sources, const char *zInstalled,
                    int cbsState)
{
    kb_id_t kb;
    char zRawCut[SNAP_RAW_MAX];
    snap_copy_field(zRawCut, sizeof zRawCut, zRaw);
    if (kb_parse(zRawCut, &kb) != KBS_OK) memset(&kb, 0, sizeof kb);
    return snap_add_hotfix_kb(s, &kb, zRawCut, sources, zInstalled, cbsState);
}

int snap_add_hotfix_kb(snap_t *s, const kb_id_t *pKb, const char *zRaw, unsigned sources,
                       const char *zInstalled, int cbsState)
{
    kb_id_t kb = *pKb;
    char zRawCut[SNAP_RAW_MAX];
    snap_hotfix_t *h;
    size_t i;
    int found, rc;

    snap_copy_field(zRawCut, sizeof zRawCut, zRaw);
    i = snap_hotfix_find(s, &kb, zRawCut, &found);
    if (!found) {
        rc = snap_grow((void **)&s->aHotfix, s->nHotfix, SNAP_HOTFIX_MAX, sizeof(snap_hotfix_t));
        if (rc) return rc;
        memmove(&s->aHotfix[i + 1], &s->aHotfix[i], (s->nHotfix - i) * sizeof(snap_hotfix_t));
        s->nHotfix++;
        h = &s->aHotfix[i];
        memset(h, 0, sizeof *h);
        h->kb = kb;
        memcpy(h->zRaw, zRawCut, sizeof zRawCut);
        h->cbsState = -1;
    }
    h = &s->aHotfix[i];
    h->sources |= sources;
    if (!h->zInstalled[0] && zInstalled) snap_copy_field(h->zInstalled, sizeof h->zInstalled, zInstalled);
    /* An installed CBS state wins over any other state another package of the KB reported. */
    if (cbsState >= 0 && (h->cbsState < 0 || cbsState == SNAP_CBS_INSTALLED)) h->cbsState = cbsState;
    return KBS_OK;
}

int snap_add_file(snap_t *s, const char *zPath, int present, const ver_t *pVer, const char *zError)
{
    snap_file_t *f;
    int rc = snap_grow((void **)&s->aFile, s->nFile, SNAP_FILE_MAX, sizeof(snap_file_t));
    if (rc) return rc;
    f = &s->aFile[s->nFile++];
    memset(f, 0, sizeof *f);
    snap_copy_field(f->zPath, sizeof f->zPath, zPath);
    f->present = present ? 1 : 0;
    if (present && pVer) f->ver = *pVer;
    snap_copy_field(f->zError, sizeof f->zError, zError);
    return KBS_OK;
}

int snap_add_source(snap_t *s, const char *zName, int ok, const char *zError)
{
    snap_source_t *src;
    int rc = snap_grow((void **)&s->aSource, s->nSource, SNAP_SOURCE_MAX, sizeof(snap_source_t));
    if (rc) return rc;
    src = &s->aSource[s->nSource++];
    memset(src, 0, sizeof *src);
    snap_copy_field(src->zName, sizeof src->zName, zName);
    src->ok = ok ? 1 : 0;
    snap_copy_field(src->zError, sizeof src->zError, ok ? "" : zError);
    return KBS_OK;
}

int snap_fact_word_ok(const char *z, size_t n, size_t nMax)
{
    size_t i;
    if (n == 0 || n >= nMax) return 0;
    for (i = 0; i < n; i++) {
        char c = z[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int snap_add_fact(snap_t *s, const char *zName, const char *zValue, const char *zError)
{
    snap_fact_t *f;
    int rc;
    if (!zValue) zValue = "";
    if (!zError) zError = "";
    if (!zName || !snap_fact_word_ok(zName, strlen(zName), SNAP_FACT_NAME_MAX)) return KBS_EINVAL;
    if (zValue[0] ? zError[0] || !snap_fact_word_ok(zValue, strlen(zValue), SNAP_FACT_VALUE_MAX)
                  : !zError[0])
        return KBS_EINVAL;
    if (snap_find_fact(s, zName)) return KBS_EINVAL;
    rc = snap_grow((void **)&s->aFact, s->nFact, SNAP_FACT_MAX, sizeof(snap_fact_t));
    if (rc) return rc;
    f = &s->aFact[s->nFact++];
    memset(f, 0, sizeof *f);
    snap_copy_field(f->zName, sizeof f->zName, zName);
    snap_copy_field(f->zValue, sizeof f->zValue, zValue);
    snap_copy_field(f->zError, sizeof f->zError, zError);
    return KBS_OK;
}

const snap_fact_t *snap_find_fact(const snap_t *s, const char *zName)
{
    size_t i;
    for (i = 0; i < s->nFact; i++) {
        if (snap_ascii_casecmp(s->aFact[i].zName, zName) == 0) return &s->aFact[i];
    }
    return NULL;
}

int snap_add_extra(snap_t *s, const char *zLine, size_t nLine)
{
    char *z;
    int rc = snap_grow((void **)&s->azExtra, s->nExtra, SNAP_EXTRA_MAX, sizeof(char *));
    if (rc) return rc;
    z = malloc(nLine + 1);
    if (!z) return KBS_ENOMEM;
    memcpy(z, zLine, nLine);
    z[nLine] = 0;
    s->azExtra[s->nExtra++] = z;
    return KBS_OK;
}

int snap_has_kb(const snap_t *s, uint32_t kbNum)
{
    size_t lo = 0, hi = s->nHotfix;
    if (kbNum == 0) return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t n = s->aHotfix[mid].kb.num;
        if (n == kbNum) return 1;
        if (n < kbNum) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

const snap_file_t *snap_find_file(const snap_t *s, const char *zName)
{
    size_t i, nName = strlen(zName);
    for (i = 0; i < s->nFile; i++) {
        const char *zPath = s->aFile[i].zPath;
        size_t nPath = strlen(zPath);
        if (nPath < nName || snap_ascii_casecmp(zPath + nPath - nName, zName) != 0) continue;
        if (nPath == nName || zPath[nPath - nName - 1] == '\\' || zPath[nPath - nName - 1] == '/')
            return &s->aFile[i];
    }
    return NULL;
}
