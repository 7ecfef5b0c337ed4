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

/* catgen_pres_has_ubr: 1 for a Windows 10 / 11 / Server 2016+ platform with a build: its clause
 * wants `ubr=`. */
int catgen_pres_has_ubr(const catgen_pres_t *p);

/* catgen_pres_ubr: the `ubr=` of p's clause: the lowest UBR the KB-to-build table (kbbuild.h)
 * gives any of p's KBs on p's build, with that KB in *pKb (may be NULL). 0 (and *pKb 0) when p
 * is no Windows 10+ build or the table knows none of its KBs there: never a guess. */
uint32_t catgen_pres_ubr(const catgen_pres_t *p, uint32_t *pKb);

/* catgen_whole: fills r->aOther from the data and r's fix platforms (catgen_whole.c). Returns
 * KBS_OK or KBS_ENOMEM. */
int catgen_whole(const catgen_data_t *d, catgen_res_t *r);

/* catgen_write_others: the clauses of r->aOther (catgen_whole.c). */
void catgen_write_others(const catgen_res_t *r, catgen_buf_t *b);

/* ---- what kind of update a KB is (catgen_kind.c) ---- */

/* catgen_side_component: 1 when an AffectedComponent [z, z+n) names something a Windows
 * cumulative update is not alone about (Secure Boot, servicing stack, .NET, Internet Explorer,
 * MSHTML, scripting engines, Flash): an update with only such rows is a component update. */
int catgen_side_component(const char *z, size_t n);

/* Why a KB may not stand for a cumulative update of one Windows. */
typedef enum catgen_nc {
    CATGEN_NC_NONE = 0,   /* it may */
    CATGEN_NC_SIDE,       /* every OS row names a side component (Secure Boot DBX, IE, ...) */
    CATGEN_NC_WIDE,       /* listed for three or more Windows code lines (DBX, IE, SHA-2) */
} catgen_nc_t;

typedef struct catgen_kclass {
    uint32_t kb;
    uint8_t why;          /* catgen_nc_t */
    uint8_t nBase;        /* Windows code lines it is listed for (2: a data error, reported) */
} catgen_kclass_t;

/* catgen_classify: one entry per KB of an OS row, in KB order, into *paOut (caller frees).
 * Returns KBS_OK or KBS_ENOMEM. */
int catgen_classify(const catgen_data_t *d, catgen_kclass_t **paOut, size_t *pn);

/* catgen_class_find: the entry of kb in a (n entries, KB order), or NULL. */
const catgen_kclass_t *catgen_class_find(const catgen_kclass_t *a, size_t n, uint32_t kb);

/* catgen_base: the Windows code line of a platform: client and server of one release, and the
 * releases one package serves (1903/1909, 2004-22H2, 11 22H2/23H2, 24H2/25H2) share it. */
uint32_t catgen_base(const catgen_plat_t *p);

#endif
