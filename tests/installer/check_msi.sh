#!/usr/bin/env bash
# check_msi.sh: static checks of a kbsentry MSI with msiinfo (the x86 package cannot be
# installed on this machine): Windows Installer 3.1, per machine, the right platform, the
# service, its control events, the registry it writes, the major upgrade and public properties.
#   check_msi.sh MSI x86|x64 VERSION
set -u
MSI=$1 ARCH=$2 VERSION=$3
FAILS=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; FAILS=$((FAILS + 1)); }
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
[ -s "$MSI" ] || { echo "FAIL no package $MSI (build the msi target)"; exit 1; }
table() { msiinfo export "$MSI" "$1" 2>/dev/null | tail -n +4 | tr -d '\r'; }
# row TABLE KEY: the row whose first column is KEY.
row() { table "$1" | awk -F'\t' -v k="$2" '$1 == k'; }
col() { cut -f"$1"; }

SUM=$(msiinfo suminfo "$MSI")
ver=$(sed -n 's/^Version: \([0-9]*\).*/\1/p' <<<"$SUM")
check "InstallerVersion (page count) $ver <= 301: Windows Installer 3.1 (XP SP3)" \
  [ -n "$ver" ] && [ "$ver" -le 301 ] && [ "$ver" -ge 200 ]
want=$([ "$ARCH" = x64 ] && echo "x64;1033" || echo "Intel;1033")
check "platform $want" grep -qx "Template: $want" <<<"$SUM"
check "compressed, no long-file-name problems (word count 2)" grep -qx "Source: 2 (2)" <<<"$SUM"

TABLES=$(msiinfo tables "$MSI")
for t in File Component ServiceInstall ServiceControl Registry Upgrade LaunchCondition \
         CustomAction AppSearch RegLocator; do
  check "table $t present" grep -qx "$t" <<<"$TABLES"
done

prop() { row Property "$1" | col 2; }
check "per machine: ALLUSERS=1" [ "$(prop ALLUSERS)" = 1 ]
check "ProductVersion $VERSION" [ "$(prop ProductVersion)" = "$VERSION" ]
check "ProductCode a GUID" grep -Eqx '\{[0-9A-F-]{36}\}' <<<"$(prop ProductCode)"
UC=$(prop UpgradeCode)
check "UpgradeCode a GUID" grep -Eqx '\{[0-9A-F-]{36}\}' <<<"$UC"
check "no install-time UI dialogs (silent by design)" eval '! grep -qx Dialog <<<"$TABLES"'

# Files under Program Files\kbsentry.
check "kbsentry-svc.exe in INSTALLDIR" [ "$(row File file_svc | col 3)" = kbsentry-svc.exe ]
check "kbsentry.exe in INSTALLDIR" [ "$(row File file_console | col 3)" = kbsentry.exe ]
pf=$([ "$ARCH" = x64 ] && echo ProgramFiles64Folder || echo ProgramFilesFolder)
check "INSTALLDIR is $pf\\kbsentry" [ "$(row Directory INSTALLDIR | cut -f2,3)" = "$pf	kbsentry" ]
# Component attribute 256 (msidbComponentAttributes64bit) exactly on the x64 package.
bits=$([ "$ARCH" = x64 ] && echo 256 || echo 0)
n_wrong=0
while IFS=$'\t' read -r id guid dir attr rest; do
  [ $((attr & 256)) -eq "$bits" ] || n_wrong=$((n_wrong + 1))
done <<<"$(table Component)"
check "components are all $([ "$ARCH" = x64 ] && echo 64 || echo 32)-bit" [ "$n_wrong" -eq 0 ]

# The service: own process (16), auto start (2), NetworkService, description, "service" argument.
S=$(row ServiceInstall svc_install)
check "ServiceInstall kbsentry / 'kbsentry hotfix agent'" [ "$(col 2,3 <<<"$S")" = "kbsentry	kbsentry hotfix agent" ]
check "own process, auto start, normal errors" [ "$(col 4,5,6 <<<"$S")" = "16	2	1" ]
check "runs as NT AUTHORITY\\NetworkService" [ "$(col 9 <<<"$S")" = 'NT AUTHORITY\NetworkService' ]
check "started with the argument 'service'" [ "$(col 11 <<<"$S")" = service ]
check "has a description" [ -n "$(col 13 <<<"$S")" ]
# Events: start on install (1), stop on install (2) and uninstall (32), remove on uninstall (128).
C=$(row ServiceControl svc_control)
check "ServiceControl events 163 (start install, stop both, remove uninstall), wait" \
  [ "$(col 2,3,5 <<<"$C")" = "kbsentry	163	1" ]

# Registry (root 2 = HKLM).
reg() { table Registry | awk -F'\t' -v k="$1" -v n="$2" '$2 == 2 && $3 == k && $4 == n' | col 5; }
EVK='SYSTEM\CurrentControlSet\Services\EventLog\Application\kbsentry'
check "event source message file" [ "$(reg "$EVK" EventMessageFile)" = '[INSTALLDIR]kbsentry-svc.exe' ]
check "event source TypesSupported DWORD 7" [ "$(reg "$EVK" TypesSupported)" = '#7' ]
check "ScanIntervalMinutes DWORD from SCANINTERVAL" [ "$(reg 'SOFTWARE\kbsentry' ScanIntervalMinutes)" = '#[SCANINTERVAL]' ]
check "DropShare from DROPSHARE" [ "$(reg 'SOFTWARE\kbsentry' DropShare)" = '[DROPSHARE]' ]
check "Version from ProductVersion" [ "$(reg 'SOFTWARE\kbsentry' Version)" = '[ProductVersion]' ]

