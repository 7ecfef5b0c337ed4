/* cat_text.h: a catalog's text edited as text: one rule's block cut out, rules added or replaced.
 */
#ifndef KBS_CAT_TEXT_H
#define KBS_CAT_TEXT_H

#include <stddef.h>

/* A rule's block is its text from the `rule ID` line through its `end` line (line end included).
 * These functions only cut and join text: the result is checked by cat_parse like any catalog. */

/* cat_text_rule_id: the id of the first `rule` directive in [z, z+n) into zId (nId bytes, "" when
 * there is none or it does not fit). Returns the number of `rule` directives in the text. */
size_t cat_text_rule_id(const char *z, size_t n, char *zId, size_t nId);

/* cat_text_find: the block of rule zId (compared without regard to case) in [z, z+n): its offset
 * and length. Returns KBS_OK, KBS_ENOTFOUND, or KBS_EPARSE when the block has no `end` line. */
int cat_text_find(const char *z, size_t n, const char *zId, size_t *pOff, size_t *pLen);

/* cat_text_one: a catalog of one rule of [z, z+n): its `kbscat` and `data-date` lines, a comment
 * naming zSource, the rule's block and `end-catalog 1`, into *pzOut (malloc'd, NUL-terminated,
 * the caller frees) and *pnOut. Returns KBS_OK, KBS_ENOTFOUND, KBS_EPARSE or KBS_ENOMEM. */
int cat_text_one(const char *z, size_t n, const char *zId, const char *zSource, char **pzOut,
                 size_t *pnOut);

/* cat_text_merge: the base catalog with the nAdd blocks azAdd[i] (anAdd[i] bytes, each one rule,
 * comments allowed) added: a base rule with an added rule's id is cut out, the added blocks follow
 * the base's rules under a comment, and `end-catalog` counts the result. *pzOut is malloc'd
 * (NUL-terminated, the caller frees). Returns KBS_OK, KBS_EPARSE (a block without one rule, a
 * base rule without `end`) or KBS_ENOMEM. */
int cat_text_merge(const char *zBase, size_t nBase, const char *const *azAdd, const size_t *anAdd,
                   size_t nAdd, char **pzOut, size_t *pnOut);

#endif
