#!/usr/bin/env bash
# wine_msi_install.sh: the MSI under Wine (x64 under wine64, x86 under 32-bit Wine as XP): a
# silent install with properties gives a running NetworkService agent, its settings, event
# source and a snapshot; a major upgrade to a higher version keeps settings, history and data.
# A DataDir policy naming a drive the machine lacks is set all along: the service starts anyway
# (on the default directory), so the install does not roll back with 1920.
#   wine_msi_install.sh MSI MSI_CMAKE SVC_EXE CONSOLE_EXE VERSION NEXT_VERSION
set -u
. "$(dirname "$0")/wine_lib.sh"
MSI=$1 MSI_CMAKE=$2 SVC_EXE=$3 CONSOLE_EXE=$4 VERSION=$5 NEXT=$6
[ -f "$MSI" ] || { echo "FAIL no package $MSI (build the msi target)"; exit 1; }

# The next version, built from the same programs while the prefix is made.
cmake -DVERSION="$NEXT" -DARCH=${KBS_MSI_ARCH:-x64} -DSVC_EXE="$SVC_EXE" -DCONSOLE_EXE="$CONSOLE_EXE" \
  -DOUT="$WORK/next.msi" -P "$MSI_CMAKE" >"$WORK/next.log" 2>&1 &
BUILD=$!
make_prefix
wait $BUILD || { cat "$WORK/next.log"; echo "FAIL building the $NEXT package"; exit 1; }
no_start_delay
w reg add 'HKLM\SOFTWARE\Policies\kbsentry' /v DataDir /t REG_SZ /d 'Q:\kbs-no-such-drive' /f
check "DataDir policy Q:\\kbs-no-such-drive set" [ $? -eq 0 ]

# -- install ------------------------------------------------------------------------------------
w msiexec /i "$(winpath "$MSI")" /qn 'DROPSHARE=\\srv\kbs$' SCANINTERVAL=240
rc=$?
check "msiexec /i /qn exits 0 (got $rc)" [ $rc -eq 0 ]
check "kbsentry-svc.exe in Program Files" [ -f "$PF/kbsentry-svc.exe" ]
check "kbsentry.exe in Program Files" [ -f "$PF/kbsentry.exe" ]
check "service RUNNING" wait_for 20 eval '[ "$(svc_state)" = RUNNING ]'
# sc qc where Wine has it; the SCM's own record (and the agent's status) always.
if w sc qc kbsentry && grep -q SERVICE_START_NAME <<<"$OUT"; then
  check "sc qc: NetworkService" grep -qi 'SERVICE_START_NAME *: *NT AUTHORITY\\NetworkService' <<<"$OUT"
  check "sc qc: auto start" grep -q 'START_TYPE *: *2' <<<"$OUT"
fi
SVCKEY='HKLM\SYSTEM\CurrentControlSet\Services\kbsentry'
check "service account NT AUTHORITY\\NetworkService" \
  [ "$(reg_value "$SVCKEY" ObjectName)" = 'NT AUTHORITY\NetworkService' ]
check "service auto start, own process" \
  [ "$(reg_value "$SVCKEY" Start)" = 0x2 -a "$(reg_value "$SVCKEY" Type)" = 0x10 ]
check "service description set" grep -q 'emergency-patch' <<<"$(reg_value "$SVCKEY" Description)"
w "C:\\Program Files\\kbsentry\\kbsentry-svc.exe" status
check "kbsentry-svc status: running as NetworkService" \
  grep -q 'account: NT AUTHORITY\\NetworkService' <<<"$OUT"
KEY='HKLM\SOFTWARE\kbsentry'
check "DropShare from DROPSHARE" [ "$(reg_value "$KEY" DropShare)" = '\\srv\kbs$' ]
check "ScanIntervalMinutes DWORD 240" [ "$(reg_value "$KEY" ScanIntervalMinutes)" = 0xf0 ]
check "Version $VERSION" [ "$(reg_value "$KEY" Version)" = "$VERSION" ]
EVK='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\kbsentry'
check "event source message file" \
  [ "$(reg_value "$EVK" EventMessageFile)" = 'C:\Program Files\kbsentry\kbsentry-svc.exe' ]
check "event source types 7" [ "$(reg_value "$EVK" TypesSupported)" = 0x7 ]
check "a snapshot appears in the default data directory (the policy's cannot be used)" \
  wait_for 45 snapshot_present
check "the history database exists" wait_for 10 test -s "$DATA/history.db"
ls -l "$DATA"

# -- major upgrade, no properties (what a GPO upgrade does) ------------------------------------
echo "marker" >"$DATA/marker.txt"
scans_before=$(sqlite3 "file:$DATA/history.db?mode=ro" 'SELECT count(*) FROM scan' 2>/dev/null)
echo "scans in history before the upgrade: ${scans_before:-?}"
w msiexec /i "$(winpath "$WORK/next.msi")" /qn
rc=$?
check "upgrade to $NEXT exits 0 (got $rc)" [ $rc -eq 0 ]
check "Version $NEXT" [ "$(reg_value "$KEY" Version)" = "$NEXT" ]
check "service RUNNING after the upgrade" wait_for 20 eval '[ "$(svc_state)" = RUNNING ]'
check "DropShare kept" [ "$(reg_value "$KEY" DropShare)" = '\\srv\kbs$' ]
check "ScanIntervalMinutes kept" [ "$(reg_value "$KEY" ScanIntervalMinutes)" = 0xf0 ]
check "data directory kept" [ -f "$DATA/marker.txt" ]
check "snapshot kept" snapshot_present
scans_after=$(sqlite3 "file:$DATA/history.db?mode=ro" 'SELECT count(*) FROM scan' 2>/dev/null)
echo "scans in history after the upgrade: ${scans_after:-?}"
check "history kept (scans $scans_before -> $scans_after)" \
  [ -n "$scans_before" ] && [ -n "$scans_after" ] && [ "$scans_after" -ge "$scans_before" ] && [ "$scans_before" -ge 1 ]
w reg query 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall' /s
n=$(grep -c 'DisplayName *REG_SZ *kbsentry hotfix agent' <<<"$OUT")
check "one kbsentry entry in Programs and Features (got $n)" [ "$n" -eq 1 ]
finish
