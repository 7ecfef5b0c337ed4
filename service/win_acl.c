/* win_acl.c: finds, makes and checks the agent's data directory through a handle (never trusting
 * a name a user could have planted), sets its ACL, and purges it without following links. */
#include "win_acl.h"

#include <sddl.h>
#include <shlobj.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "kbs_err.h"
#include "win_api.h"

#define ACL_PURGE_DEPTH 32 /* the agent makes no subdirectories; anything deeper was planted */

static const aclsys_t g_aclsys = {
    CreateFileW, GetFileInformationByHandle, GetSecurityInfo, SetSecurityInfo, MoveFileExW,
};

const aclsys_t *aclsys_default(void)
{
    return &g_aclsys;
}

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

/* "API path: code" into zErr; returns the KBS code for e. */
static int acl_fail(char *zErr, size_t nErr, const char *zApi, const wchar_t *zPath, DWORD e)
{
    char zP[MAX_PATH * 3];

    winapi_utf8(zPath, (size_t)-1, zP, sizeof(zP));
    winapi_errfmt(zErr, nErr, zApi, zP, (unsigned long)e);
    return acl_rc(e);
}

/* 1 when pSid is one of the accounts that may own the data directory. */
static int acl_trusted_owner(PSID pSid)
{
    static const WELL_KNOWN_SID_TYPE aType[] = {WinLocalSystemSid, WinBuiltinAdministratorsSid,
                                                WinNetworkServiceSid};
    BYTE aSid[SECURITY_MAX_SID_SIZE], aTok[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    HANDLE hTok = NULL;
    DWORD n, i;
    int ok = 0;

    if (!pSid || !IsValidSid(pSid)) return 0;
    for (i = 0; i < sizeof(aType) / sizeof(aType[0]); i++) {
        n = sizeof(aSid);
        if (CreateWellKnownSid(aType[i], NULL, aSid, &n) && EqualSid(pSid, aSid)) return 1;
    }
    /* The account this process runs as (an administrator's own account after a CLI install,
     * or Wine's single user): what it owns, only it could have planted. */
    if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &hTok)) {
        if (GetTokenInformation(hTok, TokenUser, aTok, sizeof(aTok), &n))
            ok = EqualSid(pSid, ((TOKEN_USER *)aTok)->User.Sid) != 0;
        CloseHandle(hTok);
    }
    return ok;
}

/* 1 when pSid is an account an ordinary user could own a folder as: a local or domain account
 * (S-1-5-21-...) or Users, Authenticated Users, Everyone, Interactive. Only such a folder is
 * moved aside; one owned by something else (TrustedInstaller: a system folder named by
 * mistake) is refused, never renamed. */
static int acl_user_owner(PSID pSid)
{
    static const WELL_KNOWN_SID_TYPE aType[] = {WinBuiltinUsersSid, WinAuthenticatedUserSid,
                                                WinWorldSid, WinInteractiveSid};
    static const SID_IDENTIFIER_AUTHORITY nt = {SECURITY_NT_AUTHORITY};
    BYTE aSid[SECURITY_MAX_SID_SIZE];
    DWORD n, i;

    if (!memcmp(GetSidIdentifierAuthority(pSid), &nt, sizeof(nt)) &&
        *GetSidSubAuthorityCount(pSid) >= 1 &&
        *GetSidSubAuthority(pSid, 0) == SECURITY_NT_NON_UNIQUE)
        return 1;
    for (i = 0; i < sizeof(aType) / sizeof(aType[0]); i++) {
        n = sizeof(aSid);
        if (CreateWellKnownSid(aType[i], NULL, aSid, &n) && EqualSid(pSid, aSid)) return 1;
    }
    return 0;
}

/* "DOMAIN\name (S-1-...)" or the SID alone. */
static void acl_sid_text(PSID pSid, char *z, size_t n)
{
    char zName[64], zDom[64];
    DWORD nName = sizeof(zName), nDom = sizeof(zDom);
    SID_NAME_USE use;
    LPSTR zSid = NULL;

    if (!pSid || !ConvertSidToStringSidA(pSid, &zSid)) {
        snprintf(z, n, "an unknown owner");
        return;
    }
    if (LookupAccountSidA(NULL, pSid, zName, &nName, zDom, &nDom, &use))
        snprintf(z, n, "%s%s%s (%s)", zDom, zDom[0] ? "\\" : "", zName, zSid);
    else
        snprintf(z, n, "%s", zSid);
    LocalFree(zSid);
}

