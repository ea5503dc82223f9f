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
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from battkit_proc import Run  # noqa: E402

MACHINE = os.path.join(sys.argv[2], "tests", "lib", "two-batteries.ini")
UP = "org.freedesktop.UPower"
DEV_IF = "org.freedesktop.UPower.Device"
DEVICES = "/org/freedesktop/UPower/devices/"
DISPLAY = DEVICES + "DisplayDevice"
LINE = DEVICES + "line_power_AC"

for tool in ("dbus-daemon", "upower", "busctl", "gdbus"):
    if not shutil.which(tool):
        print(f"SKIP: {tool} is not installed (scripts/bootstrap.sh installs it)")
        sys.exit(77)

R = Run("battkit-upower.", sys.argv[1])


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
    """A child whose stdout (and stderr, unless told) this test reads."""
    return R.start(argv, stdout=subprocess.PIPE, stderr=kw.pop("stderr", subprocess.STDOUT),
                   text=True, **kw)


def run(argv, env=None, check=True):
    return R.run(argv, expect=0 if check else None, env=env).stdout


def main():
    # ---- a private system bus ----
    conf = R.path("bus.conf")
    with open(conf, "w") as f:
        f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={R.work}/bus.sock</listen>
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
               BATTKIT_SOCKET=R.path("battd.sock"), BATTKIT_STATE_DIR=R.work)
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

    R.wait_for("busctl monitor to see the bus", monitor_live)

    # ---- battd with the UPower service on it ----
    R.battd("-m", MACHINE, "--upower-bus", address, http=False, env=env)

    battctl = [R.exe("battctl"), "--json"]
    status = json.loads(run(battctl + ["status"], env=env))
    info = {b["path"]: b for b in json.loads(run(battctl + ["info"], env=env))}
    by_native = {b["path"]: b for b in status["batteries"]}

    def listed():
        out = run(["upower", "-e"], env=env, check=False).split()
        return out if sum(p.startswith(DEVICES + "battery_") for p in out) == 2 else None

    paths = R.wait_for("upower -e to list both batteries", listed)
    batteries = [p for p in paths if p.startswith(DEVICES + "battery_")]
    if LINE in paths and DISPLAY in paths and len(paths) == 4:
        R.ok("upower_e_lists_ac_both_batteries_and_the_display_device")
    else:
        R.fail(f"upower -e: {paths}")

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
            R.fail(f"{path}: NativePath {p['NativePath']!r} is no battery of battctl")
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
            R.fail(f"{path}: {', '.join(bad)} differ from battctl: {p} / {b} / {i}")
        else:
            matched += 1
        text = run(["upower", "-i", path], env=env)
        m = re.search(r"percentage:\s+([\d.]+)%", text)
        if not (m and round(float(m.group(1))) == b["percent"] and re.search(r"model:\s+" + i["name"], text)
                and re.search(r"state:\s+charging", text)):
            R.fail(f"upower -i {path} does not show battctl's battery:\n{text}")
            matched -= 1
    if matched == 2:
        R.ok("battery_properties_match_battctl_status_and_info (busctl, upower -i)")

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
        R.ok("display_device_is_the_composite_battery_of_battctl_status")
    else:
        R.fail(f"display device {d} vs battctl composite {comp} system {system}")
    dump = run(["upower", "-d"], env=env)
    section = dump.split("Device: " + DISPLAY, 1)[-1].split("Daemon:", 1)[0]
    m = re.search(r"percentage:\s+([\d.]+)%", section)
    if (m and float(m.group(1)) == system["battery_life_percent"] and
            re.search(r"on-battery:\s+no", dump) and dump.count("Device: ") == 4):
        R.ok("upower_d_shows_four_devices_and_the_display_percentage")
    else:
        R.fail("upower -d:\n" + dump)
    g = run(["gdbus", "call", "--system", "--dest", UP, "--object-path", "/org/freedesktop/UPower",
             "--method", UP + ".EnumerateDevices"], env=env)
    if all(p in g for p in [LINE] + batteries):
        R.ok("gdbus_enumerate_devices_lists_them")
    else:
        R.fail("gdbus EnumerateDevices: " + g)

    # ---- bad input: a clear error, the running service untouched ----
    second = R.run([R.exe("battd"), "-f", "--virtual=0", "--no-history", "-m", MACHINE,
                    "--socket", R.path("second.sock"), "--upower-bus", address],
                   expect=None, env=env)
    usage = R.run([R.exe("battd"), "--upower-bus", "nonsense"], expect=None)
    still = run(["upower", "-e"], env=env).split()
    if (second.returncode == 1 and "cannot own org.freedesktop.UPower" in second.stderr and
            usage.returncode == 2 and "--upower-bus" in usage.stderr and sorted(still) == sorted(paths)):
        R.ok("second_battd_is_refused_the_name_and_a_bad_address_is_a_usage_error")
    else:
        R.fail(f"second battd: {second.returncode} {second.stderr[-400:]!r}; "
               f"bad address: {usage.returncode} {usage.stderr!r}; upower -e now {still}")

    # ---- an AC unplug on virtual time arrives as PropertiesChanged ----
    updetail = start(["upower", "--monitor-detail"], env=env)
    upmon = Reader(updetail)
    R.wait_for("upower --monitor-detail to start", lambda: "Monitoring activity" in upmon.text())

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

    R.wait_for("upower --monitor-detail to subscribe to line_power_AC", subscribed)
    seen_before = len(monitor.snapshot())
    run([R.exe("battctl"), "sim", "ac", "off"], env=env)

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

    R.wait_for("PropertiesChanged Online=false on line_power_AC", lambda: changed(LINE, "Online", False))
    R.wait_for("PropertiesChanged State=2 on the display device", lambda: changed(DISPLAY, "State", 2))
    R.wait_for("PropertiesChanged OnBattery=true", lambda: changed("/org/freedesktop/UPower", "OnBattery", True))
    for path in batteries:
        R.wait_for(f"PropertiesChanged State=2 on {path}", lambda: changed(path, "State", 2))
    R.ok("ac_unplug_arrives_as_properties_changed (line power, batteries, display, OnBattery)")

    def detail_shows_unplug():
        text = upmon.text()
        i = text.find("device changed:     " + LINE)
        return i >= 0 and re.search(r"online:\s+no", text[i:])

    R.wait_for("upower --monitor-detail to show the AC line offline", detail_shows_unplug)
    R.ok("upower_monitor_detail_sees_the_unplug")

    # The power manager has no estimate right after the unplug (as Windows);
    # a minute of virtual time later the display device carries its own.
    run([R.exe("battctl"), "sim", "advance", "2m"], env=env)
    after = json.loads(run(battctl + ["status"], env=env))
    estimate = after["composite"]["estimated_time_s"]

    def display_has_estimate():
        d = props(DISPLAY, ["State", "TimeToEmpty", "Percentage"])
        return d if d["TimeToEmpty"] == estimate else None

    if estimate <= 0:
        R.fail(f"battctl has no estimate two minutes after the unplug: {after['composite']}")
    else:
        d = R.wait_for(f"the display device's TimeToEmpty to be {estimate}", display_has_estimate)
        if d["State"] == 2 and d["Percentage"] == after["system"]["battery_life_percent"]:
            R.ok("display_device_time_to_empty_is_the_power_managers_estimate")
        else:
            R.fail(f"after unplug: display {d} vs battctl {after}")
        if changed(DISPLAY, "TimeToEmpty", estimate):
            R.ok("virtual_time_estimate_arrives_as_properties_changed")
        else:
            R.fail("no PropertiesChanged carried the display device's TimeToEmpty")


R.main(main)
