#!/usr/bin/env bash
# workflows.sh: the three audit workflows end to end (GPO fleet through a drop share, helpdesk
# check, offline hot-desk audit), natively or with the Windows programs under Wine.
#   workflows.sh init PREFIX | cleanup PREFIX
#   workflows.sh fleet|helpdesk|hotdesk WORK KBSENTRY BENCH_FLEET DATA [SVC PREFIX]
# With SVC and PREFIX the programs are Windows executables run by Wine in PREFIX, and the real
# agent takes part; without them the fleet is generated only (hotdesk needs Wine).
set -u
. "$(dirname "$0")/../../cmake/wine-env.sh"
kbs_wine_enter "$0" "$@"
wine=$WINE
server=$WINESERVER
py=${KBS_PYTHON3:-python3}
scenario=$1

fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
die() { echo "FAIL: $*"; finish; exit 1; }
ok() { echo "ok:   $*"; }
nfail=0
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

case "$scenario" in
  init)
    kbs_wine_prefix_new "$2" || { echo "no Wine prefix at $2"; exit 1; }
    echo "prefix ready at $2 ($KBS_WINE_ARCH)"; exit 0 ;;
  cleanup)
    kbs_wine_prefix_remove "$2"; exit 0 ;;
esac

[ $# -ge 5 ] || { echo "usage: workflows.sh fleet|helpdesk|hotdesk WORK KBSENTRY BENCH_FLEET DATA [SVC PREFIX]" >&2; exit 2; }
work=$2 kbs=$3 gen=$4 data=$5 svc=${6:-} prefix=${7:-}
kbs=$(realpath "$kbs") gen=$(realpath "$gen") data=$(realpath "$data")
[ -n "$svc" ] && svc=$(realpath "$svc")
rm -rf "$work"
mkdir -p "$work/cwd"
unset KBSENTRY_DB

if [ -n "$prefix" ]; then
  export WINEPREFIX=$prefix
  # A detached persistent server: quicker starts, and no test's output pipe is held by it.
  setsid "$server" -p </dev/null >/dev/null 2>&1 &
  sleep 0.2
  P() { echo "Z:$(realpath -m "$1" | tr / '\\')"; }  # a path as the Windows programs spell it
  K() { (cd "$work/cwd" && "$wine" "$kbs" "$@"); }
  G() { "$wine" "$gen" "$@"; }
  S() { "$wine" "$svc" "$@"; }
  regset() { "$wine" reg add 'HKLM\SOFTWARE\kbsentry' /v "$1" /t "$2" /d "$3" /f >/dev/null 2>&1 || die "reg add $1"; }
  finish() { "$wine" reg delete 'HKLM\SOFTWARE\kbsentry' /f >/dev/null 2>&1; "$server" -k 2>/dev/null; }
else
  P() { realpath -m "$1"; }
  K() { (cd "$work/cwd" && "$kbs" "$@"); }
  G() { "$gen" "$@"; }
  finish() { :; }
fi

# json EXPR FILE: evaluates a Python expression over the parsed JSON document `d`.
json() { "$py" -c "import json,sys; d=json.load(open(sys.argv[1],encoding='utf-8')); print($1)" "$2"; }

# sq SQL: one value from the test's database (read only).
sq() { "$py" -c "import sqlite3,sys; print(sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True).execute(sys.argv[2]).fetchone()[0])" "$db" "$1"; }

# A snapshot is whole: first line the magic, last line END with the record count.
snap_valid() {
  local f=$1 rec
  [ -s "$f" ] || return 1
  head -1 "$f" | grep -q '^KBSENTRY-SNAPSHOT 1\.' || return 1
  rec=$(tail -1 "$f" | sed -n 's/^END records=\([0-9]*\) crc32=[0-9A-F]*\r\{0,1\}$/\1/p')
  [ -n "$rec" ] && [ "$rec" -eq $(( $(wc -l < "$f") - 2 )) ]
}
snap_field() { tr -d '\r' <"$2" | sed -n "s/^$1=//p" | head -1; }

db=$work/e2e.db

case "$scenario" in
fleet)
  drop=$work/drop
  mkdir -p "$drop/agents"
  n=${KBS_E2E_FLEET:-300}
  t0=$(now_ms)
  if [ -n "$prefix" ]; then
    regset DropShare REG_SZ "$(P "$drop/agents")"
    regset StartDelayMaxSeconds REG_DWORD 0
    S run --scans 1 >"$work/agent.out" 2>"$work/agent.err" || { cat "$work/agent.err"; die "kbsentry-svc run --scans 1"; }
    wsnap=$(ls "$drop/agents"/*.kbs 2>/dev/null | head -1)
    [ -n "$wsnap" ] || { ls -la "$drop/agents"; cat "$work/agent.err"; die "the agent wrote no snapshot to the drop share"; }
    ls "$drop/agents" | grep -q '\.tmp' && fail "a temp file is left in the drop share"
    snap_valid "$wsnap" || die "the agent's snapshot in the drop share is not whole"
    whost=$(snap_field host "$wsnap")
    wver=$(snap_field os.version "$wsnap")
    ok "real agent: $(basename "$wsnap") in the drop share ($(wc -c < "$wsnap") bytes), host $whost, OS $wver, $(($(now_ms) - t0)) ms"
  fi
  stats=$(G --generate "$(P "$drop/fleet")" "$n" 2017) || die "bench_fleet --generate"
  echo "$stats"
  nsp2=$(echo "$stats" | sed -n 's/.*XP (\([0-9]*\) on SP2).*/\1/p')
  nmiss=$(echo "$stats" | sed -n 's/.*; \([0-9]*\) missing MS17-010.*/\1/p')
  [ -n "$nsp2" ] && [ -n "$nmiss" ] || die "cannot read the fleet figures"
  npatch=$((n - nmiss - nsp2))
  nall=$n
  [ -n "$prefix" ] && nall=$((n + 1))

  t0=$(now_ms)
  out=$(K collect --db "$(P "$db")" "$(P "$drop")" 2>&1); rc=$?
  t1=$(now_ms)
  echo "$out"
  [ $rc -eq 0 ] || fail "collect exit code $rc"
  echo "$out" | grep -q "$nall new hosts" && ok "collect: $nall new hosts from the drop share in $((t1 - t0)) ms" ||
    fail "collect did not store $nall new hosts"
  K report --db "$(P "$db")" --format json --rule MS17-010 -o "$(P "$work/r.json")"; rc=$?
  [ $rc -eq 0 ] && ok "report -o exit code 0: the file was written" || fail "report -o exit code $rc (want 0)"
  counts=$(json "' '.join(str(sum(1 for h in d['hosts'] if h['domain']=='POLICE' and h['rules'][0]['verdict']==v)) for v in ('missing','unpatchable','patched'))" "$work/r.json")
  [ "$counts" = "$nmiss $nsp2 $npatch" ] &&
    ok "fleet MS17-010: $nmiss missing, $nsp2 unpatchable, $npatch patched, as generated" ||
    fail "fleet MS17-010 missing/unpatchable/patched: $counts, generated $nmiss $nsp2 $npatch"
  nh=$(json "len(d['hosts'])" "$work/r.json")
  [ "$nh" = "$nall" ] && ok "report lists $nh hosts" || fail "report lists $nh hosts, want $nall"
  K report --db "$(P "$db")" --rule MS17-010 >"$work/r.txt"; rc=$?
  line=$(grep -a '^MS17-010 ' "$work/r.txt" | tr -s ' ')
  echo "summary: $line"
  [ $rc -eq 1 ] || fail "table report exit code $rc"
  if [ -n "$prefix" ]; then
    wl=$(json "[(h['os'],h['os_detail'],h['rules'][0]['verdict'],h['rules'][0]['evidence']) for h in d['hosts'] if h['host']=='''$whost''']" "$work/r.json")
    echo "Wine machine: $wl"
    echo "$wl" | grep -q "$wver" && ok "the Wine machine $whost is in the report with its OS ($wver)" ||
      fail "the Wine machine $whost is not in the report with OS $wver"
    grep -aq "^$whost " "$work/r.txt" && ok "the Wine machine is in the table" || fail "the Wine machine is not in the table"
  fi
  K report --db "$(P "$db")" --format html -o "$(P "$work/report.html")"; rc=$?
  [ $rc -eq 0 ] && grep -q '</html>' "$work/report.html" && ok "HTML report $(wc -c < "$work/report.html") bytes" ||
    fail "HTML report (rc $rc)"
  K report --db "$(P "$db")" --format csv -o "$(P "$work/report.csv")"; rc=$?
  nrow=$(( $(wc -l < "$work/report.csv") - 1 ))
  nrule=$(K rules | grep -c '^MS\|^CVE')
  [ $rc -eq 0 ] && [ "$nrow" -eq $((nall * nrule)) ] && ok "CSV report: $nrow rows ($nall hosts x $nrule rules)" ||
    fail "CSV report: $nrow rows, want $nall x $nrule (rc $rc)"
  # Agents write again: an unchanged share costs nothing, a new scan updates one host.
  out=$(K collect --db "$(P "$db")" "$(P "$drop")" 2>&1)
  echo "$out" | grep -q "0 read, $nall unchanged" && ok "re-collect: $nall unchanged" || fail "re-collect: $out"
  # Piped, stderr never carries a progress bar; on a terminal a quick collect draws none either.
  K collect --db "$(P "$db")" "$(P "$drop")" >/dev/null 2>"$work/err.txt"
  if ! grep -q $'\r' "$work/err.txt" && [ ! -s "$work/err.txt" ]; then ok "piped collect: nothing on stderr"
  else fail "piped collect wrote to stderr: $(head -c 200 "$work/err.txt")"; fi
  if [ -z "$prefix" ] && command -v script >/dev/null; then
    (cd "$work/cwd" && script -qec "$(printf '%q ' "$kbs" collect --db "$db" "$drop")" "$work/tty.txt" \
      </dev/null >/dev/null 2>&1)
    if grep -q "$nall unchanged" "$work/tty.txt" && ! grep -q 'collect \[' "$work/tty.txt"; then
      ok "collect on a terminal: result, no bar for quick work"
    else fail "collect on a terminal: $(head -c 300 "$work/tty.txt")"; fi
  fi
  r=$(sq "PRAGMA integrity_check")
  nh=$(sq "SELECT count(*) FROM host")
  [ "$r" = ok ] && [ "$nh" = "$nall" ] && ok "database: integrity_check ok, $nh hosts" || fail "database: $r, $nh hosts"
  if [ -n "$prefix" ]; then
    sleep 1
    S run --scans 1 >/dev/null 2>&1 || fail "second agent run"
    out=$(K collect --db "$(P "$db")" "$(P "$drop")" 2>&1)
    ns=$(sq "SELECT count(*) FROM scan s JOIN host h ON s.host_id = h.id WHERE h.name = '$whost'")
    echo "$out" | grep -q ' 1 updated, ' && [ "$ns" = 2 ] && ok "the agent's next scan: 1 host updated, $ns scans kept" ||
      fail "after the next agent scan ($ns scans): $out"
  fi
  ;;

helpdesk)
  fl=$work/fleet
  G --generate "$(P "$fl")" 40 2017 >/dev/null || die "bench_fleet --generate"
  K collect --db "$(P "$db")" "$(P "$fl")" >/dev/null || die "collect"
  K report --db "$(P "$db")" --format json -o "$(P "$work/r.json")"
  # One host that misses MS17-010 and one that has it.
  hmiss=$(json "next(h['host'] for h in d['hosts'] if h['rules'][0]['verdict']=='missing')" "$work/r.json")
  hok=$(json "next(h['host'] for h in d['hosts'] if h['rules'][0]['verdict']=='patched')" "$work/r.json")
  for h in "$hmiss" "$hok"; do
    K check --db "$(P "$db")" "$h" >"$work/c.txt"; rc=$?
    tr -d '\r' <"$work/c.txt" >"$work/c2.txt"
    want=$(json "[1 if x['worst'] in ('missing','unpatchable') else 0 for x in d['hosts'] if x['host']=='$h'][0]" "$work/r.json")
    v=$(json "[x['rules'][0]['verdict'] for x in d['hosts'] if x['host']=='$h'][0]" "$work/r.json")
    grep -q "^Host  *$h\$" "$work/c2.txt" && grep -q '^OS  *Microsoft Windows' "$work/c2.txt" &&
      grep -q '^Last scan  *20[0-9-]* [0-9:]* UTC' "$work/c2.txt" &&
      grep -qi "^MS17-010  *$v " "$work/c2.txt" && grep -q 'evidence: ' "$work/c2.txt" && [ $rc -eq "$want" ] &&
      ok "check $h (text): host, OS, last scan, MS17-010 $v with evidence, exit code $rc" ||
      { cat "$work/c.txt"; fail "check $h (text), rc $rc want $want"; }
    K check --db "$(P "$db")" --format json "$h" >"$work/c.json"; rc=$?
    res=$(json "(d['host']=='$h', bool(d['os']), bool(d['last_scan']), [(r['id'],r['verdict']) for r in d['rules']]==[(r['id'],r['verdict']) for x in json.load(open(sys.argv[1].replace('c.json','r.json'))) ['hosts'] if x['host']=='$h' for r in x['rules']], all(r['evidence'] for r in d['rules']))" "$work/c.json")
    [ "$res" = "(True, True, True, True, True)" ] && [ $rc -eq "$want" ] &&
      ok "check --format json $h: host, os, last_scan, rules[id, verdict, evidence] as in the report" ||
      { cat "$work/c.json"; fail "check --format json $h: $res rc $rc"; }
  done
  out=$(K check --db "$(P "$db")" NO-SUCH-HOST 2>&1); rc=$?
  [ $rc -eq 3 ] && echo "$out" | grep -q 'NO-SUCH-HOST' && ok "check of an unknown host: exit 3 (not found), names it" ||
    fail "check NO-SUCH-HOST: rc $rc: $out"

  # At the desk, without a database: a snapshot, then systeminfo files.
  mkdir -p "$work/desk"
  f=$(ls "$fl"/*/*.kbs | head -1)
  h=$(snap_field host "$f")
  if [ -n "$prefix" ]; then
    S scan --out "$(P "$work/desk")" >/dev/null 2>&1; rc=$? # 0/1: compliant or not; 2: error
    [ $rc -le 1 ] || fail "kbsentry-svc scan --out exit $rc"
    f=$(ls "$work/desk"/*.kbs | head -1); h=$(snap_field host "$f")
  fi
  (cd "$work/desk" && K check --format json "$(P "$f")") >"$work/f.json"; rc=$?
  res=$(json "(d['host'], d['os'], d['last_scan'], len(d['rules']))" "$work/f.json")
  echo "$res" | grep -q "^('$h', '[^']\+', '20[0-9T:Z-]*', [1-9]" && ok "check FILE $(basename "$f"): $res, exit $rc" ||
    { cat "$work/f.json"; fail "check FILE $f: $res rc $rc"; }
  ls "$work/cwd" "$work/desk" | grep -q '\.db' && fail "check FILE created a database"
  (cd "$work/desk" && K check "$(P "$data/imp/xp_sp3_en_file1.txt")") >"$work/s.txt"; rc=$?
  tr -d '\r' <"$work/s.txt" | grep -q '^Host  *PD-WS-0412$' && grep -aq 'Windows XP' "$work/s.txt" &&
    grep -aq '^MS17-010 ' "$work/s.txt" && [ $rc -ne 2 ] &&
    ok "check systeminfo file (XP SP3): PD-WS-0412, Windows XP, exit $rc" || { cat "$work/s.txt"; fail "check xp systeminfo rc $rc"; }
  (cd "$work/desk" && K check --format json "$(P "$data/imp/win7_en_truncated.txt")") >"$work/t.json"; rc=$?
  res=$(json "[(r['verdict'], r['evidence']) for r in d['rules'] if r['id']=='MS17-010'][0]" "$work/t.json")
  echo "$res" | grep -q "^('unknown', '.\+')" && ok "check of a cut-short systeminfo list: MS17-010 $res" ||
    { cat "$work/t.json"; fail "truncated systeminfo: $res (rc $rc)"; }
  ls "$work/desk" | grep -q '\.db' && fail "check FILE created a database in the working directory"
  ;;

hotdesk)
  [ -n "$prefix" ] || die "hotdesk needs the Windows agent under Wine"
  usb=$work/usb
  mkdir -p "$usb/normal" "$usb/xp"
  t0=$(now_ms)
  S scan --out "$(P "$usb/normal")" >"$work/scan1.out" 2>&1; rc=$? # 0/1 compliant or not; 2 error
  [ $rc -le 1 ] || { cat "$work/scan1.out"; die "scan --out (normal) exit $rc"; }
  t1=$(now_ms)
  s1=$(ls "$usb/normal"/*.kbs 2>/dev/null | head -1)
  snap_valid "$s1" || die "no whole snapshot from scan --out"
  host=$(snap_field host "$s1")
  v1=$(snap_field os.version "$s1")
  ok "scan --out without install: $(basename "$s1"), OS $v1, $((t1 - t0)) ms"
  # The second machine: XP x64 for the x64 agent, Server 2003 (5.2.3790 too) for the x86 one,
  # whose own prefix already is XP SP3.
  # What the console must then say about it: XP x64 is a workstation (family xp64, the name says
  # x64); Server 2003 names no architecture (family 2003), the snapshot says x86.
  mode2=winxp64 arch2=x64 name2='Windows XP x64' fam2=xp64
  [ "$KBS_WINE_ARCH" = win32 ] && mode2=win2003 arch2=x86 name2='Server 2003 SP2' fam2=2003
  "$wine" winecfg /v $mode2 >/dev/null 2>&1
  sleep 1 # the XP scan must be the newer one (one-second scan times)
  S scan --out "$(P "$usb/xp")" >"$work/scan2.out" 2>&1; rc=$?
  [ $rc -le 1 ] || { cat "$work/scan2.out"; fail "scan --out ($mode2) exit $rc"; }
  "$wine" winecfg /v "${KBS_WINE_VERSION:-win10}" >/dev/null 2>&1
  s2=$(ls "$usb/xp"/*.kbs 2>/dev/null | head -1)
  snap_valid "$s2" || die "no whole snapshot from the XP scan"
  [ "$(snap_field host "$s2")" = "$host" ] || fail "XP scan host $(snap_field host "$s2") != $host"
  [ "$(snap_field os.version "$s2")" = 5.2.3790 ] && ok "XP mode scan: os.version 5.2.3790" ||
    fail "XP mode scan: os.version $(snap_field os.version "$s2")"
  [ "$(snap_field os.arch "$s2")" = "$arch2" ] && ok "$mode2 scan: os.arch $arch2" ||
    fail "$mode2 scan: os.arch $(snap_field os.arch "$s2"), expected $arch2"

  out=$(K collect --db "$(P "$db")" "$(P "$usb/normal")" 2>&1); rc=$?
  [ $rc -eq 0 ] && echo "$out" | grep -q '1 new hosts' || fail "collect normal: rc $rc $out"
  K check --db "$(P "$db")" --format json "$host" >"$work/n.json"
  res=$(json "(d['host'], d['os'], d['os_detail'])" "$work/n.json")
  echo "$res" | grep -q "$v1" && ok "check $host after the normal scan: $res" || fail "check after normal scan: $res"
  out=$(K collect --db "$(P "$db")" "$(P "$usb")" 2>&1); rc=$?
  echo "$out"
  [ $rc -eq 0 ] && echo "$out" | grep -q '1 updated' || fail "collect with the XP scan: rc $rc"
  K check --db "$(P "$db")" "$host" >"$work/x.txt"; rc=$?
  cat "$work/x.txt"
  grep -aq "$name2" "$work/x.txt" && grep -aq '5\.2\.3790' "$work/x.txt" &&
    ok "check $host: $name2, 5.2.3790 (exit $rc)" || fail "check does not show $name2 5.2.3790"
  K check --db "$(P "$db")" --format json "$host" >"$work/x.json"; rc2=$?
  res=$(json "(d['os'], d['os_family'], [(r['id'], r['verdict']) for r in d['rules'] if r['verdict'] not in ('patched','missing','unpatchable','not-affected','unknown') or not r['evidence']], [r['verdict'] for r in d['rules'] if r['id']=='MS17-010'])" "$work/x.json")
  echo "$res" | grep -q "^('$name2[^']*', '$fam2', \[\], \['[a-z-]*'\])" &&
    ok "check --format json: $res" || fail "check --format json $mode2 (expected $name2, $fam2): $res"
  [ $rc -eq $rc2 ] && [ $rc -ne 2 ] || fail "check exit codes text $rc json $rc2"
  n=$(K hosts --db "$(P "$db")" | grep -c .)
  ns=$(sq "SELECT count(*) FROM scan")
  [ "$n" -eq 1 ] && [ "$ns" = 2 ] && ok "one host, two scans (the older one kept as history)" || fail "hosts lists $n, $ns scans"
  ;;
*)
  echo "unknown scenario $scenario" >&2; exit 2 ;;
esac

finish
[ $nfail -eq 0 ] && { rm -rf "$work"; echo PASS; exit 0; }  # kept on failure, to look at
echo "$nfail checks failed"; exit 1
