/* imp_systeminfo.c: `systeminfo` output (any UI language, XP to Windows 11, pasted or redirected)
 * read into snapshots, one per run of the command. */
#include "imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "kb.h"
#include "kbs_err.h"

/* systeminfo writes its fields in one order in every language and release since XP; only the
 * labels are translated. People paste it with a prompt before, other output after, lines lost
 * or added, indented, quoted or re-encoded. The reader therefore anchors each run on what cannot
 * be missing and does not depend on layout: the OS version value ("10.0.19045 N/A Build 19045"),
 * the fields around it, and the "[NN]:" entries of the hotfix list. Fields are found relative to
 * that anchor and checked by the shape of their values, never by label text. */
enum {
    SI_REL_CONFIG = 2,   /* OS Configuration: version + 2 */
    SI_REL_TYPE_MAX = 14,/* System Type is version + 11 when nothing is missing */
    SI_REL_DOMAIN = 26,
    SI_REL_HOTFIX = 28,
    SI_TAB = 8,
};

typedef struct si_line {
    const char *z;   /* text after any quote marker and indentation */
    unsigned n;
    unsigned line;   /* 1-based line in the decoded input */
    unsigned indent; /* columns of blanks before z (tabs to multiples of SI_TAB) */
    int colon;       /* offset in z of the label's ':' (followed by a blank or the end), or -1 */
    unsigned v;      /* offset in z of the value after the colon (n when none) */
} si_line_t;

/* A label line and the continuation lines under it (aLine[iLine + 1 .. iEnd)). */
typedef struct si_field {
    size_t iLine, iEnd;
} si_field_t;

typedef struct si_doc {
    si_line_t *aLine;
    size_t nLine, nLineAlloc;
    si_field_t *aField;
    size_t nField, nFieldAlloc;
} si_doc_t;

/* ---- small text helpers ---- */

static int has_ascii_ci(const char *z, size_t n, const char *zNeedle)
{
    size_t m = strlen(zNeedle), i, j;
    for (i = 0; i + m <= n; i++) {
        for (j = 0; j < m; j++) {
            char a = z[i + j], b = zNeedle[j];
            if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
            if (a != b) break;
        }
        if (j == m) return 1;
    }
    return 0;
}

