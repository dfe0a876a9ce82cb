#!/bin/sh
# Install the unpacked console system-wide: /opt/privacy-console, a menu entry and an icon.
# Run as root from the unpacked folder:  sudo ./install.sh   (PREFIX=/opt/other to change).
set -eu
PREFIX="${PREFIX:-/opt/privacy-console}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$PREFIX"
cp -a "$here/." "$PREFIX/"
sed "s|/opt/privacy-console|$PREFIX|g" "$here/privacy-console.desktop" \
  > /usr/share/applications/privacy-console.desktop
install -D -m 644 "$here/privacy-console.svg" /usr/share/icons/hicolor/scalable/apps/privacy-console.svg
ln -sf "$PREFIX/privacy-console" /usr/local/bin/privacy-console
echo "installed in $PREFIX; site configuration goes in /etc/privacy-console/config.toml"
