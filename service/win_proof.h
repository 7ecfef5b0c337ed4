/* win_proof.h: the proof files and registry values a site adds by policy (ProofFiles,
 * ProofValues under HKLM\SOFTWARE\Policies\kbsentry), read at each scan. */
#ifndef KBS_WIN_PROOF_H
#define KBS_WIN_PROOF_H

#include <windows.h>

#include "snap.h"
#include "win_reg.h"

#define PROOF_LIST_BYTES_MAX 65536 /* a REG_MULTI_SZ of 64 entries of 400 bytes fits */

/* proof_collect: reads ProofFiles and ProofValues (REG_MULTI_SZ) from r's root\SOFTWARE\Policies\
 * kbsentry (native view) and records each accepted entry as the snapshot's usual line: a file
 * under zSystemRoot (NULL: the system Windows directory) as "%SystemRoot%\<entry>" with its
 * version, a value as the fact "<last key>.<value>" (common/proof.h). Nothing else is read. A
 * list that is set adds the source "policy-files" / "policy-values": ok, or failed naming the
 * entries refused (proof_file_check / proof_value_check, entries past PROOF_ENTRY_MAX, a wrong
 * type, an unreadable list) while the accepted ones are still read. Returns KBS_OK, or
 * KBS_ENOMEM from the snapshot. */
int proof_collect(const reg_ctx_t *r, const wchar_t *zSystemRoot, snap_t *s);

#endif
