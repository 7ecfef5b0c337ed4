/* scan.h: one inventory of this machine (OS version API, registry, WMI, evidence files) merged
 * into a snapshot; each source may fail alone and is recorded as such. */
#ifndef KBS_SCAN_H
#define KBS_SCAN_H

#include <windows.h>

#include "snap.h"
#include "win_api.h"

/* Sources that can be left out (tests, or a caller that knows WMI is broken). */
enum scan_flags {
    SCAN_NO_WMI = 1u << 0,
    SCAN_NO_REG = 1u << 1,
    SCAN_NO_FILES = 1u << 2,
};

/* Everything optional: a zeroed struct (or NULL) scans this machine with the real calls. */
typedef struct scan_opts {
    const winsys_t *sys;          /* Win32 call table; NULL: winsys_default() */
    HANDLE hStop;                 /* when set, the scan ends early with KBS_ETIMEOUT */
    HKEY hRegRoot;                /* root holding SOFTWARE\...; NULL: HKEY_LOCAL_MACHINE */
    int regOneView;               /* 1: read only the default view (a test's private key) */
    const wchar_t *zSystemRoot;   /* Windows directory for the files; NULL: the real one */
    unsigned flags;               /* enum scan_flags */
    DWORD wmiNextMs, wmiBudgetMs; /* 0: WMI_NEXT_MS, WMI_BUDGET_MS */
} scan_opts_t;

/* scan_run: snap_init()s *pOut and fills it: host identity (computer name, domain, MachineGuid,
 * agent version, scan time UTC), OS facts, hotfixes from WMI QFE and the registry lists (merged,
 * deduplicated), evidence file versions, and one source entry per source with its error.
 * Failed sources do not fail the scan. The caller snap_release()s *pOut in every case.
 * Returns KBS_OK, KBS_ETIMEOUT (stopped through hStop), or KBS_ENOMEM. */
int scan_run(const scan_opts_t *pOpts, snap_t *pOut);

#endif
