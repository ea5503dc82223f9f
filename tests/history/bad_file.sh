#!/usr/bin/env bash
# history_bad_file_is_refused_and_battd_serves_without: a file that is not
# a database, and a SQLite database of another program, are each refused
# with a clear message; battd keeps serving (battctl status works) and the
# file is left as it was. A version-1 file is migrated to version 2 with
# its rows kept.
set -euo pipefail
. "$(dirname "$0")/common.sh"
head -c 8192 /dev/urandom >"$d/garbage.db"
sum=$(sha256sum <"$d/garbage.db")
start_battd --virtual=0 --history "$d/garbage.db"
ctl status
stop_battd
grep -q "history $d/garbage.db: not a usable SQLite database: file is not a database; battd goes on without history" "$d/log" \
  || { echo "FAIL no clear message for a corrupt file"; cat "$d/log"; exit 1; }
[ "$(sha256sum <"$d/garbage.db")" = "$sum" ] || { echo "FAIL the corrupt file was changed"; exit 1; }
echo "ok   corrupt file refused, battd served"

sqlite3 "$d/foreign.db" "CREATE TABLE songs(title TEXT); INSERT INTO songs VALUES('x');"
start_battd --virtual=0 --history "$d/foreign.db"
ctl status
stop_battd
grep -q "history $d/foreign.db: not a battkit history database" "$d/log" \
  || { echo "FAIL no clear message for a foreign database"; cat "$d/log"; exit 1; }
[ "$(sqlite3 "$d/foreign.db" "SELECT count(*) FROM sqlite_master")" = 1 ] || { echo "FAIL foreign file changed"; exit 1; }
echo "ok   foreign database refused, battd served"

# A version-1 file (the first shipped schema) with one battery and sample.
sqlite3 "$d/v1.db" >/dev/null <<'SQL'
PRAGMA journal_mode = WAL;
CREATE TABLE battery(id INTEGER PRIMARY KEY, unique_id TEXT NOT NULL UNIQUE, device_name TEXT, manufacturer TEXT, serial TEXT, chemistry TEXT, design_mwh INTEGER, first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL);
CREATE TABLE sample(id INTEGER PRIMARY KEY, battery INTEGER NOT NULL REFERENCES battery(id), t_ms INTEGER NOT NULL, power_state INTEGER NOT NULL, capacity_mwh INTEGER, voltage_mv INTEGER, rate_mw INTEGER);
CREATE INDEX sample_by_time ON sample(battery, t_ms);
CREATE TABLE capacity(id INTEGER PRIMARY KEY, battery INTEGER NOT NULL REFERENCES battery(id), t_ms INTEGER NOT NULL, full_mwh INTEGER, design_mwh INTEGER, cycle_count INTEGER);
CREATE INDEX capacity_by_time ON capacity(battery, t_ms);
CREATE TABLE event(id INTEGER PRIMARY KEY, t_ms INTEGER NOT NULL, name TEXT NOT NULL, battery INTEGER REFERENCES battery(id), value INTEGER, detail TEXT);
CREATE INDEX event_by_time ON event(t_ms);
INSERT INTO battery VALUES(1, 'old-pack', 'OLD', 'x', '9', 'LION', 50000, 1000, 1000);
INSERT INTO sample VALUES(1, 1, 1000, 2, 40000, 11000, -5000);
PRAGMA application_id = 1112820552;
PRAGMA user_version = 1;
SQL
start_battd --virtual=0 --history "$d/v1.db" --history-retention-days 0
ctl status
stop_battd
[ "$(sqlite3 "$d/v1.db" "PRAGMA user_version")" = 2 ] || { echo "FAIL not migrated to 2"; exit 1; }
[ "$(sqlite3 "$d/v1.db" "SELECT capacity_mwh FROM sample WHERE id = 1")" = 40000 ] || { echo "FAIL v1 row lost"; exit 1; }
sqlite3 "$d/v1.db" "SELECT name FROM pragma_table_info('sample')" | grep -qx temperature_dk \
  || { echo "FAIL no version-2 column"; exit 1; }
[ "$(sqlite3 "$d/v1.db" "SELECT count(*) FROM sample")" -gt 1 ] || { echo "FAIL nothing written after the migration"; exit 1; }
echo "ok   version-1 file migrated, its rows kept"
