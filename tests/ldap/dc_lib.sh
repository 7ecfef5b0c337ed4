# dc_lib.sh: a real Samba AD domain controller for one test run, in a private network namespace
# (sourced by bash: samba_dc.sh for the Linux console, samba_dc_wine.sh for the Windows one).
#   dc_need_tools                 exit 77 (skip, with the reason printed) without Samba's tools
#   dc_enter_netns SCRIPT ARGS... re-run SCRIPT in a network namespace of its own, lo up
#   dc_provision WORK N           provision the domain in WORK/dc with three named computer
#                                 accounts (XPSP2, XPSP3, PD-WS-0412) and N in OU=Fleet; sets
#                                 dc pw realm base user tls (CA: $tls/ca.pem, untrusted:
#                                 $tls/other.pem) and nAll (every account, the DC's own too)
#   dc_start                      start samba and wait until it answers; sets samba_pid
#   dc_stop                       stop it (the caller's EXIT trap calls it)
#   dc_check_report CSV           the MS17-010 report (--format csv) after `collect` of
#                                 xp_sp3_en_file1.txt and an inventory of every account; calls
#                                 the caller's fail on the first wrong line

dc_need_tools() {
  local t
  for t in samba samba-tool ldbadd ldbmodify ldapsearch unshare ip openssl; do
    if ! command -v "$t" >/dev/null 2>&1; then
      echo "SKIP: $t is not installed (Debian: samba-ad-dc samba-ad-provision ldb-tools" \
           "ldap-utils openssl iproute2 util-linux; cmake/install-packages.sh installs them)"
      exit 77
    fi
  done
}

# Everything after this runs in a network namespace of its own: nothing reaches or leaves the
# host, and every process started in it (samba, wineserver) is stopped by the script's cleanup.
dc_enter_netns() {
  local script=$1
  shift
  if [ -z "${KBS_IN_NETNS:-}" ]; then
    export KBS_IN_NETNS=1
    if [ "$(id -u)" = 0 ]; then exec unshare -n bash "$script" "$@"; fi
    exec unshare -rn bash "$script" "$@"
  fi
  ip link set lo up
}

dc_provision() {
  local work=$1 nBulk=$2 sam i
  rm -rf "$work"
  mkdir -p "$work"
  dc=$work/dc
  pw=Kbs-Test-Passw0rd.1
  # The DNS domain's first label (ad) is not its NetBIOS name (POLICE): the reporting machine's
  # systeminfo names POLICE, which joins only through the directory's crossRef.
  realm=ad.police.example.com
  base="DC=ad,DC=police,DC=example,DC=com"
  user="Administrator@$realm"
  nAll=$((nBulk + 4)) # the bulk, the three named accounts and the DC's own account
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

  # Computer accounts with OS attributes, offline: three through samba-tool, the rest in bulk.
  sam=$dc/private/sam.ldb
  samba-tool computer create XPSP2 -H "$sam" >/dev/null
  samba-tool computer create XPSP3 -H "$sam" >/dev/null
  samba-tool computer create PD-WS-0412 -H "$sam" >/dev/null
  {
    dc_os_ldif "CN=XPSP2,CN=Computers,$base" "Windows XP Professional" "Service Pack 2" "5.1 (2600)"
    dc_os_ldif "CN=XPSP3,CN=Computers,$base" "Windows XP Professional" "Service Pack 3" "5.1 (2600)"
    dc_os_ldif "CN=PD-WS-0412,CN=Computers,$base" "Windows XP Professional" "Service Pack 3" \
      "5.1 (2600)"
  } > "$work/os.ldif"
  ldbmodify -H "$sam" "$work/os.ldif" >/dev/null
  # Bulk accounts in an OU of their own (more than one page of 1,000 when N > 1000).
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
  dc_work=$work
}

# dc_os_ldif DN OS SP VERSION: the account's OS attributes, enabled (samba-tool makes the
# account disabled until joined), created 2010-01-04, last logon 2017-05-12.
dc_os_ldif() {
  printf 'dn: %s\nchangetype: modify\nreplace: operatingSystem\noperatingSystem: %s\n-\n' "$1" "$2"
  printf 'replace: userAccountControl\nuserAccountControl: 4096\n-\n'
  printf 'replace: whenCreated\nwhenCreated: 20100104080000.0Z\n-\n'
  printf 'replace: lastLogonTimestamp\nlastLogonTimestamp: 131390514000000000\n-\n'
  printf 'replace: operatingSystemServicePack\noperatingSystemServicePack: %s\n-\n' "$3"
  printf 'replace: operatingSystemVersion\noperatingSystemVersion: %s\n-\n\n' "$4"
}

# samba -i stops at the end of its standard input: a pipe only this script holds open, so the DC
# goes with the script even when a timeout kills it before its cleanup runs.
dc_start() {
  rm -f "$dc_work/samba.stdin"
  mkfifo "$dc_work/samba.stdin"
  samba -i -M single -s "$dc/etc/smb.conf" < "$dc_work/samba.stdin" > "$dc_work/samba.out" 2>&1 &
  samba_pid=$!
  exec {dc_stdin}> "$dc_work/samba.stdin"
  for _ in $(seq 1 300); do
    timeout 5 ldapsearch -x -H ldap://127.0.0.1 -b "" -s base >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "the domain controller did not answer"
  cat "$dc_work/samba.out"
  exit 1
}

dc_stop() {
  [ -n "${samba_pid:-}" ] || return 0
  exec {dc_stdin}>&-
  kill "$samba_pid" 2>/dev/null
  wait "$samba_pid" 2>/dev/null || true
  samba_pid=
}

# dc_check_report CSV: the done-when: XP SP2 unpatchable by the directory's OS, XP SP3 unknown
# (no scan), the reporting machine joined to its account and keeping its own verdict.
dc_check_report() {
  local r=$1
  grep -q '^.*# coverage,in_directory='"$nAll"',reporting=1,never_reported='"$((nAll - 1))"',stale=0,disabled=0,' "$r" ||
    { head -3 "$r"; fail "coverage line"; }
  grep -q '^XPSP2,ad.police.example.com,.*,never-reported,.*,MS17-010,unpatchable,"by the directory'"'"'s OS only' "$r" ||
    { grep XPSP2 "$r"; fail "XPSP2 not unpatchable by the directory's OS"; }
  grep -q '^XPSP3,ad.police.example.com,.*,never-reported,.*,MS17-010,unknown,"no scan: in the directory since 2010-01-04, last logon 2017-05-12' "$r" ||
    { grep XPSP3 "$r"; fail "XPSP3 not unknown"; }
  grep '^PD-WS-0412,' "$r" | grep -q ',yes,"CN=Computers,'"$base"'",MS17-010,' ||
    { grep PD-WS-0412 "$r"; fail "the reporting machine is not joined to its account"; }
  if grep '^PD-WS-0412,' "$r" | grep -q 'no scan'; then fail "the reporting machine lost its own verdict"; fi
}
