#!/usr/bin/env python3
"""battd --http on psbatt batteries (issue 13: the dashboard on real-battery
drivers too): a fake power_supply tree in a temp folder (one Battery, one
Mains supply), a virtual-time machine reading it through psbatt, and the
dashboard's JSON and event stream: the battery with sysfs's figures, then
the Mains supply going offline reaching /events once psbatt's poll (on the
virtual clock, moved by battctl sim advance) has read it.
Usage: psbatt_dashboard.py BIN_DIR"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from battkit_proc import EventStream, Run, request  # noqa: E402

R = Run("battkit-http-ps.", sys.argv[1])


def supply(name, **values):
    d = R.path("power_supply", name)
    os.makedirs(d, exist_ok=True)
    for k, v in values.items():
        with open(os.path.join(d, k), "w") as f:
            f.write(f"{v}\n")


def main():
    supply("BAT0", type="Battery", present=1, status="Charging", technology="Li-ion",
           energy_full_design=57000000, energy_full=51300000, energy_now=25650000,
           power_now=8550000, voltage_now=11400000, voltage_min_design=11100000, capacity=50,
           cycle_count=87, manufacturer="Contoso", model_name="CT57", serial_number=4711)
    supply("AC", type="Mains", online=1)
    machine = R.path("machine.ini")
    with open(machine, "w") as f:
        f.write(f"[machine]\nname = pstest\ntime = virtual\n"
                f"power_supply = {R.work}/power_supply\npower_supply_poll_ms = 1000\n")
    battd = R.battd("-m", machine)
    port = battd.port

    def one_battery():
        status, _, body = request(port, "GET", "/api/batteries")
        b = json.loads(body) if status == 200 else []
        return b if len(b) == 1 and b[0]["present"] else None

    b = R.wait_for("psbatt's battery in /api/batteries", one_battery)[0]
    R.check("psbatt_battery_has_the_sysfs_figures",
            b["name"] == "CT57" and b["manufacturer"] == "Contoso" and b["serial"] == "4711" and
            b["percent"] == 50 and b["capacity_mwh"] == 25650 and b["full_mwh"] == 51300 and
            b["design_mwh"] == 57000 and b["cycle_count"] == 87 and b["voltage_mv"] == 11400 and
            sorted(b["power_state"]) == ["charging", "power_on_line"], b)
    status, _, body = request(port, "GET", "/api/system")
    system = json.loads(body)
    R.check("system_on_ac_from_the_mains_supply", status == 200 and system["ac"] == "online" and
            system["machine"] == "pstest", system)

    stream = EventStream(port)
    first = stream.next()
    supply("AC", online=0)
    supply("BAT0", status="Discharging")
    battd.ctl("sim", "advance", "2s")
    seen = stream.until(lambda e: e["system"]["ac"] == "offline" and
                        "discharging" in e["batteries"][0]["power_state"], first)
    R.check("mains_offline_arrives_as_an_event", seen["system"]["on_battery"] is True and
            seen["batteries"][0]["power_state"] == ["discharging"], seen)
    stream.close()
    rc = battd.stop()
    R.check("battd_stops_clean", rc == 0, rc)


R.main(main)
