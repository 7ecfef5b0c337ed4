/* scan.c: runs every collector (version API, registry, WMI, files), merges their answers into one
 * snapshot by trust order, and records which sources worked and why the others did not. */
#include "scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kbs_err.h"
#include "kbs_version.h"
#include "win_facts.h"
#include "win_file.h"
#include "win_proof.h"
#include "win_reg.h"
#include "win_wmi.h"

static int scan_stopped(const scan_opts_t *o)
{
    return o->hStop && WaitForSingleObject(o->hStop, 0) == WAIT_OBJECT_0;
}

/* Copies zSrc into z (n bytes) when z is still empty and zSrc is not. */
static void scan_fill(char *z, size_t n, const char *zSrc)
{
    if (!z[0] && zSrc && zSrc[0]) snprintf(z, n, "%s", zSrc);
}

/* "5.1" -> 5, 1; returns 1 when both parts read. */
static int scan_major_minor(const char *z, uint32_t *pMaj, uint32_t *pMin)
{
    unsigned long a, b;
    char *e1, *e2;

    a = strtoul(z, &e1, 10);
    if (e1 == z || *e1 != '.') return 0;
    b = strtoul(e1 + 1, &e2, 10);
    if (e2 == e1 + 1 || a > 100 || b > 100) return 0;
    *pMaj = (uint32_t)a;
    *pMin = (uint32_t)b;
    return 1;
}

static uint32_t scan_u32(const char *z)
{
    unsigned long v;
    char *e;

    v = strtoul(z, &e, 10);
    return e != z && v < 1000000UL ? (uint32_t)v : 0;
}

/* LCID -> "en-US" (GetLocaleInfoW exists on XP; LCIDToLocaleName does not). */
static void scan_lcid_name(LCID lcid, char *z, size_t n)
{
    wchar_t zLang[16], zCtry[16], zAll[40];

    z[0] = 0;
    if (!lcid || !GetLocaleInfoW(lcid, LOCALE_SISO639LANGNAME, zLang, 16) ||
        !GetLocaleInfoW(lcid, LOCALE_SISO3166CTRYNAME, zCtry, 16))
        return;
    zLang[15] = zCtry[15] = 0;
    _snwprintf(zAll, 39, L"%ls-%ls", zLang, zCtry);
    zAll[39] = 0;
    winapi_utf8(zAll, (size_t)-1, z, n);
}

/* Own process: the version API. */
static void scan_os_api(snap_t *s)
{
    OSVERSIONINFOEXW vi;
    char zErr[SNAP_ERR_MAX], zCsd[64];

    if (winapi_os_version(&vi, zErr, sizeof(zErr)) != KBS_OK) {
        snap_add_source(s, "os-version", 0, zErr);
        return;
    }
    s->os.major = vi.dwMajorVersion;
    s->os.minor = vi.dwMinorVersion;
    s->os.build = vi.dwBuildNumber & 0xFFFF;
    s->os.sp_major = vi.wServicePackMajor;
    s->os.sp_minor = vi.wServicePackMinor;
    s->os.sp_known = 1;
    if (vi.wProductType >= 1 && vi.wProductType <= 3)
        s->os.product_type = (os_ptype_t)vi.wProductType;
    winapi_utf8(vi.szCSDVersion, sizeof(vi.szCSDVersion) / sizeof(vi.szCSDVersion[0]), zCsd,
                sizeof(zCsd));
    scan_fill(s->os.zCsdVersion, sizeof(s->os.zCsdVersion), zCsd);
    s->osKnown = 1;
    snap_add_source(s, "os-version", 1, NULL);
}

