#!/usr/bin/env bash
# samba_dc_wine.sh: the Windows console (kbsentry.exe, wldap32) under Wine reads the same Samba AD
# domain controller as samba_dc.sh, in a network namespace of its own: a simple bind over plain
# LDAP, every account (paged), a wrong password and an unreachable server refused with exit 2,
# and the MS17-010 report on that database (XP SP2 unpatchable, XP SP3 unknown, exit 1).
#   samba_dc_wine.sh KBSENTRY.EXE DATA_DIR WORK_DIR
# Exit 77 (skip, with the reason printed) only when Samba's tools or Wine are not installed.
set -euo pipefail

exe=$1 data=$2 work=$3
nBulk=1100 # more than one page of 1,000

here=$(cd "$(dirname "$0")" && pwd)
. "$here/dc_lib.sh"
dc_need_tools
if [ ! -x /usr/lib/wine/wine64 ] || [ ! -x /usr/lib/wine/wineserver ]; then
  echo "SKIP: 64-bit Wine is not installed (Debian: wine64; cmake/install-packages.sh installs it)"
  exit 77
fi
dc_enter_netns "$0" "$@"
. "$here/../../cmake/wine-env.sh"

dc_provision "$work" "$nBulk"
# The prefix lives in the work folder: the namespace's wineserver is its own, stopped below.
export WINEPREFIX=$work/wineprefix
cleanup() { # the prefix takes 700 MB: removed, the DC's files and logs kept
  timeout 30 "$WINESERVER" -k 2>/dev/null || true
  timeout 30 "$WINESERVER" -w 2>/dev/null || true
  rm -rf "$WINEPREFIX"
  dc_stop
}
trap cleanup EXIT
kbs_wine_prefix_new "$WINEPREFIX" || { echo "FAIL: no Wine prefix"; exit 1; }
# A server of its own, detached from ctest's output pipe, that stops 30 s after its last client
# even if this script is killed before its cleanup.
setsid "$WINESERVER" -p30 </dev/null >/dev/null 2>&1 || true
dc_start

winpath() { printf 'Z:%s' "$(printf '%s' "$1" | tr / '\\')"; }
db=$(winpath "$work/kbs.db")
pwf=$(winpath "$work/pw")
fail() { echo "FAIL: $*"; exit 1; }
expect() { # CODE WHAT ARGS... (kbsentry.exe's arguments; each run bounded)
  local want=$1 what=$2 got=0
  shift 2
  timeout 300 "$WINE" "$exe" "$@" > "$work/out" 2> "$work/err" || got=$?
  tr -d '\r' < "$work/out" > "$work/out.txt"
  tr -d '\r' < "$work/err" > "$work/err.txt"
  [ "$got" = "$want" ] ||
    { cat "$work/out.txt" "$work/err.txt"; fail "$what: exit $got, expected $want"; }
  echo "ok: $what (exit $got)"
}

# The reporting machine: its own systeminfo (XP SP3, domain POLICE).
expect 0 "collect" collect --db "$db" "$(winpath "$data/imp/xp_sp3_en_file1.txt")"

# wldap32, plain LDAP, simple bind: every account, paged.
t0=$(date +%s.%N)
expect 0 "inventory over ldap:// (wldap32)" inventory --db "$db" ldap://127.0.0.1 --user "$user" \
  --password-file "$pwf"
echo "inventory of $nAll accounts under Wine: $(echo "$(date +%s.%N) - $t0" | bc) s wall"
grep -q "^$nAll computer accounts read" "$work/out.txt" ||
  { cat "$work/out.txt"; fail "not $nAll accounts"; }

# The done-when: XP SP2 unpatchable, XP SP3 unknown (no scan), the reporting machine joined.
expect 1 "report --rule MS17-010" report --db "$db" --rule MS17-010 --format csv
r=$work/out.txt
dc_check_report "$r"

# Failures: a clear error, exit 2, and the report as it was.
cp "$r" "$work/report.before"
printf 'wrong-%s\n' "$pw" > "$work/badpw"
expect 2 "wrong password" inventory --db "$db" ldap://127.0.0.1 --user "$user" \
  --password-file "$(winpath "$work/badpw")"
grep -qi "simple bind: invalid credentials" "$work/err.txt" ||
  { cat "$work/err.txt"; fail "wrong password message"; }
expect 2 "unreachable server" inventory --db "$db" ldap://127.0.0.1:3899 --user "$user" \
  --password-file "$pwf"
expect 1 "report again" report --db "$db" --rule MS17-010 --format csv
cmp -s "$r" "$work/report.before" || { diff "$work/report.before" "$r"; fail "a failed inventory changed the report"; }
echo "samba_dc_wine: all checks passed ($nAll accounts, wldap32 under $($WINE --version))"
