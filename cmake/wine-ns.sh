#!/usr/bin/env bash
# wine-ns.sh CMD...: runs CMD where i386 Linux programs (32-bit Wine) run under qemu-i386. Meant
# to be started by `unshare --user --map-root-user --mount` (see kbs_wine_enter in wine-env.sh):
# binfmt_misc mounted in a private user namespace holds the registration for this namespace
# only (Linux 6.7 and later), so the machine's own binfmt_misc is never touched.
set -u
qemu=/usr/bin/qemu-i386-static
[ -x "$qemu" ] || { echo "wine-ns: $qemu missing: run cmake/install-packages.sh" >&2; exit 2; }
mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
  { echo "wine-ns: cannot mount a private binfmt_misc (needs Linux 6.7+)" >&2; exit 2; }
# i386 ELF executables and shared objects; F: the interpreter is opened now, once.
m='\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00'
k='\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
echo ":kbs-i386:M::$m:$k:$qemu:F" >/proc/sys/fs/binfmt_misc/register ||
  { echo "wine-ns: cannot register $qemu in binfmt_misc" >&2; exit 2; }
exec "$@"
