/* win_api.c: run-time lookups of post-XP Win32 functions, the replaceable Win32 call table,
 * and the UTF-16 -> UTF-8 and error-text helpers every collector uses. */
#include "win_api.h"

#include <stdio.h>
#include <string.h>

#include "kbs_err.h"

/* 0 not looked up, 1 someone is looking up, 2 ready. */
static volatile LONG g_apiState;
static winapi_t g_api;

static FARPROC winapi_proc(HMODULE h, const char *zName)
{
    return h ? GetProcAddress(h, zName) : NULL;
}

const winapi_t *winapi_get(void)
{
    HMODULE hK32, hNt;
    winapi_t t;

    if (g_apiState == 2) return &g_api;
    if (InterlockedCompareExchange(&g_apiState, 1, 0) != 0) {
        /* Another thread is looking up: the lookups take microseconds. */
        while (g_apiState != 2)
            Sleep(0);
        return &g_api;
    }
    memset(&t, 0, sizeof(t));
    /* Both are loaded in every process, so GetModuleHandle (no LoadLibrary, no refcount). */
    hK32 = GetModuleHandleW(L"kernel32.dll");
    hNt = GetModuleHandleW(L"ntdll.dll");
    /* The casts go through a generic function pointer: FARPROC has another signature. */
    t.pfnWow64DisableWow64FsRedirection = (BOOL(WINAPI *)(PVOID *))(void (*)(void))winapi_proc(
        hK32, "Wow64DisableWow64FsRedirection");
    t.pfnWow64RevertWow64FsRedirection =
        (BOOL(WINAPI *)(PVOID))(void (*)(void))winapi_proc(hK32, "Wow64RevertWow64FsRedirection");
    t.pfnIsWow64Process =
        (BOOL(WINAPI *)(HANDLE, PBOOL))(void (*)(void))winapi_proc(hK32, "IsWow64Process");
    t.pfnGetNativeSystemInfo =
        (void(WINAPI *)(LPSYSTEM_INFO))(void (*)(void))winapi_proc(hK32, "GetNativeSystemInfo");
    t.pfnRtlGetVersion =
        (LONG(WINAPI *)(OSVERSIONINFOEXW *))(void (*)(void))winapi_proc(hNt, "RtlGetVersion");
    /* Disable without revert (or the reverse) is useless and dangerous: keep both or none. */
    if (!t.pfnWow64DisableWow64FsRedirection || !t.pfnWow64RevertWow64FsRedirection) {
        t.pfnWow64DisableWow64FsRedirection = NULL;
        t.pfnWow64RevertWow64FsRedirection = NULL;
    }
    g_api = t;
    InterlockedExchange(&g_apiState, 2);
    return &g_api;
}

static const winsys_t g_sys = {
    RegOpenKeyExW,       RegQueryValueExW, RegEnumKeyExW,
    RegCloseKey,         CoCreateInstance, GetFileVersionInfoSizeW,
    GetFileVersionInfoW, VerQueryValueW,   GetComputerNameW,
    CreateFileW,         WriteFile,        FlushFileBuffers,
    MoveFileExW,         GetSystemWindowsDirectoryW,
};

const winsys_t *winsys_default(void)
{
    return &g_sys;
}

int winapi_is_64bit_os(void)
{
    const winapi_t *api = winapi_get();
    BOOL isWow = FALSE;

    if (sizeof(void *) == 8) return 1;
    if (api->pfnIsWow64Process && api->pfnIsWow64Process(GetCurrentProcess(), &isWow) && isWow)
        return 1;
    return 0;
}

os_arch_t winapi_native_arch(void)
{
    const winapi_t *api = winapi_get();
    SYSTEM_INFO si;

    memset(&si, 0, sizeof(si));
    if (api->pfnGetNativeSystemInfo)
        api->pfnGetNativeSystemInfo(&si);
    else
        GetSystemInfo(&si);
    switch (si.wProcessorArchitecture) {
    case PROCESSOR_ARCHITECTURE_INTEL: return OS_ARCH_X86;
    case PROCESSOR_ARCHITECTURE_AMD64: return OS_ARCH_X64;
    case PROCESSOR_ARCHITECTURE_IA64: return OS_ARCH_IA64;
#ifdef PROCESSOR_ARCHITECTURE_ARM64
    case PROCESSOR_ARCHITECTURE_ARM64: return OS_ARCH_ARM64;
#endif
    default: return OS_ARCH_UNKNOWN;
    }
}

