/* win_facts.h: the configuration facts a scan records for workarounds (registry values, the
 * Spooler's start type, the ms-msdt protocol key, the SMB1Protocol feature). */
#ifndef KBS_WIN_FACTS_H
#define KBS_WIN_FACTS_H

#include <stdint.h>

#include "snap.h"
#include "win_reg.h"

/* facts_collect_reg: adds the registry facts that apply to an OS of this major.minor to s, each
 * with its value ("0", "absent") or as unknown with the reason (wrong type or size, a key that
 * cannot be opened, the Spooler service not installed). Reads r's root and its native view.
 * Returns KBS_OK, or KBS_ENOMEM / KBS_ETOOBIG from the snapshot. */
int facts_collect_reg(const reg_ctx_t *r, uint32_t major, uint32_t minor, snap_t *s);

/* facts_feature_state: Win32_OptionalFeature InstallState as a fact value: 1 "enabled",
 * 2 "disabled", 3 "absent"; NULL for anything else (4 is "unknown"). */
const char *facts_feature_state(uint32_t installState);

#endif
