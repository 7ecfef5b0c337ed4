/* win_acl.h: the agent's data directory: made or checked through a handle, with its ACL. */
#ifndef KBS_WIN_ACL_H
#define KBS_WIN_ACL_H

#include <stddef.h>
#include <windows.h>

#include <aclapi.h>

/* SYSTEM and Administrators full control, NetworkService modify; not inherited from the parent,
 * inherited by everything created inside. No ACE for Users: a reader could hold history.db or
 * the snapshot open and block the agent's writes (the console gets the snapshot another way). */
#define ACL_DATA_SDDL L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;NS)"

/* The Win32 calls acl_prepare_dir makes that a test needs to change (a reparse point or a
 * planted owner, which Wine cannot show). Same signatures as the Win32 functions. */
typedef struct aclsys {
    HANDLE(WINAPI *pfnCreateFileW)
    (LPCWSTR, DWORD, DWORD, LPSECURITY_ATTRIBUTES, DWORD, DWORD, HANDLE);
    BOOL(WINAPI *pfnGetFileInformationByHandle)(HANDLE, LPBY_HANDLE_FILE_INFORMATION);
    DWORD(WINAPI *pfnGetSecurityInfo)
    (HANDLE, SE_OBJECT_TYPE, SECURITY_INFORMATION, PSID *, PSID *, PACL *, PACL *,
     PSECURITY_DESCRIPTOR *);
    DWORD(WINAPI *pfnSetSecurityInfo)
    (HANDLE, SE_OBJECT_TYPE, SECURITY_INFORMATION, PSID, PSID, PACL, PACL);
    BOOL(WINAPI *pfnMoveFileExW)(LPCWSTR, LPCWSTR, DWORD);
} aclsys_t;

/* aclsys_default: the real functions. Never NULL; a constant. */
const aclsys_t *aclsys_default(void);

/* acl_prepare_dir flags. */
enum acl_flags {
    ACL_FIX = 1u << 0, /* install, as SYSTEM or Administrator: owner Administrators, our DACL */
};

/* What acl_prepare_dir did. */
typedef struct acl_result {
    int created;              /* 1: the directory was made now */
    int movedAside;           /* 1: a directory with an untrusted owner was renamed first */
    wchar_t zAside[MAX_PATH]; /* where it went */
    char zOwner[96];          /* its owner as "DOMAIN\name (SID)" or the SID */
} acl_result_t;

/* acl_default_dir: CSIDL_COMMON_APPDATA\kbsentry (XP: All Users\Application Data\kbsentry,
 * later: C:\ProgramData\kbsentry) into zOut (nOut wchar_t). Returns KBS_OK or KBS_ENOTFOUND. */
int acl_default_dir(wchar_t *zOut, size_t nOut);

/* acl_prepare_dir: makes zDir (missing parents get default security) with ACL_DATA_SDDL, or
 * checks the one that exists through a handle opened with FILE_FLAG_BACKUP_SEMANTICS |
 * FILE_FLAG_OPEN_REPARSE_POINT and without delete sharing (so the name cannot be swapped while
 * it is checked): a reparse point (junction, symbolic link) is refused; a directory owned by a
 * user account or group (S-1-5-21-..., Users, Everyone, ...) other than this process's user was
 * planted, and is renamed to "<dir>.untrusted-<UTC time>" and made anew; another owner that is
 * not SYSTEM, Administrators or NetworkService (TrustedInstaller) is refused, never renamed. A
 * drive's root is refused. With ACL_FIX the owner
 * (Administrators) and the protected DACL are set with SetSecurityInfo on that handle, never by
 * name. sys may be NULL (the real calls); pRes may be NULL. Returns KBS_OK, KBS_EACCESS (a
 * reparse point, or access denied) or KBS_EIO, with the call, the path and the code in zErr. */
int acl_prepare_dir(const aclsys_t *sys, const wchar_t *zDir, unsigned flags, acl_result_t *pRes,
                    char *zErr, size_t nErr);

/* acl_purge_dir: deletes zDir and everything in it without ever following a reparse point: a
 * junction or symbolic link (zDir itself included) is removed as a link, its target untouched.
 * Returns KBS_OK (also when zDir does not exist) or KBS_EIO with the first failure in zErr; it
 * goes on past a failure. */
int acl_purge_dir(const wchar_t *zDir, char *zErr, size_t nErr);

#endif
