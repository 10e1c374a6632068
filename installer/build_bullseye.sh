#!/usr/bin/env bash
# The .deb for glibc ≤ 2.31 (统信UOS 20, 银河麒麟 V10): build_linux.sh run inside a Debian 11
# (bullseye) root made with debootstrap from Debian's packages. Bullseye's Python is 3.9, so CPython
# 3.11 is built there first from Debian's own source package (bookworm's python3.11). Run as root:
#   bash installer/build_bullseye.sh          → dist/aidoffice_<version>_amd64.deb built for bullseye
# Environment: CHROOT (default /srv/bullseye), MIRROR (default Debian's), NICE (default 10).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CHROOT="${CHROOT:-/srv/bullseye}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
NICE="nice -n ${NICE:-10}"
[ "$(id -u)" -eq 0 ] || { echo "run as root (debootstrap, chroot, mount)" >&2; exit 2; }

if [ ! -x "$CHROOT/usr/bin/gcc" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  $NICE debootstrap --variant=minbase \
    --include=build-essential,libssl-dev,libffi-dev,libsqlite3-dev,zlib1g-dev,libbz2-dev,liblzma-dev,libexpat1-dev,uuid-dev,binutils,dpkg-dev,ca-certificates,wget,libfontconfig1,libxkbcommon0,libegl1,libgl1,libdbus-1-3 \
    bullseye "$CHROOT" "$MIRROR"
fi

mounted=()
cleanup() { for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done; }
trap cleanup EXIT
for fs in proc sys dev; do
  mountpoint -q "$CHROOT/$fs" || { mount --bind "/$fs" "$CHROOT/$fs"; mounted+=("$CHROOT/$fs"); }
done
mkdir -p "$CHROOT/src"
mountpoint -q "$CHROOT/src" || { mount --bind "$ROOT" "$CHROOT/src"; mounted+=("$CHROOT/src"); }
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf" 2>/dev/null || true
# the host's certificate bundle (pip and apt over HTTPS trust the same authorities inside)
cp /etc/ssl/certs/ca-certificates.crt "$CHROOT/etc/ssl/certs/host-ca.crt" 2>/dev/null || true

# SQLite ≥ 3.35 (RETURNING: SQLAlchemy's bulk inserts need it; bullseye has 3.34), then CPython 3.11
# linked to it, both from Debian's source packages of bookworm (their .orig tarballs are upstream's)
if ! chroot "$CHROOT" /opt/py311/bin/python3.11 -c \
    "import sqlite3, sys; sys.exit(sqlite3.sqlite_version_info < (3, 35))" 2>/dev/null; then
  echo "deb-src $MIRROR bookworm main" > "$CHROOT/etc/apt/sources.list.d/bookworm-src.list"
  chroot "$CHROOT" bash -euc "
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcl >/dev/null  # SQLite's full source makes its amalgamation with it
    rm -rf /tmp/py /opt/py311 && mkdir -p /tmp/py && cd /tmp/py
    apt-get source -qq --download-only sqlite3 python3.11
    tar xf sqlite3_*.orig.tar.*
    cd sqlite*/
    ./configure -q --prefix=/opt/py311 --disable-tcl --enable-shared CFLAGS='-O2 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_JSON1'
    $NICE make -s -j\$(nproc)
    make -s install
    cd /tmp/py && tar xf python3.11_*.orig.tar.*
    cd Python-3.11*/
    ./configure -q --prefix=/opt/py311 --enable-shared CPPFLAGS=-I/opt/py311/include \
        LDFLAGS='-L/opt/py311/lib -Wl,-rpath,/opt/py311/lib'
    $NICE make -s -j\$(nproc)
    make -s altinstall
    /opt/py311/bin/python3.11 -c 'import sqlite3; print(\"SQLite\", sqlite3.sqlite_version)'"
  rm -rf "$CHROOT/root/aidoffice-build/venv"  # made with the old Python
fi

# the libraries the bundle leaves to the system, so deb_depends.py can name their packages
chroot "$CHROOT" bash -euc "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  libglib2.0-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 \
  libxcb-shape0 libxcb-randr0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-glx0 libxcb-xfixes0 libxcb-sync1 \
  libxcb-shm0 libwayland-client0 libwayland-cursor0 libwayland-egl1 >/dev/null"

chroot "$CHROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  PIP_CERT=/etc/ssl/certs/host-ca.crt SSL_CERT_FILE=/etc/ssl/certs/host-ca.crt REQUESTS_CA_BUNDLE=/etc/ssl/certs/host-ca.crt PYTHON=/opt/py311/bin/python3.11 BUILD_DIR=/root/aidoffice-build DIST_DIR=/src/dist \
  bash /src/installer/build_linux.sh