static int has_any(const char *z, size_t n, const char *const *azNeedle)
{
    for (; *azNeedle; azNeedle++)
        if (has_ascii_ci(z, n, *azNeedle)) return 1;
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "6.1.7601..." at the start of z: three dot-separated numbers ending the word. */
static int read_version(const char *z, size_t n, uint32_t aPart[3], size_t *pEnd)
{
    size_t i = 0;
    int k;
    for (k = 0; k < 3; k++) {
        uint32_t v = 0;
        size_t start = i;
        while (i < n && is_digit(z[i]) && i - start < 9)
            v = v * 10 + (uint32_t)(z[i++] - '0');
        if (i == start) return 0;
        aPart[k] = v;
        if (k < 2) {
            if (i >= n || z[i] != '.') return 0;
            i++;
        }
    }
    if (i < n && z[i] != ' ' && z[i] != '\t') return 0;
    if (pEnd) *pEnd = i;
    return 1;
}

/* The value of the label line l: the text after the label's colon, trimmed (measured once by
 * set_value). */
static void line_value(const si_line_t *l, const char **pz, size_t *pn)
{
    *pz = l->z + l->v;
    *pn = l->n - l->v;
}

static void set_value(si_line_t *l)
{
    const char *z = l->colon >= 0 ? l->z + l->colon + 1 : l->z + l->n;
    size_t n = l->colon >= 0 ? l->n - (size_t)l->colon - 1 : 0;
    imp_trim(&z, &n);
    l->v = (unsigned)(z - l->z);
    l->n = l->v + (unsigned)n;
}

/* 1 when the value is an OS version as systeminfo writes it: "M.m.B" alone, or followed by
 * words and the build number again ("10.0.19045 N/A Build 19045", "5.1.2600 Service Pack 3
 * Build 2600", "10.0.17763 Н/Д построение 17763"). A BIOS or file version does not end so. */
static int is_os_version(const char *z, size_t n)
{
    uint32_t aPart[3], b = 0;
    size_t end, i;
    if (!read_version(z, n, aPart, &end)) return 0;
    if (aPart[0] < 3 || aPart[0] > 10 || aPart[2] < 500) return 0;
    if (end == n) return 1;
    i = n;
    while (i > end && is_digit(z[i - 1]))
        i--;
    if (i == n || i == end || (z[i - 1] != ' ' && z[i - 1] != '\t')) return 0;
    for (; i < n && b < 100000000u; i++)
        b = b * 10 + (uint32_t)(z[i] - '0');
    return b == aPart[2];
}

int imp_os_version_like(const char *z, size_t n)
{
    imp_trim(&z, &n);
    return is_os_version(z, n);
}

/* ---- lines and fields ---- */

/* Where the label's colon is: the first ':' followed by a blank or the end of the line ("C:\"
 * in a fused prompt is not one). -1 when there is none. */
static int find_colon(const char *z, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (z[i] == ':' && (i + 1 == n || z[i + 1] == ' ' || z[i + 1] == '\t')) return (int)i;
    return -1;
}

/* Reads the lines: a markdown quote marker and indentation are measured, not kept. */
static int doc_lines(si_doc_t *d, const char *z, size_t n, imp_err_t *pErr)
{
    imp_lines_t it;
    const char *zl;
    size_t nl;
    int rc;
    imp_lines_init(&it, z, n);
    while ((rc = imp_lines_next(&it, &zl, &nl, pErr)) == 1) {
        si_line_t *l;
        unsigned col = 0;
        size_t i = 0;
        if (nl && zl[0] == '>') i = (nl > 1 && zl[1] == ' ') ? 2 : 1; /* "> " quoting */
        for (; i < nl; i++) {
            if (zl[i] == ' ')
                col++;
            else if (zl[i] == '\t')
                col = (col / SI_TAB + 1) * SI_TAB;
            else if ((unsigned char)zl[i] == 0xC2 && i + 1 < nl && (unsigned char)zl[i + 1] == 0xA0)
                col++, i++;
            else
                break;
        }
        while (nl > i && (zl[nl - 1] == ' ' || zl[nl - 1] == '\t'))
            nl--;
        if (i >= nl) continue; /* blank */
        if (d->nLine == d->nLineAlloc) {
            size_t nNew = d->nLineAlloc ? d->nLineAlloc * 2 : 128;
            si_line_t *a = realloc(d->aLine, nNew * sizeof *a);
            if (!a) return imp_err_set(pErr, KBS_ENOMEM, it.line, "out of memory");
            d->aLine = a;
            d->nLineAlloc = nNew;
        }
        l = &d->aLine[d->nLine++];
        l->z = zl + i;
        l->n = (unsigned)(nl - i);
        l->line = it.line;
        l->indent = col;
        l->colon = find_colon(l->z, l->n);
        set_value(l);
    }
    return rc;
}

static int is_entry(const si_line_t *l)
{
    return l->n >= 2 && l->z[0] == '[' && is_digit(l->z[1]);
}

/* Columns from the start of the line to the value of the label line l. */
static unsigned value_col(const si_line_t *l)
{
    const char *zv;
    size_t nv, i;
    unsigned col = l->indent;
    line_value(l, &zv, &nv);
    for (i = 0; l->z + i < zv; i++) {
        if (l->z[i] == '\t')
            col = (col / SI_TAB + 1) * SI_TAB;
        else if (((unsigned char)l->z[i] & 0xC0) != 0x80)
            col++;
    }
    return col;
}

/* Groups the lines into fields. A line indented at least halfway from the labels to the values
 * of the nearest OS version line (or a "[NN]" entry anywhere) continues the field above. */
static int doc_fields(si_doc_t *d, imp_err_t *pErr)
{
    size_t i, j, iAnchor = (size_t)-1;
    unsigned contCol = 12;
    for (i = 0; i < d->nLine; i++) {
        si_line_t *l = &d->aLine[i];
        int cont;
        if (iAnchor == (size_t)-1 || i > iAnchor) { /* the parameters of the next anchor */
            for (j = i; j < d->nLine; j++) {
                const char *zv;
                size_t nv;
                if (d->aLine[j].colon < 0 || is_entry(&d->aLine[j])) continue;
                line_value(&d->aLine[j], &zv, &nv);
                if (is_os_version(zv, nv)) break;
            }
            if (j < d->nLine) {
                unsigned li = d->aLine[j].indent, vc = value_col(&d->aLine[j]);
                iAnchor = j;
                contCol = li + (vc > li + 8 ? (vc - li) / 2 : 4);
            } else {
                iAnchor = d->nLine;
            }
        }
        cont = d->nField && (is_entry(l) || l->indent >= contCol);
        if (cont) {
            d->aField[d->nField - 1].iEnd = i + 1;
            continue;
        }
        if (d->nField == d->nFieldAlloc) {
            size_t nNew = d->nFieldAlloc ? d->nFieldAlloc * 2 : 64;
            si_field_t *a = realloc(d->aField, nNew * sizeof *a);
            if (!a) return imp_err_set(pErr, KBS_ENOMEM, l->line, "out of memory");
            d->aField = a;
            d->nFieldAlloc = nNew;
        }
        d->aField[d->nField].iLine = i;
        d->aField[d->nField].iEnd = i + 1;
        d->nField++;
    }
    return KBS_OK;
}

static const si_line_t *fline(const si_doc_t *d, size_t iField)
{
    return &d->aLine[d->aField[iField].iLine];
}

static int field_is_version(const si_doc_t *d, size_t iField)
{
    const si_line_t *l = fline(d, iField);
    const char *zv;
    size_t nv;
    if (l->colon < 0) return 0;
    line_value(l, &zv, &nv);
    return is_os_version(zv, nv);
}

int imp_systeminfo_sniff(const char *z, size_t n)
{
    imp_lines_t it;
    const char *zl;
    size_t nl;
    unsigned nEntry = 0, nLabel = 0;
    char *zCsv;
    size_t nCsv;
    if (imp_sicsv_to_list(z, n, 1, &zCsv, &nCsv) == 1) return 1; /* systeminfo /FO CSV */
    imp_lines_init(&it, z, n);
    while (imp_lines_next(&it, &zl, &nl, NULL) == 1) {
        si_line_t l;
        const char *zv;
        size_t nv;
        imp_trim(&zl, &nl);
        l.z = zl, l.n = (unsigned)nl;
        if (is_entry(&l)) {
            nEntry++;
            continue;
        }
        l.colon = find_colon(l.z, l.n);
        if (l.colon < 0) continue;
        nLabel++;
        set_value(&l);
        line_value(&l, &zv, &nv);
        if (is_os_version(zv, nv)) return 1;
    }
    /* systeminfo pasted without its version line: read it, so that the error says what is
     * missing instead of "not systeminfo" */
    return nEntry >= 1 && nLabel >= 8 && has_ascii_ci(z, n, "[01]:");
}

/* ---- the facts of one run ---- */

/* The machine's role from the "OS Configuration" value. systeminfo writes one of six phrases
 * (Standalone / Member Workstation, Standalone / Member Server, Primary / Backup Domain
 * Controller), translated into the UI language; the word for "controller", "workstation" or
 * "server" tells the role in each translation. Stems that start with a capital letter in some
 * phrase skip it, as only ASCII case is folded. A role word not recognised (a language not
 * listed, characters lost to a wrong code page) leaves the role unknown: a server then may be a
 * domain controller, and `report --role dc` says so. Only a client edition (its product name),
 * which can never be a domain controller, is a workstation without the word. */
static os_ptype_t product_type(const char *zConf, size_t nConf, const char *zName)
{
    static const char *const azDc[] = {
        "controller",                  /* en, de, it, nl, da */
        "controlador",                 /* es, pt */
        "contr\xc3\xb4leur", "controleur", /* fr */
        "kontroler",                   /* pl, hr; "kontroller" (nb, et) */
        "kontrollant",                 /* sv */
        "controler",                   /* ro */
        "denetleyici",                 /* tr */
        "adi\xc4\x8d dom",             /* cs: (ř)adič domény, sk: (r)adič domény */
        "vez\xc3\xa9rl\xc5\x91",       /* hu: tartományvezérlő */
        "\xe3\x82\xb3\xe3\x83\xb3\xe3\x83\x88\xe3\x83\xad\xe3\x83\xbc\xe3\x83\xa9", /* ja: コントローラ */
        "\xe5\x9f\x9f\xe6\x8e\xa7\xe5\x88\xb6\xe5\x99\xa8", /* zh-CN: 域控制器 */
        "\xe7\xb6\xb2\xe5\x9f\x9f\xe6\x8e\xa7\xe5\x88\xb6", /* zh-TW: 網域控制(站) */
        "\xec\xbb\xa8\xed\x8a\xb8\xeb\xa1\xa4\xeb\x9f\xac", /* ko: 컨트롤러 */
        "\xd0\xbe\xd0\xbd\xd1\x82\xd1\x80\xd0\xbe\xd0\xbb\xd0\xbb\xd0\xb5\xd1\x80", /* ru: (к)онтроллер */
        "\xd0\xbe\xd0\xbd\xd1\x82\xd1\x80\xd0\xbe\xd0\xbb\xd0\xb5\xd1\x80", /* uk, bg: (к)онтролер */
        NULL};
    static const char *const azWs[] = {
        "workstation", "arbeitsstation", "station de travail", "werkstation", "trabajo", "trabalho",
        "stacja", "stanice", "arbetsstation",
        "stasyon",                      /* tr: (İ)stasyonu */
        "munka\xc3\xa1llom",            /* hu: munkaállomás */
        "\xd1\x82\xd0\xb0\xd0\xbd\xd1\x86\xd0\xb8\xd1\x8f",                 /* ru: (с)танция */
        "\xe3\x83\xaf\xe3\x83\xbc\xe3\x82\xaf\xe3\x82\xb9\xe3\x83\x86", /* ja: ワークステ */
        "\xe5\xb7\xa5\xe4\xbd\x9c\xe7\xab\x99",                             /* zh: 工作站 */
        "\xec\x9b\x8c\xed\x81\xac\xec\x8a\xa4\xed\x85\x8c\xec\x9d\xb4\xec\x85\x98", /* ko: 워크스테이션 */
        NULL};
    static const char *const azSrv[] = {
        "server", "serveur", "servidor", "serwer", "sunucu", "szerver",
        "kiszolg",                      /* hu: kiszolgáló */
        "\xd0\xb5\xd1\x80\xd0\xb2\xd0\xb5\xd1\x80",             /* ru: (с)ервер */
        "\xe3\x82\xb5\xe3\x83\xbc\xe3\x83\x90",                   /* ja: サーバ */
        "\xe6\x9c\x8d\xe5\x8a\xa1\xe5\x99\xa8",                   /* zh-CN: 服务器 */
        "\xe4\xbc\xba\xe6\x9c\x8d\xe5\x99\xa8",                   /* zh-TW: 伺服器 */
        "\xec\x84\x9c\xeb\xb2\x84",                               /* ko: 서버 */
        NULL};
    if (has_any(zConf, nConf, azDc)) return OS_PT_DC;
    if (has_any(zConf, nConf, azWs)) return OS_PT_WORKSTATION;
    if (has_any(zConf, nConf, azSrv)) return OS_PT_SERVER;
    if (!has_ascii_ci(zName, strlen(zName), "server") && has_ascii_ci(zName, strlen(zName), "windows"))
        return OS_PT_WORKSTATION;
    return OS_PT_UNKNOWN;
}

static os_arch_t arch_of(const char *z, size_t n)
{
    if (has_ascii_ci(z, n, "arm64")) return OS_ARCH_ARM64;
    if (has_ascii_ci(z, n, "x64") || has_ascii_ci(z, n, "amd64")) return OS_ARCH_X64;
    if (has_ascii_ci(z, n, "ia64") || has_ascii_ci(z, n, "itanium")) return OS_ARCH_IA64;
    if (has_ascii_ci(z, n, "x86")) return OS_ARCH_X86;
    return OS_ARCH_UNKNOWN;
}

/* "5.1.2600 Service Pack 3 Build 2600", "10.0.19045 N/A Build 19045", "6.1.7601 Service Pack 1
 * сборка 7601": the words are translated, the numbers are not. The text between the version
 * and the closing "<word> <build>" is the service pack, or "N/A" in some language. */
static void parse_version(const char *z, size_t n, os_info_t *os)
{
    uint32_t aPart[3];
    size_t end = 0, i, midEnd;
    const char *zMid;
    size_t nMid;
    read_version(z, n, aPart, &end);
    os->major = aPart[0], os->minor = aPart[1], os->build = aPart[2];
    midEnd = n;
    i = n;
    while (i > end && is_digit(z[i - 1]))
        i--;
    if (i < n && i > end && (z[i - 1] == ' ' || z[i - 1] == '\t')) {
        while (i > end && (z[i - 1] == ' ' || z[i - 1] == '\t'))
            i--;
        while (i > end && z[i - 1] != ' ' && z[i - 1] != '\t')
            i--;
        midEnd = i;
    }
    zMid = z + end, nMid = midEnd - end;
    imp_trim(&zMid, &nMid);
    os->sp_known = 1;
    os->sp_major = os->sp_minor = 0;
    for (i = 0; i < nMid; i++) {
        if (is_digit(zMid[i])) {
            uint32_t sp = 0;
            size_t j = i;
            while (j < nMid && is_digit(zMid[j]) && j - i < 3)
                sp = sp * 10 + (uint32_t)(zMid[j++] - '0');
            os->sp_major = sp;
            imp_copy(os->zCsdVersion, sizeof os->zCsdVersion, zMid, nMid);
            break;
        }
    }
}

/* The first run of digits in z as a number, or -1. */
static long first_number(const char *z, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (is_digit(z[i])) {
            long v = 0;
            while (i < n && is_digit(z[i]) && v < 10000000)
                v = v * 10 + (z[i++] - '0');
            return v;
        }
    }
    return -1;
}

