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

for t in samba samba-tool ldbadd ldbmodify unshare ip openssl; do
  if ! command -v "$t" >/dev/null 2>&1; then
    echo "SKIP: $t is not installed (Debian: samba-ad-dc samba-ad-provision ldb-tools" \
         "openssl iproute2 util-linux; cmake/install-packages.sh installs them)"
    exit 77
  fi
done

# Everything below runs in a network namespace of its own: nothing reaches or leaves the host.
if [ -z "${KBS_IN_NETNS:-}" ]; then
  export KBS_IN_NETNS=1
  if [ "$(id -u)" = 0 ]; then exec unshare -n bash "$0" "$@"; fi
  exec unshare -rn bash "$0" "$@"
fi
ip link set lo up

rm -rf "$work"
mkdir -p "$work"
dc=$work/dc
pw=Kbs-Test-Passw0rd.1
# The DNS domain's first label (ad) is not its NetBIOS name (POLICE): the reporting machine's
# systeminfo names POLICE, which joins only through the directory's crossRef.
realm=ad.police.example.com
base="DC=ad,DC=police,DC=example,DC=com"
printf '%s\n' "$pw" > "$work/pw"
printf 'wrong-%s\n' "$pw" > "$work/badpw"

samba-tool domain provision --realm=AD.POLICE.EXAMPLE.COM --domain=POLICE --server-role=dc \
  --dns-backend=NONE --targetdir="$dc" --adminpass="$pw" --option="interfaces=lo" \
  --option="bind interfaces only=yes" > "$work/provision.log" 2>&1 ||
  { cat "$work/provision.log"; exit 1; }

# A CA of our own signs the server's certificate for 127.0.0.1 (libldap would check the name
# "localhost" as the machine's own name); another CA is the untrusted one.
tls=$work/tls
mkdir -p "$tls"
(
  cd "$tls"
  for ca in ca other; do
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=kbsentry test $ca" \
      -keyout $ca.key -out $ca.pem >/dev/null 2>&1
  done
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key \
    -out server.csr >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
    -extfile san.ext -out server.pem >/dev/null 2>&1
  chmod 600 server.key
)
# Simple binds over plain LDAP (the --user test without TLS) need the weaker setting.
sed -i "/^\[global\]/a\\
\tldap server require strong auth = no\\
\ttls enabled = yes\\
\ttls keyfile = $tls/server.key\\
\ttls certfile = $tls/server.pem\\
\ttls cafile = $tls/ca.pem\\
\tlog file = $work/samba.%m.log" "$dc/etc/smb.conf"

# Computer accounts with OS attributes, offline: two through samba-tool, the rest in bulk.
sam=$dc/private/sam.ldb
samba-tool computer create XPSP2 -H "$sam" >/dev/null
samba-tool computer create XPSP3 -H "$sam" >/dev/null
samba-tool computer create PD-WS-0412 -H "$sam" >/dev/null
os_ldif() { # DN OS SP VERSION (and enabled: samba-tool makes the account disabled until joined)
  printf 'dn: %s\nchangetype: modify\nreplace: operatingSystem\noperatingSystem: %s\n-\n' "$1" "$2"
  printf 'replace: userAccountControl\nuserAccountControl: 4096\n-\n'
  printf 'replace: whenCreated\nwhenCreated: 20100104080000.0Z\n-\n'
  printf 'replace: lastLogonTimestamp\nlastLogonTimestamp: 131390514000000000\n-\n' 
  printf 'replace: operatingSystemServicePack\noperatingSystemServicePack: %s\n-\n' "$3"
  printf 'replace: operatingSystemVersion\noperatingSystemVersion: %s\n-\n\n' "$4"
}
{
  os_ldif "CN=XPSP2,CN=Computers,$base" "Windows XP Professional" "Service Pack 2" "5.1 (2600)"
  os_ldif "CN=XPSP3,CN=Computers,$base" "Windows XP Professional" "Service Pack 3" "5.1 (2600)"
  os_ldif "CN=PD-WS-0412,CN=Computers,$base" "Windows XP Professional" "Service Pack 3" "5.1 (2600)"
} > "$work/os.ldif"
ldbmodify -H "$sam" "$work/os.ldif" >/dev/null
# Bulk accounts in an OU of their own (more than one page of 1,000).
{
  printf 'dn: OU=Fleet,%s\nobjectClass: organizationalUnit\nou: Fleet\n\n' "$base"
  for i in $(seq -w 1 "$nBulk"); do
    printf 'dn: CN=FL%s,OU=Fleet,%s\nobjectClass: computer\ncn: FL%s\nsAMAccountName: FL%s$\n' \
      "$i" "$base" "$i" "$i"
    printf 'userAccountControl: 4096\noperatingSystem: Windows XP Professional\n'
    printf 'operatingSystemServicePack: Service Pack 3\noperatingSystemVersion: 5.1 (2600)\n'
    printf 'dNSHostName: FL%s.%s\n\n' "$i" "$realm"
  done
} > "$work/bulk.ldif"
ldbadd -H "$sam" "$work/bulk.ldif" >/dev/null

samba -i -M single -s "$dc/etc/smb.conf" > "$work/samba.out" 2>&1 &
samba_pid=$!
trap 'kill $samba_pid 2>/dev/null; wait $samba_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  ldapsearch -x -H ldap://127.0.0.1 -b "" -s base >/dev/null 2>&1 && break
  sleep 0.2
done
ldapsearch -x -H ldap://127.0.0.1 -b "" -s base >/dev/null 2>&1 ||
  { echo "the domain controller did not answer"; cat "$work/samba.out"; exit 1; }

db=$work/kbs.db
user="Administrator@$realm"
nAll=$((nBulk + 4)) # the bulk, the three above and the DC's own account

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
grep -q '^.*# coverage,in_directory='"$nAll"',reporting=1,never_reported='"$((nAll - 1))"',stale=0,disabled=0,' "$work/out" ||
  { head -3 "$work/out"; fail "coverage line"; }
grep -q '^XPSP2,ad.police.example.com,.*,never-reported,.*,MS17-010,unpatchable,"by the directory'"'"'s OS only' "$work/out" ||
  { grep XPSP2 "$work/out"; fail "XPSP2 not unpatchable by the directory's OS"; }
grep -q '^XPSP3,ad.police.example.com,.*,never-reported,.*,MS17-010,unknown,"no scan: in the directory since 2010-01-04, last logon 2017-05-12' "$work/out" ||
  { grep XPSP3 "$work/out"; fail "XPSP3 not unknown"; }
grep '^PD-WS-0412,' "$work/out" | grep -q ',yes,"CN=Computers,'"$base"'",MS17-010,' ||
  { grep PD-WS-0412 "$work/out"; fail "the reporting machine is not joined to its account"; }
if grep '^PD-WS-0412,' "$work/out" | grep -q 'no scan'; then fail "the reporting machine lost its own verdict"; fi
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
