/* win_out.h: atomic file replacement (temp file, flush, MoveFileEx over the old one): a power
 * cut or a killed process leaves the old file or the new one, never a torn one. */
#ifndef KBS_WIN_OUT_H
#define KBS_WIN_OUT_H

#include <stddef.h>
#include <windows.h>

#include "win_api.h"

/* out_write_file: writes n bytes of p to zPath atomically: zPath.tmp<pid>-<16 random hex
 * digits> in the same directory, opened CREATE_NEW (a name already there, planted or not, is
 * never opened: another random name is tried), WriteFile, FlushFileBuffers,
 * MoveFileExW(REPLACE_EXISTING | WRITE_THROUGH, retried briefly while the old file is open
 * elsewhere); the temp file is removed on failure. zPath must leave room for the temp suffix:
 * at most MAX_PATH - 32 characters. Thread-safe: concurrent writers of one path each leave one
 * whole file. zErr gets "API path: code" on failure. Returns KBS_OK, KBS_EINVAL (path too
 * long), KBS_EACCESS, KBS_ENOTFOUND (no such directory) or KBS_EIO.
 * Same signature as drop_write_fn. */
int out_write_file(const wchar_t *zPath, const void *p, size_t n, char *zErr, size_t nErr);

/* out_write_file_sys: the same through a Win32 call table (tests inject failures). */
int out_write_file_sys(const winsys_t *sys, const wchar_t *zPath, const void *p, size_t n,
                       char *zErr, size_t nErr);

/* out_sweep_temps: deletes the temp files matching zPattern (e.g. L"*.kbs.tmp*") in zDir that
 * a killed write left behind: those of this process and of processes that no longer run.
 * Returns how many were deleted. */
int out_sweep_temps(const wchar_t *zDir, const wchar_t *zPattern);

#endif
