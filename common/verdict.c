/* verdict.c: decides per rule whether a machine is patched, from its KBs, UBR and file versions. */
#include "verdict.h"

#include <stdio.h>
#include <string.h>

#include "kbbuild.h"
#include "kbs_err.h"

static const char *const azStatus[VERDICT_COUNT] = {
    "patched", "missing", "unpatchable", "not-affected", "unknown", "mitigated",
};

const char *verdict_status_name(verdict_status_t st)
{
    if ((int)st < 0 || st >= VERDICT_COUNT) return "unknown";
    return azStatus[st];
}

int verdict_compliant(verdict_status_t st, unsigned fOpt)
{
    switch (st) {
    case VERDICT_PATCHED:
    case VERDICT_NOT_AFFECTED:
        return 1;
    case VERDICT_MITIGATED:
        return !(fOpt & VERDICT_STRICT);
    case VERDICT_UNKNOWN:
        return (fOpt & VERDICT_ACCEPT_UNKNOWN) != 0;
    default:
        return 0;
    }
}

const char *verdict_cbs_state_name(int cbsState)
{
    /* CBS CurrentState values (Component Based Servicing, the packages' registry keys). */
    switch (cbsState) {
    case 0: return "absent";
    case 5: return "uninstall pending";
    case 16: return "resolving";
    case 32: return "resolved";
    case 48: return "staging";
    case 64: return "staged";
    case 96: return "pending reboot";
    case 101: return "partially installed";
    default: return "not installed";
    }
}

int verdict_status_from_name(const char *zName)
{
    int i;
    if (!zName) return -1;
    for (i = 0; i < VERDICT_COUNT; i++) {
        if (strcmp(zName, azStatus[i]) == 0) return i;
    }
    return -1;
}

/* What the snapshot says about one platform clause, gathered before deciding. */
typedef struct facts {
    uint32_t kbListed;       /* a fixing KB in the hotfix list (installed), 0 none */
    uint32_t kbPending;      /* a fixing KB seen only in a not-installed CBS state, 0 none */
    int cbsState;            /* that state */
    const snap_file_t *pFile;
    int fileCmp;             /* -1 older than the fix, +1 at or above, 0 not usable */
    const ver_t *pNeed;      /* threshold the file was compared with */
} facts_t;

/* The threshold for file version v: the one of the same a.b.c and servicing branch (part[3] /
 * 10000: GDR 1xxxx, LDR 2xxxx; XP/2003 use one branch below 10000). A file of another branch
 * or base build is older when below every threshold and newer when above every one; between
 * thresholds it is taken as older (its branch got no fix we know of). Returns -1, +1, or 0 when
 * the file does not belong to this platform (another a.b). */
static int file_vs_fix(const ver_t *v, const cat_plat_t *pl, const ver_t **ppNeed)
{
    size_t i;
    int nBelow = 0, nAbove = 0, bSameAb = 0;
    for (i = 0; i < pl->nFileVer; i++) {
        const ver_t *t = &pl->aFileVer[i];
        if (t->part[0] == v->part[0] && t->part[1] == v->part[1]) bSameAb = 1;
        if (t->part[0] == v->part[0] && t->part[1] == v->part[1] && t->part[2] == v->part[2] &&
            t->part[3] / 10000 == v->part[3] / 10000) {
            *ppNeed = t;
            return ver_cmp(v, t) < 0 ? -1 : 1;
        }
        if (ver_cmp(v, t) < 0)
            nBelow++;
        else
            nAbove++;
    }
    if (!bSameAb) return 0;
    *ppNeed = &pl->aFileVer[0];
    for (i = 1; i < pl->nFileVer; i++) {
        /* Name the nearest threshold above the file in the evidence. */
        if (ver_cmp(&pl->aFileVer[i], v) > 0 &&
            (ver_cmp(*ppNeed, v) <= 0 || ver_cmp(&pl->aFileVer[i], *ppNeed) < 0))
            *ppNeed = &pl->aFileVer[i];
    }
    return nBelow == 0 && nAbove > 0 ? 1 : -1;
}

/* Binary search in the clause's sorted KBs. */
static int plat_has_kb(const cat_plat_t *pl, uint32_t kb)
{
    size_t lo = 0, hi = pl->nKb;
    if (!pl->nKb || kb < pl->aKbSorted[0] || kb > pl->aKbSorted[pl->nKb - 1]) return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pl->aKbSorted[mid] == kb) return 1;
        if (pl->aKbSorted[mid] < kb)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* 0 when h is a CBS package staged or pending (not Installed 112, Superseded 80 -- replaced by a
 * newer package that carries its fixes -- or Permanent 128): not a fix yet, whatever other source
 * lists the KB. QFE and Get-HotFix list a package as soon as it is staged for the next reboot, CBS
 * says whether it got there. */
static int hotfix_installed(const snap_hotfix_t *h)
{
    return h->cbsState < 0 || h->cbsState == SNAP_CBS_INSTALLED || h->cbsState == 80 || h->cbsState == 128;
}

