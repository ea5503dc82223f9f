#!/usr/bin/env python3
"""prometheus_scrapes_battd_and_sees_capacity_change (issue 17).

battd --virtual=0 (nothing moves unless told) with --http on a free
loopback port; a real Prometheus server (Debian prometheus) started here
with a config of our own scraping battd's /metrics every second, its data
in a temp folder, its web port free and chosen now. Through Prometheus'
HTTP API (/api/v1/query) the battery's remaining capacity must be what
battctl says; after `battctl sim ac off` and `sim advance 30m` Prometheus
must show the new capacity (battctl's), the system on battery and the
rate negative. `promtool check metrics` must pass on the live exposition
with no lint at all. Waits are polls with deadlines; every process is
killed at the end, pass or fail.
Usage: prometheus_scrape.py BIN_DIR"""
import json
import os
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from battkit_proc import Run, free_port  # noqa: E402

R = Run("battkit-prom.", sys.argv[1], deadline_s=60, poll_s=0.05)


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.headers.get("Content-Type"), r.read().decode()


def alive(p, name):
    if p.poll() is not None:
        raise SystemExit(f"FAIL {name} exited ({p.returncode})")
    return True


def main():
    for tool in ("prometheus", "promtool"):
        if not shutil.which(tool):
            raise SystemExit(f"FAIL {tool} missing (scripts/bootstrap.sh installs prometheus)")
    battd = R.battd()
    battctl = battd.ctl
    target = f"127.0.0.1:{battd.port}"

    status = json.loads(battctl("--json", "status"))
    before_mwh = status["batteries"][0]["capacity_mwh"]

    # the live exposition: promtool, content type
    code, ctype, text = get(f"http://{target}/metrics")
    if code != 200 or not ctype.startswith("text/plain; version=0.0.4"):
        R.fail(f"/metrics answered {code} {ctype}")
    lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                          text=True, timeout=30)
    if lint.returncode != 0 or lint.stdout.strip() or lint.stderr.strip():
        R.fail(f"promtool check metrics: {lint.stdout}{lint.stderr}")
    else:
        R.ok(f"promtool check metrics passes on battd's /metrics ({len(text)} bytes)")

    prom_port = free_port()
    cfg = R.path("prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: battd\n    static_configs:\n"
                f"      - targets: ['{target}']\n")
    prom = R.start(["prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={R.path('data')}",
                    f"--web.listen-address=127.0.0.1:{prom_port}"], log="prometheus.log")
    api = f"http://127.0.0.1:{prom_port}/api/v1/query?query="

    def query(expr):
        alive(prom, "prometheus")
        try:
            code, _, body = get(api + urllib.parse.quote(expr))
        except OSError:
            return None  # not listening yet
        data = json.loads(body)
        if data.get("status") != "success":
            raise SystemExit(f"FAIL query {expr}: {body}")
        return data["data"]["result"]

    def value_of(expr):
        r = query(expr)
        return (float(r[0]["value"][1]), r[0]["metric"]) if r and len(r) == 1 else None

    up = R.wait_for("Prometheus to scrape battd (up == 1)",
                    lambda: (value_of('up{job="battd"}') or (0,))[0] == 1)
    R.ok(f"Prometheus on 127.0.0.1:{prom_port} scrapes battd on {target}")

    expr = "battkit_battery_remaining_capacity_wh"
    v, labels = R.wait_for("the remaining capacity in Prometheus", lambda: value_of(expr))
    if abs(v * 1000 - before_mwh) > 0.5:
        R.fail(f"{expr} = {v} Wh in Prometheus, battctl says {before_mwh} mWh")
    else:
        R.ok(f"{expr} = {v} Wh = battctl's {before_mwh} mWh")
    want = {"unique_id": "battkitBK57L30001", "device_name": "BK57L3", "manufacturer": "battkit",
            "chemistry": "LION", "bus": "acpi", "machine": "laptop", "job": "battd"}
    wrong = {k: labels.get(k) for k in want if labels.get(k) != want[k]}
    if wrong:
        R.fail(f"labels {wrong}, expected {want}")
    else:
        R.ok("labels unique_id, device_name, manufacturer, chemistry, bus, machine")

    # a scenario step on virtual time: unplug, half an hour
    battctl("sim", "ac", "off")
    battctl("sim", "advance", "30m")
    after_mwh = json.loads(battctl("--json", "status"))["batteries"][0]["capacity_mwh"]
    if after_mwh >= before_mwh:
        R.fail(f"the model did not discharge: {before_mwh} -> {after_mwh} mWh")
    v2, _ = R.wait_for(f"{expr} to become {after_mwh / 1000} Wh in Prometheus",
                       lambda: (lambda r: r if r and abs(r[0] * 1000 - after_mwh) <= 0.5 else None)(
                           value_of(expr)))
    R.ok(f"after sim ac off + advance 30m Prometheus shows {v2} Wh (was {v})")
    ac = R.wait_for("battkit_system_ac_online 0",
                    lambda: (lambda r: r if r and r[0] == 0 else None)(
                        value_of("battkit_system_ac_online")))
    rate = value_of("battkit_battery_rate_watts")
    if not rate or rate[0] >= 0:
        R.fail(f"battkit_battery_rate_watts {rate}: expected negative on battery")
    else:
        R.ok(f"system on battery in Prometheus, rate {rate[0]} W")
    ioctls = value_of('sum(battkit_ioctls_total{code="IOCTL_BATTERY_QUERY_STATUS"})')
    if not ioctls or ioctls[0] < 2:
        R.fail(f"battkit_ioctls_total of QUERY_STATUS: {ioctls}")
    else:
        R.ok(f"battkit_ioctls_total counts battctl's QUERY_STATUS ({ioctls[0]:.0f})")

    rc = battd.stop()
    if rc != 0:
        R.fail(f"battd exit {rc} on SIGTERM")


R.main(main)
