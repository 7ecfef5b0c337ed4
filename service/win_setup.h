/* win_setup.h: install steps done as an administrator or SYSTEM: the program's own folder under
 * Program Files, and the MSI's deferred custom actions (setup, purge). */
#ifndef KBS_WIN_SETUP_H
#define KBS_WIN_SETUP_H

#include <stdio.h>
#include <wchar.h>

/* setup_install_copy: copies the running kbsentry-svc.exe (which is also the event message file)
 * to %ProgramFiles%\kbsentry, a folder only administrators can write, and puts that copy's
 * path in zOut (nOut wchar_t): a service registered where it happens to run (Downloads, a USB
 * stick, a share) could be replaced, or get a DLL planted beside it, by whoever can write
 * there. Already running from there: no copy. Returns 0, or 2 with the reason on err. */
int setup_install_copy(wchar_t *zOut, size_t nOut, FILE *err);

/* setup_msi: "kbsentry-svc setup", the MSI's deferred custom action (as SYSTEM, after
 * InstallServices): failure actions when the service has none, and the data directory made or
 * checked with owner Administrators and its DACL (the DataDir policy's, and the default one the
 * agent falls back to). Each outcome goes to the event log and out. Returns 0, or 1 when a step
 * failed (the installer ignores it: the agent still runs). */
int setup_msi(FILE *out, FILE *err);

/* setup_purge: "kbsentry-svc purge", the MSI's PURGE=1 custom action: deletes the default data
 * directory (a DataDir set by policy may hold other data) without following a link. Returns 0
 * or 1. */
int setup_purge(FILE *out, FILE *err);

#endif
