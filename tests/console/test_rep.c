/* test_rep.c: the report renderers on hostile input: escaping, CSV formula defusing, valid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../t_tmpfile.h"
#include "kbs_err.h"
#include "rep.h"
#include "rep_int.h"

#define NOW  1494806400LL /* 2017-05-15T00:00:00Z */
#define DAY  86400LL
#define FFFD "\xEF\xBF\xBD"

/* ---- the fixture: six hosts, each carrying something a renderer could get wrong ---- */

typedef struct fix {
    cat_rule_t aRule[2];
    cat_rule_t extra; /* a rule outside the catalog */
    cat_t cat;
    rep_verdict_t aV[6][2];
    rep_host_t aHost[6];
    rep_t r;
} fix_t;

static void fix_verdict(rep_verdict_t *v, const cat_rule_t *rule, verdict_status_t st,
                        const char *zEv, const char *zAct)
{
    v->rule = rule;
    v->status = st;
    v->zEvidence = zEv;
    v->zAction = zAct;
}

static fix_t *fix_new(void)
{
    fix_t *f = calloc(1, sizeof *f);
    rep_host_t *h;
    assert_non_null(f);
    strcpy(f->aRule[0].zId, "MS17-010");
    strcpy(f->aRule[0].zTitle, "SMBv1 \"EternalBlue\" <WannaCry>");
    strcpy(f->aRule[1].zId, "CVE-2019-0708");
    strcpy(f->aRule[1].zTitle, "RDP BlueKeep");
    strcpy(f->extra.zId, "X-EXTRA");
    f->cat.aRule = f->aRule;
    f->cat.nRule = 2;
    strcpy(f->cat.zSource, "built-in");
    strcpy(f->cat.zHash, "0011223344556677");

    h = &f->aHost[0];
    h->zHost = "PC-0001";
    h->zDomain = "POLICE";
    h->zMachineId = "7d1c0f1e-2a3b-4c5d-8e9f-001122334455";
    h->zOsName = "Windows XP SP3 x86";
    h->zOsFamily = "xp";
    h->zOsDetail = "Microsoft Windows XP Professional 5.1.2600 SP3 x86";
    h->zOrigin = "agent";
    h->zSourcePath = "\\\\fs01\\drop\\PC-0001.kbs";
    h->scanTime = NOW - 3 * DAY - 3600;
    h->nHotfix = 213;
    fix_verdict(&f->aV[0][0], &f->aRule[0], VERDICT_MISSING,
                "KB4012598 not listed; srv.sys 5.1.2600.5512 < 5.1.2600.7208", "install KB4012598");
    fix_verdict(&f->aV[0][1], &f->aRule[1], VERDICT_PATCHED, "KB4500331 listed", "");

    h = &f->aHost[1];
    h->zHost = "<script>alert(1)</script>";
    h->zDomain = "\"quote\" & <b>";
    h->zOsName = "Windows 8.1 x64";
    h->zOsFamily = "8.1";
    h->scanTime = NOW - DAY;
    fix_verdict(&f->aV[1][0], &f->aRule[0], VERDICT_PATCHED, "KB4012213 listed", NULL);
    fix_verdict(&f->aV[1][1], &f->aRule[1], VERDICT_NOT_AFFECTED, "no RDP flaw in 8.1", NULL);

    h = &f->aHost[2];
    h->zHost = "=cmd|' /C calc'!A0";
    h->zMachineId = "+1+2";
    h->zOsName = "-2";
    h->zOsFamily = "xp";
    h->scanTime = NOW - 90 * DAY;
    h->stale = 1;
    fix_verdict(&f->aV[2][0], &f->aRule[0], VERDICT_UNPATCHABLE, "@SUM(A1)", "");
    fix_verdict(&f->aV[2][1], &f->aRule[1], VERDICT_MISSING, "KB4500331 not listed",
                "\tinstall KB4500331");

    h = &f->aHost[3];
    h->zHost = "line1\nline2\r\"q\"";
    h->zOsName = "Windows XP SP3 x86";
    h->zOsFamily = "xp";
    h->scanTime = NOW - 2 * DAY;
    fix_verdict(&f->aV[3][0], &f->aRule[0], VERDICT_UNKNOWN, "  =HYPERLINK(\"x\")",
                "reboot pending: restart to finish KB4012598");
    fix_verdict(&f->aV[3][1], &f->aRule[1], VERDICT_UNKNOWN, "hotfix list cut short", NULL);

    h = &f->aHost[4]; /* valid non-ASCII, a terminal escape, no scan time, no verdicts */
    h->zHost = "m\xC3\xBCller-\xCE\xA9";
    h->zDomain = "\x1b[31mred\x1b[0m";

    h = &f->aHost[5]; /* invalid UTF-8, a status out of range, a rule outside the catalog */
    h->zHost = "bad\xFF\xFE\xC0\xAF"
               "end";
    h->zOsFamily = "8.1";
    h->scanTime = NOW - 5 * DAY;
    fix_verdict(&f->aV[5][0], &f->extra, (verdict_status_t)77, "odd\xE2\x82", NULL);

    for (size_t i = 0; i < 6; i++) {
        f->aHost[i].aVerdict = f->aV[i];
        f->aHost[i].nVerdict = i == 4 ? 0 : i == 5 ? 1 : 2;
    }
    f->r.cat = &f->cat;
    f->r.aHost = f->aHost;
    f->r.nHost = 6;
    f->r.now = NOW;
    f->r.staleDays = 30;
    f->r.zTitle = "Fleet <report>";
    return f;
}

