/* adc.c: directory computer accounts: DN parts, dates, OS facts from the directory's strings and
 * the verdicts those alone decide. */
#include "adc.h"

#include <stdio.h>
#include <string.h>

#include "kbs_err.h"
#include "snap.h"

static int adc_upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 32 : c;
}

static int adc_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The end of the RDN starting at z: its unescaped comma (or semicolon, the old separator), or the
 * end of the string. */
static const char *adc_rdn_end(const char *z)
{
    for (; *z; z++) {
        if (*z == '\\' && z[1]) {
            z++;
            continue;
        }
        if (*z == ',' || *z == ';') break;
    }
    return z;
}

static const char *adc_skip_blanks(const char *z)
{
    while (*z == ' ') z++;
    return z;
}

const char *adc_dn_parent(const char *zDn)
{
    const char *z = adc_rdn_end(zDn);
    return *z ? adc_skip_blanks(z + 1) : z;
}

static int adc_hex(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = adc_lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* The value of the RDN [z, zEnd) ("attr=value") into zOut, escapes ("\,", "\2C") undone; the
 * attribute's name (upper case) into zAttr. */
static int adc_rdn_value(const char *z, const char *zEnd, char *zAttr, size_t nAttr, char *zOut,
                         size_t nOut)
{
    const char *zEq = z;
    size_t o = 0, a = 0;
    while (zEq < zEnd && *zEq != '=') zEq++;
    if (zEq == zEnd || zEq == z) return KBS_EPARSE;
    for (; z < zEq && a + 1 < nAttr; z++)
        if (*z != ' ') zAttr[a++] = (char)adc_upper((unsigned char)*z);
    zAttr[a] = 0;
    for (z = zEq + 1; z < zEnd; z++) {
        int c = (unsigned char)*z;
        if (c == '\\' && z + 1 < zEnd) {
            int h1 = adc_hex((unsigned char)z[1]), h2 = z + 2 < zEnd ? adc_hex((unsigned char)z[2]) : -1;
            if (h1 >= 0 && h2 >= 0) {
                c = h1 * 16 + h2;
                z += 2;
            } else {
                c = (unsigned char)*++z;
            }
        }
        if (o + 1 >= nOut) return KBS_ETOOBIG;
        zOut[o++] = (char)c;
    }
    while (o && zOut[o - 1] == ' ') o--;
    zOut[o] = 0;
    return KBS_OK;
}

int adc_dn_first_value(const char *zDn, char *zOut, size_t nOut)
{
    char zAttr[32];
    const char *z = adc_skip_blanks(zDn);
    return adc_rdn_value(z, adc_rdn_end(z), zAttr, sizeof zAttr, zOut, nOut);
}

int adc_dn_domain(const char *zDn, char *zOut, size_t nOut)
{
    const char *z = adc_skip_blanks(zDn);
    size_t o = 0;
    zOut[0] = 0;
    while (*z) {
        const char *zEnd = adc_rdn_end(z);
        char zAttr[32], zVal[ADC_NAME_MAX];
        if (!adc_rdn_value(z, zEnd, zAttr, sizeof zAttr, zVal, sizeof zVal) && !strcmp(zAttr, "DC")) {
            size_t n = strlen(zVal), i;
            if (o + n + 2 > nOut) return KBS_ETOOBIG;
            if (o) zOut[o++] = '.';
            for (i = 0; i < n; i++) zOut[o++] = (char)adc_lower((unsigned char)zVal[i]);
            zOut[o] = 0;
        }
        z = *zEnd ? adc_skip_blanks(zEnd + 1) : zEnd;
    }
    return KBS_OK;
}

/* Compares the RDNs [a, aEnd) and [b, bEnd): ASCII case and blanks around '=' ignored. */
static int adc_rdn_eq(const char *a, const char *aEnd, const char *b, const char *bEnd)
{
    for (;;) {
        while (a < aEnd && *a == ' ') a++;
        while (b < bEnd && *b == ' ') b++;
        if (a == aEnd || b == bEnd) return a == aEnd && b == bEnd;
        if (adc_upper((unsigned char)*a) != adc_upper((unsigned char)*b)) return 0;
        a++, b++;
    }
}

int adc_dn_under(const char *zDn, const char *zBase)
{
    const char *aDn[64], *aBase[64];
    size_t nDn = 0, nBase = 0, i;
    const char *z;
    if (!zBase[0]) return 1;
    /* RDN starts of both; then compare from the right. */
    for (z = adc_skip_blanks(zDn); *z && nDn < 64;) {
        aDn[nDn++] = z;
        z = adc_rdn_end(z);
        z = *z ? adc_skip_blanks(z + 1) : z;
    }
    for (z = adc_skip_blanks(zBase); *z && nBase < 64;) {
        aBase[nBase++] = z;
        z = adc_rdn_end(z);
        z = *z ? adc_skip_blanks(z + 1) : z;
    }
    if (nBase > nDn) return 0;
    for (i = 0; i < nBase; i++) {
        const char *a = aDn[nDn - nBase + i], *b = aBase[i];
        if (!adc_rdn_eq(a, adc_rdn_end(a), b, adc_rdn_end(b))) return 0;
    }
    return 1;
}

int64_t adc_filetime(uint64_t ft)
{
    /* 100-ns intervals from 1601-01-01 to 1970-01-01 */
    const uint64_t epoch = 116444736000000000ull;
    if (!ft || ft == 0x7FFFFFFFFFFFFFFFull || ft < epoch) return 0;
    return (int64_t)((ft - epoch) / 10000000ull);
}

static int64_t adc_days_from_civil(int y, int m, int d)
{
    /* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
    int era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + doe - 719468;
}

int adc_gentime(const char *z, int64_t *pT)
{
    int a[6], i, k;
    const int aLen[6] = {4, 2, 2, 2, 2, 2};
    *pT = 0;
    for (i = 0; i < 6; i++) {
        a[i] = 0;
        for (k = 0; k < aLen[i]; k++, z++) {
            if (*z < '0' || *z > '9') return KBS_EPARSE;
            a[i] = a[i] * 10 + (*z - '0');
        }
    }
    if (*z == '.' || *z == ',') {
        for (z++; *z >= '0' && *z <= '9'; z++) {
        }
    }
    /* Active Directory writes UTC ("Z"); an offset is refused rather than misread. */
    if (*z != 'Z' || z[1]) return KBS_EPARSE;
    if (a[0] < 1601 || a[1] < 1 || a[1] > 12 || a[2] < 1 || a[2] > 31 || a[3] > 23 || a[4] > 59 ||
        a[5] > 60)
        return KBS_EPARSE;
    *pT = adc_days_from_civil(a[0], a[1], a[2]) * 86400 + a[3] * 3600 + a[4] * 60 + a[5];
    if (*pT < 0) *pT = 0;
    return KBS_OK;
}

void adc_netbios_default(const char *zDomain, char *zOut, size_t nOut)
{
    size_t i;
    for (i = 0; zDomain[i] && zDomain[i] != '.' && i < 15 && i + 1 < nOut; i++)
        zOut[i] = (char)adc_upper((unsigned char)zDomain[i]);
    if (nOut) zOut[i] = 0;
}

int adc_finish(adc_t *a)
{
    size_t n;
    if (!a->zName[0] && a->zDn[0]) {
        char zAttr[32];
        const char *z = adc_skip_blanks(a->zDn);
        if (adc_rdn_value(z, adc_rdn_end(z), zAttr, sizeof zAttr, a->zName, sizeof a->zName))
            a->zName[0] = 0;
    }
    if (!a->zName[0] && a->zDnsName[0]) {
        const char *zDot = strchr(a->zDnsName, '.');
        n = zDot ? (size_t)(zDot - a->zDnsName) : strlen(a->zDnsName);
        if (n >= sizeof a->zName) n = sizeof a->zName - 1;
        memcpy(a->zName, a->zDnsName, n);
        a->zName[n] = 0;
    }
    n = strlen(a->zName);
    if (n && a->zName[n - 1] == '$') a->zName[--n] = 0;
    if (!n) return KBS_EINVAL;
    if (!a->zDomain[0] && a->zDn[0]) adc_dn_domain(a->zDn, a->zDomain, sizeof a->zDomain);
    if (!a->zDomain[0] && a->zDnsName[0]) {
        const char *zDot = strchr(a->zDnsName, '.');
        size_t i;
        if (zDot) {
            for (i = 0; zDot[1 + i] && i + 1 < sizeof a->zDomain; i++)
                a->zDomain[i] = (char)adc_lower((unsigned char)zDot[1 + i]);
            a->zDomain[i] = 0;
        }
    }
    return KBS_OK;
}

/* Reads "5.1 (2600)", "6.1 (7601)", "10.0 (19045)" or "5.1.2600". */
static int adc_read_version(const char *z, uint32_t *pMaj, uint32_t *pMin, uint32_t *pBuild)
{
    uint32_t a[3] = {0, 0, 0};
    int i = 0;
    while (*z == ' ') z++;
    for (;;) {
        if (*z < '0' || *z > '9') return 0;
        while (*z >= '0' && *z <= '9') {
            if (a[i] > 100000) return 0;
            a[i] = a[i] * 10 + (uint32_t)(*z++ - '0');
        }
        if (i == 2) break;
        if (*z == '.') {
            z++;
        } else if (i == 1 && (*z == ' ' || *z == '(')) {
            while (*z == ' ') z++;
            if (*z != '(') break;
            z++;
        } else {
            break;
        }
        i++;
    }
    if (i < 1) return 0;
    /* "4.17.12-Debian" (a Samba DC's own account) is not a Windows version */
    if (*z == ')') z++;
    while (*z == ' ') z++;
    if (*z) return 0;
    *pMaj = a[0], *pMin = a[1], *pBuild = a[2];
    return 1;
}

static int adc_has_ci(const char *z, const char *zNeedle)
{
    size_t n = strlen(zNeedle), i;
    for (; *z; z++) {
        for (i = 0; i < n && adc_upper((unsigned char)z[i]) == adc_upper((unsigned char)zNeedle[i]); i++) {
        }
        if (i == n) return 1;
    }
    return 0;
}

int adc_os_info(const adc_t *a, os_info_t *pOs)
{
    memset(pOs, 0, sizeof *pOs);
    if (!adc_read_version(a->zOsVer, &pOs->major, &pOs->minor, &pOs->build)) return 0;
    snprintf(pOs->zProductName, sizeof pOs->zProductName, "%s", a->zOs);
    snprintf(pOs->zCsdVersion, sizeof pOs->zCsdVersion, "%s", a->zOsSp);
    /* The directory writes operatingSystemServicePack only when there is one: an empty value next
     * to a version is "no service pack". */
    pOs->sp_known = 1;
    {
        const char *z = a->zOsSp;
        while (*z && (*z < '0' || *z > '9')) z++;
        pOs->sp_major = 0;
        while (*z >= '0' && *z <= '9' && pOs->sp_major < 100) pOs->sp_major = pOs->sp_major * 10 + (uint32_t)(*z++ - '0');
        if (a->zOsSp[0] && !adc_has_ci(a->zOsSp, "Service Pack")) pOs->sp_known = 0;
    }
    /* Only "Server" in the name is known; a domain controller is not told apart (a server). */
    pOs->product_type = adc_has_ci(a->zOs, "Server") ? OS_PT_SERVER : OS_PT_WORKSTATION;
    if (adc_has_ci(a->zOs, "x64")) pOs->arch = OS_ARCH_X64;
    return 1;
}

static size_t adc_date(int64_t t, char *z, size_t n)
{
    int64_t days = t / 86400;
    /* civil from days (H. Hinnant) */
    int64_t zz = days + 719468, era = (zz >= 0 ? zz : zz - 146096) / 146097;
    unsigned doe = (unsigned)(zz - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    int r;
    y += m <= 2;
    r = snprintf(z, n, "%04d-%02u-%02u", (int)y, m, d);
    return r > 0 ? (size_t)r : 0;
}

int adc_eval(const cat_t *c, const adc_t *a, verdict_t *aOut, size_t nOut)
{
    snap_t s;
    char zSince[32] = "", zLogon[32] = "", zNoScan[128], zOs[200];
    size_t i;
    int n;

    if (nOut < c->nRule) return KBS_EINVAL;
    snap_init(&s);
    s.osKnown = adc_os_info(a, &s.os);
    s.hotfixesComplete = 0;
    snprintf(s.zHotfixNote, sizeof s.zHotfixNote, "no scan");
    if (a->whenCreated) adc_date(a->whenCreated, zSince, sizeof zSince);
    if (a->lastLogon) adc_date(a->lastLogon, zLogon, sizeof zLogon);
    snprintf(zNoScan, sizeof zNoScan, "no scan: in the directory since %s, last logon %s",
             zSince[0] ? zSince : "an unknown date", zLogon[0] ? zLogon : "never recorded");
    snprintf(zOs, sizeof zOs, "%.100s%s%.60s%s%.30s", a->zOs[0] ? a->zOs : "no OS name",
             a->zOsSp[0] ? " " : "", a->zOsSp, a->zOsVer[0] ? " " : "", a->zOsVer);
    n = verdict_eval(c, &s, aOut, nOut);
    for (i = 0; n > 0 && i < (size_t)n; i++) {
        verdict_t *v = &aOut[i];
        if (s.osKnown && (v->status == VERDICT_UNPATCHABLE || v->status == VERDICT_NOT_AFFECTED)) {
            char zWas[sizeof v->zEvidence];
            memcpy(zWas, v->zEvidence, sizeof zWas);
            /* cut at the evidence's size: the "by the directory's OS only" head comes first */
            if (snprintf(v->zEvidence, sizeof v->zEvidence, "by the directory's OS only (%s): %.80s; %s",
                         zOs, zWas, zNoScan) < 0)
                v->zEvidence[0] = 0;
            continue;
        }
        /* Everything else needs a scan: never a guess of patched, mitigated or missing. */
        v->status = VERDICT_UNKNOWN;
        if (snprintf(v->zEvidence, sizeof v->zEvidence, "%s; directory OS: %s", zNoScan, zOs) < 0)
            v->zEvidence[0] = 0;
        snprintf(v->zAction, sizeof v->zAction,
                 "find out why the machine does not report (agent installed? switched on?), "
                 "then scan it");
    }
    snap_release(&s);
    return n;
}
