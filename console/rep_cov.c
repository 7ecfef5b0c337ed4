/* rep_cov.c: the directory coverage summary every report format heads with: its counts, labels
 * and keys in one order. */
#include "rep_int.h"

const char *const rep_azCovKey[REP_COV_N] = {
    "in_directory", "reporting", "never_reported", "stale", "disabled", "not_in_directory",
};

const char *const rep_azCovLabel[REP_COV_N] = {
    "in the directory", "reporting", "never reported", "stale", "disabled",
    "reporting but not in the directory",
};

void rep_cov_counts(const rep_cov_t *c, size_t aN[REP_COV_N])
{
    aN[0] = c->nInDir;
    aN[1] = c->nReporting;
    aN[2] = c->nNever;
    aN[3] = c->nStale;
    aN[4] = c->nDisabled;
    aN[5] = c->nNotInDir;
}

void rep_cov_text(rep_out_t *o, const rep_t *r, const char *zSep)
{
    size_t aN[REP_COV_N], i;
    char zIso[24];
    rep_cov_counts(&r->cov, aN);
    rep_out_str(o, "Directory coverage");
    if (rep_iso_time(r->cov.syncTime, zIso)) {
        zIso[10] = ' ';
        zIso[16] = 0;
        rep_out_str(o, " (sync of ");
        rep_out_str(o, zIso);
        rep_out_str(o, " UTC)");
    }
    rep_out_str(o, ": ");
    for (i = 0; i < REP_COV_N; i++) {
        if (i) rep_out_str(o, zSep);
        rep_out_u64(o, aN[i]);
        rep_out_ch(o, ' ');
        rep_out_str(o, rep_azCovLabel[i]);
    }
}
