#!/bin/sh
# Installs the Debian 12 packages the project needs that are missing.
#   scripts/deps.sh build        what building and the tests need, the
#                                Python example's bindings included
#   scripts/deps.sh build torch  that, plus PyTorch for the parity test
#                                (python3-torch, about 30 s to install)
#   scripts/deps.sh demo         building, plus encoders and decoders for
#                                the demo
#   scripts/deps.sh slurm        building, plus a one-node Slurm (munge,
#                                slurmctld, slurmd) for tests/tools/test-slurm.sh
#   scripts/deps.sh train        building, plus the wallpaper packages whose
#                                photographs tools/aenn-photos turns into a
#                                training set (models/photos.tsv; about
#                                156 MB to download, 155 MB installed)
set -eu
pkgs="meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libglib2.0-dev-bin libjson-glib-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev liborc-0.4-dev
  liborc-0.4-dev-bin gstreamer1.0-tools gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad python3-numpy python3-pil indent
  python3-gi python3-gst-1.0 gir1.2-gstreamer-1.0"
[ $# -eq 0 ] && set -- build
for what in "$@"; do
  case "$what" in
    build) ;;
    demo) pkgs="$pkgs gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-libav" ;;
    torch) pkgs="$pkgs python3-torch" ;;
    # started by tests/tools/test-slurm.sh on localhost, not as services
    slurm) pkgs="$pkgs munge slurmctld slurmd slurm-client" ;;
    train) pkgs="$pkgs lomiri-wallpapers-16.04 plasma-workspace-wallpapers mate-backgrounds" ;;
    *) echo "deps.sh: unknown set '$what' (build, torch, demo, train, slurm)" >&2; exit 2 ;;
  esac
done
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
