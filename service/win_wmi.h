/* win_wmi.h: WMI (ROOT\CIMV2) queries a scan makes: Win32_OperatingSystem, Win32_ComputerSystem,
 * Win32_QuickFixEngineering, forward-only and semi-synchronous, with timeouts and a budget. */
#ifndef KBS_WIN_WMI_H
#define KBS_WIN_WMI_H

#include <stddef.h>
#include <stdint.h>
#include <windows.h>

#include "snap.h"
#include "win_api.h"

#define WMI_NEXT_MS   5000  /* longest wait for one object: WMI on XP is known to hang */
#define WMI_BUDGET_MS 20000 /* all WMI queries of one scan together */
#define WMI_SLICE_MS  200   /* waits are cut into slices so a stop is seen quickly */

/* One WMI session. Opaque members; made by wmi_open, ended by wmi_close. */
typedef struct wmi {
    const winsys_t *sys;
    void *pSvc;   /* IWbemServices* */
    int comInit;  /* 1: this thread's COM was initialised by wmi_open */
    HANDLE hStop; /* may be NULL */
    DWORD nextMs, budgetMs, start;
} wmi_t;

/* wmi_open: initialises COM on this thread (a thread already in another apartment is fine),
 * the process security (already set is fine), connects to ROOT\CIMV2. hStop (may be NULL) ends
 * waits early; nextMs/budgetMs 0 mean the defaults above. Returns KBS_OK, or an error with the
 * failing call and HRESULT in zErr (w is then closed). */
int wmi_open(wmi_t *w, const winsys_t *sys, HANDLE hStop, DWORD nextMs, DWORD budgetMs, char *zErr,
             size_t nErr);

/* wmi_close: releases the connection and COM; accepts a zeroed or closed w. */
void wmi_close(wmi_t *w);

/* Win32_OperatingSystem; "" and 0 when a property is absent (OSArchitecture and MUILanguages
 * are missing on XP). */
typedef struct wmi_os {
    char zCaption[OS_STR_MAX];
    char zVersion[32]; /* "5.1.2600" */
    char zBuild[16];
    char zCsdVersion[64];
    char zArch[32];        /* OSArchitecture: "64-bit", "32-bit", localised on some */
    char zInstallDate[24]; /* ISO 8601 UTC */
    char zMuiLanguage[16]; /* MUILanguages[0], "en-US" */
    uint32_t spMajor, spMinor, productType, osLanguage;
    int hasSp, hasProductType, hasOsLanguage;
} wmi_os_t;

/* Win32_ComputerSystem. */
typedef struct wmi_cs {
    char zName[SNAP_HOST_MAX];
    char zDomain[SNAP_HOST_MAX];
    char zWorkgroup[SNAP_HOST_MAX];
    char zSystemType[64]; /* "x64-based PC", "X86-based PC" */
    int partOfDomain;     /* -1 unknown (XP lacks PartOfDomain) */
} wmi_cs_t;

/* wmi_query_os / wmi_query_cs: the first instance. wmi_query_qfe: every hotfix into s
 * (SNAP_SRC_QFE), *pnFound of them. All return KBS_OK, KBS_ETIMEOUT (a wait, the budget, or a
 * stop), KBS_ENOTFOUND (no instance) or KBS_EIO, with the call and HRESULT in zErr. */
int wmi_query_os(wmi_t *w, wmi_os_t *pOut, char *zErr, size_t nErr);
int wmi_query_cs(wmi_t *w, wmi_cs_t *pOut, char *zErr, size_t nErr);
int wmi_query_qfe(wmi_t *w, snap_t *s, size_t *pnFound, char *zErr, size_t nErr);

/* wmi_query_feature: Win32_OptionalFeature.InstallState of the feature zName (1 enabled,
 * 2 disabled, 3 absent, 4 unknown; Windows 7 and later). Returns as wmi_query_os. */
int wmi_query_feature(wmi_t *w, const wchar_t *zName, uint32_t *pState, char *zErr, size_t nErr);

/* Parsers of WMI text (exposed for tests). wmi_cimdate_iso: a CIM DATETIME
 * "20170314123456.000000+060" as UTC "2017-03-14T11:34:56Z". wmi_qfe_date: InstalledOn as
 * M/D/YYYY, YYYYMMDD or a 16-hex-digit FILETIME, as an ISO date (or date-time). Both need
 * n >= 24 and return KBS_OK or KBS_EPARSE (z ""). */
int wmi_cimdate_iso(const char *zIn, char *z, size_t n);
int wmi_qfe_date(const char *zIn, char *z, size_t n);

#endif
