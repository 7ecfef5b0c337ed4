#!/usr/bin/env bash
# printf_check.sh: XP's msvcrt.dll misprints %zu, %lld, %llu, %jd and %td (it knows only %I64),
# so no format string of ours may reach it. Narrow printf calls must go to mingw-w64's own
# implementation (__USE_MINGW_ANSI_STDIO: __mingw_* symbols); the wide ones (_snwprintf, which
# that switch does not cover) must use no size prefix XP lacks.
#   printf_check.sh NM BUILD-DIR SOURCE-DIR...
# Fails naming each object that calls msvcrt's narrow printf family, and each wide format with
# z, ll, j, t or hh.
set -u
nm=$1 build=$2
shift 2
fail=0
# Our objects only: the dependencies (sqlite3, cmocka) are built in _deps, outside the tree.
objs=$(find "$build" -name '*.obj' -path '*/CMakeFiles/*' -not -path '*/_deps/*')
[ -n "$objs" ] || { echo "FAIL: no object files under $build"; exit 1; }
n=$(echo "$objs" | wc -l)
# printf, _snprintf, __ms_vsnprintf, __imp__vsnprintf ...: narrow, and not mingw-w64's own.
# Functions of our own whose names end in printf (catgen_buf_printf) are defined in our objects.
own=$(echo "$objs" | xargs "$nm" --defined-only 2>/dev/null | awk '$2 == "T" {print $3}' | grep -E 'printf$' | sort -u)
bad=$(echo "$objs" | xargs "$nm" -A -u 2>/dev/null | awk '{print $1, $NF}' | grep -E 'printf$' |
      grep -v mingw | grep -v 'wprintf$' | grep -vwF -e "${own:-@none@}")
[ -z "$bad" ] || { echo "FAIL: objects calling msvcrt's printf:"; echo "$bad"; fail=1; }
[ $fail -ne 0 ] || echo "ok: $n objects call no msvcrt narrow printf (all through __mingw_*)"
hits=$(grep -rnE 'L"[^"]*%[-+ #0]*[0-9*]*(\.[0-9*]+)?(z|ll|j|t|hh)[diouxXn]' --include=*.c "$@")
[ -z "$hits" ] || { echo "FAIL: wide formats XP's msvcrt misprints:"; echo "$hits"; fail=1; }
[ -n "$hits" ] || echo "ok: no wide format with z, ll, j, t or hh in $*"
[ $fail -eq 0 ] && echo PASS
exit $fail
