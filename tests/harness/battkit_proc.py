"""Process plumbing for battkit's Python tests: one run's temp folder, the
children it starts (every one stopped at the end, pass or fail), ok/FAIL
lines and their count, polls with a deadline, battd started on a socket
(and an HTTP port file) in that folder, free loopback ports. What a test
checks stays in the test. Scripts find this file beside their own folder:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "harness"))"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

COMMAND_S = 60  # bound on one short command (battctl, busctl, ...): a hang fails


class Run:
    """One test run. BIN is the build's bin folder (ctest passes it first)."""

    def __init__(self, prefix, bin_dir, deadline_s=20, poll_s=0.02):
        self.bin = bin_dir
        self.deadline_s = deadline_s
        self.poll_s = poll_s
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.procs = []
        self.failures = 0

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def exe(self, name):
        return os.path.join(self.bin, name)

    # ---- reporting ----
    def ok(self, msg):
        print("ok   " + msg, flush=True)

    def fail(self, msg):
        self.failures += 1
        print("FAIL " + msg, flush=True)

    def check(self, name, cond, detail=None):
        """ok NAME when cond holds, else FAIL NAME: DETAIL (a named check)."""
        if cond:
            self.ok(name)
        else:
            self.fail(name if detail is None else f"{name}: {detail}")
        return bool(cond)

    def wait_for(self, what, pred, timeout=None):
        """pred()'s first true value; SystemExit (a failure) past the deadline."""
        timeout = self.deadline_s if timeout is None else timeout
        end = time.monotonic() + timeout
        while True:
            r = pred()
            if r:
                return r
            if time.monotonic() > end:
                raise SystemExit(f"FAIL timed out ({timeout} s) waiting for {what}")
            time.sleep(self.poll_s)  # a poll with a deadline

    # ---- children ----
    def start(self, argv, log=None, **popen):
        """A child, stopped at the end; with log, its output goes to WORK/log."""
        if log is not None:
            with open(self.path(log), "w") as f:
                p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, **popen)
        else:
            p = subprocess.Popen(argv, **popen)
        self.procs.append(p)
        return p

    def run(self, argv, expect=0, **kw):
        """A short command, output captured; exit code other than expect (None:
        any) is a failure."""
        r = subprocess.run(argv, capture_output=True, text=True, timeout=COMMAND_S, **kw)
        if expect is not None and r.returncode != expect:
            raise SystemExit(f"FAIL {' '.join(argv)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
        return r

    def battd(self, *args, name="battd", http=True, env=None):
        return Battd(self, name, args, http, env)

    def cleanup(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for p in reversed(self.procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if self.failures:
            for f in sorted(os.listdir(self.work)):
                if f.endswith(".log"):
                    with open(self.path(f), errors="replace") as log:
                        print(f"--- {f} (last lines)\n" + "".join(log.readlines()[-20:]))
        shutil.rmtree(self.work, ignore_errors=True)

    def main(self, body):
        """Runs body, counts a SystemExit or an exception as a failure, stops
        every child, exits 1 on any failure, 0 otherwise."""
        try:
            body()
        except SystemExit as e:
            if e.code not in (None, 0):
                self.fail(str(e.code).removeprefix("FAIL "))
        except Exception:  # noqa: BLE001 - a harness error is the test's failure
            traceback.print_exc()
            self.fail("the test raised")
        finally:
            self.cleanup()
        if self.failures:
            print(f"{self.failures} failures", flush=True)
        sys.exit(1 if self.failures else 0)


class Battd:
    """battd -f --virtual=0 --no-history --socket WORK/NAME.sock ARGS, with
    http also --http 127.0.0.1:0 --http-port-file WORK/NAME.port; output in
    WORK/NAME.log, state in WORK. Returns once the socket (and a whole port
    file: written by rename, ending in a newline) is there."""

    def __init__(self, run, name, args, http, env):
        self.run, self.name = run, name
        self.sock = run.path(name + ".sock")
        self.log = run.path(name + ".log")
        self.port_file = run.path(name + ".port") if http else None
        self.env = dict(os.environ if env is None else env, BATTKIT_STATE_DIR=run.work,
                        BATTKIT_SOCKET=self.sock)
        argv = [run.exe("battd"), "-f", "--virtual=0", "--no-history", "--socket", self.sock,
                *args]
        if http:
            argv += ["--http", "127.0.0.1:0", "--http-port-file", self.port_file]
        self.proc = run.start(argv, log=name + ".log", env=self.env)
        self.port = run.wait_for(f"{name}'s socket" + (" and port file" if http else ""),
                                 self._ready)

    def _ready(self):
        self.alive()
        if not os.path.exists(self.sock):
            return None
        if self.port_file is None:
            return True
        try:
            with open(self.port_file) as f:
                text = f.read()
            return int(text) if text.endswith("\n") else None
        except (FileNotFoundError, ValueError):
            return None

    def alive(self):
        if self.proc.poll() is not None:
            with open(self.log, errors="replace") as f:
                raise SystemExit(f"FAIL {self.name} exited ({self.proc.returncode}):\n{f.read()}")
        return True

    def ctl(self, *args, expect=0):
        """battctl --socket NAME.sock ARGS; its stdout."""
        return self.run.run([self.run.exe("battctl"), "--socket", self.sock, *args],
                            expect=expect, env=self.env).stdout

    def stop(self):
        """SIGTERM; battd's exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=self.run.deadline_s)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(port, method, path, headers=None, timeout=20):
    """One HTTP request to 127.0.0.1:PORT: (status, headers, body bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


class EventStream:
    """GET /events on 127.0.0.1:PORT (server-sent events); next() is the next
    event's data, parsed. Reads are bounded by the socket timeout."""

    def __init__(self, port, timeout=20):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.conn.request("GET", "/events")
        self.response = self.conn.getresponse()

    def next(self):
        data = None
        while True:
            line = self.response.fp.readline().decode()
            if not line:
                raise SystemExit("FAIL /events ended")
            if line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "\n" and data is not None:
                return data

    def until(self, pred, first):
        """The first event from `first` on (first itself included) pred holds for."""
        seen = first
        while not pred(seen):
            seen = self.next()
        return seen

    def close(self):
        self.conn.close()
