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
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

BIN = sys.argv[1]
DEADLINE_S = 60
failures = 0
procs = []
work = tempfile.mkdtemp(prefix="battkit-prom.")


def fail(msg):
    global failures
    failures += 1
    print("FAIL " + msg, flush=True)


def ok(msg):
    print("ok   " + msg, flush=True)


def wait_for(what, pred, timeout=DEADLINE_S):
    end = time.monotonic() + timeout
    while True:
        r = pred()
        if r:
            return r
        if time.monotonic() > end:
            raise SystemExit(f"FAIL timed out ({timeout} s) waiting for {what}")
        time.sleep(0.05)  # a poll with a deadline


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.headers.get("Content-Type"), r.read().decode()


def battctl(*args):
    env = dict(os.environ, BATTKIT_SOCKET=os.path.join(work, "battd.sock"))
    r = subprocess.run([os.path.join(BIN, "battctl"), *args], env=env, capture_output=True,
                       text=True, timeout=30)
    if r.returncode != 0:
        raise SystemExit(f"FAIL battctl {' '.join(args)}: {r.stderr}")
    return r.stdout


def start(argv, log):
    p = subprocess.Popen(argv, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    procs.append(p)
    return p


def alive(p, name):
    if p.poll() is not None:
        raise SystemExit(f"FAIL {name} exited ({p.returncode})")
    return True


def main():
    for tool in ("prometheus", "promtool"):
        if not shutil.which(tool):
            raise SystemExit(f"FAIL {tool} missing (scripts/bootstrap.sh installs prometheus)")
    sock = os.path.join(work, "battd.sock")
    port_file = os.path.join(work, "http.port")
    battd = start([os.path.join(BIN, "battd"), "-f", "--virtual=0", "--no-history", "--socket",
                   sock, "--http", "127.0.0.1:0", "--http-port-file", port_file],
                  os.path.join(work, "battd.log"))
    wait_for("battd's socket and port file",
             lambda: alive(battd, "battd") and os.path.exists(sock) and os.path.exists(port_file)
             and open(port_file).read().strip())
    port = int(open(port_file).read().strip())
    target = f"127.0.0.1:{port}"

    status = json.loads(battctl("--json", "status"))
    before_mwh = status["batteries"][0]["capacity_mwh"]

    # the live exposition: promtool, content type
    code, ctype, text = get(f"http://{target}/metrics")
    if code != 200 or not ctype.startswith("text/plain; version=0.0.4"):
        fail(f"/metrics answered {code} {ctype}")
    lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                          text=True, timeout=30)
    if lint.returncode != 0 or lint.stdout.strip() or lint.stderr.strip():
        fail(f"promtool check metrics: {lint.stdout}{lint.stderr}")
    else:
        ok(f"promtool check metrics passes on battd's /metrics ({len(text)} bytes)")

    prom_port = free_port()
    cfg = os.path.join(work, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: battd\n    static_configs:\n"
                f"      - targets: ['{target}']\n")
    prom = start(["prometheus", f"--config.file={cfg}",
                  f"--storage.tsdb.path={os.path.join(work, 'data')}",
                  f"--web.listen-address=127.0.0.1:{prom_port}"],
                 os.path.join(work, "prometheus.log"))
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

    up = wait_for("Prometheus to scrape battd (up == 1)",
                  lambda: (value_of('up{job="battd"}') or (0,))[0] == 1)
    ok(f"Prometheus on 127.0.0.1:{prom_port} scrapes battd on {target}")

    expr = "battkit_battery_remaining_capacity_wh"
    v, labels = wait_for("the remaining capacity in Prometheus", lambda: value_of(expr))
    if abs(v * 1000 - before_mwh) > 0.5:
        fail(f"{expr} = {v} Wh in Prometheus, battctl says {before_mwh} mWh")
    else:
        ok(f"{expr} = {v} Wh = battctl's {before_mwh} mWh")
    want = {"unique_id": "battkitBK57L30001", "device_name": "BK57L3", "manufacturer": "battkit",
            "chemistry": "LION", "bus": "acpi", "machine": "laptop", "job": "battd"}
    wrong = {k: labels.get(k) for k in want if labels.get(k) != want[k]}
    if wrong:
        fail(f"labels {wrong}, expected {want}")
    else:
        ok("labels unique_id, device_name, manufacturer, chemistry, bus, machine")

    # a scenario step on virtual time: unplug, half an hour
    battctl("sim", "ac", "off")
    battctl("sim", "advance", "30m")
    after_mwh = json.loads(battctl("--json", "status"))["batteries"][0]["capacity_mwh"]
    if after_mwh >= before_mwh:
        fail(f"the model did not discharge: {before_mwh} -> {after_mwh} mWh")
    v2, _ = wait_for(f"{expr} to become {after_mwh / 1000} Wh in Prometheus",
                     lambda: (lambda r: r if r and abs(r[0] * 1000 - after_mwh) <= 0.5 else None)(
                         value_of(expr)))
    ok(f"after sim ac off + advance 30m Prometheus shows {v2} Wh (was {v})")
    ac = wait_for("battkit_system_ac_online 0", lambda: (lambda r: r if r and r[0] == 0 else None)(
        value_of("battkit_system_ac_online")))
    rate = value_of("battkit_battery_rate_watts")
    if not rate or rate[0] >= 0:
        fail(f"battkit_battery_rate_watts {rate}: expected negative on battery")
    else:
        ok(f"system on battery in Prometheus, rate {rate[0]} W")
    ioctls = value_of('sum(battkit_ioctls_total{code="IOCTL_BATTERY_QUERY_STATUS"})')
    if not ioctls or ioctls[0] < 2:
        fail(f"battkit_ioctls_total of QUERY_STATUS: {ioctls}")
    else:
        ok(f"battkit_ioctls_total counts battctl's QUERY_STATUS ({ioctls[0]:.0f})")

    battd.terminate()
    rc = battd.wait(timeout=30)
    if rc != 0:
        fail(f"battd exit {rc} on SIGTERM")


try:
    main()
except SystemExit as e:
    if e.code not in (None, 0):
        print(e.code, flush=True)
        failures += 1
finally:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if failures:
        for log in ("battd.log", "prometheus.log"):
            path = os.path.join(work, log)
            if os.path.exists(path):
                print(f"--- {log} (last lines)")
                print("".join(open(path).readlines()[-15:]))
    shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failures else 0)
