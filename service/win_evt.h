/* win_evt.h: Windows event log writer for the agent (message ids from messages.mc). */
#ifndef KBS_WIN_EVT_H
#define KBS_WIN_EVT_H

#include <stdio.h>
#include <windows.h>

#include "messages.h"

#define EVT_SOURCE L"kbsentry"
#define EVT_MAX_STR 12

typedef struct evt {
    HANDLE hSource;        /* RegisterEventSourceW handle; NULL when the log is unavailable */
    FILE *fMirror;         /* each event is also printed here (foreground run, tests); or NULL */
    volatile LONG nReported; /* events reported so far */
    volatile LONG nError;    /* of which errors */
    volatile LONG lastId;    /* message id (low 16 bits) of the last event */
} evt_t;

/* evt_open: opens the event source; fMirror (may be NULL) receives a text copy of each event.
 * A missing event log is not an error: events then only go to fMirror. Returns KBS_OK. */
int evt_open(evt_t *e, FILE *fMirror);

/* evt_close: closes the source; accepts a zeroed or closed evt_t. */
void evt_close(evt_t *e);

/* evt_log: reports message id with up to EVT_MAX_STR UTF-8 insertion strings, the list ended by
 * NULL. The event type follows the message severity. Thread-safe; never fails the caller. */
void evt_log(evt_t *e, DWORD id, ...);

/* evt_id: the event id the event viewer shows (low 16 bits of a message id). */
#define evt_id(msg) ((unsigned)((msg)&0xFFFFu))

/* evt_register_source / evt_unregister_source: the EventLog\Application\kbsentry key naming
 * zExe as the message file (install/uninstall, needs Administrator). Return KBS_OK, KBS_EACCESS
 * or KBS_EIO; unregistering a missing source is KBS_OK. */
int evt_register_source(const wchar_t *zExe);
int evt_unregister_source(void);

#endif
