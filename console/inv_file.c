/* inv_file.c: directory exports read into computer accounts: Get-ADComputer | Export-Csv, csvde
 * CSV, ldifde LDIF, dsquery computer output and plain name lists. */
#include "inv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imp_int.h"
#include "kbs_err.h"

#define INV_FIELDS_MAX 256   /* columns of one CSV record (Get-ADComputer -Properties * has ~150) */

/* The attributes read, whatever a column or LDIF line calls them. */
enum inv_attr {
    INV_A_NONE = 0,
    INV_A_NAME,      /* Name, cn, ComputerName */
    INV_A_SAM,       /* sAMAccountName: "PC01$" */
    INV_A_DNS,
    INV_A_DN,
    INV_A_OS,
    INV_A_OSSP,
    INV_A_OSVER,
    INV_A_ENABLED,   /* Get-ADComputer's True / False */
    INV_A_UAC,       /* userAccountControl */
    INV_A_LOGON_FT,  /* lastLogonTimestamp, a FILETIME count */
    INV_A_LOGON,     /* LastLogonDate, a date in the exporting machine's format */
    INV_A_PWD_FT,
    INV_A_PWD,
    INV_A_CREATED,   /* whenCreated (GeneralizedTime in csvde / LDIF, a date in Export-Csv), Created */
    INV_A_CLASS,     /* objectClass */
};

static const struct {
    const char *zName;
    enum inv_attr a;
} inv_aAttr[] = {
    {"name", INV_A_NAME},
    {"cn", INV_A_NAME},
    {"computername", INV_A_NAME},
    {"samaccountname", INV_A_SAM},
    {"dnshostname", INV_A_DNS},
    {"distinguishedname", INV_A_DN},
    {"dn", INV_A_DN},
    {"operatingsystem", INV_A_OS},
    {"operatingsystemservicepack", INV_A_OSSP},
    {"operatingsystemversion", INV_A_OSVER},
    {"enabled", INV_A_ENABLED},
    {"useraccountcontrol", INV_A_UAC},
    {"lastlogontimestamp", INV_A_LOGON_FT},
    {"lastlogondate", INV_A_LOGON},
    {"pwdlastset", INV_A_PWD_FT},
    {"passwordlastset", INV_A_PWD},
    {"whencreated", INV_A_CREATED},
    {"created", INV_A_CREATED},
    {"objectclass", INV_A_CLASS},
};

static enum inv_attr inv_attr_of(const char *z, size_t n)
{
    size_t i;
    /* LDIF options ("cn;lang-de") name the same attribute */
    for (i = 0; i < n; i++)
        if (z[i] == ';') n = i;
    for (i = 0; i < sizeof inv_aAttr / sizeof inv_aAttr[0]; i++)
        if (imp_ci_eq(z, n, inv_aAttr[i].zName)) return inv_aAttr[i].a;
    return INV_A_NONE;
}

const char *inv_kind_name(inv_kind_t k)
{
    switch (k) {
    case INV_KIND_CSV: return "csv";
    case INV_KIND_LDIF: return "ldif";
    default: return "list";
    }
}

/* One account being read. */
typedef struct inv_rec {
    adc_t a;
    char zSam[ADC_NAME_MAX];
    int bClass, bComputer;   /* an objectClass was given; it holds "computer" */
    int enabledUac;          /* from userAccountControl: 1, 0, -1 not given */
} inv_rec_t;

static void inv_rec_init(inv_rec_t *r)
{
    memset(r, 0, sizeof *r);
    r->a.enabled = -1;
    r->enabledUac = -1;
}

static int inv_copy(char *zOut, size_t nOut, const char *z, size_t n, unsigned line,
                    const char *zWhat, imp_err_t *pErr)
{
    if (n >= nOut)
        return imp_err_set(pErr, KBS_ETOOBIG, line, "%s longer than %u bytes", zWhat,
                           (unsigned)nOut - 1);
    memcpy(zOut, z, n);
    zOut[n] = 0;
    return KBS_OK;
}

static int inv_u64(const char *z, size_t n, uint64_t *pV)
{
    uint64_t v = 0;
    size_t i;
    if (!n || n > 19) return KBS_EPARSE;
    for (i = 0; i < n; i++) {
        if (z[i] < '0' || z[i] > '9') return KBS_EPARSE;
        v = v * 10 + (uint64_t)(z[i] - '0');
    }
    *pV = v;
    return KBS_OK;
}

