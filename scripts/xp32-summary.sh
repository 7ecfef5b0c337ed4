#!/usr/bin/env bash
# xp32-summary.sh CTEST-LOG BUILD-DIR: one line saying whether the XP build's tests ran under
# 32-bit Wine natively or were skipped, and why (cmake/wine-env.sh decides; the log of
# `ctest --preset xp32` gives the counts; the build's cache gives the prefix's Windows version).
set -u
log=$1 build=$2
here=$(cd "$(dirname "$0")/.." && pwd)
env32() { KBS_WINE_ARCH=win32 bash -c ". '$here/cmake/wine-env.sh' >/dev/null 2>&1; $1"; }
how=$(env32 kbs_wine32_how) || how=unknown
why=$(env32 'echo "$KBS_WINE32_WHY"')
winver=$(sed -n 's/^KBS_WINE_VERSION:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
skipped=$(grep -c '\*\*\*Skipped' "$log")
total=$(sed -n 's/.*tests passed, [0-9]* tests* failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
[ -n "$total" ] || { echo "xp32: no ctest summary in $log (the tests did not finish)"; exit 0; }
ran=$((total - skipped))
case "$how" in
  native) echo "xp32: ran natively under 32-bit Wine (${winver:-the default Windows version}): $ran tests run, $skipped skipped" ;;
  skip) echo "xp32: skipped: $why; $skipped Wine tests skipped," \
             "$ran without Wine run (KBS_WINE32_QEMU=light or all runs them emulated)" ;;
  light|all) echo "xp32: ran under 32-bit Wine emulated by qemu-i386 (KBS_WINE32_QEMU=$how," \
                  "${winver:-default}): $ran tests run, $skipped skipped" ;;
  *) echo "xp32: 32-bit Wine not run (KBS_WINE32_QEMU=$how): $ran tests run, $skipped skipped" ;;
esac
