/* catgen_build.c: the built-in catalog = the hand-written overlay + KB lists derived from the data.
 *
 * The overlay is catalog text with three additions, removed from the output:
 *  - `data-cves CVE...` in a rule: the CVEs its `kb=data` clauses derive from (default: its cve
 *    lines);
 *  - `kb=data` on a fix line: the clause's KBs are derived from the data for each family of
 *    the line (its sp= / build= select the platform); families whose lists differ get a line
 *    of their own;
 *  - `known-rollups KB...  # reference` at top level: monthly rollups named by KB articles, used
 *    only where the data cannot tell a rollup from the security-only update of its month.
 * Every `kb` line the overlay adds by hand must carry a `#` comment with its reference, and
 * every KB of a `kb=data` clause must be in the data or on such a line. The output starts with
 * `data-date YYYY-MM-DD` (the data's newest DatePosted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catgen_int.h"
#include "cat.h"
#include "kbs_err.h"

#define CATGEN_KNOWN_MAX 1024

typedef struct catgen_bst {
    const catgen_data_t *d;
    catgen_buf_t *pOut, *pNotes;
    catgen_err_t *pErr;
    const char *zSrc;
    unsigned line;
    char azCve[CATGEN_CVE_MAX][24];
    size_t nCve, nDataCve;
    char azDataCve[CATGEN_CVE_MAX][24];
    uint32_t aKnown[CATGEN_KNOWN_MAX];
    size_t nKnown;
    catgen_res_t res;       /* the current rule's derivation (made at its first kb=data line) */
    int bRes;
    unsigned char *aUsed;   /* per res platform: used by a kb=data line */
    char zRule[32];
    int bInDataFix;         /* the last clause line was kb=data: hand kb lines follow */
} catgen_bst_t;

static int catgen_bfail(catgen_bst_t *s, int rc, const char *zFmt, const char *zArg)
{
    if (s->pErr) {
        s->pErr->rc = rc;
        s->pErr->line = s->line;
        snprintf(s->pErr->zReason, sizeof s->pErr->zReason, zFmt, zArg ? zArg : "");
    }
    return rc;
}

static const char *catgen_skip_blank(const char *z, const char *zEnd)
{
    while (z < zEnd && (*z == ' ' || *z == '\t')) z++;
    return z;
}

/* The first "kb=data" option in [z, zEnd), or NULL (the overlay need not end in NUL). */
static const char *catgen_find_kbdata(const char *z, const char *zEnd)
{
    for (; zEnd - z >= 7; z++)
        if (memcmp(z, "kb=data", 7) == 0 && (z + 7 == zEnd || z[7] == ' ' || z[7] == '\t')) return z;
    return NULL;
}

static int catgen_word_is(const char *z, const char *zEnd, const char *zWord)
{
    size_t n = strlen(zWord);
    return (size_t)(zEnd - z) >= n && memcmp(z, zWord, n) == 0 &&
           (z + n == zEnd || z[n] == ' ' || z[n] == '\t');
}

/* Blank-separated ids after the directive word into a[] (max nMax). */
static int catgen_ids(catgen_bst_t *s, const char *z, const char *zEnd, char a[][24], size_t *pn, size_t nMax)
{
    while ((z = catgen_skip_blank(z, zEnd)) < zEnd && *z != '#') {
        const char *zT = z;
        while (z < zEnd && *z != ' ' && *z != '\t') z++;
        if ((size_t)(z - zT) >= 24) return catgen_bfail(s, KBS_EPARSE, "id longer than 23 bytes", NULL);
        if (*pn >= nMax) return catgen_bfail(s, KBS_ETOOBIG, "too many CVEs in one rule", NULL);
        memcpy(a[*pn], zT, (size_t)(z - zT));
        a[(*pn)++][z - zT] = 0;
    }
    return KBS_OK;
}

static int catgen_rule_res(catgen_bst_t *s)
{
    const char *az[CATGEN_CVE_MAX];
    size_t i, n = s->nDataCve ? s->nDataCve : s->nCve;
    catgen_err_t e;
    int rc;
    if (s->bRes) return KBS_OK;
    for (i = 0; i < n; i++) az[i] = s->nDataCve ? s->azDataCve[i] : s->azCve[i];
    if (n == 0) return catgen_bfail(s, KBS_EPARSE, "kb=data in a rule without CVEs", NULL);
    rc = catgen_derive(s->d, az, n, s->aKnown, s->nKnown, &s->res, &e);
    if (rc != KBS_OK) {
        if (s->pErr) {
            s->pErr->rc = rc;
            s->pErr->line = s->line;
            snprintf(s->pErr->zReason, sizeof s->pErr->zReason, "rule %.20s: data line %u: %.140s", s->zRule,
                     e.line, e.zReason);
        }
        return rc;
    }
    for (i = 0; i < s->res.nNote; i++)
        catgen_buf_printf(s->pNotes, "%s: rule %s: note (data line %u): %s\n", s->zSrc, s->zRule,
                          s->res.aNote[i].line, s->res.aNote[i].zText);
    free(s->aUsed);
    if (!(s->aUsed = calloc(s->res.nPlat + 1, 1))) return catgen_bfail(s, KBS_ENOMEM, "out of memory", NULL);
    s->bRes = 1;
    return KBS_OK;
}

