#!/usr/bin/env python3
"""battd --upower-bus seen by the desktop's own tools (issue 16).

A private dbus-daemon (a config of our own, a socket in a temp folder),
battd on the two-batteries machine on virtual time (factor 0: nothing moves
unless told), then the real `upower` client (DBUS_SYSTEM_BUS_ADDRESS),
busctl and gdbus: the devices, their properties and the display device must
match `battctl --json status/info`; `battctl sim ac off` must arrive as
PropertiesChanged (busctl monitor) and be shown by `upower --monitor-detail`.
Waits are polls with deadlines, never sleeps for an event.
Usage: upower_desktop.py BIN_DIR SOURCE_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

BIN, SRC = sys.argv[1], sys.argv[2]
MACHINE = os.path.join(SRC, "tests", "lib", "two-batteries.ini")
UP = "org.freedesktop.UPower"
DEV_IF = "org.freedesktop.UPower.Device"
DEVICES = "/org/freedesktop/UPower/devices/"
DISPLAY = DEVICES + "DisplayDevice"
LINE = DEVICES + "line_power_AC"
DEADLINE_S = 20

for tool in ("dbus-daemon", "upower", "busctl", "gdbus"):
    if not shutil.which(tool):
        print(f"SKIP: {tool} is not installed (scripts/bootstrap.sh installs it)")
        sys.exit(77)

work = tempfile.mkdtemp(prefix="battkit-upower.")
procs = []
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL " + msg)


def ok(name):
    print("ok   " + name)


def wait_for(what, pred, timeout=DEADLINE_S):
    end = time.monotonic() + timeout
    while True:
        r = pred()
        if r:
            return r
        if time.monotonic() > end:
            raise SystemExit(f"FAIL timed out waiting for {what}")
        time.sleep(0.02)  # a poll with a deadline


class Reader:
    """Collects a child's stdout lines on a thread, for polls."""

    def __init__(self, proc):
        self.lines, self.lock = [], threading.Lock()
        self.t = threading.Thread(target=self._run, args=(proc,), daemon=True)
        self.t.start()

    def _run(self, proc):
        for line in proc.stdout:
            with self.lock:
                self.lines.append(line)

    def text(self):
        with self.lock:
            return "".join(self.lines)

    def snapshot(self):
        with self.lock:
            return list(self.lines)


def start(argv, **kw):
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=kw.pop("stderr", subprocess.STDOUT),
                         text=True, **kw)
    procs.append(p)
    return p