int winapi_os_version(OSVERSIONINFOEXW *pOut, char *zErr, size_t nErr)
{
    const winapi_t *api = winapi_get();
    LONG st;

    memset(pOut, 0, sizeof(*pOut));
    pOut->dwOSVersionInfoSize = sizeof(*pOut);
    if (api->pfnRtlGetVersion) {
        st = api->pfnRtlGetVersion(pOut);
        if (st == 0) return KBS_OK;
        winapi_errfmt(zErr, nErr, "RtlGetVersion", NULL, (unsigned long)st);
        return KBS_EIO;
    }
    /* Only Windows before XP lacks RtlGetVersion; there GetVersionEx still tells the truth. */
    if (GetVersionExW((OSVERSIONINFOW *)pOut)) return KBS_OK;
    winapi_errfmt(zErr, nErr, "GetVersionExW", NULL, GetLastError());
    return KBS_EIO;
}

void winapi_fsredir_off(PVOID *pOld, int *pDone)
{
    const winapi_t *api = winapi_get();

    *pOld = NULL;
    *pDone = 0;
    if (api->pfnWow64DisableWow64FsRedirection && api->pfnWow64DisableWow64FsRedirection(pOld))
        *pDone = 1;
}

void winapi_fsredir_restore(PVOID pOld, int done)
{
    const winapi_t *api = winapi_get();

    if (done && api->pfnWow64RevertWow64FsRedirection) api->pfnWow64RevertWow64FsRedirection(pOld);
}

/* Appends code point c (<= 0x10FFFF) to z at *pi if it fits with room for the NUL. */
static int winapi_put(char *z, size_t n, size_t *pi, unsigned long c)
{
    unsigned char b[4];
    size_t k, len;

    if (c < 0x80) {
        b[0] = (unsigned char)c;
        len = 1;
    } else if (c < 0x800) {
        b[0] = (unsigned char)(0xC0 | (c >> 6));
        b[1] = (unsigned char)(0x80 | (c & 0x3F));
        len = 2;
    } else if (c < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (c >> 12));
        b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (c & 0x3F));
        len = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | (c >> 18));
        b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
        b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        b[3] = (unsigned char)(0x80 | (c & 0x3F));
        len = 4;
    }
    if (*pi + len + 1 > n) return 0;
    for (k = 0; k < len; k++)
        z[(*pi)++] = (char)b[k];
    return 1;
}

int winapi_utf8(const wchar_t *zW, size_t nW, char *z, size_t n)
{
    size_t i = 0, o = 0;

    if (!z || n == 0) return KBS_ETOOBIG;
    z[0] = 0;
    if (!zW) return KBS_OK;
    for (i = 0; i < nW && zW[i]; i++) {
        unsigned long c = (unsigned short)zW[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < nW && (unsigned short)zW[i + 1] >= 0xDC00 &&
            (unsigned short)zW[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + ((unsigned short)zW[i + 1] - 0xDC00);
            i++;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
            c = '?';
        }
        if (!winapi_put(z, n, &o, c)) {
            z[o] = 0;
            return KBS_ETOOBIG;
        }
    }
    z[o] = 0;
    return KBS_OK;
}

char *winapi_errfmt(char *z, size_t n, const char *zApi, const char *zObj, unsigned long code)
{
    if (!z || n == 0) return z;
    /* Win32 error codes are small; HRESULTs and NTSTATUS values have the top bit set. */
    if (code < 0x10000)
        snprintf(z, n, "%s%s%s: %lu", zApi, zObj ? " " : "", zObj ? zObj : "", code);
    else
        snprintf(z, n, "%s%s%s: 0x%08lX", zApi, zObj ? " " : "", zObj ? zObj : "", code);
    return z;
}
