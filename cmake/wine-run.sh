#!/usr/bin/env bash
# Runs a Windows test program under Wine in the build's throwaway prefix (ctest's emulator).
#   wine-run.sh PREFIX PROGRAM [ARGS...]   run PROGRAM (creating PREFIX when missing)
#   wine-run.sh --init PREFIX              wipe PREFIX and make a fresh one
#   wine-run.sh --cleanup PREFIX           stop its wineserver and remove it
#   wine-run.sh --exec COMMAND [ARGS...]   run a host COMMAND that starts Wine itself, with WINE
#                                          (the loader) set, where this Wine runs
# Which Wine (64- or 32-bit) and which Windows version: KBS_WINE_* (cmake/wine-env.sh).
set -u
. "$(dirname "$0")/wine-env.sh"
kbs_wine_enter "$0" "$@"

init_prefix() {
  export WINEPREFIX=$1
  exec 9>"$WINEPREFIX.lock"
  flock 9
  if [ ! -f "$WINEPREFIX/.kbs-ready" ]; then
    kbs_wine_prefix_new "$WINEPREFIX" 9>&- && touch "$WINEPREFIX/.kbs-ready"
  fi
  # The registry reaches system.reg only when the server exits, so readiness has its own mark.
  # (wineserver forks itself once ready; it refuses to start twice for one prefix.)
  [ -f "$WINEPREFIX/.kbs-ready" ] && kbs_wine_server_start 9>&-
  exec 9>&-
}

case "${1:-}" in
  --exec)
    shift
    export WINE WINESERVER
    exec "$@" ;;
  --init)
    export WINEPREFIX=$2
    rm -f "$WINEPREFIX/.kbs-ready"
    init_prefix "$2"
    [ -f "$WINEPREFIX/.kbs-ready" ] || { echo "wine-run: could not create prefix $2" >&2; exit 1; }
    echo "wine-run: prefix ready at $2 ($KBS_WINE_ARCH): $(kbs_winver)"
    exit 0 ;;
  --cleanup)
    kbs_wine_prefix_remove "$2"
    rm -f "$2.lock"
    exit 0 ;;
esac

[ $# -ge 2 ] || { echo "usage: wine-run.sh PREFIX PROGRAM [ARGS...]" >&2; exit 2; }
prefix=$1; shift
init_prefix "$prefix"
[ -f "$WINEPREFIX/.kbs-ready" ] || { echo "wine-run: no prefix at $prefix" >&2; exit 1; }
exec "$WINE" "$@"
