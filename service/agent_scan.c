/* agent_scan.c: the agent's scan job: scan, atomic snapshot, history, events, drop-share copy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "agent_state.h"
#include "cat.h"
#include "history.h"
#include "kbs_err.h"
#include "scan.h"
#include "scan_cmd.h"
#include "snap.h"
#include "verdict.h"
#include "win_out.h"
#include "win_reg.h"

/* Test mode: with this variable set (milliseconds), the snapshot writer pauses between writing
 * the temp file and renaming it, so a test can kill the process mid-write. */
#define AGENT_PAUSE_ENV L"KBSENTRY_TEST_PAUSE_BEFORE_RENAME_MS"

/* A scan dated this much before the previous one means the clock went back (not mere drift). */
#define AGENT_CLOCK_SLACK_S 120

typedef struct agent_scan_state {
    hist_t hist;
    wchar_t zHistDir[MAX_PATH]; /* the data directory hist was opened in */
    int histOpen;
    cat_t cat;
    int catOk;
    winsys_t sys;     /* the snapshot writer's calls (the test pause hooks one) */
    int64_t lastTime; /* the previous scan's time (0: none yet in this process) */
} agent_scan_state_t;

static BOOL WINAPI agent_move_paused(LPCWSTR zFrom, LPCWSTR zTo, DWORD flags)
{
    wchar_t z[16];
    DWORD n = GetEnvironmentVariableW(AGENT_PAUSE_ENV, z, 16);
    if (n && n < 16) Sleep((DWORD)wcstoul(z, NULL, 10));
    return MoveFileExW(zFrom, zTo, flags);
}

void agent_scan_free(void *pState)
{
    agent_scan_state_t *st = pState;
    if (!st) return;
    hist_close(&st->hist);
    cat_release(&st->cat);
    free(st);
}

hist_t *agent_scan_history(agent_t *a)
{
    agent_scan_state_t *st = a->pJobState;
    return st && st->histOpen ? &st->hist : NULL;
}

int agent_file_write(const wchar_t *zPath, const void *p, size_t n, char *zErr, size_t nErr)
{
    return out_write_file(zPath, p, n, zErr, nErr);
}

static agent_scan_state_t *agent_scan_state(agent_t *a)
{
    agent_scan_state_t *st = a->pJobState;
    char zErr[200];

    if (st) return st;
    if (!(st = calloc(1, sizeof(*st)))) return NULL;
    st->sys =
        a->opts.pScanOpts && a->opts.pScanOpts->sys ? *a->opts.pScanOpts->sys : *winsys_default();
    if (GetEnvironmentVariableW(AGENT_PAUSE_ENV, NULL, 0)) st->sys.pfnMoveFileExW = agent_move_paused;
    st->catOk = cat_load_default(&st->cat) == KBS_OK;
    if (!st->catOk) {
        snprintf(zErr, sizeof(zErr), "the built-in catalog does not load; no verdicts");
        evt_log(&a->evt, MSG_ERR_SCAN, zErr, NULL);
    }
    a->pJobState = st;
    return st;
}

/* The history lives in the data directory; a changed DataDir moves it there. */
static int agent_hist_ready(agent_t *a, agent_scan_state_t *st)
{
    char zPath[MAX_PATH * 3 + 16], zErr[300];
    int rc;

    if (st->histOpen && !wcscmp(st->zHistDir, a->zDataDir)) return KBS_OK;
    hist_close(&st->hist);
    st->histOpen = 0;
    agent_utf8(a->zDataDir, zPath, MAX_PATH * 3);
    strcat(zPath, "\\" HIST_FILE);
    rc = hist_open(&st->hist, zPath, zErr, sizeof(zErr));
    if (zErr[0]) evt_log(&a->evt, MSG_ERR_HISTORY, zPath, zErr, NULL);
    if (rc) return rc;
    wcscpy(st->zHistDir, a->zDataDir);
    st->histOpen = 1;
    return KBS_OK;
}

static int agent_is_list_source(const char *zName)
{
    return !strcmp(zName, "wmi-qfe") || (!strncmp(zName, "reg-", 4) && strcmp(zName, "reg-os"));
}