static void scan_reg_os(const reg_ctx_t *r, snap_t *s)
{
    reg_os_t o;
    char zErr[SNAP_ERR_MAX];
    int rc;

    rc = reg_read_os(r, &o, zErr, sizeof(zErr));
    if (rc != KBS_OK) {
        snap_add_source(s, "reg-os", 0, zErr);
        return;
    }
    /* The version API is trusted over CurrentVersion (which says 6.3 on Windows 10). */
    if (!s->osKnown) {
        if (o.hasMajor) {
            s->os.major = o.major;
            s->os.minor = o.minor;
        } else {
            scan_major_minor(o.zCurrentVersion, &s->os.major, &s->os.minor);
        }
        s->os.build = scan_u32(o.zBuild);
        s->osKnown = s->os.major != 0;
    }
    scan_fill(s->os.zProductName, sizeof(s->os.zProductName), o.zProductName);
    scan_fill(s->os.zEdition, sizeof(s->os.zEdition), o.zEdition);
    scan_fill(s->os.zCsdVersion, sizeof(s->os.zCsdVersion), o.zCsdVersion);
    /* DisplayVersion (20H2 and later) names the release better than ReleaseId ("2009"). */
    scan_fill(s->os.zDisplayVersion, sizeof(s->os.zDisplayVersion), o.zDisplayVersion);
    scan_fill(s->os.zDisplayVersion, sizeof(s->os.zDisplayVersion), o.zReleaseId);
    if (o.hasUbr) s->os.ubr = o.ubr;
    if (o.hasInstallDate)
        reg_unix_iso((int64_t)o.installDate, s->os.zInstallDate, sizeof(s->os.zInstallDate));
    scan_fill(s->zMachineId, sizeof(s->zMachineId), o.zMachineGuid);
    /* A malformed value is reported, but the rest of the key was read. */
    if (o.nBad)
        snap_add_source(s, "reg-os", 0, o.zBad);
    else
        snap_add_source(s, "reg-os", 1, NULL);
}

/* Records one hotfix-list source; returns 1 when the list it gave is complete. */
static int scan_list_source(snap_t *s, const char *zName, int rc, const char *zErr, int absentOk)
{
    char zMsg[SNAP_ERR_MAX];

    if (rc == KBS_OK || (rc == KBS_ENOTFOUND && absentOk)) {
        snap_add_source(s, zName, 1, NULL);
        return 1;
    }
    if (rc == KBS_ETOOBIG) {
        snprintf(zMsg, sizeof(zMsg), "more than %u hotfixes", (unsigned)SNAP_HOTFIX_MAX);
        zErr = zMsg;
    }
    snap_add_source(s, zName, 0, zErr && zErr[0] ? zErr : kbs_strerror(rc));
    return 0;
}

/* WMI: OS, computer system, QFE. Returns KBS_ETIMEOUT when stopped, KBS_ENOMEM, else KBS_OK
 * (failures are sources); *pQfeOk says whether the QFE list is complete. */
