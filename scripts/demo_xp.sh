#!/usr/bin/env bash
# demo_xp.sh: the seed's main case for scripts/demo.sh: the x86 MSI installed on a Windows XP SP3
# machine (a 32-bit Wine prefix in winxp mode); its agent's first snapshot lands in DROP.
#   demo_xp.sh MSI DROP WORK     (MSI: kbsentry-<version>-x86.msi; WORK: scratch folder)
# Exit 77 when 32-bit Wine would run emulated only (KBS_WINE32_QEMU, cmake/wine-env.sh).
set -euo pipefail
export KBS_WINE_ARCH=win32 KBS_WINE_VERSION=winxp KBS_WINE_LIGHT=1
unset KBS_WINE_TEMPLATE
. "$(dirname "$0")/../cmake/wine-env.sh"
kbs_wine_enter "$0" "$@"
msi=$1 drop=$2 work=$3
export WINEPREFIX=$work/xp-prefix
cleanup() { kbs_wine_prefix_remove "$WINEPREFIX"; }
trap cleanup EXIT
w() { "$WINE" "$@" </dev/null 2>/dev/null | tr -d '\r'; }
winpath() { echo "Z:$1" | tr / '\\'; }

t0=$(date +%s)
kbs_wine_prefix_new "$WINEPREFIX"
kbs_wine_server_start
echo "XP machine ready in $(($(date +%s) - t0)) s: $(kbs_winver)"
# The demo wants the first scan now, not within the usual 0-120 s spread.
w reg add 'HKLM\SOFTWARE\kbsentry' /v StartDelayMaxSeconds /t REG_DWORD /d 0 /f >/dev/null
mkdir -p "$drop"
echo "msiexec /i $(basename "$msi") /qn DROPSHARE=$(winpath "$drop")"
"$WINE" msiexec /i "$(winpath "$msi")" /qn DROPSHARE="$(winpath "$drop")" </dev/null \
  >"$work/msiexec-xp.log" 2>&1
w sc query kbsentry | grep -E 'SERVICE_NAME|STATE' || true
w "C:\\Program Files\\kbsentry\\kbsentry-svc.exe" status | sed -n '/^account/p;/^state/p' || true
for _ in $(seq 1 600); do
  ls "$drop"/*.kbs >/dev/null 2>&1 && break
  sleep 1
done
snap=$(ls "$drop"/*.kbs 2>/dev/null | head -n1 || true)
[ -n "$snap" ] || { echo "demo: the XP agent wrote no snapshot to the drop share" >&2; exit 1; }
sleep 1
echo "XP agent snapshot: $(basename "$snap") ($(wc -c <"$snap") bytes):"
grep -E '^(host|os\.version|os\.sp|os\.arch|hotfixes-complete|source)=' "$snap" | tr -d '\r' | sed 's/^/  /'
"$WINE" msiexec /x "$(winpath "$msi")" /qn </dev/null >/dev/null 2>&1 || true
w sc query kbsentry >/dev/null 2>&1 && echo "service still present" || echo "x86 MSI removed"
echo "XP part: $(($(date +%s) - t0)) s"
