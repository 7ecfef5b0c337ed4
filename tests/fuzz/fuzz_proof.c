/* fuzz_proof.c: libFuzzer harness for the checks of ProofFiles / ProofValues policy entries and
 * the REG_MULTI_SZ walk the agent reads them with. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "proof.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

/* 1 when the '\\'-separated path z has a component "." or "..". */
static int fuzz_proof_dot_part(const char *z)
{
    while (*z) {
        size_t n = strcspn(z, "\\");
        if ((n == 1 && z[0] == '.') || (n == 2 && z[0] == '.' && z[1] == '.')) return 1;
        z += n;
        if (*z) z++;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData)
{
    char *zEntry = malloc(nData + 1);
    char zRel[PROOF_FILE_LEN_MAX + 8], zKey[PROOF_VALUE_LEN_MAX + 8], zValue[PROOF_VALUE_LEN_MAX + 8];
    char zFact[PROOF_NAME_MAX], zWhy[256];
    uint16_t *aUnit;
    size_t nUnit = nData / 2, off = 0, nStr, nSeen = 0;
    const uint16_t *zStr;
    if (!zEntry) return 0;
    memcpy(zEntry, aData, nData);
    zEntry[nData] = 0;

    zWhy[0] = 0;
    if (proof_file_check(zEntry, zRel, sizeof zRel, zWhy, sizeof zWhy) == KBS_OK) {
        /* an accepted path is relative and stays inside the Windows directory */
        if (!zRel[0] || zRel[0] == '\\' || strchr(zRel, ':') || fuzz_proof_dot_part(zRel)) abort();
    } else if (!zWhy[0]) {
        abort();
    }
    zWhy[0] = 0;
    if (proof_value_check(zEntry, zKey, sizeof zKey, zValue, sizeof zValue, zFact, sizeof zFact,
                          zWhy, sizeof zWhy) == KBS_OK) {
        if (!zValue[0] || !zFact[0] || strlen(zFact) >= PROOF_NAME_MAX) abort();
    } else if (!zWhy[0]) {
        abort();
    }
    free(zEntry);

    /* the same bytes as a REG_MULTI_SZ: the walk stays inside the buffer and ends */
    if (!(aUnit = malloc(nUnit ? nUnit * 2 : 1))) return 0;
    if (nUnit) memcpy(aUnit, aData, nUnit * 2);
    while (proof_msz_next(aUnit, nUnit, &off, &zStr, &nStr)) {
        if (zStr < aUnit || zStr + nStr > aUnit + nUnit || ++nSeen > nUnit) abort();
    }
    free(aUnit);
    return 0;
}
