#!/usr/bin/env bash
# battkit-sim refuses bad input with a clear message and the documented exit
# code: a bad manifest line is FILE:LINE (exit 2), an unknown parameter is
# named (exit 2), a bad machine file is FILE:LINE from the machine reader
# (exit 1), and a run that fails writes no summary.
set -uo pipefail
bin=$1 src=$(cd "$(dirname "$0")" && pwd)
sim=$bin/battkit-sim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expect NAME CODE PATTERN -- command...
  local name=$1 code=$2 pattern=$3; shift 4
  out=$("$@" 2>&1); rc=$?
  if [ $rc -ne "$code" ] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: exit $rc (want $code), output: $out"; fail=1
  else
    echo "ok   $name"
  fi
}
printf 'machine laptop %s\nscenario drain %s\nparam load_w 5 x\n' \
  "$src/../../data/machines/laptop.ini" "$src/../../data/scenarios/full-discharge.scn" >"$tmp/bad.manifest"
expect manifest_bad_value_names_file_and_line 2 "bad.manifest:3: parameter load_w: \"x\" is not a number" -- \
  "$sim" --plan "$tmp/bad.manifest" --results "$tmp/r"
printf 'machine laptop %s\nfrobnicate 1\n' "$src/../../data/machines/laptop.ini" >"$tmp/kw.manifest"
expect manifest_unknown_keyword_names_file_and_line 2 "kw.manifest:2: unknown keyword \"frobnicate\"" -- \
  "$sim" --plan "$tmp/kw.manifest" --results "$tmp/r"
printf 'machine laptop /nonexistent/laptop.ini\n' >"$tmp/missing.manifest"
expect manifest_missing_machine_file_is_named 2 "missing.manifest:1: /nonexistent/laptop.ini: No such file" -- \
  "$sim" --plan "$tmp/missing.manifest" --results "$tmp/r"
expect unknown_parameter_is_named 2 "unknown parameter \"voltage\"" -- \
  "$sim" run --machine "$src/../../data/machines/laptop.ini" --param voltage=3 --out "$tmp/r1"
printf '[machine]\nname = broken\n[battery.BAT0]\nbus = acpi\ndesign_capacity_mwh = lots\n' >"$tmp/broken.ini"
expect bad_machine_file_gives_file_and_line 1 "broken.ini:5:" -- \
  "$sim" run --machine "$tmp/broken.ini" --out "$tmp/r2"
[ ! -e "$tmp/r2/summary.json" ] || { echo "FAIL failed run wrote a summary"; fail=1; }
expect critical_above_low_refused 2 "--critical \(20\) above --low \(10\)" -- \
  "$sim" run --machine "$src/../../data/machines/laptop.ini" --critical 20 --out "$tmp/r3"
# A damaged summary stops --merge with the file and field named, and the
# merge writes no table.
"$sim" run --machine "$src/../../data/machines/laptop.ini" --out "$tmp/good" >/dev/null 2>&1
damage() { # damage NAME SED PATTERN
  mkdir -p "$tmp/$1" && sed "$2" "$tmp/good/summary.json" >"$tmp/$1/summary.json"
  expect "$1" 1 "$3" -- "$sim" --merge "$tmp/m_$1" "$tmp/good" "$tmp/$1"
  [ ! -e "$tmp/m_$1.csv" ] || { echo "FAIL $1: a damaged merge wrote $tmp/m_$1.csv"; fail=1; }
}
damage merge_refuses_a_quoted_count 's/"samples": \([0-9]*\)/"samples": "\1"/' \
  'summary.json: "samples": "[0-9]+" is not a count'
damage merge_refuses_a_number_with_junk 's/"duration_s": \([0-9.]*\)/"duration_s": \1.5/' \
  'summary.json: "duration_s": [0-9.]+ is not a number'
damage merge_refuses_a_negative_count 's/"samples": /"samples": -/' \
  'summary.json: "samples": -[0-9]+ is not a count'
damage merge_refuses_a_number_for_a_string 's/"id": "[^"]*"/"id": 5/' \
  'summary.json: "id": 5 is not a string'
exit $fail
