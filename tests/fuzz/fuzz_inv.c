/* fuzz_inv.c: libFuzzer harness for the directory export reader (Get-ADComputer / csvde CSV,
 * ldifde LDIF, dsquery and name lists) on raw input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inv.h"
#include "kbs_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

/* Every account handed out is whole: a name, NUL-terminated fields, a known enabled state. */
static int fuzz_inv_check(void *pCtx, const adc_t *a)
{
    size_t *pn = pCtx;
    if (!a->zName[0]) abort();
    if (memchr(a->zName, 0, sizeof a->zName) == NULL || memchr(a->zDn, 0, sizeof a->zDn) == NULL ||
        memchr(a->zDomain, 0, sizeof a->zDomain) == NULL || memchr(a->zOs, 0, sizeof a->zOs) == NULL)
        abort();
    if (a->enabled < -1 || a->enabled > 1) abort();
    (*pn)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData)
{
    size_t n = 0, nSkipped = 0;
    inv_kind_t kind;
    imp_err_t err;
    int rc;
    memset(&err, 0, sizeof err);
    rc = inv_parse((const char *)aData, nData, fuzz_inv_check, &n, &kind, &nSkipped, &err);
    if (rc == KBS_OK) {
        if (kind != INV_KIND_CSV && kind != INV_KIND_LDIF && kind != INV_KIND_LIST) abort();
    } else if (err.zReason[0] == 0) {
        abort(); /* every refusal says why */
    }
    return 0;
}