static void catgen_rule_end(catgen_bst_t *s)
{
    size_t i;
    if (s->bRes) {
        for (i = 0; i < s->res.nPlat; i++) {
            const catgen_pres_t *p = &s->res.aPlat[i];
            if (s->aUsed[i]) continue;
            catgen_buf_printf(s->pNotes, "%s: rule %s: the data has %u KBs for %s", s->zSrc, s->zRule,
                              (unsigned)p->nKb, os_family_key(p->plat.family));
            if (p->plat.sp >= 0) catgen_buf_printf(s->pNotes, " sp=%d", p->plat.sp);
            if (p->plat.build) catgen_buf_printf(s->pNotes, " build=%u", (unsigned)p->plat.build);
            catgen_buf_printf(s->pNotes, " (first KB%u): no kb=data clause uses them\n",
                              p->nKb ? (unsigned)p->aKb[0].kb : 0u);
        }
    }
    catgen_res_release(&s->res);
    free(s->aUsed);
    s->aUsed = NULL;
    s->bRes = 0;
    s->nCve = s->nDataCve = 0;
    s->bInDataFix = 0;
}

/* Parses "sp=N" / "build=N" (exact values) among the options of a kb=data fix line. */
static int catgen_opt_int(const char *z, const char *zEnd, const char *zKey, long *pVal)
{
    size_t n = strlen(zKey);
    const char *p = z;
    while ((p = catgen_skip_blank(p, zEnd)) < zEnd) {
        const char *zT = p;
        while (p < zEnd && *p != ' ' && *p != '\t') {
            if (*p == '"') {
                const char *q = memchr(p + 1, '"', (size_t)(zEnd - p - 1));
                p = q ? q : zEnd - 1;
            }
            p++;
        }
        if ((size_t)(p - zT) > n && memcmp(zT, zKey, n) == 0) {
            char zNum[16];
            size_t nNum = (size_t)(p - zT) - n;
            if (nNum >= sizeof zNum || memchr(zT + n, '-', nNum)) return -1;
            memcpy(zNum, zT + n, nNum);
            zNum[nNum] = 0;
            *pVal = strtol(zNum, NULL, 10);
            return 1;
        }
    }
    return 0;
}

/* The overlay's ubr= is an audited threshold and stays; where the KB-to-build table gives the
 * derived list another first UBR (or none), the notes say so for the next audit. */
static void catgen_ubr_check(catgen_bst_t *s, const catgen_pres_t *p, long ubrOverlay)
{
    uint32_t kb = 0, ubr = catgen_pres_ubr(p, &kb);
    if (!catgen_pres_has_ubr(p) || (uint32_t)ubrOverlay == ubr) return;
    catgen_buf_printf(s->pNotes,
                      "%s:%u: rule %s: %s build=%u: the overlay's ubr=%ld stays; the table gives ",
                      s->zSrc, s->line, s->zRule, os_family_key(p->plat.family),
                      (unsigned)p->plat.build, ubrOverlay);
    if (ubr)
        catgen_buf_printf(s->pNotes, "ubr=%u (KB%u)\n", (unsigned)ubr, (unsigned)kb);
    else
        catgen_buf_printf(s->pNotes, "no UBR for these KBs\n");
}

