/* prog.h: the progress bar of long console work (terminals only, after a second). */
#ifndef KBS_PROG_H
#define KBS_PROG_H

#include <stddef.h>
#include <stdio.h>

#define PROG_DELAY_MS  1000.0 /* quick work shows no bar at all */
#define PROG_REDRAW_MS 100.0  /* at most ten redraws a second */
#define PROG_WIDTH     40

typedef struct prog {
    FILE *f;
    const char *zLabel; /* "collect" */
    const char *zUnit;  /* "files" */
    int bOn;            /* allowed: asked for and f is a terminal */
    int bShown;         /* a bar is on the line: prog_end ends it */
    double t0, tLast;
    double (*fnNow)(void); /* the clock (plat_now_ms); tests set their own */
} prog_t;

/* prog_init: a bar for zLabel on f (the strings must outlive p), drawn only when bWanted and f is
 * a terminal (plat_isatty); the work starts now. */
void prog_init(prog_t *p, FILE *f, int bWanted, const char *zLabel, const char *zUnit);

/* prog_show: nDone of nAll done. Draws nothing before PROG_DELAY_MS, then redraws at most every
 * PROG_REDRAW_MS, and always once when nDone reaches nAll after the bar has been shown. */
void prog_show(prog_t *p, size_t nDone, size_t nAll);

/* prog_end: ends the bar's line, so that what follows starts on a line of its own. */
void prog_end(prog_t *p);

#endif
