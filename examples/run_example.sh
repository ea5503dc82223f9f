#!/usr/bin/env bash
# CI for examples/: starts battd on a private socket, runs an example
# program against it (found through $BATTKIT_SOCKET, as any unchanged
# Windows program would find the default), checks its output, stops battd
# and checks a clean shutdown. Usage: run_example.sh BATTD EXAMPLE
set -uo pipefail
battd=$1 example=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/battkit-example.XXXXXX")
sock="$dir/battd.sock"
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
"$battd" -f --socket "$sock" --log-level warn 2>"$dir/battd.log" &
pid=$!
for _ in $(seq 1 200); do
  [ -S "$sock" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if [ ! -S "$sock" ]; then echo "battd did not start:"; cat "$dir/battd.log"; exit 1; fi
out=$(BATTKIT_SOCKET="$sock" "$example")
rc=$?
echo "$out"
fail=0
[ $rc -eq 0 ] || { echo "example exited $rc"; fail=1; }
for want in "battery 0: tag" "Name:          BK57L3" "Manufacturer:  battkit" "Chemistry:     LION" \
            "57000 mWh design" "system battery" "Power state:" "system: AC line online"; do
  grep -qF "$want" <<<"$out" || { echo "missing: $want"; fail=1; }
done
kill -TERM "$pid"; wait "$pid"; brc=$?; pid=
[ $brc -eq 0 ] || { echo "battd exited $brc:"; cat "$dir/battd.log"; fail=1; }
exit $fail
