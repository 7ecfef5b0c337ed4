# wine_lib.sh: shared part of the installer tests under Wine (sourced): a throwaway prefix per
# test, helpers to run Windows commands and to check, and cleanup that stops every Wine process.
# The Wine (wine64, or 32-bit Wine as Windows XP for the x86 package) comes from KBS_WINE_*.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../../cmake/wine-env.sh"
kbs_wine_enter "$0" "$@"
T0=$(date +%s)
WORK=$(mktemp -d)
export WINEPREFIX=$WORK/prefix
FAILS=0

cleanup() {
  "$WINESERVER" -k >/dev/null 2>&1
  "$WINESERVER" -w >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

# w CMD...: runs a Windows command; its output is in $OUT, its exit code is returned. (Output goes
# to a file: Wine processes that outlive the command must not hold the test's stdout.)
w() {
  "$WINE" "$@" >"$WORK/out" 2>&1 </dev/null
  local rc=$?
  OUT=$(tr -d '\r' <"$WORK/out")
  return $rc
}

ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
# check WHAT COMMAND...: the command must succeed.
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
elapsed() { echo $(($(date +%s) - T0)); }

# Converts a host path to what Wine sees (drive Z: is /).
winpath() { echo "Z:$1" | tr / '\\'; }

# A fresh prefix (a copy of the build's template when there is one), fully written before the
# first msiexec (an install racing wineboot's last registry writes loses its service).
make_prefix() {
  kbs_wine_prefix_new "$WINEPREFIX" || { echo "FAIL no Wine prefix"; exit 1; }
  echo "prefix: $KBS_WINE_ARCH, $(kbs_winver)"
  DRIVE_C=$WINEPREFIX/drive_c
  DATA=$DRIVE_C/ProgramData/kbsentry
  PF="$DRIVE_C/Program Files/kbsentry"
  echo "prefix ready after $(elapsed) s"
}

# svc_state: RUNNING, STOPPED, ... or NONE when the service does not exist.
svc_state() {
  if ! w sc query kbsentry; then echo NONE; return; fi
  sed -n 's/.*STATE *: *[0-9]* *\([A-Z_]*\).*/\1/p' <<<"$OUT" | head -1
}

# wait_for SECONDS COMMAND...: polls COMMAND once a second until it succeeds.
wait_for() {
  local n=$1
  shift
  while [ "$n" -gt 0 ]; do
    "$@" && return 0
    sleep 1
    n=$((n - 1))
  done
  return 1
}

# reg_value KEY NAME: the data of one registry value ("" and status 1 when absent).
reg_value() {
  w reg query "$1" /v "$2" || return 1
  sed -n "s/^ *$2 *REG_[A-Z_]* *//p" <<<"$OUT"
}

# The agent's first scan waits up to StartDelayMaxSeconds (120 by default); a test has no time.
no_start_delay() {
  w reg add 'HKLM\SOFTWARE\Policies\kbsentry' /v StartDelayMaxSeconds /t REG_DWORD /d 0 /f
}

snapshot_present() { compgen -G "$DATA/*.kbs" >/dev/null; }

finish() {
  echo "$(elapsed) s"
  [ "$FAILS" -eq 0 ] || { echo "$FAILS check(s) failed"; exit 1; }
  exit 0
}
