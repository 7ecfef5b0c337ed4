/* agent_state.h: the agent's last scan and last drop-share copy, kept in its data directory as
 * small key=value files, and the `kbsentry-svc status` report built from them and the settings. */
#ifndef KBS_AGENT_STATE_H
#define KBS_AGENT_STATE_H

#include <stdio.h>
#include <windows.h>

#define STATE_SCAN_FILE   L"last-scan.txt"
#define STATE_UPLOAD_FILE L"last-upload.txt"
#define STATE_KV_MAX      12   /* pairs in one file */
#define STATE_VALUE_MAX   512  /* bytes of one value (a path of MAX_PATH UTF-8 fits) */
#define STATE_FILE_MAX    8192 /* a longer file is not ours */

typedef struct state_kv {
    char zKey[32];
    char zValue[STATE_VALUE_MAX];
} state_kv_t;

/* state_path: zDir\zFile into zOut (MAX_PATH wchar_t). Returns KBS_OK or KBS_ETOOBIG. */
int state_path(const wchar_t *zDir, const wchar_t *zFile, wchar_t *zOut);

/* state_write: writes the pairs azKV[0]=azKV[1], ... (n pairs, UTF-8; CR and LF in a value become
 * spaces) to zPath atomically. Returns KBS_OK or the writer's error (zErr, nErr bytes, says why).
 */
int state_write(const wchar_t *zPath, const char *const *azKV, size_t n, char *zErr, size_t nErr);

/* state_read: the pairs of zPath into a (at most STATE_KV_MAX; *pn of them). Lines that are not
 * key=value are skipped. Returns KBS_OK, KBS_ENOTFOUND (no file), KBS_EACCESS, KBS_ETOOBIG or
 * KBS_EIO. */
int state_read(const wchar_t *zPath, state_kv_t *a, size_t *pn);

/* state_get: the value of zKey among a[0..n-1], or "" when absent. */
const char *state_get(const state_kv_t *a, size_t n, const char *zKey);

/* state_report: prints the effective settings read from hRoot\zPolicyKey over hRoot\zBaseKey
 * (each with its source: policy, install, default; bad values named), the data directory
 * (zDefaultDir when DataDir is not set) and the last scan and last drop-share copy found there.
 * Returns KBS_OK; a state file that cannot be read is said in the report. */
int state_report(FILE *out, HKEY hRoot, const wchar_t *zPolicyKey, const wchar_t *zBaseKey,
                 const wchar_t *zDefaultDir);

#endif
