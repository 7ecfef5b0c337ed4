#!/usr/bin/env bash
# samba_dc.sh: a real Samba AD domain controller, provisioned for this run in a private network
# namespace, read by `kbsentry inventory ldap://` (plain + simple bind, StartTLS, ldaps, paged
# results) and by the failures that must store nothing (wrong password, untrusted certificate,
# unreachable server, a missing base DN).
#   samba_dc.sh test KBSENTRY DATA_DIR WORK_DIR      the test (ctest)
#   samba_dc.sh bench KBSENTRY WORK_DIR N            N accounts read over LDAP, timed (bench)
# Exit 77 (skip, with the reason printed) only when Samba's tools are not installed.
set -euo pipefail

mode=$1
kbs=$2
if [ "$mode" = test ]; then data=$3; work=$4; nBulk=2500; else work=$3; nBulk=$4; fi

. "$(dirname "$0")/dc_lib.sh"
dc_need_tools
dc_enter_netns "$0" "$@"
dc_provision "$work" "$nBulk"
trap dc_stop EXIT
dc_start

db=$work/kbs.db

if [ "$mode" = bench ]; then
  /usr/bin/time -f "inventory of $nAll accounts over LDAP: %e s wall, %U s user, %S s system, %M KB" \
    "$kbs" inventory --db "$db" ldap://127.0.0.1 --user "$user" --password-file "$work/pw"
  exit 0
fi

fail() { echo "FAIL: $*"; exit 1; }
expect() { # CODE WHAT CMD...
  local want=$1 what=$2 got=0
  shift 2
  "$@" > "$work/out" 2> "$work/err" || got=$?
  [ "$got" = "$want" ] || { cat "$work/out" "$work/err"; fail "$what: exit $got, expected $want"; }
}
syncs() { sqlite3 "$db" "SELECT count(*) FROM dir_sync" 2>/dev/null || echo 0; }

# The reporting machine: its own systeminfo (XP SP3, domain POLICE).
expect 0 "collect" "$kbs" collect --db "$db" "$data/imp/xp_sp3_en_file1.txt"

# Plain LDAP with a simple bind: every account, paged (the bulk is more than one page).
expect 0 "inventory over ldap://" "$kbs" inventory --db "$db" ldap://127.0.0.1 --user "$user" \
  --password-file "$work/pw"
grep -q "^$nAll computer accounts read" "$work/out" || { cat "$work/out"; fail "not $nAll accounts"; }

# The done-when: XP SP2 unpatchable, XP SP3 unknown (no scan), the reporting machine its own.
expect 1 "report" "$kbs" report --db "$db" --rule MS17-010 --format csv
dc_check_report "$work/out"
expect 1 "report --ou" "$kbs" report --db "$db" --rule MS17-010 --ou "CN=Computers,$base" --format csv
[ "$(grep -c ',MS17-010,' "$work/out")" = 3 ] || { cat "$work/out"; fail "--ou CN=Computers"; }

# StartTLS and ldaps with the CA; the same accounts again.
expect 0 "inventory with StartTLS" "$kbs" inventory --db "$db" ldap://127.0.0.1 --starttls \
  --ca-file "$tls/ca.pem" --user "$user" --password-file "$work/pw"
expect 0 "inventory over ldaps://" "$kbs" inventory --db "$db" ldaps://127.0.0.1 \
  --ca-file "$tls/ca.pem" --user "$user" --password-file "$work/pw" --base "$base"
grep -q "^$nAll computer accounts read" "$work/out" || fail "ldaps: not $nAll accounts"

# Failures: a clear error, exit 2, nothing stored.
n0=$(syncs)
expect 2 "wrong password" "$kbs" inventory --db "$db" ldap://127.0.0.1 --user "$user" \
  --password-file "$work/badpw"
grep -q "simple bind: Invalid credentials" "$work/err" || { cat "$work/err"; fail "wrong password message"; }
expect 2 "untrusted certificate" "$kbs" inventory --db "$db" ldaps://127.0.0.1 \
  --ca-file "$tls/other.pem" --user "$user" --password-file "$work/pw"
expect 2 "unreachable server" "$kbs" inventory --db "$db" ldap://127.0.0.1:3899 \
  --user "$user" --password-file "$work/pw"
grep -q "Can't contact LDAP server" "$work/err" || { cat "$work/err"; fail "unreachable message"; }
expect 2 "missing base" "$kbs" inventory --db "$db" ldap://127.0.0.1 --user "$user" \
  --password-file "$work/pw" --base "OU=Nowhere,$base"
[ "$(syncs)" = "$n0" ] || fail "a failed inventory stored a sync"

# A filter that returns far fewer accounts than it would mark gone keeps them, unless --replace;
# a narrower base marks nothing outside it gone.
expect 1 "narrow filter" "$kbs" inventory --db "$db" ldap://127.0.0.1 --user "$user" \
  --password-file "$work/pw" --filter "(&(objectCategory=computer)(cn=XPSP*))"
grep -q "kept as they were" "$work/err" || { cat "$work/err"; fail "narrow filter message"; }
expect 0 "narrow base" "$kbs" inventory --db "$db" ldap://127.0.0.1 --user "$user" \
  --password-file "$work/pw" --base "CN=Computers,$base"
grep -q "^3 computer accounts read .* 0 marked gone" "$work/out" || { cat "$work/out"; fail "narrow base"; }
[ "$(sqlite3 "$db" "SELECT count(*) FROM dir_computer WHERE gone_sync_id IS NULL")" = "$nAll" ] ||
  fail "accounts marked gone by a narrow sync"
echo "samba_dc: all checks passed ($nAll accounts)"
