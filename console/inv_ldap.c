/* inv_ldap.c: live reads of the directory's computer accounts through OpenLDAP's libldap (Linux
 * and other POSIX systems): bind, paged subtree search, no referrals. */
#if defined(KBS_HAVE_LDAP) && !defined(_WIN32)
#define _DEFAULT_SOURCE 1 /* struct timeval, which ldap.h takes */
#include <sys/time.h>
#endif
#include "inv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"

const char *const inv_azLdapAttr[] = {
    "cn", "sAMAccountName", "dNSHostName", "objectClass", "operatingSystem",
    "operatingSystemServicePack", "operatingSystemVersion", "userAccountControl",
    "lastLogonTimestamp", "pwdLastSet", "whenCreated", NULL,
};

int inv_ldap_fail(inv_ldap_fail_kind_t k, const char *zWhat, const char *zMsg, long code,
                  const char *zDiag, char *zErr, size_t nErr)
{
    static const int aRc[] = {KBS_EIO, KBS_EIO, KBS_EACCESS, KBS_ETOOBIG, KBS_ETIMEOUT};
    snprintf(zErr, nErr, "%s: %s (LDAP %ld)%s%s%s", zWhat, zMsg, code, zDiag && zDiag[0] ? ": " : "",
             zDiag ? zDiag : "", k == INV_LF_SIZE ? "; nothing stored: narrow --base or --filter" : "");
    return aRc[k];
}

/* The account with its domain's NetBIOS name, to the caller's fn. */
int inv_doms_fn(void *pCtx, const adc_t *a)
{
    inv_doms_t *d = pCtx;
    size_t i;
    for (i = 0; i < d->n; i++) {
        adc_t *b;
        int rc;
        if (strcmp(d->aazDomain[i], a->zDomain)) continue;
        if (!(b = malloc(sizeof *b))) return KBS_ENOMEM;
        *b = *a;
        memcpy(b->zNetbios, d->aazNb[i], sizeof b->zNetbios);
        rc = d->fn(d->pCtx, b);
        free(b);
        return rc;
    }
    return d->fn(d->pCtx, a);
}

#if defined(KBS_HAVE_LDAP) && !defined(_WIN32)

#include <ldap.h>

#define INV_PAGE 1000        /* Active Directory's MaxPageSize default */
#define INV_VALS_MAX 64      /* values of one entry kept (the attributes above, few each) */

/* The error of an LDAP call as kbsentry's code and a sentence naming the call. */
static int inv_ldap_err(LDAP *ld, int lrc, const char *zWhat, char *zErr, size_t nErr)
{
    char *zDiag = NULL;
    inv_ldap_fail_kind_t k = INV_LF_OTHER;
    int rc;
    if (ld) ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &zDiag);
    if (lrc == LDAP_SERVER_DOWN || lrc == LDAP_CONNECT_ERROR) k = INV_LF_CONNECT;
    else if (lrc == LDAP_INVALID_CREDENTIALS || lrc == LDAP_INAPPROPRIATE_AUTH ||
             lrc == LDAP_STRONG_AUTH_REQUIRED || lrc == LDAP_INSUFFICIENT_ACCESS)
        k = INV_LF_AUTH;
    else if (lrc == LDAP_SIZELIMIT_EXCEEDED || lrc == LDAP_ADMINLIMIT_EXCEEDED) k = INV_LF_SIZE;
    else if (lrc == LDAP_TIMELIMIT_EXCEEDED || lrc == LDAP_TIMEOUT) k = INV_LF_TIME;
    rc = inv_ldap_fail(k, zWhat, ldap_err2string(lrc), lrc, zDiag, zErr, nErr);
    if (zDiag) ldap_memfree(zDiag);
    return rc;
}

/* Reads the crossRefs of the configuration naming context zConfig into d (a directory that
 * does not let them be read leaves d empty: the default NetBIOS names apply). */