/* ---- helpers ---- */

/* Renders into a malloc'd NUL-terminated buffer (the output itself never contains NUL). */
static char *render(const rep_t *r, const rep_host_t *h, rep_format_t fmt, size_t *pn)
{
    FILE *f = t_tmpfile();
    long n;
    char *z;
    assert_non_null(f);
    assert_int_equal(h ? rep_render_check(r, h, fmt, f) : rep_render(r, fmt, f), KBS_OK);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    z = malloc((size_t)n + 1);
    assert_non_null(z);
    assert_int_equal(fread(z, 1, (size_t)n, f), (size_t)n);
    z[n] = 0;
    fclose(f);
    assert_int_equal(strlen(z), (size_t)n);
    if (pn) *pn = (size_t)n;
    return z;
}

/* An independent UTF-8 check (RFC 3629): no overlongs, surrogates or values past U+10FFFF. */
static int utf8_valid(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i], need, k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            need = 1, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0)
            need = 2, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0)
            need = 3, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        for (k = 1; k <= need; k++) {
            if (i + k >= n || (p[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += need + 1;
    }
    return 1;
}

static char *xstrdup(const char *z)
{
    char *d = malloc(strlen(z) + 1);
    assert_non_null(d);
    return strcpy(d, z);
}

/* ---- a small strict JSON parser (RFC 8259), enough to check structure and strings ---- */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };
typedef struct jv {
    int type;
    char *z; /* J_STR: decoded UTF-8; J_BOOL: "true"/"false" */
    struct jv *a;
    char **azKey; /* J_OBJ */
    size_t n;
} jv_t;

typedef struct jp {
    const char *p, *end;
} jp_t;

static void jp_ws(jp_t *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
        j->p++;
}

static int jp_hex4(jp_t *j, uint32_t *pv)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++, j->p++) {
        char c = j->p < j->end ? *j->p : 0;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return 0;
    }
    *pv = v;
    return 1;
}

static int jp_string(jp_t *j, char **pz)
{
    char *z = malloc((size_t)(j->end - j->p) * 2 + 8), *w = z;
    const char *start;
    if (!z || j->p >= j->end || *j->p != '"') goto bad;
    start = ++j->p;
    while (j->p < j->end && *j->p != '"') {
        unsigned char c = (unsigned char)*j->p;
        if (c < 0x20) goto bad; /* raw control character */
        if (c != '\\') {
            *w++ = *j->p++;
            continue;
        }
        if (++j->p >= j->end) goto bad;
        c = (unsigned char)*j->p++;
        switch (c) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '/': *w++ = '/'; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (!jp_hex4(j, &cp)) goto bad;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u') goto bad;
                j->p += 2;
                if (!jp_hex4(j, &lo) || lo < 0xDC00 || lo > 0xDFFF) goto bad;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                goto bad;
            }
            if (cp < 0x80)
                *w++ = (char)cp;
            else if (cp < 0x800)
                *w++ = (char)(0xC0 | cp >> 6), *w++ = (char)(0x80 | (cp & 63));
            else if (cp < 0x10000)
                *w++ = (char)(0xE0 | cp >> 12), *w++ = (char)(0x80 | ((cp >> 6) & 63)),
                *w++ = (char)(0x80 | (cp & 63));
            else
                *w++ = (char)(0xF0 | cp >> 18), *w++ = (char)(0x80 | ((cp >> 12) & 63)),
                *w++ = (char)(0x80 | ((cp >> 6) & 63)), *w++ = (char)(0x80 | (cp & 63));
            break;
        }
        default: goto bad;
        }
    }
    if (j->p >= j->end) goto bad;
    if (!utf8_valid((const unsigned char *)start, (size_t)(j->p - start))) goto bad;
    j->p++;
    *w = 0;
    *pz = z;
    return 1;
bad:
    free(z);
    return 0;
}

static int jp_value(jp_t *j, jv_t *v, int depth);

static int jp_push(jv_t *v, jv_t *item, char *zKey)
{
    v->a = realloc(v->a, (v->n + 1) * sizeof *v->a);
    assert_non_null(v->a);
    if (v->type == J_OBJ) {
        v->azKey = realloc(v->azKey, (v->n + 1) * sizeof *v->azKey);
        assert_non_null(v->azKey);
        v->azKey[v->n] = zKey;
    }
    v->a[v->n++] = *item;
    return 1;
}

static void jv_free(jv_t *v)
{
    for (size_t i = 0; i < v->n; i++) {
        jv_free(&v->a[i]);
        if (v->azKey) free(v->azKey[i]);
    }
    free(v->a);
    free(v->azKey);
    free(v->z);
    memset(v, 0, sizeof *v);
}

static int jp_lit(jp_t *j, const char *zLit)
{
    size_t n = strlen(zLit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, zLit, n)) return 0;
    j->p += n;
    return 1;
}

