/* win_evt.c: writes agent events to the Windows event log (and a text mirror), registers the source. */
#include "win_evt.h"

#include <stdarg.h>
#include <string.h>

#include "kbs_err.h"

#define EVT_KEY L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\kbsentry"

int evt_open(evt_t *e, FILE *fMirror)
{
    memset(e, 0, sizeof(*e));
    e->fMirror = fMirror;
    e->hSource = RegisterEventSourceW(NULL, EVT_SOURCE);
    return KBS_OK;
}

void evt_close(evt_t *e)
{
    if (e->hSource) DeregisterEventSource(e->hSource);
    e->hSource = NULL;
}

static WORD evt_type(DWORD id)
{
    switch (id >> 30) {
    case KBS_SEV_ERROR: return EVENTLOG_ERROR_TYPE;
    case KBS_SEV_WARNING: return EVENTLOG_WARNING_TYPE;
    default: return EVENTLOG_INFORMATION_TYPE;
    }
}

static const char *evt_type_name(DWORD id)
{
    switch (id >> 30) {
    case KBS_SEV_ERROR: return "error";
    case KBS_SEV_WARNING: return "warning";
    default: return "info";
    }
}

/* The mirror shows the message as the event viewer would; without the message table (unit test
 * programs) it falls back to the raw insertion strings. */
static void evt_mirror(evt_t *e, DWORD id, const wchar_t **azW, int nStr, const char **az)
{
    wchar_t *zMsg = NULL;
    DWORD n;
    int i;

    n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ALLOCATE_BUFFER |
                           FORMAT_MESSAGE_ARGUMENT_ARRAY,
                       NULL, id, 0, (LPWSTR)&zMsg, 0, (va_list *)azW);
    fprintf(e->fMirror, "kbsentry event %u %s: ", evt_id(id), evt_type_name(id));
    if (n && zMsg) {
        int nU = WideCharToMultiByte(CP_UTF8, 0, zMsg, -1, NULL, 0, NULL, NULL);
        char *zU = nU > 0 ? HeapAlloc(GetProcessHeap(), 0, (SIZE_T)nU) : NULL;
        if (zU && WideCharToMultiByte(CP_UTF8, 0, zMsg, -1, zU, nU, NULL, NULL) > 0) {
            size_t len = strlen(zU);
            while (len && (zU[len - 1] == '\n' || zU[len - 1] == '\r')) zU[--len] = 0;
            fputs(zU, e->fMirror);
        }
        if (zU) HeapFree(GetProcessHeap(), 0, zU);
        LocalFree(zMsg);
    } else {
        for (i = 0; i < nStr; i++) fprintf(e->fMirror, "%s%s", i ? " | " : "", az[i]);
    }
    fputc('\n', e->fMirror);
    fflush(e->fMirror);
}

void evt_log(evt_t *e, DWORD id, ...)
{
    const char *az[EVT_MAX_STR];
    const wchar_t *azW[EVT_MAX_STR + 1];
    wchar_t *apFree[EVT_MAX_STR];
    int nStr = 0, i;
    va_list ap;

    va_start(ap, id);
    while (nStr < EVT_MAX_STR) {
        const char *z = va_arg(ap, const char *);
        if (!z) break;
        az[nStr++] = z;
    }
    va_end(ap);
    for (i = 0; i < nStr; i++) {
        int n = MultiByteToWideChar(CP_UTF8, 0, az[i], -1, NULL, 0);
        apFree[i] = n > 0 ? HeapAlloc(GetProcessHeap(), 0, (SIZE_T)n * sizeof(wchar_t)) : NULL;
        if (apFree[i]) MultiByteToWideChar(CP_UTF8, 0, az[i], -1, apFree[i], n);
        azW[i] = apFree[i] ? apFree[i] : L"?";
    }
    azW[nStr] = NULL;

    if (e->hSource)
        ReportEventW(e->hSource, evt_type(id), 0, id, NULL, (WORD)nStr, 0, azW, NULL);
    if (e->fMirror) evt_mirror(e, id, azW, nStr, az);
    InterlockedIncrement(&e->nReported);
    if ((id >> 30) == KBS_SEV_ERROR) InterlockedIncrement(&e->nError);
    InterlockedExchange(&e->lastId, (LONG)evt_id(id));

    for (i = 0; i < nStr; i++)
        if (apFree[i]) HeapFree(GetProcessHeap(), 0, apFree[i]);
}

static int evt_reg_rc(LONG rc)
{
    if (rc == ERROR_SUCCESS) return KBS_OK;
    return rc == ERROR_ACCESS_DENIED ? KBS_EACCESS : KBS_EIO;
}

int evt_register_source(const wchar_t *zExe)
{
    HKEY hKey = NULL;
    DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    LONG rc;

    rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, EVT_KEY, 0, NULL, 0, KEY_SET_VALUE, NULL, &hKey,
                         NULL);
    if (rc != ERROR_SUCCESS) goto out;
    rc = RegSetValueExW(hKey, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)zExe,
                        (DWORD)((wcslen(zExe) + 1) * sizeof(wchar_t)));
    if (rc != ERROR_SUCCESS) goto out;
    rc = RegSetValueExW(hKey, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types,
                        sizeof(types));
out:
    if (hKey) RegCloseKey(hKey);
    return evt_reg_rc(rc);
}

int evt_unregister_source(void)
{
    LONG rc = RegDeleteKeyW(HKEY_LOCAL_MACHINE, EVT_KEY);
    if (rc == ERROR_FILE_NOT_FOUND) rc = ERROR_SUCCESS;
    return evt_reg_rc(rc);
}
