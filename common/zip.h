/* zip.h: reading one member of a ZIP archive (stored or deflated), bounded and CRC-checked. */
#ifndef KBS_ZIP_H
#define KBS_ZIP_H

#include <stddef.h>

/* The largest member zip_extract inflates: the MSRC data is 135 MB today; a "1 GB" entry or a
 * deflate bomb is refused instead of filling memory. */
#define ZIP_OUT_MAX ((size_t)512 << 20)
#define ZIP_NAME_MAX 256

/* zip_is_zip: 1 when the buffer starts like a ZIP archive ("PK\3\4"). */
int zip_is_zip(const unsigned char *p, size_t n);

/* zip_extract: finds the first member of the archive [p, p+n) whose name starts with zPrefix
 * and ends with zSuffix (either may be ""), and inflates it into a malloc'd buffer *ppOut
 * (NUL-terminated, *pnOut bytes without the NUL; the caller frees it). zName receives the
 * member's name (nName bytes). On error zWhy (nWhy bytes) says what is wrong. Returns KBS_OK,
 * KBS_ENOTFOUND (no such member), KBS_EPARSE (not a zip, bad deflate data), KBS_ECHECKSUM
 * (CRC or size mismatch: truncated or altered), KBS_ETOOBIG (over ZIP_OUT_MAX), KBS_EUNSUPPORTED
 * (another compression method, encryption) or KBS_ENOMEM. */
int zip_extract(const unsigned char *p, size_t n, const char *zPrefix, const char *zSuffix,
                char **ppOut, size_t *pnOut, char *zName, size_t nName, char *zWhy, size_t nWhy);

/* zip_inflate: raw deflate data [p, p+n) into a malloc'd buffer of at most nMax bytes
 * (*ppOut, NUL-terminated, *pnOut bytes). nHint sizes the first allocation. Returns KBS_OK,
 * KBS_EPARSE, KBS_ETOOBIG or KBS_ENOMEM. */
int zip_inflate(const unsigned char *p, size_t n, size_t nHint, size_t nMax, char **ppOut,
                size_t *pnOut);

#endif
