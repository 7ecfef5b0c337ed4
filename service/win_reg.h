/* win_reg.h: what a scan reads from the registry: OS facts, MachineGuid, and the hotfix lists
 * (XP/2003 Updates and HotFix keys, Vista+ Component Based Servicing packages). */
#ifndef KBS_WIN_REG_H
#define KBS_WIN_REG_H

#include <stddef.h>
#include <stdint.h>
#include <windows.h>

#include "snap.h"
#include "win_api.h"

#define REG_VALUE_MAX 4096 /* bytes; a longer value is not one Windows wrote for these keys */
#define REG_VIEW_MAX  2

/* Where and how to read: the root (HKLM, or a test's key holding a SOFTWARE\... tree), the
 * registry views (the 64-bit and 32-bit one on 64-bit Windows) and the Win32 call table. */
typedef struct reg_ctx {
    const winsys_t *sys;
    HKEY hRoot;
    REGSAM aView[REG_VIEW_MAX]; /* aView[0] is the native (64-bit) view */
    int nView;
} reg_ctx_t;

/* reg_ctx_init: reads hRoot (NULL: HKEY_LOCAL_MACHINE) through sys (NULL: the real calls);
 * on 64-bit Windows both views (KEY_WOW64_64KEY first, then KEY_WOW64_32KEY), else one. */
void reg_ctx_init(reg_ctx_t *r, const winsys_t *sys, HKEY hRoot);

/* OS facts from SOFTWARE\Microsoft\Windows NT\CurrentVersion and SOFTWARE\Microsoft\Cryptography;
 * strings are "" and has* flags 0 when absent or malformed. */
typedef struct reg_os {
    char zProductName[OS_STR_MAX];
    char zCurrentVersion[16]; /* "5.1", "6.3" (10.0 still says 6.3) */
    char zBuild[16];          /* CurrentBuildNumber */
    char zCsdVersion[64];
    char zReleaseId[16];
    char zDisplayVersion[16];
    char zEdition[64];
    uint32_t ubr, installDate, major, minor;
    int hasUbr, hasInstallDate, hasMajor; /* hasMajor: CurrentMajor/MinorVersionNumber (10.0+) */
    char zMachineGuid[SNAP_ID_MAX];
    unsigned nBad;           /* values present but malformed (wrong type, too long) */
    char zBad[SNAP_ERR_MAX]; /* the first of them, e.g. "UBR: type 1, 8 bytes" */
} reg_os_t;

/* reg_read_os: fills *pOut from the native view. Returns KBS_OK (even with nBad > 0), or an
 * error with "RegOpenKeyExW <key>: <code>" in zErr when CurrentVersion cannot be opened. */
int reg_read_os(const reg_ctx_t *r, reg_os_t *pOut, char *zErr, size_t nErr);

/* reg_read_updates / reg_read_hotfix / reg_read_cbs: add the hotfixes listed under
 * SOFTWARE\Microsoft\Updates\<product>\<SP>\<KB> (installed date from InstalledDate),
 * ...\Windows NT\CurrentVersion\HotFix\<KB> with Installed=1, and the CBS packages
 * Package_*for_KB<n>~... with their CurrentState (installed ones first, so a KB with one installed
 * and one staged package reads as installed). Every view is read; entries merge in s.
 * Return KBS_OK (*pnFound = entries read, possibly 0), KBS_ENOTFOUND when the key exists in no
 * view, or an error (zErr says which call failed on which key). */
int reg_read_updates(const reg_ctx_t *r, snap_t *s, size_t *pnFound, char *zErr, size_t nErr);
int reg_read_hotfix(const reg_ctx_t *r, snap_t *s, size_t *pnFound, char *zErr, size_t nErr);
int reg_read_cbs(const reg_ctx_t *r, snap_t *s, size_t *pnFound, char *zErr, size_t nErr);

/* Untrusted value checks (exposed for tests). reg_value_str: a REG_SZ/REG_EXPAND_SZ of cb bytes
 * (odd sizes, missing or embedded NULs tolerated: the text stops at the first NUL) as sanitised
 * UTF-8 in z. reg_value_dword: a REG_DWORD of exactly 4 bytes. Both return KBS_OK, KBS_EPARSE
 * (wrong type or size, reason in zWhy) or KBS_ETOOBIG (the text did not fit z). */
int reg_value_str(DWORD type, const BYTE *p, DWORD cb, char *z, size_t n, char *zWhy, size_t nWhy);
int reg_value_dword(DWORD type, const BYTE *p, DWORD cb, uint32_t *pOut, char *zWhy, size_t nWhy);

/* reg_cbs_kb: the "KB<digits>" of a CBS package key name ("Package_for_KB4012212~31bf...",
 * "Package_2_for_KB3000483~..."), into z; KBS_EPARSE when the name holds no KB. */
int reg_cbs_kb(const char *zName, char *z, size_t n);

/* reg_mdy_iso: "3/14/2017" (M/D/YYYY, as XP's InstalledDate and WMI's InstalledOn write it) as
 * "2017-03-14" in z (>= 11 bytes); KBS_EPARSE for anything else. */
int reg_mdy_iso(const char *zIn, char *z, size_t n);

/* reg_filetime_iso / reg_unix_iso: a FILETIME (100 ns since 1601) or Unix seconds as
 * "2017-03-14T12:34:56Z" in z (>= 21 bytes); KBS_EPARSE for 0 or a date before 1980 or after
 * 9999 (a value no real install has). */
int reg_filetime_iso(uint64_t ft, char *z, size_t n);
int reg_unix_iso(int64_t t, char *z, size_t n);

#endif
