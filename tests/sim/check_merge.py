#!/usr/bin/env python3
"""Checks a merged battkit-sim plan (tests/sim/plan_200.sh): the table has
every run once, each row equals that run's own summary.json, the physics is
sane (time to empty falls as the load rises), and the HTML page holds the
table and a dot per run that emptied."""
import csv, json, os, sys
from html.parser import HTMLParser

merged, results, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)

rows = list(csv.DictReader(open(merged + ".csv")))
check(len(rows) == expected, f"{len(rows)} rows in the table, expected {expected}")
ids = [r["id"] for r in rows]
check(len(set(ids)) == len(ids), "duplicate ids in the table")
check(ids == sorted(ids), "rows not in id order")

def fmt(v):
    return f"{v:.3f}" if isinstance(v, float) else str(v)

for r in rows:
    s = json.load(open(os.path.join(results, r["id"], "summary.json")))
    for k, v in s.items():
        check(fmt(v) == r[k], f"{r['id']}: {k} table {r[k]!r} summary {fmt(v)!r}")
    series = os.path.join(results, r["id"], "series.csv")
    lines = sum(1 for _ in open(series))
    check(lines == int(r["samples"]) + 1, f"{r['id']}: {lines} series lines for {r['samples']} samples")

# Physics: on the one-battery laptop draining from a given charge, a higher
# load empties the battery sooner, and the time is close to energy / load.
drain = {}
for r in rows:
    if r["id"].startswith("laptop.drain."):
        p = dict(kv.split("=") for kv in r["params"].split(";"))
        drain[(float(p["soc"]), float(p["load_w"]))] = float(r["time_to_empty_s"])
check(len(drain) == 25, f"{len(drain)} laptop drain runs")
for soc in {k[0] for k in drain}:
    loads = sorted(l for s, l in drain if s == soc)
    times = [drain[(soc, l)] for l in loads]
    emptied = [t for t in times if t >= 0]
    check(all(a > b for a, b in zip(emptied, emptied[1:])), f"soc {soc}: time to empty not falling with load: {times}")
# From a full charge the pack holds exactly its design energy (docs/model.md),
# so there the time is close to energy / load; below full the OCV curve
# makes it less, so only the order is checked: less charge, sooner empty.
for l in {k[1] for k in drain}:
    t = drain[(100.0, l)]
    ideal = 57.0 / l * 3600
    if ideal < 5 * 3600 - 600:  # the scenario ends at 5 h
        check(t > 0 and abs(t - ideal) / ideal < 0.03, f"full, load {l}: empty at {t} s, energy/load says {ideal:.0f} s")
    socs = sorted(s for s, ll in drain if ll == l)
    times = [drain[(s, l)] for s in socs if drain[(s, l)] >= 0]
    check(all(a < b for a, b in zip(times, times[1:])), f"load {l}: time to empty not rising with charge: {times}")

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tr = self.dots = self.svgs = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tr += tag == "tr"
        self.svgs += tag == "svg"
        self.dots += tag == "circle" and a.get("class") == "run"

page = Page()
page.feed(open(merged + ".html").read())
emptied = sum(1 for r in rows if float(r["time_to_empty_s"]) >= 0)
with_estimate = sum(1 for r in rows if float(r["estimate_error_mean_pct"]) >= 0)
check(page.tr == expected + 1, f"{page.tr} table rows in the page")
check(page.svgs == 2, f"{page.svgs} charts in the page")
check(page.dots == emptied + with_estimate, f"{page.dots} dots, expected {emptied + with_estimate}")
check(emptied > 0, "no run emptied its battery")

for f in failures[:40]:
    print("FAIL", f)
print(f"check_merge: {len(rows)} rows, {emptied} emptied, {len(failures)} failures")
sys.exit(1 if failures else 0)