/* A date as the exporting machine wrote it ("5/12/2017 8:30:00 AM", "12.05.2017 08:30:00") or a
 * GeneralizedTime; 0 when it cannot be read unambiguously (a day-month order nothing tells). */
static int64_t inv_date(const char *z, size_t n)
{
    char zBuf[64], zIso[16], zGen[20];
    int64_t t = 0;
    if (!n || n >= sizeof zBuf) return 0;
    memcpy(zBuf, z, n);
    zBuf[n] = 0;
    if (!adc_gentime(zBuf, &t)) return t;
    /* AM / PM is the US writer: month first */
    if (imp_date_iso(zBuf, strstr(zBuf, "AM") || strstr(zBuf, "PM"), zIso, sizeof zIso)) return 0;
    snprintf(zGen, sizeof zGen, "%.4s%.2s%.2s000000Z", zIso, zIso + 5, zIso + 8);
    return adc_gentime(zGen, &t) ? 0 : t;
}

/* Sets attribute e of r from the value z[0..n). */
static int inv_set(inv_rec_t *r, enum inv_attr e, const char *z, size_t n, unsigned line,
                   imp_err_t *pErr)
{
    uint64_t v;
    adc_t *a = &r->a;
    imp_trim(&z, &n);
    switch (e) {
    case INV_A_NONE: return KBS_OK;
    case INV_A_NAME: return inv_copy(a->zName, sizeof a->zName, z, n, line, "name", pErr);
    case INV_A_SAM: return inv_copy(r->zSam, sizeof r->zSam, z, n, line, "sAMAccountName", pErr);
    case INV_A_DNS: return inv_copy(a->zDnsName, sizeof a->zDnsName, z, n, line, "DNS name", pErr);
    case INV_A_DN: return inv_copy(a->zDn, sizeof a->zDn, z, n, line, "distinguished name", pErr);
    case INV_A_OS: return inv_copy(a->zOs, sizeof a->zOs, z, n, line, "operatingSystem", pErr);
    case INV_A_OSSP: return inv_copy(a->zOsSp, sizeof a->zOsSp, z, n, line, "service pack", pErr);
    case INV_A_OSVER: return inv_copy(a->zOsVer, sizeof a->zOsVer, z, n, line, "OS version", pErr);
    case INV_A_ENABLED:
        if (!n) return KBS_OK;
        if (imp_ci_eq(z, n, "true")) a->enabled = 1;
        else if (imp_ci_eq(z, n, "false")) a->enabled = 0;
        else return imp_err_set(pErr, KBS_EPARSE, line, "Enabled is neither True nor False");
        return KBS_OK;
    case INV_A_UAC:
        if (!n) return KBS_OK;
        if (inv_u64(z, n, &v)) return imp_err_set(pErr, KBS_EPARSE, line, "userAccountControl is not a number");
        r->enabledUac = (v & 2) ? 0 : 1; /* ACCOUNTDISABLE */
        return KBS_OK;
    case INV_A_LOGON_FT:
    case INV_A_PWD_FT:
        if (!n) return KBS_OK;
        if (inv_u64(z, n, &v))
            return imp_err_set(pErr, KBS_EPARSE, line, "%s is not a FILETIME count",
                               e == INV_A_PWD_FT ? "pwdLastSet" : "lastLogonTimestamp");
        if (e == INV_A_PWD_FT) a->pwdLastSet = adc_filetime(v);
        else a->lastLogon = adc_filetime(v);
        return KBS_OK;
    case INV_A_LOGON:
        if (!a->lastLogon) a->lastLogon = inv_date(z, n);
        return KBS_OK;
    case INV_A_PWD:
        if (!a->pwdLastSet) a->pwdLastSet = inv_date(z, n);
        return KBS_OK;
    case INV_A_CREATED:
        if (!a->whenCreated) a->whenCreated = inv_date(z, n);
        return KBS_OK;
    case INV_A_CLASS: {
        /* csvde joins the values with ';', LDIF gives one a line */
        size_t i = 0;
        r->bClass = 1;
        while (i < n) {
            size_t j = i;
            while (j < n && z[j] != ';') j++;
            if (imp_ci_eq(z + i, j - i, "computer")) r->bComputer = 1;
            i = j + 1;
        }
        return KBS_OK;
    }
    }
    return KBS_OK;
}