/* History: the hotfix set as normalised keys; removals only count when every list worked. */
static void agent_record(agent_t *a, agent_scan_state_t *st, const snap_t *s, unsigned ms,
                         unsigned nMissing)
{
    hist_scan_t hs;
    hist_change_t ch;
    char (*azKey)[SNAP_RAW_MAX] = NULL;
    const char **az = NULL;
    char zErr[300], zA[16], zR[16];
    size_t i;
    int complete = s->hotfixesComplete;

    if (agent_hist_ready(a, st) != KBS_OK) return;
    memset(&hs, 0, sizeof(hs));
    hs.time = s->scanTime;
    hs.ms = ms;
    hs.nHotfix = (unsigned)s->nHotfix;
    hs.nSource = (unsigned)s->nSource;
    hs.nMissing = nMissing;
    for (i = 0; i < s->nSource; i++) {
        if (s->aSource[i].ok)
            hs.nSourceOk++;
        else if (agent_is_list_source(s->aSource[i].zName))
            complete = 0;
    }
    hs.complete = complete;
    hs.zResult = hs.nSourceOk == hs.nSource ? "ok" : "partial";
    azKey = malloc((s->nHotfix ? s->nHotfix : 1) * sizeof(*azKey));
    az = malloc((s->nHotfix ? s->nHotfix : 1) * sizeof(*az));
    if (!azKey || !az) goto out;
    for (i = 0; i < s->nHotfix; i++) {
        if (!s->aHotfix[i].kb.num || kb_format(&s->aHotfix[i].kb, azKey[i], SNAP_RAW_MAX))
            snprintf(azKey[i], SNAP_RAW_MAX, "%s", s->aHotfix[i].zRaw);
        az[i] = azKey[i];
    }
    if (hist_record(&st->hist, &hs, az, s->nHotfix, &ch, zErr, sizeof(zErr)) != KBS_OK) {
        evt_log(&a->evt, MSG_ERR_HISTORY, st->hist.zPath, zErr, NULL);
    } else if (ch.nAdded || ch.nRemoved) {
        snprintf(zA, sizeof(zA), "%u", ch.nAdded);
        snprintf(zR, sizeof(zR), "%u", ch.nRemoved);
        evt_log(&a->evt, MSG_HOTFIX_CHANGES, zA, zR, ch.zSummary, NULL);
    }
out:
    free(azKey);
    free(az);
}

/* The scheduler uses relative timers and tick counts, so a clock set back does not stall or
 * hurry it; but the snapshot and history carry wall-clock times, so the jump is reported once
 * (the next scan compares with this one, not with the time before the jump). */
static void agent_clock_check(agent_t *a, agent_scan_state_t *st, int64_t t)
{
    char zNow[32], zPrev[32];
    int64_t prev = st->lastTime;

    if (!prev && agent_hist_ready(a, st) == KBS_OK) prev = hist_last_time(&st->hist);
    st->lastTime = t;
    if (!prev || t + AGENT_CLOCK_SLACK_S >= prev) return;
    reg_unix_iso(t, zNow, sizeof(zNow));
    reg_unix_iso(prev, zPrev, sizeof(zPrev));
    evt_log(&a->evt, MSG_WARN_CLOCK, zNow, zPrev, NULL);
}

/* One event per emergency rule the machine misses or cannot fix; returns the counts. */
static void agent_verdicts(agent_t *a, agent_scan_state_t *st, const snap_t *s,
                           unsigned aCount[VERDICT_COUNT])
{
    verdict_t *av;
    int n, i;

    memset(aCount, 0, VERDICT_COUNT * sizeof(aCount[0]));
    if (!st->catOk || !(av = calloc(st->cat.nRule ? st->cat.nRule : 1, sizeof(*av)))) return;
    n = verdict_eval(&st->cat, s, av, st->cat.nRule);
    for (i = 0; i < n; i++) {
        aCount[av[i].status]++;
        if (av[i].status == VERDICT_MISSING)
            evt_log(&a->evt, MSG_PATCH_MISSING, av[i].rule->zId, av[i].rule->zTitle,
                    av[i].zEvidence, av[i].zAction[0] ? av[i].zAction : "-", NULL);
        else if (av[i].status == VERDICT_UNPATCHABLE)
            evt_log(&a->evt, MSG_PATCH_UNPATCHABLE, av[i].rule->zId, av[i].rule->zTitle,
                    av[i].zEvidence, av[i].zAction[0] ? av[i].zAction : "-", NULL);
    }
    free(av);
}