/* Attributes of zDir from the handle and from its directory entry: Wine reports a link to a
 * directory only in the entry, Windows in both; our handle keeps the name from changing. */
static int acl_attrs(const aclsys_t *sys, HANDLE h, const wchar_t *zDir, DWORD *pAttr)
{
    BY_HANDLE_FILE_INFORMATION fi;
    WIN32_FIND_DATAW fd;
    HANDLE hFind;

    if (!sys->pfnGetFileInformationByHandle(h, &fi)) return 0;
    *pAttr = fi.dwFileAttributes;
    hFind = FindFirstFileW(zDir, &fd);
    if (hFind != INVALID_HANDLE_VALUE) {
        *pAttr |= fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT;
        FindClose(hFind);
    }
    return 1;
}

/* Renames the planted zDir out of the way: "<dir>.untrusted-YYYYMMDDhhmmss". */
static int acl_move_aside(const aclsys_t *sys, const wchar_t *zDir, acl_result_t *pRes, char *zErr,
                          size_t nErr)
{
    SYSTEMTIME t;

    GetSystemTime(&t);
    _snwprintf(pRes->zAside, MAX_PATH, L"%ls.untrusted-%04u%02u%02u%02u%02u%02u", zDir, t.wYear,
               t.wMonth, t.wDay, t.wHour, t.wMinute, t.wSecond);
    pRes->zAside[MAX_PATH - 1] = 0;
    if (!sys->pfnMoveFileExW(zDir, pRes->zAside, 0))
        return acl_fail(zErr, nErr, "MoveFileExW (moving a planted directory aside)", zDir,
                        GetLastError());
    pRes->movedAside = 1;
    return KBS_OK;
}

/* Owner Administrators (ACL_FIX) and the protected DACL of pSd, on the open handle. */
static int acl_set(const aclsys_t *sys, HANDLE h, const wchar_t *zDir, PSECURITY_DESCRIPTOR pSd,
                   char *zErr, size_t nErr)
{
    BYTE aAdm[SECURITY_MAX_SID_SIZE];
    BOOL present = FALSE, defaulted = FALSE;
    PACL pDacl = NULL;
    DWORD n = sizeof(aAdm), e;

    if (!GetSecurityDescriptorDacl(pSd, &present, &pDacl, &defaulted) ||
        !CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, aAdm, &n))
        return acl_fail(zErr, nErr, "GetSecurityDescriptorDacl", zDir, GetLastError());
    e = sys->pfnSetSecurityInfo(h, SE_FILE_OBJECT,
                                OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |
                                    PROTECTED_DACL_SECURITY_INFORMATION,
                                (PSID)aAdm, NULL, pDacl, NULL);
    return e == ERROR_SUCCESS ? KBS_OK : acl_fail(zErr, nErr, "SetSecurityInfo", zDir, e);
}

