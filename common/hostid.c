/* hostid.c: host identity for merging scans: same machine id, or same name and same domain. */
#include "hostid.h"

static int hostid_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'a' && x <= 'z') x -= 32;
        if (y >= 'a' && y <= 'z') y -= 32;
        if (x != y || !x) return x - y;
    }
}

static const char *hostid_str(const char *z)
{
    return z ? z : "";
}

int hostid_conflict(const hostid_facts_t *a, const hostid_facts_t *b)
{
    const char *zDa = hostid_str(a->zDomain), *zDb = hostid_str(b->zDomain);
    const char *zMa = hostid_str(a->zMachineId), *zMb = hostid_str(b->zMachineId);
    if (hostid_casecmp(hostid_str(a->zName), hostid_str(b->zName))) return 1;
    if (zDa[0] && zDb[0] && hostid_casecmp(zDa, zDb)) return 1;
    /* Machine ids are compared as written: a MachineGuid or SID is not case-folded anywhere. */
    if (zMa[0] && zMb[0] && hostid_casecmp(zMa, zMb)) return 1;
    return 0;
}

int hostid_ambiguous(const hostid_facts_t *aCand, size_t nCand)
{
    size_t i, nDom = 0;
    for (i = 0; i < nCand; i++) nDom += hostid_str(aCand[i].zDomain)[0] != 0;
    return nDom >= 2;
}

hostid_decision_t hostid_choose(const hostid_facts_t *s, const hostid_facts_t *aCand, size_t nCand,
                                size_t *piHost, size_t *pnMatch)
{
    size_t i, nMatch = 0, nDom = 0, iMatch = HOSTID_NONE, iHolder = HOSTID_NONE;
    const char *zMid = hostid_str(s->zMachineId);

    *piHost = HOSTID_NONE;
    for (i = 0; i < nCand; i++) {
        const hostid_facts_t *c = &aCand[i];
        /* The same machine id is proof whatever the names say (a renamed machine). */
        if (zMid[0] && !hostid_casecmp(zMid, hostid_str(c->zMachineId))) {
            *piHost = i;
            if (pnMatch) *pnMatch = 1;
            return HOSTID_SAME;
        }
    }
    for (i = 0; i < nCand; i++) {
        const hostid_facts_t *c = &aCand[i];
        int bDom = hostid_str(c->zDomain)[0] != 0;
        nDom += bDom;
        if (hostid_conflict(s, c)) continue;
        nMatch++;
        if (iMatch == HOSTID_NONE) iMatch = i;
        if (!bDom && !hostid_str(c->zMachineId)[0] && iHolder == HOSTID_NONE) iHolder = i;
    }
    if (pnMatch) *pnMatch = nMatch;
    if (hostid_str(s->zDomain)[0]) {
        /* Same name and same domain first; a domain-less host only while no host of this name
         * has a domain (else it holds scans that are ambiguous by now). */
        for (i = 0; i < nCand; i++) {
            if (!hostid_str(aCand[i].zDomain)[0] || hostid_conflict(s, &aCand[i])) continue;
            *piHost = i;
            return HOSTID_SAME;
        }
        if (!nDom && nMatch == 1) {
            *piHost = iMatch;
            return HOSTID_SAME;
        }
        return HOSTID_NEW;
    }
    if (nMatch == 1 && nDom < 2) {
        *piHost = iMatch;
        return HOSTID_SAME;
    }
    if (nMatch == 0) return HOSTID_NEW;
    *piHost = iHolder;
    return HOSTID_APART;
}

size_t hostid_dir_choose(const char *zHostDomain, const hostid_dir_t *aDir, size_t nDir)
{
    size_t i, iMatch = HOSTID_NONE, nMatch = 0;
    const char *zHd = hostid_str(zHostDomain);
    if (!zHd[0] || (nDir == 1 && !hostid_str(aDir[0].zDomain)[0])) return nDir == 1 ? 0 : HOSTID_NONE;
    for (i = 0; i < nDir; i++) {
        if (hostid_casecmp(zHd, hostid_str(aDir[i].zDomain)) &&
            hostid_casecmp(zHd, hostid_str(aDir[i].zNetbios)))
            continue;
        /* Two DNS domains whose NetBIOS names are the same cannot be told apart by it. */
        nMatch++;
        iMatch = i;
    }
    return nMatch == 1 ? iMatch : HOSTID_NONE;
}
