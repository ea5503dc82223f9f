#!/usr/bin/env bash
# make bench: runs every bench_* program in BUILD_DIR/bin; each prints
# `BENCH <name> <value>` lines. Fails if any program fails.
set -euo pipefail
build=${1:-build}
status=0
found=0
for b in "$build"/bin/bench_*; do
  [ -x "$b" ] || continue
  found=1
  "$b" || { echo "bench: $(basename "$b") failed" >&2; status=1; }
done
[ $found = 1 ] || { echo "bench: no bench_* programs in $build/bin" >&2; exit 1; }
exit $status
