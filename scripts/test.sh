#!/bin/sh
# Builds and runs the whole test suite: a release-like build, then an
# AddressSanitizer/UBSan build; warnings are errors. Prints the totals as
# its last line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
# torch: the PyTorch parity test (tests/tools/test-aenn-torch.py); slurm: a
# one-node Slurm for the batch tool's array-job test (tests/tools/test-slurm.sh)
scripts/deps.sh build torch slurm || exit 1

status=0
run_suite () {
  dir=$1
  label=$2
  shift 2
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dwerror=true -Dtests=enabled "$@" >"$dir.setup.log" 2>&1 \
      || { cat "$dir.setup.log"; return 1; }
  fi
  ninja -C "$dir" || return 1
  meson test -C "$dir" --print-errorlogs --num-processes 2 \
    --timeout-multiplier 4 ${SUITE_ARGS:-} || status=1
  # each run's results, counted at the end
  cp "$dir/meson-logs/testlog.json" "results-$label.json"
}

rm -f results-*.json
run_suite build-test all || status=1
# ASan and UBSan: leaks and undefined behaviour fail the run
# GLib and GStreamer keep global tables LeakSanitizer reports as leaks, so
# leak checking covers lib/ only; the elements and the tools' GStreamer code
# still run under ASan/UBSan.
# Each test runs once here, in its ORC_CODE=backup variant: code that ORC's
# JIT compiles is not instrumented, so only the C that orcc generated shows
# a kernel reading or writing past a row to the sanitizers, and every line
# of ours runs the same either way (the normal build runs both variants).
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ASAN_OPTIONS=detect_leaks=1 \
  SUITE_ARGS="--suite orc-backup --no-suite elements --no-suite tools" \
  run_suite build-test-asan asan-lib -Db_sanitize=address,undefined \
  -Db_lundef=false -Dbuildtype=debug || status=1
ASAN_OPTIONS=detect_leaks=0 SUITE_ARGS="--suite orc-backup --no-suite lib" \
  run_suite build-test-asan asan-elements || status=1

python3 - all asan-lib asan-elements <<'PY'
import json, os, sys
passed = failed = skipped = 0
for label in sys.argv[1:]:
    log = f"results-{label}.json"
    if not os.path.exists(log):
        failed += 1
        continue
    for line in open(log):
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
