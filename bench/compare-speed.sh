#!/bin/sh
# Old build against new, in turn on one machine: aedenoise (720p and 1080p
# I420, ORC and the best x86 path, 1 thread; the CPU time per frame is the
# figure that survives a busy machine) and kmeansseg (1080p k=8 posterize,
# BGRx and I420, 1 thread). For refactors that must not change speed.
#
#   bench/compare-speed.sh OLD_BUILD_DIR NEW_BUILD_DIR [ROUNDS]
set -eu
old=$1 new=$2 rounds=${3:-3}
for r in $(seq "$rounds"); do
  for b in "$old" "$new"; do
    tag=$( [ "$b" = "$old" ] && echo old || echo new )
    "$b/bench/aenn-element-bench" --sizes 1280x720,1920x1080 --formats I420 \
      --paths orc,vnni --threads 1 --frames 10 --runs 3 2>/dev/null \
      | grep -E '^ *[0-9]+x[0-9]+' | sed "s/^/$tag round $r aenn: /"
    for f in BGRx I420; do
      echo "$tag round $r km: $("$b/bench/km-bench" --format $f --size 1920x1080 -k 8 \
        --threads 1 --frames 40 --runs 3 2>/dev/null | tail -1)"
    done
  done
done
