/* agent_state.c: last-scan.txt and last-upload.txt in the data directory, and the status report. */
#include "agent_state.h"

#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "win_api.h"
#include "win_out.h"
#include "win_settings.h"

int state_path(const wchar_t *zDir, const wchar_t *zFile, wchar_t *zOut)
{
    if (wcslen(zDir) + 1 + wcslen(zFile) >= MAX_PATH) return KBS_ETOOBIG;
    _snwprintf(zOut, MAX_PATH, L"%ls\\%ls", zDir, zFile);
    zOut[MAX_PATH - 1] = 0;
    return KBS_OK;
}

int state_write(const wchar_t *zPath, const char *const *azKV, size_t n, char *zErr, size_t nErr)
{
    char zBuf[STATE_FILE_MAX];
    size_t o = 0, i;

    for (i = 0; i < n && i < STATE_KV_MAX; i++) {
        const char *z = azKV[2 * i + 1] ? azKV[2 * i + 1] : "";
        size_t k = strlen(azKV[2 * i]), v = strlen(z), j;
        if (v >= STATE_VALUE_MAX) v = STATE_VALUE_MAX - 1;
        if (o + k + v + 3 > sizeof(zBuf)) break;
        memcpy(zBuf + o, azKV[2 * i], k);
        o += k;
        zBuf[o++] = '=';
        /* One line per value: a reason carrying a line break stays one value. */
        for (j = 0; j < v; j++)
            zBuf[o++] = z[j] == '\r' || z[j] == '\n' ? ' ' : z[j];
        zBuf[o++] = '\r';
        zBuf[o++] = '\n';
    }
    return out_write_file(zPath, zBuf, o, zErr, nErr);
}

int state_read(const wchar_t *zPath, state_kv_t *a, size_t *pn)
{
    char zBuf[STATE_FILE_MAX + 1], *p, *pEnd;
    HANDLE h;
    DWORD nRead = 0, e;
    LARGE_INTEGER size;

    *pn = 0;
    h = CreateFileW(zPath, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        e = GetLastError();
        return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? KBS_ENOTFOUND
               : e == ERROR_ACCESS_DENIED                             ? KBS_EACCESS
                                                                      : KBS_EIO;
    }
    if (!GetFileSizeEx(h, &size) || size.QuadPart > STATE_FILE_MAX) {
        CloseHandle(h);
        return KBS_ETOOBIG;
    }
    if (!ReadFile(h, zBuf, (DWORD)size.QuadPart, &nRead, NULL)) {
        CloseHandle(h);
        return KBS_EIO;
    }
    CloseHandle(h);
    zBuf[nRead] = 0;
    for (p = zBuf; *p && *pn < STATE_KV_MAX; p = pEnd) {
        char *zEq, *zEol = strpbrk(p, "\r\n");
        pEnd = zEol ? zEol + strspn(zEol, "\r\n") : p + strlen(p);
        if (zEol) *zEol = 0;
        zEq = strchr(p, '=');
        if (!zEq || zEq == p || (size_t)(zEq - p) >= sizeof(a->zKey)) continue;
        snprintf(a[*pn].zKey, sizeof(a->zKey), "%.*s", (int)(zEq - p), p);
        snprintf(a[*pn].zValue, sizeof(a->zValue), "%s", zEq + 1);
        (*pn)++;
    }
    return KBS_OK;
}

const char *state_get(const state_kv_t *a, size_t n, const char *zKey)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!strcmp(a[i].zKey, zKey)) return a[i].zValue;
    return "";
}

static void state_on_bad(void *pArg, const char *zName, const char *zWhere, const char *zReason,
                         const char *zUsing)
{
    fprintf((FILE *)pArg, "warning:         %s in %s is invalid: %s; using %s\n", zName, zWhere,
            zReason, zUsing);
}

/* One state file: its pairs as "label: value" lines, or why there are none. */
static void state_report_file(FILE *out, const wchar_t *zDir, const wchar_t *zFile,
                              const char *zWhat, const char *const *azShow)
{
    state_kv_t a[STATE_KV_MAX];
    wchar_t zPath[MAX_PATH];
    char zPath8[MAX_PATH * 3];
    size_t n = 0, i;
    int rc = state_path(zDir, zFile, zPath);

    if (rc == KBS_OK) rc = state_read(zPath, a, &n);
    winapi_utf8(zPath, (size_t)-1, zPath8, sizeof(zPath8));
    if (rc == KBS_ENOTFOUND) {
        fprintf(out, "%-16s none recorded (%s not there yet)\n", zWhat, zPath8);
        return;
    }
    if (rc != KBS_OK) {
        fprintf(out, "%-16s cannot read %s: %s%s\n", zWhat, zPath8, kbs_strerror(rc),
                rc == KBS_EACCESS ? " (run as an administrator)" : "");
        return;
    }
    fprintf(out, "%-16s %s, %s\n", zWhat,
            state_get(a, n, "time")[0] ? state_get(a, n, "time") : "(no time)",
            state_get(a, n, "result")[0] ? state_get(a, n, "result") : "(no result)");
    for (i = 0; azShow[i]; i += 2)
        if (state_get(a, n, azShow[i])[0])
            fprintf(out, "  %-14s %s\n", azShow[i + 1], state_get(a, n, azShow[i]));
}

int state_report(FILE *out, HKEY hRoot, const wchar_t *zPolicyKey, const wchar_t *zBaseKey,
                 const wchar_t *zDefaultDir)
{
    static const char *const azScan[] = {
        "hotfixes", "hotfixes:", "sources",     "sources:",   "verdicts", "verdicts:",
        "snapshot", "snapshot:", "duration-ms", "took (ms):", NULL};
    static const char *const azUpload[] = {
        "share",     "to:",     "error",         "error:", "failures",
        "failures:", "last-ok", "last success:", NULL};
    settings_t s;
    char zV[SETTINGS_PATH_MAX * 3];
    const wchar_t *zDir;

    settings_load(&s, hRoot, zPolicyKey, zBaseKey, state_on_bad, out);
    winapi_utf8(s.zDropShare, (size_t)-1, zV, sizeof(zV));
    fprintf(out, "drop share:      %s (%s)\n", s.zDropShare[0] ? zV : "none: snapshots stay local",
            settings_from_name((settings_from_t)s.aFrom[SETTINGS_V_DROP]));
    fprintf(out, "scan interval:   %u minutes (%s)\n", s.intervalMin,
            settings_from_name((settings_from_t)s.aFrom[SETTINGS_V_INTERVAL]));
    fprintf(out, "start delay:     up to %u seconds (%s)\n", s.startDelayMaxSec,
            settings_from_name((settings_from_t)s.aFrom[SETTINGS_V_DELAY]));
    zDir = s.zDataDir[0] ? s.zDataDir : zDefaultDir;
    winapi_utf8(zDir, (size_t)-1, zV, sizeof(zV));
    fprintf(out, "data directory:  %s (%s)\n", zV[0] ? zV : "unknown",
            settings_from_name((settings_from_t)s.aFrom[SETTINGS_V_DATADIR]));
    if (!zDir[0]) return KBS_OK;
    state_report_file(out, zDir, STATE_SCAN_FILE, "last scan:", azScan);
    state_report_file(out, zDir, STATE_UPLOAD_FILE, "last upload:", azUpload);
    return KBS_OK;
}