static int scan_wmi(const scan_opts_t *o, snap_t *s, int *pQfeOk, char *zDomain, size_t nDomain)
{
    wmi_t w;
    wmi_os_t wo;
    wmi_cs_t wc;
    char zErr[SNAP_ERR_MAX];
    size_t n;
    int rc;

    *pQfeOk = 0;
    rc = wmi_open(&w, o->sys, o->hStop, o->wmiNextMs, o->wmiBudgetMs, zErr, sizeof(zErr));
    if (rc != KBS_OK) {
        snap_add_source(s, "wmi-os", 0, zErr);
        snap_add_source(s, "wmi-cs", 0, zErr);
        snap_add_source(s, "wmi-qfe", 0, zErr);
        return rc == KBS_ENOMEM ? rc : KBS_OK;
    }
    rc = wmi_query_os(&w, &wo, zErr, sizeof(zErr));
    snap_add_source(s, "wmi-os", rc == KBS_OK, rc == KBS_OK ? NULL : zErr);
    if (rc == KBS_OK) {
        if (!s->osKnown) {
            scan_major_minor(wo.zVersion, &s->os.major, &s->os.minor);
            s->os.build = scan_u32(wo.zBuild);
            s->osKnown = s->os.major != 0;
        }
        scan_fill(s->os.zProductName, sizeof(s->os.zProductName), wo.zCaption);
        scan_fill(s->os.zCsdVersion, sizeof(s->os.zCsdVersion), wo.zCsdVersion);
        scan_fill(s->os.zInstallDate, sizeof(s->os.zInstallDate), wo.zInstallDate);
        if (!s->os.sp_known && wo.hasSp) {
            s->os.sp_major = wo.spMajor;
            s->os.sp_minor = wo.spMinor;
            s->os.sp_known = 1;
        }
        if (s->os.product_type == OS_PT_UNKNOWN && wo.hasProductType && wo.productType >= 1 &&
            wo.productType <= 3)
            s->os.product_type = (os_ptype_t)wo.productType;
        if (s->os.arch == OS_ARCH_UNKNOWN && wo.zArch[0])
            s->os.arch = strstr(wo.zArch, "64") ? OS_ARCH_X64 : OS_ARCH_X86;
        scan_fill(s->os.zUiLanguage, sizeof(s->os.zUiLanguage), wo.zMuiLanguage);
        if (!s->os.zUiLanguage[0] && wo.hasOsLanguage)
            scan_lcid_name((LCID)wo.osLanguage, s->os.zUiLanguage, sizeof(s->os.zUiLanguage));
    }
    if (rc == KBS_ENOMEM || scan_stopped(o)) goto out;
    rc = wmi_query_cs(&w, &wc, zErr, sizeof(zErr));
    snap_add_source(s, "wmi-cs", rc == KBS_OK, rc == KBS_OK ? NULL : zErr);
    if (rc == KBS_OK) {
        scan_fill(s->zHost, sizeof(s->zHost), wc.zName);
        /* XP has no PartOfDomain; there Domain holds the workgroup when not joined. */
        scan_fill(zDomain, nDomain,
                  wc.partOfDomain == 0 && wc.zWorkgroup[0] ? wc.zWorkgroup : wc.zDomain);
    }
    if (rc == KBS_ENOMEM || scan_stopped(o)) goto out;
    rc = wmi_query_qfe(&w, s, &n, zErr, sizeof(zErr));
    *pQfeOk = scan_list_source(s, "wmi-qfe", rc, zErr, 0);
    if (rc == KBS_ENOMEM || scan_stopped(o)) goto out;
    /* Windows 8.1 and later can remove the SMBv1 server as an optional feature. */
    if (s->os.major > 6 || (s->os.major == 6 && s->os.minor >= 3)) {
        uint32_t st = 0;
        const char *zState;
        rc = wmi_query_feature(&w, L"SMB1Protocol", &st, zErr, sizeof(zErr));
        zState = rc == KBS_OK ? facts_feature_state(st) : NULL;
        if (rc == KBS_OK && !zState)
            snprintf(zErr, sizeof(zErr), "InstallState %lu", (unsigned long)st);
        if (snap_add_fact(s, "Feature.SMB1Protocol", zState, zState ? NULL : zErr) == KBS_ENOMEM)
            rc = KBS_ENOMEM;
    }
out:
    wmi_close(&w);
    if (scan_stopped(o)) return KBS_ETIMEOUT;
    return rc == KBS_ENOMEM ? rc : KBS_OK;
}

/* Computer name: GetComputerNameW (NetBIOS); WMI fills it later when this fails. */
static void scan_host(const scan_opts_t *o, snap_t *s)
{
    wchar_t zName[MAX_COMPUTERNAME_LENGTH + 2];
    DWORD n = MAX_COMPUTERNAME_LENGTH + 1;

    if (o->sys->pfnGetComputerNameW(zName, &n) && n <= MAX_COMPUTERNAME_LENGTH + 1)
        winapi_utf8(zName, n, s->zHost, sizeof(s->zHost));
}