/* A hotfix list entry: "[12]: KB2479943", "[03]: File 1", "[44]: KB893803v2 - Update", and the
 * shapes of a list cut short: "[246]" or "[246]:" with no text, "[221" cut in its brackets.
 * Returns 1 (whole), 2 (cut: no text after it can be trusted) or 0 (not an entry). */
static int hotfix_entry(const si_line_t *l, long *pIdx, const char **pe, size_t *pne)
{
    const char *z = l->z;
    size_t n = l->n, i = 1;
    long idx = 0;
    if (!is_entry(l)) return 0;
    while (i < n && is_digit(z[i]) && idx < 1000000)
        idx = idx * 10 + (z[i++] - '0');
    *pIdx = idx;
    *pe = z + n, *pne = 0;
    if (i >= n || z[i] != ']') return 2;
    i++;
    if (i < n && z[i] == ':') i++;
    *pe = z + i, *pne = n - i;
    imp_trim(pe, pne);
    return *pne ? 1 : 2;
}

/* What the continuation lines of a field hold. A hotfix list is told from the processor and
 * network card lists by its entries: ids, or the empty / cut entries of a list cut short. */
enum { SI_LIST_NONE = 0, SI_LIST_HOTFIX, SI_LIST_CPU, SI_LIST_NIC, SI_LIST_OTHER };

