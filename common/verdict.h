/* verdict.h: snapshot + catalog -> one verdict per emergency rule, with one line of evidence. */
#ifndef KBS_VERDICT_H
#define KBS_VERDICT_H

#include <stddef.h>

#include "cat.h"
#include "snap.h"

typedef enum verdict_status {
    VERDICT_PATCHED = 0,     /* by KB, by UBR or by file version */
    VERDICT_MISSING,         /* vulnerable and the fix is not (fully) installed */
    VERDICT_UNPATCHABLE,     /* no fix exists for this OS/SP: upgrade is the only remedy */
    VERDICT_NOT_AFFECTED,
    VERDICT_UNKNOWN,         /* the input lacks the facts to decide */
    VERDICT_MITIGATED,       /* the fix is missing but a recognised workaround is in place (agent
                              * facts only); ranks between patched and missing. Last, so that the
                              * values above keep their numbers. */
    VERDICT_COUNT
} verdict_status_t;

typedef struct verdict {
    const cat_rule_t *rule;  /* points into the catalog passed to verdict_eval */
    verdict_status_t status;
    char zEvidence[256];     /* "KB4012598 listed; srv.sys 5.1.2600.7208 >= 5.1.2600.7208" */
    char zAction[192];       /* what to do: "install KB4012598", "reboot to finish ...", "" */
} verdict_t;

/* verdict_eval: evaluates every rule of c against s into aOut[0..c->nRule-1] (caller-owned,
 * nOut >= c->nRule). Pure function of its inputs, allocation-free. Returns the number of
 * verdicts written, or KBS_EINVAL when nOut is too small. */
int verdict_eval(const cat_t *c, const snap_t *s, verdict_t *aOut, size_t nOut);

/* verdict_eval_rule: the same for one rule. Returns KBS_OK. */
int verdict_eval_rule(const cat_rule_t *r, const snap_t *s, verdict_t *pOut);

/* Options of verdict_compliant: unknown accepted (--accept-unknown); mitigated counted as not
 * compliant (--strict: a workaround is not the fix). */
#define VERDICT_ACCEPT_UNKNOWN 1u
#define VERDICT_STRICT 2u

/* verdict_compliant: 1 when status st lets a machine count as compliant for its rule (patched,
 * not affected, mitigated unless VERDICT_STRICT); unknown counts only with VERDICT_ACCEPT_UNKNOWN.
 * The one place exit codes and summaries ask, so a new status is added here alone. */
int verdict_compliant(verdict_status_t st, unsigned fOpt);

/* verdict_cbs_state_name: what a not-installed CBS CurrentState means ("pending reboot",
 * "staged", ...), or "not installed" for a state without a name. */
const char *verdict_cbs_state_name(int cbsState);

/* verdict_status_name: "patched", "missing", "unpatchable", "not-affected", "unknown",
 * "mitigated". */
const char *verdict_status_name(verdict_status_t st);

/* verdict_status_from_name: the inverse; -1 (as int) when zName is not a status name. */
int verdict_status_from_name(const char *zName);

#endif