/* fix FAMILIES options... kb=data: one clause line per group of families with the same list. */
static int catgen_data_fix(catgen_bst_t *s, const char *z, const char *zEnd)
{
    const char *zFam = catgen_skip_blank(z + 3, zEnd), *zFamEnd, *zOpt, *zKbData;
    const catgen_pres_t *aP[OS_FAM_COUNT];
    const char *azFam[OS_FAM_COUNT];
    size_t nFam = 0, i, j;
    long sp = -1, build = 0, ubr = 0;
    unsigned char aDone[OS_FAM_COUNT];
    int rc;

    if ((rc = catgen_rule_res(s)) != KBS_OK) return rc;
    for (zFamEnd = zFam; zFamEnd < zEnd && *zFamEnd != ' ' && *zFamEnd != '\t'; zFamEnd++) {
    }
    zOpt = zFamEnd;
    if (catgen_opt_int(zOpt, zEnd, "sp=", &sp) < 0 || catgen_opt_int(zOpt, zEnd, "build=", &build) < 0)
        return catgen_bfail(s, KBS_EPARSE, "kb=data wants one sp= and build= value, not a range", NULL);
    if (catgen_opt_int(zOpt, zEnd, "ubr=", &ubr) < 0) ubr = 0;
    for (z = zFam; z < zFamEnd;) {
        const char *zC = memchr(z, ',', (size_t)(zFamEnd - z));
        const char *zE = zC ? zC : zFamEnd;
        char zKey[16];
        os_family_t fam;
        if ((size_t)(zE - z) >= sizeof zKey) return catgen_bfail(s, KBS_EPARSE, "unknown family", NULL);
        memcpy(zKey, z, (size_t)(zE - z));
        zKey[zE - z] = 0;
        if ((fam = os_family_from_key(zKey)) == OS_FAM_UNKNOWN)
            return catgen_bfail(s, KBS_EPARSE, "unknown family '%s'", zKey);
        aP[nFam] = NULL;
        for (i = 0; i < s->res.nPlat; i++) {
            const catgen_pres_t *p = &s->res.aPlat[i];
            if (p->plat.family == fam && (sp < 0 || p->plat.sp == sp || p->plat.sp < 0) &&
                (!build || p->plat.build == (uint32_t)build || !p->plat.build)) {
                if (aP[nFam]) return catgen_bfail(s, KBS_EPARSE, "kb=data matches several platforms of '%s': add sp= or build=", zKey);
                aP[nFam] = p;
                s->aUsed[i] = 1;
            }
        }
        if (!aP[nFam]) return catgen_bfail(s, KBS_EPARSE, "kb=data: the data has no fixing KB for '%s' here", zKey);
        azFam[nFam++] = zFam + (z - zFam);
        z = zC ? zC + 1 : zFamEnd;
    }
    zKbData = catgen_find_kbdata(zOpt, zEnd);
    memset(aDone, 0, sizeof aDone);
    for (i = 0; i < nFam; i++) {
        if (aDone[i]) continue;
        catgen_buf_printf(s->pOut, "fix ");
        for (j = i; j < nFam; j++) {
            const char *zF = azFam[j], *zFE = zF;
            if (aDone[j] || (j > i && aP[j]->nKb != aP[i]->nKb)) continue;
            if (j > i) {
                size_t k;
                for (k = 0; k < aP[i]->nKb && aP[i]->aKb[k].kb == aP[j]->aKb[k].kb; k++) {
                }
                if (k < aP[i]->nKb) continue;
            }
            while (zFE < zFamEnd && *zFE != ',') zFE++;
            catgen_buf_printf(s->pOut, "%s%.*s", j > i ? "," : "", (int)(zFE - zF), zF);
            aDone[j] = 1;
        }
        /* The options as the overlay wrote them, without kb=data. */
        catgen_buf_printf(s->pOut, "%.*s", (int)(zKbData - zOpt), zOpt);
        {
            const char *zAfter = zKbData + 7;
            while (zAfter < zEnd && (*zAfter == ' ')) zAfter++;
            if (zAfter < zEnd) {
                while (s->pOut->n && s->pOut->z[s->pOut->n - 1] == ' ') s->pOut->n--;
                catgen_buf_printf(s->pOut, " %.*s", (int)(zEnd - zAfter), zAfter);
            }
            while (s->pOut->n && s->pOut->z[s->pOut->n - 1] == ' ') s->pOut->n--;
        }
        catgen_buf_printf(s->pOut, "\n");
        catgen_write_kbs(aP[i], s->pOut);
        catgen_ubr_check(s, aP[i], ubr);
    }
    return KBS_OK;
}

static int catgen_known_line(catgen_bst_t *s, const char *z, const char *zEnd)
{
    const char *zHash = memchr(z, '#', (size_t)(zEnd - z));
    if (!zHash) return catgen_bfail(s, KBS_EPARSE, "known-rollups without a '# reference' comment", NULL);
    z += strlen("known-rollups");
    while ((z = catgen_skip_blank(z, zHash)) < zHash) {
        uint32_t v = 0;
        const char *zT = z;
        while (z < zHash && *z >= '0' && *z <= '9') v = v * 10 + (uint32_t)(*z++ - '0');
        if (z == zT || (z < zHash && *z != ' ' && *z != '\t') || z - zT > 7)
            return catgen_bfail(s, KBS_EPARSE, "known-rollups wants KB numbers", NULL);
        if (s->nKnown >= CATGEN_KNOWN_MAX) return catgen_bfail(s, KBS_ETOOBIG, "too many known rollups", NULL);
        s->aKnown[s->nKnown++] = v;
    }
    return KBS_OK;
}