static int list_kind(const si_doc_t *d, size_t iField)
{
    const si_field_t *f = &d->aField[iField];
    size_t k;
    int nEntry = 0, bPlain = 0;
    for (k = f->iLine + 1; k < f->iEnd; k++) {
        const si_line_t *l = &d->aLine[k];
        const char *ze;
        size_t ne;
        long idx;
        int shape = hotfix_entry(l, &idx, &ze, &ne);
        if (!shape) {
            bPlain = 1; /* "Connection Name: ..." under a card, or a wrapped remainder */
            continue;
        }
        if (nEntry++ == 0 && (has_ascii_ci(l->z, l->n, "mhz") || has_ascii_ci(l->z, l->n, " family ")))
            return SI_LIST_CPU;
        if (shape == 2) return SI_LIST_HOTFIX;
        if (imp_kb_like(ze, ne)) { /* not "[01]: 10.10.10.81" under a card */
            char zRaw[SNAP_RAW_MAX];
            if (imp_hotfix_raw(ze, ne, zRaw, sizeof zRaw)) return SI_LIST_HOTFIX;
        }
    }
    if (!nEntry) return SI_LIST_NONE;
    return bPlain ? SI_LIST_NIC : SI_LIST_OTHER;
}

/* The hotfix field of the run whose version field is v and which ends before field e, or
 * (size_t)-1 when the output stops before it. */
