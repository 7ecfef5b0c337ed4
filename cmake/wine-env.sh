# wine-env.sh: which Wine a test or script uses, and how it makes a prefix (sourced by bash).
#   KBS_WINE_ARCH     win64 (default: the x86_64 build) or win32 (the i686 build: 32-bit Wine)
#   KBS_WINE_VERSION  the Windows version new prefixes report (winecfg /v: winxp, winxp64,
#                     win2003, win81, win10, ...); empty: Wine's default
#   KBS_WINE_TEMPLATE a folder: the first prefix made is kept there and later ones are copies of
#                     it (a prefix takes seconds to copy and minutes to make under 32-bit Wine)
# Sets WINE, WINESERVER, WINEARCH and quiet defaults; defines kbs_wine_prefix_new. A script that
# sources it first calls kbs_wine_enter "$0" "$@" so that 32-bit Wine can run (below).
export WINEDEBUG=${WINEDEBUG:--all}
# No Mono/Gecko prompts in a test prefix: nothing here needs them.
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
KBS_WINE_ARCH=${KBS_WINE_ARCH:-win64}
KBS_WINE_VERSION=${KBS_WINE_VERSION:-}
export KBS_WINE_ARCH KBS_WINE_VERSION
KBS_WINE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case "$KBS_WINE_ARCH" in
  win64) WINE=/usr/lib/wine/wine64 ;;
  win32) WINE=/usr/lib/wine/wine; export WINEARCH=win32 ;;
  *) echo "wine-env: KBS_WINE_ARCH must be win64 or win32, not '$KBS_WINE_ARCH'" >&2; exit 2 ;;
esac
WINESERVER=/usr/lib/wine/wineserver
[ -x "$WINE" ] || { echo "wine-env: $WINE missing: run cmake/install-packages.sh" >&2; exit 2; }

# kbs_wine_enter "$0" "$@": re-runs the calling script where 32-bit Wine can run. 32-bit Wine is
# a 32-bit Linux program; on a kernel without 32-bit support (ia32_emulation off, as on some
# virtual machines: dmesg says "32-bit emulation disabled") it can only run under qemu-i386,
# registered through binfmt_misc in a private user namespace: nothing outside this script sees
# it, so wine64 elsewhere on the machine keeps its 64-bit-only prefixes. Emulated, each Wine
# process costs 20-50 s of CPU to start and a prefix 10-20 minutes, so on such a kernel
# KBS_WINE32_QEMU chooses:
#   skip  (default) every 32-bit Wine test exits KBS_WINE_SKIP (77, ctest's SKIP_RETURN_CODE)
#         and says why: ctest lists it as skipped, the static XP checks still run
#   fail  every such test fails, saying why
#   light tests marked light (KBS_WINE_LIGHT=1: a few Wine processes) run emulated, others skip
#   all   every test runs emulated (hours)
KBS_WINE_SKIP=77
KBS_WINE32_WHY="this kernel runs no 32-bit Linux programs (ia32_emulation off), so 32-bit Wine"
KBS_WINE32_WHY="$KBS_WINE32_WHY runs only under qemu-i386, 20-50 s of CPU per Wine process"

# kbs_wine32_how: how 32-bit Wine tests run on this machine: native, or (emulated) the choice of
# KBS_WINE32_QEMU: skip, fail, light or all. The test summary says which (scripts/test.sh).
kbs_wine32_how() {
  if /usr/lib/wine/wine --version >/dev/null 2>&1; then echo native; return 0; fi
  case "${KBS_WINE32_QEMU:-skip}" in
    all|light|fail) echo "$KBS_WINE32_QEMU" ;;
    *) echo skip ;;
  esac
}

