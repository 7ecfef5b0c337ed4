# scan_lib.sh: what the scan scripts share (sourced after cmake/wine-env.sh and kbs_wine_enter):
# a throwaway prefix with its server, a scratch folder, `check` and `reg`.
#   scan_lib_start TAG SCRATCH-DIR   sets WINEPREFIX, out (SCRATCH-DIR/TAG-PID, made), fail=0;
#                                    both are removed on exit
scan_lib_cleanup() {
  kbs_wine_prefix_remove "$WINEPREFIX"
  rm -rf "$out"
}

scan_lib_start() {
  wine=$WINE
  export WINEPREFIX
  WINEPREFIX=$(mktemp -d "${TMPDIR:-/tmp}/kbs-$1.XXXXXX")
  out=$2/$1-$$
  fail=0
  trap scan_lib_cleanup EXIT
  kbs_wine_prefix_new "$WINEPREFIX" || { echo "FAIL: no Wine prefix"; exit 1; }
  kbs_wine_server_start
  echo "prefix: $KBS_WINE_ARCH, $(kbs_winver)"
  mkdir -p "$out"
}

check() { # check DESCRIPTION FILE EXTENDED-REGEX
  if grep -Eq -- "$3" "$2"; then echo "ok:   $1"; else echo "FAIL: $1 (no line matching '$3' in $2)"; fail=1; fi
}

reg() { "$wine" reg add "$@" /f >/dev/null 2>&1 || { echo "FAIL: reg add $*"; fail=1; }; }
