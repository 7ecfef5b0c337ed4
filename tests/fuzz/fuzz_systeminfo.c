/* fuzz_systeminfo.c: libFuzzer harness for detection and the systeminfo reader (every run of the
 * command in the input). Seeded with real machines' outputs (corpus/systeminfo, from
 * tests/data/real and tests/data/imp). */
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
    int rc;
    (void)imp_detect((const char *)aData, nData);
    rc = imp_systeminfo_parse_all((const char *)aData, nData, &aSnap, &nSnap, &err);
    if (rc == KBS_OK) {
        if (nSnap == 0 || !aSnap) abort();
        for (k = 0; k < nSnap; k++) {
            const snap_t *s = &aSnap[k];
            /* what the rest of the console relies on (an empty host is named by its file) */
            if (strlen(s->zHost) >= SNAP_HOST_MAX) abort();
            if (!s->osKnown || strcmp(s->zOrigin, "systeminfo") != 0) abort();
            if (s->hotfixesComplete && s->zHotfixNote[0]) abort();
            if (!s->hotfixesComplete && !s->zHotfixNote[0]) abort();
            for (i = 0; i < s->nHotfix; i++)
                if (memchr(s->aHotfix[i].zRaw, 0, SNAP_RAW_MAX) == NULL) abort();
        }
        imp_free_snaps(aSnap, nSnap);
    } else {
        if (err.rc != rc || err.zReason[0] == 0 || aSnap || nSnap) abort();
    }
    return 0;
}