static void inv_ldap_doms(LDAP *ld, const char *zConfig, struct timeval *tv, inv_doms_t *d)
{
    static char *azA[] = {"nCName", "nETBIOSName", NULL};
    char zBase[1200];
    LDAPMessage *res = NULL, *e;
    snprintf(zBase, sizeof zBase, "CN=Partitions,%s", zConfig);
    if (ldap_search_ext_s(ld, zBase, LDAP_SCOPE_ONELEVEL, "(&(objectClass=crossRef)(nETBIOSName=*))",
                          azA, 0, NULL, NULL, tv, INV_DOM_MAX, &res) == LDAP_SUCCESS) {
        for (e = ldap_first_entry(ld, res); e && d->n < INV_DOM_MAX; e = ldap_next_entry(ld, e)) {
            struct berval **avNc = ldap_get_values_len(ld, e, azA[0]);
            struct berval **avNb = ldap_get_values_len(ld, e, azA[1]);
            if (avNc && avNc[0] && avNb && avNb[0] && avNc[0]->bv_len < ADC_DN_MAX &&
                avNb[0]->bv_len < sizeof d->aazNb[0]) {
                char zDn[ADC_DN_MAX];
                memcpy(zDn, avNc[0]->bv_val, avNc[0]->bv_len);
                zDn[avNc[0]->bv_len] = 0;
                memcpy(d->aazNb[d->n], avNb[0]->bv_val, avNb[0]->bv_len);
                d->aazNb[d->n][avNb[0]->bv_len] = 0;
                if (!adc_dn_domain(zDn, d->aazDomain[d->n], ADC_NAME_MAX) && d->aazDomain[d->n][0]) d->n++;
            }
            if (avNc) ldap_value_free_len(avNc);
            if (avNb) ldap_value_free_len(avNb);
        }
    }
    if (res) ldap_msgfree(res);
}

/* Hands every entry of res to fn. */
static int inv_ldap_entries(LDAP *ld, LDAPMessage *res, inv_fn fn, void *pCtx, size_t *pnEntry,
                            char *zErr, size_t nErr)
{
    LDAPMessage *e;
    const char *azAttr[INV_VALS_MAX], *azVal[INV_VALS_MAX];
    size_t anVal[INV_VALS_MAX];
    int rc = KBS_OK;
    for (e = ldap_first_entry(ld, res); e && !rc; e = ldap_next_entry(ld, e)) {
        struct berval **aaV[16];
        char *zDn = ldap_get_dn(ld, e);
        size_t n = 0, i, k, nA = 0;
        imp_err_t ie;
        if (!zDn) return inv_ldap_err(ld, LDAP_DECODING_ERROR, "reading an entry's DN", zErr, nErr);
        for (i = 0; inv_azLdapAttr[i] && i < 16; i++) {
            struct berval **av = ldap_get_values_len(ld, e, inv_azLdapAttr[i]);
            aaV[nA++] = av;
            for (k = 0; av && av[k] && n < INV_VALS_MAX; k++, n++) {
                azAttr[n] = inv_azLdapAttr[i];
                azVal[n] = av[k]->bv_val;
                anVal[n] = av[k]->bv_len;
            }
        }
        rc = inv_entry(zDn, azAttr, azVal, anVal, n, fn, pCtx, &ie);
        if (rc == KBS_OK) (*pnEntry)++;
        else if (rc != KBS_EDB) snprintf(zErr, nErr, "entry %s: %s", zDn, ie.zReason);
        for (i = 0; i < nA; i++)
            if (aaV[i]) ldap_value_free_len(aaV[i]);
        ldap_memfree(zDn);
    }
    return rc;
}

/* The server's default naming context (the domain's DN) into zBase, unless bKeep, and its
 * configuration naming context into zConfig ("" when not named), asked of its root DSE. */
