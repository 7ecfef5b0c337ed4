/* fuzz_table.c: libFuzzer harness for the Get-HotFix / Win32_QuickFixEngineering / wmic qfe
 * console table reader, seeded with real tables (corpus/table). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "kbs_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData)
{
    snap_t *aSnap = NULL;
    imp_err_t err;
    size_t i, k, nSnap = 0;
    int rc = imp_table_parse((const char *)aData, nData, &aSnap, &nSnap, &err);
    if (rc == KBS_OK) {
        if (nSnap == 0 || !aSnap) abort();
        for (k = 0; k < nSnap; k++) {
            if (strlen(aSnap[k].zHost) >= SNAP_HOST_MAX || aSnap[k].osKnown) abort();
            if (aSnap[k].nHotfix == 0) abort();
            if (!aSnap[k].hotfixesComplete && !aSnap[k].zHotfixNote[0]) abort();
            for (i = 0; i < aSnap[k].nHotfix; i++)
                if (memchr(aSnap[k].aHotfix[i].zRaw, 0, SNAP_RAW_MAX) == NULL) abort();
        }
        imp_free_snaps(aSnap, nSnap);
    } else {
        if (err.rc != rc || err.zReason[0] == 0 || aSnap || nSnap) abort();
    }
    return 0;
}
