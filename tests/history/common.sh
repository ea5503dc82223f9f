# Shared by the history tests: start battd on a temp state folder and wait
# for its socket (bounded), stop it, run battctl.
bin=$1
d=$(mktemp -d)
export BATTKIT_STATE_DIR=$d BATTKIT_SOCKET=$d/s.sock
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$d"; }
trap cleanup EXIT
start_battd() { # ARGS...: starts battd -f with ARGS, waits up to 10 s for the socket
  rm -f "$d/s.sock"
  "$bin/battd" -f --socket "$d/s.sock" "$@" >>"$d/log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do [ -S "$d/s.sock" ] && return 0; kill -0 $pid 2>/dev/null || break; sleep 0.05; done
  echo "FAIL battd did not start"; cat "$d/log"; exit 1
}
stop_battd() { kill -TERM $pid; wait $pid; local rc=$?; pid=; [ $rc = 0 ] || { echo "FAIL battd exit $rc"; cat "$d/log"; exit 1; }; }
ctl() { "$bin/battctl" "$@" >/dev/null || { echo "FAIL battctl $*"; exit 1; }; }
