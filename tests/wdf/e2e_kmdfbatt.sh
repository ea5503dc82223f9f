#!/usr/bin/env bash
# The KMDF miniclass as users meet it: kmdfbatt's sources build out of tree
# with battkit-driver-cc (the framework routines resolve, none is missing);
# battd binds the shipped kmdfbatt by its INF to a machine's device and
# serves battctl for it (list, status, info, set), then stops clean with
# the pool empty.
set -euo pipefail
bin_dir=$1; src_dir=$2
work=$(mktemp -d)
trap 'if [ -f "$work/battd.pid" ]; then kill "$(cat "$work/battd.pid")" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

"$bin_dir/battkit-driver-cc" -o "$work/kmdfbatt-oot.so" "$src_dir"/*.c

cat > "$work/machine.ini" <<'INI'
[machine]
name = kmdf
time = virtual

[battery.BAT0]
design_capacity_mwh = 57000
design_voltage_mv = 11400
cells = 3

[device.KB]
hardware_id = KMDFBATT\Battery
INI

export BATTKIT_SOCKET="$work/battd.sock"
# Without --foreground battd returns once it serves.
"$bin_dir/battd" -m "$work/machine.ini" --virtual=0 --pidfile "$work/battd.pid" \
    --log-file "$work/battd.log" --registry "$work/registry" --store "$work/store"

fail() { echo "FAIL: $*"; cat "$work/battd.log"; exit 1; }
out=$("$bin_dir/battctl" list) || fail "battctl list"
grep -q 'KmdfBatt (battkit).*ROOT#KMDFBATT#KB' <<<"$out" || fail "list: $out"
out=$("$bin_dir/battctl" status KMDFBATT) || fail "battctl status"
grep -q 'Charge:     75 % (30.00 Wh)' <<<"$out" || fail "status: $out"
out=$("$bin_dir/battctl" info KMDFBATT) || fail "battctl info"
grep -q 'Serial number:    KB0001' <<<"$out" || fail "info: $out"
out=$("$bin_dir/battctl" set critical-bias 100 KMDFBATT) || fail "battctl set"
grep -q 'critical bias now 0.10 Wh' <<<"$out" || fail "set: $out"

pid=$(cat "$work/battd.pid")
kill "$pid"
timeout 30 tail --pid="$pid" -f /dev/null
grep -q 'stopped clean (drivers unloaded, pool empty)' "$work/battd.log" || fail "not clean"
echo "PASS kmdfbatt served through battd"
