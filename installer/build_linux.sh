#!/usr/bin/env bash
# Build the Linux bundle (PyInstaller, one folder) and the .deb for 统信UOS / 银河麒麟 / Debian.
#   bash installer/build_linux.sh            → dist/aidoffice/ and dist/aidoffice_<version>_<arch>.deb
# Environment: PYTHON (default python3, ≥ 3.11), BUILD_DIR (default installer/build), PYSIDE (the
# PySide6-Essentials requirement; 6.9.x is the newest built for glibc 2.28), NICE (default 10).
# Run it inside a Debian 11 root (docs/dev/building.md) for a bundle that runs on glibc ≤ 2.31.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
BUILD="${BUILD_DIR:-$ROOT/installer/build}"
DIST="${DIST_DIR:-$ROOT/dist}"
PYSIDE="${PYSIDE:-PySide6-Essentials>=6.9,<6.10}"
NICE="nice -n ${NICE:-10}"
VERSION="$("$PYTHON" -c 'import re,sys; print(re.search(r"__version__ = \"(.+?)\"", open("aidoffice/__init__.py").read())[1])')"
ARCH="$(dpkg --print-architecture)"
mkdir -p "$BUILD" "$DIST"

echo "== build venv ($BUILD/venv)"
[ -x "$BUILD/venv/bin/python" ] || "$PYTHON" -m venv "$BUILD/venv"
PY="$BUILD/venv/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1
quiet() { grep -v -e "^WARNING: Location" -e "BuildBackendWarning" || true; }
$NICE "$PY" -m pip install -q --upgrade pip wheel 2>&1 | quiet
# non-editable: an editable install hides the aidoffice package from PyInstaller
# PostgreSQL through the system's libpq5 (psycopg without its 10 MB binary wheel; the .deb recommends libpq5)
$NICE "$PY" -m pip install -q "$PYSIDE" . "psycopg>=3.1" pyinstaller pyelftools pypdf 2>&1 | quiet
"$PY" -m pip uninstall -q -y psycopg-binary 2>/dev/null || true
"$PY" -m pip show -q PySide6-Essentials | grep -i '^version' || true

echo "== PyInstaller"
rm -rf "$DIST/aidoffice"
# run from outside the source tree so the installed (site-packages) aidoffice is the one collected
(cd "$BUILD" && $NICE "$PY" -m PyInstaller --noconfirm --log-level WARN \
    --workpath "$BUILD/work" --distpath "$DIST" "$ROOT/installer/aidoffice.spec")

echo "== trim"
APP="$DIST/aidoffice"
INT="$APP/_internal"
QT="$INT/PySide6/Qt"
if [ -d "$QT/plugins" ]; then
  # platforms: xcb (X11), wayland, offscreen (the smoke test); input: ibus (+ fcitx when a plugin exists)
  find "$QT/plugins/platforms" -name '*.so' ! -name 'libqxcb.so' ! -name 'libqwayland*.so' \
       ! -name 'libqoffscreen.so' -delete 2>/dev/null || true
  find "$QT/plugins/imageformats" -name '*.so' ! -name 'libqjpeg.so' ! -name 'libqico.so' \
       ! -name 'libqsvg.so' ! -name 'libqgif.so' -delete 2>/dev/null || true
  rm -rf "$QT/plugins/generic" "$QT/plugins/networkinformation" "$QT/plugins/tls" \
         "$QT/plugins/platformthemes/libqgtk3.so" "$QT/qml" 2>/dev/null || true
  find "$QT/translations" -type f ! -name '*zh_CN*' -delete 2>/dev/null || true
fi
# stripping the Qt libraries saves little (they are stripped) and breaks none; ours may carry symbols
find "$APP" -name '*.so*' -type f -exec strip --strip-unneeded {} + 2>/dev/null || true
find "$APP" -name '__pycache__' -prune -exec rm -rf {} +
ln -sfn aidoffice "$APP/aidoffice-cli"

echo "== glibc floor"
FLOOR="$("$PY" "$ROOT/installer/glibc_floor.py" "$APP")"
echo "highest GLIBC symbol version needed: $FLOOR"

echo "== .deb"
PKG="$BUILD/deb"
rm -rf "$PKG"
mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
         "$PKG/usr/share/doc/aidoffice" "$PKG/usr/share/mime/packages"
cp -a "$APP" "$PKG/opt/aidoffice"
ln -s /opt/aidoffice/aidoffice "$PKG/usr/bin/aidoffice"
ln -s /opt/aidoffice/aidoffice-cli "$PKG/usr/bin/aidoffice-cli"
for size in 16 32 48 256; do
  install -Dm644 "resources/icons/aidoffice-$size.png" \
      "$PKG/usr/share/icons/hicolor/${size}x${size}/apps/aidoffice.png"
done
install -Dm644 resources/icons/aidoffice.svg "$PKG/usr/share/icons/hicolor/scalable/apps/aidoffice.svg"
install -m644 installer/aidoffice.desktop "$PKG/usr/share/applications/aidoffice.desktop"
install -m644 installer/aidoffice-mime.xml "$PKG/usr/share/mime/packages/aidoffice.xml"
install -m644 CHANGELOG.md "$PKG/usr/share/doc/aidoffice/CHANGELOG.md"
cp resources/fonts/LICENSE "$PKG/usr/share/doc/aidoffice/LICENSE.fonts"
SIZE_KB="$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)"
GLIBC_DEP="libc6 (>= ${FLOOR#GLIBC_})"
[ "$FLOOR" = "none" ] && GLIBC_DEP="libc6"
# what the bundle's libraries need from the system (read from their DT_NEEDED entries)
"$PY" "$ROOT/installer/deb_depends.py" "$APP" > "$BUILD/depends.txt"  # fails on a library no package has
mapfile -t DEPS < "$BUILD/depends.txt"
DEPENDS="$GLIBC_DEP${DEPS[0]:+, ${DEPS[0]}}"
RECOMMENDS="fonts-wqy-zenhei | fonts-arphic-uming, libpq5${DEPS[1]:+, ${DEPS[1]}}"
echo "Depends: $DEPENDS"
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE_KB/" \
    -e "s/@DEPENDS@/$DEPENDS/" -e "s/@RECOMMENDS@/$RECOMMENDS/" \
    installer/debian/control > "$PKG/DEBIAN/control"
install -m755 installer/debian/postinst installer/debian/postrm "$PKG/DEBIAN/"
DEB="$DIST/aidoffice_${VERSION}_${ARCH}.deb"
rm -f "$DEB"
$NICE dpkg-deb --root-owner-group -Zxz -z6 --build "$PKG" "$DEB" >/dev/null
echo "bundle:    $APP ($(du -sh "$APP" | cut -f1))"
echo "package:   $DEB ($(du -h "$DEB" | cut -f1))"
echo "glibc:     $FLOOR"