static int jp_value(jp_t *j, jv_t *v, int depth)
{
    memset(v, 0, sizeof *v);
    if (depth > 32) return 0;
    jp_ws(j);
    if (j->p >= j->end) return 0;
    switch (*j->p) {
    case '"': v->type = J_STR; return jp_string(j, &v->z);
    case 'n': v->type = J_NULL; return jp_lit(j, "null");
    case 't':
        v->type = J_BOOL;
        v->z = xstrdup("true");
        return jp_lit(j, "true");
    case 'f':
        v->type = J_BOOL;
        v->z = xstrdup("false");
        return jp_lit(j, "false");
    case '[':
    case '{': {
        int obj = *j->p == '{';
        char close = obj ? '}' : ']';
        v->type = obj ? J_OBJ : J_ARR;
        j->p++;
        jp_ws(j);
        if (j->p < j->end && *j->p == close) {
            j->p++;
            return 1;
        }
        for (;;) {
            jv_t item;
            char *zKey = NULL;
            if (obj) {
                jp_ws(j);
                if (!jp_string(j, &zKey)) return 0;
                jp_ws(j);
                if (j->p >= j->end || *j->p++ != ':') {
                    free(zKey);
                    return 0;
                }
            }
            if (!jp_value(j, &item, depth + 1)) {
                free(zKey);
                jv_free(&item);
                return 0;
            }
            jp_push(v, &item, zKey);
            jp_ws(j);
            if (j->p < j->end && *j->p == ',') {
                j->p++;
                continue;
            }
            if (j->p < j->end && *j->p == close) {
                j->p++;
                return 1;
            }
            return 0;
        }
    }
    default: {
        const char *s = j->p;
        v->type = J_NUM;
        if (j->p < j->end && *j->p == '-') j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9') return 0;
        if (*j->p == '0')
            j->p++;
        else
            while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
                j->p++;
        if (j->p < j->end && *j->p == '.') {
            j->p++;
            if (j->p >= j->end || *j->p < '0' || *j->p > '9') return 0;
            while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
                j->p++;
        }
        v->z = malloc((size_t)(j->p - s) + 1);
        memcpy(v->z, s, (size_t)(j->p - s));
        v->z[j->p - s] = 0;
        return 1;
    }
    }
}

/* Parses the whole text (nothing but whitespace after the value) or fails the test. */
static void json_parse(const char *z, size_t n, jv_t *v)
{
    jp_t j = {z, z + n};
    int ok = jp_value(&j, v, 0);
    jp_ws(&j);
    if (!ok || j.p != j.end) {
        print_error("invalid JSON at offset %ld: %.60s\n", (long)(j.p - z), j.p);
        jv_free(v);
        fail();
    }
}

static const jv_t *jget(const jv_t *v, const char *zKey)
{
    assert_int_equal(v->type, J_OBJ);
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->azKey[i], zKey)) return &v->a[i];
    print_error("key \"%s\" missing\n", zKey);
    fail();
    return NULL;
}

static const char *jstr(const jv_t *v, const char *zKey)
{
    const jv_t *x = jget(v, zKey);
    assert_int_equal(x->type, J_STR);
    return x->z;
}

/* ---- a strict RFC 4180 CSV reader ---- */

typedef struct csv {
    char ***aaRow;
    size_t *anField;
    size_t nRow;
} csv_t;

static void csv_parse(const char *z, csv_t *c)
{
    const char *p = z;
    char *field = malloc(strlen(z) + 1);
    char **aField = NULL;
    size_t nField = 0, nf = 0;
    assert_non_null(field);
    memset(c, 0, sizeof *c);
    while (*p) {
        int quoted = *p == '"';
        nf = 0;
        if (quoted) {
            for (p++;; p++) {
                assert_true(*p != 0); /* unterminated quote */
                if (*p == '"') {
                    if (p[1] == '"') {
                        field[nf++] = '"';
                        p++;
                        continue;
                    }
                    p++;
                    break;
                }
                field[nf++] = *p;
            }
        } else {
            while (*p && *p != ',' && *p != '\r' && *p != '\n') {
                assert_true(*p != '"'); /* a quote inside an unquoted field */
                field[nf++] = *p++;
            }
        }
        field[nf] = 0;
        aField = realloc(aField, (nField + 1) * sizeof *aField);
        aField[nField++] = xstrdup(field);
        if (*p == ',') {
            p++;
            continue;
        }
        /* every record ends in CRLF; a bare CR or LF is an error */
        assert_true(p[0] == '\r' && p[1] == '\n');
        p += 2;
        c->aaRow = realloc(c->aaRow, (c->nRow + 1) * sizeof *c->aaRow);
        c->anField = realloc(c->anField, (c->nRow + 1) * sizeof *c->anField);
        c->aaRow[c->nRow] = aField;
        c->anField[c->nRow++] = nField;
        aField = NULL;
        nField = 0;
    }
    assert_int_equal(nField, 0); /* the last record ends in CRLF too */
    free(field);
}

static void csv_free(csv_t *c)
{
    for (size_t i = 0; i < c->nRow; i++) {
        for (size_t k = 0; k < c->anField[i]; k++)
            free(c->aaRow[i][k]);
        free(c->aaRow[i]);
    }
    free(c->aaRow);
    free(c->anField);
}

/* Fails with the whole text shown when zNeedle is not in z. */
static void assert_has(const char *z, const char *zNeedle)
{
    if (strstr(z, zNeedle)) return;
    print_error("not found: \"%s\"\nin:\n%s\n", zNeedle, z);
    fail();
}

/* ---- tests ---- */

