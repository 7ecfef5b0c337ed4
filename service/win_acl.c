/* win_acl.c: finds and creates the agent's data directory with its ACL. */
#include "win_acl.h"

#include <aclapi.h>
#include <sddl.h>
#include <shlobj.h>
#include <stdio.h>
#include <wchar.h>

#include "kbs_err.h"

int acl_default_dir(wchar_t *zOut, size_t nOut)
{
    wchar_t zBase[MAX_PATH];

    if (FAILED(SHGetFolderPathW(NULL, CSIDL_COMMON_APPDATA, NULL, SHGFP_TYPE_CURRENT, zBase)))
        return KBS_ENOTFOUND;
    if ((size_t)_snwprintf(zOut, nOut, L"%ls\\kbsentry", zBase) >= nOut) return KBS_ENOTFOUND;
    zOut[nOut - 1] = 0;
    return KBS_OK;
}

static int acl_rc(DWORD e)
{
    return e == ERROR_ACCESS_DENIED ? KBS_EACCESS : KBS_EIO;
}

int acl_make_dir(const wchar_t *zDir, int force, char *zErr, size_t nErr)
{
    PSECURITY_DESCRIPTOR pSd = NULL;
    SECURITY_ATTRIBUTES sa;
    wchar_t zPart[MAX_PATH];
    size_t n = wcslen(zDir), i;
    DWORD e = 0;
    int rc = KBS_OK;

    zErr[0] = 0;
    if (n == 0 || n >= MAX_PATH) {
        snprintf(zErr, nErr, "bad data directory path");
        return KBS_EIO;
    }
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(ACL_DATA_SDDL, SDDL_REVISION_1,
                                                              &pSd, NULL)) {
        e = GetLastError();
        snprintf(zErr, nErr, "ConvertStringSecurityDescriptorToSecurityDescriptor: error %lu",
                 (unsigned long)e);
        rc = KBS_EIO;
        goto out;
    }
    sa.nLength = sizeof(sa);
    sa.lpSecurityDescriptor = pSd;
    sa.bInheritHandle = FALSE;

    /* Parents (normally present) get default security; only the leaf gets ours. */
    for (i = 3; i < n; i++) {
        if (zDir[i] != L'\\') continue;
        wmemcpy(zPart, zDir, i);
        zPart[i] = 0;
        if (!CreateDirectoryW(zPart, NULL) && GetLastError() != ERROR_ALREADY_EXISTS &&
            GetLastError() != ERROR_ACCESS_DENIED) {
            e = GetLastError();
            snprintf(zErr, nErr, "CreateDirectory %ls: error %lu", zPart, (unsigned long)e);
            rc = acl_rc(e);
            goto out;
        }
    }
    if (CreateDirectoryW(zDir, &sa)) goto out;
    e = GetLastError();
    if (e != ERROR_ALREADY_EXISTS) {
        snprintf(zErr, nErr, "CreateDirectory %ls: error %lu", zDir, (unsigned long)e);
        rc = acl_rc(e);
        goto out;
    }
    if (GetFileAttributesW(zDir) == INVALID_FILE_ATTRIBUTES ||
        !(GetFileAttributesW(zDir) & FILE_ATTRIBUTE_DIRECTORY)) {
        snprintf(zErr, nErr, "%ls exists and is not a directory", zDir);
        rc = KBS_EIO;
        goto out;
    }
    if (force) {
        BOOL present = FALSE, defaulted = FALSE;
        PACL pDacl = NULL;
        if (!GetSecurityDescriptorDacl(pSd, &present, &pDacl, &defaulted)) {
            e = GetLastError();
            snprintf(zErr, nErr, "GetSecurityDescriptorDacl: error %lu", (unsigned long)e);
            rc = KBS_EIO;
            goto out;
        }
        e = SetNamedSecurityInfoW((LPWSTR)zDir, SE_FILE_OBJECT,
                                  DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                  NULL, NULL, pDacl, NULL);
        if (e != ERROR_SUCCESS) {
            snprintf(zErr, nErr, "SetNamedSecurityInfo %ls: error %lu", zDir, (unsigned long)e);
            rc = acl_rc(e);
            goto out;
        }
    }
out:
    if (pSd) LocalFree(pSd);
    return rc;
}
