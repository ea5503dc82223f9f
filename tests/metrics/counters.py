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
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from battkit_proc import Battd, Run  # noqa: E402

R = Run("battkit-counters.", sys.argv[1], deadline_s=30, poll_s=0.05)
MACHINE = os.path.join(sys.argv[2], "tests", "lib", "two-batteries.ini")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


class Scraped(Battd):
    """battd --http on the two-batteries machine, its /metrics parsed."""

    def __init__(self, name, *extra):
        super().__init__(R, name, ("--machine", MACHINE, *extra), True, None)
        self.url = f"http://127.0.0.1:{self.port}/metrics"
        # battd serves before its watcher has read every battery
        capacities = "battkit_battery_full_charge_capacity_wh"
        R.wait_for("both batteries read by the watcher",
                   lambda: len([1 for n, _, _ in self.samples() if n == capacities]) == 2)

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
        rc = super().stop()
        R.check(f"{self.name}: battd exits 0 on SIGTERM", rc == 0, f"exit {rc}")


def unprivileged():
    d = Scraped("unpriv", "--admin-uid", "4242")
    R.check("no client accepted before any", d.value("battkit_clients_accepted_total") == 0)
    d.ctl("status")
    R.check("battctl status: one client accepted", d.value("battkit_clients_accepted_total") == 1)
    R.wait_for("battd to see battctl go", lambda: d.value("battkit_clients") == 0)
    R.ok("and gone again: battkit_clients 0")
    R.check("one HELLO", d.value("battkit_messages_total", type="HELLO") == 1)
    ok_status = d.value("battkit_ioctls_total", code="IOCTL_BATTERY_QUERY_STATUS",
                        status="STATUS_SUCCESS")
    R.check(f"QUERY_STATUS answered STATUS_SUCCESS twice (2 batteries): {ok_status}",
            ok_status == 2)
    d.ctl("set", "critical-bias", "100", "TESTSIM", expect=3)
    denied = d.value("battkit_ioctls_total", code="IOCTL_BATTERY_SET_INFORMATION",
                     status="STATUS_ACCESS_DENIED")
    R.check(f"the refused set is SET_INFORMATION / STATUS_ACCESS_DENIED: {denied}", denied == 1)
    R.check("no client dropped", d.value("battkit_clients_dropped_total") == 0)

    watch = R.start([R.exe("battctl"), "--socket", d.sock, "watch"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pending = R.wait_for("battctl watch's waits in battkit_pending_ioctls",
                         lambda: (lambda v: v if v and v >= 1 else None)(
                             d.value("battkit_pending_ioctls")))
    R.check(f"battctl watch connected, {pending:.0f} waits pending",
            d.value("battkit_clients") == 1)
    watch.kill()
    watch.wait()
    R.wait_for("the waits of the killed watch to go",
               lambda: d.value("battkit_pending_ioctls") == 0 and d.value("battkit_clients") == 0)
    R.ok("watch killed: battkit_pending_ioctls 0, battkit_clients 0")
    d.stop()


def privileged():
    d = Scraped("priv", "--action-command", "notify=true")
    uid = "battkitTESTSIMS1"
    R.check("no temperature series for the ACPI battery (cmbatt knows none)",
            d.value("battkit_battery_temperature_celsius", unique_id="battkitTESTACPIA1") is None)
    t0 = d.value("battkit_battery_temperature_celsius", unique_id=uid)
    R.check(f"simbatt's temperature at start: {t0}", t0 is not None)
    d.ctl("sim", "ac", "off")  # discharging warms the model's cell
    d.ctl("sim", "advance", "61m")  # the watcher re-reads capacity and temperature hourly
    info = json.loads(d.ctl("--json", "info", "TESTSIM"))
    want = info[0]["temperature_c"]
    t = R.wait_for(f"the temperature series to follow the driver ({want} C)", lambda: (
        lambda v: v if v is not None and v != t0 and abs(v - want) <= 0.0501 else None)(
            d.value("battkit_battery_temperature_celsius", unique_id=uid)))
    R.ok(f"battkit_battery_temperature_celsius {t0} -> {t} after an hour, battctl {want}")

    d.ctl("sim", "advance", "8h")
    want = {("low", "none"): 1, ("reserve", "notify"): 1, ("critical", "hibernate"): 1}
    got = R.wait_for("the critical action", lambda: (lambda v: v if v else None)(
        d.value("battkit_power_policy_actions_total", level="critical", action="hibernate")))
    for (level, action), n in want.items():
        v = d.value("battkit_power_policy_actions_total", level=level, action=action)
        R.check(f"battkit_power_policy_actions_total{{level={level},action={action}}} = {v}",
                v == n)
    started = d.value("battkit_power_policy_commands_total", result="started")
    missing = d.value("battkit_power_policy_commands_total", result="not_configured")
    R.check(f"notify's command started ({started}), hibernate had none (not_configured {missing})",
            started == 1 and missing == 1)
    R.check("battkit_power_policy_level critical",
            d.value("battkit_power_policy_level", level="critical") == 1)
    R.check("battkit_system_ac_online 0", d.value("battkit_system_ac_online") == 0)
    d.stop()


R.main(lambda: (unprivileged(), privileged()))
