#!/usr/bin/env bash
# faults_wine.sh: kbsentry-svc under Wine with real faults: WMI unavailable (wbemprox disabled),
# the agent and `scan --out` racing on one snapshot while a reader copies it, stale temp files
# from killed writes swept at start. Runs in the svc_wine.sh prefix (made by its init).
#   faults_wine.sh PREFIX EXE SCRATCH
# Prints what it checked and exits non-zero on the first failed check.
set -u
. "$(dirname "$0")/../../cmake/wine-env.sh"
kbs_wine_enter "$0" "$@"
wine=$WINE
export WINEPREFIX=$1
exe=$2
dir=$3/faults-wine-$$
rounds=${KBS_RACE_ROUNDS:-20}

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }
W() { "$wine" "$@"; }
regset() { W reg add 'HKLM\SOFTWARE\kbsentry' /v "$1" /t "$2" /d "$3" /f >/dev/null 2>&1 || fail "reg add $1"; }
regdel() { W reg delete 'HKLM\SOFTWARE\kbsentry' /v "$1" /f >/dev/null 2>&1; }
cleanup() { regdel DataDir; regdel StartDelayMaxSeconds; rm -rf "$dir"; }
trap cleanup EXIT

# A snapshot is whole: first line the magic, last line END with the record count.
snap_valid() {
  local f=$1 n rec
  [ -s "$f" ] || return 1
  head -1 "$f" | grep -q '^KBSENTRY-SNAPSHOT 1\.' || return 1
  rec=$(tail -1 "$f" | sed -n 's/^END records=\([0-9]*\) crc32=[0-9A-F]*\r\{0,1\}$/\1/p')
  [ -n "$rec" ] || return 1
  n=$(wc -l < "$f")
  [ "$rec" -eq $((n - 2)) ]
}

[ -f "$WINEPREFIX/system.reg" ] || fail "no Wine prefix at $WINEPREFIX"
mkdir -p "$dir/data"
data=$dir/data
regset DataDir REG_SZ "Z:$(echo "$data" | tr / '\\')"
regset StartDelayMaxSeconds REG_DWORD 0

# 1. WMI unavailable: the WMI provider DLL is disabled, so CoCreateInstance(WbemLocator) fails.
WINEDLLOVERRIDES="wbemprox=d;$WINEDLLOVERRIDES" "$wine" "$exe" run --scans 1 >/dev/null \
  2>"$dir/wmi.err" || fail "run with WMI disabled: exit $?"
snap=$(compgen -G "$data/*.kbs" | head -1)
[ -n "$snap" ] || fail "no snapshot without WMI"
snap_valid "$snap" || fail "snapshot without WMI not whole"
grep -q 'event 1300 error: .*wmi-qfe' "$dir/wmi.err" || { cat "$dir/wmi.err"; fail "no WMI event 1300"; }
grep -q '^source=wmi-qfe|ok|' "$snap" && fail "wmi-qfe recorded as working"
grep -q '^source=wmi-qfe|' "$snap" || fail "wmi-qfe not recorded"
grep -q '^source=reg-os|ok|' "$snap" || fail "the registry did not answer without WMI"
grep -q 'event 1100 ' "$dir/wmi.err" || fail "no scan-done event without WMI"
ok "WMI unavailable: event 1300, snapshot whole, $(grep '^source=wmi-qfe|' "$snap" | tr -d '\r')"
host=$(basename "$snap")

# 2. Stale temp files of killed writes (dead pids, old and new name forms) go at start.
: >"$data/$host.tmp999996"
: >"$data/$host.tmp999992-3"
: >"$data/notes.tmp1"
"$wine" "$exe" run --scans 1 >/dev/null 2>&1 || fail "run after planting temp files"
[ -z "$(compgen -G "$data/$host.tmp*")" ] || fail "stale temp files left: $(ls "$data")"
[ -f "$data/notes.tmp1" ] || fail "a foreign file was swept"
rm -f "$data/notes.tmp1"
ok "stale temp files swept at start, other files kept"

# 3. The agent (run) and an offline scan (scan --out) write the same <HOST>.kbs, $rounds times
#    each at once, while a reader copies it like a collector: every copy is whole.
torn=0; reads=0
(for i in $(seq 1 "$rounds"); do
   "$wine" "$exe" scan --out "Z:$data" >/dev/null 2>>"$dir/scan.err"
   rc=$?; [ $rc -le 1 ] || echo "scan $i: $rc" >>"$dir/rc" # 1: not compliant, not an error
 done) &
p1=$!
(for i in $(seq 1 "$rounds"); do
   "$wine" "$exe" run --scans 1 >/dev/null 2>>"$dir/run.err" || echo "run $i: $?" >>"$dir/rc"
 done) &
p2=$!
t0=$(date +%s)
while kill -0 $p1 2>/dev/null || kill -0 $p2 2>/dev/null; do
  if cp "$data/$host" "$dir/copy" 2>/dev/null; then
    reads=$((reads + 1))
    snap_valid "$dir/copy" || torn=$((torn + 1))
  fi
  [ $(( $(date +%s) - t0 )) -lt 240 ] || { kill $p1 $p2; fail "racing writers did not finish"; }
  sleep 0.05
done
wait $p1 $p2
echo "race: $rounds scan --out and $rounds run --scans 1 at once in $(( $(date +%s) - t0 )) s; $reads reads, $torn torn"
[ -s "$dir/rc" ] && { cat "$dir/rc" "$dir/scan.err"; grep 'event 13' "$dir/run.err"; fail "a racing write failed"; }
[ $torn -eq 0 ] || fail "$torn torn reads"
[ $reads -gt 0 ] || fail "the reader never read the snapshot"
snap_valid "$data/$host" || fail "final snapshot not whole"
[ -z "$(compgen -G "$data/*.tmp*")" ] || fail "temp files left: $(ls "$data" | tr '\n' ' ')"
grep -q 'event 1304' "$dir/run.err" && fail "the agent reported a write error"
ok "racing writers: every write landed, every read whole, no temp file left"
echo PASS
