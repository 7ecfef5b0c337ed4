/* catgen_int.h: what the catgen_*.c files share (and tests reach), not part of the API. */
#ifndef KBS_CATGEN_INT_H
#define KBS_CATGEN_INT_H

#include "catgen.h"

/* catgen_str: the string of index idx ("" for 0 or out of range). */
const char *catgen_str(const catgen_strtab_t *t, uint32_t idx);

/* catgen_find_str: the index of z in t. Returns KBS_OK or KBS_ENOTFOUND. */
int catgen_find_str(const catgen_strtab_t *t, const char *z, uint32_t *pIdx);

/* catgen_is_cumulative: 1 for families serviced by monthly rollups or cumulative updates. */
int catgen_is_cumulative(os_family_t fam);

/* catgen_is_rollup_family: 1 for the families with a rollup and a security-only update a month. */
int catgen_is_rollup_family(os_family_t fam);

/* catgen_write_kbs: one `  kb N  # date how` line per KB of p. */
void catgen_write_kbs(const catgen_pres_t *p, catgen_buf_t *b);

#endif
