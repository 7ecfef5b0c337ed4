/* inv_ldap.c: live LDAP reads of the directory for builds without an LDAP client library. */
#include "inv.h"

#include <stdio.h>

#include "kbs_err.h"

#if !defined(KBS_HAVE_LDAP)
int inv_ldap_read(const inv_ldap_opts_t *o, inv_fn fn, void *pCtx, char *zBase, size_t nBase,
                  char *zErr, size_t nErr)
{
    (void)o, (void)fn, (void)pCtx, (void)zBase, (void)nBase;
    snprintf(zErr, nErr, "this kbsentry was built without an LDAP client (libldap): export the "
                         "accounts (Get-ADComputer | Export-Csv, ldifde) and read the file");
    return KBS_EUNSUPPORTED;
}
#endif
