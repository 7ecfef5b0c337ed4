#!/usr/bin/env bash
# scan_collectors.sh: `kbsentry-svc scan` in a throwaway Wine prefix prepared with registry
# fixtures (XP Updates and HotFix keys, CBS packages, a fix only in the 32-bit view) and a fake
# srv.sys; for the x64 build then the same prefix as Windows XP x64 (winecfg /v winxp64) so the
# XP paths run (the i686 build's prefix already is Windows XP: KBS_WINE_VERSION).
#   scan_collectors.sh KBSENTRY-SVC.EXE FAKE-SRV.SYS SCRATCH-DIR
set -u
. "$(dirname "$0")/../../cmake/wine-env.sh"
kbs_wine_enter "$0" "$@"
exe=$1 fake=$2 scratch=$3
. "$(dirname "$0")/scan_lib.sh"
scan_lib_start wine-scan "$scratch"

U='HKLM\SOFTWARE\Microsoft\Updates'
H='HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\HotFix'
C='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Packages'
reg "$U\\Windows XP\\SP4\\KB958644" /v InstalledDate /t REG_SZ /d 10/26/2008
reg "$U\\Windows XP\\SP4\\KB4012598" /v InstalledDate /t REG_SZ /d 5/13/2017
reg "$U\\Windows Internet Explorer 8\\SP0\\KB2510531-IE8" /v InstalledDate /t REG_SZ /d 4/12/2011
reg "$H\\KB958644" /v Installed /t REG_DWORD /d 1
reg "$H\\KB893803-v2" /v Installed /t REG_DWORD /d 1
reg "$H\\KB111111" /v Installed /t REG_DWORD /d 0
reg "$H\\KB222222" /v Installed /t REG_SZ /d 1
reg "$C\\Package_for_KB4012212~31bf3856ad364e35~amd64~~6.1.1.2" /v CurrentState /t REG_DWORD /d 112
reg "$C\\Package_1_for_KB4012212~31bf3856ad364e35~amd64~~6.1.1.2" /v CurrentState /t REG_DWORD /d 32
reg "$C\\Package_for_KB3000483~31bf3856ad364e35~amd64~~6.1.1.0" /v CurrentState /t REG_DWORD /d 5
# Only in the 32-bit view (Wow6432Node): a 64-bit agent must read that view too. (A 32-bit
# prefix has one view: there the fix is simply listed.)
reg "$U\\Windows XP\\SP4\\KB7777777" /v InstalledDate /t REG_SZ /d 1/2/2015 /reg:32
# Workarounds: SMBv1 server off, NLA required; a Point and Print policy of the wrong type.
reg 'HKLM\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters' /v SMB1 /t REG_DWORD /d 0
reg 'HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp' /v UserAuthentication /t REG_DWORD /d 1
reg 'HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Printers\PointAndPrint' /v NoWarningNoElevationOnInstall /t REG_SZ /d 1
cp "$fake" "$WINEPREFIX/drive_c/windows/system32/drivers/srv.sys" || { echo "FAIL: copy srv.sys"; fail=1; }

ms() { echo $(( $(date +%s%N) / 1000000 )); }

