#!/usr/bin/env python3
"""Two runs of the same plan line agree: every summary field and every
series cell equal, numbers to 0.1 % or 2 units, whichever is more (the host's worker threads may read a
battery model at a different sub-step of the same virtual minute, which
moves its integration by a fraction of a mWh: docs/sim.md)."""
import csv, json, sys

a, b = sys.argv[1], sys.argv[2]

def close(x, y):
    try:
        fx, fy = float(x), float(y)
    except (TypeError, ValueError):
        return x == y
    return abs(fx - fy) <= max(2.0, 1e-3 * max(abs(fx), abs(fy)))

bad = []
sa, sb = json.load(open(f"{a}/summary.json")), json.load(open(f"{b}/summary.json"))
bad += [f"summary {k}: {sa[k]} vs {sb.get(k)}" for k in sa if not close(sa[k], sb.get(k))]
ra, rb = list(csv.reader(open(f"{a}/series.csv"))), list(csv.reader(open(f"{b}/series.csv")))
if len(ra) != len(rb):
    bad.append(f"series: {len(ra)} vs {len(rb)} lines")
for n, (x, y) in enumerate(zip(ra, rb)):
    if len(x) != len(y) or not all(close(p, q) for p, q in zip(x, y)):
        bad.append(f"series line {n + 1}: {x} vs {y}")
for line in bad[:10]:
    print("DIFF", line)
sys.exit(1 if bad else 0)