kbs_wine_enter() {
  [ "$KBS_WINE_ARCH" = win32 ] || return 0
  [ -z "${KBS_WINE_NS:-}" ] || return 0
  if "$WINE" --version >/dev/null 2>&1; then export KBS_WINE_NS=native; return 0; fi
  local why=$KBS_WINE32_WHY
  case "${KBS_WINE32_QEMU:-skip}:${KBS_WINE_LIGHT:-0}" in
    all:*|light:1) ;;
    fail:*) echo "FAIL: $why (KBS_WINE32_QEMU=fail)" >&2; exit 1 ;;
    *) echo "SKIPPED: $why (KBS_WINE32_QEMU=light or all runs it emulated)" >&2
       exit $KBS_WINE_SKIP ;;
  esac
  [ -x /usr/bin/qemu-i386-static ] || { echo "wine-env: $why, and qemu-user-static is missing:" \
    "run cmake/install-packages.sh" >&2; exit 2; }
  echo "wine-env: $why; running under it" >&2
  export KBS_WINE_NS=qemu
  exec unshare --user --map-root-user --mount bash "$KBS_WINE_DIR/wine-ns.sh" bash "$@"
}

# kbs_wine_server_start: one detached persistent server for $WINEPREFIX: services keep running
# between commands, and no test's output pipe is held by it (ctest waits for every holder).
kbs_wine_server_start() {
  setsid "$WINESERVER" -p </dev/null >/dev/null 2>&1 || true
}

# kbs_wine_prefix_make DIR: a fresh prefix at DIR in the wanted Windows version, fully written
# out (an MSI installed before the registry reaches disk loses its service).
kbs_wine_prefix_make() {
  WINEPREFIX=$1 "$WINE" wineboot -i </dev/null >/dev/null 2>&1 || return 1
  WINEPREFIX=$1 "$WINESERVER" -w
  if [ -n "$KBS_WINE_VERSION" ]; then
    WINEPREFIX=$1 "$WINE" winecfg /v "$KBS_WINE_VERSION" </dev/null >/dev/null 2>&1 || return 1
    WINEPREFIX=$1 "$WINESERVER" -w
  fi
  [ -f "$1/system.reg" ]
}

# kbs_wine_prefix_new DIR: a fresh prefix at DIR (removed first if there), copied from
# $KBS_WINE_TEMPLATE when set (made there first, under a lock, when missing). Returns non-zero
# with a message when no prefix could be made.
kbs_wine_prefix_new() {
  local dir=$1 tpl=${KBS_WINE_TEMPLATE:-}
  if [ -d "$dir" ]; then WINEPREFIX=$dir "$WINESERVER" -k 2>/dev/null; rm -rf "$dir"; fi
  if [ -z "$tpl" ]; then
    mkdir -p "$dir"
    kbs_wine_prefix_make "$dir" || { echo "wine-env: could not make a prefix at $dir" >&2; return 1; }
    return 0
  fi
  mkdir -p "$(dirname "$tpl")"
  (
    flock 9
    if [ ! -f "$tpl/.kbs-ready" ]; then
      rm -rf "$tpl"; mkdir -p "$tpl"
      t0=$(date +%s)
      kbs_wine_prefix_make "$tpl" || exit 1
      touch "$tpl/.kbs-ready"
      echo "wine-env: template prefix ($KBS_WINE_ARCH ${KBS_WINE_VERSION:-default}) made in" \
           "$(($(date +%s) - t0)) s at $tpl" >&2
    fi
  ) 9>"$tpl.lock" || { echo "wine-env: could not make the template prefix $tpl" >&2; return 1; }
  mkdir -p "$(dirname "$dir")"
  cp -a "$tpl" "$dir" && rm -f "$dir/.kbs-ready"
}

# kbs_wine_prefix_remove DIR: stops the prefix's server and processes, then removes it.
kbs_wine_prefix_remove() {
  WINEPREFIX=$1 "$WINESERVER" -k 2>/dev/null
  WINEPREFIX=$1 "$WINESERVER" -w 2>/dev/null
  rm -rf "$1"
}

# kbs_winver: what the prefix reports as its Windows version (for messages).
kbs_winver() { "$WINE" cmd /c ver 2>/dev/null | tr -d '\r' | grep -v '^$' | head -1; }
