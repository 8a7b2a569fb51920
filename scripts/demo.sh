#!/bin/sh
# The main job: builds the plugin and runs its elements over a video,
# writing files to look at into out/demo/ and printing their paths.
#   scripts/demo.sh [VIDEO]     without VIDEO, a generated scene is used
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
echo "done: open the files above (e.g. xdg-open $out/posterize.png)"