static size_t find_hotfix_field(const si_doc_t *d, size_t v, size_t e)
{
    size_t i, iList = (size_t)-1;
    const char *zv;
    size_t nv;
    /* a list of ids after the version; else an empty list ("Hotfix(s): N/A", in any language)
     * just above the first list that follows the processors (the network cards) */
    for (i = v + 1; i < e; i++) {
        int k = list_kind(d, i);
        if (k == SI_LIST_HOTFIX) return i;
        if ((k == SI_LIST_NIC || k == SI_LIST_OTHER) && iList == (size_t)-1) iList = i;
    }
    if (iList == (size_t)-1 && v + SI_REL_HOTFIX < e) iList = v + SI_REL_HOTFIX + 1;
    if (iList == (size_t)-1 || iList < v + 3) return (size_t)-1;
    i = iList - 1;
    if (fline(d, i)->colon < 0 || list_kind(d, i) != SI_LIST_NONE) return (size_t)-1;
    line_value(fline(d, i), &zv, &nv);
    if (nv == 0 || zv[0] == '\\') return (size_t)-1; /* "\\\\DC01": the logon server */
    return i;
}

static int read_hotfixes(const si_doc_t *d, size_t iField, snap_t *s, imp_err_t *pErr)
{
    const si_field_t *f = &d->aField[iField];
    const char *zv, *ze, *zExample = NULL;
    size_t nv, ne, nExample = 0, k, nListed = 0, nNonKb = 0;
    long nClaimed, idx, expect = 1;
    unsigned gapLine = 0, cutLine = 0;
    int bCut;
    char zPend[SNAP_RAW_MAX] = "";
    unsigned pendLine = 0;
    int rc, shape, bPendOpen = 0;

    line_value(fline(d, iField), &zv, &nv);
    nClaimed = first_number(zv, nv);
    /* Each entry is stored when the next one is seen: the last one of a list cut short may have
     * lost the end of its id ("KB97716" of KB977165). */
    for (k = f->iLine + 1; k < f->iEnd; k++) {
        const si_line_t *l = &d->aLine[k];
        shape = hotfix_entry(l, &idx, &ze, &ne);
        if (shape == 0) continue; /* a wrapped remainder: the id was on the line above */
        nListed++;
        if (idx != expect && !gapLine) gapLine = l->line;
        expect = idx + 1;
        if (zPend[0]) {
            rc = snap_add_hotfix(s, zPend, SNAP_SRC_SYSTEMINFO, NULL, -1);
            if (rc) return imp_err_set(pErr, rc, pendLine, "hotfix list: %s", kbs_strerror(rc));
            zPend[0] = 0;
        }
        if (shape == 2) {
            cutLine = l->line;
            break;
        }
        if (!imp_hotfix_raw(ze, ne, zPend, sizeof zPend)) {
            if (!nNonKb) zExample = ze, nExample = ne;
            nNonKb++;
        }
        bPendOpen = !memchr(ze, ' ', ne) && !memchr(ze, '\t', ne);
        pendLine = l->line;
    }
    bCut = cutLine || (nClaimed > 0 && (size_t)nClaimed > nListed);
    if (zPend[0] && !(bCut && bPendOpen)) {
        rc = snap_add_hotfix(s, zPend, SNAP_SRC_SYSTEMINFO, NULL, -1);
        if (rc) return imp_err_set(pErr, rc, pendLine, "hotfix list: %s", kbs_strerror(rc));
    }

    /* The count lets a complete QFE list of the same run make a cut-short list whole. */
    if (nClaimed > 0 && (unsigned long)nClaimed <= 0xFFFFFFFFul) s->nHotfixCounted = (uint32_t)nClaimed;
    if (bCut) {
        size_t nWhole = cutLine ? nListed - 1 : nListed;
        s->hotfixesComplete = 0;
        if (nClaimed > 0)
            snprintf(s->zHotfixNote, sizeof s->zHotfixNote,
                     "systeminfo lists %lu of %ld hotfixes: the list was cut short (line %u)",
                     (unsigned long)nWhole, nClaimed,
                     cutLine ? cutLine : d->aLine[f->iEnd - 1].line);
        else
            snprintf(s->zHotfixNote, sizeof s->zHotfixNote,
                     "systeminfo lists %lu hotfixes: the list was cut short (line %u)",
                     (unsigned long)nWhole, cutLine);
    } else if (nClaimed < 0 && nListed > 0) {
        s->hotfixesComplete = 0;
        snprintf(s->zHotfixNote, sizeof s->zHotfixNote,
                 "systeminfo's hotfix count is missing (line %u): the list may be cut short",
                 fline(d, iField)->line);
    } else if (gapLine) {
        s->hotfixesComplete = 0;
        snprintf(s->zHotfixNote, sizeof s->zHotfixNote,
                 "systeminfo hotfix list numbering skips entries (line %u)", gapLine);
    } else if (nNonKb && s->os.major == 5) {
        /* XP / 2003 list updates as "File 1" without their KB; Vista and later never do for a
         * security update (a CBS package always shows its KB). */
        char zEx[40];
        imp_copy(zEx, sizeof zEx, zExample, nExample);
        s->hotfixesComplete = 0;
        snprintf(s->zHotfixNote, sizeof s->zHotfixNote,
                 "systeminfo shows %lu of %lu hotfix entries without a KB id (e.g. \"%s\"): "
                 "the KBs behind them are unknown",
                 (unsigned long)nNonKb, (unsigned long)nListed, zEx);
    }
    return KBS_OK;
}

