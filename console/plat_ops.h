/* plat_ops.h: the directory-listing calls of plat_walk, replaceable by tests to inject failures. */
#ifndef KBS_PLAT_OPS_H
#define KBS_PLAT_OPS_H

#ifdef _WIN32
#include <windows.h>

typedef struct plat_dir_ops {
    HANDLE(WINAPI *pFindFirstFileW)(LPCWSTR zPattern, LPWIN32_FIND_DATAW pFd);
    BOOL(WINAPI *pFindNextFileW)(HANDLE h, LPWIN32_FIND_DATAW pFd);
    /* The identity of a folder a link leads to (volume serial + file index), for the loop guard. */
    HANDLE(WINAPI *pCreateFileW)(LPCWSTR zPath, DWORD dwAccess, DWORD dwShare,
                                 LPSECURITY_ATTRIBUTES pSa, DWORD dwDisposition, DWORD dwFlags,
                                 HANDLE hTemplate);
    BOOL(WINAPI *pGetFileInformationByHandle)(HANDLE h, LPBY_HANDLE_FILE_INFORMATION pInfo);
    BOOL(WINAPI *pFindClose)(HANDLE h);
    BOOL(WINAPI *pCloseHandle)(HANDLE h);
} plat_dir_ops_t;
#else
#include <dirent.h>

typedef struct plat_dir_ops {
    struct dirent *(*pReaddir)(DIR *d);
} plat_dir_ops_t;
#endif

/* The calls plat_walk makes; the system's by default. */
extern plat_dir_ops_t plat_dirOps;

#endif