static int inv_ldap_root(LDAP *ld, int bKeep, char *zBase, size_t nBase, char *zConfig, size_t nConfig,
                         struct timeval *tv, char *zErr, size_t nErr)
{
    static char *azA[] = {"defaultNamingContext", "configurationNamingContext", NULL};
    LDAPMessage *res = NULL, *e;
    struct berval **av = NULL, **avC = NULL;
    int lrc = ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", azA, 0, NULL, NULL, tv,
                                1, &res), rc = KBS_OK;
    zConfig[0] = 0;
    if (lrc != LDAP_SUCCESS) {
        /* with --base the root DSE only adds the NetBIOS names: not worth failing for */
        if (!bKeep) rc = inv_ldap_err(ld, lrc, "reading the root DSE", zErr, nErr);
        goto out;
    }
    if ((e = ldap_first_entry(ld, res)) && (avC = ldap_get_values_len(ld, e, azA[1])) && avC[0] &&
        avC[0]->bv_len < nConfig) {
        memcpy(zConfig, avC[0]->bv_val, avC[0]->bv_len);
        zConfig[avC[0]->bv_len] = 0;
    }
    if (bKeep) goto out;
    if (!e || !(av = ldap_get_values_len(ld, e, azA[0])) || !av[0] || av[0]->bv_len >= nBase) {
        snprintf(zErr, nErr, "the server names no defaultNamingContext: give --base DN");
        rc = KBS_ENOTFOUND;
        goto out;
    }
    memcpy(zBase, av[0]->bv_val, av[0]->bv_len);
    zBase[av[0]->bv_len] = 0;
out:
    if (av) ldap_value_free_len(av);
    if (avC) ldap_value_free_len(avC);
    if (res) ldap_msgfree(res);
    return rc;
}

