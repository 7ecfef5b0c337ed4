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
# inventory of 10,000 accounts over LDAP from a Samba AD DC provisioned in a network namespace
# of its own (needs Samba and root or user namespaces; skipped with the reason otherwise)
echo "=== inventory over LDAP (tests/ldap/samba_dc.sh bench)"
bash tests/ldap/samba_dc.sh bench "$PWD/build/linux/console/kbsentry" "$PWD/build/linux/testtmp/bench_ldap" 10000 ||
  [ $? -eq 77 ]
