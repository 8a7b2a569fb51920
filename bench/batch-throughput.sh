#!/bin/sh
# unsupervised-batch against a hand-written gst-launch-1.0 loop over the same
# files (docs/performance.md): wall time for N generated clips with audio,
# the same filter and the same VP8/Vorbis Matroska output (vp8enc with its
# defaults, which is what encodebin uses).
#   bench/batch-throughput.sh BUILD_DIR [N_FILES] [FRAMES] [WxH] [FILTER]
set -eu
build=$1
n=${2:-4}
frames=${3:-300}
size=${4:-640x360}
filter=${5:-kmeansseg num-clusters=8}
w=${size%x*}
h=${size#*x}
tool="$build/tools/unsupervised-batch"
export GST_PLUGIN_PATH="$build/plugins"
d=$(mktemp -d /tmp/batch-bench-XXXXXX)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/in"

i=0
while [ $i -lt "$n" ]; do
  gst-launch-1.0 -q videotestsrc num-buffers="$frames" pattern=$((i % 20)) ! \
    video/x-raw,width="$w",height="$h",framerate=30/1 ! vp8enc deadline=1 ! queue ! \
    matroskamux name=m ! filesink location="$d/in/clip$i.mkv" \
    audiotestsrc num-buffers=$((frames * 44100 / 30 / 1024)) ! vorbisenc ! queue ! m.
  i=$((i + 1))
done

# the loop a user would write: demux, both streams, the filter, the muxer
mkdir -p "$d/loop"
{
  echo 'for f in "$1"/in/*.mkv; do'
  echo '  gst-launch-1.0 -q filesrc location="$f" ! decodebin name=dec \'
  echo '    matroskamux name=mux ! filesink location="$1/loop/$(basename "$f")" \'
  echo "    dec. ! queue ! videoconvert ! $filter ! videoconvert ! vp8enc ! queue ! mux. \\"
  echo '    dec. ! queue ! audioconvert ! vorbisenc ! queue ! mux.'
  echo 'done'
} >"$d/loop.sh"
# wall seconds, and CPU seconds (user + system): the machine is shared, so
# the CPU time is the steadier figure
/usr/bin/time -f "gst-launch loop:              %e s wall, %U + %S s CPU" \
  sh "$d/loop.sh" "$d"
for jobs in 1 2; do
  /usr/bin/time -f "unsupervised-batch --jobs $jobs:  %e s wall, %U + %S s CPU" \
    "$tool" --filter "$filter" --output "$d/out$jobs" --jobs $jobs \
    --progress=none "$d/in" >/dev/null
done
echo "($n files of $frames frames, $size, filter '$filter'; load $(cut -d' ' -f1 /proc/loadavg))"