# Major upgrade: older versions of the same UpgradeCode are removed, newer ones block.
U=$(table Upgrade)
check "Upgrade: older versions removed" \
  grep -q "^$UC		$VERSION		1		WIX_UPGRADE_DETECTED" <<<"$U"
check "Upgrade: newer version detected" grep -q "^$UC	$VERSION			2		WIX_DOWNGRADE_DETECTED" <<<"$U"
check "LaunchCondition blocks downgrades" grep -q "^NOT WIX_DOWNGRADE_DETECTED" <<<"$(table LaunchCondition)"
SEQ=$(table InstallExecuteSequence)
seq_of() { awk -F'\t' -v a="$1" '$1 == a {print $3}' <<<"$SEQ"; }
check "RemoveExistingProducts between InstallValidate and InstallInitialize" \
  [ "$(seq_of InstallValidate)" -lt "$(seq_of RemoveExistingProducts)" ] && [ "$(seq_of RemoveExistingProducts)" -lt "$(seq_of InstallInitialize)" ]
if [ "$ARCH" = x86 ]; then
  check "x86 package refuses 64-bit Windows" grep -q "NOT VersionNT64" <<<"$(table LaunchCondition)"
fi
# The launch conditions evaluated for real Windows versions (VersionNT ServicePackLevel
# VersionNT64): XP before SP3 and XP x64 / 2003 before SP2 are refused, the rest taken.
LC=$(table LaunchCondition | grep -v '^NOT WIX_DOWNGRADE_DETECTED' | cut -f1)
# lc_eval NAME=VALUE...: 1 when every launch condition holds, else 0.
lc_eval() {
  local c r=1
  while IFS= read -r c; do
    [ -n "$c" ] || continue
    [ "$(python3 "$(dirname "$0")/msi_cond.py" "$c" "$@")" = 1 ] || r=0
  done <<<"$LC"
  echo $r
}
for v in "501 3 0 1 XP SP3" "501 2 0 0 XP SP2" "502 1 0 0 2003 SP1" "502 1 1 0 XP-x64 SP1" \
         "502 2 0 1 2003 SP2" "502 2 1 1 XP-x64 SP2" "600 0 0 1 Vista" "1000 0 0 1 Windows 10"; do
  set -- $v
  nt=$1 sp=$2 nt64=$3 want=$4
  shift 4
  [ "$ARCH" = x86 ] && [ "$nt64" = 1 ] && continue # the x86 package refuses 64-bit Windows
  [ "$ARCH" = x64 ] && nt64=$(( nt >= 502 ? 1 : 0 ))
  got=$(lc_eval VersionNT=$nt ServicePackLevel=$sp VersionNT64=$([ "$nt64" = 1 ] && echo $nt || echo 0))
  check "launch condition: $* $([ "$want" = 1 ] && echo taken || echo refused)" [ "$got" = "$want" ]
done
check "the service depends on RpcSs (WMI is DCOM)" grep -q 'RpcSs' <<<"$(col 8 <<<"$S")"

# Defaults: remembered values after AppSearch, then 360.
check "SCANINTERVAL default 360 when nothing given or remembered" \
  [ "$(row CustomAction ca_default_interval | col 3,4)" = "SCANINTERVAL	360" ]
check "defaults set right after AppSearch" \
  [ "$(seq_of AppSearch)" -lt "$(seq_of ca_old_interval)" ] && [ "$(seq_of ca_default_interval)" -lt "$(seq_of LaunchConditions)" ]
# Installer steps run from the installed kbsentry-svc.exe (18: exe from a File row), deferred
# (1024), as SYSTEM (2048), return ignored (64): setup and purge.
for ca in setup purge; do
  R=$(row CustomAction ca_$ca)
  check "$ca: a deferred, system-context step of kbsentry-svc.exe, return ignored" \
    eval '[ "$(col 2 <<<"$R")" -eq $((18 + 64 + 1024 + 2048)) ] && [ "$(col 3,4 <<<"$R")" = "file_svc	$ca" ]'
done
check "setup (failure actions, data directory) after InstallServices, before StartServices" \
  [ "$(seq_of InstallServices)" -lt "$(seq_of ca_setup)" ] && [ "$(seq_of ca_setup)" -lt "$(seq_of StartServices)" ]
check "setup runs on install and repair, not on uninstall" \
  grep -q 'NOT REMOVE~="ALL"' <<<"$(awk -F'\t' '$1 == "ca_setup"' <<<"$SEQ")"
check "purge runs only for REMOVE=ALL with PURGE=1, not during an upgrade" \
  grep -q 'REMOVE~="ALL" AND PURGE="1" AND NOT UPGRADINGPRODUCTCODE' <<<"$(awk -F'\t' '$1 == "ca_purge"' <<<"$SEQ")"
check "purge after StopServices, while kbsentry-svc.exe is still there (before RemoveFiles)" \
  [ "$(seq_of StopServices)" -lt "$(seq_of ca_purge)" ] && [ "$(seq_of ca_purge)" -lt "$(seq_of RemoveFiles)" ]
check "no DelNode over a path a user could have linked elsewhere" \
  eval '! table CustomAction | grep -qi delnode'

[ "$FAILS" -eq 0 ] || { echo "$FAILS check(s) failed"; exit 1; }
