/* fuzz_qfecsv.c: libFuzzer harness for the CSV reader on raw input (wmic qfe and any CSV). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "kbs_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData)
{
    snap_t *a = NULL;
    size_t n = 0, i;
    imp_err_t err;
    int rc;
    (void)imp_detect((const char *)aData, nData);
    rc = imp_csv_parse((const char *)aData, nData, &a, &n, &err);
    if (rc == KBS_OK) {
        if (n == 0 || a == NULL) abort();
        for (i = 0; i < n; i++) {
            if (a[i].zHost[0] == 0 || a[i].osKnown != 0) abort();
            if (!a[i].hotfixesComplete && !a[i].zHotfixNote[0]) abort();
        }
        imp_free_snaps(a, n);
    } else {
        if (a != NULL || n != 0 || err.rc != rc || err.zReason[0] == 0) abort();
    }
    return 0;
}
