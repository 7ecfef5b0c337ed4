/* merge.h: one machine's facts from several inputs (systeminfo, wmic qfe, Get-HotFix) joined. */
#ifndef KBS_MERGE_H
#define KBS_MERGE_H

#include "snap.h"

/* merge_same_host: 1 when host names a and b name the same machine: equal ignoring case, or
 * one is a table cell cut with "..." ("DESKTOP-KA...") that the other starts with. Empty names
 * match nothing. */
int merge_same_host(const char *a, const char *b);

/* merge_into: adds the facts of src to dst (both the same machine). Hotfixes are joined (sources
 * OR-ed, dates filled); OS facts, domain and machine id are taken from src where dst has none;
 * files and sources are appended. The joined list is complete when either list was complete
 * (a whole WMI class, or a systeminfo list that was not cut), else it keeps dst's reason.
 * Returns KBS_OK, KBS_ETOOBIG or KBS_ENOMEM (dst may then hold part of src). */
int merge_into(snap_t *dst, const snap_t *src);

#endif
