#!/usr/bin/env bash
# Builds the linux preset and runs every benchmark in tests/bench; each prints its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset linux >/dev/null && cmake --build --preset linux -j"$(nproc)" >/dev/null
for b in build/linux/tests/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "=== $(basename "$b")"
  "$b" "$@"
done