int scan_run(const scan_opts_t *pOpts, snap_t *s)
{
    scan_opts_t o;
    reg_ctx_t r;
    char zErr[SNAP_ERR_MAX], zDomain[SNAP_HOST_MAX] = "";
    wchar_t zDnsW[SNAP_HOST_MAX];
    DWORD nDns;
    size_t n, nFileErr;
    int rc, listOk = 0, qfeOk = 0, updOk = 0, hfxOk = 0, cbsOk = 0;

    snap_init(s);
    memset(&o, 0, sizeof(o));
    if (pOpts) o = *pOpts;
    if (!o.sys) o.sys = winsys_default();
    snprintf(s->zOrigin, sizeof(s->zOrigin), "agent");
    snprintf(s->zAgentVersion, sizeof(s->zAgentVersion), "%s", KBS_VERSION);
    s->scanTime = (int64_t)time(NULL);

    scan_host(&o, s);
    scan_os_api(s);
    s->os.arch = winapi_native_arch();

    reg_ctx_init(&r, o.sys, o.hRegRoot);
    if (o.regOneView) r.nView = 1;
    if (!(o.flags & SCAN_NO_REG)) scan_reg_os(&r, s);
    if (scan_stopped(&o)) return KBS_ETIMEOUT;

    if (!(o.flags & SCAN_NO_WMI)) {
        rc = scan_wmi(&o, s, &qfeOk, zDomain, sizeof(zDomain));
        if (rc != KBS_OK) return rc;
    }

    if (!(o.flags & SCAN_NO_REG)) {
        rc = reg_read_updates(&r, s, &n, zErr, sizeof(zErr));
        if (rc == KBS_ENOMEM) return rc;
        updOk = scan_list_source(s, "reg-updates", rc, zErr, 1);
        rc = reg_read_hotfix(&r, s, &n, zErr, sizeof(zErr));
        if (rc == KBS_ENOMEM) return rc;
        hfxOk = scan_list_source(s, "reg-hotfix", rc, zErr, 1);
        if (scan_stopped(&o)) return KBS_ETIMEOUT;
        /* CBS is where Vista and later keep their packages: absent there is a failure. */
        rc = reg_read_cbs(&r, s, &n, zErr, sizeof(zErr));
        if (rc == KBS_ENOMEM) return rc;
        cbsOk = scan_list_source(s, "reg-cbs", rc, zErr, s->os.major < 6);
        if (s->osKnown && (rc = facts_collect_reg(&r, s->os.major, s->os.minor, s)) == KBS_ENOMEM)
            return rc;
    }
    if (scan_stopped(&o)) return KBS_ETIMEOUT;

    if (!(o.flags & SCAN_NO_FILES)) {
        rc = file_collect(o.sys, o.zSystemRoot, s, &nFileErr, zErr, sizeof(zErr));
        if (rc == KBS_ENOMEM) return rc;
        snap_add_source(s, "files", rc == KBS_OK && nFileErr == 0,
                        rc == KBS_OK && nFileErr == 0 ? NULL : zErr);
    }
    /* The site's own proof files and values (policy ProofFiles / ProofValues). */
    if (!(o.flags & SCAN_NO_REG) && (rc = proof_collect(&r, o.zSystemRoot, s)) == KBS_ENOMEM)
        return rc;

    /* Fallbacks that need neither WMI nor the registry. */
    if (!s->os.zUiLanguage[0])
        scan_lcid_name(MAKELCID(GetSystemDefaultUILanguage(), SORT_DEFAULT), s->os.zUiLanguage,
                       sizeof(s->os.zUiLanguage));
    if (!zDomain[0]) {
        nDns = SNAP_HOST_MAX;
        if (GetComputerNameExW(ComputerNameDnsDomain, zDnsW, &nDns) && nDns < SNAP_HOST_MAX)
            winapi_utf8(zDnsW, nDns, zDomain, sizeof(zDomain));
    }
    snprintf(s->zDomain, sizeof(s->zDomain), "%s", zDomain);

    /* The list is complete when a source that holds every fix of this OS answered: the XP/2003
     * keys (which QFE reads there too) before Vista, CBS or QFE from Vista on. */
    if (s->os.major != 0 && s->os.major < 6)
        listOk = updOk || hfxOk || qfeOk;
    else
        listOk = cbsOk || qfeOk;
    s->hotfixesComplete = listOk;
    if (!listOk)
        snprintf(s->zHotfixNote, sizeof(s->zHotfixNote), "%s",
                 "no hotfix source that lists every fix of this OS answered");
    return KBS_OK;
}
