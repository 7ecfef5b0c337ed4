/* adc.h: a directory (Active Directory) computer account: its DN, OS strings, dates, and the
 * verdicts its OS strings alone can decide for a machine that never reported. */
#ifndef KBS_ADC_H
#define KBS_ADC_H

#include <stddef.h>
#include <stdint.h>

#include "cat.h"
#include "os.h"
#include "verdict.h"

#define ADC_NAME_MAX 256     /* a DNS host name */
#define ADC_DN_MAX 1024      /* longer DNs exist in theory; no computer's is near it */
#define ADC_OS_MAX 128

/* One computer account as the directory holds it. Strings are UTF-8, "" when not given; times are
 * Unix seconds UTC, 0 when not given (lastLogonTimestamp is 0 for a machine that never logged on,
 * which reads the same: "never"). */
typedef struct adc {
    char zName[ADC_NAME_MAX];    /* NetBIOS computer name (sAMAccountName without '$', else cn) */
    char zDnsName[ADC_NAME_MAX]; /* dNSHostName */
    char zDomain[ADC_NAME_MAX];  /* DNS domain, lower case: the DN's DC= parts, else the DNS
                                  * name's suffix; "" for a bare name list */
    char zDn[ADC_DN_MAX];        /* distinguishedName */
    char zOs[ADC_OS_MAX];        /* operatingSystem: "Windows XP Professional" */
    char zOsSp[64];              /* operatingSystemServicePack: "Service Pack 2" */
    char zOsVer[64];             /* operatingSystemVersion: "5.1 (2600)" */
    char zNetbios[16];           /* the domain's NetBIOS name when the directory says it (its
                                  * crossRef's nETBIOSName), else "" */
    int enabled;                 /* 1 enabled, 0 disabled (userAccountControl bit 2), -1 unknown */
    int64_t lastLogon, pwdLastSet, whenCreated;
} adc_t;

/* adc_dn_parent: the DN of the container holding zDn (after its first unescaped comma), or ""
 * for a DN of one RDN. Points into zDn. */
const char *adc_dn_parent(const char *zDn);

/* adc_dn_first_value: the value of zDn's first RDN ("PC01" of "CN=PC01,OU=...") into zOut,
 * escapes undone. Returns KBS_OK, KBS_EPARSE (not "attr=value") or KBS_ETOOBIG. */
int adc_dn_first_value(const char *zDn, char *zOut, size_t nOut);

/* adc_dn_domain: the DNS domain the DN's DC= components spell ("corp.example.com"), lower case,
 * into zOut; "" when it has none. Returns KBS_OK or KBS_ETOOBIG. */
int adc_dn_domain(const char *zDn, char *zOut, size_t nOut);

/* adc_dn_under: 1 when zDn is zBase or lies below it (RDN by RDN, ASCII case and the blanks
 * after commas ignored); 0 otherwise; an empty zBase holds everything. */
int adc_dn_under(const char *zDn, const char *zBase);

/* adc_filetime: a FILETIME count (100 ns since 1601, as lastLogonTimestamp and pwdLastSet hold
 * it) in Unix seconds; 0 for 0, for the "never" value 0x7FFFFFFFFFFFFFFF and before 1970. */
int64_t adc_filetime(uint64_t ft);

/* adc_gentime: an LDAP GeneralizedTime ("20170512083000.0Z", whenCreated) into *pT. Returns
 * KBS_OK or KBS_EPARSE. */
int adc_gentime(const char *z, int64_t *pT);

/* adc_finish: fills what the other fields imply: the name from the DN's first RDN or the DNS
 * name's first label, the domain from the DN or the DNS name; the name loses a trailing '$'.
 * Returns KBS_OK, or KBS_EINVAL when no name can be found. */
int adc_finish(adc_t *a);

/* adc_netbios_default: the NetBIOS form of a DNS domain that Windows proposes when a domain is
 * made: its first label, upper case, at most 15 characters ("corp.example.com" -> "CORP"). */
void adc_netbios_default(const char *zDomain, char *zOut, size_t nOut);

/* adc_os_info: the OS facts the directory strings give (version "5.1 (2600)", service pack
 * "Service Pack 2", workstation or server from the name) into *pOs. Returns 1 when the version
 * was read, 0 when the strings say nothing usable (*pOs then unknown). */
int adc_os_info(const adc_t *a, os_info_t *pOs);

/* adc_eval: the verdicts of every rule of c for a machine known only from the directory: what
 * the directory's OS and service pack decide alone (unpatchable, not-affected: "by the
 * directory's OS only"), else unknown with "no scan: in the directory since ..., last logon
 * ..."; never patched, mitigated or missing (no hotfix list was seen). aOut has room for
 * c->nRule. Returns the number written, or KBS_EINVAL. */
int adc_eval(const cat_t *c, const adc_t *a, verdict_t *aOut, size_t nOut);

#endif
