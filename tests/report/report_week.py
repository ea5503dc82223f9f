#!/usr/bin/env python3
"""report_of_a_week_matches_the_history_rows: the virtual week with a swap
of tests/history, reported by `battctl report`. The page must be
well-formed (a strict tag-balance check with html.parser, and XML), list
both packs with their figures, and hold drain, time on battery/AC, recent
changes, capacity points and life estimates equal to what independent SQL
over the same rows gives (and the drain and time on battery the script
drove); the charts have one bar per day and one point per week with a
capacity row. JSON has the same figures; --days limits the range; an
escaped name; bad files give an error naming the file and write nothing;
the database is not written."""
import hashlib, json, math, os, shutil, sqlite3, subprocess, sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "history"))
from scenario import DAY, H, T0, Week

bindir = sys.argv[1]
fails = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        fails.append(what)


week = Week(bindir)
if week.run() != 0:
    print(week.log()[-3000:])
    sys.exit("FAIL battd did not stop clean")
db, d = week.db, week.d


def report(*args, history=db):
    return subprocess.run([bindir + "/battctl", "report", "--history", history, *args],
                          env=week.env, capture_output=True, text=True)


# ---- the page: strict well-formedness first ----
class Strict(HTMLParser):
    """Every element closed in order; only the void elements we emit as
    <x/> may stand alone; no stray text outside the body."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes %s" % (tag, self.stack[-1:] or "nothing"))
        else:
            self.stack.pop()


digest = hashlib.sha256(open(db, "rb").read()).hexdigest()
out = d + "/report.html"
r = report("--days", "7", "--output", out)
check(r.returncode == 0 and not r.stderr, "battctl report --days 7 --output: %d %s" % (r.returncode, r.stderr))
page = open(out, encoding="utf-8").read()
p = Strict()
p.feed(page)
p.close()
check(not p.errors and not p.stack, "page is balanced: %s %s" % (p.errors[:3], p.stack))
check("<script" not in page.lower() and "http://" not in page.replace(
    "http://www.w3.org/", ""), "no script, no network reference")
root = ET.fromstring(page.split("\n", 1)[1])  # after <!DOCTYPE html>
NS = {"h": "http://www.w3.org/1999/xhtml", "s": "http://www.w3.org/2000/svg"}
check(hashlib.sha256(open(db, "rb").read()).hexdigest() == digest, "database file not written")


def table(tid):
    t = root.find(".//h:table[@id='%s']" % tid, NS)
    if t is None:
        return []
    rows = []
    for tr in t.findall("h:tr", NS)[1:]:
        rows.append(["".join(td.itertext()) for td in tr.findall("h:td", NS)])
    return rows


def num(s):
    return None if s == "-" else float(s)


# ---- independent figures from the rows ----
c = sqlite3.connect(db)
newest = c.execute("SELECT max(t) FROM (SELECT max(t_ms) t FROM sample UNION ALL SELECT max(t_ms) FROM capacity"
                   " UNION ALL SELECT max(t_ms) FROM event)").fetchone()[0]
end = -(-newest // DAY) * DAY  # the UTC midnight closing the newest row's day
start = end - 7 * DAY
bats = {serial: (bid, name) for bid, serial, name in c.execute("SELECT id, serial, device_name FROM battery")}
latest = {bid: c.execute("SELECT full_mwh, design_mwh, cycle_count FROM capacity WHERE battery = ?"
                         " ORDER BY t_ms DESC, id DESC LIMIT 1", (bid,)).fetchone() for bid, _ in bats.values()}

rows = table("battery-table")
got = {row[2]: row for row in rows}
check(sorted(got) == ["0001", "0002"], "both packs of the swap listed: %s" % sorted(got))
for serial, (bid, _) in bats.items():
    row = got.get(serial)
    if not row:
        continue
    full, design, cycles = latest[bid]
    check(num(row[5]) == design and num(row[6]) == full and num(row[7]) == cycles,
          "pack %s: design %s full %s cycles %s = newest capacity row %s" % (serial, row[5], row[6], row[7], latest[bid]))
first1 = c.execute("SELECT full_mwh, cycle_count FROM capacity WHERE battery = ? ORDER BY t_ms, id LIMIT 1",
                   (bats["0002"][0],)).fetchone()
check(first1 == (51300, 300) and latest[bats["0002"][0]][0] <= 51300 and latest[bats["0002"][0]][2] >= 300,
      "BAT1 came in with the machine's 51300 mWh / 300 cycles and the report shows it aged since: %s" % (latest[bats["0002"][0]],))

# Drain per day: consecutive samples of one battery, both in range, the first discharging.
pairs = c.execute("""
    SELECT battery, t_ms, t_ms - prev_t, prev_cap - capacity_mwh, prev_state FROM (
      SELECT battery, t_ms, capacity_mwh,
             lag(t_ms) OVER w AS prev_t, lag(capacity_mwh) OVER w AS prev_cap,
             lag(power_state) OVER w AS prev_state
      FROM sample WHERE t_ms BETWEEN ? AND ? WINDOW w AS (PARTITION BY battery ORDER BY t_ms, id))
    WHERE prev_t IS NOT NULL AND prev_state & 2""", (start, newest)).fetchall()
drain_day = [0] * 7
drain_b, ms_b = {}, {}
for bid, t, dt, drop, _ in pairs:
    if drop is not None and drop > 0:
        drain_day[min((t - start) // DAY, 6)] += drop
        drain_b[bid] = drain_b.get(bid, 0) + drop
    ms_b[bid] = ms_b.get(bid, 0) + dt
days = table("day-table")
check([num(r[1]) for r in days] == drain_day, "drain per day = SQL: %s vs %s" % ([r[1] for r in days], drain_day))
# Each day AC was off 3 h at 8 W: 24 Wh by the model, as tests/history checks per day.
check(all(20000 <= x <= 26000 for x in drain_day), "each day's drain is the scripted 3 h at 8 W: %s" % drain_day)

# Time on battery per day from the ac events (0 off, 1 on), the state before the range carried in.
ev = c.execute("SELECT t_ms, value FROM event WHERE name = 'ac' ORDER BY t_ms, id").fetchall()
on_batt, on_ac = [0] * 7, [0] * 7
state = None
for i, (t, v) in enumerate(ev):
    t_next = ev[i + 1][0] if i + 1 < len(ev) else newest
    a, b = max(t, start), min(t_next, newest)
    while a < b and v in (0, 1):
        k = min((a - start) // DAY, 6)
        e = b if k == 6 else min(b, start + (k + 1) * DAY)
        (on_batt if v == 0 else on_ac)[k] += e - a
        a = e
check([round(num(r[2]), 2) for r in days] == [round(x / 3.6e6, 2) for x in on_batt],
      "hours on battery per day = the ac events: %s" % [r[2] for r in days])
check([round(num(r[3]), 2) for r in days] == [round(x / 3.6e6, 2) for x in on_ac],
      "hours on AC per day = the ac events: %s" % [r[3] for r in days])
check(all(abs(x - 3 * H) <= 2000 for x in on_batt), "3 scripted hours on battery each day: %s" % on_batt)

# Recent usage: samples of the last 3 days whose state differs from the battery's previous one in range.
recent = c.execute("""
    SELECT t_ms, battery, power_state FROM (
      SELECT t_ms, battery, power_state, id, lag(power_state) OVER
        (PARTITION BY battery ORDER BY t_ms, id) AS prev FROM sample WHERE t_ms BETWEEN ? AND ?)
    WHERE t_ms >= ? AND (prev IS NULL OR prev != power_state) ORDER BY t_ms, battery""",
                   (start, newest, end - 3 * DAY)).fetchall()
rec = table("recent-table")
check(len(rec) == len(recent) and len(recent) >= 6,
      "recent usage: %d power-state changes, SQL %d" % (len(rec), len(recent)))

# Capacity history: per battery and week, the week's last row.
weeks = 1  # ceil(7 / 7)
weeks_start = end - weeks * 7 * DAY
cap_points = len({(bid, min((t - weeks_start) // (7 * DAY), weeks - 1)) for bid, t in
                  c.execute("SELECT battery, t_ms FROM capacity WHERE t_ms BETWEEN ? AND ?", (start, newest))})
check(len(table("capacity-table")) == cap_points == 2, "one capacity point per pack and week: %d" % cap_points)

# Life estimates from the observed drain.
# Rows in the battery table's order (both packs have the same model name).
life = dict(zip([row[2] for row in rows], table("life-table")))
for serial, (bid, name) in bats.items():
    row = life.get(serial)
    if not row or bid not in ms_b:
        check(False, "life estimate row for %s" % serial)
        continue
    avg = drain_b[bid] * 3.6e6 / ms_b[bid]
    full, design, _ = latest[bid]
    check(abs(num(row[2]) - avg) <= 0.5 and abs(num(row[3]) - full / avg) <= 0.006
          and abs(num(row[4]) - design / avg) <= 0.006,
          "pack %s: average drain %s mW (SQL %.1f), %s h at full, %s h at design" % (serial, row[2], avg, row[3], row[4]))
    check(6800 <= avg <= 9200, "pack %s average drain near the 8 W load: %.0f mW" % (serial, avg))

# ---- the charts ----
svgs = root.findall(".//s:svg", NS)
check(len(svgs) == 3, "three charts: %d" % len(svgs))
if len(svgs) == 3:
    drain_svg, usage_svg, cap_svg = svgs
    bars = drain_svg.findall("s:rect[@class='bar']", NS)
    check(len(bars) == 7, "drain chart: one bar per day: %d" % len(bars))
    heights = [float(b.get("height")) for b in bars]
    top = max(drain_day)
    check(all(abs(h / max(heights) - x / top) < 0.01 for h, x in zip(heights, drain_day)),
          "bar heights proportional to the drain")
    check(len(usage_svg.findall("s:rect[@class='bar']", NS)) == 14, "usage chart: two bars per day")
    pts = cap_svg.findall("s:circle[@class='point']", NS)
    lines = cap_svg.findall("s:polyline[@class='line']", NS)
    check(len(pts) == 2 * cap_points and len(lines) == 4,
          "capacity chart: full + design point per pack-week (%d) and two lines per pack (%d)" % (len(pts), len(lines)))

# ---- JSON: the same figures ----
r = report("--days", "7", "--json")
try:
    j = json.loads(r.stdout)
except ValueError as e:
    j = {}
    check(False, "JSON parses: %s" % e)
check(r.returncode == 0 and j.get("generated_ms") == newest, "JSON generated_ms is the newest row")
check([x["drain_mwh"] for x in j.get("per_day", [])] == drain_day, "JSON drain per day = SQL")
check([x["battery_ms"] for x in j.get("per_day", [])] == on_batt, "JSON ms on battery per day = events")
jb = {b["serial"]: b for b in j.get("batteries", [])}
check(all(jb.get(s, {}).get("full_mwh") == latest[bid][0] and jb[s]["cycle_count"] == latest[bid][2]
          and jb[s]["drain_mwh"] == drain_b[bid] and jb[s]["discharge_ms"] == ms_b[bid]
          for s, (bid, _) in bats.items()), "JSON batteries: capacity, cycles, drain = SQL")
check([(x["t_ms"], j["batteries"][x["battery"]]["id"], x["power_state"]) for x in j.get("recent", [])]
      == [tuple(x) for x in recent], "JSON recent changes = SQL")
check(len(j.get("capacity", [])) == cap_points, "JSON capacity points")

# ---- --days limits the range ----
j2 = json.loads(report("--days", "2", "--json").stdout or "{}")
check(len(j2.get("per_day", [])) == 2 and j2.get("start_ms") == end - 2 * DAY, "--days 2: two days")
check([b["serial"] for b in j2.get("batteries", [])] == ["0002"],
      "--days 2: only the pack in since the swap: %s" % [b["serial"] for b in j2.get("batteries", [])])
check(all(x["t_ms"] >= end - 2 * DAY for x in j2.get("recent", [])), "--days 2: no older change")
check([x["start_ms"] for x in j.get("per_day", [])] == [T0 + k * DAY for k in range(7)],
      "days are the UTC calendar days of the week")

# ---- an awkward name is text, not markup ----
odd = d + "/odd.db"
shutil.copy(db, odd)
nasty = 'B<i>AT</i> & "1\'</td>'
c2 = sqlite3.connect(odd)
c2.execute("UPDATE battery SET device_name = ? WHERE serial = '0002'", (nasty,))
c2.commit()
c2.close()
r = report("--days", "7", history=odd)
ok = r.returncode == 0
if ok:
    p = Strict()
    p.feed(r.stdout)
    try:
        root2 = ET.fromstring(r.stdout.split("\n", 1)[1])
    except ET.ParseError as e:
        print("info", e)
        root2 = ET.fromstring("<html/>")
    table2 = root2.find(".//h:table[@id='battery-table']", NS)
    names = ["".join(tr.findall("h:td", NS)[0].itertext()) for tr in table2.findall("h:tr", NS)[1:]] \
        if table2 is not None else []
    ok = not p.errors and not p.stack and nasty in names and root2.find(".//h:i", NS) is None
check(ok, "a name with <&\"'> stays text in a well-formed page")

# ---- bad files: a clear error naming the file, nothing written ----
junk = d + "/junk.db"
open(junk, "wb").write(os.urandom(4096))
foreign = d + "/foreign.db"
f = sqlite3.connect(foreign)
f.execute("CREATE TABLE t(x)")
f.commit()
f.close()
newer = d + "/newer.db"
shutil.copy(db, newer)
n = sqlite3.connect(newer)
n.execute("PRAGMA user_version = 9")
n.commit()
n.close()
for path, reason in ((d + "/missing.db", "No such file"), (junk, "not a readable SQLite database"),
                     (foreign, "not a battkit history database"), (newer, "schema version 9")):
    target = d + "/bad.html"
    r = report("--output", target, history=path)
    check(r.returncode == 1 and path in r.stderr and reason in r.stderr and not os.path.exists(target)
          and not r.stdout and not [x for x in os.listdir(d) if x.startswith("bad.html")],
          "%s: exit %d, '%s', nothing written" % (os.path.basename(path), r.returncode, r.stderr.strip()))

if fails:
    print(week.log()[-2000:])
    sys.exit(1)
