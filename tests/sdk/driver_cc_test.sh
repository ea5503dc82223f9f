#!/usr/bin/env bash
# Builds a driver outside the source tree with battkit-driver-cc, loads it
# with the host, and checks that a missing WDM routine is a link error that
# names the routine.
set -euo pipefail
bin_dir=$1; src_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src_dir/oot_driver.c" "$src_dir/undefined_driver.c" "$work/"
cd "$work"
"$bin_dir/battkit-driver-cc" -o oot.so oot_driver.c
if "$bin_dir/battkit-driver-cc" -o undefined.so undefined_driver.c 2>link.log; then
  echo "FAIL: a driver calling a missing routine linked" >&2; exit 1
fi
grep -q IoRoutineBattkitDoesNotHave link.log || { echo "FAIL: link error does not name the routine:" >&2; cat link.log >&2; exit 1; }
echo "ok   missing_wdm_routine_fails_at_link_time_naming_it"
OOT_DRIVER_SO="$work/oot.so" "$bin_dir/test_load_oot"
