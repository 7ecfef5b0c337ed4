/* inv_ldap_win.c: live reads of the directory's computer accounts through wldap32 (Windows XP and
 * later): the logged-on user's credentials (Negotiate) unless --user, paged search, no referrals. */
#ifdef _WIN32

#include <windows.h>
#include <winldap.h>
#include <winber.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inv.h"
#include "kbs_err.h"

#define INV_PAGE 1000
#define INV_VALS_MAX 64

/* UTF-8 -> a malloc'd UTF-16 string (NULL for NULL or out of memory). */
static WCHAR *inv_w(const char *z)
{
    int n;
    WCHAR *w;
    if (!z) return NULL;
    n = MultiByteToWideChar(CP_UTF8, 0, z, -1, NULL, 0);
    if (n <= 0 || !(w = malloc((size_t)n * sizeof *w))) return NULL;
    MultiByteToWideChar(CP_UTF8, 0, z, -1, w, n);
    return w;
}

/* UTF-16 -> UTF-8 into zOut (nOut bytes, cut). */
static void inv_u8(const WCHAR *w, char *zOut, size_t nOut)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, zOut, (int)nOut, NULL, NULL);
    if (n <= 0) zOut[0] = 0;
    zOut[nOut - 1] = 0;
}

/* The one place a wldap32 result becomes kbsentry's code and a sentence (the raw code kept). */
static int inv_win_err(ULONG lrc, const char *zWhat, char *zErr, size_t nErr)
{
    char zMsg[256];
    inv_ldap_fail_kind_t k = INV_LF_OTHER;
    inv_u8(ldap_err2stringW(lrc), zMsg, sizeof zMsg);
    if (lrc == LDAP_SERVER_DOWN || lrc == LDAP_CONNECT_ERROR) k = INV_LF_CONNECT;
    else if (lrc == LDAP_INVALID_CREDENTIALS || lrc == LDAP_INAPPROPRIATE_AUTH ||
             lrc == LDAP_STRONG_AUTH_REQUIRED || lrc == LDAP_INSUFFICIENT_RIGHTS)
        k = INV_LF_AUTH;
    else if (lrc == LDAP_SIZELIMIT_EXCEEDED || lrc == LDAP_ADMIN_LIMIT_EXCEEDED) k = INV_LF_SIZE;
    else if (lrc == LDAP_TIMELIMIT_EXCEEDED || lrc == LDAP_TIMEOUT) k = INV_LF_TIME;
    return inv_ldap_fail(k, zWhat, zMsg, (long)lrc, NULL, zErr, nErr);
}

/* Splits "ldap[s]://HOST[:PORT][/...]" into host and port. */
static int inv_url(const char *zUrl, char *zHost, size_t nHost, ULONG *pPort, int *pSsl)
{
    const char *z, *zEnd;
    size_t n;
    *pSsl = !strncmp(zUrl, "ldaps://", 8);
    z = zUrl + (*pSsl ? 8 : 7);
    zEnd = z + strcspn(z, ":/");
    n = (size_t)(zEnd - z);
    if (!n || n >= nHost) return KBS_EINVAL;
    memcpy(zHost, z, n);
    zHost[n] = 0;
    *pPort = *pSsl ? LDAP_SSL_PORT : LDAP_PORT;
    if (*zEnd == ':') {
        char *zNum;
        unsigned long v = strtoul(zEnd + 1, &zNum, 10);
        if (!v || v > 65535 || (*zNum && *zNum != '/')) return KBS_EINVAL;
        *pPort = (ULONG)v;
    }
    return KBS_OK;
}

static int inv_win_entries(LDAP *ld, LDAPMessage *res, inv_fn fn, void *pCtx, char *zErr, size_t nErr)
{
    LDAPMessage *e;
    int rc = KBS_OK;
    for (e = ldap_first_entry(ld, res); e && !rc; e = ldap_next_entry(ld, e)) {
        struct berval **aaV[16];
        const char *azAttr[INV_VALS_MAX], *azVal[INV_VALS_MAX];
        size_t anVal[INV_VALS_MAX], n = 0, i, k, nA = 0;
        char zDn[ADC_DN_MAX];
        WCHAR *wDn = ldap_get_dnW(ld, e);
        imp_err_t ie;
        if (!wDn) return inv_win_err(LdapGetLastError(), "reading an entry's DN", zErr, nErr);
        inv_u8(wDn, zDn, sizeof zDn);
        ldap_memfreeW(wDn);
        for (i = 0; inv_azLdapAttr[i] && i < 16; i++) {
            WCHAR wAttr[64];
            struct berval **av;
            MultiByteToWideChar(CP_UTF8, 0, inv_azLdapAttr[i], -1, wAttr, 64);
            av = ldap_get_values_lenW(ld, e, wAttr);
            aaV[nA++] = av;
            for (k = 0; av && av[k] && n < INV_VALS_MAX; k++, n++) {
                azAttr[n] = inv_azLdapAttr[i];
                azVal[n] = av[k]->bv_val;
                anVal[n] = av[k]->bv_len;
            }
        }
        rc = inv_entry(zDn, azAttr, azVal, anVal, n, fn, pCtx, &ie);
        if (rc && rc != KBS_EDB) snprintf(zErr, nErr, "entry %s: %s", zDn, ie.zReason);
        for (i = 0; i < nA; i++)
            if (aaV[i]) ldap_value_free_len(aaV[i]);
    }
    return rc;
}

