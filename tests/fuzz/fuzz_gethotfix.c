/* fuzz_gethotfix.c: libFuzzer harness for Get-HotFix CSV rows: the first byte picks one of the
 * headers PowerShell writes, the rest is the body, so the fuzzer spends its time past the header. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imp.h"
#include "kbs_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

static const char *const azHead[] = {
    ("#TYPE System.Management.ManagementObject#root\\cimv2\\Win32_QuickFixEngineering\r\n"
     "\"PSComputerName\",\"InstalledOn\",\"__SERVER\",\"CSName\",\"Description\",\"HotFixID\","
     "\"ServicePackInEffect\"\r\n"),
    "\"Source\",\"Description\",\"HotFixID\",\"InstalledBy\",\"InstalledOn\"\r\n",
    "\"PSComputerName\";\"InstalledOn\";\"Description\";\"HotFixID\";\"CSName\"\n",
    ("Node,Caption,CSName,Description,FixComments,HotFixID,InstallDate,InstalledBy,InstalledOn,"
     "Name,ServicePackInEffect,Status\r\r\n"),
};

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData)
{
    const char *zHead;
    size_t nHead, n = 0, i;
    char *z;
    snap_t *a = NULL;
    imp_err_t err;
    int rc;
    if (nData < 1) return 0;
    zHead = azHead[aData[0] % (sizeof azHead / sizeof azHead[0])];
    nHead = strlen(zHead);
    z = malloc(nHead + nData - 1);
    if (!z) return 0;
    memcpy(z, zHead, nHead);
    memcpy(z + nHead, aData + 1, nData - 1);
    rc = imp_csv_parse(z, nHead + nData - 1, &a, &n, &err);
    if (rc == KBS_OK) {
        for (i = 0; i < n; i++) {
            if (a[i].zHost[0] == 0 || strlen(a[i].zHost) >= SNAP_HOST_MAX) abort();
            if (!a[i].hotfixesComplete && !a[i].zHotfixNote[0]) abort();
        }
        imp_free_snaps(a, n);
    } else if (a != NULL || n != 0 || err.rc != rc) {
        abort();
    }
    free(z);
    return 0;
}