static void gather(const cat_plat_t *pl, const snap_t *s, facts_t *f)
{
    size_t i;
    memset(f, 0, sizeof *f);
    /* One pass over the hotfixes (hundreds) instead of one per catalog KB (dozens each), and
     * only over the part of the list (kept sorted by KB number) within the clause's KB range. */
    i = 0;
    if (pl->nKb) {
        size_t lo = 0, hi = s->nHotfix;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (s->aHotfix[mid].kb.num < pl->aKbSorted[0])
                lo = mid + 1;
            else
                hi = mid;
        }
        i = lo;
    }
    for (; i < s->nHotfix; i++) {
        const snap_hotfix_t *h = &s->aHotfix[i];
        if (pl->nKb && h->kb.num > pl->aKbSorted[pl->nKb - 1]) break;
        if (!h->kb.num || !plat_has_kb(pl, h->kb.num)) continue;
        if (!hotfix_installed(h)) {
            if (!f->kbPending) f->kbPending = h->kb.num, f->cbsState = h->cbsState;
            continue;
        }
        f->kbListed = h->kb.num;
        break;
    }
    if (pl->zFile[0] && pl->nFileVer) {
        const snap_file_t *fl = snap_find_file(s, pl->zFile);
        f->pFile = fl;
        if (fl && fl->present && !fl->zError[0]) f->fileCmp = file_vs_fix(&fl->ver, pl, &f->pNeed);
    }
}

/* 1 when the hotfix facts cannot be trusted to be complete: the list was cut short, or every
 * hotfix source the collector tried failed. */
static int hotfixes_unreliable(const snap_t *s, const char **pzWhy)
{
    size_t i;
    int nHotfixSrc = 0, nOk = 0;
    if (!s->hotfixesComplete) {
        *pzWhy = s->zHotfixNote[0] ? s->zHotfixNote : "hotfix list incomplete";
        return 1;
    }
    for (i = 0; i < s->nSource; i++) {
        const char *z = s->aSource[i].zName;
        if (strstr(z, "qfe") || strstr(z, "hotfix") || strstr(z, "updates") || strstr(z, "cbs") ||
            strstr(z, "systeminfo")) {
            nHotfixSrc++;
            nOk += s->aSource[i].ok != 0;
        }
    }
    if (nHotfixSrc && !nOk) {
        *pzWhy = "every hotfix source failed";
        return 1;
    }
    /* XP / 2003 list some updates as "File 1" without their KB, so such an entry may hide a
     * fix. On Vista and later a security update is a CBS package that always shows its KB: an
     * entry without one hides nothing. */
    if (s->osKnown && s->os.major == 5) {
        int bNoKb = 0, bReg = 0, bQfeNoKb = 0, bQfeNamed = 0;
        /* the registry (Updates, HotFix keys) names the KB behind each "File 1"; so does a QFE
         * list of the same machine (wmic qfe, Get-HotFix: the class systeminfo reads, the KB of
         * a "File 1" row in its ServicePackInEffect) that has no entry without a KB itself and
         * names KBs systeminfo did not show */
        for (i = 0; i < s->nHotfix; i++) {
            const snap_hotfix_t *h = &s->aHotfix[i];
            if (!h->kb.num) bNoKb = 1;
            if (h->sources & (SNAP_SRC_UPDATES | SNAP_SRC_HOTFIX)) bReg = 1;
            if ((h->sources & SNAP_SRC_QFE) && !h->kb.num) bQfeNoKb = 1;
            if (h->sources == SNAP_SRC_QFE && h->kb.num) bQfeNamed = 1;
        }
        if (bNoKb && !bQfeNoKb && bQfeNamed) bNoKb = 0;
        if (bNoKb && !bReg) {
            *pzWhy = "the hotfix list has entries without a KB id (\"File 1\"), which on "
                     "XP / 2003 may hide one";
            return 1;
        }
    }
    return 0;
}

/* Joins up to three strings into zDst (truncating): the common verdicts need no printf, which
 * is slow in the Windows C runtime. */
static void join3(char *zDst, size_t nDst, const char *a, const char *b, const char *c)
{
    const char *az[3];
    size_t i, n = 0;
    az[0] = a, az[1] = b, az[2] = c;
    for (i = 0; i < 3; i++) {
        const char *z = az[i];
        while (z && *z && n + 1 < nDst) zDst[n++] = *z++;
    }
    zDst[n] = 0;
}

/* Appends zSrc / the decimal u at offset at of zDst (size nDst, kept NUL-terminated, truncating);
 * returns the new offset. */
static size_t app(char *zDst, size_t nDst, size_t at, const char *zSrc)
{
    while (*zSrc && at + 1 < nDst) zDst[at++] = *zSrc++;
    zDst[at] = 0;
    return at;
}