def run(argv, env=None, check=True):
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=DEADLINE_S)
    if check and r.returncode != 0:
        raise SystemExit(f"FAIL {' '.join(argv)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout


def cleanup():
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    shutil.rmtree(work, ignore_errors=True)


try:
    # ---- a private system bus ----
    conf = os.path.join(work, "bus.conf")
    with open(conf, "w") as f:
        f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={work}/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*" eavesdrop="true"/>
  </policy>
</busconfig>
""")
    bus = start(["dbus-daemon", "--config-file=" + conf, "--nofork", "--print-address=1"],
                stderr=subprocess.DEVNULL)
    address = bus.stdout.readline().strip()
    if not address.startswith("unix:"):
        raise SystemExit(f"FAIL dbus-daemon printed no address: {address!r}")
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address,
               BATTKIT_SOCKET=os.path.join(work, "battd.sock"), BATTKIT_STATE_DIR=work)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    busctl = ["busctl", "--address=" + address, "--json=short"]

    # A monitor of the whole bus, live before anything happens.
    mon = start(busctl + ["monitor"], stderr=subprocess.DEVNULL)
    monitor = Reader(mon)
    # It says nothing when it is live: ping until it sees a ping.
    def monitor_live():
        run(busctl + ["call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                      "org.freedesktop.DBus", "GetId"])
        return '"GetId"' in monitor.text()

    wait_for("busctl monitor to see the bus", monitor_live)

    # ---- battd with the UPower service on it ----
    battd = start([os.path.join(BIN, "battd"), "-f", "--virtual=0", "--no-history", "-m", MACHINE,
                   "--socket", env["BATTKIT_SOCKET"], "--upower-bus", address], env=env)
    battd_log = Reader(battd)
    wait_for("battd's socket", lambda: os.path.exists(env["BATTKIT_SOCKET"]) or battd.poll() is not None)
    if battd.poll() is not None:
        raise SystemExit("FAIL battd exited:\n" + battd_log.text())

    battctl = [os.path.join(BIN, "battctl"), "--json"]
    status = json.loads(run(battctl + ["status"], env=env))
    info = {b["path"]: b for b in json.loads(run(battctl + ["info"], env=env))}
    by_native = {b["path"]: b for b in status["batteries"]}

    def listed():
        out = run(["upower", "-e"], env=env, check=False).split()
        return out if sum(p.startswith(DEVICES + "battery_") for p in out) == 2 else None

    paths = wait_for("upower -e to list both batteries", listed)
    batteries = [p for p in paths if p.startswith(DEVICES + "battery_")]
    if LINE in paths and DISPLAY in paths and len(paths) == 4:
        ok("upower_e_lists_ac_both_batteries_and_the_display_device")
    else:
        fail(f"upower -e: {paths}")

    def props(path, names):
        out = run(busctl + ["get-property", UP, path, DEV_IF] + names).splitlines()
        return {n: json.loads(v)["data"] for n, v in zip(names, out)}

    # ---- every battery as battctl sees it ----
    names = ["NativePath", "Type", "State", "Percentage", "Energy", "EnergyFull",
             "EnergyFullDesign", "EnergyRate", "Voltage", "IsPresent", "IsRechargeable",
             "Technology", "Vendor", "Model", "Serial", "PowerSupply", "IconName", "WarningLevel"]
    matched = 0
    for path in batteries:
        p = props(path, names)
        b, i = by_native.get(p["NativePath"]), info.get(p["NativePath"])
        if not b or not i:
            fail(f"{path}: NativePath {p['NativePath']!r} is no battery of battctl")
            continue
        checks = {
            "Type": p["Type"] == 2,
            "State": p["State"] == 1 and "charging" in b["power_state"],
            "Percentage": round(p["Percentage"]) == b["percent"],
            "Energy": abs(p["Energy"] * 1000 - b["capacity_mwh"]) < 0.5,
            "EnergyFull": abs(p["EnergyFull"] * 1000 - i["full_charged_capacity_mwh"]) < 0.5,
            "EnergyFullDesign": abs(p["EnergyFullDesign"] * 1000 - i["design_capacity_mwh"]) < 0.5,
            "EnergyRate": abs(p["EnergyRate"] * 1000 - abs(b["rate_mw"])) < 0.5,
            "Voltage": abs(p["Voltage"] * 1000 - b["voltage_mv"]) < 0.5,
            "IsPresent": p["IsPresent"] is True,
            "IsRechargeable": p["IsRechargeable"] == i["rechargeable"],
            "Technology": p["Technology"] == 1 and i["chemistry"] == "LION",
            "Vendor": p["Vendor"] == i["manufacturer"],
            "Model": p["Model"] == i["name"],
            "Serial": p["Serial"] == i["serial"],
            "PowerSupply": p["PowerSupply"] is True,
            "IconName": p["IconName"].startswith("battery-"),
            "WarningLevel": p["WarningLevel"] == 1,
        }
        bad = [k for k, v in checks.items() if not v]
        if bad:
            fail(f"{path}: {', '.join(bad)} differ from battctl: {p} / {b} / {i}")
        else:
            matched += 1
        text = run(["upower", "-i", path], env=env)
        m = re.search(r"percentage:\s+([\d.]+)%", text)
        if not (m and round(float(m.group(1))) == b["percent"] and re.search(r"model:\s+" + i["name"], text)
                and re.search(r"state:\s+charging", text)):
            fail(f"upower -i {path} does not show battctl's battery:\n{text}")
            matched -= 1
    if matched == 2:
        ok("battery_properties_match_battctl_status_and_info (busctl, upower -i)")

    # ---- the display device is the power manager's composite view ----
    comp, system = status["composite"], status["system"]
    display = run(busctl + ["call", UP, "/org/freedesktop/UPower", UP, "GetDisplayDevice"])
    d = props(DISPLAY, ["Type", "State", "Percentage", "Energy", "EnergyFull", "EnergyRate",
                        "IsPresent"])
    if (json.loads(display)["data"] == [DISPLAY] and d["Type"] == 2 and d["State"] == 1 and
            d["Percentage"] == system["battery_life_percent"] and d["IsPresent"] is True and
            abs(d["Energy"] * 1000 - comp["remaining_capacity_mwh"]) < 0.5 and
            abs(d["EnergyFull"] * 1000 - comp["max_capacity_mwh"]) < 0.5 and
            abs(d["EnergyRate"] * 1000 - abs(comp["rate_mw"])) < 0.5):
        ok("display_device_is_the_composite_battery_of_battctl_status")
    else:
        fail(f"display device {d} vs battctl composite {comp} system {system}")
    dump = run(["upower", "-d"], env=env)
    section = dump.split("Device: " + DISPLAY, 1)[-1].split("Daemon:", 1)[0]
    m = re.search(r"percentage:\s+([\d.]+)%", section)
    if (m and float(m.group(1)) == system["battery_life_percent"] and
            re.search(r"on-battery:\s+no", dump) and dump.count("Device: ") == 4):
        ok("upower_d_shows_four_devices_and_the_display_percentage")
    else:
        fail("upower -d:\n" + dump)
    g = run(["gdbus", "call", "--system", "--dest", UP, "--object-path", "/org/freedesktop/UPower",
             "--method", UP + ".EnumerateDevices"], env=env)
    if all(p in g for p in [LINE] + batteries):
        ok("gdbus_enumerate_devices_lists_them")
    else:
        fail("gdbus EnumerateDevices: " + g)

    # ---- bad input: a clear error, the running service untouched ----
    second = subprocess.run([os.path.join(BIN, "battd"), "-f", "--virtual=0", "--no-history",
                             "-m", MACHINE, "--socket", os.path.join(work, "second.sock"),
                             "--upower-bus", address], capture_output=True, text=True, env=env,
                            timeout=DEADLINE_S)
    usage = subprocess.run([os.path.join(BIN, "battd"), "--upower-bus", "nonsense"],
                           capture_output=True, text=True, timeout=DEADLINE_S)
    still = run(["upower", "-e"], env=env).split()
    if (second.returncode == 1 and "cannot own org.freedesktop.UPower" in second.stderr and
            usage.returncode == 2 and "--upower-bus" in usage.stderr and sorted(still) == sorted(paths)):
        ok("second_battd_is_refused_the_name_and_a_bad_address_is_a_usage_error")
    else:
        fail(f"second battd: {second.returncode} {second.stderr[-400:]!r}; "
             f"bad address: {usage.returncode} {usage.stderr!r}; upower -e now {still}")

    # ---- an AC unplug on virtual time arrives as PropertiesChanged ----
    updetail = start(["upower", "--monitor-detail"], env=env)
    upmon = Reader(updetail)
    wait_for("upower --monitor-detail to start", lambda: "Monitoring activity" in upmon.text())

    # The client subscribes to each device's PropertiesChanged; the bus
    # answering the AddMatch for the AC line (seen by the monitor) means
    # it is subscribed.
    def subscribed():
        calls, replies = {}, []
        for line in monitor.snapshot():
            msg = json.loads(line)
            data = msg.get("payload", {}).get("data", [])
            if msg.get("member") == "AddMatch" and data and "path='" + LINE + "'" in data[0]:
                calls[msg["cookie"]] = msg["sender"]
            if msg.get("type") == "method_return" and msg.get("sender") == "org.freedesktop.DBus":
                replies.append((msg.get("reply_cookie"), msg.get("destination")))
        return any(calls.get(c) == dest for c, dest in replies)

    wait_for("upower --monitor-detail to subscribe to line_power_AC", subscribed)
    seen_before = len(monitor.snapshot())
    run([os.path.join(BIN, "battctl"), "sim", "ac", "off"], env=env)

    def changed(path, prop, value):
        for line in monitor.snapshot()[seen_before:]:
            msg = json.loads(line)
            if msg.get("type") != "signal" or msg.get("member") != "PropertiesChanged" \
                    or msg.get("path") != path:
                continue
            iface, values = msg["payload"]["data"][0], msg["payload"]["data"][1]
            if prop in values and values[prop]["data"] == value:
                return True
        return False

    wait_for("PropertiesChanged Online=false on line_power_AC", lambda: changed(LINE, "Online", False))
    wait_for("PropertiesChanged State=2 on the display device", lambda: changed(DISPLAY, "State", 2))
    wait_for("PropertiesChanged OnBattery=true", lambda: changed("/org/freedesktop/UPower", "OnBattery", True))
    for path in batteries:
        wait_for(f"PropertiesChanged State=2 on {path}", lambda: changed(path, "State", 2))
    ok("ac_unplug_arrives_as_properties_changed (line power, batteries, display, OnBattery)")

    def detail_shows_unplug():
        text = upmon.text()
        i = text.find("device changed:     " + LINE)
        return i >= 0 and re.search(r"online:\s+no", text[i:])

    wait_for("upower --monitor-detail to show the AC line offline", detail_shows_unplug)
    ok("upower_monitor_detail_sees_the_unplug")

    # The power manager has no estimate right after the unplug (as Windows);
    # a minute of virtual time later the display device carries its own.
    run([os.path.join(BIN, "battctl"), "sim", "advance", "2m"], env=env)
    after = json.loads(run(battctl + ["status"], env=env))
    estimate = after["composite"]["estimated_time_s"]

    def display_has_estimate():
        d = props(DISPLAY, ["State", "TimeToEmpty", "Percentage"])
        return d if d["TimeToEmpty"] == estimate else None

    if estimate <= 0:
        fail(f"battctl has no estimate two minutes after the unplug: {after['composite']}")
    else:
        d = wait_for(f"the display device's TimeToEmpty to be {estimate}", display_has_estimate)
        if d["State"] == 2 and d["Percentage"] == after["system"]["battery_life_percent"]:
            ok("display_device_time_to_empty_is_the_power_managers_estimate")
        else:
            fail(f"after unplug: display {d} vs battctl {after}")
        if changed(DISPLAY, "TimeToEmpty", estimate):
            ok("virtual_time_estimate_arrives_as_properties_changed")
        else:
            fail("no PropertiesChanged carried the display device's TimeToEmpty")
finally:
    cleanup()

sys.exit(1 if failures else 0)
