#!/bin/sh
# The main job: builds the plugin and runs its elements over a video,
# writing files to look at into out/demo/ and printing their paths.
#   scripts/demo.sh [VIDEO]     without VIDEO, a generated scene is used
#   SIGMA=15 scripts/demo.sh    the noise aedenoise removes (default 25)
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh demo
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
export GST_PLUGIN_PATH="$PWD/build/plugins${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
out=out/demo
mkdir -p "$out"

if [ $# -ge 1 ]; then
  [ -r "$1" ] || { echo "cannot read $1" >&2; exit 1; }
  src="filesrc location=$(realpath "$1") ! decodebin ! videoconvert ! videoscale ! video/x-raw,width=640,height=360 ! videoconvert"
  frames=-1
  echo "input: $1"
else
  # a generated scene: moving colour bars under a bouncing ball, with
  # sensor-like noise from a second source blended in
  src="videotestsrc pattern=smpte horizontal-speed=3 num-buffers=120 ! video/x-raw,width=640,height=360,framerate=30/1 ! mix.
       videotestsrc pattern=ball animation-mode=frames motion=sweep background-color=0xff204060 num-buffers=120 ! video/x-raw,width=640,height=360,framerate=30/1 ! mix.
       compositor name=mix sink_1::alpha=0.5 ! video/x-raw,format=I420,width=640,height=360 ! videoconvert"
  frames=120
  echo "input: generated scene (videotestsrc), 120 frames at 640x360"
fi

enc="videoconvert ! x264enc speed-preset=veryfast tune=zerolatency ! mp4mux"
snap_at=60
[ "$frames" -lt 0 ] && snap_at=30

# Source, and each kmeansseg mode, as an MP4 video and a still PNG.
run () {
  name=$1
  filter=$2
  rm -f "$out"/.$name-*.png
  # shellcheck disable=SC2086
  gst-launch-1.0 -q $src ! $filter ! tee name=t \
    t. ! queue ! $enc ! filesink location="$out/$name.mp4" \
    t. ! queue ! videoconvert ! pngenc snapshot=false ! \
      multifilesink location="$out/.$name-%04d.png" >/dev/null
  n=$(ls "$out"/.$name-*.png | wc -l)
  pick=$(ls "$out"/.$name-*.png | sed -n "$(( n < snap_at ? n : snap_at ))p")
  mv "$pick" "$out/$name.png"
  rm -f "$out"/.$name-*.png
  echo "  $out/$name.mp4"
  echo "  $out/$name.png"
}

echo "writing:"
for m in source posterize false-color boundaries; do
  case $m in
    source) f="identity" ;;
    *) f="kmeansseg num-clusters=6 mode=$m" ;;
  esac
  run "$m" "$f"
done
# aedenoise: Gaussian noise added to the clip (I420, 640x360, at most 300
# frames), denoised, both written as videos and as a before/after still,
# and the PSNR of each against the clean clip printed.
sigma=${SIGMA:-25}
w=640
h=360
fsize=$((w * h * 3 / 2))
parse="rawvideoparse format=i420 width=$w height=$h framerate=30/1"
noise="build/tools/unsupervised-noise --format I420 --size ${w}x$h"
# shellcheck disable=SC2086
gst-launch-1.0 -q $src ! identity eos-after=300 ! videoconvert ! \
  video/x-raw,format=I420,width=$w,height=$h ! filesink location="$out/.clean.i420"
$noise add --sigma "$sigma" --seed 0 "$out/.clean.i420" "$out/.noisy.i420"
gst-launch-1.0 -q filesrc location="$out/.noisy.i420" ! $parse ! aedenoise ! \
  filesink location="$out/.denoised.i420"
for v in noisy denoised; do
  # shellcheck disable=SC2086
  gst-launch-1.0 -q filesrc location="$out/.$v.i420" ! $parse ! $enc ! \
    filesink location="$out/$v.mp4"
  echo "  $out/$v.mp4"
done
n=$(($(stat -c %s "$out/.clean.i420") / fsize))
k=$(( (n < snap_at ? n : snap_at) - 1 ))
for v in noisy denoised; do
  dd if="$out/.$v.i420" of="$out/.$v-still.i420" bs=$fsize skip=$k count=1 \
    status=none
done
gst-launch-1.0 -q compositor name=c sink_1::xpos=$w ! videoconvert ! pngenc ! \
  filesink location="$out/denoise-before-after.png" \
  filesrc location="$out/.noisy-still.i420" ! $parse ! c. \
  filesrc location="$out/.denoised-still.i420" ! $parse ! c.
echo "  $out/denoise-before-after.png (noisy | denoised, frame $((k + 1)))"
p_noisy=$($noise psnr "$out/.clean.i420" "$out/.noisy.i420" | awk '{print $4}')
p_den=$($noise psnr "$out/.clean.i420" "$out/.denoised.i420" | awk '{print $4}')
rm -f "$out"/.clean.i420 "$out"/.noisy*.i420 "$out"/.denoised*.i420
echo "aedenoise on Gaussian noise of sigma $sigma, mean PSNR over $n frames" \
  "(Y, U and V) against the clean clip:"
awk -v a="$p_noisy" -v b="$p_den" 'BEGIN { printf "  noisy %.2f dB, " \
  "denoised %.2f dB: gain %+.2f dB\n", a, b, b - a }'

echo "done: open the files above (e.g. xdg-open $out/posterize.png)"
