/* cat.c: the emergency-patch catalog: strict line parser, built-in copy, lookups. */
#include "cat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"

/* Made from common/catalog/emergency.kbscat at build time (cmake/embed.cmake). */
extern const char cat_default_data[];
extern const size_t cat_default_data_len;

/* Parser state: where we are and what the current rule / clause group is. */
typedef struct cat_pstate {
    cat_t *c;
    cat_err_t *pErr;
    unsigned line;
    unsigned fmtMinor;
    cat_rule_t *pRule;      /* rule being read, NULL between rules */
    size_t iGroup;          /* first clause of the last clause line (family lists expand) */
    int bGroupFix;          /* the last clause line was a fix: `kb` lines may follow */
    int bEnded;             /* `end-catalog` seen */
} cat_pstate_t;

static int fail(cat_pstate_t *p, int rc, const char *zFmt, ...)
{
    if (p->pErr) {
        va_list ap;
        p->pErr->rc = rc;
        p->pErr->line = p->line;
        va_start(ap, zFmt);
        vsnprintf(p->pErr->zReason, sizeof p->pErr->zReason, zFmt, ap);
        va_end(ap);
    }
    return rc;
}

uint64_t cat_hash64(const char *zIn, size_t nIn)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;
    for (i = 0; i < nIn; i++) {
        h ^= (unsigned char)zIn[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static int kb_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void plat_release(cat_plat_t *pl)
{
    free(pl->aKb);
    free(pl->aKbSorted);
    pl->aKb = pl->aKbSorted = NULL;
    pl->nKb = 0;
}

void cat_release(cat_t *c)
{
    size_t i, j;
    if (!c) return;
    for (i = 0; i < c->nRule; i++) {
        for (j = 0; j < c->aRule[i].nPlat; j++) plat_release(&c->aRule[i].aPlat[j]);
        free(c->aRule[i].aPlat);
        free(c->aRule[i].aMitig);
    }
    free(c->aRule);
    memset(c, 0, sizeof *c);
}

/* Decimal without sign or leading junk, at most nMaxDigit digits, the whole of [z, zEnd). */
static int parse_u32(const char *z, const char *zEnd, uint32_t *pOut)
{
    uint64_t v = 0;
    if (z >= zEnd || zEnd - z > 10) return -1;
    for (; z < zEnd; z++) {
        if (*z < '0' || *z > '9') return -1;
        v = v * 10 + (uint64_t)(*z - '0');
    }
    if (v > 0xffffffffu) return -1;
    *pOut = (uint32_t)v;
    return 0;
}

/* "N", "N-M" or "N-": a range; an open end is 0 (any). */
static int parse_range(const char *z, const char *zEnd, uint32_t *pMin, uint32_t *pMax)
{
    const char *zDash = memchr(z, '-', (size_t)(zEnd - z));
    if (!zDash) {
        if (parse_u32(z, zEnd, pMin)) return -1;
        *pMax = *pMin;
        return 0;
    }
    if (parse_u32(z, zDash, pMin)) return -1;
    if (zDash + 1 == zEnd) {
        *pMax = 0;
        return 0;
    }
    if (parse_u32(zDash + 1, zEnd, pMax)) return -1;
    return *pMax < *pMin ? -1 : 0;
}

static int copy_field(cat_pstate_t *p, char *zDst, size_t nDst, const char *z, size_t n,
                      const char *zWhat)
{
    if (n >= nDst) return fail(p, KBS_ETOOBIG, "%s longer than %u bytes", zWhat, (unsigned)nDst - 1);
    memcpy(zDst, z, n);
    zDst[n] = 0;
    return KBS_OK;
}

/* Appends " text" (or "text" when empty) to a blank-separated list field. */
static int append_field(cat_pstate_t *p, char *zDst, size_t nDst, const char *z, size_t n,
                        const char *zWhat)
{
    size_t nOld = strlen(zDst), nNeed = nOld + (nOld ? 1 : 0) + n;
    if (nNeed >= nDst) return fail(p, KBS_ETOOBIG, "%s longer than %u bytes", zWhat, (unsigned)nDst - 1);
    if (nOld) zDst[nOld++] = ' ';
    memcpy(zDst + nOld, z, n);
    zDst[nNeed] = 0;
    return KBS_OK;
}

static int add_kb(cat_pstate_t *p, cat_plat_t *pl, uint32_t kb)
{
    uint32_t *a;
    size_t i;
    for (i = 0; i < pl->nKb; i++) {
        if (pl->aKb[i] == kb) return fail(p, KBS_EPARSE, "KB%u listed twice for one platform", (unsigned)kb);
    }
    if (pl->nKb >= CAT_KB_MAX) return fail(p, KBS_ETOOBIG, "more than %u KBs for one platform", CAT_KB_MAX);
    a = realloc(pl->aKb, (pl->nKb + 1) * sizeof *a);
    if (!a) return fail(p, KBS_ENOMEM, "out of memory");
    pl->aKb = a;
    pl->aKb[pl->nKb++] = kb;
    return KBS_OK;
}

/* A KB number as the catalog writes it: 6 or 7 digits, an optional "KB" prefix. */
static int parse_kb_token(const char *z, const char *zEnd, uint32_t *pKb)
{
    if (zEnd - z > 2 && (z[0] == 'K' || z[0] == 'k') && (z[1] == 'B' || z[1] == 'b')) z += 2;
    if (zEnd - z < 6 || zEnd - z > 7) return -1;
    if (parse_u32(z, zEnd, pKb) || *pKb < 100000) return -1;
    return 0;
}

/* Next blank-separated token of [*pz, zEnd); a value after '=' may be "quoted with blanks".
 * Returns 1 with the token in [*pzTok, *pzTokEnd), 0 at the end, -1 on an unclosed quote. */
static int next_token(const char **pz, const char *zEnd, const char **pzTok, const char **pzTokEnd)
{
    const char *z = *pz;
    while (z < zEnd && (*z == ' ' || *z == '\t')) z++;
    if (z >= zEnd) return 0;
    *pzTok = z;
    while (z < zEnd && *z != ' ' && *z != '\t') {
        if (*z == '"') {
            const char *zClose = memchr(z + 1, '"', (size_t)(zEnd - z - 1));
            if (!zClose) return -1;
            z = zClose + 1;
            break;
        }
        z++;
    }
    if (z < zEnd && *z != ' ' && *z != '\t') return -1; /* text glued after a closing quote */
    *pzTokEnd = z;
    *pz = z;
    return 1;
}

static int tok_is(const char *z, const char *zEnd, const char *zWord)
{
    size_t n = strlen(zWord);
    return (size_t)(zEnd - z) == n && memcmp(z, zWord, n) == 0;
}

/* One key=value of a clause line into every clause of the group [iFirst, nPlat). */
static int clause_option(cat_pstate_t *p, cat_plat_t *pl, const char *zKey, const char *zKeyEnd,
                         const char *zVal, const char *zValEnd)
{
    size_t nVal = (size_t)(zValEnd - zVal);
    uint32_t a, b;
    if (nVal >= 2 && zVal[0] == '"') {
        zVal++, zValEnd--, nVal -= 2;
    } else if (memchr(zVal, '"', nVal)) {
        return fail(p, KBS_EPARSE, "stray quote in a value");
    }
    if (tok_is(zKey, zKeyEnd, "sp")) {
        if (parse_range(zVal, zValEnd, &a, &b) || a > 6 || b > 6)
            return fail(p, KBS_EPARSE, "sp wants N or N-M (0..6)");
        pl->spMin = (int)a;
        pl->spMax = zValEnd[-1] == '-' ? -1 : (int)b;
    } else if (tok_is(zKey, zKeyEnd, "arch")) {
        char z[8];
        if (nVal >= sizeof z) return fail(p, KBS_EPARSE, "unknown arch");
        memcpy(z, zVal, nVal);
        z[nVal] = 0;
        pl->arch = os_arch_from_key(z);
        if (pl->arch == OS_ARCH_UNKNOWN) return fail(p, KBS_EPARSE, "unknown arch '%s'", z);
    } else if (tok_is(zKey, zKeyEnd, "build")) {
        if (parse_range(zVal, zValEnd, &a, &b) || a == 0)
            return fail(p, KBS_EPARSE, "build wants N, N-M or N-");
        pl->buildMin = a;
        pl->buildMax = b;
    } else if (tok_is(zKey, zKeyEnd, "ubr")) {
        if (parse_u32(zVal, zValEnd, &a) || a == 0) return fail(p, KBS_EPARSE, "ubr wants a number");
        pl->ubrMin = a;
    } else if (tok_is(zKey, zKeyEnd, "file")) {
        size_t i;
        for (i = 0; i < nVal; i++) {
            if (zVal[i] == '\\' || zVal[i] == '/' || zVal[i] == ' ')
                return fail(p, KBS_EPARSE, "file wants a bare file name");
        }
        if (nVal == 0) return fail(p, KBS_EPARSE, "empty file name");
        return copy_field(p, pl->zFile, sizeof pl->zFile, zVal, nVal, "file name");
    } else if (tok_is(zKey, zKeyEnd, "ver")) {
        char z[32];
        ver_t v;
        if (pl->nFileVer >= CAT_FILEVER_MAX)
            return fail(p, KBS_ETOOBIG, "more than %u ver= for one platform", CAT_FILEVER_MAX);
        if (nVal >= sizeof z) return fail(p, KBS_EPARSE, "bad version");
        memcpy(z, zVal, nVal);
        z[nVal] = 0;
        if (ver_parse(z, &v) || strchr(z, ' ')) return fail(p, KBS_EPARSE, "bad version '%s'", z);
        pl->aFileVer[pl->nFileVer++] = v;
    } else if (tok_is(zKey, zKeyEnd, "kb")) {
        /* kb=N,N,... inline */
        const char *z = zVal;
        while (z < zValEnd) {
            const char *zComma = memchr(z, ',', (size_t)(zValEnd - z));
            const char *zE = zComma ? zComma : zValEnd;
            uint32_t kb;
            int rc;
            if (parse_kb_token(z, zE, &kb)) return fail(p, KBS_EPARSE, "bad KB number");
            if ((rc = add_kb(p, pl, kb)) != KBS_OK) return rc;
            z = zComma ? zComma + 1 : zValEnd;
        }
    } else if (tok_is(zKey, zKeyEnd, "note")) {
        return copy_field(p, pl->zNote, sizeof pl->zNote, zVal, nVal, "note");
    } else if (tok_is(zKey, zKeyEnd, "action")) {
        return copy_field(p, pl->zAction, sizeof pl->zAction, zVal, nVal, "action");
    } else {
        return fail(p, KBS_EPARSE, "unknown clause option '%.*s'", (int)(zKeyEnd - zKey), zKey);
    }
    return KBS_OK;
}

/* fix|not-affected|no-fix FAMILY[,FAMILY...] [key=value...] */
static int clause_line(cat_pstate_t *p, cat_kind_t kind, const char *z, const char *zEnd)
{
    cat_rule_t *r = p->pRule;
    cat_plat_t proto;
    const char *zTok, *zTokEnd, *zF;
    int rc, t;
    size_t nFam = 0, i;
    os_family_t aFam[OS_FAM_COUNT];

    memset(&proto, 0, sizeof proto);
    proto.spMin = proto.spMax = -1;
    proto.kind = kind;

    t = next_token(&z, zEnd, &zTok, &zTokEnd);
    if (t <= 0) return fail(p, KBS_EPARSE, "clause without a platform family");
    for (zF = zTok; zF < zTokEnd;) {
        const char *zComma = memchr(zF, ',', (size_t)(zTokEnd - zF));
        const char *zE = zComma ? zComma : zTokEnd;
        char zKey[16];
        os_family_t fam;
        if ((size_t)(zE - zF) >= sizeof zKey) return fail(p, KBS_EPARSE, "unknown family");
        memcpy(zKey, zF, (size_t)(zE - zF));
        zKey[zE - zF] = 0;
        fam = os_family_from_key(zKey);
        if (fam == OS_FAM_UNKNOWN) return fail(p, KBS_EPARSE, "unknown family '%s'", zKey);
        for (i = 0; i < nFam; i++) {
            if (aFam[i] == fam) return fail(p, KBS_EPARSE, "family '%s' twice", zKey);
        }
        aFam[nFam++] = fam;
        zF = zComma ? zComma + 1 : zTokEnd;
        if (zComma && zF == zTokEnd) return fail(p, KBS_EPARSE, "empty family after ','");
    }

    while ((t = next_token(&z, zEnd, &zTok, &zTokEnd)) > 0) {
        const char *zEq = memchr(zTok, '=', (size_t)(zTokEnd - zTok));
        if (!zEq || zEq == zTok || zEq + 1 == zTokEnd) {
            plat_release(&proto);
            return fail(p, KBS_EPARSE, "clause options are key=value");
        }
        if ((rc = clause_option(p, &proto, zTok, zEq, zEq + 1, zTokEnd)) != KBS_OK) {
            plat_release(&proto);
            return rc;
        }
    }
    if (t < 0) {
        plat_release(&proto);
        return fail(p, KBS_EPARSE, "unclosed quote");
    }
    if ((proto.zFile[0] != 0) != (proto.nFileVer != 0)) {
        plat_release(&proto);
        return fail(p, KBS_EPARSE, "file= and ver= go together");
    }
    if (kind != CAT_KIND_FIX && (proto.nKb || proto.ubrMin || proto.zFile[0])) {
        plat_release(&proto);
        return fail(p, KBS_EPARSE, "only a fix clause has kb/ubr/file");
    }
    if (r->nPlat + nFam > CAT_PLAT_MAX) {
        plat_release(&proto);
        return fail(p, KBS_ETOOBIG, "more than %u platform clauses in rule %s", CAT_PLAT_MAX, r->zId);
    }

    p->iGroup = r->nPlat;
    p->bGroupFix = kind == CAT_KIND_FIX;
    {
        cat_plat_t *a = realloc(r->aPlat, (r->nPlat + nFam) * sizeof *a);
        if (!a) {
            plat_release(&proto);
            return fail(p, KBS_ENOMEM, "out of memory");
        }
        r->aPlat = a;
    }
    for (i = 0; i < nFam; i++) {
        cat_plat_t *pl = &r->aPlat[r->nPlat];
        *pl = proto;
        pl->family = aFam[i];
        pl->aKb = NULL;
        pl->aKbSorted = NULL;
        pl->nKb = 0;
        r->nPlat++;
        if (proto.nKb) {
            pl->aKb = malloc(proto.nKb * sizeof *pl->aKb);
            if (!pl->aKb) {
                plat_release(&proto);
                return fail(p, KBS_ENOMEM, "out of memory");
            }
            memcpy(pl->aKb, proto.aKb, proto.nKb * sizeof *pl->aKb);
            pl->nKb = proto.nKb;
        }
    }
    plat_release(&proto);
    return KBS_OK;
}

/* kb N [N ...] [# comment]: more fixing KBs for the last fix clause line. */
static int kb_line(cat_pstate_t *p, const char *z, const char *zEnd)
{
    const char *zTok, *zTokEnd;
    size_t i;
    int t, rc, n = 0;
    if (!p->bGroupFix) return fail(p, KBS_EPARSE, "kb line without a fix clause before it");
    while ((t = next_token(&z, zEnd, &zTok, &zTokEnd)) > 0) {
        uint32_t kb;
        if (*zTok == '#') break;
        if (parse_kb_token(zTok, zTokEnd, &kb))
            return fail(p, KBS_EPARSE, "bad KB number '%.*s'", (int)(zTokEnd - zTok), zTok);
        for (i = p->iGroup; i < p->pRule->nPlat; i++) {
            if ((rc = add_kb(p, &p->pRule->aPlat[i], kb)) != KBS_OK) return rc;
        }
        n++;
    }
    if (t < 0) return fail(p, KBS_EPARSE, "unclosed quote");
    if (n == 0) return fail(p, KBS_EPARSE, "kb line without a KB number");
    return KBS_OK;
}

/* A fact name or value word: [A-Za-z0-9._-], the snapshot's alphabet for facts. */
static int fact_word_ok(const char *z, const char *zEnd)
{
    if (z >= zEnd) return 0;
    for (; z < zEnd; z++) {
        char c = *z;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* One key=value of a mitigation line. */
static int mitig_option(cat_pstate_t *p, cat_mitig_t *m, const char *zKey, const char *zKeyEnd,
                        const char *zVal, const char *zValEnd)
{
    size_t nVal = (size_t)(zValEnd - zVal);
    if (nVal >= 2 && zVal[0] == '"') {
        zVal++, zValEnd--, nVal -= 2;
    } else if (memchr(zVal, '"', nVal)) {
        return fail(p, KBS_EPARSE, "stray quote in a value");
    }
    if (tok_is(zKey, zKeyEnd, "fact")) {
        if (!fact_word_ok(zVal, zValEnd)) return fail(p, KBS_EPARSE, "fact wants a name of A-Z a-z 0-9 . _ -");
        return copy_field(p, m->zFact, sizeof m->zFact, zVal, nVal, "fact name");
    } else if (tok_is(zKey, zKeyEnd, "value")) {
        const char *z = zVal;
        while (z < zValEnd) {
            const char *zComma = memchr(z, ',', (size_t)(zValEnd - z));
            if (!fact_word_ok(z, zComma ? zComma : zValEnd))
                return fail(p, KBS_EPARSE, "value wants words of A-Z a-z 0-9 . _ -, comma-separated");
            z = zComma ? zComma + 1 : zValEnd;
            if (zComma && z == zValEnd) return fail(p, KBS_EPARSE, "empty value after ','");
        }
        return copy_field(p, m->zValues, sizeof m->zValues, zVal, nVal, "value list");
    } else if (tok_is(zKey, zKeyEnd, "effect")) {
        if (tok_is(zVal, zValEnd, "mitigates")) m->effect = CAT_EFFECT_MITIGATES;
        else if (tok_is(zVal, zValEnd, "partial")) m->effect = CAT_EFFECT_PARTIAL;
        else if (tok_is(zVal, zValEnd, "undoes")) m->effect = CAT_EFFECT_UNDOES;
        else return fail(p, KBS_EPARSE, "effect wants mitigates, partial or undoes");
    } else if (tok_is(zKey, zKeyEnd, "note")) {
        return copy_field(p, m->zNote, sizeof m->zNote, zVal, nVal, "note");
    } else if (tok_is(zKey, zKeyEnd, "action")) {
        return copy_field(p, m->zAction, sizeof m->zAction, zVal, nVal, "action");
    } else {
        return fail(p, KBS_EPARSE, "unknown mitigation option '%.*s'", (int)(zKeyEnd - zKey), zKey);
    }
    return KBS_OK;
}

/* mitigation fact=NAME value=V[,V...] [effect=...] note="..." [action="..."] (format 1.1) */
static int mitig_line(cat_pstate_t *p, const char *z, const char *zEnd)
{
    cat_rule_t *r = p->pRule;
    cat_mitig_t m, *a;
    const char *zTok, *zTokEnd;
    int t, rc;

    if (p->fmtMinor < 1) return fail(p, KBS_EPARSE, "mitigation needs 'kbscat 1.1' or later");
    if (r->nMitig >= CAT_MITIG_MAX)
        return fail(p, KBS_ETOOBIG, "more than %u mitigation lines in rule %s", CAT_MITIG_MAX, r->zId);
    memset(&m, 0, sizeof m);
    while ((t = next_token(&z, zEnd, &zTok, &zTokEnd)) > 0) {
        const char *zEq = memchr(zTok, '=', (size_t)(zTokEnd - zTok));
        if (!zEq || zEq == zTok || zEq + 1 == zTokEnd) return fail(p, KBS_EPARSE, "mitigation options are key=value");
        if ((rc = mitig_option(p, &m, zTok, zEq, zEq + 1, zTokEnd)) != KBS_OK) return rc;
    }
    if (t < 0) return fail(p, KBS_EPARSE, "unclosed quote");
    if (!m.zFact[0] || !m.zValues[0] || !m.zNote[0])
        return fail(p, KBS_EPARSE, "mitigation wants fact=, value= and note=");
    a = realloc(r->aMitig, (r->nMitig + 1) * sizeof *a);
    if (!a) return fail(p, KBS_ENOMEM, "out of memory");
    r->aMitig = a;
    r->aMitig[r->nMitig++] = m;
    return KBS_OK;
}

/* since-kb=N,N,... of a `when` line: KB numbers (KB prefix optional), at most CAT_SINCE_KB_MAX. */
static int since_kbs(cat_pstate_t *p, cat_mitig_t *m, const char *z, const char *zEnd)
{
    while (z < zEnd) {
        const char *zComma = memchr(z, ',', (size_t)(zEnd - z)), *zE = zComma ? zComma : zEnd;
        uint32_t kb;
        if (parse_kb_token(z, zE, &kb))
            return fail(p, KBS_EPARSE, "bad KB number '%.*s'", (int)(zE - z), z);
        if (m->nSinceKb >= CAT_SINCE_KB_MAX)
            return fail(p, KBS_ETOOBIG, "more than %u KBs in since-kb", CAT_SINCE_KB_MAX);
        m->aSinceKb[m->nSinceKb++] = kb;
        z = zComma ? zComma + 1 : zEnd;
        if (zComma && z == zEnd) return fail(p, KBS_EPARSE, "empty KB after ','");
    }
    return KBS_OK;
}

/* when fact=NAME value=V[,V...] (format 1.3): the mitigation line above applies only when this
 * fact has one of the values too. An older console skips the line (a newer minor's directive)
 * and applies the mitigation line alone. */
static int when_line(cat_pstate_t *p, const char *z, const char *zEnd)
{
    cat_rule_t *r = p->pRule;
    cat_mitig_t m;
    const char *zTok, *zTokEnd;
    int t, rc;

    if (!r->nMitig) return fail(p, KBS_EPARSE, "when without a mitigation line above");
    if (r->aMitig[r->nMitig - 1].zWhenFact[0]) return fail(p, KBS_EPARSE, "second when for one mitigation line");
    memset(&m, 0, sizeof m);
    while ((t = next_token(&z, zEnd, &zTok, &zTokEnd)) > 0) {
        const char *zEq = memchr(zTok, '=', (size_t)(zTokEnd - zTok));
        if (!zEq || zEq == zTok || zEq + 1 == zTokEnd) return fail(p, KBS_EPARSE, "when options are key=value");
        if (tok_is(zTok, zEq, "since-kb")) {
            if ((rc = since_kbs(p, &m, zEq + 1, zTokEnd)) != KBS_OK) return rc;
            continue;
        }
        if (!tok_is(zTok, zEq, "fact") && !tok_is(zTok, zEq, "value"))
            return fail(p, KBS_EPARSE, "when wants only fact=, value= and since-kb=");
        if ((rc = mitig_option(p, &m, zTok, zEq, zEq + 1, zTokEnd)) != KBS_OK) return rc;
    }
    if (t < 0) return fail(p, KBS_EPARSE, "unclosed quote");
    if (!m.zFact[0] || !m.zValues[0]) return fail(p, KBS_EPARSE, "when wants fact= and value=");
    memcpy(r->aMitig[r->nMitig - 1].zWhenFact, m.zFact, sizeof m.zFact);
    memcpy(r->aMitig[r->nMitig - 1].zWhenValues, m.zValues, sizeof m.zValues);
    memcpy(r->aMitig[r->nMitig - 1].aSinceKb, m.aSinceKb, sizeof m.aSinceKb);
    r->aMitig[r->nMitig - 1].nSinceKb = m.nSinceKb;
    return KBS_OK;
}

/* exploited-on dc (format 1.1) */
static int role_line(cat_pstate_t *p, const char *z, const char *zEnd)
{
    if (p->fmtMinor < 1) return fail(p, KBS_EPARSE, "exploited-on needs 'kbscat 1.1' or later");
    if (p->pRule->exploitedOn != CAT_ROLE_ANY) return fail(p, KBS_EPARSE, "second exploited-on");
    if (!tok_is(z, zEnd, "dc")) return fail(p, KBS_EPARSE, "exploited-on wants 'dc'");
    p->pRule->exploitedOn = CAT_ROLE_DC;
    return KBS_OK;
}

static int valid_cve(const char *z, const char *zEnd)
{
    const char *zD;
    if (zEnd - z < 13 || memcmp(z, "CVE-", 4) != 0) return 0;
    for (zD = z + 4; zD < z + 8; zD++)
        if (*zD < '0' || *zD > '9') return 0;
    if (z[8] != '-' || zEnd - z > 4 + 4 + 1 + 7) return 0;
    for (zD = z + 9; zD < zEnd; zD++)
        if (*zD < '0' || *zD > '9') return 0;
    return 1;
}

static int rule_begin(cat_pstate_t *p, const char *z, const char *zEnd)
{
    const char *zTok, *zTokEnd, *zC;
    cat_rule_t *a;
    size_t n;
    if (next_token(&z, zEnd, &zTok, &zTokEnd) <= 0) return fail(p, KBS_EPARSE, "rule without an id");
    n = (size_t)(zTokEnd - zTok);
    if (n >= sizeof a->zId) return fail(p, KBS_ETOOBIG, "rule id longer than %u bytes", (unsigned)sizeof a->zId - 1);
    for (zC = zTok; zC < zTokEnd; zC++) {
        char ch = *zC;
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              ch == '-' || ch == '_' || ch == '.'))
            return fail(p, KBS_EPARSE, "rule id may hold letters, digits, '-', '_', '.'");
    }
    if (next_token(&z, zEnd, &zTok, &zC) != 0) return fail(p, KBS_EPARSE, "text after the rule id");
    {
        /* Ids are looked up case-insensitively, so they must differ in more than case. */
        char zId[sizeof a->zId];
        memcpy(zId, zTok, n);
        zId[n] = 0;
        if (cat_find_rule(p->c, zId)) return fail(p, KBS_EPARSE, "rule %s defined twice", zId);
    }
    if (p->c->nRule >= CAT_RULE_MAX) return fail(p, KBS_ETOOBIG, "more than %u rules", CAT_RULE_MAX);
    a = realloc(p->c->aRule, (p->c->nRule + 1) * sizeof *a);
    if (!a) return fail(p, KBS_ENOMEM, "out of memory");
    p->c->aRule = a;
    p->pRule = &a[p->c->nRule++];
    memset(p->pRule, 0, sizeof *p->pRule);
    memcpy(p->pRule->zId, zTok, n);
    p->bGroupFix = 0;
    return KBS_OK;
}

static int rule_end(cat_pstate_t *p)
{
    cat_rule_t *r = p->pRule;
    size_t i;
    if (!r->zTitle[0]) return fail(p, KBS_EPARSE, "rule %s has no title", r->zId);
    if (!r->zRefs[0]) return fail(p, KBS_EPARSE, "rule %s cites no bulletin or KB article (ref)", r->zId);
    if (!r->nPlat) return fail(p, KBS_EPARSE, "rule %s has no platform clause", r->zId);
    for (i = 0; i < r->nPlat; i++) {
        cat_plat_t *pl = &r->aPlat[i];
        if (pl->kind == CAT_KIND_FIX && !pl->nKb && !pl->ubrMin && !pl->nFileVer)
            return fail(p, KBS_EPARSE, "rule %s: fix for %s names no kb, ubr or file", r->zId,
                        os_family_key(pl->family));
        if (pl->nKb) {
            pl->aKbSorted = malloc(pl->nKb * sizeof *pl->aKbSorted);
            if (!pl->aKbSorted) return fail(p, KBS_ENOMEM, "out of memory");
            memcpy(pl->aKbSorted, pl->aKb, pl->nKb * sizeof *pl->aKbSorted);
            qsort(pl->aKbSorted, pl->nKb, sizeof *pl->aKbSorted, kb_cmp);
        }
    }
    p->pRule = NULL;
    return KBS_OK;
}

/* The header: "kbscat MAJOR.MINOR". */
static int header_line(cat_pstate_t *p, const char *z, const char *zEnd)
{
    const char *zDot;
    uint32_t major, minor;
    if (zEnd - z < 7 || memcmp(z, "kbscat ", 7) != 0)
        return fail(p, KBS_EPARSE, "not a kbsentry catalog (first line must be 'kbscat 1.0')");
    z += 7;
    zDot = memchr(z, '.', (size_t)(zEnd - z));
    if (!zDot || parse_u32(z, zDot, &major) || parse_u32(zDot + 1, zEnd, &minor))
        return fail(p, KBS_EPARSE, "bad format version (want MAJOR.MINOR)");
    if (major != CAT_FMT_MAJOR)
        return fail(p, KBS_EVERSION, "catalog format %u.%u; this program reads %u.x", (unsigned)major,
                    (unsigned)minor, CAT_FMT_MAJOR);
    p->fmtMinor = minor;
    return KBS_OK;
}

static int one_line(cat_pstate_t *p, const char *z, const char *zEnd)
{
    const char *zWord = z, *zWordEnd, *zRest;
    size_t i;
    for (i = 0; z + i < zEnd; i++) {
        unsigned char ch = (unsigned char)z[i];
        if (ch == 0) return fail(p, KBS_EPARSE, "NUL byte");
        if (ch < 0x20 && ch != '\t') return fail(p, KBS_EPARSE, "control character 0x%02x", ch);
    }
    while (zEnd > z && (zEnd[-1] == ' ' || zEnd[-1] == '\t')) zEnd--;
    if (p->line == 1) return header_line(p, z, zEnd);
    while (zWord < zEnd && (*zWord == ' ' || *zWord == '\t')) zWord++;
    if (zWord == zEnd || *zWord == '#') return KBS_OK;
    if (p->bEnded) return fail(p, KBS_EPARSE, "text after end-catalog");
    for (zWordEnd = zWord; zWordEnd < zEnd && *zWordEnd != ' ' && *zWordEnd != '\t'; zWordEnd++) {
    }
    zRest = zWordEnd;
    while (zRest < zEnd && (*zRest == ' ' || *zRest == '\t')) zRest++;

    if (!p->pRule) {
        if (tok_is(zWord, zWordEnd, "rule")) return rule_begin(p, zRest, zEnd);
        if (tok_is(zWord, zWordEnd, "end-catalog")) {
            uint32_t n;
            if (parse_u32(zRest, zEnd, &n)) return fail(p, KBS_EPARSE, "end-catalog wants the rule count");
            if (n != p->c->nRule)
                return fail(p, KBS_EPARSE, "end-catalog says %u rules, the file has %u", (unsigned)n,
                            (unsigned)p->c->nRule);
            p->bEnded = 1;
            return KBS_OK;
        }
        if (tok_is(zWord, zWordEnd, "data-date")) {
            /* data-date YYYY-MM-DD: how old the KB lists are (verdicts on newer updates). */
            const char *zD = zRest;
            size_t k;
            if (zEnd - zD != 10 || zD[4] != '-' || zD[7] != '-') return fail(p, KBS_EPARSE, "data-date wants YYYY-MM-DD");
            for (k = 0; k < 10; k++)
                if (k != 4 && k != 7 && (zD[k] < '0' || zD[k] > '9')) return fail(p, KBS_EPARSE, "data-date wants YYYY-MM-DD");
            if (p->c->zDataDate[0]) return fail(p, KBS_EPARSE, "second data-date");
            memcpy(p->c->zDataDate, zD, 10);
            p->c->zDataDate[10] = 0;
            return KBS_OK;
        }
        if (p->fmtMinor > CAT_FMT_MINOR) return KBS_OK; /* a newer minor's directive: skipped */
        return fail(p, KBS_EPARSE, "unknown directive '%.*s' outside a rule", (int)(zWordEnd - zWord), zWord);
    }
    if (tok_is(zWord, zWordEnd, "end")) {
        if (zRest != zEnd) return fail(p, KBS_EPARSE, "text after end");
        return rule_end(p);
    }
    if (tok_is(zWord, zWordEnd, "title")) {
        if (p->pRule->zTitle[0]) return fail(p, KBS_EPARSE, "second title");
        if (zRest == zEnd) return fail(p, KBS_EPARSE, "empty title");
        return copy_field(p, p->pRule->zTitle, sizeof p->pRule->zTitle, zRest, (size_t)(zEnd - zRest), "title");
    }
    if (tok_is(zWord, zWordEnd, "cve") || tok_is(zWord, zWordEnd, "ref")) {
        int bCve = zWord[0] == 'c';
        const char *zTok, *zTokEnd, *z2 = zRest;
        int t, rc, n = 0;
        while ((t = next_token(&z2, zEnd, &zTok, &zTokEnd)) > 0) {
            if (bCve && !valid_cve(zTok, zTokEnd))
                return fail(p, KBS_EPARSE, "bad CVE id '%.*s'", (int)(zTokEnd - zTok), zTok);
            rc = bCve ? append_field(p, p->pRule->zCves, sizeof p->pRule->zCves, zTok,
                                     (size_t)(zTokEnd - zTok), "cve list")
                      : append_field(p, p->pRule->zRefs, sizeof p->pRule->zRefs, zTok,
                                     (size_t)(zTokEnd - zTok), "ref list");
            if (rc != KBS_OK) return rc;
            n++;
        }
        if (t < 0 || n == 0) return fail(p, KBS_EPARSE, "%s wants one or more values", bCve ? "cve" : "ref");
        return KBS_OK;
    }
    if (tok_is(zWord, zWordEnd, "fix")) return clause_line(p, CAT_KIND_FIX, zRest, zEnd);
    if (tok_is(zWord, zWordEnd, "not-affected")) return clause_line(p, CAT_KIND_NOT_AFFECTED, zRest, zEnd);
    if (tok_is(zWord, zWordEnd, "no-fix")) return clause_line(p, CAT_KIND_NO_FIX, zRest, zEnd);
    if (p->fmtMinor >= 2 && tok_is(zWord, zWordEnd, "undecided"))
        return clause_line(p, CAT_KIND_UNDECIDED, zRest, zEnd);
    if (tok_is(zWord, zWordEnd, "kb")) return kb_line(p, zRest, zEnd);
    if (tok_is(zWord, zWordEnd, "mitigation")) return mitig_line(p, zRest, zEnd);
    if (tok_is(zWord, zWordEnd, "exploited-on")) return role_line(p, zRest, zEnd);
    if (p->fmtMinor >= 3 && tok_is(zWord, zWordEnd, "when")) return when_line(p, zRest, zEnd);
    if (tok_is(zWord, zWordEnd, "rule")) return fail(p, KBS_EPARSE, "rule %s not closed with 'end'", p->pRule->zId);
    if (p->fmtMinor > CAT_FMT_MINOR) return KBS_OK;
    return fail(p, KBS_EPARSE, "unknown directive '%.*s'", (int)(zWordEnd - zWord), zWord);
}

int cat_parse(const char *zIn, size_t nIn, const char *zSource, cat_t *c, cat_err_t *pErr)
{
    cat_pstate_t p;
    const char *z = zIn, *zEnd = zIn + nIn;
    int rc = KBS_OK;

    memset(c, 0, sizeof *c);
    memset(&p, 0, sizeof p);
    p.c = c;
    p.pErr = pErr;
    if (pErr) memset(pErr, 0, sizeof *pErr);
    snprintf(c->zSource, sizeof c->zSource, "%s", zSource ? zSource : "");
    if (!zIn && nIn) return fail(&p, KBS_EINVAL, "no input");
    if (nIn > CAT_IN_MAX) return fail(&p, KBS_ETOOBIG, "catalog larger than %u bytes", CAT_IN_MAX);
    if (nIn == 0) return fail(&p, KBS_EPARSE, "empty catalog");
    /* A UTF-8 byte order mark from Notepad is tolerated. */
    if (nIn >= 3 && memcmp(z, "\xEF\xBB\xBF", 3) == 0) z += 3;

    while (z < zEnd) {
        const char *zNl = memchr(z, '\n', (size_t)(zEnd - z));
        const char *zLineEnd = zNl ? zNl : zEnd;
        p.line++;
        if (zLineEnd > z && zLineEnd[-1] == '\r') zLineEnd--;
        if ((size_t)(zLineEnd - z) > CAT_LINE_MAX) {
            rc = fail(&p, KBS_ETOOBIG, "line longer than %u bytes", CAT_LINE_MAX);
            goto out;
        }
        if ((rc = one_line(&p, z, zLineEnd)) != KBS_OK) goto out;
        z = zNl ? zNl + 1 : zEnd;
    }
    p.line = 0;
    if (p.pRule) {
        rc = fail(&p, KBS_EPARSE, "input ends inside rule %s (truncated?)", p.pRule->zId);
        goto out;
    }
    if (!p.bEnded) {
        rc = fail(&p, KBS_EPARSE, "no end-catalog line (truncated?)");
        goto out;
    }
    snprintf(c->zHash, sizeof c->zHash, "%016llx", (unsigned long long)cat_hash64(zIn, nIn));
out:
    if (rc != KBS_OK) {
        char zSrc[sizeof c->zSource];
        memcpy(zSrc, c->zSource, sizeof zSrc);
        cat_release(c);
        memcpy(c->zSource, zSrc, sizeof zSrc);
    }
    return rc;
}

const char *cat_default_text(size_t *pnLen)
{
    if (pnLen) *pnLen = cat_default_data_len;
    return cat_default_data;
}

int cat_load_default(cat_t *c)
{
    return cat_parse(cat_default_data, cat_default_data_len, "built-in", c, NULL);
}

const cat_rule_t *cat_find_rule(const cat_t *c, const char *zId)
{
    size_t i;
    if (!c || !zId) return NULL;
    for (i = 0; i < c->nRule; i++) {
        const char *a = c->aRule[i].zId, *b = zId;
        while (*a && *b) {
            char x = *a, y = *b;
            if (x >= 'a' && x <= 'z') x = (char)(x - 'a' + 'A');
            if (y >= 'a' && y <= 'z') y = (char)(y - 'a' + 'A');
            if (x != y) break;
            a++, b++;
        }
        if (!*a && !*b) return &c->aRule[i];
    }
    return NULL;
}
