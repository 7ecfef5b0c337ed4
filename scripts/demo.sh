#!/usr/bin/env bash
# The main job end to end: build, install the x86 MSI on a Windows XP SP3 machine (32-bit Wine in
# winxp mode, scripts/demo_xp.sh) and the x64 MSI on a newer one (wine64), let both agents scan
# into a drop share, add a generated 2017 fleet, collect with the console and report.
# Usage: bash scripts/demo.sh [FLEET_SIZE]   (default 3000 hosts of the 2017 mix)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
nFleet=${1:-3000}
jobs=$(nproc)

if [ "$(id -u)" = 0 ]; then bash cmake/install-packages.sh; fi

step() { printf '\n=== %s\n' "$*"; }

step "build: console and generator (linux), agent and MSI (xp32, win64)"
cmake --preset linux >/dev/null && cmake --build --preset linux -j"$jobs" >/dev/null
cmake --preset xp32 >/dev/null && cmake --build --preset xp32 -j"$jobs" >/dev/null
cmake --preset win64 >/dev/null && cmake --build --preset win64 -j"$jobs" >/dev/null
msi=$(ls "$root"/build/win64/installer/kbsentry-*-x64.msi | head -n1)
msi86=$(ls "$root"/build/xp32/installer/kbsentry-*-x86.msi | head -n1)
msiWin="Z:$(echo "$msi" | tr / '\\')"
kbsentry=$root/build/linux/console/kbsentry
echo "MSI: $msi"

work=$(mktemp -d /tmp/kbsentry-demo.XXXXXX)
out=$root/build/demo
mkdir -p "$out"
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
wine=/usr/lib/wine/wine64
cleanup() {
  /usr/lib/wine/wineserver -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

drop=$work/drop
mkdir -p "$drop"
step "Windows XP SP3 x86: msiexec /i $(basename "$msi86") on a 32-bit Wine prefix in winxp mode"
# Its own share: both Wine machines carry this host's name, and the newer scan would hide it.
# (Exit 77: this host cannot run 32-bit Wine at a usable speed; it says why and the demo goes on.)
xpSnap=
set +e
bash "$root/scripts/demo_xp.sh" "$msi86" "$work/drop-xp" "$work"
rc=$?
set -e
if [ $rc -eq 0 ]; then xpSnap=$(ls "$work"/drop-xp/*.kbs | head -n1)
elif [ $rc -ne 77 ]; then echo "demo: the XP part failed (exit $rc)" >&2; exit 1; fi

step "a throwaway Windows machine (Wine prefix in $work)"
mkdir -p "$WINEPREFIX"
"$wine" wineboot -i </dev/null >/dev/null 2>&1
# The prefix must be written out before the install, or the install loses its service.
/usr/lib/wine/wineserver -w
dropWin="Z:$(echo "$drop" | tr / '\\')"
# The demo wants the first scan now, not within the usual 0-120 s spread.
"$wine" reg add 'HKLM\SOFTWARE\kbsentry' /v StartDelayMaxSeconds /t REG_DWORD /d 0 /f >/dev/null 2>&1

step "msiexec /i $(basename "$msi") /qn DROPSHARE=$dropWin"
"$wine" msiexec /i "$msiWin" /qn DROPSHARE="$dropWin" </dev/null >"$work/msiexec.log" 2>&1
"$wine" sc query kbsentry </dev/null 2>/dev/null | tr -d '\r' | grep -E 'SERVICE_NAME|STATE' || true

step "waiting for the agent's first snapshot in the drop share"
for _ in $(seq 1 120); do
  ls "$drop"/*.kbs >/dev/null 2>&1 && break
  sleep 1
done
snapFile=$(ls "$drop"/*.kbs 2>/dev/null | head -n1 || true)
if [ -z "$snapFile" ]; then
  echo "demo: the agent wrote no snapshot to the drop share in 120 s" >&2
  exit 1
fi
wineHost=$(basename "$snapFile" .kbs)
echo "agent snapshot: $(basename "$snapFile") ($(wc -c <"$snapFile") bytes)"

step "adding a generated fleet: $nFleet hosts of the 2017 mix (XP SP3, 8.1, 10)"
"$root/build/linux/tests/bench/bench_fleet" --generate "$drop/fleet" "$nFleet" 2017

step "kbsentry collect $drop"
db=$work/kbsentry.db
"$kbsentry" collect --db "$db" "$drop"

step "compliance summary"
set +e
"$kbsentry" report --db "$db" >"$work/report.txt"
rc=$?
set -e
sed -n '/^By OS family/,$p' "$work/report.txt"
echo "(report exit code $rc: 0 compliant, 1 a host misses a fix)"

step "machines missing MS17-010 (first 15)"
"$kbsentry" report --db "$db" --rule MS17-010 --status missing >"$work/missing.txt" || true
head -n 16 "$work/missing.txt"
echo "... $(sed -n 's/.*, \([0-9]*\) hosts,.*/\1/p' "$work/missing.txt" | head -n1) hosts miss MS17-010 in all"

step "helpdesk view of the Wine machine: kbsentry check $wineHost"
"$kbsentry" check --db "$db" "$wineHost" || true

if [ -n "$xpSnap" ]; then
  step "helpdesk view of the XP SP3 machine's snapshot: kbsentry check $(basename "$xpSnap")"
  "$kbsentry" check "$xpSnap" || true
fi

step "the MS17-010 rollout as stored: kbsentry report --trend MS17-010 (last 5 days)"
"$kbsentry" report --db "$db" --trend MS17-010 | tail -n 5 || true

"$kbsentry" report --db "$db" --format html --group folder -o "$out/report.html" || true
"$kbsentry" report --db "$db" --format csv -o "$out/report.csv" || true

step "uninstall and clean up"
"$wine" msiexec /x "$msiWin" /qn </dev/null >/dev/null 2>&1 || true
"$wine" sc query kbsentry </dev/null >/dev/null 2>&1 && echo "service still present" || echo "service removed"

printf '\nHTML report: %s\nCSV report:  %s\n' "$out/report.html" "$out/report.csv"