/* last-scan.txt in the data directory, for `kbsentry-svc status` (which cannot ask the service):
 * when, the result, the counts, where the snapshot went. A failure to write it is not the scan's.
 */
static void agent_note_scan(agent_t *a, const snap_t *s, const char *zResult, unsigned nOk,
                            unsigned ms, const unsigned aCount[VERDICT_COUNT],
                            const char *zSnapshot)
{
    wchar_t zPath[MAX_PATH];
    char zTime[32] = "", zHot[16], zSrc[48], zVer[160], zMs[16], zErr[200];

    if (state_path(a->zDataDir, STATE_SCAN_FILE, zPath) != KBS_OK) return;
    reg_unix_iso(s->scanTime ? s->scanTime : (int64_t)time(NULL), zTime, sizeof(zTime));
    snprintf(zHot, sizeof(zHot), "%u", (unsigned)s->nHotfix);
    snprintf(zSrc, sizeof(zSrc), "%u of %u worked", nOk, (unsigned)s->nSource);
    snprintf(zVer, sizeof(zVer), "%u missing, %u unpatchable, %u unknown, %u mitigated, %u patched",
             aCount[VERDICT_MISSING], aCount[VERDICT_UNPATCHABLE], aCount[VERDICT_UNKNOWN],
             aCount[VERDICT_MITIGATED], aCount[VERDICT_PATCHED]);
    snprintf(zMs, sizeof(zMs), "%u", ms);
    {
        const char *azKV[] = {"time",     zTime,     "result",      zResult,    "hotfixes",
                              zHot,       "sources", zSrc,          "verdicts", zVer,
                              "snapshot", zSnapshot, "duration-ms", zMs};
        /* A scan that failed has only its time and reason. */
        state_write(zPath, azKV, strncmp(zResult, "failed", 6) ? 7 : 2, zErr, sizeof(zErr));
    }
}

