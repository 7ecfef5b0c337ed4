/* win_facts.c: reads the registry facts behind the catalog's workarounds (SMBv1 server off, SMB
 * compression off, Point and Print prompts, NLA, the Spooler disabled, ms-msdt removed), each as a
 * value or as unknown with the reason, never as a guess. */
#include "win_facts.h"

#include <stdio.h>
#include <string.h>

#include "kbs_err.h"

#define FACT_LANMAN  L"SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters"
#define FACT_PNP     L"SOFTWARE\\Policies\\Microsoft\\Windows NT\\Printers\\PointAndPrint"
#define FACT_RDP     L"SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp"
#define FACT_SPOOLER L"SYSTEM\\CurrentControlSet\\Services\\Spooler"
#define FACT_MSDT    L"SOFTWARE\\Classes\\ms-msdt"

/* One DWORD fact: which key and value, what its key's absence means, from which OS on. */
typedef struct fact_dword {
    const char *zFact;
    const wchar_t *zKey, *zValue;
    int bKeyNeeded; /* 1: a missing key is unknown (zNoKey says why); 0: reads "absent" */
    const char *zNoKey;
    uint32_t minMajor, minMinor;
} fact_dword_t;

static const fact_dword_t g_aDword[] = {
    /* KB2696547: the value only works from Vista on. */
    {"LanmanServer.SMB1", FACT_LANMAN, L"SMB1", 0, NULL, 6, 0},
    /* SMBv3 compression exists from Windows 10 1903 on (build decided by the catalog). */
    {"LanmanServer.DisableCompression", FACT_LANMAN, L"DisableCompression", 0, NULL, 10, 0},
    {"PointAndPrint.NoWarningNoElevationOnInstall", FACT_PNP, L"NoWarningNoElevationOnInstall", 0,
     NULL, 5, 0},
    /* CVE-2021-34527 / KB5005652: Point and Print without prompts exposes a patched machine only
     * where RestrictDriverInstallationToAdministrators is 0 (the fact name holds 47 bytes). */
    {"PointAndPrint.UpdatePromptSettings", FACT_PNP, L"UpdatePromptSettings", 0, NULL, 5, 0},
    {"PointAndPrint.RestrictDriverInstallation", FACT_PNP, L"RestrictDriverInstallationToAdministrators", 0,
     NULL, 5, 0},
    /* Network Level Authentication is a Vista+ server feature. */
    {"RDP-Tcp.UserAuthentication", FACT_RDP, L"UserAuthentication", 0, NULL, 6, 0},
    /* The Service Control Manager keeps a service's start type here (4: disabled). */
    {"Spooler.Start", FACT_SPOOLER, L"Start", 1, "service not installed", 5, 0},
};

static int facts_add(snap_t *s, const char *zFact, const char *zValue, const char *zErr)
{
    int rc = snap_add_fact(s, zFact, zValue, zErr);
    /* A name already there (a second scan pass) is not an error of this machine. */
    return rc == KBS_EINVAL ? KBS_OK : rc;
}

/* Opens root\zKey in the native view: ERROR_SUCCESS, or the Win32 code with *ph NULL. */
static LONG facts_open(const reg_ctx_t *r, const wchar_t *zKey, HKEY *ph)
{
    LONG e = r->sys->pfnRegOpenKeyExW(r->hRoot, zKey, 0, KEY_READ | r->aView[0], ph);
    if (e != ERROR_SUCCESS) *ph = NULL;
    return e;
}

static int facts_dword(const reg_ctx_t *r, const fact_dword_t *f, snap_t *s)
{
    HKEY h = NULL;
    BYTE buf[64];
    DWORD type = REG_NONE, cb = sizeof(buf);
    uint32_t v = 0;
    char zWhy[SNAP_ERR_MAX], zVal[16];
    LONG e = facts_open(r, f->zKey, &h);
    int rc;

    if (e == ERROR_FILE_NOT_FOUND)
        return f->bKeyNeeded ? facts_add(s, f->zFact, NULL, f->zNoKey)
                             : facts_add(s, f->zFact, "absent", NULL);
    if (e != ERROR_SUCCESS) {
        winapi_errfmt(zWhy, sizeof(zWhy), "RegOpenKeyExW", NULL, (unsigned long)e);
        return facts_add(s, f->zFact, NULL, zWhy);
    }
    e = r->sys->pfnRegQueryValueExW(h, f->zValue, NULL, &type, buf, &cb);
    r->sys->pfnRegCloseKey(h);
    if (e == ERROR_FILE_NOT_FOUND) return facts_add(s, f->zFact, "absent", NULL);
    if (e == ERROR_MORE_DATA) {
        snprintf(zWhy, sizeof(zWhy), "not a DWORD (type %lu, more than %u bytes)",
                 (unsigned long)type, (unsigned)sizeof(buf));
        return facts_add(s, f->zFact, NULL, zWhy);
    }
    if (e != ERROR_SUCCESS) {
        winapi_errfmt(zWhy, sizeof(zWhy), "RegQueryValueExW", NULL, (unsigned long)e);
        return facts_add(s, f->zFact, NULL, zWhy);
    }
    if ((rc = reg_value_dword(type, buf, cb, &v, zWhy, sizeof(zWhy))) != KBS_OK)
        return facts_add(s, f->zFact, NULL, zWhy);
    snprintf(zVal, sizeof(zVal), "%lu", (unsigned long)v);
    return facts_add(s, f->zFact, zVal, NULL);
}

/* HKCR\ms-msdt: machine-wide HKCR is HKLM\SOFTWARE\Classes (the service's own HKCU is not the
 * users'); Microsoft's workaround deletes the key there. */
static int facts_msdt(const reg_ctx_t *r, snap_t *s)
{
    HKEY h = NULL;
    char zWhy[SNAP_ERR_MAX];
    LONG e = facts_open(r, FACT_MSDT, &h);

    if (e == ERROR_SUCCESS) {
        r->sys->pfnRegCloseKey(h);
        return facts_add(s, "HKCR.ms-msdt", "present", NULL);
    }
    if (e == ERROR_FILE_NOT_FOUND) return facts_add(s, "HKCR.ms-msdt", "absent", NULL);
    winapi_errfmt(zWhy, sizeof(zWhy), "RegOpenKeyExW", NULL, (unsigned long)e);
    return facts_add(s, "HKCR.ms-msdt", NULL, zWhy);
}

int facts_collect_reg(const reg_ctx_t *r, uint32_t major, uint32_t minor, snap_t *s)
{
    size_t i;
    int rc;

    for (i = 0; i < sizeof(g_aDword) / sizeof(g_aDword[0]); i++) {
        const fact_dword_t *f = &g_aDword[i];
        if (major < f->minMajor || (major == f->minMajor && minor < f->minMinor)) continue;
        if ((rc = facts_dword(r, f, s)) != KBS_OK) return rc;
    }
    /* The MSDT protocol handler came with Windows 7. */
    if (major > 6 || (major == 6 && minor >= 1)) return facts_msdt(r, s);
    return KBS_OK;
}

const char *facts_feature_state(uint32_t installState)
{
    switch (installState) {
    case 1: return "enabled";
    case 2: return "disabled";
    case 3: return "absent";
    default: return NULL;
    }
}
