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

now () { date +%s.%N; }
elapsed () { echo "$2 - $1" | bc; }

# the loop a user would write: demux, both streams, the filter, the muxer
mkdir -p "$d/loop"
t0=$(now)
for f in "$d"/in/*.mkv; do
  gst-launch-1.0 -q filesrc location="$f" ! decodebin name=dec \
    matroskamux name=mux ! filesink location="$d/loop/$(basename "$f")" \
    dec. ! queue ! videoconvert ! $filter ! videoconvert ! vp8enc ! queue ! mux. \
    dec. ! queue ! audioconvert ! vorbisenc ! queue ! mux.
done
t1=$(now)
echo "gst-launch loop:              $(elapsed "$t0" "$t1") s"

for jobs in 1 2; do
  t0=$(now)
  "$tool" --filter "$filter" --output "$d/out$jobs" --jobs $jobs \
    --progress=none "$d/in" >/dev/null
  t1=$(now)
  echo "unsupervised-batch --jobs $jobs:  $(elapsed "$t0" "$t1") s"
done
echo "($n files of $frames frames, $size, filter '$filter')"