int agent_scan_job(agent_t *a)
{
    agent_scan_state_t *st = agent_scan_state(a);
    scan_opts_t so;
    snap_t s;
    char *pBuf = NULL, zErr[300], zName[SNAP_HOST_MAX + 8], zPathU[MAX_PATH * 3];
    char zC[10][16], zResult[400] = "", zSnapNote[MAX_PATH * 3 + 64] = "";
    wchar_t zNameW[SNAP_HOST_MAX + 8], zPath[MAX_PATH];
    unsigned aCount[VERDICT_COUNT] = {0}, nOk = 0, ms = 0;
    size_t nBuf = 0, i;
    DWORD t0 = GetTickCount();
    LONG gen = a->scanGen;
    int rc;

    memset(&s, 0, sizeof(s));
    if (!st) return KBS_ENOMEM;
    memset(&so, 0, sizeof(so));
    if (a->opts.pScanOpts) so = *a->opts.pScanOpts;
    so.hStop = a->hStop;
    if (a->wmiOff) so.flags |= SCAN_NO_WMI; /* an earlier scan hung in WMI */
    rc = scan_run(&so, &s);
    if (gen != a->scanGen) {
        rc = KBS_ETIMEOUT; /* abandoned by the watchdog: a newer scan owns the files */
        goto out;
    }
    if (rc == KBS_OK && a->wmiOff)
        snap_add_source(&s, "wmi-qfe", 0, "left out: an earlier scan hung in WMI (restart the "
                                          "service once winmgmt answers again)");
    if (a->opts.pfnNow) s.scanTime = a->opts.pfnNow();
    if (rc == KBS_ETIMEOUT || WaitForSingleObject(a->hStop, 0) == WAIT_OBJECT_0) {
        rc = KBS_ETIMEOUT; /* stopping: an unfinished scan is not written */
        goto out;
    }
    if (rc != KBS_OK) {
        evt_log(&a->evt, MSG_ERR_SCAN, kbs_strerror(rc), NULL);
        snprintf(zResult, sizeof(zResult), "failed: %s", kbs_strerror(rc));
        goto out;
    }
    for (i = 0; i < s.nSource; i++) {
        size_t o = strlen(zResult);
        if (s.aSource[i].ok) {
            nOk++;
            continue;
        }
        /* "partial: reg-cbs, files failed": each source that failed (the events say why). */
        snprintf(zResult + o, sizeof(zResult) - o, "%s%s",
                 o ? ", " : "partial: ", s.aSource[i].zName);
        evt_log(&a->evt, strncmp(s.aSource[i].zName, "wmi", 3) ? MSG_ERR_SOURCE : MSG_ERR_WMI,
                s.aSource[i].zName, s.aSource[i].zError[0] ? s.aSource[i].zError : "failed",
                NULL);
    }
    if (zResult[0])
        snprintf(zResult + strlen(zResult), sizeof(zResult) - strlen(zResult), " failed");
    else
        snprintf(zResult, sizeof(zResult), "complete");
    if ((rc = snap_write(&s, &pBuf, &nBuf)) != KBS_OK) {
        evt_log(&a->evt, MSG_ERR_SCAN, "the snapshot cannot be written", kbs_strerror(rc), NULL);
        snprintf(zResult, sizeof(zResult), "failed: the snapshot cannot be written: %s",
                 kbs_strerror(rc));
        goto out;
    }
    scan_file_name(s.zHost, zName, sizeof(zName));
    MultiByteToWideChar(CP_UTF8, 0, zName, -1, zNameW, SNAP_HOST_MAX + 8);
    if (_snwprintf(zPath, MAX_PATH, L"%ls\\%ls", a->zDataDir, zNameW) < 0) {
        rc = KBS_ETOOBIG;
        evt_log(&a->evt, MSG_ERR_WRITE, zName, "path too long", NULL);
        snprintf(zResult, sizeof(zResult), "failed: the snapshot path is too long");
        goto out;
    }
    zPath[MAX_PATH - 1] = 0;
    agent_utf8(zPath, zPathU, sizeof(zPathU));
    agent_clock_check(a, st, s.scanTime);
    rc = out_write_file_sys(&st->sys, zPath, pBuf, nBuf, zErr, sizeof(zErr));
    ms = (unsigned)(GetTickCount() - t0);
    agent_verdicts(a, st, &s, aCount);
    if (rc != KBS_OK) {
        /* The old snapshot stays whole; the share still gets this scan, so a full local disk
         * does not hide the machine from the console. */
        evt_log(&a->evt, MSG_ERR_WRITE, zPathU, zErr, NULL);
        snprintf(zSnapNote, sizeof(zSnapNote), "not written: %s", zErr);
        goto share;
    }
    snprintf(zSnapNote, sizeof(zSnapNote), "%s", zPathU);
    agent_record(a, st, &s, ms, aCount[VERDICT_MISSING]);
    snprintf(zC[0], 16, "%u", ms);
    snprintf(zC[1], 16, "%u", (unsigned)s.nHotfix);
    snprintf(zC[2], 16, "%u", (unsigned)s.nFile);
    snprintf(zC[3], 16, "%u", nOk);
    snprintf(zC[4], 16, "%u", (unsigned)s.nSource);
    snprintf(zC[5], 16, "%u", aCount[VERDICT_MISSING]);
    snprintf(zC[6], 16, "%u", aCount[VERDICT_UNPATCHABLE]);
    snprintf(zC[7], 16, "%u", aCount[VERDICT_UNKNOWN]);
    snprintf(zC[8], 16, "%u", aCount[VERDICT_PATCHED]);
    evt_log(&a->evt, MSG_SCAN_DONE, zC[0], nOk == s.nSource ? "complete" : "partial", zC[1],
            zC[2], zC[3], zC[4], zC[5], zC[6], zC[7], zC[8], zPathU, NULL);
share:
    if (a->set.zDropShare[0]) {
        wchar_t zState[MAX_PATH];
        if (state_path(a->zDataDir, STATE_UPLOAD_FILE, zState) == KBS_OK)
            drop_set_state(&a->drop, zState);
        drop_submit(&a->drop, a->set.zDropShare, zNameW, pBuf, nBuf);
        pBuf = NULL; /* the copier owns it now */
    }
out:
    /* A scan stopped or abandoned is not a result; the others are kept for `status`. */
    if (rc != KBS_ETIMEOUT && zResult[0])
        agent_note_scan(a, &s, zResult, nOk, ms ? ms : (unsigned)(GetTickCount() - t0), aCount,
                        zSnapNote);
    free(pBuf);
    snap_release(&s);
    return rc;
}
