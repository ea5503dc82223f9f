#!/usr/bin/env bash
# make run: starts battd on the default machine (the built-in laptop) on a
# private socket, waits (bounded) until it answers, shows the battery's
# information and status through battctl, then stops battd with SIGTERM
# and checks that it shut down clean (exit status 0: pool empty).
set -uo pipefail
build=${1:-build}
bin="$build/bin"
for p in battd battctl; do
  if [ ! -x "$bin/$p" ]; then
    echo "run: $bin/$p is missing (build first: make)" >&2
    exit 1
  fi
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/battkit-run.XXXXXX")
sock="$dir/battd.sock"
log="$dir/battd.log"
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

# With the dashboard on a free loopback port (docs/dashboard.md).
"$bin/battd" -f --socket "$sock" --log-level warn --http 127.0.0.1:0 \
    --http-port-file "$dir/http.port" 2>"$log" &
pid=$!

# Ready = battctl gets an answer (exit 5 means nothing listens yet). At most
# 10 s, checking that battd is still alive each time.
ready=0
for _ in $(seq 1 200); do
  "$bin/battctl" --socket "$sock" list >/dev/null 2>&1
  rc=$?
  if [ $rc -ne 5 ]; then ready=1; break; fi
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.05
done
if [ $ready -ne 1 ]; then
  echo "run: battd did not come up; its log:" >&2
  cat "$log" >&2
  exit 1
fi

status=0
echo "== battctl info"
"$bin/battctl" --socket "$sock" info || status=1
echo
echo "== battctl status"
"$bin/battctl" --socket "$sock" status || status=1
echo
echo "== dashboard (battd --http)"
python3 - "$(cat "$dir/http.port" 2>/dev/null)" <<'PY' || status=1
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
page = urllib.request.urlopen(base + "/", timeout=10)
system = json.load(urllib.request.urlopen(base + "/api/system", timeout=10))
print(f"GET {base}/: {page.status}; /api/system: {system['batteries']} battery, AC {system['ac']},"
      f" {system['battery_life_percent']} %")
print("(to keep one open: battd -f --http 127.0.0.1:8080, then browse http://127.0.0.1:8080/)")
PY

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
if [ $rc -ne 0 ]; then
  echo "run: battd did not stop clean (exit status $rc); its log:" >&2
  cat "$log" >&2
  exit 1
fi
echo
echo "battd stopped clean (drivers unloaded, pool empty)"
exit $status