/* The first value of attribute w of entry e as UTF-8 into zOut ("" when none). */
static void inv_win_value(LDAP *ld, LDAPMessage *e, WCHAR *w, char *zOut, size_t nOut)
{
    PWCHAR *awV = ldap_get_valuesW(ld, e, w);
    zOut[0] = 0;
    if (awV && awV[0]) inv_u8(awV[0], zOut, nOut);
    if (awV) ldap_value_freeW(awV);
}

/* The crossRefs of the configuration naming context: the domains' NetBIOS names into d (left
 * empty when they cannot be read: the default names apply). */
static void inv_win_doms(LDAP *ld, const char *zConfig, struct l_timeval *tv, inv_doms_t *d)
{
    WCHAR *awA[3] = {L"nCName", L"nETBIOSName", NULL};
    char zB[1200];
    WCHAR *wB;
    LDAPMessage *res = NULL, *e;
    snprintf(zB, sizeof zB, "CN=Partitions,%s", zConfig);
    if (!(wB = inv_w(zB))) return;
    if (ldap_search_ext_sW(ld, wB, LDAP_SCOPE_ONELEVEL, L"(&(objectClass=crossRef)(nETBIOSName=*))", awA,
                           0, NULL, NULL, tv, INV_DOM_MAX, &res) == LDAP_SUCCESS) {
        for (e = ldap_first_entry(ld, res); e && d->n < INV_DOM_MAX; e = ldap_next_entry(ld, e)) {
            char zDn[ADC_DN_MAX];
            inv_win_value(ld, e, awA[0], zDn, sizeof zDn);
            inv_win_value(ld, e, awA[1], d->aazNb[d->n], sizeof d->aazNb[0]);
            if (zDn[0] && d->aazNb[d->n][0] && !adc_dn_domain(zDn, d->aazDomain[d->n], ADC_NAME_MAX) &&
                d->aazDomain[d->n][0])
                d->n++;
        }
    }
    if (res) ldap_msgfree(res);
    free(wB);
}

