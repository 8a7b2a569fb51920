#!/bin/sh
# usage: update-orc-dist.sh ORCC (ORC_FILE DIST_C DIST_H)...
# Writes the -dist backups that builds without orcc compile (with DISABLE_ORC).
set -e
orcc=$1
shift
while [ $# -ge 3 ]; do
  "$orcc" --include glib.h --implementation -o "$2" "$1"
  "$orcc" --include glib.h --header -o "$3" "$1"
  echo "updated $2 $3"
  shift 3
done
