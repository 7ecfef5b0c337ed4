/* snap_int.h: what the snapshot writer and parser share, not for other modules. */
#ifndef KBS_SNAP_INT_H
#define KBS_SNAP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "os.h"
#include "snap.h"

#define SNAP_MAGIC "KBSENTRY-SNAPSHOT "
#define SNAP_MAGIC_LEN 18
#define SNAP_NSRC 5

/* Source words in bit order of enum snap_src. */
extern const char *const snap_azSrcName[SNAP_NSRC];

/* snap_add_hotfix with the KB id already parsed from zRaw (kb.num 0: not a KB). */
int snap_add_hotfix_kb(snap_t *s, const kb_id_t *pKb, const char *zRaw, unsigned sources,
                       const char *zInstalled, int cbsState);

/* The CRC byte table (256 entries), for tests that check it against the polynomial. */
const uint32_t *snap_crc_table0(void);
uint32_t snap_crc(uint32_t crc, const unsigned char *p, size_t n);
const char *snap_ptype_name(os_ptype_t t);

/* snap_utf8_ok: 1 when n bytes at p are valid UTF-8 (no overlongs, no surrogates), else 0. */
int snap_utf8_ok(const unsigned char *p, size_t n);

#endif
