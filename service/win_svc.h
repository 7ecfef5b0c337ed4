/* win_svc.h: the kbsentry Windows service: SCM install/uninstall/start/stop/status, ServiceMain. */
#ifndef KBS_WIN_SVC_H
#define KBS_WIN_SVC_H

#include <stdio.h>
#include <wchar.h>

#define SVC_NAME L"kbsentry"
#define SVC_DISPLAY L"kbsentry hotfix agent"
#define SVC_ACCOUNT L"NT AUTHORITY\\NetworkService"
#define SVC_DEPENDENCIES L"RpcSs\0" /* WMI is DCOM: the agent starts after RPC */
#define SVC_DESCRIPTION                                                                        \
    L"Inventories installed hotfixes and emergency-patch evidence, keeps a local history and " \
    L"writes a snapshot for the kbsentry console."
#define SVC_START_WAIT_MS 30000u

/* Each returns the process exit code: 0 done, 1 the service is not in the asked state (status,
 * or a start that did not reach RUNNING), 2 error (message on err). */

/* svc_install: copies kbsentry-svc.exe to %ProgramFiles%\kbsentry (setup_install_copy) and
 * creates the service for that copy (auto start, NetworkService, depends on RpcSs, description,
 * restart on failure), registers the copy as the event message file, makes or checks the data
 * directory (acl_prepare_dir with ACL_FIX), stores zDrop (may be NULL) as DropShare and starts
 * the service. */
int svc_install(const wchar_t *zDrop, FILE *out, FILE *err);
/* svc_uninstall: stops the service if it runs, deletes it and its event source. History and
 * snapshot in the data directory stay. */
int svc_uninstall(FILE *out, FILE *err);
int svc_start(FILE *out, FILE *err);
/* svc_stop: asks the service to stop and prints how long it took. */
int svc_stop(FILE *out, FILE *err);
/* svc_status: state, process id, account and start type. 0 when running. */
int svc_status(FILE *out, FILE *err);

/* svc_dispatch: the entry when the SCM starts us ("kbsentry-svc service"). */
int svc_dispatch(FILE *err);

/* svc_run_console: the agent in the foreground until Ctrl+C (or maxScans scans, 0: no limit);
 * events are printed on err. */
int svc_run_console(unsigned maxScans, FILE *out, FILE *err);

#endif
