/* fuzz_systeminfo.c: libFuzzer harness for detection and the systeminfo reader. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "kbs_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData)
{
    snap_t s;
    imp_err_t err;
    size_t i;
    int rc;
    (void)imp_detect((const char *)aData, nData);
    rc = imp_systeminfo_parse((const char *)aData, nData, &s, &err);
    if (rc == KBS_OK) {
        /* what the rest of the console relies on */
        if (s.zHost[0] == 0 || strlen(s.zHost) >= SNAP_HOST_MAX) abort();
        if (!s.osKnown || strcmp(s.zOrigin, "systeminfo") != 0) abort();
        if (s.hotfixesComplete && s.zHotfixNote[0]) abort();
        if (!s.hotfixesComplete && !s.zHotfixNote[0]) abort();
        for (i = 0; i < s.nHotfix; i++)
            if (memchr(s.aHotfix[i].zRaw, 0, SNAP_RAW_MAX) == NULL) abort();
        snap_release(&s);
    } else {
        if (err.rc != rc || err.zReason[0] == 0 || s.nHotfix != 0) abort();
    }
    return 0;
}
