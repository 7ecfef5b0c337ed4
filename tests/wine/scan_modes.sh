#!/usr/bin/env bash
# scan_modes.sh: the seed fleets' systems as Wine Windows versions: the agent's scan in a prefix
# switched to MODE (winecfg /v), the OS facts its snapshot carries, and the console's MS17-010
# verdict on that snapshot.
#   scan_modes.sh MODE KBSENTRY-SVC.EXE KBSENTRY.EXE SCRATCH-DIR
# MODE: winxp (i686 build), winxp64, win2003, win81, win10 (x86_64 build).
# Wine is not Windows: it has no srv.sys (drivers\srv.sys is absent) and no hotfix history; it
# answers WMI Win32_QuickFixEngineering with one made-up entry (KB1234567). Its hotfix list is
# complete as far as the agent can tell, and lacks every fixing KB: MS17-010 is "missing", as on
# an unpatched real machine (whose srv.sys would also show the old version; Wine's is absent).
# Windows 10 as Wine reports it (1903) shipped with the fix: "not-affected". The test asserts
# what Wine gives, and that no verdict is "patched" without evidence.
set -u
. "$(dirname "$0")/../../cmake/wine-env.sh"
kbs_wine_enter "$0" "$@"
mode=$1 exe=$2 console=$3 scratch=$4
export WINEPREFIX
WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/kbs-wine-mode.XXXXXX")
out=$scratch/wine-mode-$mode-$$
fail=0
cleanup() {
  kbs_wine_prefix_remove "$WINEPREFIX"
  [ $fail -eq 0 ] && rm -rf "$out"
}
trap cleanup EXIT
check() { # check DESCRIPTION FILE EXTENDED-REGEX
  if grep -Eq -- "$3" "$2"; then echo "ok:   $1"; else echo "FAIL: $1 (no line matching '$3' in $2)"; fail=1; fi
}

# What each Windows version must look like in the snapshot (os.version, os.arch, os.sp), and the
# family the console names. The arch is the prefix's (x86 for the 32-bit prefix).
case "$mode:$KBS_WINE_ARCH" in
  winxp:win32)   ver='5\.1\.2600' arch=x86 sp='3\.0' fam='XP' v=MISSING ;;
  winxp64:win64) ver='5\.2\.3790' arch=x64 sp='2\.0' fam='XP x64|Server 2003' v=MISSING ;;
  win2003:win64) ver='5\.2\.3790' arch=x64 sp='2\.0' fam='Server 2003|XP x64' v=MISSING ;;
  win81:win64)   ver='6\.3\.9600' arch=x64 sp='0\.0' fam='8\.1' v=MISSING ;;
  win10:win64)   ver='10\.0\.[0-9]+' arch=x64 sp='0\.0' fam='10' v=NOT-AFFECTED ;;
  *) echo "FAIL: no expectations for mode $mode in a $KBS_WINE_ARCH prefix"; fail=1; exit 1 ;;
esac

mkdir -p "$out"
kbs_wine_prefix_new "$WINEPREFIX" || { echo "FAIL: no Wine prefix"; fail=1; exit 1; }
kbs_wine_server_start
"$WINE" winecfg /v "$mode" </dev/null >/dev/null 2>&1 || { echo "FAIL: winecfg /v $mode"; fail=1; }
echo "prefix: $KBS_WINE_ARCH, $mode: $(kbs_winver)"

t0=$(date +%s%N)
"$WINE" "$exe" scan --out "Z:$out" </dev/null >"$out/scan.txt" 2>"$out/scan.err"
rc=$? # 0 compliant, 1 not (the verdicts of the built-in catalog), 2 an error
[ $rc -le 1 ] || { echo "FAIL: scan --out exit $rc"; cat "$out/scan.err"; fail=1; }
t1=$(date +%s%N)
kbs=$(ls "$out"/*.kbs 2>/dev/null | head -1)
[ -n "$kbs" ] || { echo "FAIL: no snapshot"; fail=1; exit 1; }
snap=$out/snap.unix
tr -d '\r' <"$kbs" >"$snap"
echo "scan as $mode: $(( (t1 - t0) / 1000000 )) ms (whole process)"
check "os.version of $mode" "$snap" "^os\\.version=$ver\$"
check "os.arch" "$snap" "^os\\.arch=$arch\$"
check "service pack" "$snap" "^os\\.sp=$sp\$"
check "OS facts known" "$snap" '^os-known=1'
check "registry OS source answered" "$snap" '^source=reg-os\|ok'
# Wine has no srv.sys: the file record says it is absent, it must not carry a version.
if grep -Eq '^file=.*drivers\\srv\.sys\|[0-9]' "$snap"; then
  echo "FAIL: a srv.sys version in a Wine prefix (Wine has none)"; fail=1
else
  echo "ok:   no srv.sys version (Wine has no srv.sys)"
fi

# The console's view of this machine: the Windows console of the same build, in the same prefix.
"$WINE" "$console" check "Z:$kbs" </dev/null >"$out/check.txt" 2>"$out/check.err"
rc=$?
tr -d '\r' <"$out/check.txt" >"$out/check.unix"
check "the console names the family" "$out/check.unix" "^ +.*($fam).*\(family "
check "MS17-010 is judged $v, with its evidence" "$out/check.unix" "^MS17-010 +$v "
if grep -Eq '^MS17-010 +PATCHED' "$out/check.unix"; then
  echo "FAIL: MS17-010 patched without evidence"; fail=1
fi
sed -n '/^MS17-010/,/^[A-Z]/p' "$out/check.unix" | head -3
[ $rc -ne 2 ] || { echo "FAIL: check exit 2"; cat "$out/check.err"; fail=1; }
[ $fail -eq 0 ] && echo PASS || { echo "--- snapshot:"; cat "$snap"; echo "--- check:"; cat "$out/check.unix"; }
exit $fail