/* 1 when z starts like a date: 1-4 digits, a separator, 1-2 digits, the same separator, a
 * digit ("03/10/2011, 16:20:55", "2019/2/14"; not a product id "00329-00000-..."). */
static int date_like(const char *z, size_t n)
{
    size_t i = 0, j;
    char sep;
    while (i < n && i < 4 && is_digit(z[i]))
        i++;
    if (i == 0 || i >= n || (z[i] != '/' && z[i] != '.' && z[i] != '-')) return 0;
    sep = z[i++];
    j = i;
    while (i < n && i - j < 3 && is_digit(z[i]))
        i++;
    return i > j && i - j <= 2 && i + 1 < n && z[i] == sep && is_digit(z[i + 1]);
}

/* One run: version field v, its fields up to (not including) field e. */
static int read_run(const si_doc_t *d, size_t v, size_t e, snap_t *s, imp_err_t *pErr)
{
    const char *zv;
    size_t nv, i, iName = (size_t)-1, iHost = (size_t)-1, iHotfix;
    int nBack = 0, bDate = 0;

    snap_init(s);
    snprintf(s->zOrigin, sizeof s->zOrigin, "systeminfo");
    s->osKnown = 1;
    line_value(fline(d, v), &zv, &nv);
    parse_version(zv, nv, &s->os);

    /* OS Name and Host Name above it; a line without a label (a wrapped name, a prompt) is
     * stepped over, a missing Host Name line leaves the name empty */
    for (i = v; i > 0 && nBack < 3; nBack++) {
        i--;
        if (field_is_version(d, i)) break;
        if (fline(d, i)->colon < 0) continue;
        if (iName == (size_t)-1) {
            iName = i;
        } else {
            iHost = i;
            break;
        }
    }
    if (iName != (size_t)-1) {
        line_value(fline(d, iName), &zv, &nv);
        imp_copy(s->os.zProductName, sizeof s->os.zProductName, zv, nv);
    }
    if (iHost != (size_t)-1) {
        line_value(fline(d, iHost), &zv, &nv);
        if (nv >= SNAP_HOST_MAX)
            return imp_err_set(pErr, KBS_ETOOBIG, fline(d, iHost)->line,
                               "host name of %lu bytes (limit %d)", (unsigned long)nv,
                               SNAP_HOST_MAX - 1);
        imp_copy(s->zHost, sizeof s->zHost, zv, nv); /* kept as data, whatever it holds */
    }

    if (v + SI_REL_CONFIG < e) {
        line_value(fline(d, v + SI_REL_CONFIG), &zv, &nv);
        s->os.product_type = product_type(zv, nv, s->os.zProductName);
    } else {
        s->os.product_type = product_type("", 0, s->os.zProductName);
    }
    for (i = v + 3; i < e && i <= v + SI_REL_TYPE_MAX; i++) {
        char zDate[64];
        const si_line_t *l = fline(d, i);
        if (l->colon < 0) continue;
        line_value(l, &zv, &nv);
        if (!bDate && i <= v + 9 && date_like(zv, nv)) {
            /* the first date after the version is the install date (the boot time follows:
             * an install date that cannot be read stays unknown); a 12-hour clock marks the US
             * order */
            int mdy = has_ascii_ci(zv, nv, " am") || has_ascii_ci(zv, nv, " pm");
            bDate = 1;
            imp_copy(zDate, sizeof zDate, zv, nv);
            imp_date_iso(zDate, mdy, s->os.zInstallDate, sizeof s->os.zInstallDate);
            continue;
        }
        if (s->os.arch == OS_ARCH_UNKNOWN && list_kind(d, i) == SI_LIST_NONE &&
            has_ascii_ci(zv, nv, "pc"))
            s->os.arch = arch_of(zv, nv);
    }

    iHotfix = find_hotfix_field(d, v, e);
    i = iHotfix != (size_t)-1 ? iHotfix - 2 : v + SI_REL_DOMAIN;
    if (i < e && i > v + 3 && fline(d, i)->colon >= 0) {
        line_value(fline(d, i), &zv, &nv);
        if (nv < SNAP_HOST_MAX && !memchr(zv, ' ', nv)) imp_copy(s->zDomain, sizeof s->zDomain, zv, nv);
    }
    if (iHotfix == (size_t)-1) {
        s->hotfixesComplete = 0;
        snprintf(s->zHotfixNote, sizeof s->zHotfixNote,
                 "systeminfo output ends before its hotfix list (line %u)",
                 d->aLine[d->aField[e - 1].iEnd - 1].line);
        return KBS_OK;
    }
    return read_hotfixes(d, iHotfix, s, pErr);
}

