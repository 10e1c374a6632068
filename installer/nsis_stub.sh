#!/usr/bin/env bash
# Compile installer/aidoffice.nsi with a stub payload (two empty .exe files), so a broken NSIS script
# is caught on Linux (Debian's `nsis` package) without a Windows build. Prints the installer's path.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
command -v makensis >/dev/null || { echo "makensis 未安装：apt-get install -y nsis" >&2; exit 1; }
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/aidoffice/__init__.py")"
STUB="$(mktemp -d)"
trap 'rm -rf "$STUB"' EXIT
mkdir -p "$STUB/aidoffice/_internal"
printf 'MZ stub\n' > "$STUB/aidoffice/aidoffice.exe"
printf 'MZ stub\n' > "$STUB/aidoffice/aidoffice-cli.exe"
printf 'stub\n' > "$STUB/aidoffice/_internal/base_library.zip"
OUT="$ROOT/dist/aidoffice-$VERSION-setup-stub.exe"
mkdir -p "$ROOT/dist"
(cd "$ROOT/installer" && makensis -V2 -INPUTCHARSET UTF8 "-DVERSION=$VERSION" "-DBUNDLE=$STUB/aidoffice" \
    "-DOUTFILE=$OUT" aidoffice.nsi)
[ -s "$OUT" ] || { echo "makensis wrote no installer" >&2; exit 1; }
echo "NSIS installer (stub payload): $OUT ($(du -h "$OUT" | cut -f1))"
