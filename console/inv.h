/* inv.h: the directory's computer accounts read from exports (Get-ADComputer CSV, csvde, ldifde,
 * dsquery / name lists) and from live LDAP, handed one account at a time to a callback. */
#ifndef KBS_INV_H
#define KBS_INV_H

#include <stddef.h>

#include "adc.h"
#include "imp.h"

typedef enum inv_kind {
    INV_KIND_CSV = 0,        /* Get-ADComputer | Export-Csv, or csvde */
    INV_KIND_LDIF,           /* ldifde */
    INV_KIND_LIST,           /* dsquery computer (DNs), or one name / DNS name a line */
} inv_kind_t;

/* inv_fn: takes one account (valid during the call); a non-zero return stops the reading and is
 * returned. */
typedef int (*inv_fn)(void *pCtx, const adc_t *a);

/* inv_kind_name: "csv", "ldif", "list". */
const char *inv_kind_name(inv_kind_t k);

/* inv_parse: reads the export zIn[0..nIn) (any encoding imp reads: UTF-8, UTF-16, ANSI) and calls
 * fn for each computer account in it, in file order. Which kind it is comes from the content; it
 * is told in *pKind (may be NULL). Accounts of another object class (a csvde / ldifde export
 * without its filter) are stepped over; *pnSkipped (may be NULL) counts them. A file that breaks
 * its format, or a record without a name, stops it: *pErr gets the line and reason. Returns
 * KBS_OK, KBS_EPARSE, KBS_ETOOBIG, KBS_ENOMEM or fn's return. */
int inv_parse(const char *zIn, size_t nIn, inv_fn fn, void *pCtx, inv_kind_t *pKind,
              size_t *pnSkipped, imp_err_t *pErr);

/* inv_entry: one directory entry (a live read): its DN and n attribute values (azAttr[i] names
 * the attribute of azVal[i], anVal[i] bytes, not NUL-terminated; several values of one attribute
 * may follow each other) read as the exports are and handed to fn. Returns as inv_parse. */
int inv_entry(const char *zDn, const char *const *azAttr, const char *const *azVal,
              const size_t *anVal, size_t n, inv_fn fn, void *pCtx, imp_err_t *pErr);

/* The attributes a live read asks for (NULL-terminated). */
extern const char *const inv_azLdapAttr[];

/* The NetBIOS names of the forest's domains (crossRef objects under CN=Partitions), read by both
 * LDAP clients so that a host whose scans name its domain "POLICE" joins the accounts of
 * ad.police.example.com. */
#define INV_DOM_MAX 64
typedef struct inv_doms {
    char aazDomain[INV_DOM_MAX][ADC_NAME_MAX]; /* DNS form, lower case (from nCName) */
    char aazNb[INV_DOM_MAX][16];
    size_t n;
    inv_fn fn;                                 /* where the accounts go, with their names */
    void *pCtx;
} inv_doms_t;

/* inv_doms_fn: an inv_fn (pCtx an inv_doms_t) that gives account a its domain's NetBIOS name
 * and hands it to the inv_doms_t's fn. */
int inv_doms_fn(void *pCtx, const adc_t *a);

/* The kinds of LDAP failure, for inv_ldap_fail. */
typedef enum inv_ldap_fail_kind {
    INV_LF_OTHER = 0,
    INV_LF_CONNECT,          /* the server is down or unreachable, TLS failed */
    INV_LF_AUTH,             /* the bind was refused, or the rights are missing */
    INV_LF_SIZE,             /* a size or administrative limit */
    INV_LF_TIME,             /* a time limit */
} inv_ldap_fail_kind_t;

/* inv_ldap_fail: the one sentence of a failed LDAP call (both clients): "WHAT: MESSAGE (LDAP
 * CODE)[: DIAGNOSTIC]", and a hint for a size limit, into zErr; returns kbsentry's code for the
 * kind (KBS_EIO, KBS_EACCESS, KBS_ETOOBIG, KBS_ETIMEOUT). */
int inv_ldap_fail(inv_ldap_fail_kind_t k, const char *zWhat, const char *zMsg, long code,
                  const char *zDiag, char *zErr, size_t nErr);

/* What a live read of the directory asks for. */
typedef struct inv_ldap_opts {
    const char *zUrl;            /* ldap://HOST[:PORT] or ldaps://HOST[:PORT] */
    const char *zBase;           /* search base DN; NULL: the server's default naming context */
    const char *zFilter;         /* NULL: (objectCategory=computer) */
    const char *zUser;           /* simple bind as this name; NULL: the platform's default (the
                                  * logged-on user on Windows, an anonymous bind elsewhere) */
    const char *zPassword;       /* with zUser: read from --password-file, never from argv */
    const char *zCaFile;         /* PEM file of the CA that signs the server's certificate */
    int bStartTls;               /* ldap:// upgraded with StartTLS before the bind */
    int timeLimit;               /* seconds the whole search may take (0: 300) */
} inv_ldap_opts_t;

/* inv_ldap_read: binds to the directory of o and calls fn for every computer account the search
 * returns, 1,000 a page (the simple paged results control); referrals are not followed.
 * *pzBase (may be NULL) gets the base searched (the server's default naming context when
 * o->zBase is NULL), in a buffer of nBase bytes. An unreachable server, a refused bind or
 * certificate, a size or time limit: zErr says which, and nothing is half-read: the caller
 * undoes what fn stored. Returns KBS_OK, KBS_EIO (connection, TLS), KBS_EACCESS (bind),
 * KBS_ETOOBIG (size limit), KBS_ETIMEOUT, KBS_EPARSE (a bad entry), KBS_EUNSUPPORTED (built
 * without LDAP) or fn's return. */
int inv_ldap_read(const inv_ldap_opts_t *o, inv_fn fn, void *pCtx, char *zBase, size_t nBase,
                  char *zErr, size_t nErr);

#endif
