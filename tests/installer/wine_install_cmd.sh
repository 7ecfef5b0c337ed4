#!/usr/bin/env bash
# wine_install_cmd.sh: installer/install.cmd under Wine's cmd, run from a UNC path as a GPO
# startup script is (\\srv\deploy$\Machine\Scripts\Startup: Wine resolves \\srv\deploy$ through
# the prefix's dosdevices/unc/srv/deploy$ link to a host folder, no network needed): picks the
# package of its architecture and the newest version, installs when missing, does nothing when up to date or
# newer, upgrades when older, repairs a lost service, and reports each outcome through
# eventcreate (a recording stand-in here: Wine has no eventcreate.exe).
#   wine_install_cmd.sh INSTALL_CMD MSI MSI_CMAKE SVC_EXE CONSOLE_EXE VERSION NEXT_VERSION
set -u
. "$(dirname "$0")/wine_lib.sh"
CMD=$1 MSI=$2 MSI_CMAKE=$3 SVC_EXE=$4 CONSOLE_EXE=$5 VERSION=$6 NEXT=$7
[ -f "$MSI" ] || { echo "FAIL no package $MSI (build the msi target)"; exit 1; }
# The package's architecture (KBS_MSI_ARCH: x64 under wine64, x86 under 32-bit Wine) and the
# other one, whose decoy package must be left alone, and the PROCESSOR_ARCHITECTURE naming it.
A=${KBS_MSI_ARCH:-x64}
if [ "$A" = x64 ]; then O=x86 OPA=x86; else O=x64 OPA=AMD64; fi
# The share's root is $WORK/deploy; the script sits deeper, as in SYSVOL (Wine's cmd cannot start
# a batch file at a share's root: it doubles the backslash after the share name).
SHARE=$WORK/deploy/Machine/Scripts/Startup
UNC='\\srv\deploy$\Machine\Scripts\Startup'
STUB=$WORK/stub
mkdir -p "$SHARE" "$STUB"
cmake -DVERSION="$NEXT" -DARCH=$A -DSVC_EXE="$SVC_EXE" -DCONSOLE_EXE="$CONSOLE_EXE" \
  -DOUT="$WORK/next.msi" -P "$MSI_CMAKE" >"$WORK/next.log" 2>&1 &
BUILD=$!
make_prefix
wait $BUILD || { cat "$WORK/next.log"; echo "FAIL building the $NEXT package"; exit 1; }
mkdir -p "$WINEPREFIX/dosdevices/unc/srv"
ln -sfn "$WORK/deploy" "$WINEPREFIX/dosdevices/unc/srv/deploy\$"

cp "$CMD" "$SHARE/install.cmd"
cp "$MSI" "$SHARE/kbsentry-$VERSION-$A.msi"
# Decoys: another architecture with a higher version, and names that are no version.
echo "not a package" >"$SHARE/kbsentry-99.0.0-$O.msi"
echo "not a package" >"$SHARE/kbsentry-abc-$A.msi"
echo "not a package" >"$SHARE/kbsentry-1.02.0-$A.msi"
echo "not a package" >"$SHARE/kbsentry-1.2-$A.msi"
EVENTS=$WORK/events.log
printf '@echo off\r\necho %%* >> %s\r\n' "$(winpath "$EVENTS")" >"$STUB/eventcreate.cmd"
KEY='HKLM\SOFTWARE\kbsentry'

w cmd /c "if exist $UNC\\install.cmd echo reachable"
check "the share is reachable as $UNC" grep -q reachable <<<"$OUT"

# run [ENV=VALUE&& ...]: runs the script from the share by its UNC path; the last event line is
# in $EV.
run() {
  : >"$EVENTS"
  w cmd /c "set PATH=$(winpath "$STUB");%PATH%&& $* $UNC\\install.cmd DROPSHARE=\\\\srv\\kbs\$"
  RC=$?
  EV=$(tr -d '\r' <"$EVENTS" 2>/dev/null | tail -1)
  echo "  rc=$RC event: $EV"
}

run
check "fresh machine: installs $VERSION" [ $RC -eq 0 -a "$(reg_value "$KEY" Version)" = "$VERSION" ]
check "fresh machine: event 1 INFORMATION" grep -q "/T INFORMATION /ID 1 .*kbsentry $VERSION installed" <<<"$EV"
# msiexec got the package by the share's name, not by the drive letter pushd lent and popd took
# back (Windows' cmd maps one; msiexec then fails with 1619).
check "fresh machine: the package went to msiexec as $UNC\\kbsentry-$VERSION-$A.msi" \
  grep -qF "from $UNC\\kbsentry-$VERSION-$A.msi." <<<"$EV"
check "fresh machine: properties reach msiexec" [ "$(reg_value "$KEY" DropShare)" = '\\srv\kbs$' ]
check "service RUNNING" wait_for 20 eval '[ "$(svc_state)" = RUNNING ]'

run
check "same version: nothing to do (event 10)" \
  grep -q "/T INFORMATION /ID 10 .*$VERSION is up to date" <<<"$EV"

cp "$WORK/next.msi" "$SHARE/kbsentry-$NEXT-$A.msi"
run
check "older installed: upgrades to $NEXT" [ $RC -eq 0 -a "$(reg_value "$KEY" Version)" = "$NEXT" ]
check "upgrade event names both versions" grep -q "ID 1 .*$NEXT installed (upgrade from $VERSION)" <<<"$EV"

rm "$SHARE/kbsentry-$NEXT-$A.msi"
run
check "newer installed: nothing to do (event 11)" \
  grep -q "/T INFORMATION /ID 11 .*$NEXT is newer than the package $VERSION" <<<"$EV"
check "newer installed: still $NEXT" [ "$(reg_value "$KEY" Version)" = "$NEXT" ]

cp "$WORK/next.msi" "$SHARE/kbsentry-$NEXT-$A.msi"
w sc stop kbsentry
wait_for 15 eval '[ "$(svc_state)" = STOPPED ]'
w sc delete kbsentry
check "service deleted by hand" [ "$(svc_state)" = NONE ]
run
check "service lost: repaired" [ $RC -eq 0 ] && check "service back" wait_for 20 eval '[ "$(svc_state)" != NONE ]'
check "repair event" grep -q "ID 1 .*(repair from $NEXT)" <<<"$EV"

run "set PROCESSOR_ARCHITECTURE=$OPA&&"
check "$O: takes the $O package (which fails here) and logs ERROR 30" \
  eval '[ $RC -ne 0 ] && grep -q "/T ERROR /ID 30 .*kbsentry-99.0.0-$O.msi failed with msiexec code" <<<"$EV"'
run 'set PROCESSOR_ARCHITECTURE=IA64&&'
check "unknown architecture: ERROR 20" eval '[ $RC -eq 1 ] && grep -q "/T ERROR /ID 20 " <<<"$EV"'
rm "$SHARE"/kbsentry-*-$A.msi
run
check "no package: ERROR 21" eval '[ $RC -eq 1 ] && grep -q "/T ERROR /ID 21 " <<<"$EV"'
check "install.cmd has CRLF line ends" eval '[ "$(grep -c $'"'"'\r$'"'"' "$CMD")" -eq "$(wc -l <"$CMD")" ]'
finish
