#!/usr/bin/env bash
# metrics_exposition_matches_drivers_and_passes_promtool: battd's metrics of
# the built-in laptop, the two-battery test machine and a machine whose
# names need escaping are read back against the drivers (metrics_dump
# --check) and pass `promtool check metrics` (Debian prometheus) with no
# complaint at all (promtool also prints lint problems, exit 0 or not).
set -euo pipefail
dump=$1 src=$2
d=$(mktemp -d)
trap "rm -rf $d" EXIT
command -v promtool >/dev/null || { echo "FAIL promtool missing (bootstrap installs prometheus)"; exit 1; }
cat >"$d/quoted.ini" <<'INI'
[machine]
name = lab "rack\7"
time = virtual

[battery.BAT0]
bus = acpi
chemistry = li-ion
design_capacity_mwh = 45000
full_charge_capacity_mwh = 44000
design_voltage_mv = 11400
cells = 3
initial_soc_percent = 80
manufacturer = Quote "Q" \ Co
model = Pack "A" \ 1
serial = Q1

[ac.ADP1]
bus = acpi
online = no
INI
check() { # NAME MACHINE-ARGS...: dump, read back, promtool; the batteries expected
  local name=$1 want=$2; shift 2
  "$dump" --check "$@" >"$d/$name.prom" 2>"$d/$name.err" || { echo "FAIL $name:"; cat "$d/$name.err"; exit 1; }
  if ! promtool check metrics <"$d/$name.prom" >"$d/$name.lint" 2>&1 || [ -s "$d/$name.lint" ]; then
    echo "FAIL promtool check metrics on $name:"; cat "$d/$name.lint"; exit 1
  fi
  local n
  n=$(grep -c '^battkit_battery_info{' "$d/$name.prom")
  [ "$n" = "$want" ] || { echo "FAIL $name: $n batteries in the exposition, expected $want"; exit 1; }
  echo "ok   $name: $want batteries, $(grep -vc '^#' "$d/$name.prom") samples, promtool clean"
  sed 's/^/     /' "$d/$name.err"
}
check default 1
check two-batteries 2 --machine "$src/tests/lib/two-batteries.ini"
check quoted 1 --machine "$d/quoted.ini"
# The machine format keeps backslashes and drops double quotes (a quote is
# escaped too: test_metrics_text); promtool and metrics_dump's own reader
# both took the text above.
grep -q 'device_name="Pack A \\\\ 1",manufacturer="Quote Q \\\\ Co",chemistry="LION",bus="acpi",machine="lab rack\\\\7"' "$d/quoted.prom" ||
  { echo "FAIL the names are not escaped:"; grep battery_info "$d/quoted.prom"; exit 1; }
echo "ok   label values escaped"
# docs/metrics.md lists every family battd exposes, and no family it does not.
cat "$d"/*.prom | sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' | sort -u >"$d/exposed"
sed -n 's/^| `\([a-z_]*\)` | \(gauge\|counter\) |.*/\1/p' "$src/docs/metrics.md" | sort -u >"$d/documented"
if ! diff "$d/exposed" "$d/documented" >"$d/doc.diff"; then
  echo "FAIL docs/metrics.md and the exposition differ (< exposed only, > documented only):"
  cat "$d/doc.diff"; exit 1
fi
echo "ok   docs/metrics.md lists all $(wc -l <"$d/exposed") families"