int catgen_build(const catgen_data_t *d, const char *zOverlay, size_t nOverlay, const char *zOverlaySrc,
                 catgen_buf_t *pOut, catgen_buf_t *pNotes, catgen_err_t *pErr)
{
    catgen_bst_t s;
    const char *z = zOverlay, *zEnd = zOverlay + nOverlay;
    int rc = KBS_OK, bInRule = 0;

    memset(&s, 0, sizeof s);
    if (pErr) memset(pErr, 0, sizeof *pErr);
    s.d = d;
    s.pOut = pOut;
    s.pNotes = pNotes;
    s.pErr = pErr;
    s.zSrc = zOverlaySrc;
    if (nOverlay > CAT_IN_MAX) return catgen_bfail(&s, KBS_ETOOBIG, "overlay larger than 1 MiB", NULL);
    /* known-rollups lines may stand anywhere at top level: read them first. */
    while (z < zEnd) {
        const char *zNl = memchr(z, '\n', (size_t)(zEnd - z)), *zLe = zNl ? zNl : zEnd, *zW;
        s.line++;
        if (zLe > z && zLe[-1] == '\r') zLe--;
        zW = catgen_skip_blank(z, zLe);
        if (catgen_word_is(zW, zLe, "known-rollups") && (rc = catgen_known_line(&s, zW, zLe)) != KBS_OK) return rc;
        z = zNl ? zNl + 1 : zEnd;
    }
    z = zOverlay;
    s.line = 0;
    while (z < zEnd) {
        const char *zNl = memchr(z, '\n', (size_t)(zEnd - z)), *zLe = zNl ? zNl : zEnd, *zW;
        s.line++;
        if (zLe > z && zLe[-1] == '\r') zLe--;
        zW = catgen_skip_blank(z, zLe);
        if (s.line == 1) {
            if (!catgen_word_is(zW, zLe, "kbscat")) {
                rc = catgen_bfail(&s, KBS_EPARSE, "the overlay starts with 'kbscat 1.3'", NULL);
                goto out;
            }
            catgen_buf_printf(pOut, "%.*s\n", (int)(zLe - z), z);
            catgen_buf_printf(pOut, "data-date %04u-%02u-%02u\n", (unsigned)(d->dateMax / 10000),
                              (unsigned)(d->dateMax / 100 % 100), (unsigned)(d->dateMax % 100));
        } else if (catgen_word_is(zW, zLe, "known-rollups")) {
            /* read above; not catalog text */
        } else if (catgen_word_is(zW, zLe, "data-cves")) {
            if ((rc = catgen_ids(&s, zW + 9, zLe, s.azDataCve, &s.nDataCve, CATGEN_CVE_MAX)) != KBS_OK) goto out;
        } else {
            if (catgen_word_is(zW, zLe, "rule")) {
                const char *zId = catgen_skip_blank(zW + 4, zLe);
                snprintf(s.zRule, sizeof s.zRule, "%.*s", (int)(zLe - zId > 31 ? 31 : zLe - zId), zId);
                bInRule = 1;
                s.bInDataFix = 0;
            } else if (bInRule && catgen_word_is(zW, zLe, "end")) {
                catgen_rule_end(&s);
                bInRule = 0;
            } else if (bInRule && catgen_word_is(zW, zLe, "cve")) {
                if ((rc = catgen_ids(&s, zW + 3, zLe, s.azCve, &s.nCve, CATGEN_CVE_MAX)) != KBS_OK) goto out;
            } else if (catgen_word_is(zW, zLe, "kb")) {
                if (!memchr(zW, '#', (size_t)(zLe - zW))) {
                    rc = catgen_bfail(&s, KBS_EPARSE, "a hand-written kb line needs a '# reference' comment", NULL);
                    goto out;
                }
            } else if (catgen_word_is(zW, zLe, "fix") || catgen_word_is(zW, zLe, "no-fix") ||
                       catgen_word_is(zW, zLe, "not-affected") || catgen_word_is(zW, zLe, "undecided")) {
                s.bInDataFix = 0;
            }
            if (bInRule && catgen_word_is(zW, zLe, "fix")) {
                if (catgen_find_kbdata(zW, zLe)) {
                    if ((rc = catgen_data_fix(&s, zW, zLe)) != KBS_OK) goto out;
                    s.bInDataFix = 1;
                    z = zNl ? zNl + 1 : zEnd;
                    continue;
                }
            }
            catgen_buf_printf(pOut, "%.*s\n", (int)(zLe - z), z);
        }
        z = zNl ? zNl + 1 : zEnd;
    }
    if (bInRule) rc = catgen_bfail(&s, KBS_EPARSE, "the overlay ends inside rule %s", s.zRule);
out:
    catgen_rule_end(&s);
    if (rc == KBS_OK && (pOut->bOom || pNotes->bOom)) rc = catgen_bfail(&s, KBS_ENOMEM, "out of memory", NULL);
    return rc;
}