/* Opens zDir and checks it; *pUntrusted set when its owner may not own it. */
static int acl_check(const aclsys_t *sys, const wchar_t *zDir, unsigned flags,
                     PSECURITY_DESCRIPTOR pSdNew, acl_result_t *pRes, int *pUntrusted, char *zErr,
                     size_t nErr)
{
    HANDLE h;
    PSECURITY_DESCRIPTOR pSd = NULL;
    PSID pOwner = NULL;
    DWORD attr = 0, e, access = READ_CONTROL;
    int rc = KBS_OK;

    *pUntrusted = 0;
    if (flags & ACL_FIX) access |= WRITE_DAC | WRITE_OWNER;
    /* No FILE_SHARE_DELETE: while we hold it, nobody renames or replaces what we check. */
    h = sys->pfnCreateFileW(zDir, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                            FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    if (h == INVALID_HANDLE_VALUE) return acl_fail(zErr, nErr, "CreateFileW", zDir, GetLastError());
    if (!acl_attrs(sys, h, zDir, &attr)) {
        rc = acl_fail(zErr, nErr, "GetFileInformationByHandle", zDir, GetLastError());
        goto out;
    }
    if (attr & FILE_ATTRIBUTE_REPARSE_POINT) {
        char zP[MAX_PATH * 3];
        winapi_utf8(zDir, (size_t)-1, zP, sizeof(zP));
        snprintf(zErr, nErr, "%s is a junction or symbolic link (a reparse point): refused", zP);
        rc = KBS_EACCESS;
        goto out;
    }
    if (!(attr & FILE_ATTRIBUTE_DIRECTORY)) {
        char zP[MAX_PATH * 3];
        winapi_utf8(zDir, (size_t)-1, zP, sizeof(zP));
        snprintf(zErr, nErr, "%s exists and is not a directory", zP);
        rc = KBS_EIO;
        goto out;
    }
    e = sys->pfnGetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION, &pOwner, NULL, NULL,
                                NULL, &pSd);
    if (e != ERROR_SUCCESS) {
        rc = acl_fail(zErr, nErr, "GetSecurityInfo", zDir, e);
        goto out;
    }
    if (!acl_trusted_owner(pOwner)) {
        acl_sid_text(pOwner, pRes->zOwner, sizeof(pRes->zOwner)); /* reported, so kept */
        if (!acl_user_owner(pOwner)) {
            char zP[MAX_PATH * 3];
            winapi_utf8(zDir, (size_t)-1, zP, sizeof(zP));
            snprintf(zErr, nErr,
                     "%s is owned by %s, not SYSTEM, Administrators or "
                     "NetworkService: not used",
                     zP, pRes->zOwner);
            rc = KBS_EACCESS;
            goto out;
        }
        *pUntrusted = 1;
        goto out;
    }
    if (flags & ACL_FIX) rc = acl_set(sys, h, zDir, pSdNew, zErr, nErr);
out:
    if (pSd) LocalFree(pSd);
    CloseHandle(h);
    return rc;
}

int acl_prepare_dir(const aclsys_t *sys, const wchar_t *zDir, unsigned flags, acl_result_t *pRes,
                    char *zErr, size_t nErr)
{
    PSECURITY_DESCRIPTOR pSd = NULL;
    SECURITY_ATTRIBUTES sa;
    acl_result_t res;
    wchar_t zPart[MAX_PATH];
    size_t n = wcslen(zDir), i;
    int rc = KBS_OK, untrusted = 0, pass;
    DWORD e;

    if (!sys) sys = aclsys_default();
    if (!pRes) pRes = &res;
    memset(pRes, 0, sizeof(*pRes));
    zErr[0] = 0;
    /* Room for the ".untrusted-<time>" name of a planted directory; never a drive's root. */
    if (n <= 3 || n + 32 >= MAX_PATH) {
        snprintf(zErr, nErr,
                 "bad data directory path (a drive's root, or longer than %d "
                 "characters)",
                 MAX_PATH - 33);
        return KBS_EIO;
    }
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(ACL_DATA_SDDL, SDDL_REVISION_1, &pSd,
                                                              NULL)) {
        rc = acl_fail(zErr, nErr, "ConvertStringSecurityDescriptorToSecurityDescriptorW", zDir,
                      GetLastError());
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
            rc = acl_fail(zErr, nErr, "CreateDirectoryW", zPart, GetLastError());
            goto out;
        }
    }
    /* A planted directory is moved aside once; one that comes back as fast is an attack. */
    for (pass = 0; pass < 2; pass++) {
        if (CreateDirectoryW(zDir, &sa)) {
            pRes->created = 1;
        } else if ((e = GetLastError()) != ERROR_ALREADY_EXISTS) {
            rc = acl_fail(zErr, nErr, "CreateDirectoryW", zDir, e);
            goto out;
        }
        rc = acl_check(sys, zDir, flags, pSd, pRes, &untrusted, zErr, nErr);
        if (rc != KBS_OK || !untrusted) goto out;
        if (pass == 1) break;
        if ((rc = acl_move_aside(sys, zDir, pRes, zErr, nErr)) != KBS_OK) goto out;
    }
    {
        char zP[MAX_PATH * 3];
        winapi_utf8(zDir, (size_t)-1, zP, sizeof(zP));
        snprintf(zErr, nErr, "%s is owned by %s again after it was moved aside: refused", zP,
                 pRes->zOwner);
    }
    rc = KBS_EACCESS;
