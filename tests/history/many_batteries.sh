#!/usr/bin/env bash
# history_keeps_every_battery_of_a_100_battery_machine (issue 15): the
# history monitor tracked at most 64 batteries (a fixed array) and left the
# others out without a word. A 100-battery machine: every battery gets its
# row and samples.
set -euo pipefail
. "$(dirname "$0")/common.sh"
n=100
{
  printf '[machine]\nname = hundred\ntime = virtual\n\n[ac.ADP1]\nbus = acpi\nonline = yes\n\n'
  for i in $(seq 0 $((n - 1))); do
    printf '[battery.B%d]\nbus = acpi\nchemistry = li-ion\ndesign_capacity_mwh = 50000\n' "$i"
    printf 'design_voltage_mv = 11400\ncells = 3\nmodel = H%d\nserial = %d\n\n' "$i" "$i"
  done
} >"$d/hundred.ini"
start_battd --virtual=0 --machine "$d/hundred.ini" --history "$d/h.db"
ctl sim advance 2m
stop_battd
got=$(sqlite3 "$d/h.db" "SELECT count(*) FROM battery")
[ "$got" = $n ] || { echo "FAIL $got batteries in the history, expected $n"; exit 1; }
got=$(sqlite3 "$d/h.db" "SELECT count(DISTINCT battery) FROM sample")
[ "$got" = $n ] || { echo "FAIL samples of $got batteries, expected $n"; exit 1; }
echo "ok   history keeps all $n batteries"