static size_t app_u(char *zDst, size_t nDst, size_t at, uint32_t u)
{
    char z[11];
    int i = 10;
    z[i] = 0;
    do {
        z[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    return app(zDst, nDst, at, z + i);
}

static void fmt_kb(char *z, size_t n, uint32_t kb)
{
    app_u(z, n, app(z, n, 0, "KB"), kb);
}

static void set(verdict_t *v, verdict_status_t st)
{
    v->status = st;
}

/* Default action text for a missing fix. */
static void action_install(verdict_t *v, const cat_plat_t *pl, const os_ident_t *id)
{
    if (pl->zAction[0]) {
        snprintf(v->zAction, sizeof v->zAction, "%s", pl->zAction);
    } else if (pl->nKb > 1) {
        snprintf(v->zAction, sizeof v->zAction, "install KB%u or a later update that contains it",
                 (unsigned)pl->aKb[0]);
    } else if (pl->nKb == 1) {
        snprintf(v->zAction, sizeof v->zAction, "install KB%u", (unsigned)pl->aKb[0]);
    } else {
        snprintf(v->zAction, sizeof v->zAction, "install the current cumulative update for %s",
                 id->zName);
    }
}

/* The OS facts every rule needs, worked out once per machine. */
typedef struct host_ctx {
    int rcId;            /* os_identify result, or KBS_ENOTFOUND when no OS facts */
    os_ident_t id;
    int sp;
    uint32_t kbUbr;      /* no UBR in the input: the UBR its newest known cumulative update gives */
    uint32_t kbNewest;   /* that update, 0 none */
} host_ctx_t;

/* The highest UBR an installed hotfix of s gives on s's build (common/catalog/kbbuild.tsv), and
 * its KB in *pKb; 0 when no listed KB is a cumulative update of that build the table knows. A
 * systeminfo / Get-HotFix list of Windows 10 and later names only the newest cumulative update
 * (older ones are superseded and leave the list): its build is the machine's build. */
static uint32_t ubr_from_kbs(const snap_t *s, uint32_t *pKb)
{
    uint32_t ubrBest = 0;
    size_t i;
    *pKb = 0;
    for (i = 0; i < s->nHotfix; i++) {
        const snap_hotfix_t *h = &s->aHotfix[i];
        uint32_t u;
        if (!h->kb.num || !hotfix_installed(h)) continue;
        u = kbbuild_ubr(h->kb.num, s->os.build);
        if (u > ubrBest) ubrBest = u, *pKb = h->kb.num;
    }
    return ubrBest;
}

/* "KB4541335 gives 18363.752 >= 18363.752" into z (size n) at offset at; returns the offset. */
static size_t fmt_gives(char *z, size_t n, size_t at, const host_ctx_t *h, uint32_t build, uint32_t ubrMin)
{
    at = app_u(z, n, app(z, n, at, "KB"), h->kbNewest);
    at = app_u(z, n, app(z, n, at, " gives "), build);
    at = app_u(z, n, app(z, n, at, "."), h->kbUbr);
    at = app(z, n, at, h->kbUbr >= ubrMin ? " >= " : " < ");
    at = app_u(z, n, at, build);
    return app_u(z, n, app(z, n, at, "."), ubrMin);
}

static void eval_fix(const cat_plat_t *pl, const snap_t *s, const host_ctx_t *h, verdict_t *v)
{
    const os_ident_t *id = &h->id;
    facts_t f;
    char zKb[16] = "", zHave[24] = "", zNeed[24] = "";
    const char *zWhy = NULL;
    uint32_t kbListedUbr;
    int bListTooEarly; /* the listed fixing KB gives a build below ubr= (the list names it too early) */
    /* A threshold every UBR meets (ubr=1: the release shipped after the fix) needs no UBR: the
     * build alone proves it, also from systeminfo or Get-HotFix, which give none. */
    int bAnyUbr = pl->ubrMin == 1;
    int bUbrKnown = pl->ubrMin && (s->os.ubr || bAnyUbr);
    int bUbrOk = bUbrKnown && (bAnyUbr || s->os.ubr >= pl->ubrMin);

    gather(pl, s, &f);
    if (f.kbListed) fmt_kb(zKb, sizeof zKb, f.kbListed);
    if (f.fileCmp) {
        ver_format(&f.pFile->ver, zHave, sizeof zHave);
        ver_format(f.pNeed, zNeed, sizeof zNeed);
    }

    /* 1. The proof file decides when it is there: it is what actually runs. */
    if (f.fileCmp > 0) {
        set(v, VERDICT_PATCHED);
        if (f.kbListed)
            snprintf(v->zEvidence, sizeof v->zEvidence, "%s listed; %s %s >= %s", zKb, pl->zFile,
                     zHave, zNeed);
        else
            snprintf(v->zEvidence, sizeof v->zEvidence, "by file version: %s %s >= %s (no fixing KB listed)",
                     pl->zFile, zHave, zNeed);
        return;
    }
    if (f.fileCmp < 0) {
        set(v, VERDICT_MISSING);
        if (f.kbListed || bUbrOk) {
            snprintf(v->zEvidence, sizeof v->zEvidence,
                     "%s present but %s %s < %s (failed install or reboot pending)",
                     f.kbListed ? zKb : s->os.ubr ? "UBR" : "build", pl->zFile, zHave, zNeed);
            snprintf(v->zAction, sizeof v->zAction,
                     "reboot; if %s stays below %s, reinstall %s", pl->zFile, zNeed,
                     f.kbListed ? zKb : "the cumulative update");
        } else {
            snprintf(v->zEvidence, sizeof v->zEvidence, "no fixing KB listed; %s %s < %s", pl->zFile,
                     zHave, zNeed);
            action_install(v, pl, id);
        }
        return;
    }

    /* 2. No usable file version: the UBR (Windows 10+), then the hotfix list. */
    if (bUbrOk && !s->os.ubr) {
        size_t at;
        set(v, VERDICT_PATCHED);
        at = app(v->zEvidence, sizeof v->zEvidence, 0, "by build: build ");
        at = app_u(v->zEvidence, sizeof v->zEvidence, at, s->os.build);
        at = app(v->zEvidence, sizeof v->zEvidence, at, " was released after the fix (any UBR has it)");
        if (f.kbListed) {
            at = app(v->zEvidence, sizeof v->zEvidence, at, "; ");
            at = app(v->zEvidence, sizeof v->zEvidence, at, zKb);
            app(v->zEvidence, sizeof v->zEvidence, at, " listed");
        }
        return;
    }
    if (bUbrOk) {
        set(v, VERDICT_PATCHED);
        char *z = v->zEvidence;
        size_t n = sizeof v->zEvidence, at;
        at = app(z, n, 0, "by UBR: build ");
        at = app_u(z, n, at, s->os.build);
        at = app(z, n, at, ".");
        at = app_u(z, n, at, s->os.ubr);
        at = app(z, n, at, " >= ");
        at = app_u(z, n, at, s->os.build);
        at = app(z, n, at, ".");
        at = app_u(z, n, at, pl->ubrMin);
        if (f.kbListed) {
            at = app(z, n, at, "; ");
            at = app(z, n, at, zKb);
            app(z, n, at, " listed");
        }
        return;
    }
    if (bUbrKnown) {
        /* Cumulative updates raise the UBR: a lower UBR means the fix is not running. */
        set(v, VERDICT_MISSING);
        if (f.kbListed) {
            snprintf(v->zEvidence, sizeof v->zEvidence,
                     "%s present but UBR %u < %u (failed install or reboot pending)", zKb,
                     (unsigned)s->os.ubr, (unsigned)pl->ubrMin);
            snprintf(v->zAction, sizeof v->zAction, "reboot; if the UBR stays below %u, reinstall %s",
                     (unsigned)pl->ubrMin, zKb);
        } else {
            snprintf(v->zEvidence, sizeof v->zEvidence, "UBR %u < %u and no fixing KB listed",
                     (unsigned)s->os.ubr, (unsigned)pl->ubrMin);
            action_install(v, pl, id);
        }
        return;
    }
    /* 3. No UBR in the input (systeminfo, Get-HotFix): the build its newest cumulative update
     * gives. A listed fixing KB decides as before when it reaches the clause's UBR or the table
     * does not know it for this build; one of a lower build (a list may name too early an
     * update) does not, and a KB missing from the list (a preview, an out-of-band update, a
     * release the data names for another version) still proves the fix by its build. */
    kbListedUbr = f.kbListed ? kbbuild_ubr(f.kbListed, s->os.build) : 0;
    bListTooEarly = pl->ubrMin && kbListedUbr && kbListedUbr < pl->ubrMin;
    if (bListTooEarly && !f.kbPending) {
        /* gather stopped at the too early KB: a later fixing one may wait for a reboot. */
        size_t i;
        for (i = 0; i < s->nHotfix && !f.kbPending; i++) {
            const snap_hotfix_t *hf = &s->aHotfix[i];
            if (hf->kb.num && !hotfix_installed(hf) && plat_has_kb(pl, hf->kb.num))
                f.kbPending = hf->kb.num, f.cbsState = hf->cbsState;
        }
    }
    /* Below the fix with a fixing update staged for a reboot: the pending step says so. */
    if (pl->ubrMin && h->kbUbr && (!f.kbListed || bListTooEarly) &&
        (h->kbUbr >= pl->ubrMin || !f.kbPending)) {
        size_t n = sizeof v->zEvidence, at;
        if (h->kbUbr >= pl->ubrMin) {
            set(v, VERDICT_PATCHED);
            at = fmt_gives(v->zEvidence, n, app(v->zEvidence, n, 0, "by build: "), h, s->os.build, pl->ubrMin);
            app(v->zEvidence, n, at, " (no UBR in the input)");
        } else if (hotfixes_unreliable(s, &zWhy)) {
            /* A list cut short may hide the newer update that carries the fix. */
            set(v, VERDICT_UNKNOWN);
            at = fmt_gives(v->zEvidence, n, 0, h, s->os.build, pl->ubrMin);
            at = app(v->zEvidence, n, at, ", but ");
            app(v->zEvidence, n, at, zWhy);
            join3(v->zAction, sizeof v->zAction, "rescan the machine with the agent", NULL, NULL);
        } else {
            set(v, VERDICT_MISSING);
            at = fmt_gives(v->zEvidence, n, 0, h, s->os.build, pl->ubrMin);
            app(v->zEvidence, n, at, " (the newest cumulative update listed)");
            action_install(v, pl, id);
        }
        return;
    }
    if (f.kbListed && !bListTooEarly) {
        size_t at;
        set(v, VERDICT_PATCHED);
        at = app(v->zEvidence, sizeof v->zEvidence, 0, zKb);
        at = app(v->zEvidence, sizeof v->zEvidence, at, " listed");
        if (pl->zFile[0]) {
            at = app(v->zEvidence, sizeof v->zEvidence, at, " (");
            at = app(v->zEvidence, sizeof v->zEvidence, at, pl->zFile);
            app(v->zEvidence, sizeof v->zEvidence, at, " version not collected)");
        }
        return;
    }
    if (f.kbPending) {
        set(v, VERDICT_MISSING);
        fmt_kb(zKb, sizeof zKb, f.kbPending);
        snprintf(v->zEvidence, sizeof v->zEvidence, "%s %s, not installed (CBS state %d)", zKb,
                 verdict_cbs_state_name(f.cbsState), f.cbsState);
        if (f.cbsState == 96)
            snprintf(v->zAction, sizeof v->zAction, "reboot to finish installing %s", zKb);
        else
            snprintf(v->zAction, sizeof v->zAction, "install %s (its package is not installed)", zKb);
        return;
    }
    if (hotfixes_unreliable(s, &zWhy)) {
        set(v, VERDICT_UNKNOWN);
        snprintf(v->zEvidence, sizeof v->zEvidence, "no fixing KB seen, but %.120s%s%s", zWhy,
                 pl->zFile[0] ? "; no version of " : "", pl->zFile);
        snprintf(v->zAction, sizeof v->zAction, "rescan the machine with the agent");
        return;
    }
    set(v, VERDICT_MISSING);
    if (pl->nKb) {
        size_t n = (size_t)snprintf(v->zEvidence, sizeof v->zEvidence, "none of %u fixing KBs listed (KB%u",
                                    (unsigned)pl->nKb, (unsigned)pl->aKb[0]);
        if (pl->nKb > 1 && n < sizeof v->zEvidence)
            snprintf(v->zEvidence + n, sizeof v->zEvidence - n, " .. KB%u)", (unsigned)pl->aKb[pl->nKb - 1]);
        else if (n < sizeof v->zEvidence)
            snprintf(v->zEvidence + n, sizeof v->zEvidence - n, ")");
    } else {
        snprintf(v->zEvidence, sizeof v->zEvidence, "no proof of the fix");
    }
    if (pl->zFile[0]) {
        size_t n = strlen(v->zEvidence);
        snprintf(v->zEvidence + n, sizeof v->zEvidence - n, "; %s %s", pl->zFile,
                 f.pFile && !f.pFile->present ? "absent" : "version not collected");
    }
    action_install(v, pl, id);
}

/* ---- configuration facts (catalog `mitigation` lines, snapshot `fact` records) ---------- */

/* 1 when zValue is one of the comma-separated words of zList (ASCII case-insensitive). */
static int value_in_list(const char *zValue, const char *zList)
{
    size_t n = strlen(zValue);
    while (*zList) {
        const char *zComma = strchr(zList, ',');
        size_t nWord = zComma ? (size_t)(zComma - zList) : strlen(zList), i;
        if (nWord == n) {
            for (i = 0; i < n; i++) {
                char a = zValue[i], b = zList[i];
                if (a >= 'A' && a <= 'Z') a = (char)(a + 32);
                if (b >= 'A' && b <= 'Z') b = (char)(b + 32);
                if (a != b) break;
            }
            if (i == n) return 1;
        }
        zList += nWord + (zComma ? 1 : 0);
    }
    return 0;
}

/* Puts zHead before the evidence already in v ("HEAD; old evidence"), truncating the end. */
static void evidence_prepend(verdict_t *v, const char *zHead)
{
    char zOld[sizeof v->zEvidence];
    memcpy(zOld, v->zEvidence, sizeof zOld);
    join3(v->zEvidence, sizeof v->zEvidence, zHead, zOld[0] ? "; " : "", zOld);
}

/* Applies the rule's mitigation lines to the verdict of a fix or no-fix clause. Only an agent's
 * facts count: agentless inputs carry none, and a fact whose value is unknown never mitigates
 * (its reason joins the evidence instead). A workaround turns missing (and unknown for want of a
 * trustworthy hotfix list) into mitigated; an unpatchable OS stays unpatchable, since the upgrade
 * is still needed. An `undoes` fact turns patched into missing. */
/* Whether the machine has the level of a `when ... since-kb=` list (the updates that made the
 * setting harmless): 1 yes, 0 no (below it), -1 cannot tell. The agent's UBR decides where the
 * KB -> build table knows one of the KBs for the machine's build. Otherwise the fixing KBs of
 * clause pl it lists: one of the list, or one numbered above all of it (KB order is release
 * order within one platform's updates) is the level; all numbered below the whole list is
 * below it, on a hotfix list that can be trusted. */
static int since_level(const cat_mitig_t *m, const cat_plat_t *pl, const snap_t *s)
{
    uint32_t ubr = 0, kbMin = 0xffffffffu, kbMax = 0;
    size_t i, j, nListed = 0, nBelow = 0;
    const char *zWhy;
    for (i = 0; i < m->nSinceKb; i++) {
        uint32_t u = s->os.build ? kbbuild_ubr(m->aSinceKb[i], s->os.build) : 0;
        if (u && (!ubr || u < ubr)) ubr = u;
        if (m->aSinceKb[i] < kbMin) kbMin = m->aSinceKb[i];
        if (m->aSinceKb[i] > kbMax) kbMax = m->aSinceKb[i];
    }
    if (ubr && s->os.ubr) return s->os.ubr >= ubr;
    for (i = 0; pl && i < s->nHotfix; i++) {
        const snap_hotfix_t *h = &s->aHotfix[i];
        if (!h->kb.num || !hotfix_installed(h)) continue;
        for (j = 0; j < m->nSinceKb && m->aSinceKb[j] != h->kb.num; j++) {
        }
        if (j < m->nSinceKb) return 1;
        if (ubr && kbbuild_ubr(h->kb.num, s->os.build) >= ubr) return 1;
        if (!plat_has_kb(pl, h->kb.num)) continue;
        if (h->kb.num > kbMax) return 1;
        nListed++;
        nBelow += h->kb.num < kbMin;
    }
    if (nListed && nBelow == nListed && !hotfixes_unreliable(s, &zWhy)) return 0;
    return -1;
}

static void apply_facts(const cat_rule_t *r, const cat_plat_t *pl, const snap_t *s, verdict_t *v)
{
    char z[768]; /* note, fact names and values fit whole; evidence_prepend cuts to size */
    size_t i;
    const cat_mitig_t *pHit = NULL, *pUndo = NULL, *pPartial = NULL, *pUnknown = NULL;
    const snap_fact_t *fHit = NULL, *fUndo = NULL, *fPartial = NULL, *fUnknown = NULL;
    const cat_mitig_t *pDoubt = NULL; /* an undoes line whose since-kb level cannot be told */
    const snap_fact_t *fDoubt = NULL;

    if (!s->nFact || strcmp(s->zOrigin, "agent") != 0) return;
    for (i = 0; i < r->nMitig; i++) {
        const cat_mitig_t *m = &r->aMitig[i];
        const snap_fact_t *f = snap_find_fact(s, m->zFact);
        if (!f) continue;
        if (m->zWhenFact[0]) {
            /* The condition of a `when` line: known and not one of its values, the line does not
             * apply; not collected or unknown, only an `undoes` line applies (the exposure is
             * not disproved; a workaround is not proven). */
            const snap_fact_t *w = snap_find_fact(s, m->zWhenFact);
            if (w && w->zValue[0] && !value_in_list(w->zValue, m->zWhenValues)) continue;
            if ((!w || !w->zValue[0]) && m->effect != CAT_EFFECT_UNDOES) continue;
            if (m->nSinceKb && f->zValue[0] && value_in_list(f->zValue, m->zValues)) {
                int lvl = since_level(m, pl, s);
                if (lvl == 1) continue;
                if (lvl < 0) {
                    if (!pDoubt) pDoubt = m, fDoubt = f;
                    continue;
                }
            }
        }
        if (!f->zValue[0]) {
            if (!pUnknown && m->effect != CAT_EFFECT_UNDOES) pUnknown = m, fUnknown = f;
            continue;
        }
        if (!value_in_list(f->zValue, m->zValues)) continue;
        if (m->effect == CAT_EFFECT_MITIGATES && !pHit) pHit = m, fHit = f;
        if (m->effect == CAT_EFFECT_UNDOES && !pUndo) pUndo = m, fUndo = f;
        if (m->effect == CAT_EFFECT_PARTIAL && !pPartial) pPartial = m, fPartial = f;
    }
    if (pUndo && v->status == VERDICT_PATCHED) {
        const snap_fact_t *w = pUndo->zWhenFact[0] ? snap_find_fact(s, pUndo->zWhenFact) : NULL;
        v->status = VERDICT_MISSING;
        if (pUndo->zWhenFact[0])
            snprintf(z, sizeof z, "%s (%s=%s, %s=%s) despite the fix", pUndo->zNote, fUndo->zName, fUndo->zValue,
                     pUndo->zWhenFact, w && w->zValue[0] ? w->zValue : "unknown");
        else
            snprintf(z, sizeof z, "%s (%s=%s) despite the fix", pUndo->zNote, fUndo->zName, fUndo->zValue);
        evidence_prepend(v, z);
        join3(v->zAction, sizeof v->zAction, pUndo->zAction[0] ? pUndo->zAction : "undo the setting",
              NULL, NULL);
        /* A workaround still closes the path the setting reopened (the Spooler disabled). */
        if (!pHit) return;
    }
    if (!pUndo && pDoubt && v->status == VERDICT_PATCHED) {
        /* The setting is harmless only at the since-kb level, which this machine may lack. */
        const snap_fact_t *w = snap_find_fact(s, pDoubt->zWhenFact);
        v->status = VERDICT_UNKNOWN;
        snprintf(z, sizeof z,
                 "the hotfix list does not show whether those updates are installed: %s "
                 "(%s=%s, %s=%s)",
                 pDoubt->zNote, fDoubt->zName, fDoubt->zValue, pDoubt->zWhenFact,
                 w ? w->zValue : "unknown");
        evidence_prepend(v, z);
        join3(v->zAction, sizeof v->zAction, "rescan the machine with the agent, or ",
              pDoubt->zAction[0] ? pDoubt->zAction : "undo the setting", NULL);
        if (!pHit) return;
    }
    if (v->status != VERDICT_MISSING && v->status != VERDICT_UNKNOWN &&
        v->status != VERDICT_UNPATCHABLE)
        return;
    if (pHit) {
        snprintf(z, sizeof z, "%s: %s (%s=%s)",
                 v->status == VERDICT_UNPATCHABLE ? "workaround in place meanwhile" : "mitigated",
                 pHit->zNote, fHit->zName, fHit->zValue);
        evidence_prepend(v, z);
        if (v->status != VERDICT_UNPATCHABLE) v->status = VERDICT_MITIGATED;
        return;
    }
    if (pPartial) {
        snprintf(z, sizeof z, "%s (%s=%s)", pPartial->zNote, fPartial->zName, fPartial->zValue);
        evidence_prepend(v, z);
    } else if (pUnknown && v->status == VERDICT_MISSING) {
        snprintf(z, sizeof z, "workaround not proven: %s unknown (%.100s)", fUnknown->zName,
                 fUnknown->zError);
        evidence_prepend(v, z);
    }
}

/* Names the machine's role for a rule exploited on domain controllers, in a missing verdict. */
static void apply_role(const cat_rule_t *r, const snap_t *s, verdict_t *v)
{
    if (r->exploitedOn != CAT_ROLE_DC || v->status != VERDICT_MISSING) return;
    if (s->os.product_type == OS_PT_DC)
        evidence_prepend(v, "domain controller");
    else if (s->os.product_type == OS_PT_WORKSTATION || s->os.product_type == OS_PT_SERVER)
        evidence_prepend(v, "member machine: the flaw is exploited on domain controllers");
    else if (os_is_server(&s->os))
        evidence_prepend(v, "role unknown: it may be a domain controller, where the flaw is "
                            "exploited");
}

/* 1 when the clause's conditions hold; 0 when not; -1 when the snapshot lacks the SP or arch
 * the clause needs to decide. */
static int plat_matches(const cat_plat_t *pl, const os_info_t *os, os_family_t fam, int sp)
{
    if (pl->family != fam) return 0;
    if (pl->buildMin && os->build < pl->buildMin) return 0;
    if (pl->buildMax && os->build > pl->buildMax) return 0;
    if (pl->spMin >= 0 || pl->spMax >= 0) {
        if (sp < 0) return -1;
        if (pl->spMin >= 0 && sp < pl->spMin) return 0;
        if (pl->spMax >= 0 && sp > pl->spMax) return 0;
    }
    if (pl->arch != OS_ARCH_UNKNOWN) {
        if (os->arch == OS_ARCH_UNKNOWN) return -1;
        if (os->arch != pl->arch) return 0;
    }
    return 1;
}

static void host_ctx_init(const snap_t *s, host_ctx_t *h)
{
    memset(h, 0, sizeof *h);
    h->rcId = KBS_ENOTFOUND;
    if (!s->osKnown) return;
    h->rcId = os_identify(&s->os, &h->id);
    h->sp = os_sp_major(&s->os);
    if (s->os.major >= 10 && !s->os.ubr) h->kbUbr = ubr_from_kbs(s, &h->kbNewest);
}

static void eval_rule(const cat_rule_t *r, const snap_t *s, const host_ctx_t *h, verdict_t *v)
{
    const os_ident_t *pId = &h->id;
    const cat_plat_t *pl = NULL;
    int sp = h->sp, bAmbiguous = 0;
    size_t i;

    v->rule = r;
    v->status = VERDICT_UNKNOWN;
    v->zEvidence[0] = 0;
    v->zAction[0] = 0;
    if (!s->osKnown) {
        snprintf(v->zEvidence, sizeof v->zEvidence, "no OS facts in the input");
        snprintf(v->zAction, sizeof v->zAction, "rescan the machine with the agent or systeminfo");
        return;
    }
    if (h->rcId != KBS_OK) {
        snprintf(v->zEvidence, sizeof v->zEvidence, "OS not identified (%s)", pId->zName);
        snprintf(v->zAction, sizeof v->zAction, "check the OS facts of this machine");
        return;
    }
    for (i = 0; i < r->nPlat; i++) {
        int m = plat_matches(&r->aPlat[i], &s->os, pId->family, sp);
        if (m < 0) bAmbiguous = 1;
        if (m > 0) {
            pl = &r->aPlat[i];
            break;
        }
    }
    if (bAmbiguous) {
        snprintf(v->zEvidence, sizeof v->zEvidence, "%s: %s unknown, needed to decide", pId->zName,
                 sp < 0 ? "service pack" : "architecture");
        snprintf(v->zAction, sizeof v->zAction, "rescan the machine with the agent");
        return;
    }
    if (!pl) {
        snprintf(v->zEvidence, sizeof v->zEvidence, "the catalog has no entry for %s", pId->zName);
        snprintf(v->zAction, sizeof v->zAction, "extend the catalog for this platform");
        return;
    }
    switch (pl->kind) {
    case CAT_KIND_NOT_AFFECTED:
        v->status = VERDICT_NOT_AFFECTED;
        join3(v->zEvidence, sizeof v->zEvidence, pId->zName, ": ",
              pl->zNote[0] ? pl->zNote : "not affected");
        break;
    case CAT_KIND_NO_FIX:
        v->status = VERDICT_UNPATCHABLE;
        join3(v->zEvidence, sizeof v->zEvidence, pId->zName, ": ",
              pl->zNote[0] ? pl->zNote : "no fix exists");
        join3(v->zAction, sizeof v->zAction, pl->zAction[0] ? pl->zAction : "upgrade the OS", NULL,
              NULL);
        break;
    case CAT_KIND_UNDECIDED:
        /* Neither a fix nor "not affected" is known: say why, never guess. */
        join3(v->zEvidence, sizeof v->zEvidence, pId->zName, ": ",
              pl->zNote[0] ? pl->zNote : "the sources do not say whether it is affected");
        join3(v->zAction, sizeof v->zAction, pl->zAction[0] ? pl->zAction : "upgrade the OS", NULL,
              NULL);
        break;
    default:
        eval_fix(pl, s, h, v);
        break;
    }
    if (pl->kind != CAT_KIND_NOT_AFFECTED) {
        if (r->nMitig) apply_facts(r, pl, s, v);
        if (r->exploitedOn) apply_role(r, s, v);
    }
}

int verdict_eval_rule(const cat_rule_t *r, const snap_t *s, verdict_t *pOut)
{
    host_ctx_t h;
    if (!r || !s || !pOut) return KBS_EINVAL;
    host_ctx_init(s, &h);
    eval_rule(r, s, &h, pOut);
    return KBS_OK;
}

/* 1 when hotfix h has a KB and an ISO date after the catalog's data date. */
static int newer_than_catalog(const cat_t *c, const snap_hotfix_t *h)
{
    const char *a = h->zInstalled, *b = c->zDataDate;
    int i;
    if (!h->kb.num) return 0;
    /* Inline and stopping at the first differing character (the year, for most hotfixes):
     * this runs for every hotfix of every machine. */
    for (i = 0; i < 10 && a[i] == b[i]; i++) {
    }
    if (i == 10 || (unsigned char)a[i] < (unsigned char)b[i]) return 0;
    for (i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? a[i] != '-' : (a[i] < '0' || a[i] > '9')) return 0;
    return 1;
}

/* A `missing` that rests only on the KB list (no file version, no UBR decided it) cannot hold
 * when the machine has updates the catalog could not know: a KB in none of the rule's clauses,
 * installed after the date of the catalog's data (a newer cumulative update lists only itself).
 * Then the verdict is unknown, and the remedy is a newer catalog. */
static void catalog_age(const cat_t *c, const cat_rule_t *r, const snap_t *s, verdict_t *v)
{
    size_t i, j;
    if (v->status != VERDICT_MISSING || !c->zDataDate[0]) return;
    /* The two evidence texts of eval_fix's last step: the list decided, nothing else. */
    if (strncmp(v->zEvidence, "none of ", 8) != 0 && strncmp(v->zEvidence, "no proof of the fix", 19) != 0)
        return;
    if (strstr(v->zEvidence, " < ")) return;
    for (i = 0; i < s->nHotfix; i++) {
        const snap_hotfix_t *h = &s->aHotfix[i];
        int bKnown = 0;
        if (!newer_than_catalog(c, h)) continue;
        for (j = 0; j < r->nPlat && !bKnown; j++) bKnown = plat_has_kb(&r->aPlat[j], h->kb.num);
        if (bKnown) continue;
        v->status = VERDICT_UNKNOWN;
        snprintf(v->zEvidence, sizeof v->zEvidence,
                 "catalog older than this machine's updates: KB%u installed %.10s, catalog data of %s",
                 (unsigned)h->kb.num, h->zInstalled, c->zDataDate);
        snprintf(v->zAction, sizeof v->zAction, "update the catalog");
        return;
    }
}

int verdict_eval(const cat_t *c, const snap_t *s, verdict_t *aOut, size_t nOut)
{
    host_ctx_t h;
    size_t i;
    int bNewer = 0;
    if (!c || !s || (c->nRule && !aOut) || nOut < c->nRule) return KBS_EINVAL;
    host_ctx_init(s, &h);
    /* Once per machine: has it any update dated after the catalog's data? */
    for (i = 0; c->zDataDate[0] && i < s->nHotfix && !bNewer; i++) bNewer = newer_than_catalog(c, &s->aHotfix[i]);
    for (i = 0; i < c->nRule; i++) {
        eval_rule(&c->aRule[i], s, &h, &aOut[i]);
        if (bNewer) catalog_age(c, &c->aRule[i], s, &aOut[i]);
    }
    return (int)c->nRule;
}