int inv_ldap_read(const inv_ldap_opts_t *o, inv_fn fn, void *pCtx, char *zBase, size_t nBase,
                  char *zErr, size_t nErr)
{
    LDAP *ld = NULL;
    LDAPMessage *res = NULL;
    LDAPControl *pPage = NULL, **aSrv = NULL;
    struct berval cookie = {0, NULL}, cred;
    struct timeval tvNet = {15, 0}, tv;
    const char *zFilter = o->zFilter ? o->zFilter : "(objectCategory=computer)";
    int lrc, rc = KBS_EIO, ver = LDAP_VERSION3, req = LDAP_OPT_X_TLS_DEMAND, zero = 0;
    int timeLimit = o->timeLimit > 0 ? o->timeLimit : 300;
    size_t nEntry = 0;
    char zB[1024], zConfig[1024];
    inv_doms_t *pDoms = calloc(1, sizeof *pDoms);

    zErr[0] = 0;
    if (!pDoms) {
        snprintf(zErr, nErr, "out of memory");
        return KBS_ENOMEM;
    }
    pDoms->fn = fn;
    pDoms->pCtx = pCtx;
    tv.tv_sec = timeLimit;
    tv.tv_usec = 0;
    if ((lrc = ldap_initialize(&ld, o->zUrl)) != LDAP_SUCCESS) {
        rc = inv_ldap_err(NULL, lrc, "reading the URL", zErr, nErr);
        goto out;
    }
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &ver);
    /* A referral would send the bind (and its password) to another server: never followed. */
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tvNet);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
    ldap_set_option(ld, LDAP_OPT_TIMELIMIT, &timeLimit);
    ldap_set_option(ld, LDAP_OPT_SIZELIMIT, &zero);
    /* The certificate must verify (a chain to --ca-file, else the system's CAs, and the host
     * name): an unverified server would get the password. */
    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &req);
    if (o->zCaFile && ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, o->zCaFile) != LDAP_OPT_SUCCESS) {
        snprintf(zErr, nErr, "%s: cannot use this CA file", o->zCaFile);
        rc = KBS_EIO;
        goto out;
    }
    if ((lrc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero)) != LDAP_OPT_SUCCESS) {
        snprintf(zErr, nErr, "setting up TLS%s%s failed (a CA file that is not PEM?)",
                 o->zCaFile ? " with " : "", o->zCaFile ? o->zCaFile : "");
        rc = KBS_EIO;
        goto out;
    }
    if (o->bStartTls && (lrc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
        rc = inv_ldap_err(ld, lrc, "StartTLS", zErr, nErr);
        goto out;
    }
    cred.bv_val = (char *)(o->zPassword ? o->zPassword : "");
    cred.bv_len = strlen(cred.bv_val);
    if ((lrc = ldap_sasl_bind_s(ld, o->zUser ? o->zUser : "", LDAP_SASL_SIMPLE, &cred, NULL, NULL,
                                NULL)) != LDAP_SUCCESS) {
        rc = inv_ldap_err(ld, lrc, o->zUser ? "simple bind" : "anonymous bind", zErr, nErr);
        goto out;
    }
    if (o->zBase) snprintf(zB, sizeof zB, "%s", o->zBase);
    if ((rc = inv_ldap_root(ld, o->zBase != NULL, zB, sizeof zB, zConfig, sizeof zConfig, &tv, zErr,
                            nErr)))
        goto out;
    if (zConfig[0]) inv_ldap_doms(ld, zConfig, &tv, pDoms);
    if (zBase) snprintf(zBase, nBase, "%s", zB);
    for (;;) {
        LDAPControl *aCtl[2];
        LDAPControl *pResp;
        ber_int_t nEst = 0;
        int err = LDAP_SUCCESS;
        char *zMsg = NULL;
        if ((lrc = ldap_create_page_control(ld, INV_PAGE, &cookie, 1, &pPage)) != LDAP_SUCCESS) {
            rc = inv_ldap_err(ld, lrc, "making the paged results control", zErr, nErr);
            goto out;
        }
        aCtl[0] = pPage;
        aCtl[1] = NULL;
        lrc = ldap_search_ext_s(ld, zB, LDAP_SCOPE_SUBTREE, zFilter, (char **)inv_azLdapAttr, 0, aCtl,
                                NULL, &tv, LDAP_NO_LIMIT, &res);
        ldap_control_free(pPage);
        pPage = NULL;
        if (lrc != LDAP_SUCCESS && lrc != LDAP_PARTIAL_RESULTS && lrc != LDAP_REFERRAL) {
            rc = inv_ldap_err(ld, lrc, "searching", zErr, nErr);
            goto out;
        }
        if ((rc = inv_ldap_entries(ld, res, inv_doms_fn, pDoms, &nEntry, zErr, nErr))) goto out;
        lrc = ldap_parse_result(ld, res, &err, NULL, &zMsg, NULL, &aSrv, 0);
        if (zMsg) ldap_memfree(zMsg);
        ldap_msgfree(res);
        res = NULL;
        if (lrc != LDAP_SUCCESS || (err != LDAP_SUCCESS && err != LDAP_REFERRAL)) {
            rc = inv_ldap_err(ld, lrc != LDAP_SUCCESS ? lrc : err, "searching", zErr, nErr);
            goto out;
        }
        if (cookie.bv_val) ber_memfree(cookie.bv_val);
        cookie.bv_val = NULL;
        cookie.bv_len = 0;
        pResp = aSrv ? ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, aSrv, NULL) : NULL;
        if (pResp && (lrc = ldap_parse_pageresponse_control(ld, pResp, &nEst, &cookie)) != LDAP_SUCCESS) {
            rc = inv_ldap_err(ld, lrc, "reading the paged results control", zErr, nErr);
            goto out;
        }
        if (aSrv) ldap_controls_free(aSrv);
        aSrv = NULL;
        if (!cookie.bv_val || !cookie.bv_len) break;
    }
    rc = KBS_OK;
out:
    if (cookie.bv_val) ber_memfree(cookie.bv_val);
    if (aSrv) ldap_controls_free(aSrv);
    if (res) ldap_msgfree(res);
    if (ld) ldap_unbind_ext_s(ld, NULL, NULL);
    free(pDoms);
    return rc;
}

#elif !defined(_WIN32)

int inv_ldap_read(const inv_ldap_opts_t *o, inv_fn fn, void *pCtx, char *zBase, size_t nBase,
                  char *zErr, size_t nErr)
{
    (void)o, (void)fn, (void)pCtx, (void)zBase, (void)nBase;
    snprintf(zErr, nErr, "this kbsentry was built without an LDAP client (libldap): export the "
                         "accounts (Get-ADComputer | Export-Csv, ldifde) and read the file");
    return KBS_EUNSUPPORTED;
}

#endif
