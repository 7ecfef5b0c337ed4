#!/usr/bin/env bash
# scan_proof.sh: the policy's ProofFiles / ProofValues in a real scan: an agent in a throwaway
# Wine prefix with ProofFiles = system32\drivers\http.sys (a fake one with a version resource)
# and ProofValues = the Point and Print driver-install value records that file and that fact in
# its snapshot, names the refused entries, and a site catalog's file= / mitigation fact= lines
# give their verdicts through the console.
#   scan_proof.sh KBSENTRY-SVC.EXE KBSENTRY.EXE FAKE-SRV.SYS SCRATCH-DIR
set -u
. "$(dirname "$0")/../../cmake/wine-env.sh"
kbs_wine_enter "$0" "$@"
exe=$1 console=$2 fake=$3 scratch=$4
. "$(dirname "$0")/scan_lib.sh"
scan_lib_start wine-proof "$scratch"

P='HKLM\SOFTWARE\Policies\kbsentry'
PNP='HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Printers\PointAndPrint'
reg "$P" /v ProofFiles /t REG_MULTI_SZ /d 'system32\drivers\http.sys\0C:\Windows\evil.sys'
reg "$P" /v ProofValues /t REG_MULTI_SZ /d "$PNP\\RestrictDriverInstallationToAdministrators\\0HKCU\\Software\\x\\v"
reg "$PNP" /v RestrictDriverInstallationToAdministrators /t REG_DWORD /d 1
cp "$fake" "$WINEPREFIX/drive_c/windows/system32/drivers/http.sys" || { echo "FAIL: copy http.sys"; fail=1; }

# Wine has a builtin http.sys without a version resource: the copy on disk must be the one read.
WINEDLLOVERRIDES="$WINEDLLOVERRIDES;http.sys=n" "$wine" "$exe" scan --out "Z:$out" >"$out/run.txt" 2>"$out/run.err"
rc=$?
[ $rc -le 1 ] || { echo "FAIL: scan --out exit $rc"; cat "$out/run.err"; fail=1; } # 1: not compliant
snap=$(ls "$out"/*.kbs 2>/dev/null | head -1)
[ -n "$snap" ] || { echo "FAIL: no <HOST>.kbs in $out"; ls -la "$out"; exit 1; }
check "ProofFiles http.sys recorded with its version" "$snap" '^file=%25SystemRoot%25\\system32\\drivers\\http\.sys\|5\.2\.3790\.6021\|'
check "refused ProofFiles entry named" "$snap" "^source=policy-files\\|failed\\|1 refused: 'C:\\\\Windows\\\\evil\\.sys': a drive letter"
check "ProofValues fact recorded" "$snap" '^fact=PointAndPrint\.RestrictDriverInstallationToAdministrators\|1\|[[:space:]]*$'
check "refused ProofValues entry named" "$snap" "^source=policy-values\\|failed\\|1 refused: 'HKCU"
check "the rest of the scan went on" "$snap" '^source=reg-cbs\|'
if grep -q '^file=.*evil\.sys' "$snap"; then echo "FAIL: a refused file was read"; fail=1; fi

# A site catalog naming them: the file proves one rule, the fact mitigates another.
fams=xp,xp64,2003,vista,2008,7,2008r2,8,2012,8.1,2012r2,10,11,2016,2019,2022,2025
cat >"$out/site.kbscat" <<CAT
kbscat 1.2
rule SITE-HTTP
title HTTP.sys by file version
ref https://msrc.microsoft.com/update-guide/vulnerability/CVE-2022-21907
fix $fams file=http.sys ver=5.2.3790.6021
end
rule SITE-PNP
title Point and Print with the site's workaround
ref https://support.microsoft.com/help/5005652
fix $fams file=http.sys ver=5.2.3790.9999
mitigation fact=PointAndPrint.RestrictDriverInstallationToAdministrators value=1 note="drivers only by admins"
end
end-catalog 2
CAT
"$wine" "$console" check --catalog "Z:$out/site.kbscat" "Z:$snap" >"$out/check.txt" 2>"$out/check.err"
check "file= of a policy proof file decides" "$out/check.txt" 'SITE-HTTP.*PATCHED'
check "mitigation fact= of a policy value decides" "$out/check.txt" 'SITE-PNP.*MITIGATED'

[ $fail -eq 0 ] && echo "PASS" || { echo "--- snapshot:"; cat "$snap"; echo "--- check:"; cat "$out/check.txt" "$out/check.err"; }
exit $fail
