#!/bin/sh
# Installs the Debian 12 packages the project needs that are missing.
#   scripts/deps.sh build   what building and the tests need
#   scripts/deps.sh demo    that, plus encoders and decoders for the demo
set -eu
pkgs="meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libglib2.0-dev-bin libjson-glib-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev liborc-0.4-dev
  liborc-0.4-dev-bin gstreamer1.0-tools gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good python3-numpy python3-pil indent"
if [ "${1:-build}" = demo ]; then
  pkgs="$pkgs gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-libav"
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