int inv_ldap_read(const inv_ldap_opts_t *o, inv_fn fn, void *pCtx, char *zBase, size_t nBase,
                  char *zErr, size_t nErr)
{
    LDAP *ld = NULL;
    LDAPMessage *res = NULL;
    PLDAPControlW pPage = NULL, *aSrv = NULL;
    struct berval *pCookie = NULL;
    struct l_timeval tvNet = {15, 0}, tv;
    WCHAR *wHost = NULL, *wUser = NULL, *wPw = NULL, *wBase = NULL, *wFilter = NULL;
    WCHAR *awAttr[16];
    char zHost[256], zB[1024], zConfig[1024] = "";
    inv_doms_t *pDoms = NULL;
    ULONG port, lrc, ver = LDAP_VERSION3, timeLimit = o->timeLimit > 0 ? (ULONG)o->timeLimit : 300;
    int bSsl, rc = KBS_ENOMEM, i;

    memset(awAttr, 0, sizeof awAttr);
    zErr[0] = 0;
    tv.tv_sec = (LONG)timeLimit;
    tv.tv_usec = 0;
    if (o->zCaFile) {
        /* wldap32 verifies against the Windows certificate store only. */
        snprintf(zErr, nErr, "--ca-file is not read on Windows: import the CA into the Trusted Root "
                             "store (certutil -addstore Root %s) and leave --ca-file out", o->zCaFile);
        return KBS_EUNSUPPORTED;
    }
    if (inv_url(o->zUrl, zHost, sizeof zHost, &port, &bSsl)) {
        snprintf(zErr, nErr, "not an ldap://HOST[:PORT] or ldaps://HOST[:PORT] URL");
        return KBS_EINVAL;
    }
    if (!(pDoms = calloc(1, sizeof *pDoms))) goto out;
    pDoms->fn = fn;
    pDoms->pCtx = pCtx;
    if (!(wHost = inv_w(zHost)) || !(wFilter = inv_w(o->zFilter ? o->zFilter : "(objectCategory=computer)")))
        goto out;
    for (i = 0; inv_azLdapAttr[i] && i < 15; i++)
        if (!(awAttr[i] = inv_w(inv_azLdapAttr[i]))) goto out;
    ld = bSsl ? ldap_sslinitW(wHost, port, 1) : ldap_initW(wHost, port);
    if (!ld) {
        rc = inv_win_err(LdapGetLastError(), "opening the connection", zErr, nErr);
        goto out;
    }
    ldap_set_optionW(ld, LDAP_OPT_PROTOCOL_VERSION, &ver);
    /* A referral would take the credentials to another server: never followed. */
    ldap_set_optionW(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    ldap_set_optionW(ld, LDAP_OPT_TIMELIMIT, &timeLimit);
    if ((lrc = ldap_connect(ld, &tvNet)) != LDAP_SUCCESS) {
        rc = inv_win_err(lrc, "connecting", zErr, nErr);
        goto out;
    }
    if (o->bStartTls && (lrc = ldap_start_tls_sW(ld, NULL, NULL, NULL, NULL)) != LDAP_SUCCESS) {
        rc = inv_win_err(lrc, "StartTLS", zErr, nErr);
        goto out;
    }
    if (o->zUser) {
        if (!(wUser = inv_w(o->zUser)) || !(wPw = inv_w(o->zPassword ? o->zPassword : ""))) goto out;
        lrc = ldap_simple_bind_sW(ld, wUser, wPw);
    } else {
        /* the logged-on user's credentials: Kerberos or NTLM, signed */
        lrc = ldap_bind_sW(ld, NULL, NULL, LDAP_AUTH_NEGOTIATE);
    }
    if (lrc != LDAP_SUCCESS) {
        rc = inv_win_err(lrc, o->zUser ? "simple bind" : "bind as the logged-on user", zErr, nErr);
        goto out;
    }
    {
        /* the root DSE: the default naming context (unless --base) and the configuration one */
        WCHAR *awA[3] = {L"defaultNamingContext", L"configurationNamingContext", NULL};
        LDAPMessage *e;
        lrc = ldap_search_ext_sW(ld, L"", LDAP_SCOPE_BASE, L"(objectClass=*)", awA, 0, NULL, NULL, &tv,
                                 1, &res);
        if (lrc != LDAP_SUCCESS && !o->zBase) {
            rc = inv_win_err(lrc, "reading the root DSE", zErr, nErr);
            goto out;
        }
        e = lrc == LDAP_SUCCESS ? ldap_first_entry(ld, res) : NULL;
        if (e) inv_win_value(ld, e, awA[1], zConfig, sizeof zConfig);
        if (o->zBase) {
            snprintf(zB, sizeof zB, "%s", o->zBase);
        } else {
            zB[0] = 0;
            if (e) inv_win_value(ld, e, awA[0], zB, sizeof zB);
            if (!zB[0]) {
                snprintf(zErr, nErr, "the server names no defaultNamingContext: give --base DN");
                rc = KBS_ENOTFOUND;
                goto out;
            }
        }
        if (res) ldap_msgfree(res);
        res = NULL;
    }
    if (zConfig[0]) inv_win_doms(ld, zConfig, &tv, pDoms);
    if (zBase) snprintf(zBase, nBase, "%s", zB);
    if (!(wBase = inv_w(zB))) goto out;
    for (;;) {
        PLDAPControlW aCtl[2];
        ULONG err = LDAP_SUCCESS, nTotal = 0;
        if ((lrc = ldap_create_page_controlW(ld, INV_PAGE, pCookie, 1, &pPage)) != LDAP_SUCCESS) {
            rc = inv_win_err(lrc, "making the paged results control", zErr, nErr);
            goto out;
        }
        aCtl[0] = pPage;
        aCtl[1] = NULL;
        lrc = ldap_search_ext_sW(ld, wBase, LDAP_SCOPE_SUBTREE, wFilter, awAttr, 0, aCtl, NULL, &tv, 0,
                                 &res);
        ldap_control_freeW(pPage);
        pPage = NULL;
        if (lrc != LDAP_SUCCESS && lrc != LDAP_REFERRAL) {
            rc = inv_win_err(lrc, "searching", zErr, nErr);
            goto out;
        }
        if ((rc = inv_win_entries(ld, res, inv_doms_fn, pDoms, zErr, nErr))) goto out;
        lrc = ldap_parse_resultW(ld, res, &err, NULL, NULL, NULL, &aSrv, FALSE);
        ldap_msgfree(res);
        res = NULL;
        if (lrc != LDAP_SUCCESS || (err != LDAP_SUCCESS && err != LDAP_REFERRAL)) {
            rc = inv_win_err(lrc != LDAP_SUCCESS ? lrc : err, "searching", zErr, nErr);
            goto out;
        }
        if (pCookie) ber_bvfree(pCookie);
        pCookie = NULL;
        if (aSrv && (lrc = ldap_parse_page_controlW(ld, aSrv, &nTotal, &pCookie)) != LDAP_SUCCESS) {
            rc = inv_win_err(lrc, "reading the paged results control", zErr, nErr);
            goto out;
        }
        if (aSrv) ldap_controls_freeW(aSrv);
        aSrv = NULL;
        if (!pCookie || !pCookie->bv_len) break;
    }
    rc = KBS_OK;
out:
    if (rc == KBS_ENOMEM && !zErr[0]) snprintf(zErr, nErr, "out of memory");
    if (pCookie) ber_bvfree(pCookie);
    if (aSrv) ldap_controls_freeW(aSrv);
    if (res) ldap_msgfree(res);
    if (ld) ldap_unbind(ld);
    if (wPw) {
        SecureZeroMemory(wPw, wcslen(wPw) * sizeof *wPw);
        free(wPw);
    }
    free(pDoms);
    free(wHost);
    free(wUser);
    free(wBase);
    free(wFilter);
    for (i = 0; i < 16; i++) free(awAttr[i]);
    return rc;
}

#endif