static void test_format_names(void **state)
{
    (void)state;
    assert_int_equal(rep_format_from_name("table"), REP_FMT_TABLE);
    assert_int_equal(rep_format_from_name("csv"), REP_FMT_CSV);
    assert_int_equal(rep_format_from_name("json"), REP_FMT_JSON);
    assert_int_equal(rep_format_from_name("html"), REP_FMT_HTML);
    assert_int_equal(rep_format_from_name("HTML"), -1);
    assert_int_equal(rep_format_from_name("xml"), -1);
    assert_int_equal(rep_format_from_name(""), -1);
    assert_int_equal(rep_format_from_name(NULL), -1);
}

static void test_iso_time(void **state)
{
    char z[24];
    (void)state;
    assert_int_equal(rep_iso_time(NOW, z), 20);
    assert_string_equal(z, "2017-05-15T00:00:00Z");
    rep_iso_time(951782400, z);
    assert_string_equal(z, "2000-02-29T00:00:00Z");
    rep_iso_time(-1, z);
    assert_string_equal(z, "1969-12-31T23:59:59Z");
    rep_iso_time(253402300799LL, z);
    assert_string_equal(z, "9999-12-31T23:59:59Z");
    assert_int_equal(rep_iso_time(253402300800LL, z), 0);
    assert_string_equal(z, "");
    assert_int_equal(rep_iso_time(0, z), 0); /* 0 means unknown */
    assert_string_equal(z, "");
}

