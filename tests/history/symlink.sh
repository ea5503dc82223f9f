#!/usr/bin/env bash
# history_symlinked_file_or_open_folder_is_refused: a history file (or its
# -wal sidecar) that is a symlink another user planted, and a history folder
# others can write, are refused with a clear message; the link's target is
# untouched and battd keeps serving without history.
set -euo pipefail
. "$(dirname "$0")/common.sh"
printf 'precious\n' >"$d/victim"
check_victim() { [ "$(cat "$d/victim")" = precious ] || { echo "FAIL $1: the link's target was written"; exit 1; }; }

ln -s "$d/victim" "$d/linked.db"
start_battd --virtual=0 --history "$d/linked.db"
ctl status
stop_battd
grep -q "history $d/linked.db: $d/linked.db is a symbolic link, not a regular file (refused); battd goes on without history" "$d/log" \
  || { echo "FAIL no clear message for a symlinked file"; cat "$d/log"; exit 1; }
check_victim "file"
echo "ok   symlinked history file refused, battd served"

ln -s "$d/victim" "$d/side.db-wal"
start_battd --virtual=0 --history "$d/side.db"
ctl status
stop_battd
grep -q "history $d/side.db: $d/side.db-wal is a symbolic link" "$d/log" \
  || { echo "FAIL no clear message for a symlinked -wal"; cat "$d/log"; exit 1; }
check_victim "-wal"
[ ! -e "$d/side.db" ] || { echo "FAIL side.db created"; exit 1; }
echo "ok   symlinked -wal refused"

mkdir -m 0777 "$d/open"
chmod 0777 "$d/open"
start_battd --virtual=0 --history "$d/open/h.db"
ctl status
stop_battd
grep -q "history $d/open/h.db: folder $d/open is writable by others (mode 0777; refused)" "$d/log" \
  || { echo "FAIL no clear message for an open folder"; cat "$d/log"; exit 1; }
[ ! -e "$d/open/h.db" ] || { echo "FAIL h.db created in an open folder"; exit 1; }
echo "ok   folder writable by others refused"
