/* win_api.h: Win32 functions newer than XP looked up at run time, and the replaceable table of
 * the Win32 calls a scan makes (so tests can make any of them fail). */
#ifndef KBS_WIN_API_H
#define KBS_WIN_API_H

#include <stddef.h>
#include <windows.h>

#include "os.h"

/* Functions that XP (or XP x86) lacks; NULL when this Windows does not export them. */
typedef struct winapi {
    BOOL(WINAPI *pfnWow64DisableWow64FsRedirection)(PVOID *pOld);
    BOOL(WINAPI *pfnWow64RevertWow64FsRedirection)(PVOID pOld);
    BOOL(WINAPI *pfnIsWow64Process)(HANDLE hProc, PBOOL pIs);
    void(WINAPI *pfnGetNativeSystemInfo)(LPSYSTEM_INFO pInfo);
    LONG(WINAPI *pfnRtlGetVersion)(OSVERSIONINFOEXW *pInfo); /* ntdll; an NTSTATUS */
} winapi_t;

/* winapi_get: the table, looked up once (thread-safe) and never freed. Never NULL. */
const winapi_t *winapi_get(void);

/* The Win32 calls a scan and the snapshot writer make, as a table a test can copy and change:
 * a test passes its own winsys_t (e.g. with pfnRegOpenKeyExW returning ERROR_ACCESS_DENIED)
 * in scan_opts_t or to out_write_file_sys. Same signatures as the Win32 functions. */
typedef struct winsys {
    LONG(WINAPI *pfnRegOpenKeyExW)(HKEY, LPCWSTR, DWORD, REGSAM, PHKEY);
    LONG(WINAPI *pfnRegQueryValueExW)(HKEY, LPCWSTR, LPDWORD, LPDWORD, LPBYTE, LPDWORD);
    LONG(WINAPI *pfnRegEnumKeyExW)
    (HKEY, DWORD, LPWSTR, LPDWORD, LPDWORD, LPWSTR, LPDWORD, PFILETIME);
    LONG(WINAPI *pfnRegCloseKey)(HKEY);
    HRESULT(WINAPI *pfnCoCreateInstance)(REFCLSID, LPUNKNOWN, DWORD, REFIID, LPVOID *);
    DWORD(WINAPI *pfnGetFileVersionInfoSizeW)(LPCWSTR, LPDWORD);
    BOOL(WINAPI *pfnGetFileVersionInfoW)(LPCWSTR, DWORD, DWORD, LPVOID);
    BOOL(WINAPI *pfnVerQueryValueW)(LPCVOID, LPCWSTR, LPVOID *, PUINT);
    BOOL(WINAPI *pfnGetComputerNameW)(LPWSTR, LPDWORD);
    HANDLE(WINAPI *pfnCreateFileW)
    (LPCWSTR, DWORD, DWORD, LPSECURITY_ATTRIBUTES, DWORD, DWORD, HANDLE);
    BOOL(WINAPI *pfnWriteFile)(HANDLE, LPCVOID, DWORD, LPDWORD, LPOVERLAPPED);
    BOOL(WINAPI *pfnFlushFileBuffers)(HANDLE);
    BOOL(WINAPI *pfnMoveFileExW)(LPCWSTR, LPCWSTR, DWORD);
    UINT(WINAPI *pfnGetSystemWindowsDirectoryW)(LPWSTR, UINT);
} winsys_t;

/* winsys_default: the real functions. Never NULL; a constant. */
const winsys_t *winsys_default(void);

/* winapi_is_64bit_os: 1 when Windows itself is 64-bit (a 64-bit build, or a 32-bit process
 * under WOW64), else 0. */
int winapi_is_64bit_os(void);

/* winapi_native_arch: the machine's architecture (GetNativeSystemInfo when it exists, else
 * GetSystemInfo, which is the native one on XP x86). */
os_arch_t winapi_native_arch(void);

/* winapi_os_version: the true OS version (RtlGetVersion, which GetVersionEx does not lie
 * about on 8.1 and later; GetVersionExW when ntdll lacks it). Returns KBS_OK or KBS_EIO with
 * "API: code" in zErr. */
int winapi_os_version(OSVERSIONINFOEXW *pOut, char *zErr, size_t nErr);

/* winapi_fsredir_off / winapi_fsredir_restore: turn WOW64 file-system redirection off for this
 * thread (so System32 is the real one) and back. *pOld is an opaque token; a no-op where
 * redirection does not exist (XP x86, 64-bit processes). */
void winapi_fsredir_off(PVOID *pOld, int *pDone);
void winapi_fsredir_restore(PVOID pOld, int done);

/* winapi_utf8: zW (nW UTF-16 units, or up to its NUL when nW is (size_t)-1; stops at an
 * embedded NUL) as UTF-8 in z (n bytes, always NUL-terminated, cut at a whole character).
 * Lone surrogates become U+FFFD and control characters '?', so the result is safe for a
 * line-based file. Returns KBS_OK or KBS_ETOOBIG when it had to cut. */
int winapi_utf8(const wchar_t *zW, size_t nW, char *z, size_t n);

/* winapi_errfmt: "API object: code" into z (zObj may be NULL): a Win32 error in decimal, an
 * HRESULT (or NTSTATUS) in hex. Returns z. */
char *winapi_errfmt(char *z, size_t n, const char *zApi, const char *zObj, unsigned long code);

#endif
