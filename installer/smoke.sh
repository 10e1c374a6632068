#!/usr/bin/env bash
# Smoke test of the Linux package, as a clerk's PC would see it (run as root: it installs a .deb):
# build the bundle and the .deb, install it, run it as an ordinary user (init, demo, letters; the PDF
# must carry digits and Chinese), open the GUI offscreen to its first window, remove and purge; then
# compile the NSIS script with a stub payload. Prints the figures issue 19 asks for.
#   bash installer/smoke.sh                 (SKIP_BUILD=1 reuses dist/ from an earlier build;
#                                            BULLSEYE=1 builds in a Debian 11 root for glibc ≤ 2.31)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export DEBIAN_FRONTEND=noninteractive
SMOKE_USER="${SMOKE_USER:-aidsmoke}"
fail() { echo "SMOKE FAILED: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run as root (it installs and removes a .deb)"
for tool in pdftotext dpkg-deb; do command -v "$tool" >/dev/null || apt-get install -y -qq poppler-utils >/dev/null; done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  if [ "${BULLSEYE:-0}" = 1 ]; then
    bash installer/build_bullseye.sh   # the .deb for glibc ≤ 2.31 (a Debian 11 root; ~15 min the first time)
  else
    bash installer/build_linux.sh      # on this machine: its glibc is the floor
  fi
fi
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' aidoffice/__init__.py)"
DEB="$(ls -1 dist/aidoffice_"${VERSION}"_*.deb | tail -n 1)"
[ -f "$DEB" ] || fail "no .deb in dist/"

echo "== install $DEB"
dpkg -r aidoffice >/dev/null 2>&1 || true
apt-get install -y -qq "$ROOT/$DEB" >/dev/null 2>&1 || { dpkg -i "$DEB" || apt-get install -f -y -qq; }
[ "$(dpkg-query -W -f='${Status}' aidoffice)" = "install ok installed" ] || fail "dpkg did not install it"
[ -L /usr/bin/aidoffice ] && [ -x /opt/aidoffice/aidoffice-cli ] || fail "links or programs missing"
grep -q "^Name\[zh_CN\]=学校资助办助手" /usr/share/applications/aidoffice.desktop || fail "desktop entry"
[ -f /usr/share/icons/hicolor/256x256/apps/aidoffice.png ] || fail "icon"
command -v desktop-file-validate >/dev/null && desktop-file-validate /usr/share/applications/aidoffice.desktop

echo "== run as the ordinary user $SMOKE_USER"
id "$SMOKE_USER" >/dev/null 2>&1 || useradd -m -s /bin/bash "$SMOKE_USER"
HOME_DIR="$(getent passwd "$SMOKE_USER" | cut -d: -f6)"
as_user() { runuser -u "$SMOKE_USER" -- env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }
as_user rm -rf "$HOME_DIR/.local/share/aidoffice" "$HOME_DIR/smoke"
as_user mkdir -p "$HOME_DIR/smoke"
T0=$(date +%s.%N); as_user aidoffice-cli --help >/dev/null; T1=$(date +%s.%N)
HELP_S=$(python3 -c "print($T1 - $T0)")
as_user aidoffice-cli --version
as_user aidoffice-cli --json init --school "阜平县城南庄镇中心学校" | tail -n 1
DEMO_JSON="$(as_user aidoffice-cli --json demo --students 200 | tail -n 1)"
grep -q '"students": 200' <<<"$DEMO_JSON" || fail "demo"
as_user aidoffice-cli --json contacts --aid-office-phone 0312-7251234 --complaint-phone 0312-7259999 >/dev/null
LETTERS_JSON="$(as_user aidoffice-cli --json letters policy --grade 七年级 --out "$HOME_DIR/smoke/letters.pdf" | tail -n 1)"
echo "$LETTERS_JSON" | cut -c1-160
grep -q '"letters": [1-9]' <<<"$LETTERS_JSON" || fail "letters printed none"
TEXT="$(pdftotext "$HOME_DIR/smoke/letters.pdf" -)"
grep -q "[0-9]\{4\}" <<<"$TEXT" || fail "the letters' PDF has no digits"
grep -q "0312-7251234" <<<"$TEXT" || fail "the phone number is not in the PDF's text"
grep -q "告知书" <<<"$TEXT" || fail "the letters' PDF has no Chinese"
if grep -Eq "[1-9][0-9]{5}(19|20)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx]" <<<"$TEXT"; then
  fail "a full 18-digit ID number is printed in a parent letter"
fi
echo "letters: digits, phone number and Chinese extracted; no full ID number"

echo "== first window (offscreen)"
T0=$(date +%s.%N)
as_user timeout 60 env QT_QPA_PLATFORM=offscreen AIDOFFICE_QUIT_AFTER_FIRST_WINDOW=1 aidoffice 2>"$HOME_DIR/smoke/gui.err" \
  || { cat "$HOME_DIR/smoke/gui.err"; fail "the GUI did not start"; }
T2=$(date +%s.%N)
grep -q "first window" "$HOME_DIR/smoke/gui.err" || { cat "$HOME_DIR/smoke/gui.err"; fail "no first window"; }
# from starting the program to the window on screen (the program prints the second it showed it);
# closing and exiting are not part of it, but are printed beside it
T1=$(sed -n 's/^first window: .* at \([0-9.]*\)$/\1/p' "$HOME_DIR/smoke/gui.err" | tail -n 1)
[ -n "$T1" ] || { cat "$HOME_DIR/smoke/gui.err"; fail "the first-window line has no time (“first window: … at SECONDS”)"; }
WINDOW_S=$(python3 -c "print($T1 - $T0)")
EXIT_S=$(python3 -c "print($T2 - $T0)")

INSTALLED_KB=$(dpkg-query -W -f='${Installed-Size}' aidoffice)
DEPENDS=$(dpkg-query -W -f='${Depends}' aidoffice)
FLOOR=$(python3 installer/glibc_floor.py /opt/aidoffice || echo "?")

echo "== remove and purge"
dpkg -r aidoffice >/dev/null
[ ! -e /usr/bin/aidoffice ] && [ ! -e /opt/aidoffice/aidoffice ] || fail "remove left the program"
dpkg -P aidoffice >/dev/null
[ -n "$(ls -A "$HOME_DIR/.local/share/aidoffice")" ] || fail "the user's data was removed with the package"
echo "the user's data is kept: $HOME_DIR/.local/share/aidoffice"

echo "== NSIS script (stub payload)"
NSIS="not compiled (makensis missing)"
command -v makensis >/dev/null || apt-get install -y -qq nsis >/dev/null 2>&1 || true
if command -v makensis >/dev/null; then
  bash installer/nsis_stub.sh && NSIS="compiled"
fi

echo
echo "================ aidoffice $VERSION smoke test: passed ================"
printf '%-26s %s\n' "package size:" "$(du -h "$DEB" | cut -f1) ($(stat -c %s "$DEB") bytes)"
printf '%-26s %s\n' "installed size:" "$((INSTALLED_KB / 1024)) MB"
printf '%-26s %s\n' "highest glibc needed:" "$FLOOR"
printf '%-26s %.2f s\n' "time to --help:" "$HELP_S"
printf '%-26s %.2f s (started, shown, closed and exited: %.2f s)\n' "time to first window:" "$WINDOW_S" "$EXIT_S"
printf '%-26s %s\n' "NSIS script:" "$NSIS"
printf '%-26s %s\n' "Depends:" "$DEPENDS"