/* Hands a finished record to fn. */
static int inv_emit(inv_rec_t *r, unsigned line, inv_fn fn, void *pCtx, size_t *pnSkip,
                    imp_err_t *pErr)
{
    int rc;
    if (r->bClass && !r->bComputer) {
        (*pnSkip)++;
        return KBS_OK;
    }
    if (r->zSam[0]) memcpy(r->a.zName, r->zSam, sizeof r->a.zName);
    if (r->a.enabled < 0) r->a.enabled = r->enabledUac;
    if (adc_finish(&r->a))
        return imp_err_set(pErr, KBS_EPARSE, line, "a computer without a name, DNS name or DN");
    if ((rc = fn(pCtx, &r->a)) != 0) imp_err_set(pErr, rc, line, "storing the computer failed");
    return rc;
}

int inv_entry(const char *zDn, const char *const *azAttr, const char *const *azVal,
              const size_t *anVal, size_t n, inv_fn fn, void *pCtx, imp_err_t *pErr)
{
    inv_rec_t *r = malloc(sizeof *r);
    size_t i, nSkip = 0;
    int rc;
    memset(pErr, 0, sizeof *pErr);
    if (!r) return imp_err_set(pErr, KBS_ENOMEM, 0, "out of memory");
    inv_rec_init(r);
    rc = inv_set(r, INV_A_DN, zDn, strlen(zDn), 0, pErr);
    for (i = 0; i < n && !rc; i++) {
        if (memchr(azVal[i], 0, anVal[i])) continue; /* binary: no attribute we read is */
        rc = inv_set(r, inv_attr_of(azAttr[i], strlen(azAttr[i])), azVal[i], anVal[i], 0, pErr);
    }
    if (!rc) rc = inv_emit(r, 0, fn, pCtx, &nSkip, pErr);
    free(r);
    return rc;
}

/* ---- CSV ---- */

/* Splits the record at *pOff into fields (unquoted in place into zBuf, nBuf bytes). Returns the
 * field count, 0 at the end, or an error. */
static int inv_csv_rec(const char *z, size_t n, size_t *pOff, unsigned *pLine, char delim,
                       char *zBuf, size_t nBuf, size_t *aOff, size_t *aLen, imp_err_t *pErr)
{
    size_t i = *pOff, o = 0, nField = 0;
    unsigned line0 = *pLine;
    if (i >= n) return 0;
    for (;;) {
        size_t start = o;
        int bQuoted = 0;
        if (nField == INV_FIELDS_MAX)
            return imp_err_set(pErr, KBS_ETOOBIG, line0, "more than %d fields", INV_FIELDS_MAX);
        if (i < n && z[i] == '"') {
            bQuoted = 1;
            for (i++;; i++) {
                if (i >= n) return imp_err_set(pErr, KBS_EPARSE, line0, "quoted field not closed");
                if (z[i] == '"') {
                    if (i + 1 < n && z[i + 1] == '"') i++;
                    else break;
                }
                if (z[i] == '\n') (*pLine)++;
                if (o + 1 >= nBuf) return imp_err_set(pErr, KBS_ETOOBIG, line0, "record too long");
                zBuf[o++] = z[i];
            }
            i++;
        }
        while (i < n && z[i] != delim && z[i] != '\n' && z[i] != '\r') {
            if (bQuoted && z[i] != ' ')
                return imp_err_set(pErr, KBS_EPARSE, line0, "text after a closing quote");
            if (o + 1 >= nBuf) return imp_err_set(pErr, KBS_ETOOBIG, line0, "record too long");
            zBuf[o++] = z[i++];
        }
        aOff[nField] = start;
        aLen[nField++] = o - start;
        if (i < n && z[i] == delim) {
            i++;
            continue;
        }
        while (i < n && z[i] == '\r') i++;
        if (i < n && z[i] == '\n') i++, (*pLine)++;
        break;
    }
    *pOff = i;
    return (int)nField;
}

