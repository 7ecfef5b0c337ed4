#!/usr/bin/env bash
# svc_wine.sh: kbsentry-svc under Wine: service lifecycle, kill during a snapshot write,
# unreachable drop share, idle cost.
#   svc_wine.sh init PREFIX | cleanup PREFIX | SCENARIO PREFIX EXE
# Scenarios: lifecycle, killwrite, dropshare, idle. Each prints its figures and exits non-zero
# on the first failed check.
set -u
. "$(dirname "$0")/../../cmake/wine-env.sh"
kbs_wine_enter "$0" "$@"
wine=$WINE
server=$WINESERVER
scenario=$1
export WINEPREFIX=$2
exe=${3:-}

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

case "$scenario" in
  init)
    kbs_wine_prefix_new "$WINEPREFIX" || fail "no Wine prefix at $WINEPREFIX"
    echo "prefix ready ($KBS_WINE_ARCH): $(kbs_winver)"
    # No server may outlive init: one ending during a scenario takes the SCM's state with it.
    "$server" -w; exit 0 ;;
  cleanup)
    kbs_wine_prefix_remove "$WINEPREFIX"; exit 0 ;;
esac

# A detached persistent server: services keep running between our commands, and no test's
# output pipe is held by it.
setsid "$server" -p </dev/null >/dev/null 2>&1 &
sleep 0.2
W() { "$wine" "$@"; }
svc() { "$wine" "$exe" "$@"; }
datadir=$WINEPREFIX/drive_c/ProgramData/kbsentry
[ -d "$WINEPREFIX/drive_c/ProgramData" ] || datadir="$WINEPREFIX/drive_c/users/Public/Application Data/kbsentry"
regset() { W reg add 'HKLM\SOFTWARE\kbsentry' /v "$1" /t "$2" /d "$3" /f >/dev/null 2>&1 || fail "reg add $1"; }
regdel() { W reg delete 'HKLM\SOFTWARE\kbsentry' /v "$1" /f >/dev/null 2>&1; }

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

wait_file() { # wait_file GLOB SECONDS
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do
    compgen -G "$1" >/dev/null && return 0
    sleep 0.1
  done
  return 1
}

case "$scenario" in
lifecycle)
  svc uninstall >/dev/null 2>&1
  rm -rf "$datadir"
  regset StartDelayMaxSeconds REG_DWORD 0
  out=$(svc install 2>&1) || fail "install: $out"
  echo "$out"
  W sc query kbsentry | grep -q 'STATE.*RUNNING' || fail "sc query does not show RUNNING"
  ok "sc query kbsentry: RUNNING"
  # Wine's sc qc prints nothing; the account is in the service key and in our status.
  W sc qc kbsentry 2>/dev/null | grep -i 'NetworkService' && ok "sc qc shows the account"
  W reg query 'HKLM\System\CurrentControlSet\Services\kbsentry' /v ObjectName 2>/dev/null |
    grep -q 'NT AUTHORITY\\NetworkService' || fail "service account is not NetworkService"
  st=$(svc status) || fail "status: $st"
  echo "$st" | grep -q '^account: NT AUTHORITY\\NetworkService' || fail "status: $st"
  ok "account NT AUTHORITY\\NetworkService, auto start"
  # The service runs a copy in Program Files (administrators only), never the file it was
  # installed from (a download folder, a stick, a share someone else can write).
  img=$(W reg query 'HKLM\System\CurrentControlSet\Services\kbsentry' /v ImagePath 2>/dev/null | tr -d '\r' |
    sed -n 's/.*ImagePath *REG_[A-Z_]* *//p')
  msgf=$(W reg query 'HKLM\System\CurrentControlSet\Services\EventLog\Application\kbsentry' /v EventMessageFile 2>/dev/null |
    tr -d '\r' | sed -n 's/.*EventMessageFile *REG_[A-Z_]* *//p')
  pf=$(W cmd /c echo %ProgramFiles% 2>/dev/null | tr -d '\r')
  [ "$img" = "\"$pf\\kbsentry\\kbsentry-svc.exe\" service" ] || fail "service command is $img, not the copy in $pf"
  [ "$msgf" = "$pf\\kbsentry\\kbsentry-svc.exe" ] || fail "event message file is $msgf, not the copy in $pf"
  cmp -s "$exe" "$(W winepath -u "$pf\\kbsentry\\kbsentry-svc.exe" 2>/dev/null | tr -d '\r')" ||
    fail "no copy of $exe in $pf\\kbsentry"
  ok "service and event source use the copy in $pf\\kbsentry"
  W reg query 'HKLM\System\CurrentControlSet\Services\kbsentry' /v DependOnService 2>/dev/null | grep -q RpcSs ||
    fail "no dependency on RpcSs"
  ok "depends on RpcSs"
  wait_file "$datadir/*.kbs" 30 || fail "no snapshot in $datadir"
  snap=$(compgen -G "$datadir/*.kbs" | head -1)
  sleep 1
  snap_valid "$snap" || fail "snapshot $snap is not whole"
  [ -s "$datadir/history.db" ] || fail "no history database"
  ok "snapshot $(basename "$snap") ($(wc -c < "$snap") bytes) and history.db in the data dir"
  # status: the effective settings with their source, and the last scan the service recorded.
  wait_file "$datadir/last-scan.txt" 10 || fail "no last-scan.txt in $datadir"
  st=$(svc status)
  echo "$st"
  echo "$st" | grep -q '^start delay: *up to 0 seconds (install)' || fail "status: start delay not 0 (install): $st"
  echo "$st" | grep -q '^scan interval: *360 minutes (default)' || fail "status: interval not 360 (default): $st"
  echo "$st" | grep -q '^data directory: .*kbsentry (default)' || fail "status: data directory: $st"
  echo "$st" | grep -Eq '^last scan: *[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z, (complete|partial: )' ||
    fail "status: no last scan: $st"
  ok "status: settings with their sources, last scan"
  out=$(svc install 2>&1); rc=$?
  [ $rc -eq 2 ] && echo "$out" | grep -q 'already installed' || fail "second install: rc $rc: $out"
  ok "second install refused: $out"
  t0=$(now_ms)
  out=$(svc stop) || fail "stop: $out"
  t1=$(now_ms)
  echo "$out"
  ms=$(echo "$out" | sed -n 's/.*stopped in \([0-9]*\) ms.*/\1/p')
  [ -n "$ms" ] && [ "$ms" -lt 1000 ] || fail "stop took ${ms:-?} ms"
  ok "stop: service reported STOPPED after $ms ms (command wall clock $((t1 - t0)) ms)"
  W sc query kbsentry | grep -q 'STATE.*STOPPED' || fail "not STOPPED after stop"
  out=$(svc start) || fail "start: $out"
  svc stop >/dev/null || fail "second stop"
  out=$(svc uninstall) || fail "uninstall: $out"
  echo "$out"
  W sc query kbsentry >/dev/null 2>&1 && fail "service still there after uninstall"
  W reg query 'HKLM\System\CurrentControlSet\Services\kbsentry' >/dev/null 2>&1 && fail "service key left"
  W reg query 'HKLM\System\CurrentControlSet\Services\EventLog\Application\kbsentry' >/dev/null 2>&1 &&
    fail "event source left"
  ok "uninstall left no service and no event source"
  out=$(svc status 2>&1); rc=$?
  [ $rc -eq 2 ] && echo "$out" | grep -q 'not installed' || fail "status after uninstall: $rc $out"
  regdel StartDelayMaxSeconds
  echo PASS ;;

