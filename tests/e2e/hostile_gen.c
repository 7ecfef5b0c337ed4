/* hostile_gen.c: writes agent snapshots whose host names are hostile (paths, markup, formulas, SQL, long, non-ASCII). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "snap.h"

/* The names under test. A forged snapshot may claim any name; the console must store it
 * exactly and show it without harm. */
static const char *const g_azName[] = {
    "..\\..\\..\\Windows\\evil",
    "../../../tmp/kbs-e2e-evil",
    "<script>alert('kbs')</script>",
    "<img src=x onerror=alert(1)>&amp;\"q\"",
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|",
    "-2+3",
    "@SUM(A1)",
    "x'; DROP TABLE hosts;--",
    "\"); DELETE FROM hosts; --",
    "\xd0\x9f\xd0\x9a-\xc3\x9cml\xc3\xa4ut-\xe6\x97\xa5\xe6\x9c\xac-\xf0\x9f\x92\xbb",
    "TAB\tAND\r\nNEWLINE",
    "a,b;c|d%41",
    "NUL",
    NULL, /* the 255-byte name, filled in main */
};
#define N_NAME (sizeof(g_azName) / sizeof(g_azName[0]))

/* hg_write: host zName as XP SP3 x86, patched for MS17-010 when isPatched; written to zPath.
 * Returns KBS_OK or an error code. */
static int hg_write(const char *zPath, const char *zName, size_t i, int isPatched)
{
    snap_t s;
    ver_t v;
    char *zOut = NULL;
    size_t nOut = 0;
    char zId[64];
    FILE *f = NULL;
    int rc;

    snap_init(&s);
    snap_copy_field(s.zOrigin, sizeof(s.zOrigin), "agent");
    snap_copy_field(s.zHost, sizeof(s.zHost), zName);
    snap_copy_field(s.zDomain, sizeof(s.zDomain), "E2E");
    snprintf(zId, sizeof(zId), "{E2E0FFFF-0000-4000-8000-%012u}", (unsigned)i);
    snap_copy_field(s.zMachineId, sizeof(s.zMachineId), zId);
    snap_copy_field(s.zAgentVersion, sizeof(s.zAgentVersion), "0.1.0");
    s.scanTime = 1494662400 + (int64_t)i * 60; /* 2017-05-13, one minute apart */
    s.osKnown = 1;
    s.os.major = 5;
    s.os.minor = 1;
    s.os.build = 2600;
    s.os.sp_major = 3;
    s.os.sp_known = 1;
    s.os.product_type = OS_PT_WORKSTATION;
    s.os.arch = OS_ARCH_X86;
    snap_copy_field(s.os.zProductName, sizeof(s.os.zProductName),
                    "Microsoft Windows XP Professional");
    snap_copy_field(s.os.zCsdVersion, sizeof(s.os.zCsdVersion), "Service Pack 3");
    if ((rc = snap_add_source(&s, "wmi-qfe", 1, "")) != KBS_OK) goto out;
    if ((rc = snap_add_hotfix(&s, "KB958644", SNAP_SRC_QFE, "2008-10-26", -1)) != KBS_OK) goto out;
    if (isPatched &&
        (rc = snap_add_hotfix(&s, "KB4012598", SNAP_SRC_QFE, "2017-05-13", -1)) != KBS_OK)
        goto out;
    if ((rc = ver_parse(isPatched ? "5.1.2600.7208" : "5.1.2600.6475", &v)) != KBS_OK) goto out;
    if ((rc = snap_add_file(&s, "C:\\WINDOWS\\system32\\drivers\\srv.sys", 1, &v, "")) != KBS_OK)
        goto out;
    if ((rc = snap_write(&s, &zOut, &nOut)) != KBS_OK) {
        fprintf(stderr, "hostile_gen: snap_write for name %u: %s\n", (unsigned)i, kbs_strerror(rc));
        goto out;
    }
    if (!(f = fopen(zPath, "wb")) || fwrite(zOut, 1, nOut, f) != nOut) {
        fprintf(stderr, "hostile_gen: cannot write %s\n", zPath);
        rc = KBS_EIO;
        goto out;
    }
    rc = KBS_OK;
out:
    if (f && fclose(f) != 0 && rc == KBS_OK) rc = KBS_EIO;
    free(zOut);
    snap_release(&s);
    return rc;
}

/* Writes DIR/hostile-NN.kbs for each name and the list NAMES (outside DIR: the collector would
 * call it a bad input): per line the name in hex and the expected MS17-010 verdict. */
int main(int argc, char **argv)
{
    char zLong[256];
    char zPath[4096];
    const char *azName[N_NAME];
    FILE *fList = NULL;
    size_t i, k;
    int rc = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: hostile_gen DIR NAMES\n");
        return 2;
    }
    /* 255 bytes: the longest DNS name; ends in a non-ASCII character so a cut would show. */
    memset(zLong, 'L', sizeof(zLong));
    memcpy(zLong + 251, "\xc3\xa9Z", 3);
    zLong[254] = '!';
    zLong[255] = '\0';
    for (i = 0; i < N_NAME; i++) azName[i] = g_azName[i] ? g_azName[i] : zLong;

    if (!(fList = fopen(argv[2], "w"))) {
        fprintf(stderr, "hostile_gen: cannot write %s\n", argv[2]);
        return 2;
    }
    for (i = 0; i < N_NAME; i++) {
        int isPatched = (int)(i % 2);
        snprintf(zPath, sizeof(zPath), "%s/hostile-%02u.kbs", argv[1], (unsigned)i);
        if (hg_write(zPath, azName[i], i, isPatched) != KBS_OK) rc = 2;
        for (k = 0; azName[i][k]; k++) fprintf(fList, "%02x", (unsigned char)azName[i][k]);
        fprintf(fList, " %s\n", isPatched ? "patched" : "missing");
    }
    if (fclose(fList) != 0) rc = 2;
    printf("hostile_gen: %u snapshots in %s\n", (unsigned)N_NAME, argv[1]);
    return rc;
}
