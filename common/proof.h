/* proof.h: the proof files and values a site names by policy (ProofFiles, ProofValues), each
 * entry checked before anything is read. */
#ifndef KBS_PROOF_H
#define KBS_PROOF_H

#include <stddef.h>
#include <stdint.h>

#define PROOF_ENTRY_MAX     64  /* entries read of each list; more are rejected */
#define PROOF_FILE_LEN_MAX  200 /* bytes of a path relative to the Windows directory */
#define PROOF_VALUE_LEN_MAX 400 /* bytes of "HKLM\key\value" */
#define PROOF_NAME_MAX      96  /* = SNAP_FACT_NAME_MAX: bytes of a fact name, with its NUL */

/* proof_file_check: a ProofFiles entry (UTF-8, e.g. "system32\drivers\http.sys"; '/' reads as
 * '\') into zRel (nRel bytes, separators '\'). Refused: empty, longer than PROOF_FILE_LEN_MAX,
 * absolute ("\x", "C:x", "\\server\x"), a "." or ".." or empty component, a character Windows
 * file names cannot hold (< > : " | ? * and controls; ':' also names alternate streams).
 * Returns KBS_OK, or KBS_EINVAL / KBS_ETOOBIG with the reason in zWhy. */
int proof_file_check(const char *zEntry, char *zRel, size_t nRel, char *zWhy, size_t nWhy);

/* proof_value_check: a ProofValues entry "HKLM\key\...\value" ("HKEY_LOCAL_MACHINE\" too,
 * without regard to case) into zKey (the key below HKLM) and zValue (the value name), and the
 * fact name it is recorded under: "<last key>.<value>" with characters outside A-Z a-z 0-9 . _ -
 * written '_' (HKLM\...\PointAndPrint\RestrictDriverInstallationToAdministrators ->
 * "PointAndPrint.RestrictDriverInstallationToAdministrators"). Refused: another hive, no value
 * name, an empty component, a control character, longer than PROOF_VALUE_LEN_MAX, a fact name
 * longer than PROOF_NAME_MAX - 1. Returns KBS_OK, or KBS_EINVAL / KBS_ETOOBIG with a reason. */
int proof_value_check(const char *zEntry, char *zKey, size_t nKey, char *zValue, size_t nValue,
                      char *zFact, size_t nFact, char *zWhy, size_t nWhy);

/* proof_msz_next: the next string of a REG_MULTI_SZ of n UTF-16 units at p (an odd byte count
 * is the caller's to drop): *pOff is where to look, advanced past the string; *pzStr / *pnStr the
 * string (without NUL). A missing final NUL ends the last string; the empty string ends the
 * list. Returns 1 for a string, 0 at the end. */
int proof_msz_next(const uint16_t *p, size_t n, size_t *pOff, const uint16_t **pzStr,
                   size_t *pnStr);

/* proof_sz_to_msz: rewrites in place a REG_SZ list of n UTF-16 units whose entries are separated
 * by ';' (the legacy .adm cannot write REG_MULTI_SZ) as a REG_MULTI_SZ: blanks around entries and
 * empty entries dropped, the text ends at its first NUL. Returns the new length in units (the
 * strings' NULs included, without the list's final empty string). */
size_t proof_sz_to_msz(uint16_t *p, size_t n);

#endif
