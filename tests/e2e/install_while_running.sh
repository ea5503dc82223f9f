#!/usr/bin/env bash
# Issue 8: battd picks up a new binding without a restart. battd runs a
# machine with one root device (BADMINI\Good) that no installed INF binds;
# `battinf install` of an out-of-tree package (badmini's sources built with
# battkit-driver-cc, as a vendor would) through battd's socket starts it, a
# battery appears; `battinf uninstall` removes it again; battd stays up.
set -euo pipefail
bin=$1; src=$2
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/src" "$work/pkg" "$work/store"
cp "$src"/*.c "$src"/*.h "$work/src/"
"$bin/battkit-driver-cc" -o "$work/pkg/ootbatt.so" "$work/src"/*.c
sed -n '/^; ootbatt.inf/,/^INF$/p' "$(dirname "$0")/../setup/oot_test.sh" | sed '$d' > "$work/pkg/ootbatt.inf"
cat > "$work/machine.ini" <<'INI'
[machine]
name = empty-slot
time = virtual
[ac.ADP1]
online = yes
[device.OOT]
hardware_id = BADMINI\Good
INI
sock="$work/battd.sock"
"$bin/battd" -f --virtual=0 --socket "$sock" --machine "$work/machine.ini" \
  --registry "$work/registry.txt" --store "$work/store" --log-level warn 2>"$work/battd.log" &
pid=$!
for _ in $(seq 1 200); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || { echo "FAIL: battd did not start"; cat "$work/battd.log"; exit 1; }

count() { "$bin/battctl" --socket "$sock" --json list | grep -o '"path"' | wc -l; }
[ "$(count)" = 0 ] || { echo "FAIL: a battery before any INF binds the device"; exit 1; }
echo "ok   no_battery_while_no_installed_inf_binds_the_device"

"$bin/battinf" install "$work/pkg/ootbatt.inf" --socket "$sock" >"$work/install.log" 2>&1 ||
  { echo "FAIL: battinf install through battd"; cat "$work/install.log"; exit 1; }
[ "$(count)" = 1 ] || { echo "FAIL: the installed INF did not bind the running device"; cat "$work/battd.log"; exit 1; }
echo "ok   battinf_install_binds_the_present_device_without_a_restart"
kill -0 "$pid" || { echo "FAIL: battd exited"; exit 1; }

"$bin/battinf" uninstall ootbatt --socket "$sock" >"$work/uninstall.log" 2>&1 ||
  { echo "FAIL: battinf uninstall through battd"; cat "$work/uninstall.log"; exit 1; }
[ "$(count)" = 0 ] || { echo "FAIL: the battery stayed after uninstall"; exit 1; }
echo "ok   battinf_uninstall_removes_the_binding_from_the_running_daemon"

kill -TERM "$pid"; rc=0; wait "$pid" || rc=$?; pid=""
[ "$rc" = 0 ] || { echo "FAIL: battd exit status $rc"; cat "$work/battd.log"; exit 1; }
grep -q "ootbatt" "$work/registry.txt" && { echo "FAIL: uninstall left ootbatt in the registry"; exit 1; }
echo "ok   battd_stops_clean_after_install_and_uninstall"