out:
    if (pSd) LocalFree(pSd);
    return rc;
}

/* Deletes what zDir holds, then zDir; links are removed, never entered. */
static int acl_purge(const wchar_t *zDir, int depth, char *zErr, size_t nErr)
{
    wchar_t zFind[MAX_PATH], zPath[MAX_PATH];
    WIN32_FIND_DATAW fd;
    HANDLE hFind;
    int rc = KBS_OK;

    if (depth > ACL_PURGE_DEPTH) {
        snprintf(zErr, nErr, "more than %d folders deep: left as it is", ACL_PURGE_DEPTH);
        return KBS_EIO;
    }
    if (_snwprintf(zFind, MAX_PATH, L"%ls\\*", zDir) < 0) return KBS_EIO;
    zFind[MAX_PATH - 1] = 0;
    hFind = FindFirstFileW(zFind, &fd);
    if (hFind != INVALID_HANDLE_VALUE) {
        do {
            DWORD a = fd.dwFileAttributes;
            if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L"..")) continue;
            if (_snwprintf(zPath, MAX_PATH, L"%ls\\%ls", zDir, fd.cFileName) < 0) continue;
            zPath[MAX_PATH - 1] = 0;
            if ((a & FILE_ATTRIBUTE_DIRECTORY) && !(a & FILE_ATTRIBUTE_REPARSE_POINT)) {
                if (acl_purge(zPath, depth + 1, zErr, nErr) != KBS_OK) rc = KBS_EIO;
                continue;
            }
            if (a & FILE_ATTRIBUTE_READONLY)
                SetFileAttributesW(zPath, a & ~(DWORD)FILE_ATTRIBUTE_READONLY);
            /* A link to a directory goes with RemoveDirectory, which removes the link only. */
            if ((a & FILE_ATTRIBUTE_DIRECTORY) ? !RemoveDirectoryW(zPath) : !DeleteFileW(zPath)) {
                if (rc == KBS_OK)
                    acl_fail(zErr, nErr,
                             (a & FILE_ATTRIBUTE_DIRECTORY) ? "RemoveDirectoryW" : "DeleteFileW",
                             zPath, GetLastError());
                rc = KBS_EIO;
            }
        } while (FindNextFileW(hFind, &fd));
        FindClose(hFind);
    }
    if (!RemoveDirectoryW(zDir) && rc == KBS_OK)
        rc = acl_fail(zErr, nErr, "RemoveDirectoryW", zDir, GetLastError());
    return rc;
}

int acl_purge_dir(const wchar_t *zDir, char *zErr, size_t nErr)
{
    WIN32_FIND_DATAW fd;
    HANDLE hFind;
    DWORD a;

    zErr[0] = 0;
    if (wcslen(zDir) < 3 || wcslen(zDir) >= MAX_PATH - 2) {
        snprintf(zErr, nErr, "bad data directory path");
        return KBS_EIO;
    }
    hFind = FindFirstFileW(zDir, &fd);
    if (hFind == INVALID_HANDLE_VALUE) return KBS_OK; /* nothing to purge */
    FindClose(hFind);
    a = fd.dwFileAttributes;
    if (a & FILE_ATTRIBUTE_REPARSE_POINT) {
        /* The data directory itself is a link: remove the link, not what it points to. */
        if ((a & FILE_ATTRIBUTE_DIRECTORY) ? RemoveDirectoryW(zDir) : DeleteFileW(zDir))
            return KBS_OK;
        return acl_fail(zErr, nErr, "RemoveDirectoryW", zDir, GetLastError());
    }
    if (!(a & FILE_ATTRIBUTE_DIRECTORY)) {
        snprintf(zErr, nErr, "not a directory: left as it is");
        return KBS_EIO;
    }
    return acl_purge(zDir, 0, zErr, nErr);
}