int imp_systeminfo_parse_all(const char *zIn, size_t nIn, snap_t **paSnap, size_t *pnSnap,
                             imp_err_t *pErr)
{
    imp_text_t t;
    si_doc_t d;
    size_t *aRun = NULL, nRun = 0, i, k;
    snap_t *aSnap = NULL;
    int rc;
    imp_err_t errLocal;

    if (!pErr) pErr = &errLocal;
    memset(pErr, 0, sizeof *pErr);
    memset(&d, 0, sizeof d);
    memset(&t, 0, sizeof t);
    *paSnap = NULL;
    *pnSnap = 0;
    if (!zIn) return imp_err_set(pErr, KBS_EINVAL, 0, "no input");
    rc = imp_text_decode(zIn, nIn, 0, &t, pErr);
    if (rc) return rc;
    {
        /* systeminfo /FO CSV: read as the list form it holds */
        char *zList;
        size_t nList;
        rc = imp_sicsv_to_list(t.z, t.n, 0, &zList, &nList);
        if (rc < 0) {
            imp_err_set(pErr, rc, 0, "out of memory");
            goto out;
        }
        if (rc == 1) {
            free(t.z);
            t.z = zList;
            t.n = nList;
        }
    }
    rc = doc_lines(&d, t.z, t.n, pErr);
    if (rc < 0) goto out;
    rc = doc_fields(&d, pErr);
    if (rc) goto out;
    if (d.nField == 0) {
        rc = imp_err_set(pErr, KBS_EPARSE, 0, "empty input");
        goto out;
    }
    aRun = malloc(d.nField * sizeof *aRun);
    if (!aRun) {
        rc = imp_err_set(pErr, KBS_ENOMEM, 0, "out of memory");
        goto out;
    }
    for (i = 0; i < d.nField; i++)
        if (field_is_version(&d, i)) aRun[nRun++] = i;
    if (!nRun) {
        /* the OS version is the third field: say where it should have been */
        size_t iAt = d.nField > 2 ? 2 : d.nField - 1;
        rc = imp_err_set(pErr, KBS_EPARSE, fline(&d, iAt)->line,
                         "no OS version (\"OS Version: 10.0.19045 N/A Build 19045\") in this "
                         "systeminfo output: expected near this line, after the OS name");
        goto out;
    }
    aSnap = calloc(nRun, sizeof *aSnap);
    if (!aSnap) {
        rc = imp_err_set(pErr, KBS_ENOMEM, 0, "out of memory");
        goto out;
    }
    for (k = 0; k < nRun; k++) {
        /* a run ends where the next one's Host Name (two fields above its version) starts */
        size_t e = k + 1 < nRun ? aRun[k + 1] : d.nField;
        if (k + 1 < nRun) e = e >= aRun[k] + 3 ? e - 2 : aRun[k] + 1;
        rc = read_run(&d, aRun[k], e, &aSnap[k], pErr);
        if (rc) {
            imp_free_snaps(aSnap, k + 1);
            aSnap = NULL;
            goto out;
        }
    }
    *paSnap = aSnap;
    *pnSnap = nRun;
    rc = KBS_OK;
out:
    free(aRun);
    free(d.aLine);
    free(d.aField);
    imp_text_release(&t);
    return rc;
}

int imp_systeminfo_parse(const char *zIn, size_t nIn, snap_t *s, imp_err_t *pErr)
{
    snap_t *aSnap = NULL;
    size_t nSnap = 0, i;
    int rc = imp_systeminfo_parse_all(zIn, nIn, &aSnap, &nSnap, pErr);
    snap_init(s);
    if (rc) return rc;
    *s = aSnap[0];
    for (i = 1; i < nSnap; i++)
        snap_release(&aSnap[i]);
    free(aSnap);
    return KBS_OK;
}
