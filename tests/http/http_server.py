#!/usr/bin/env python3
"""battd --http: the HTTP server core (issue 13; /metrics of issue 17 rides on it).

battd on the default laptop on virtual time (factor 0: nothing moves unless
told) with --http 127.0.0.1:0 and --http-port-file: the port file appears,
an unknown path is 404, a known one 200 with the same figures battctl
--json shows, a wrong method 405 with Allow, a foreign Host 421, every
answer carries the CSP header; a non-loopback address, a bad port and a
port in use are clear errors; SIGTERM stops clean and removes the port file.
Waits are polls with deadlines, never sleeps for an event.
Usage: http_server.py BIN_DIR"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from battkit_proc import EventStream, Run, request  # noqa: E402

R = Run("battkit-http.", sys.argv[1])


def main():
    battd = R.battd()
    port = battd.port
    with open(battd.log) as f:
        R.check("port_file_holds_the_port_the_log_names", 0 < port < 65536 and
                f"http://127.0.0.1:{port}/" in f.read(), f"port {port}")

    status, headers, body = request(port, "GET", "/no/such/page")
    R.check("unknown_path_is_404", status == 404, f"{status} {body!r}")
    R.check("every_answer_carries_the_csp_header",
            headers.get("Content-Security-Policy", "").startswith("default-src 'self'"), headers)

    battctl = json.loads(battd.ctl("--json", "status"))
    status, headers, body = request(port, "GET", "/api/system")
    system = json.loads(body) if status == 200 else {}
    want = battctl["system"]
    R.check("api_system_is_200_json_matching_battctl_status",
            status == 200 and headers.get("Content-Type") == "application/json" and
            system.get("ac_line_status") == want["ac_line_status"] == 1 and
            system.get("ac") == "online" and system.get("on_battery") is False and
            system.get("battery_life_percent") == want["battery_life_percent"] and
            system.get("batteries") == len(battctl["batteries"]),
            f"{status} {system} vs {want}")

    status, headers, body = request(port, "GET", "/api/batteries")
    got = {b["path"]: b for b in json.loads(body)} if status == 200 else {}
    matched = [b for b in battctl["batteries"]
               if b["path"] in got and got[b["path"]]["percent"] == b["percent"] and
               got[b["path"]]["capacity_mwh"] == b["capacity_mwh"] and
               got[b["path"]]["voltage_mv"] == b["voltage_mv"] and
               sorted(got[b["path"]]["power_state"]) == sorted(b["power_state"])]
    R.check("api_batteries_match_battctl_status",
            status == 200 and len(got) == len(battctl["batteries"]) == len(matched) >= 1,
            f"{status} {got} vs {battctl['batteries']}")

    status, headers, body = request(port, "POST", "/api/system")
    R.check("wrong_method_is_405_with_allow", status == 405 and
            headers.get("Allow") == "GET, HEAD", f"{status} {headers}")
    status, headers, body = request(port, "HEAD", "/api/system")
    R.check("head_of_a_get_route_is_200_without_body", status == 200 and body == b"",
            f"{status} {body!r}")
    status, headers, body = request(port, "GET", "/api/system", {"Host": "battery.example.com"})
    R.check("foreign_host_header_is_refused_421", status == 421, f"{status}")
    status, headers, body = request(port, "GET", "/api/policy")
    policy = json.loads(body) if status == 200 else {}
    R.check("api_policy_is_read_only_json", status == 200 and policy.get("writable") is False and
            [l["level"] for l in policy.get("levels", [])] == ["low", "reserve", "critical"],
            f"{status} {body!r}")

    # ---- the page's pieces and their bad input ----
    status, headers, body = request(port, "GET", "/")
    R.check("page_is_html_naming_its_own_script_and_style",
            status == 200 and headers.get("Content-Type", "").startswith("text/html") and
            b'src="/dashboard.js"' in body and b'href="/dashboard.css"' in body and
            b"battd keeps no history" in body, f"{status} {body[:200]!r}")
    bad = [(p, request(port, "GET", p)[0]) for p in
           ("/?days=0", "/?days=x", "/report.svg?chart=pie", "/report.svg?chart=drain&days=99999")]
    status, _, body = request(port, "GET", "/report.svg?chart=drain")
    R.check("bad_days_or_chart_is_400_and_no_history_is_404_saying_so",
            all(code == 400 for _, code in bad) and status == 404 and b"--no-history" in body,
            f"{bad} {status} {body!r}")

    # ---- /events: the state now, then each change as it happens ----
    stream = EventStream(port)
    first = stream.next()
    R.check("events_stream_starts_with_the_state_now",
            stream.response.status == 200 and
            stream.response.getheader("Content-Type") == "text/event-stream" and
            first["system"]["ac"] == "online" and
            len(first["batteries"]) == len(battctl["batteries"]) and
            first["policy"] == policy,
            f"{stream.response.status} {first}")
    battd.ctl("sim", "ac", "off")
    seen = stream.until(lambda e: e["system"]["ac"] == "offline", first)
    R.check("ac_unplug_arrives_as_an_event_with_a_newer_generation",
            seen["system"]["on_battery"] is True and
            seen["system"]["generation"] > first["system"]["generation"], seen["system"])

    # ---- bad options and a port in use: clear errors ----
    def battd_run(args):
        return R.run([R.exe("battd"), "-f", "--virtual=0", "--no-history", "--socket",
                      R.path("b.sock"), *args], expect=None, env=battd.env)

    r = battd_run(["--http", "0.0.0.0:8080"])
    R.check("non_loopback_address_is_a_usage_error", r.returncode == 2 and
            "not a loopback address" in r.stderr, f"{r.returncode} {r.stderr!r}")
    r = battd_run(["--http", "127.0.0.1:http"])
    R.check("bad_port_is_a_usage_error", r.returncode == 2 and "port" in r.stderr,
            f"{r.returncode} {r.stderr!r}")
    r = battd_run(["--http-port-file", R.path("x")])
    R.check("port_file_without_http_is_a_usage_error", r.returncode == 2 and
            "--http-port-file needs --http" in r.stderr, f"{r.returncode} {r.stderr!r}")
    r = battd_run(["--http", f"127.0.0.1:{port}"])
    status, _, _ = request(port, "GET", "/api/system")
    R.check("port_in_use_fails_at_start_and_the_running_server_goes_on",
            r.returncode == 1 and "cannot listen on 127.0.0.1:" in r.stderr and status == 200 and
            not os.path.exists(R.path("b.sock")), f"{r.returncode} {r.stderr!r} {status}")

    # The event stream is still open: the stop must end it, not wait on it.
    rc = battd.stop()
    rest = stream.response.fp.read()  # raw, to the connection's end (bounded by the socket timeout)
    stream.close()
    R.check("sigterm_with_a_stream_open_stops_clean_and_removes_the_port_file",
            rc == 0 and not os.path.exists(battd.port_file),
            f"exit {rc}, port file there: {os.path.exists(battd.port_file)}, rest {rest[:100]!r}")


R.main(main)
