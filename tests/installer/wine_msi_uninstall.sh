#!/usr/bin/env bash
# wine_msi_uninstall.sh: the MSI under Wine (x64, or x86 under 32-bit Wine as XP): msiexec /x
# stops and removes the service, the programs, the event source and the installer's settings
# but keeps the collected data; a second install and msiexec /x PURGE=1 removes the data
# directory too, without following a link planted in it.
#   wine_msi_uninstall.sh MSI
set -u
. "$(dirname "$0")/wine_lib.sh"
MSI=$1
[ -f "$MSI" ] || { echo "FAIL no package $MSI (build the msi target)"; exit 1; }
make_prefix
no_start_delay
WMSI=$(winpath "$MSI")
KEY='HKLM\SOFTWARE\kbsentry'
EVK='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\kbsentry'

w msiexec /i "$WMSI" /qn 'DROPSHARE=\\srv\kbs$'
check "install exits 0" [ $? -eq 0 ]
check "service RUNNING" wait_for 20 eval '[ "$(svc_state)" = RUNNING ]'
check "a snapshot appears" wait_for 45 snapshot_present
check "history written" wait_for 10 test -s "$DATA/history.db"

# -- plain uninstall keeps the data ------------------------------------------------------------
w msiexec /x "$WMSI" /qn
rc=$?
check "msiexec /x exits 0 (got $rc)" [ $rc -eq 0 ]
check "service removed" [ "$(svc_state)" = NONE ]
check "no kbsentry-svc process left" eval '! w tasklist || ! grep -qi kbsentry-svc <<<"$OUT"'
check "kbsentry-svc.exe removed" [ ! -e "$PF/kbsentry-svc.exe" ]
check "kbsentry.exe removed" [ ! -e "$PF/kbsentry.exe" ]
check "event source removed" eval '! reg_value "$EVK" EventMessageFile >/dev/null'
check "installer settings removed" eval '! reg_value "$KEY" Version >/dev/null && ! reg_value "$KEY" DropShare >/dev/null'
check "snapshot kept" snapshot_present
check "history kept" [ -s "$DATA/history.db" ]

# -- uninstall with PURGE=1 removes it ------------------------------------------------------------
w msiexec /i "$WMSI" /qn
check "reinstall exits 0" [ $? -eq 0 ]
check "service RUNNING again" wait_for 20 eval '[ "$(svc_state)" = RUNNING ]'
check "the old history is still there" [ -s "$DATA/history.db" ]
w msiexec /x "$WMSI" /qn PURGE=1
rc=$?
check "msiexec /x PURGE=1 exits 0 (got $rc)" [ $rc -eq 0 ]
check "service removed" [ "$(svc_state)" = NONE ]
check "kbsentry-svc.exe removed" [ ! -e "$PF/kbsentry-svc.exe" ]
check "data directory removed" [ ! -e "$DATA" ]
check "ProgramData itself kept" [ -d "$DRIVE_C/ProgramData" ]

# -- PURGE=1 never follows a link planted in the data directory ---------------------------------
w msiexec /i "$WMSI" /qn
check "third install exits 0" [ $? -eq 0 ]
check "service RUNNING" wait_for 20 eval '[ "$(svc_state)" = RUNNING ]'
mkdir -p "$WORK/elsewhere"
echo precious >"$WORK/elsewhere/precious.txt"
ln -s "$WORK/elsewhere" "$DATA/link" # Wine shows a host link to a directory as a reparse point
w msiexec /x "$WMSI" /qn PURGE=1
check "msiexec /x PURGE=1 with a planted link exits 0" [ $? -eq 0 ]
check "what the link points to is untouched" [ -f "$WORK/elsewhere/precious.txt" ]
# Windows removes the link itself; Wine's RemoveDirectory acts on the target, so there the link
# may stay behind, and nothing else.
left=$(ls -A "$DATA" 2>/dev/null | tr '\n' ' ')
check "data directory removed, or only the link left (got: ${left:-nothing})" \
  eval '[ ! -e "$DATA" ] || [ "$left" = "link " ]'
finish
