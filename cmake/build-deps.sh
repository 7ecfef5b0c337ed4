#!/usr/bin/env bash
# Builds static sqlite3 and cmocka for a mingw-w64 triplet from Debian's source packages.
# Usage: build-deps.sh TRIPLET PREFIX SRCDIR WINNT
#   TRIPLET  i686-w64-mingw32 | x86_64-w64-mingw32
#   PREFIX   where include/ and lib/ go (inside the build tree: a rebuild reuses it)
#   SRCDIR   where the Debian sources are unpacked once and shared by all triplets
#   WINNT    _WIN32_WINNT value (0x0501 for XP): SQLite then imports nothing newer
set -euo pipefail
triplet=$1 prefix=$2 srcdir=$3 winnt=$4
cc=$triplet-gcc ar=$triplet-ar
stamp=$prefix/.stamp-$winnt
[ -f "$stamp" ] && [ -f "$prefix/lib/libsqlite3.a" ] && [ -f "$prefix/lib/libcmocka.a" ] && exit 0

mkdir -p "$srcdir" "$prefix/include" "$prefix/lib"
srcdir=$(cd "$srcdir" && pwd)
exec 9>"$srcdir/.lock"   # two presets may configure at once
flock 9

if ! ls -d "$srcdir"/sqlite3-*/ >/dev/null 2>&1 || ! ls -d "$srcdir"/cmocka-*/ >/dev/null 2>&1; then
  echo "-- deps: fetching Debian source packages sqlite3 and cmocka into $srcdir"
  (cd "$srcdir" && apt-get source -qq sqlite3 cmocka 2>&1 | grep -v 'unsandboxed as root' || true)
fi
sqlite_src=$(ls -d "$srcdir"/sqlite3-*/ | head -n1)
cmocka_src=$(ls -d "$srcdir"/cmocka-*/ | head -n1)
[ -d "$sqlite_src" ] && [ -d "$cmocka_src" ] || { echo "deps: Debian sources missing (deb-src enabled? run cmake/install-packages.sh)" >&2; exit 1; }

# The amalgamation is made once on the host (it needs tclsh), then cross-compiled per triplet.
amalg=$srcdir/sqlite-amalgamation
if [ ! -f "$amalg/sqlite3.c" ]; then
  echo "-- deps: generating the SQLite amalgamation"
  rm -rf "$amalg.tmp" && mkdir -p "$amalg.tmp"
  (cd "$amalg.tmp" && env -u CFLAGS -u LDFLAGS CC=cc "$sqlite_src/configure" --disable-tcl >/dev/null && make -s sqlite3.c >/dev/null)
  mkdir -p "$amalg" && cp "$amalg.tmp/sqlite3.c" "$amalg.tmp/sqlite3.h" "$amalg/" && rm -rf "$amalg.tmp"
fi

work=$prefix/obj && mkdir -p "$work"
echo "-- deps: compiling sqlite3 for $triplet (_WIN32_WINNT=$winnt)"
$cc -O2 -c "$amalg/sqlite3.c" -o "$work/sqlite3.o" -D_WIN32_WINNT="$winnt" -DWINVER="$winnt" \
  -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION=1 -DSQLITE_DQS=0 \
  -DSQLITE_DEFAULT_FOREIGN_KEYS=1 -DSQLITE_DEFAULT_WAL_SYNCHRONOUS=1 -DSQLITE_WIN32_NO_ANSI=0 \
  -DSQLITE_OMIT_DEPRECATED=1 -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_LIKE_DOESNT_MATCH_BLOBS=1
rm -f "$prefix/lib/libsqlite3.a" && $ar rcs "$prefix/lib/libsqlite3.a" "$work/sqlite3.o"
cp "$amalg/sqlite3.h" "$prefix/include/"

echo "-- deps: compiling cmocka for $triplet"
$cc -O2 -c "$cmocka_src/src/cmocka.c" -o "$work/cmocka.o" -I"$cmocka_src/include" \
  -D_WIN32_WINNT="$winnt" -DHAVE_MALLOC_H=1 -DHAVE_INTTYPES_H=1 -DHAVE_SIGNAL_H=1 \
  -DHAVE_STRUCT_TIMESPEC=1 -DHAVE_STDINT_H=1
rm -f "$prefix/lib/libcmocka.a" && $ar rcs "$prefix/lib/libcmocka.a" "$work/cmocka.o"
cp "$cmocka_src/include/cmocka.h" "$prefix/include/"
[ -f "$cmocka_src/include/cmocka_pbc.h" ] && cp "$cmocka_src/include/cmocka_pbc.h" "$prefix/include/"
touch "$stamp"
