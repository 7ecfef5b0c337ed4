/* prog.c: the progress bar of long console work (collect), on terminals only. */
#include "prog.h"

#include "plat.h"

void prog_init(prog_t *p, FILE *f, int bWanted, const char *zLabel, const char *zUnit)
{
    p->f = f;
    p->zLabel = zLabel;
    p->zUnit = zUnit;
    p->bOn = bWanted && f && plat_isatty(f);
    p->bShown = 0;
    p->fnNow = plat_now_ms;
    p->t0 = p->fnNow();
    p->tLast = p->t0;
}

void prog_show(prog_t *p, size_t nDone, size_t nAll)
{
    char zBar[PROG_WIDTH + 1];
    double t;
    size_t i, nFill;
    if (!p->bOn || !nAll) return;
    t = p->fnNow();
    if (t - p->t0 < PROG_DELAY_MS) return;
    if (p->bShown && t - p->tLast < PROG_REDRAW_MS && nDone < nAll) return;
    if (nDone > nAll) nDone = nAll;
    nFill = nDone * PROG_WIDTH / nAll;
    for (i = 0; i < PROG_WIDTH; i++)
        zBar[i] = i < nFill ? '#' : '.';
    zBar[PROG_WIDTH] = 0;
    fprintf(p->f, "\r%s [%s] %lu/%lu %s", p->zLabel, zBar, (unsigned long)nDone,
            (unsigned long)nAll, p->zUnit);
    fflush(p->f);
    p->bShown = 1;
    p->tLast = t;
}

void prog_end(prog_t *p)
{
    if (p->bShown) {
        fputs("\n", p->f);
        fflush(p->f);
    }
    p->bShown = 0;
}
