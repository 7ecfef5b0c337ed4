/* merge.h: one machine's facts from several inputs (systeminfo, wmic qfe, Get-HotFix) joined. */
#ifndef KBS_MERGE_H
#define KBS_MERGE_H

#include <stddef.h>

#include "snap.h"

/* merge_cut_len: the length of the name's text before "..." when a console table cut it
 * ("DESKTOP-KA..." gives 10), else 0. */
size_t merge_cut_len(const char *zName);

/* merge_cut_fits: 1 when zCut is a cut name and the whole (uncut) name zWhole starts with its
 * text, ASCII case ignored. Whether it names that machine is for the caller to decide: only when
 * it fits exactly one of the machines at hand. */
int merge_cut_fits(const char *zCut, const char *zWhole);

/* merge_into: adds the facts of src to dst, both the same machine: the one merge of `check
 * FILES` and of the database's state (a systeminfo and the wmic qfe / Get-HotFix file of the
 * same run, in either order). Hotfixes are joined (sources OR-ed, empty dates filled); files and
 * sources appended; OS facts, domain and machine id taken from src where dst has none. The joined
 * list is complete when both lists are, or when one is complete and covers what the other counts:
 * a systeminfo list cut short (10 counted, 2 listed) is made whole by a complete QFE list of at
 * least 10 rows, not by a shorter one; else it keeps the reason it is not. Returns KBS_OK,
 * KBS_ETOOBIG or KBS_ENOMEM (dst may then hold part of src). */
int merge_into(snap_t *dst, const snap_t *src);

#endif