static int inv_csv(const char *z, size_t n, inv_fn fn, void *pCtx, size_t *pnSkip, imp_err_t *pErr)
{
    size_t off = 0, aOff[INV_FIELDS_MAX], aLen[INV_FIELDS_MAX], nHead = 0, i;
    enum inv_attr aCol[INV_FIELDS_MAX];
    unsigned line = 1;
    char delim = ',', *zBuf = malloc(IMP_LINE_MAX);
    int rc = KBS_OK, nf, bName = 0;
    inv_rec_t *r = malloc(sizeof *r);

    if (!zBuf || !r) {
        rc = imp_err_set(pErr, KBS_ENOMEM, 0, "out of memory");
        goto out;
    }
    /* Export-Csv's "#TYPE Microsoft.ActiveDirectory.Management.ADComputer" line, and blank lines */
    while (off < n && (z[off] == '#' || z[off] == '\n' || z[off] == '\r')) {
        while (off < n && z[off] != '\n') off++;
        if (off < n) off++, line++;
    }
    {
        /* Export-Csv -UseCulture writes ';' where the list separator is one */
        size_t j, nComma = 0, nSemi = 0;
        for (j = off; j < n && z[j] != '\n'; j++) nComma += z[j] == ',', nSemi += z[j] == ';';
        if (nSemi > nComma) delim = ';';
    }
    nf = inv_csv_rec(z, n, &off, &line, delim, zBuf, IMP_LINE_MAX, aOff, aLen, pErr);
    if (nf <= 0) {
        rc = nf < 0 ? nf : imp_err_set(pErr, KBS_EPARSE, line, "no header line");
        goto out;
    }
    nHead = (size_t)nf;
    for (i = 0; i < nHead; i++) {
        aCol[i] = inv_attr_of(zBuf + aOff[i], aLen[i]);
        if (aCol[i] == INV_A_NAME || aCol[i] == INV_A_SAM || aCol[i] == INV_A_DNS || aCol[i] == INV_A_DN)
            bName = 1;
    }
    if (!bName) {
        rc = imp_err_set(pErr, KBS_EPARSE, line - 1,
                         "no Name, sAMAccountName, cn, DNSHostName or DistinguishedName column");
        goto out;
    }
    for (;;) {
        unsigned lineRec = line;
        nf = inv_csv_rec(z, n, &off, &line, delim, zBuf, IMP_LINE_MAX, aOff, aLen, pErr);
        if (nf < 0) {
            rc = nf;
            goto out;
        }
        if (nf == 0) break;
        if (nf == 1 && aLen[0] == 0) continue; /* a blank line */
        if ((size_t)nf != nHead) {
            rc = imp_err_set(pErr, KBS_EPARSE, lineRec, "%d fields, the header has %u", nf,
                             (unsigned)nHead);
            goto out;
        }
        inv_rec_init(r);
        for (i = 0; i < nHead; i++)
            if ((rc = inv_set(r, aCol[i], zBuf + aOff[i], aLen[i], lineRec, pErr))) goto out;
        if ((rc = inv_emit(r, lineRec, fn, pCtx, pnSkip, pErr))) goto out;
    }
out:
    free(zBuf);
    free(r);
    return rc;
}

/* ---- LDIF ---- */

