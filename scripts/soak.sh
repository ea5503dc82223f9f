#!/usr/bin/env bash
# The soak (issue 15) against an ASan+UBSan battd: builds what the test
# needs in BUILD_DIR (default build-asan, BATTKIT_SANITIZE=ON) and runs
# test_e2e_soak for SECONDS (default 20). Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
seconds=${2:-20}
jobs=${JOBS:-$(nproc)}
cmake -S . -B "$build" -DBATTKIT_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$jobs" --target test_e2e_soak # battd, battctl, the drivers
# A leak or an ASan report makes battd's exit status nonzero, which the
# test checks; the quarantine stays at its default (use after free).
BK_SOAK_SECONDS=$seconds "$build/bin/test_e2e_soak"