# 1. Default Windows version of the prefix, with --out (cold: Wine starts its services).
t0=$(ms)
"$wine" "$exe" scan --out "Z:$out" >"$out/run1.txt" 2>"$out/run1.err"
rc=$?
t1=$(ms)
# 0 compliant, 1 not (as the console's check): a fresh prefix misses fixes; 2 is an error.
[ $rc -le 1 ] || { echo "FAIL: scan --out exit $rc"; cat "$out/run1.err"; fail=1; }
check "verdicts printed" "$out/run1.txt" '^verdicts \(built-in catalog, [0-9]+ rules\):'
check "exit code matches the verdicts" "$out/run1.txt" "^$([ $rc -eq 0 ] && echo COMPLIANT || echo 'NOT COMPLIANT')"
snap=$(ls "$out"/*.kbs 2>/dev/null | head -1)
[ -n "$snap" ] || { echo "FAIL: no <HOST>.kbs in $out"; ls -la "$out"; exit 1; }
[ -z "$(ls "$out" | grep '\.tmp')" ] || { echo "FAIL: temp file left"; fail=1; }
check "snapshot header" "$snap" '^KBSENTRY-SNAPSHOT 1\.'
check "Updates + HotFix merged, date kept" "$snap" '^hotfix=KB958644\|.*2008-10-26'
check "HotFix qualifier" "$snap" '^hotfix=KB893803-v2\|'
check "IE8 update" "$snap" '^hotfix=KB2510531-IE8\|'
check "32-bit view read" "$snap" '^hotfix=KB7777777\|'
check "CBS installed" "$snap" '^hotfix=KB4012212\|.*\|112'
check "CBS other state recorded" "$snap" '^hotfix=KB3000483\|.*\|5'
check "fake srv.sys version" "$snap" '^file=.*drivers\\srv\.sys\|5\.2\.3790\.6021'
check "CBS source ok" "$snap" '^source=reg-cbs\|ok'
check "WMI source ok" "$snap" '^source=wmi-qfe\|ok'
check "list complete" "$snap" '^hotfixes-complete=1'
check "format 1.1 (facts)" "$snap" '^KBSENTRY-SNAPSHOT 1\.1'
# Which facts exist depends on the prefix's Windows version (the i686 build's prefix is XP):
# the SMB1 value and NLA from Vista (6.0) on, the ms-msdt handler from Windows 7 (6.1) on.
osver=$(grep -Eo '^os\.version=[0-9]+\.[0-9]+' "$snap" | cut -d= -f2)
osmaj=${osver%%.*} osmin=${osver#*.}
[ -n "$osver" ] || { echo "FAIL: no os.version in $snap"; fail=1; osmaj=0 osmin=0; }
echo "prefix Windows version in the snapshot: ${osver:-none}"
absent() { # absent DESCRIPTION FILE EXTENDED-REGEX: no line matches
  if grep -Eq -- "$3" "$2"; then echo "FAIL: $1 (a line matches '$3' in $2)"; fail=1; else echo "ok:   $1"; fi
}
if [ "$osmaj" -ge 6 ]; then
  check "fact SMBv1 server off" "$snap" '^fact=LanmanServer\.SMB1\|0\|[[:space:]]*$'
  check "fact NLA required" "$snap" '^fact=RDP-Tcp\.UserAuthentication\|1\|[[:space:]]*$'
else
  absent "no SMBv1 fact before Vista (the value has no effect there)" "$snap" '^fact=LanmanServer\.SMB1\|'
  absent "no NLA fact before Vista" "$snap" '^fact=RDP-Tcp\.UserAuthentication\|'
fi
check "fact of the wrong type is unknown" "$snap" '^fact=PointAndPrint\.NoWarningNoElevationOnInstall\|\|not a DWORD \(type 1, 4 bytes\)[[:space:]]*$'
check "fact Spooler start type" "$snap" '^fact=Spooler\.Start\|[0-9]+\|[[:space:]]*$'
if [ "$osmaj" -gt 6 ] || { [ "$osmaj" -eq 6 ] && [ "$osmin" -ge 1 ]; }; then
  check "fact ms-msdt key" "$snap" '^fact=HKCR\.ms-msdt\|(present|absent)\|[[:space:]]*$'
else
  absent "no ms-msdt fact before Windows 7" "$snap" '^fact=HKCR\.ms-msdt\|'
fi
for f in 'drivers\\srv2\.sys' 'crypt32\.dll' 'netlogon\.dll' 'localspl\.dll' 'drivers\\tcpip\.sys'; do
  check "proof file $f collected (version or absent)" "$snap" "^file=.*System32\\\\$f\|([0-9]+\.[0-9]+\.[0-9]+\.[0-9]+|absent)\|"
done
if grep -Eq '^hotfix=KB(111111|222222)\|' "$snap"; then echo "FAIL: uninstalled/malformed HotFix listed"; fail=1; fi
# 2. Warm: the same scan again, to standard output.
t2=$(ms)
"$wine" "$exe" scan --stdout >"$out/run2.kbs" 2>"$out/run2.err" || { echo "FAIL: scan --stdout"; fail=1; }
t3=$(ms)
check "stdout snapshot" "$out/run2.kbs" '^END records='
"$wine" "$exe" scan >"$out/sum.txt" 2>/dev/null
echo "scan time under Wine: cold $((t1 - t0)) ms, warm $((t3 - t2)) ms (whole process);" \
     "$(grep -a '^scan:' "$out/sum.txt" | tr -s ' ') inside the scan; snapshot $(wc -c <"$snap") bytes"

# 3. The same prefix as Windows XP x64 / Server 2003 (5.2.3790): x64 build only.
if [ "$KBS_WINE_ARCH" = win32 ]; then
  check "XP SP3 version (the prefix is Windows XP)" "$snap" '^os\.version=5\.1\.2600'
  [ $fail -eq 0 ] && echo "PASS" || { echo "--- run1:"; cat "$snap"; }
  exit $fail
fi
"$wine" winecfg /v winxp64 >/dev/null 2>&1
t4=$(ms)
"$wine" "$exe" scan --stdout >"$out/xp.kbs" 2>"$out/xp.err" || { echo "FAIL: scan as winxp64"; fail=1; }
t5=$(ms)
echo "scan time as XP x64 under Wine: $((t5 - t4)) ms (whole process); snapshot $(wc -c <"$out/xp.kbs") bytes"
check "XP x64 version" "$out/xp.kbs" '^os\.version=5\.2\.3790'
check "XP hotfixes" "$out/xp.kbs" '^hotfix=KB958644\|'
check "XP list complete" "$out/xp.kbs" '^hotfixes-complete=1'
check "XP srv.sys" "$out/xp.kbs" '^file=.*drivers\\srv\.sys\|5\.2\.3790\.6021'
check "XP Spooler start type" "$out/xp.kbs" '^fact=Spooler\.Start\|'
absent "no SMBv1 fact on XP x64 (no effect there)" "$out/xp.kbs" '^fact=LanmanServer\.SMB1\|'
absent "no ms-msdt fact on XP x64" "$out/xp.kbs" '^fact=HKCR\.ms-msdt\|'

[ $fail -eq 0 ] && echo "PASS" || { echo "--- run1:"; cat "$snap"; echo "--- xp:"; cat "$out/xp.kbs"; }
exit $fail
