#!/bin/sh
# Compares the output of two builds of the plugin, byte for byte, for every
# format both elements accept, every kernel path the CPU runs, both shipped
# aedenoise models (given and estimated noise level) and every kmeansseg
# mode and colour space. For refactors that must not change behaviour:
#
#   scripts/compare-builds.sh OLD_BUILD_DIR NEW_BUILD_DIR
#
# Each build dir is a meson build of this project (its plugins/ holds the
# plugin). Input: seeded noisy frames (numpy), converted to each format by
# videoconvert, so both builds see the same bytes. Prints one line per case
# that differs and a total; exits 1 if any differs.
set -eu
old=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
W=104 H=62 N=3   # sizes whose buffers hold no padding bytes (those are not output)

/usr/bin/python3 - "$tmp/in.rgb" $W $H $N <<'PY'
import sys, numpy as np
path, w, h, n = sys.argv[1], *map(int, sys.argv[2:])
rng = np.random.default_rng(7)
y, x = np.mgrid[0:h, 0:w]
frames = []
for t in range(n):
    base = np.stack([(x * 2 + t * 5) % 256, (y * 3 + 40) % 256,
                     128 + 100 * np.sin((x + y + t) / 9.0)], -1)
    base[(x - 40 - t) ** 2 + (y - 30) ** 2 < 300] = (200, 60, 30)
    frames.append(np.clip(base + rng.normal(0, 25, base.shape), 0, 255))
np.stack(frames).astype(np.uint8).tofile(path)
PY

formats="GRAY8 I420 YV12 Y42B Y444 NV12 NV21 YUY2 UYVY RGBx BGRx xRGB xBGR
  RGBA BGRA ARGB ABGR RGB BGR"
paths="c orc"
grep -q avx2 /proc/cpuinfo && paths="$paths avx2"
grep -q avx512f /proc/cpuinfo && paths="$paths avx512"
grep -q avx512_vnni /proc/cpuinfo && paths="$paths vnni"

# aedenoise's temporal mode (issue 11) is off in a build that has it, so
# that a build from before it compares with one after, frame by frame
temporal_off () {               # build -> the property to add, or nothing
  GST_PLUGIN_PATH_1_0=$1/plugins GST_REGISTRY_1_0=$tmp/reg-$(basename "$1").bin \
    gst-inspect-1.0 aedenoise 2>/dev/null | grep -q "^  temporal " && echo temporal=false
}

run () {                        # build format element... -> md5 of output
  b=$1 f=$2
  shift 2
  extra=""
  [ "$1" = aedenoise ] && extra=$(temporal_off "$b" || true)
  GST_PLUGIN_PATH_1_0=$b/plugins GST_REGISTRY_1_0=$tmp/reg-$(basename "$b").bin \
    gst-launch-1.0 -q filesrc location="$tmp/in.rgb" \
    ! rawvideoparse format=rgb width=$W height=$H framerate=30/1 \
    ! videoconvert ! video/x-raw,format=$f ! "$@" $extra \
    ! filesink location="$tmp/out" >"$tmp/log" 2>&1 || { cat "$tmp/log"; echo FAILED; return; }
  md5sum <"$tmp/out" | cut -c1-32
}

cases=0 diffs=0
check () {                      # label env-path format element...
  label=$1 p=$2 f=$3
  shift 3
  a=$(GST_UNSUPERVISED_KERNELS=$p run "$old" "$f" "$@")
  b=$(GST_UNSUPERVISED_KERNELS=$p run "$new" "$f" "$@")
  cases=$((cases + 1))
  if [ "$a" != "$b" ] || [ "$a" = FAILED ]; then
    diffs=$((diffs + 1))
    echo "DIFFERS: $label path=$p format=$f: $a vs $b"
  fi
}

for p in $paths; do
  for f in $formats; do
    check "aedenoise default sigma25" $p $f aedenoise noise-level=25
    check "aedenoise default blind" $p $f aedenoise
    check "aedenoise quality sigma25" $p $f aedenoise noise-level=25 \
      model-file="$top/models/aedenoise-quality.safetensors"
    for m in posterize labels false-color boundaries; do
      check "kmeansseg $m" $p $f kmeansseg mode=$m num-clusters=6
    done
    check "kmeansseg lab" $p $f kmeansseg color-space=lab num-clusters=5
  done
done
echo "compare-builds: $cases cases, $diffs differ"
[ $diffs -eq 0 ]
