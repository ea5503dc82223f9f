#!/usr/bin/env python3
"""metrics_counters_follow_clients_ioctls_waits_and_policy_actions (issue 17).

battd --virtual=0 --http on the two-batteries machine (ACPI and simbatt),
with --admin-uid 4242 so this test is an unprivileged client first. Read
from /metrics (the text parsed here, label values unescaped):
- a battctl status is one accepted client, one HELLO, QUERY_STATUS answered
  STATUS_SUCCESS; an unprivileged `battctl set` is IOCTL_BATTERY_SET_INFORMATION
  answered STATUS_ACCESS_DENIED (as battd's log says);
- a `battctl watch` holding its waits shows as battkit_clients 1 and
  battkit_pending_ioctls >= 1, back to 0 when it is killed;
- privileged (a second battd, default admins): the ACPI battery has no
  temperature series (cmbatt knows none), simbatt's has one, which follows
  the model (battctl info) once the watcher re-reads it (hourly);
  running the machine down on battery fires the DC policy's low, reserve
  and critical actions, counted by level/action, notify's command (true)
  counted as started, hibernate's as not configured, and the policy level
  series says critical.
Polls with deadlines; every process is killed at the end.
Usage: counters.py BIN_DIR SOURCE_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN, SRC = sys.argv[1], sys.argv[2]
MACHINE = os.path.join(SRC, "tests", "lib", "two-batteries.ini")
DEADLINE_S = 30
failures = 0
procs = []
work = tempfile.mkdtemp(prefix="battkit-counters.")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def fail(msg):
    global failures
    failures += 1
    print("FAIL " + msg, flush=True)


def check(cond, msg):
    if cond:
        print("ok   " + msg, flush=True)
    else:
        fail(msg)


def wait_for(what, pred, timeout=DEADLINE_S):
    end = time.monotonic() + timeout
    while True:
        r = pred()
        if r:
            return r
        if time.monotonic() > end:
            raise SystemExit(f"FAIL timed out ({timeout} s) waiting for {what}")
        time.sleep(0.05)  # a poll with a deadline


def unescape(v):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


class Battd:
    def __init__(self, name, *extra):
        self.sock = os.path.join(work, name + ".sock")
        port_file = os.path.join(work, name + ".port")
        self.log = os.path.join(work, name + ".log")
        self.p = subprocess.Popen(
            [os.path.join(BIN, "battd"), "-f", "--virtual=0", "--no-history", "--machine", MACHINE,
             "--socket", self.sock, "--http", "127.0.0.1:0", "--http-port-file", port_file, *extra],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        procs.append(self.p)
        wait_for(f"{name} to serve", lambda: self.alive() and os.path.exists(self.sock) and
                 os.path.exists(port_file) and open(port_file).read().strip())
        self.url = f"http://127.0.0.1:{int(open(port_file).read())}/metrics"
        # battd serves before its watcher has read every battery
        wait_for("both batteries read by the watcher", lambda: len(
            [1 for n, _, _ in self.samples() if n == "battkit_battery_full_charge_capacity_wh"]) == 2)

    def alive(self):
        if self.p.poll() is not None:
            raise SystemExit(f"FAIL battd exited ({self.p.returncode}): {open(self.log).read()}")
        return True

    def ctl(self, *args, expect=0):
        r = subprocess.run([os.path.join(BIN, "battctl"), "--socket", self.sock, *args],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != expect:
            raise SystemExit(f"FAIL battctl {' '.join(args)}: exit {r.returncode}, {r.stderr}")
        return r.stdout

    def samples(self):
        with urllib.request.urlopen(self.url, timeout=10) as r:
            text = r.read().decode()
        out = []
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            m = SAMPLE.match(line)
            if not m:
                raise SystemExit(f"FAIL malformed line: {line}")
            labels = {k: unescape(v) for k, v in LABEL.findall(m.group(2) or "")}
            out.append((m.group(1), labels, float(m.group(3))))
        return out

    def value(self, name, **labels):
        hits = [v for n, l, v in self.samples()
                if n == name and all(l.get(k) == w for k, w in labels.items())]
        return hits[0] if len(hits) == 1 else None

    def stop(self):
        self.p.terminate()
        rc = self.p.wait(timeout=30)
        if rc != 0:
            fail(f"battd exit {rc} on SIGTERM")


def unprivileged():
    d = Battd("unpriv", "--admin-uid", "4242")
    check(d.value("battkit_clients_accepted_total") == 0, "no client accepted before any")
    d.ctl("status")
    check(d.value("battkit_clients_accepted_total") == 1, "battctl status: one client accepted")
    wait_for("battd to see battctl go", lambda: d.value("battkit_clients") == 0)
    check(True, "and gone again: battkit_clients 0")
    check(d.value("battkit_messages_total", type="HELLO") == 1, "one HELLO")
    ok_status = d.value("battkit_ioctls_total", code="IOCTL_BATTERY_QUERY_STATUS",
                        status="STATUS_SUCCESS")
    check(ok_status == 2, f"QUERY_STATUS answered STATUS_SUCCESS twice (2 batteries): {ok_status}")
    d.ctl("set", "critical-bias", "100", "TESTSIM", expect=3)
    denied = d.value("battkit_ioctls_total", code="IOCTL_BATTERY_SET_INFORMATION",
                     status="STATUS_ACCESS_DENIED")
    check(denied == 1, f"the refused set is SET_INFORMATION / STATUS_ACCESS_DENIED: {denied}")
    check(d.value("battkit_clients_dropped_total") == 0, "no client dropped")

    watch = subprocess.Popen([os.path.join(BIN, "battctl"), "--socket", d.sock, "watch"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(watch)
    pending = wait_for("battctl watch's waits in battkit_pending_ioctls",
                       lambda: (lambda v: v if v and v >= 1 else None)(
                           d.value("battkit_pending_ioctls")))
    check(d.value("battkit_clients") == 1, f"battctl watch connected, {pending:.0f} waits pending")
    watch.kill()
    watch.wait()
    wait_for("the waits of the killed watch to go",
             lambda: d.value("battkit_pending_ioctls") == 0 and d.value("battkit_clients") == 0)
    check(True, "watch killed: battkit_pending_ioctls 0, battkit_clients 0")
    d.stop()


def privileged():
    d = Battd("priv", "--action-command", "notify=true")
    uid = "battkitTESTSIMS1"
    check(d.value("battkit_battery_temperature_celsius", unique_id="battkitTESTACPIA1") is None,
          "no temperature series for the ACPI battery (cmbatt knows none)")
    t0 = d.value("battkit_battery_temperature_celsius", unique_id=uid)
    check(t0 is not None, f"simbatt's temperature at start: {t0}")
    d.ctl("sim", "ac", "off")  # discharging warms the model's cell
    d.ctl("sim", "advance", "61m")  # the watcher re-reads capacity and temperature hourly
    info = json.loads(d.ctl("--json", "info", "TESTSIM"))
    want = info[0]["temperature_c"]
    t = wait_for(f"the temperature series to follow the driver ({want} C)", lambda: (
        lambda v: v if v is not None and v != t0 and abs(v - want) <= 0.0501 else None)(
            d.value("battkit_battery_temperature_celsius", unique_id=uid)))
    check(True, f"battkit_battery_temperature_celsius {t0} -> {t} after an hour, battctl {want}")

    d.ctl("sim", "advance", "8h")
    want = {("low", "none"): 1, ("reserve", "notify"): 1, ("critical", "hibernate"): 1}
    got = wait_for("the critical action", lambda: (lambda v: v if v else None)(
        d.value("battkit_power_policy_actions_total", level="critical", action="hibernate")))
    for (level, action), n in want.items():
        v = d.value("battkit_power_policy_actions_total", level=level, action=action)
        check(v == n, f"battkit_power_policy_actions_total{{level={level},action={action}}} = {v}")
    started = d.value("battkit_power_policy_commands_total", result="started")
    missing = d.value("battkit_power_policy_commands_total", result="not_configured")
    check(started == 1 and missing == 1,
          f"notify's command started ({started}), hibernate had none (not_configured {missing})")
    check(d.value("battkit_power_policy_level", level="critical") == 1,
          "battkit_power_policy_level critical")
    check(d.value("battkit_system_ac_online") == 0, "battkit_system_ac_online 0")
    d.stop()


try:
    unprivileged()
    privileged()
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
        for f in sorted(os.listdir(work)):
            if f.endswith(".log"):
                print(f"--- {f} (last lines)")
                print("".join(open(os.path.join(work, f)).readlines()[-15:]))
    shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failures else 0)
