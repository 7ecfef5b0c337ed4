#!/usr/bin/env bash
# The main job end to end, as far as the parts go: build, then show the programs answer.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then bash cmake/install-packages.sh; fi
cmake --preset linux >/dev/null && cmake --build --preset linux -j"$(nproc)" >/dev/null
./build/linux/console/kbsentry version
