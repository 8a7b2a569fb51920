#!/bin/sh
# The plugin exports its entry points (GST_PLUGIN_DEFINE's get_desc and
# register) and nothing else: the core and the elements are built with
# hidden visibility.
#
#   scripts/check-exports.sh PLUGIN.so
so=$1
command -v nm >/dev/null 2>&1 || { echo "check-exports: nm not installed; skipped"; exit 77; }
syms=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort)
extra=$(echo "$syms" | grep -v -x -e gst_plugin_unsupervised_get_desc \
  -e gst_plugin_unsupervised_register -e _init -e _fini -e '')
echo "check-exports: $(echo "$syms" | grep -c .) exported"
if [ -n "$extra" ]; then
  echo "exported beyond the plugin's entry points:"
  echo "$extra"
  exit 1
fi
echo "$syms" | grep -q -x gst_plugin_unsupervised_get_desc || { echo "entry point missing"; exit 1; }
