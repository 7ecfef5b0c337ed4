#!/usr/bin/env bash
# Installs what the build needs, builds every preset and runs every test (native and Wine).
# Usage: bash scripts/test.sh [PRESET...]   (default: linux linux-asan xp32 win64 fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then bash cmake/install-packages.sh; fi

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(linux linux-asan xp32 win64 fuzz)
jobs=$(nproc)
status=0
summary=()
for p in "${presets[@]}"; do
  echo "=== preset $p: configure + build"
  t0=$(date +%s)
  cmake --preset "$p" >"build-$p.log" 2>&1 || { cat "build-$p.log"; exit 1; }
  cmake --build --preset "$p" -j"$jobs" >>"build-$p.log" 2>&1 || { tail -50 "build-$p.log"; exit 1; }
  t1=$(date +%s)
  echo "=== preset $p: built in $((t1 - t0)) s; running tests"
  if ! ctest --preset "$p" -j"$jobs" 2>&1 | tee "build/test-$p.log"; then status=1; fi
  t2=$(date +%s)
  summary+=("$p: build $((t1 - t0)) s, tests $((t2 - t1)) s")
  [ "$p" = xp32 ] && summary+=("$(bash scripts/xp32-summary.sh "build/test-$p.log" "build/$p")")
  rm -f "build/test-$p.log"
  rm -f "build-$p.log"
done
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $status
