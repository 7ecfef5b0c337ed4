/* hostid.h: whether a scan belongs to a stored host: the identity rules used when merging. */
#ifndef KBS_HOSTID_H
#define KBS_HOSTID_H

#include <stddef.h>

/* What identifies a machine in a scan or a stored host; "" when the input does not say. */
typedef struct hostid_facts {
    const char *zName;
    const char *zDomain;         /* hotfix CSVs (wmic qfe, Get-HotFix) carry none */
    const char *zMachineId;
} hostid_facts_t;

typedef enum hostid_decision {
    HOSTID_NEW = 0,              /* no stored host is this machine: a new host */
    HOSTID_SAME,                 /* the candidate *piHost is this machine */
    HOSTID_APART,                /* a domain-less scan whose name several hosts have: not merged
                                  * into any; *piHost is the domain-less host that holds such
                                  * scans apart, or HOSTID_NONE when there is none yet */
} hostid_decision_t;

#define HOSTID_NONE ((size_t)-1)

/* hostid_conflict: 1 when a and b are provably two machines: other names (ASCII case
 * ignored), two domains that differ, or two machine ids that differ. */
int hostid_conflict(const hostid_facts_t *a, const hostid_facts_t *b);

/* hostid_choose: where scan s goes among aCand[0..nCand-1], the stored hosts of its name. A scan
 * merges only on proof: the same machine id, or the same name and domain. A scan with a domain
 * also takes over the one host of its name that has no domain and no conflicting fact, when no
 * host of that name has a domain (the hotfix CSV collected before its systeminfo). A domain-less
 * scan merges into the one host of its name without conflicting facts; when several match it is
 * kept apart (HOSTID_APART). *piHost gets the candidate's index (HOSTID_NONE for HOSTID_NEW),
 * *pnMatch (may be NULL) the number of hosts the name matched without conflict. */
hostid_decision_t hostid_choose(const hostid_facts_t *s, const hostid_facts_t *aCand, size_t nCand,
                                size_t *piHost, size_t *pnMatch);

/* hostid_ambiguous: 1 when the hosts aCand[0..nCand-1] of one name make a domain-less scan of
 * that name ambiguous (two or more of them have a domain): domain-less scans merged into one of
 * them before must then be held apart. */
int hostid_ambiguous(const hostid_facts_t *aCand, size_t nCand);

/* A directory computer of a host's name, as hostid_dir_choose compares it. */
typedef struct hostid_dir {
    const char *zDomain;         /* DNS domain ("corp.example.com"); "" for a bare name list */
    const char *zNetbios;        /* the domain's NetBIOS name ("CORP") */
} hostid_dir_t;

/* hostid_dir_choose: which of the directory computers aDir[0..nDir-1] (all of the host's name)
 * the reporting host whose scans name the domain zHostDomain (NetBIOS "CORP" or DNS
 * "corp.example.com" form, ASCII case ignored) is. A host with a domain is the one computer of
 * that domain; a host without one (hotfix CSVs), or a computer without one (a name list), is
 * joined only when it is the only computer of the name: a name is never enough across domains.
 * Returns the index, or HOSTID_NONE (no computer, or more than one could be it). */
size_t hostid_dir_choose(const char *zHostDomain, const hostid_dir_t *aDir, size_t nDir);

#endif
