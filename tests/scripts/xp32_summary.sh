#!/usr/bin/env bash
# xp32_summary.sh: scripts/xp32-summary.sh says in one line whether the XP build's tests ran
# natively under 32-bit Wine or were skipped and why, with the counts of a ctest log.
#   xp32_summary.sh SOURCE-DIR SCRATCH-DIR
set -u
src=$1 work=$2/xp32-summary-$$
mkdir -p "$work/build"
trap 'rm -rf "$work"' EXIT
fail=0
expect() { # expect DESCRIPTION LINE FIXED-STRING
  case "$2" in *"$3"*) echo "ok:   $1: $2" ;; *) echo "FAIL: $1: '$2' lacks '$3'"; fail=1 ;; esac
}
echo 'KBS_WINE_VERSION:STRING=winxp' >"$work/build/CMakeCache.txt"
cat >"$work/log" <<'LOG'
  1/100 Test  #1: wine_prefix_setup ..............***Skipped   0.02 sec
  2/100 Test  #2: test_scan ......................***Skipped   0.01 sec
  3/100 Test  #3: xpcheck_kbsentry ...............   Passed    0.05 sec
  4/100 Test  #4: e2e_wine_hotdesk ...............***Skipped   0.01 sec
97% tests passed, 3 tests failed out of 100
LOG
# Whether this kernel runs 32-bit Wine, asked here without the script's helpers.
if /usr/lib/wine/wine --version >/dev/null 2>&1; then native=1; else native=0; fi
line=$(KBS_WINE32_QEMU=skip bash "$src/scripts/xp32-summary.sh" "$work/log" "$work/build")
[ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ] || { echo "FAIL: more than one line: $line"; fail=1; }
if [ $native -eq 1 ]; then
  expect "native kernel" "$line" "xp32: ran natively under 32-bit Wine (winxp): 97 tests run, 3 skipped"
  line=$(KBS_WINE32_QEMU=all bash "$src/scripts/xp32-summary.sh" "$work/log" "$work/build")
  expect "native wins over the emulation setting" "$line" "xp32: ran natively"
else
  expect "kernel without 32-bit support" "$line" "xp32: skipped: this kernel runs no 32-bit Linux programs"
  expect "skip counts" "$line" "3 Wine tests skipped, 97 without Wine run"
  line=$(KBS_WINE32_QEMU=light bash "$src/scripts/xp32-summary.sh" "$work/log" "$work/build")
  expect "emulated on request" "$line" "xp32: ran under 32-bit Wine emulated by qemu-i386 (KBS_WINE32_QEMU=light, winxp)"
fi
printf 'Test #1: x ...***Failed\n' >"$work/cut"
line=$(bash "$src/scripts/xp32-summary.sh" "$work/cut" "$work/build")
expect "a run that did not finish" "$line" "xp32: no ctest summary"
[ $fail -eq 0 ] && echo PASS
exit $fail