static int inv_b64(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes base64 z[0..n) in place-safe into zOut (room for n bytes). Returns the length, or -1. */
static long inv_b64_decode(const char *z, size_t n, char *zOut)
{
    size_t i, o = 0, nPad = 0, nDig = 0;
    uint32_t acc = 0;
    for (i = 0; i < n; i++) {
        int d;
        if (z[i] == ' ') continue;
        if (z[i] == '=') {
            nPad++;
            continue;
        }
        if (nPad || (d = inv_b64((unsigned char)z[i])) < 0) return -1;
        acc = acc << 6 | (uint32_t)d;
        if (++nDig % 4 == 0) {
            zOut[o++] = (char)(acc >> 16), zOut[o++] = (char)(acc >> 8), zOut[o++] = (char)acc;
            acc = 0;
        }
    }
    if ((nDig + nPad) % 4 || nPad > 2 || (nPad && nDig % 4 != 4 - nPad)) return -1;
    if (nDig % 4 == 2) zOut[o++] = (char)(acc >> 4);
    if (nDig % 4 == 3) zOut[o++] = (char)(acc >> 10), zOut[o++] = (char)(acc >> 2);
    return (long)o;
}

/* One logical (unfolded) LDIF line starting at *pOff into zBuf; its first physical line number in
 * *pLine0. Returns its length, -1 at the end, or an error (< -1 is never used: see rc). */
static int inv_ldif_line(const char *z, size_t n, size_t *pOff, unsigned *pLine, char *zBuf,
                         size_t nBuf, size_t *pLen, unsigned *pLine0, imp_err_t *pErr)
{
    size_t i = *pOff, o = 0;
    if (i >= n) return 0;
    *pLine0 = *pLine;
    for (;;) {
        while (i < n && z[i] != '\n') {
            if (z[i] != '\r') {
                if (o + 1 >= nBuf) return imp_err_set(pErr, KBS_ETOOBIG, *pLine0, "line too long");
                zBuf[o++] = z[i];
            }
            i++;
        }
        if (i < n) i++, (*pLine)++;
        /* a line that starts with one space continues the one before (RFC 2849 folding) */
        if (o && i < n && z[i] == ' ') {
            i++;
            continue;
        }
        break;
    }
    zBuf[o] = 0;
    *pOff = i;
    *pLen = o;
    return 1;
}

static int inv_ldif(const char *z, size_t n, inv_fn fn, void *pCtx, size_t *pnSkip, imp_err_t *pErr)
{
    size_t off = 0, len = 0;
    unsigned line = 1, line0 = 0, lineRec = 0;
    int rc = KBS_OK, bRec = 0, bTrailer = 0;
    char *zBuf = malloc(IMP_LINE_MAX), *zVal = malloc(IMP_LINE_MAX);
    inv_rec_t *r = malloc(sizeof *r);

    if (!zBuf || !zVal || !r) {
        rc = imp_err_set(pErr, KBS_ENOMEM, 0, "out of memory");
        goto out;
    }
    for (;;) {
        int k = inv_ldif_line(z, n, &off, &line, zBuf, IMP_LINE_MAX, &len, &line0, pErr);
        char *zColon;
        const char *zV;
        size_t nV;
        enum inv_attr e;
        if (k < 0) {
            rc = k;
            goto out;
        }
        if (k == 0 || len == 0) {
            if (bRec && (rc = inv_emit(r, lineRec, fn, pCtx, pnSkip, pErr))) goto out;
            bRec = bTrailer = 0;
            if (k == 0) break;
            continue;
        }
        if (zBuf[0] == '#' || bTrailer) continue;
        if (!(zColon = memchr(zBuf, ':', len))) {
            rc = imp_err_set(pErr, KBS_EPARSE, line0, "not an LDIF \"attribute: value\" line");
            goto out;
        }
        e = inv_attr_of(zBuf, (size_t)(zColon - zBuf));
        if (!bRec) {
            if (imp_ci_eq(zBuf, (size_t)(zColon - zBuf), "version")) continue;
            /* ldapsearch ends its output with "search: 2" / "result: 0 Success" */
            if (imp_ci_eq(zBuf, (size_t)(zColon - zBuf), "search") ||
                imp_ci_eq(zBuf, (size_t)(zColon - zBuf), "result")) {
                bTrailer = 1;
                continue;
            }
            if (e != INV_A_DN) {
                rc = imp_err_set(pErr, KBS_EPARSE, line0, "an LDIF record must start with its dn:");
                goto out;
            }
            inv_rec_init(r);
            bRec = 1;
            lineRec = line0;
        }
        zV = zColon + 1;
        if (*zV == ':') {
            long nDec;
            zV++;
            while (*zV == ' ') zV++;
            if ((nDec = inv_b64_decode(zV, len - (size_t)(zV - zBuf), zVal)) < 0) {
                rc = imp_err_set(pErr, KBS_EPARSE, line0, "broken base64 value");
                goto out;
            }
            zV = zVal;
            nV = (size_t)nDec;
            if (memchr(zV, 0, nV) && e != INV_A_NONE) {
                rc = imp_err_set(pErr, KBS_EPARSE, line0, "NUL byte in a base64 text value");
                goto out;
            }
        } else if (*zV == '<') {
            if (e == INV_A_NONE) continue;
            rc = imp_err_set(pErr, KBS_EPARSE, line0, "a value by URL (\":<\") is not read");
            goto out;
        } else {
            while (*zV == ' ') zV++;
            nV = len - (size_t)(zV - zBuf);
        }
        if ((rc = inv_set(r, e, zV, nV, line0, pErr))) goto out;
    }
out:
    free(zBuf);
    free(zVal);
    free(r);
    return rc;
}

/* ---- dsquery computer output and name lists ---- */

static int inv_name_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '$' || c >= 0x80;
}

