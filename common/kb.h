/* kb.h: Microsoft KB article ids as hotfix lists spell them, normalised to number + qualifier. */
#ifndef KBS_KB_H
#define KBS_KB_H

#include <stddef.h>
#include <stdint.h>

#define KB_QUAL_MAX 24 /* qualifier incl. NUL, e.g. "IE8", "v2" */

typedef struct kb_id {
    uint32_t num;              /* 958644; 0 means "not a KB" */
    char zQual[KB_QUAL_MAX];   /* "" or the suffix after '-' ("IE8", "v2"), original case kept */
} kb_id_t;

/* kb_parse: normalises "KB958644", "kb958644", "Q958644", "958644", "KB2510531-IE8",
 * "KB958644-v2" (surrounding blanks allowed) into *pOut. Garbage ("File 1", "KB", "Update",
 * numbers too short or too long) gives KBS_EPARSE with *pOut zeroed. */
int kb_parse(const char *zRaw, kb_id_t *pOut);

/* kb_format: "KB958644" or "KB958644-v2" into zBuf. Returns KBS_OK or KBS_ETOOBIG. */
int kb_format(const kb_id_t *kb, char *zBuf, size_t nBuf);

#endif
