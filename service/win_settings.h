/* win_settings.h: agent settings from the registry (GPO policy key over installer defaults). */
#ifndef KBS_WIN_SETTINGS_H
#define KBS_WIN_SETTINGS_H

#include <stddef.h>
#include <windows.h>

#define SETTINGS_POLICY_KEY L"SOFTWARE\\Policies\\kbsentry"
#define SETTINGS_BASE_KEY L"SOFTWARE\\kbsentry"

#define SETTINGS_INTERVAL_DEFAULT 360u   /* minutes: four scans a day */
#define SETTINGS_INTERVAL_MIN 15u        /* below this 35,000 machines hammer the share */
#define SETTINGS_INTERVAL_MAX 43200u     /* 30 days */
#define SETTINGS_DELAY_DEFAULT 120u      /* seconds: spread of the first scan after start */
#define SETTINGS_DELAY_MAX 3600u
/* 200 characters at most: "\\<HOST, 15>.kbs" and the temp suffix ".tmp<pid>-<16 hex>" (31) must
 * still fit in MAX_PATH - 1 (200 + 20 + 31 = 251, with room to spare). */
#define SETTINGS_PATH_MAX 201

/* Where a setting's value came from (settings_t.aFrom). */
typedef enum settings_from {
    SETTINGS_FROM_DEFAULT = 0, /* built in: neither key holds a usable value */
    SETTINGS_FROM_POLICY,      /* SETTINGS_POLICY_KEY (Group Policy) */
    SETTINGS_FROM_INSTALL      /* SETTINGS_BASE_KEY (msiexec properties, install --drop) */
} settings_from_t;

/* settings_t.aFrom indexes; room for settings added later (SETTINGS_FROM_MAX). */
enum { SETTINGS_V_INTERVAL, SETTINGS_V_DELAY, SETTINGS_V_DROP, SETTINGS_V_DATADIR };
#define SETTINGS_FROM_MAX 16

typedef struct settings {
    unsigned intervalMin;                /* ScanIntervalMinutes */
    unsigned startDelayMaxSec;           /* StartDelayMaxSeconds: first scan within 0..this */
    wchar_t zDropShare[SETTINGS_PATH_MAX]; /* DropShare: "" none, "\\server\share" or "X:\dir" */
    wchar_t zDataDir[SETTINGS_PATH_MAX];   /* DataDir: "" means the default data directory */
    unsigned char aFrom[SETTINGS_FROM_MAX]; /* settings_from_t of each value (SETTINGS_V_*) */
} settings_t;

/* Called once per bad value: zName the value, zWhere the key ("HKLM\SOFTWARE\..."), zReason why
 * it was rejected, zUsing what is used instead (all UTF-8). */
typedef void (*settings_err_fn)(void *pArg, const char *zName, const char *zWhere,
                                const char *zReason, const char *zUsing);

/* settings_from_name: "policy", "install" or "default". */
const char *settings_from_name(settings_from_t f);

/* settings_defaults: the built-in values. */
void settings_defaults(settings_t *s);

/* settings_parse_uint: a registry value (REG_DWORD, or REG_SZ of decimal digits) in [lo, hi] into
 * *pOut. Returns KBS_OK, or KBS_EPARSE / KBS_ETOOBIG with a reason in zReason (nReason bytes). */
int settings_parse_uint(DWORD type, const BYTE *pData, DWORD nData, unsigned lo, unsigned hi,
                        unsigned *pOut, char *zReason, size_t nReason);

/* settings_parse_path: a REG_SZ / REG_EXPAND_SZ path (expanded) into zOut (nOut wchar_t).
 * isShare: a UNC "\\server\share[\dir]" or an absolute "X:\dir" is accepted; otherwise only an
 * absolute "X:\dir". Empty means "not set" (zOut ""). Returns KBS_OK, KBS_EPARSE or KBS_ETOOBIG
 * with a reason. */
int settings_parse_path(DWORD type, const BYTE *pData, DWORD nData, int isShare, wchar_t *zOut,
                        size_t nOut, char *zReason, size_t nReason);

/* settings_load: fills *s from hRoot\zPolicyKey, then hRoot\zBaseKey for values the policy key
 * does not set, then the defaults; s->aFrom says which source each value came from. A bad value
 * falls through to the next source, and then calls pfnErr (may be NULL) with the value really
 * used and its source as zUsing. Missing keys are normal. Returns KBS_OK (bad values are
 * reported, not fatal). */
int settings_load(settings_t *s, HKEY hRoot, const wchar_t *zPolicyKey, const wchar_t *zBaseKey,
                  settings_err_fn pfnErr, void *pArg);

/* settings_set_drop: writes DropShare into HKLM\zBaseKey (install --drop). Validates first.
 * Returns KBS_OK, KBS_EINVAL (bad path), KBS_EACCESS or KBS_EIO. */
int settings_set_drop(const wchar_t *zBaseKey, const wchar_t *zShare);

/* settings_equal: 1 when both hold the same values. */
int settings_equal(const settings_t *a, const settings_t *b);

#endif
