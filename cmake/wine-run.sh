#!/usr/bin/env bash
# Runs a Windows test program under Wine in the build's throwaway prefix (ctest's emulator).
#   wine-run.sh PREFIX PROGRAM [ARGS...]   run PROGRAM (creating PREFIX when missing)
#   wine-run.sh --init PREFIX              wipe PREFIX and make a fresh one
#   wine-run.sh --cleanup PREFIX           stop its wineserver and remove it
set -u
export WINEDEBUG=${WINEDEBUG:--all}
# No Mono/Gecko prompts in a test prefix: nothing here needs them.
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
wine=/usr/lib/wine/wine64
server=/usr/lib/wine/wineserver

init_prefix() {
  export WINEPREFIX=$1
  mkdir -p "$WINEPREFIX"
  exec 9>"$WINEPREFIX.lock"
  flock 9
  # One persistent server per prefix, detached from our output: ctest waits for every process
  # that holds a test's stdout, so nothing long-lived may inherit it. --cleanup stops it.
  # (wineserver forks itself once ready; it refuses to start twice for one prefix.)
  "$server" -p </dev/null >/dev/null 2>&1 9>&- || true
  # The registry reaches system.reg only when the server exits, so readiness has its own mark.
  if [ ! -f "$WINEPREFIX/.kbs-ready" ]; then
    setsid "$wine" wineboot -i </dev/null >/dev/null 2>&1 9>&- && touch "$WINEPREFIX/.kbs-ready"
  fi
  exec 9>&-
}

case "${1:-}" in
  --init)
    export WINEPREFIX=$2
    [ -d "$WINEPREFIX" ] && { "$server" -k 2>/dev/null; rm -rf "$WINEPREFIX"; }
    init_prefix "$2"
    [ -f "$WINEPREFIX/.kbs-ready" ] || { echo "wine-run: could not create prefix $2" >&2; exit 1; }
    echo "wine-run: prefix ready at $2"
    exit 0 ;;
  --cleanup)
    export WINEPREFIX=$2
    "$server" -k 2>/dev/null
    rm -rf "$WINEPREFIX" "$WINEPREFIX.lock"
    exit 0 ;;
esac

[ $# -ge 2 ] || { echo "usage: wine-run.sh PREFIX PROGRAM [ARGS...]" >&2; exit 2; }
prefix=$1; shift
init_prefix "$prefix"
exec "$wine" "$@"
