#!/usr/bin/env python3
"""battd --http on psbatt batteries (issue 13: the dashboard on real-battery
drivers too): a fake power_supply tree in a temp folder (one Battery, one
Mains supply), a virtual-time machine reading it through psbatt, and the
dashboard's JSON and event stream: the battery with sysfs's figures, then
the Mains supply going offline reaching /events once psbatt's poll (on the
virtual clock, moved by battctl sim advance) has read it.
Usage: psbatt_dashboard.py BIN_DIR"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1]
DEADLINE_S = 20
work = tempfile.mkdtemp(prefix="battkit-http-ps.")
procs = []
failures = 0


def check(name, cond, detail=""):
    global failures
    if cond:
        print("ok   " + name)
    else:
        failures += 1
        print(f"FAIL {name}: {detail}")


def wait_for(what, pred, timeout=DEADLINE_S):
    end = time.monotonic() + timeout
    while True:
        r = pred()
        if r:
            return r
        if time.monotonic() > end:
            raise SystemExit(f"FAIL timed out waiting for {what}")
        time.sleep(0.02)  # a poll with a deadline


def supply(name, **values):
    d = os.path.join(work, "power_supply", name)
    os.makedirs(d, exist_ok=True)
    for k, v in values.items():
        with open(os.path.join(d, k), "w") as f:
            f.write(f"{v}\n")


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_S)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


env = dict(os.environ, BATTKIT_STATE_DIR=work, BATTKIT_SOCKET=os.path.join(work, "battd.sock"))
try:
    supply("BAT0", type="Battery", present=1, status="Charging", technology="Li-ion",
           energy_full_design=57000000, energy_full=51300000, energy_now=25650000,
           power_now=8550000, voltage_now=11400000, voltage_min_design=11100000, capacity=50,
           cycle_count=87, manufacturer="Contoso", model_name="CT57", serial_number=4711)
    supply("AC", type="Mains", online=1)
    machine = os.path.join(work, "machine.ini")
    with open(machine, "w") as f:
        f.write(f"[machine]\nname = pstest\ntime = virtual\n"
                f"power_supply = {work}/power_supply\npower_supply_poll_ms = 1000\n")
    port_file = os.path.join(work, "http.port")
    log = open(os.path.join(work, "battd.log"), "w+")
    battd = subprocess.Popen([os.path.join(BIN, "battd"), "-f", "--virtual=0", "-m", machine,
                              "--no-history", "--socket", env["BATTKIT_SOCKET"], "--http",
                              "127.0.0.1:0", "--http-port-file", port_file],
                             stdout=log, stderr=subprocess.STDOUT, env=env)
    procs.append(battd)

    def port_written():
        if battd.poll() is not None:
            log.seek(0)
            raise SystemExit("FAIL battd exited:\n" + log.read())
        try:
            with open(port_file) as f:
                t = f.read()
            return int(t) if t.endswith("\n") else None
        except (FileNotFoundError, ValueError):
            return None

    port = wait_for("the port file", port_written)

    def one_battery():
        status, body = get(port, "/api/batteries")
        b = json.loads(body) if status == 200 else []
        return b if len(b) == 1 and b[0]["present"] else None

    b = wait_for("psbatt's battery in /api/batteries", one_battery)[0]
    check("psbatt_battery_has_the_sysfs_figures",
          b["name"] == "CT57" and b["manufacturer"] == "Contoso" and b["serial"] == "4711" and
          b["percent"] == 50 and b["capacity_mwh"] == 25650 and b["full_mwh"] == 51300 and
          b["design_mwh"] == 57000 and b["cycle_count"] == 87 and b["voltage_mv"] == 11400 and
          sorted(b["power_state"]) == ["charging", "power_on_line"], b)
    status, body = get(port, "/api/system")
    system = json.loads(body)
    check("system_on_ac_from_the_mains_supply", status == 200 and system["ac"] == "online" and
          system["machine"] == "pstest", system)

    ev = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_S)
    ev.request("GET", "/events")
    stream = ev.getresponse()

    def next_event():
        data = None
        while True:
            line = stream.fp.readline().decode()
            if not line:
                raise SystemExit("FAIL /events ended")
            if line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "\n" and data is not None:
                return data

    first = next_event()
    supply("AC", online=0)
    supply("BAT0", status="Discharging")
    subprocess.run([os.path.join(BIN, "battctl"), "sim", "advance", "2s"], env=env, check=True,
                   capture_output=True, timeout=DEADLINE_S)
    seen = first
    while seen["system"]["ac"] != "offline" or "discharging" not in seen["batteries"][0]["power_state"]:
        seen = next_event()  # bounded by the socket timeout
    check("mains_offline_arrives_as_an_event", seen["system"]["on_battery"] is True and
          seen["batteries"][0]["power_state"] == ["discharging"], seen)
    ev.close()
    battd.send_signal(signal.SIGTERM)
    rc = battd.wait(timeout=DEADLINE_S)
    check("battd_stops_clean", rc == 0, rc)
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(work, ignore_errors=True)

sys.exit(1 if failures else 0)
