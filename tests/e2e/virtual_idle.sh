#!/usr/bin/env bash
# battd --virtual=1 with nothing to do sleeps until the next timer or
# request instead of ticking every 10 ms (issue 15): over one second of real
# time its threads wake fewer than 20 times (the old tick: about 100), and a
# request still sees the clock brought up to date.
# The one-second window measures idleness; nothing here waits for an event.
set -euo pipefail
bin=$1
d=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$d"' EXIT
BATTKIT_STATE_DIR=$d "$bin/battd" -f --virtual=1 --socket "$d/s.sock" >"$d/log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$d/s.sock" ] && break; sleep 0.05; done
[ -S "$d/s.sock" ] || { echo "battd did not start"; cat "$d/log"; exit 1; }
BATTKIT_SOCKET=$d/s.sock "$bin/battctl" status >/dev/null
switches() { cat /proc/$pid/task/*/status | awk '/ctxt_switches/ {s += $2} END {print s}'; }
sleep 0.5 # let start-up work finish
a=$(switches)
sleep 1
b=$(switches)
echo "virtual_idle: $((b - a)) wake-ups in 1 s"
[ $((b - a)) -lt 20 ] || { echo "FAIL battd wakes $((b - a)) times a second with nothing to do"; exit 1; }
BATTKIT_SOCKET=$d/s.sock "$bin/battctl" status >/dev/null || { echo "FAIL status after idling"; exit 1; }