killwrite)
  regdel DropShare
  rm -rf "$datadir"
  svc run --scans 1 >/dev/null 2>&1 || fail "first run"
  snap=$(compgen -G "$datadir/*.kbs" | head -1)
  snap_valid "$snap" || fail "first snapshot not whole"
  cp "$snap" "$snap.before"
  # The next write pauses between the temp file and the rename; kill it there.
  KBSENTRY_TEST_PAUSE_BEFORE_RENAME_MS=20000 "$wine" "$exe" run --scans 1 >/dev/null 2>&1 &
  pid=$!
  wait_file "$snap.tmp*" 30 || { kill -9 $pid; fail "no temp file appeared"; }
  sleep 0.3
  kill -9 $pid; wait $pid 2>/dev/null
  ok "killed the agent between temp write and rename ($(basename "$(compgen -G "$snap.tmp*" | head -1)") left)"
  cmp -s "$snap" "$snap.before" || fail "the snapshot changed"
  snap_valid "$snap" || fail "the snapshot is torn"
  ok "previous snapshot intact and valid"
  svc run --scans 1 >/dev/null 2>&1 || fail "run after the kill"
  snap_valid "$snap" || fail "snapshot after the kill not whole"
  ok "next run writes a new valid snapshot"
  rm -f "$snap.before"
  echo PASS ;;

dropshare)
  rm -rf "$datadir"
  regset DropShare REG_SZ '\\nosuchhost.invalid\drop'
  regset StartDelayMaxSeconds REG_DWORD 0
  err=$(mktemp)
  "$wine" "$exe" run >/dev/null 2>"$err" &
  pid=$!
  for i in $(seq 1 300); do grep -q 'event 1301' "$err" && break; sleep 0.1; done
  t0=$(now_ms)
  kill -INT $pid; wait $pid; rc=$?
  t1=$(now_ms)
  cat "$err"
  grep -q 'event 1301 error: The drop share \\\\nosuchhost.invalid\\drop' "$err" || fail "no share error event"
  ok "share error event 1301"
  snap=$(compgen -G "$datadir/*.kbs" | head -1)
  snap_valid "$snap" || fail "no local snapshot"
  ok "local snapshot written"
  [ $rc -eq 0 ] || fail "run exit code $rc"
  [ $((t1 - t0)) -lt 1000 ] || fail "Ctrl+C stop took $((t1 - t0)) ms"
  ok "Ctrl+C stopped the foreground agent in $((t1 - t0)) ms"
  grep -q 'event 1001' "$err" || fail "no stopped event"
  rm -f "$err"
  regdel DropShare
  regdel StartDelayMaxSeconds
  echo PASS ;;

idle)
  # Idle cost: the agent waits for its first scan (delay 1 h) doing nothing.
  regset StartDelayMaxSeconds REG_DWORD 3600
  err=$(mktemp)
  "$wine" "$exe" run >/dev/null 2>"$err" &
  pid=$!
  sleep 3
  t1=$(awk '{print $14 + $15}' /proc/$pid/stat)
  sleep ${KBS_IDLE_SECONDS:-20}
  t2=$(awk '{print $14 + $15}' /proc/$pid/stat)
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill -INT $pid; wait $pid
  echo "idle: $((t2 - t1)) clock ticks of CPU in ${KBS_IDLE_SECONDS:-20} s; RSS of the Wine process ${rss} kB"
  [ $((t2 - t1)) -le 2 ] || fail "busy while idle"
  rm -f "$err"
  regdel StartDelayMaxSeconds
  echo PASS ;;
*)
  echo "usage: svc_wine.sh init|cleanup PREFIX | lifecycle|killwrite|dropshare|idle PREFIX EXE" >&2
  exit 2 ;;
esac
