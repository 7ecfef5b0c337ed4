/* win_acl.h: the agent's data directory and its access control list. */
#ifndef KBS_WIN_ACL_H
#define KBS_WIN_ACL_H

#include <stddef.h>
#include <windows.h>

/* SYSTEM and Administrators full control, NetworkService modify, Users read; not inherited from
 * the parent, inherited by everything created inside. */
#define ACL_DATA_SDDL                                                                          \
    L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;NS)(A;OICI;0x1200a9;;;BU)"

/* acl_default_dir: CSIDL_COMMON_APPDATA\kbsentry (XP: All Users\Application Data\kbsentry,
 * later: C:\ProgramData\kbsentry) into zOut (nOut wchar_t). Returns KBS_OK or KBS_ENOTFOUND. */
int acl_default_dir(wchar_t *zOut, size_t nOut);

/* acl_make_dir: creates zDir (and missing parents) with ACL_DATA_SDDL. With force set (install,
 * as Administrator) an existing directory gets the ACL too, protected and pushed down to its
 * files. Returns KBS_OK, KBS_EACCESS or KBS_EIO; zErr (nErr bytes) says which call failed. */
int acl_make_dir(const wchar_t *zDir, int force, char *zErr, size_t nErr);

#endif
