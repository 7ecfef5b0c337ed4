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

#endif
