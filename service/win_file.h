/* win_file.h: version resources of the evidence files under System32 (srv.sys, netapi32.dll, ...).
 */
#ifndef KBS_WIN_FILE_H
#define KBS_WIN_FILE_H

#include <stddef.h>
#include <windows.h>

#include "snap.h"
#include "win_api.h"

/* file_version: the FILEVERSION of zPath's VS_FIXEDFILEINFO into *pVer. Returns KBS_OK,
 * KBS_ENOTFOUND (no such file: zErr ""), or KBS_EIO / KBS_EPARSE with "API: code" or the reason
 * in zErr (no version resource, a resource too small or without the signature). */
int file_version(const winsys_t *sys, const wchar_t *zPath, ver_t *pVer, char *zErr, size_t nErr);

/* file_collect: adds the evidence files (drivers\srv.sys, srv2.sys, termdd.sys, rdpwd.sys;
 * netapi32.dll, shell32.dll, spoolsv.exe, umpnpmgr.dll, lsasrv.dll) to s, read from
 * zSystemRoot\System32 (NULL: the system Windows directory, GetSystemWindowsDirectoryW) with WOW64 file-system redirection off.
 * Absent files are listed as absent. *pnErr counts files present but unreadable. Returns KBS_OK,
 * or KBS_ENOMEM/KBS_ETOOBIG from the snapshot, or KBS_EIO with zErr when the Windows directory
 * is unknown. */
int file_collect(const winsys_t *sys, const wchar_t *zSystemRoot, snap_t *s, size_t *pnErr,
                 char *zErr, size_t nErr);

#endif