static void test_utf8_next(void **state)
{
    uint32_t cp;
    (void)state;
    assert_int_equal(rep_utf8_next((const unsigned char *)"\xC3\xBC", 2, &cp), 2);
    assert_int_equal(cp, 0xFC);
    assert_int_equal(rep_utf8_next((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(rep_utf8_next((const unsigned char *)"\xC0\xAF", 2, &cp), 1); /* overlong */
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(rep_utf8_next((const unsigned char *)"\xED\xA0\x80", 3, &cp), 1);
    assert_int_equal(cp, 0xFFFD); /* surrogate */
    assert_int_equal(rep_utf8_next((const unsigned char *)"\xF4\x90\x80\x80", 4, &cp), 1);
    assert_int_equal(cp, 0xFFFD); /* past U+10FFFF */
    assert_int_equal(rep_utf8_next((const unsigned char *)"\xE2\x82x", 3, &cp), 2);
    assert_int_equal(cp, 0xFFFD); /* cut short: the valid prefix is one error */
    assert_int_equal(rep_utf8_next((const unsigned char *)"\xE2\x82", 2, &cp), 2);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(rep_utf8_next((const unsigned char *)"\x80", 1, &cp), 1);
    assert_int_equal(cp, 0xFFFD);
}

static void test_json_report(void **state)
{
    fix_t *f = fix_new();
    size_t n, i;
    char *z = render(&f->r, NULL, REP_FMT_JSON, &n);
    jv_t root;
    const jv_t *hosts, *h, *rules, *sum;
    (void)state;

    assert_true(utf8_valid((const unsigned char *)z, n));
    json_parse(z, n, &root);
    hosts = jget(&root, "hosts");
    assert_int_equal(hosts->type, J_ARR);
    assert_int_equal(hosts->n, 6);
    for (i = 0; i < hosts->n; i++) {
        const jv_t *ls = jget(&hosts->a[i], "last_scan");
        jstr(&hosts->a[i], "os");
        rules = jget(&hosts->a[i], "rules");
        assert_int_equal(rules->type, J_ARR);
        assert_int_equal(rules->n, f->aHost[i].nVerdict);
        for (size_t k = 0; k < rules->n; k++) {
            const char *zV = jstr(&rules->a[k], "verdict");
            assert_true(!strcmp(zV, "patched") || !strcmp(zV, "missing") ||
                        !strcmp(zV, "unpatchable") || !strcmp(zV, "not-affected") ||
                        !strcmp(zV, "unknown"));
            jstr(&rules->a[k], "id");
            jstr(&rules->a[k], "evidence");
        }
        assert_int_equal(ls->type, f->aHost[i].scanTime ? J_STR : J_NULL);
    }
    /* Valid strings come back exactly, controls included; invalid bytes as U+FFFD. */
    for (i = 0; i < 4; i++)
        assert_string_equal(jstr(&hosts->a[i], "host"), f->aHost[i].zHost);
    assert_string_equal(jstr(&hosts->a[4], "host"), "m\xC3\xBCller-\xCE\xA9");
    assert_string_equal(jstr(&hosts->a[4], "domain"), "\x1b[31mred\x1b[0m");
    assert_string_equal(jstr(&hosts->a[5], "host"), "bad" FFFD FFFD FFFD FFFD "end");
    assert_string_equal(jstr(&hosts->a[1], "domain"), "\"quote\" & <b>");
    h = &hosts->a[0];
    assert_string_equal(jstr(h, "last_scan"), "2017-05-11T23:00:00Z");
    assert_string_equal(jstr(h, "os"), "Windows XP SP3 x86");
    rules = jget(h, "rules");
    assert_string_equal(jstr(&rules->a[0], "id"), "MS17-010");
    assert_string_equal(jstr(&rules->a[0], "verdict"), "missing");
    assert_string_equal(jstr(&rules->a[0], "action"), "install KB4012598");
    assert_string_equal(jstr(&rules->a[0], "title"), "SMBv1 \"EternalBlue\" <WannaCry>");
    assert_string_equal(jstr(&hosts->a[4], "os"), "Unknown OS");
    assert_string_equal(jstr(&jget(&hosts->a[5], "rules")->a[0], "verdict"), "unknown");
    assert_string_equal(jstr(&jget(&hosts->a[5], "rules")->a[0], "evidence"), "odd" FFFD);
    assert_string_equal(jstr(&jget(&hosts->a[5], "rules")->a[0], "id"), "X-EXTRA");
    assert_string_equal(jget(&hosts->a[2], "stale")->z, "true");
    assert_string_equal(jget(&hosts->a[0], "age_days")->z, "3");
    /* The raw control characters never reach the text. */
    assert_null(strchr(z, '\x1b'));
    assert_null(strchr(z, '\r'));

    sum = jget(&root, "summary");
    assert_string_equal(jget(sum, "hosts")->z, "6");
    assert_string_equal(jget(sum, "stale")->z, "1");
    assert_string_equal(jget(jget(sum, "worst"), "missing")->z, "2");
    assert_int_equal(jget(sum, "by_family")->n, 3); /* 8.1, unknown, xp */
    assert_string_equal(jstr(&jget(sum, "by_family")->a[1], "family"), "unknown");
    assert_int_equal(jget(sum, "by_rule")->n, 3);
    assert_string_equal(jstr(&jget(sum, "by_rule")->a[2], "id"), "X-EXTRA");
    assert_string_equal(jstr(&root, "generated"), "2017-05-15T00:00:00Z");
    jv_free(&root);
    free(z);
    free(f);
}

static void test_json_check(void **state)
{
    fix_t *f = fix_new();
    size_t n;
    char *z = render(&f->r, &f->aHost[3], REP_FMT_JSON, &n);
    jv_t root;
    const jv_t *rules;
    (void)state;
    json_parse(z, n, &root);
    assert_string_equal(jstr(&root, "host"), "line1\nline2\r\"q\"");
    assert_string_equal(jstr(&root, "os"), "Windows XP SP3 x86");
    assert_string_equal(jstr(&root, "last_scan"), "2017-05-13T00:00:00Z");
    rules = jget(&root, "rules");
    assert_int_equal(rules->n, 2);
    assert_string_equal(jstr(&rules->a[0], "evidence"), "  =HYPERLINK(\"x\")");
    assert_string_equal(jstr(&rules->a[0], "action"),
                        "reboot pending: restart to finish KB4012598");
    jv_free(&root);
    free(z);

    /* No scan time: null, and no verdicts: an empty list. */
    z = render(&f->r, &f->aHost[4], REP_FMT_JSON, &n);
    json_parse(z, n, &root);
    assert_int_equal(jget(&root, "last_scan")->type, J_NULL);
    assert_int_equal(jget(&root, "rules")->type, J_ARR);
    assert_int_equal(jget(&root, "rules")->n, 0);
    jv_free(&root);
    free(z);
    free(f);
}

/* The first character a spreadsheet sees, past leading blanks, may not start a formula. */
static void assert_defused(const char *zCell)
{
    const char *p = zCell;
    if (*p == '\'') return;
    while (*p == ' ')
        p++;
    if (*p && strchr("=+-@\t\r", *p)) {
        print_error("cell starts a formula: \"%s\"\n", zCell);
        fail();
    }
}

static void test_csv(void **state)
{
    fix_t *f = fix_new();
    size_t n, i, k;
    char *z = render(&f->r, NULL, REP_FMT_CSV, &n);
    csv_t c;
    (void)state;

    assert_true(utf8_valid((const unsigned char *)z, n));
    assert_memory_equal(z, "\xEF\xBB\xBF", 3);
    csv_parse(z + 3, &c);
    assert_int_equal(c.nRow, 1 + 2 + 2 + 2 + 2 + 1 + 1);
    assert_string_equal(c.aaRow[0][0], "host");
    assert_string_equal(c.aaRow[0][10], "action");
    for (i = 0; i < c.nRow; i++) {
        assert_int_equal(c.anField[i], 11);
        for (k = 0; k < 11; k++)
            assert_defused(c.aaRow[i][k]);
    }
    /* row 1: PC-0001 x MS17-010 */
    assert_string_equal(c.aaRow[1][0], "PC-0001");
    assert_string_equal(c.aaRow[1][5], "2017-05-11T23:00:00Z");
    assert_string_equal(c.aaRow[1][6], "no");
    assert_string_equal(c.aaRow[1][7], "MS17-010");
    assert_string_equal(c.aaRow[1][8], "missing");
    assert_string_equal(c.aaRow[1][10], "install KB4012598");
    assert_string_equal(c.aaRow[3][0], "<script>alert(1)</script>");
    assert_string_equal(c.aaRow[3][1], "\"quote\" & <b>");
    /* formulas planted in every kind of field are shown as text */
    assert_string_equal(c.aaRow[5][0], "'=cmd|' /C calc'!A0");
    assert_string_equal(c.aaRow[5][2], "'+1+2");
    assert_string_equal(c.aaRow[5][3], "'-2");
    assert_string_equal(c.aaRow[5][6], "yes");
    assert_string_equal(c.aaRow[5][8], "unpatchable");
    assert_string_equal(c.aaRow[5][9], "'@SUM(A1)");
    assert_string_equal(c.aaRow[5][10], "upgrade needed: no fix exists for this OS version");
    assert_string_equal(c.aaRow[6][10], "'\tinstall KB4500331");
    assert_string_equal(c.aaRow[7][0], "line1\nline2\r\"q\"");
    assert_string_equal(c.aaRow[7][9], "'  =HYPERLINK(\"x\")");
    /* a host without verdicts keeps one row; its terminal escape is neutralised */
    assert_string_equal(c.aaRow[9][0], "m\xC3\xBCller-\xCE\xA9");
    assert_string_equal(c.aaRow[9][1], FFFD "[31mred" FFFD "[0m");
    assert_string_equal(c.aaRow[9][4], "unknown");
    assert_string_equal(c.aaRow[9][5], "");
    assert_string_equal(c.aaRow[9][7], "");
    assert_string_equal(c.aaRow[10][0], "bad" FFFD FFFD FFFD FFFD "end");
    assert_string_equal(c.aaRow[10][7], "X-EXTRA");
    assert_string_equal(c.aaRow[10][8], "unknown");
    csv_free(&c);
    free(z);
    free(f);
}

/* Tags outside <script>/<style> must be the report's own: none can come from the data. */
static void assert_html_tags(const char *z)
{
    static const char *const azOk[] = {
        "html",  "head",   "meta",   "title", "style", "body", "script",   "div",    "h1",   "h2",
        "p",     "table",  "thead",  "tbody", "tr",    "th",   "td",       "svg",    "text", "rect",
        "input", "select", "option", "label", "span",  "b",    "noscript", "button", "h3",
        "path",  "polyline", NULL,
    };
    const char *p = z;
    int nScript = 0;
    while ((p = strchr(p, '<')) != NULL) {
        char zName[16];
        size_t n = 0;
        const char *q = p + 1;
        if (*q == '!') { /* doctype or conditional comment */
            p = q;
            continue;
        }
        if (*q == '/') q++;
        while (n < sizeof zName - 1 && ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9')))
            zName[n++] = *q++;
        zName[n] = 0;
        if (*q != '>' && *q != ' ' && *q != '/') {
            print_error("stray '<' in the HTML: %.40s\n", p);
            fail();
        }
        for (n = 0; azOk[n] && strcmp(azOk[n], zName); n++) {
        }
        if (!azOk[n]) {
            print_error("unexpected tag <%s> in the HTML\n", zName);
            fail();
        }
        if (p[1] != '/' && (!strcmp(zName, "script") || !strcmp(zName, "style"))) {
            const char *zEnd = strstr(q, !strcmp(zName, "script") ? "</script>" : "</style>");
            assert_non_null(zEnd);
            nScript += zName[1] == 'c';
            p = zEnd;
            continue;
        }
        p = q;
    }
    assert_int_equal(nScript, 2); /* the error catcher and the table script */
}

static void test_html(void **state)
{
    fix_t *f = fix_new();
    size_t n, i;
    char *z = render(&f->r, NULL, REP_FMT_HTML, &n);
    (void)state;

    assert_true(utf8_valid((const unsigned char *)z, n));
    assert_has(z, "<meta charset=\"utf-8\">");
    assert_html_tags(z);
    assert_null(strstr(z, "<script>alert"));
    assert_has(z, "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>");
    assert_has(z, "<td>&quot;quote&quot; &amp; &lt;b&gt;</td>");
    assert_has(z, "<td>=cmd|&#39; /C calc&#39;!A0</td>");
    assert_has(z, "<td>line1 line2 &quot;q&quot;</td>");
    assert_has(z, "<td>m\xC3\xBCller-\xCE\xA9</td>");
    assert_has(z, "<td>bad" FFFD FFFD FFFD FFFD "end</td>");
    assert_has(z, "<td class=\"t\">SMBv1 &quot;EternalBlue&quot; &lt;WannaCry&gt;</td>");
    assert_has(z, "<title>Fleet &lt;report&gt;</title>");
    assert_has(z, "<tr class=\"st\" data-v=\"");
    assert_has(z, "\"><td>=cmd");
    assert_has(z, "<svg");
    /* evidence and action are text on the page (printed), not a tooltip */
    assert_has(z, "missing</b> <span class=\"ev\">KB4012598 not listed; srv.sys 5.1.2600.5512 &lt; "
                  "5.1.2600.7208</span> &rarr; <span class=\"ac\">install KB4012598</span>");
    assert_null(strstr(z, "&#10;action:"));
    /* the "what to do" table: action x OS x hosts */
    assert_has(z, "<h2>What to do</h2>");
    assert_has(z, "<tr><td>install KB4012598</td><td>");
    /* self-contained: nothing to fetch */
    assert_null(strstr(z, "http:"));
    assert_null(strstr(z, "https:"));
    assert_null(strstr(z, "src="));
    assert_null(strstr(z, "href="));
    assert_null(strstr(z, "url("));
    for (i = 0; i < n; i++)
        assert_true((unsigned char)z[i] >= 0x20 || z[i] == '\n');
    free(z);
    free(f);
}

/* Display column (code points; the fixture has no wide characters) of byte offset off. */
static size_t col_of(const char *zLine, size_t off)
{
    size_t c = 0;
    for (size_t i = 0; i < off; i++)
        c += ((unsigned char)zLine[i] & 0xC0) != 0x80;
    return c;
}

/* Byte offset of display column col in zLine. */
static size_t off_of(const char *zLine, size_t col)
{
    size_t i = 0, c = 0;
    while (zLine[i] && zLine[i] != '\n' && c < col) {
        i++;
        while (((unsigned char)zLine[i] & 0xC0) == 0x80)
            i++;
        c++;
    }
    return i;
}

/* The summary line starting with zStart (after "By OS family") holds these numbers; -1 ends. */
static void assert_counts(const char *z, const char *zStart, long a, long b, long c, long d, long e,
                          long f, long g, long h)
{
    const long aWant[8] = {a, b, c, d, e, f, g, h};
    const char *p = strstr(z, "By OS family");
    char *zEnd;
    int i;
    assert_non_null(p);
    p = strstr(p, zStart);
    assert_non_null(p);
    p += strlen(zStart);
    for (i = 0; i < 8 && aWant[i] >= 0; i++) {
        long v = strtol(p, &zEnd, 10);
        if (zEnd == p || v != aWant[i]) {
            print_error("%s: number %d is %ld, expected %ld\n", zStart + 1, i, v, aWant[i]);
            fail();
        }
        p = zEnd;
    }
    while (*p == ' ')
        p++;
    assert_int_equal(*p, '\n');
}

static void test_table(void **state)
{
    fix_t *f = fix_new();
    size_t n, i, colRule;
    char *z = render(&f->r, NULL, REP_FMT_TABLE, &n), *zHead, *p;
    (void)state;

    assert_true(utf8_valid((const unsigned char *)z, n));
    for (i = 0; i < n; i++)
        assert_true((unsigned char)z[i] >= 0x20 || z[i] == '\n');
    assert_has(z, "6 hosts, 3 rules, 1 stale (not seen for more than 30 days)");
    zHead = strstr(z, "\nHOST ");
    assert_non_null(zHead);
    zHead++;
    colRule = col_of(zHead, (size_t)(strstr(zHead, "MS17-010") - zHead));
    /* one line per host, the verdicts in the rule's column */
    p = strchr(zHead, '\n') + 1;
    for (i = 0; i < 6; i++) {
        const char *zCell = p + off_of(p, colRule), *zEol = strchr(p, '\n');
        assert_non_null(zEol);
        assert_true(!strncmp(zCell, "missing", 7) || !strncmp(zCell, "patched", 7) ||
                    !strncmp(zCell, "unpatchable", 11) || !strncmp(zCell, "unknown", 7) ||
                    !strncmp(zCell, "-", 1));
        assert_int_equal(strstr(p, "STALE") != NULL && strstr(p, "STALE") < zEol, i == 2);
        p = (char *)zEol + 1;
    }
    assert_int_equal(*p, '\n'); /* and then the summary */
    assert_has(z, "m\xC3\xBCller-\xCE\xA9");
    assert_has(z, "never");
    assert_has(z, "line1" FFFD "line2" FFFD "\"q\"");
    /* hosts, stale, by worst: missing unpatchable unknown mitigated patched not-affected */
    assert_counts(z, "\nxp ", 3, 1, 2, 0, 1, 0, 0, 0);
    assert_counts(z, "\nunknown ", 1, 0, 0, 0, 1, 0, 0, 0);
    assert_counts(z, "\nall ", 6, 1, 2, 0, 3, 0, 1, 0);
    assert_counts(z, "\nMS17-010 ", 4, 1, 1, 1, 0, 1, 0, -1); /* hosts, then by verdict */
    free(z);

    /* One rule (report --rule): evidence and action on the row; long names cut. */
    f->aHost[0].nVerdict = 1;
    f->aHost[0].zHost = "a-very-long-host-name-that-goes-on-and-on-past-forty-columns.example";
    f->r.nHost = 1;
    z = render(&f->r, NULL, REP_FMT_TABLE, &n);
    assert_has(z, "EVIDENCE / ACTION");
    assert_has(z, "missing       KB4012598 not listed; srv.sys 5.1.2600.5512 < "
                  "5.1.2600.7208 -> install KB4012598\n");
    assert_has(z, "\na-very-long-host-name-that-goes-on-and-~  xp");
    free(z);
    free(f);
}

static void test_check_text(void **state)
{
    fix_t *f = fix_new();
    char *z;
    (void)state;

    z = render(&f->r, &f->aHost[2], REP_FMT_TABLE, NULL);
    assert_has(z, "Host        =cmd|' /C calc'!A0\n");
    assert_has(z, "STALE: not seen for more than 30 days");
    assert_has(z, "90 days ago");
    assert_has(z, "UNPATCHABLE");
    assert_has(z, "action:   upgrade needed: no fix exists for this OS version");
    assert_has(z, "Result: ACTION NEEDED (1 missing, 1 unpatchable)");
    free(z);

    z = render(&f->r, &f->aHost[1], REP_FMT_TABLE, NULL);
    assert_has(z, "Result: COMPLIANT\n");
    assert_has(z, "Domain      \"quote\" & <b>\n");
    free(z);

    z = render(&f->r, &f->aHost[4], REP_FMT_TABLE, NULL);
    assert_has(z, "Last scan   scan date unknown\n");
    assert_has(z, "Domain      " FFFD "[31mred" FFFD "[0m\n");
    assert_has(z, "No rule applies");
    assert_null(strchr(z, '\x1b'));
    free(z);

    /* the CSV and HTML of one host are the report formats for that host */
    z = render(&f->r, &f->aHost[1], REP_FMT_CSV, NULL);
    assert_has(z, "<script>alert(1)</script>,");
    assert_null(strstr(z, "PC-0001"));
    free(z);
    z = render(&f->r, &f->aHost[1], REP_FMT_HTML, NULL);
    assert_html_tags(z);
    free(z);
    free(f);
}

/* The helpdesk view's exact text and JSON, kept in tests/data/rep/ as the documented form. */
static void test_check_golden(void **state)
{
    static const char *const azFile[2] = {"check_pc0001.txt", "check_pc0001.json"};
    fix_t *f = fix_new();
    int k;
    (void)state;
    for (k = 0; k < 2; k++) {
        char zPath[512], *zWant, *zGot;
        size_t nWant, nGot;
        FILE *in;
        snprintf(zPath, sizeof zPath, "%s/rep/%s", KBS_TEST_DATA, azFile[k]);
        in = fopen(zPath, "rb");
        assert_non_null(in);
        zWant = malloc(65536);
        nWant = fread(zWant, 1, 65535, in);
        fclose(in);
        zWant[nWant] = 0;
        zGot = render(&f->r, &f->aHost[0], k ? REP_FMT_JSON : REP_FMT_TABLE, &nGot);
        if (strcmp(zWant, zGot)) print_error("%s differs; got:\n%s\n", azFile[k], zGot);
        assert_string_equal(zGot, zWant);
        free(zWant);
        free(zGot);
    }
    free(f);
}

static void test_empty(void **state)
{
    rep_t r;
    size_t n;
    char *z;
    jv_t root;
    csv_t c;
    (void)state;
    memset(&r, 0, sizeof r);
    z = render(&r, NULL, REP_FMT_JSON, &n);
    json_parse(z, n, &root);
    assert_int_equal(jget(&root, "hosts")->n, 0);
    assert_int_equal(jget(&root, "generated")->type, J_NULL);
    assert_int_equal(jget(&root, "catalog")->type, J_NULL);
    jv_free(&root);
    free(z);
    z = render(&r, NULL, REP_FMT_CSV, NULL);
    csv_parse(z + 3, &c);
    assert_int_equal(c.nRow, 1);
    csv_free(&c);
    free(z);
    z = render(&r, NULL, REP_FMT_HTML, NULL);
    assert_html_tags(z);
    free(z);
    z = render(&r, NULL, REP_FMT_TABLE, NULL);
    assert_has(z, "0 hosts, 0 rules");
    free(z);
}

static void test_write_error(void **state)
{
    fix_t *f = fix_new();
    char zPath[512];
    FILE *ro;
    int fmt;
    (void)state;
    snprintf(zPath, sizeof zPath, "%s/test_rep_ro.txt", KBS_TEST_TMP);
    ro = fopen(zPath, "wb");
    assert_non_null(ro);
    fclose(ro);
    for (fmt = REP_FMT_TABLE; fmt <= REP_FMT_HTML; fmt++) {
        ro = fopen(zPath, "rb"); /* writes to a read-only stream fail */
        assert_non_null(ro);
        assert_int_equal(rep_render(&f->r, (rep_format_t)fmt, ro), KBS_EIO);
        fclose(ro);
        ro = fopen(zPath, "rb");
        assert_int_equal(rep_render_check(&f->r, &f->aHost[0], (rep_format_t)fmt, ro), KBS_EIO);
        fclose(ro);
    }
    remove(zPath);
    assert_int_equal(rep_render(&f->r, (rep_format_t)9, stdout), KBS_EINVAL);
    assert_int_equal(rep_render(NULL, REP_FMT_CSV, stdout), KBS_EINVAL);
    free(f);
}

/* Long strings go through every renderer in linear time and come out whole. */
static void test_long_strings(void **state)
{
    fix_t *f = fix_new();
    size_t nBig = 1 << 20, n, i;
    char *zBig = malloc(nBig + 1), *z;
    jv_t root;
    (void)state;
    assert_non_null(zBig);
    for (i = 0; i < nBig; i++)
        zBig[i] = "<\"&\xC3\xA9x"[i % 6];
    zBig[nBig] = 0;
    /* make it end on a complete character */
    zBig[nBig - 1] = 'x';
    zBig[nBig - 2] = 'x';
    f->aHost[0].zHost = zBig;
    f->aV[0][0].zEvidence = zBig;
    z = render(&f->r, NULL, REP_FMT_JSON, &n);
    json_parse(z, n, &root);
    assert_string_equal(jstr(&jget(&root, "hosts")->a[0], "host"), zBig);
    jv_free(&root);
    free(z);
    z = render(&f->r, NULL, REP_FMT_HTML, &n);
    assert_true(n > 2 * nBig);
    assert_html_tags(z);
    free(z);
    z = render(&f->r, NULL, REP_FMT_CSV, &n);
    assert_true(n > 2 * nBig);
    free(z);
    z = render(&f->r, NULL, REP_FMT_TABLE, &n);
    assert_true(n < nBig); /* the table cuts the name; the single-rule detail is not shown */
    free(z);
    free(zBig);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_names), cmocka_unit_test(test_iso_time),
        cmocka_unit_test(test_utf8_next),    cmocka_unit_test(test_json_report),
        cmocka_unit_test(test_json_check),   cmocka_unit_test(test_csv),
        cmocka_unit_test(test_html),         cmocka_unit_test(test_table),
        cmocka_unit_test(test_check_text),   cmocka_unit_test(test_check_golden),
        cmocka_unit_test(test_empty),        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_long_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
