/* scan_cmd.h: the `kbsentry-svc scan [--out DIR | --stdout]` command (one scan, no service). */
#ifndef KBS_SCAN_CMD_H
#define KBS_SCAN_CMD_H

#include <stdio.h>

#include "snap.h"

/* scan_cmd: argv[1] is "scan". Without options prints a summary to out; --stdout writes the
 * snapshot text to out; --out DIR [--strict] [--accept-unknown] writes DIR\<HOST>.kbs atomically (DIR is made when missing,
 * one level), first keeping an earlier, different <HOST>.kbs there as
 * <HOST>-YYYYMMDD-HHMMSS.kbs (its scan time, UTC), then prints the verdicts of the built-in
 * catalog. Warnings about failed sources go to err. Returns 0 (--out: every verdict compliant,
 * as the console's `check` with the same two options), 1 (--out: a verdict missing, unpatchable,
 * unknown unless --accept-unknown, mitigated with --strict), or 2 for a bad argument, a failed
 * scan or a failed write. */
int scan_cmd(int argc, char **argv, FILE *out, FILE *err);

/* scan_file_name: "<HOST>.kbs" for host zHost, any character not safe in a file name on every
 * Windows (letters, digits, '-', '_', '.') replaced by '_'; "unknown-host.kbs" for "". */
void scan_file_name(const char *zHost, char *z, size_t n);

#endif
