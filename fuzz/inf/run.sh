#!/usr/bin/env bash
# Fuzz the INF reader and machine parser with libFuzzer for a bounded time.
#   fuzz/inf/run.sh [SECONDS]     configure build-fuzz/ with clang, build, run
#                                 (default 20 s; seeds: tests/inf/corpus, data/machines)
#   run.sh --run BIN WORKDIR SECONDS SEED_DIR...   (what ctest calls)
# New corpus entries and crash artifacts go to WORKDIR, never into the seeds.
set -euo pipefail

run() {
  local bin=$1 work=$2 secs=$3
  shift 3
  mkdir -p "$work/corpus" "$work/artifacts"
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$@"
}

if [ "${1:-}" = "--run" ]; then
  shift
  run "$@"
  exit
fi

secs=${1:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build-fuzz
[ -f "$build/CMakeCache.txt" ] ||
  CC=clang cmake -S "$root" -B "$build" -DBATTKIT_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzz_inf -j2
run "$build/bin/fuzz_inf" "$build/fuzz-work" "$secs" \
  "$root/tests/inf/corpus" "$root/data/machines"
