#!/usr/bin/env bash
# Runs battkit's libFuzzer targets for a bounded time each; a crash, leak or
# sanitizer report fails (exit 1) with the input saved for replay.
#   fuzz/run.sh all|TARGET... [-t SECONDS]   (default 20 s per target)
#   fuzz/run.sh --list
# It configures build-fuzz/ (clang, ASan+UBSan over the whole host, libFuzzer
# coverage) once and builds only the targets and drivers they need. New
# corpus entries and crash artifacts go to build-fuzz/fuzz-work/TARGET, never
# into the kept seeds; add a crashing input to fuzz/TARGET/corpus when its
# bug is fixed, and TARGET_replay (a ctest) keeps it fixed on every build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# target   seed folders (relative to the source tree), ':'-separated
targets=(
  "fuzz_inf      tests/inf/corpus:data/machines"
  "fuzz_wire     fuzz/wire/corpus"
  "fuzz_ioctl    fuzz/ioctl/corpus"
  "fuzz_machine  fuzz/machine/corpus:data/machines"
  "fuzz_scenario fuzz/scenario/corpus:data/scenarios"
  "fuzz_registry fuzz/registry/corpus"
)

usage() {
  echo "usage: fuzz/run.sh all|TARGET... [-t SECONDS] | --list" >&2
  exit 2
}

seeds_of() {
  local row
  for row in "${targets[@]}"; do
    read -r name seeds <<<"$row"
    [ "$name" = "$1" ] && { echo "$seeds"; return 0; }
  done
  return 1
}

secs=20
chosen=()
while [ $# -gt 0 ]; do
  case $1 in
  --list)
    for row in "${targets[@]}"; do read -r name _ <<<"$row"; echo "$name"; done
    exit 0 ;;
  -t) [ $# -ge 2 ] || usage; secs=$2; shift 2 ;;
  all) for row in "${targets[@]}"; do read -r name _ <<<"$row"; chosen+=("$name"); done; shift ;;
  -*) usage ;;
  *) seeds_of "$1" >/dev/null || { echo "fuzz/run.sh: no target $1 (--list)" >&2; exit 2; }
     chosen+=("$1"); shift ;;
  esac
done
[ ${#chosen[@]} -gt 0 ] || usage

build=${BATTKIT_FUZZ_BUILD:-$root/build-fuzz}
[ -f "$build/CMakeCache.txt" ] ||
  CC=clang cmake -S "$root" -B "$build" -G Ninja -DBATTKIT_SANITIZE=ON -DBATTKIT_FUZZ=ON >/dev/null
cmake --build "$build" --target "${chosen[@]}" -j2

# Leaks are checked per input; an abort (assert, our harness) is a crash.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${chosen[@]}"; do
  work=$build/fuzz-work/$t
  mkdir -p "$work/corpus" "$work/artifacts"
  IFS=: read -r -a rel <<<"$(seeds_of "$t")"
  dirs=()
  for d in "${rel[@]}"; do dirs+=("$root/$d"); done
  echo "== $t: $secs s, seeds ${rel[*]}"
  start=$(date +%s)
  if "$build/bin/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "${dirs[@]}" \
    >"$work/log" 2>&1; then
    echo "   ok in $(($(date +%s) - start)) s: $(grep -E '^stat::number_of_executed_units' "$work/log" | awk '{print $2}') runs"
  else
    failed+=("$t")
    tail -60 "$work/log"
    echo "   FAILED: $t (log $work/log, input in $work/artifacts/)"
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "fuzz/run.sh: ${failed[*]} failed" >&2; exit 1; }
