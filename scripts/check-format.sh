#!/bin/sh
# Fails if any .c file of lib/ or plugins/ is not as scripts/gst-indent
# formats it (GStreamer's style). Exits 77 (skipped) without GNU indent.
#
#   scripts/check-format.sh [SOURCE_ROOT]
#
# To fix: scripts/gst-indent FILE.c (in place).
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 1
command -v indent >/dev/null 2>&1 || { echo "check-format: GNU indent not installed; skipped"; exit 77; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
bad=0
n=0
for f in $(find lib plugins -name '*.c' ! -name '*-dist.c' | sort); do
  n=$((n + 1))
  scripts/gst-indent "$f" -o "$tmp" 2>/dev/null
  if ! cmp -s "$f" "$tmp"; then
    echo "not formatted: $f (scripts/gst-indent $f)"
    diff -u "$f" "$tmp" | head -20
    bad=$((bad + 1))
  fi
done
echo "check-format: $n files, $bad not formatted"
[ $bad -eq 0 ]
