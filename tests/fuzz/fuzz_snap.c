/* fuzz_snap.c: libFuzzer harness for the snapshot parser; what parses must round-trip exactly. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "snap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    snap_t s, s2;
    snap_err_t err;
    char *z = NULL, *z2 = NULL;
    size_t n = 0, n2 = 0;

    if (snap_parse((const char *)data, size, &s, &err) != KBS_OK) {
        if (err.zReason[0] == 0) abort(); /* every rejection says why */
        return 0;
    }
    if (s.fmtMinor == SNAP_FMT_MINOR) {
        if (snap_write(&s, &z, &n) != KBS_OK) abort();
        if (snap_parse(z, n, &s2, &err) != KBS_OK) abort();
        if (snap_write(&s2, &z2, &n2) != KBS_OK || n != n2 || memcmp(z, z2, n) != 0) abort();
        snap_release(&s2);
    }
    free(z);
    free(z2);
    snap_release(&s);
    return 0;
}
