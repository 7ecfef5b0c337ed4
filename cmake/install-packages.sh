#!/usr/bin/env bash
# Installs the Debian packages kbsentry needs to build, test and package (run as root).
set -euo pipefail

pkgs=(cmake make gcc pkg-config gcc-mingw-w64-i686 gcc-mingw-w64-x86-64 binutils-mingw-w64-i686
      binutils-mingw-w64-x86-64 wine64 msitools wixl libcmocka-dev libsqlite3-dev dpkg-dev tcl
      libxml2-utils clang python3 xvfb sqlite3 chromium)
# inventory's live LDAP reads (libldap), and the Samba AD domain controller its tests run against
pkgs+=(libldap-dev samba-ad-dc samba-ad-provision ldb-tools ldap-utils openssl iproute2 util-linux)
# zlib inflates the MSRC data zip: the host's for Linux, mingw's (linked statically) for Windows.
pkgs+=(zlib1g-dev libz-mingw-w64-dev)

# The i686 build's tests run under 32-bit Wine (wine32 from the i386 architecture).
pkgs+=(wine32:i386)
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  dpkg --add-architecture i386
  need_arch_update=1
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# The mingw dependency builds use Debian's source packages: enable deb-src from the machine's own
# apt sources so that no host name is written anywhere.
src_list=/etc/apt/sources.list.d/kbsentry-deb-src.sources
need_update=${need_arch_update:-0}
if [ ! -f "$src_list" ]; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$src_list"
  elif [ -f /etc/apt/sources.list ]; then
    grep -E '^deb ' /etc/apt/sources.list | sed -e 's/^deb /deb-src /' \
      > /etc/apt/sources.list.d/kbsentry-deb-src.list
  fi
  need_update=1
fi

if [ ${#missing[@]} -gt 0 ] || [ $need_update -eq 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 32-bit Wine is a 32-bit Linux program: on a kernel without 32-bit support (ia32_emulation off)
# it runs under qemu-i386 instead (cmake/wine-ns.sh registers it for the tests only).
if ! /usr/lib/wine/wine --version >/dev/null 2>&1 &&
   ! dpkg-query -W -f='${Status}' qemu-user-static 2>/dev/null | grep -q "install ok installed"; then
  echo "installing: qemu-user-static (this kernel does not run 32-bit programs)"
  apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null
fi