static int inv_list(const char *z, size_t n, inv_fn fn, void *pCtx, size_t *pnSkip, imp_err_t *pErr)
{
    imp_lines_t L;
    const char *zL;
    size_t nL, i;
    int k, rc;
    inv_rec_t *r = malloc(sizeof *r);
    if (!r) return imp_err_set(pErr, KBS_ENOMEM, 0, "out of memory");
    imp_lines_init(&L, z, n);
    while ((k = imp_lines_next(&L, &zL, &nL, pErr)) == 1) {
        imp_trim(&zL, &nL);
        if (!nL || zL[0] == '#') continue;
        if (nL >= 2 && zL[0] == '"' && zL[nL - 1] == '"') zL++, nL -= 2; /* dsquery quotes */
        inv_rec_init(r);
        if (memchr(zL, '=', nL)) {
            rc = inv_set(r, INV_A_DN, zL, nL, L.line, pErr);
            if (!rc && adc_dn_first_value(r->a.zDn, r->a.zName, sizeof r->a.zName))
                rc = imp_err_set(pErr, KBS_EPARSE, L.line, "not a distinguished name");
        } else {
            for (i = 0; i < nL; i++)
                if (!inv_name_char((unsigned char)zL[i])) break;
            if (i < nL) {
                rc = imp_err_set(pErr, KBS_EPARSE, L.line,
                                 zL[i] == '\\' ? "DOMAIN\\NAME does not say the DNS domain: give "
                                                 "the DNS name or the DN"
                                               : "not a computer name, DNS name or DN");
                goto out;
            }
            rc = inv_set(r, memchr(zL, '.', nL) ? INV_A_DNS : INV_A_NAME, zL, nL, L.line, pErr);
        }
        if (rc || (rc = inv_emit(r, L.line, fn, pCtx, pnSkip, pErr))) goto out;
    }
    rc = k;
out:
    free(r);
    return rc;
}

/* The kind from the first line that says something. */
static inv_kind_t inv_sniff(const char *z, size_t n)
{
    size_t i = 0, e;
    while (i < n) {
        for (e = i; e < n && z[e] != '\n'; e++) {
        }
        {
            const char *zL = z + i;
            size_t nL = e - i;
            imp_trim(&zL, &nL);
            if (nL && !(zL[0] == '#' && !(nL >= 5 && imp_ci_eq(zL, 5, "#TYPE")))) {
                const char *zC = memchr(zL, ':', nL);
                if (nL >= 5 && imp_ci_eq(zL, 5, "#TYPE")) return INV_KIND_CSV;
                if (zC && (imp_ci_eq(zL, (size_t)(zC - zL), "dn") ||
                           imp_ci_eq(zL, (size_t)(zC - zL), "version")))
                    return INV_KIND_LDIF;
                /* a header names a column we read; a DN list line has "=" in its first field */
                if ((memchr(zL, ',', nL) || memchr(zL, ';', nL)) && !memchr(zL, '=', nL))
                    return INV_KIND_CSV;
                /* a one-column CSV: its header is a column name we read */
                if (inv_attr_of(zL[0] == '"' && nL > 2 ? zL + 1 : zL,
                                zL[0] == '"' && nL > 2 ? nL - 2 : nL) != INV_A_NONE)
                    return INV_KIND_CSV;
                return INV_KIND_LIST;
            }
        }
        i = e + 1;
    }
    return INV_KIND_LIST;
}

int inv_parse(const char *zIn, size_t nIn, inv_fn fn, void *pCtx, inv_kind_t *pKind,
              size_t *pnSkipped, imp_err_t *pErr)
{
    imp_text_t t;
    inv_kind_t k;
    size_t nSkip = 0;
    int rc;
    memset(pErr, 0, sizeof *pErr);
    if ((rc = imp_text_decode(zIn, nIn, 0, &t, pErr))) return rc;
    k = inv_sniff(t.z, t.n);
    if (pKind) *pKind = k;
    if (k == INV_KIND_CSV) rc = inv_csv(t.z, t.n, fn, pCtx, &nSkip, pErr);
    else if (k == INV_KIND_LDIF) rc = inv_ldif(t.z, t.n, fn, pCtx, &nSkip, pErr);
    else rc = inv_list(t.z, t.n, fn, pCtx, &nSkip, pErr);
    if (pnSkipped) *pnSkipped = nSkip;
    imp_text_release(&t);
    return rc;
}
