#!/usr/bin/env python3
"""kill -9 at the persisted steps of driver install and uninstall leaves the
registry and the driver store in the old state or the new one, and battd
starts from either and serves.

Four operations on an out-of-tree battery driver (badmini's sources built
with battkit-driver-cc as "ootbatt", bound to a machine's BADMINI\\Good root
device): `battinf install` and `battinf uninstall` through a running battd,
and the same offline (battinf on the registry file and store itself). A
measuring run of each counts its persisted steps (crash_hook.so: every
open for writing, write, fsync, rename, unlink, mkdir, rmdir under the
state directory); then the process doing the work (battd, or the offline
battinf) is killed with SIGKILL right before step N, for points chosen from
the seed (all of them when there are few). After each kill:
  - the registry file loads and records exactly what the one without the
    package records or what the one with it does (device instances under
    Enum aside: the PnP manager writes them for the devices present, after
    the commit); the store may still hold a temp directory or a package
    directory no record names yet, which the next start's gc removes;
  - battd starts from what is on disk and serves: `battctl list` shows the
    driver's battery, and `battinf list` the package, exactly when the
    registry is the one with the package;
  - after that start registry and store are exactly the reference state
    the registry said (each reference made by the same start and stop of
    battd on a clean copy), file by file and byte for byte.
usage: kill9_install.py BIN_DIR BADMINI_SRC CRASH_HOOK_SO [SEED]"""
import difflib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
from battkit_proc import Run  # noqa: E402

BIN, SRC, HOOK = sys.argv[1:4]
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 15
MIN_POINTS = 32
MAX_POINTS = 40
DEADLINE_S = 50  # the whole test, so ctest's bound holds with room

INF = r"""; ootbatt.inf - a battery miniclass built outside the battkit tree
[Version]
Signature   = "$WINDOWS NT$"
Class       = Battery
ClassGuid   = {72631e54-78a4-11d0-bcf7-00aa00b7b32a}
Provider    = %Vendor%
DriverVer   = 05/01/2025,1.0.0.0
[DestinationDirs]
DefaultDestDir = 12
[SourceDisksNames]
1 = %Disk%
[SourceDisksFiles]
ootbatt.sys = 1
[Manufacturer]
%Vendor% = Vendor,NTamd64
[Vendor.NTamd64]
%OotBatt.DeviceDesc% = OotBatt_Inst, BADMINI\Good
[OotBatt_Inst.NT]
CopyFiles = @ootbatt.sys
[OotBatt_Inst.NT.Services]
AddService = ootbatt, 0x00000002, OotBatt_Service
[OotBatt_Service]
DisplayName    = %OotBatt.SvcDesc%
ServiceType    = 1
StartType      = 3
ErrorControl   = 1
ServiceBinary  = %12%\ootbatt.sys
[Strings]
Vendor             = "An outside vendor"
Disk               = "ootbatt disk"
OotBatt.DeviceDesc = "Out-of-tree battery"
OotBatt.SvcDesc    = "Out-of-tree battery miniclass driver"
"""

MACHINE = """[machine]
name = empty-slot
time = virtual
[ac.ADP1]
online = yes
[device.OOT]
hardware_id = BADMINI\\Good
"""

R = Run("bk-kill9-", BIN)
started = time.monotonic()


def run(args, env=None, check=True, timeout=30):
    p = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, text=True)
    if check and p.returncode != 0:
        raise RuntimeError("%s exited %d:\n%s" % (" ".join(args), p.returncode, p.stdout))
    return p


def hook_env(state, at=None, count=None):
    env = dict(os.environ)
    env["LD_PRELOAD"] = HOOK
    env["BK_CRASH_DIR"] = state
    # A sanitizer build wants its runtime first; the hook needs no checks.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0:detect_leaks=0"
    if at is not None:
        env["BK_CRASH_AT"] = str(at)
    if count is not None:
        env["BK_CRASH_COUNT"] = count
    return env


def read_count(path):
    try:
        with open(path) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def wait_socket(path, proc, bound_s=20):
    end = time.monotonic() + bound_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        if os.path.exists(path):
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(path)
                return True
            except OSError:
                pass
            finally:
                s.close()
        # A bounded poll for the daemon's socket, not a wait for time to pass.
        time.sleep(0.01)
    return False


class Battd:
    def __init__(self, state, env=None):
        self.sock = R.path("battd.sock")
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.log = open(R.path("battd.log"), "w")
        self.proc = R.start(
            [os.path.join(BIN, "battd"), "-f", "--virtual=0", "--socket", self.sock, "--machine",
             R.path("machine.ini"), "--registry", os.path.join(state, "registry"),
             "--store", os.path.join(state, "store"), "--no-history", "--pidfile",
             R.path("battd.pid"), "--log-level", "error"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.up = wait_socket(self.sock, self.proc)

    def batteries(self):
        # battctl list exits 4 when there is no battery; the JSON says it too.
        p = run([os.path.join(BIN, "battctl"), "--socket", self.sock, "--json", "list"],
                check=False)
        if p.returncode not in (0, 4):
            raise RuntimeError("battctl list exited %d:\n%s" % (p.returncode, p.stdout))
        return p.stdout.count('"path"')

    def packages(self):
        p = run([os.path.join(BIN, "battinf"), "list", "--socket", self.sock])
        return "ootbatt.inf" in p.stdout

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def snapshot(state):
    """The registry file's bytes and the store's tree with every file's bytes."""
    reg = None
    path = os.path.join(state, "registry")
    if os.path.exists(path):
        with open(path, "rb") as f:
            reg = f.read()
    tree = {}
    store = os.path.join(state, "store")
    for root, dirs, files in os.walk(store):
        rel = os.path.relpath(root, store)
        tree[rel + "/"] = None
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                tree[os.path.join(rel, name)] = f.read()
    return reg, tree


ENUM = "[\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\"


def records(reg):
    """The registry file without the PnP manager's device instances (Enum,
    which every start rewrites for the devices present) and its end line:
    what an install or uninstall records."""
    out, keep = [], True
    for line in (reg or b"").decode(errors="replace").splitlines():
        if line.startswith("["):
            keep = not line.upper().startswith(ENUM.upper())
        if keep and not line.startswith("end"):
            out.append(line)
    return out


def copy_state(src, dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)


def restart_and_check(state, op, point, refs):
    """battd from the killed state; returns which state it was ("without"
    the package or "with" it)."""
    reg, _ = snapshot(state)
    which = [k for k in refs if records(refs[k][0]) == records(reg)]
    if not which:
        diff = difflib.unified_diff(records(refs["with"][0]), records(reg), "with the package",
                                    "found", lineterm="", n=0)
        R.fail("%s killed at step %d: the registry file is neither the one without the package nor "
               "the one with it:\n%s" % (op, point, "\n".join(list(diff)[:30])))
        return None
    which = which[0]
    d = Battd(state)
    if not d.up:
        R.fail("%s killed at step %d: battd does not start from the %s-package state" %
               (op, point, which))
        d.stop()
        return which
    n, listed = d.batteries(), d.packages()
    installed = which == "with"
    if listed != installed or n != (1 if installed else 0):
        R.fail("%s killed at step %d: the registry is the one %s the package, battd serves %d "
               "batteries and %s the package" % (op, point, which, n,
                                                "lists" if listed else "does not list"))
    rc = d.stop()
    if rc != 0:
        R.fail("%s killed at step %d: battd exit status %s" % (op, point, rc))
    after = snapshot(state)
    ref = refs[which]
    if after != ref:
        if after[0] != ref[0]:
            detail = "registry differs:\n" + "\n".join(list(difflib.unified_diff(
                (ref[0] or b"").decode(errors="replace").splitlines(),
                (after[0] or b"").decode(errors="replace").splitlines(), "reference", "found",
                lineterm="", n=0))[:30])
        else:
            detail = "store differs: %s" % (sorted(set(after[1]) ^ set(ref[1])) or
                                            "file contents")
        R.fail("%s killed at step %d: after battd's start the state is not exactly the one %s "
               "the package (%s)" % (op, point, which, detail))
    return which


def main():
    pkg = R.path("pkg")
    os.makedirs(R.path("src"))
    os.makedirs(pkg)
    for name in os.listdir(SRC):
        if name.endswith((".c", ".h")):
            shutil.copy(os.path.join(SRC, name), R.path("src"))
    run([os.path.join(BIN, "battkit-driver-cc"), "-o", os.path.join(pkg, "ootbatt.so")] +
        [R.path("src", n) for n in sorted(os.listdir(R.path("src")))
         if n.endswith(".c")])
    with open(os.path.join(pkg, "ootbatt.inf"), "w") as f:
        f.write(INF)
    with open(R.path("machine.ini"), "w") as f:
        f.write(MACHINE)
    inf = os.path.join(pkg, "ootbatt.inf")

    # The two clean states, each as battd leaves it after a start and a stop.
    # Made in `state` itself, where every run works: the registry holds
    # the store's absolute paths.
    state = R.path("state")
    count = R.path("count")
    clean = {k: R.path("clean-" + k) for k in ("without", "with")}
    os.makedirs(os.path.join(state, "store"))
    d = Battd(state)
    if not d.up:
        raise RuntimeError("battd does not start on an empty state")
    d.stop()
    copy_state(state, clean["without"])
    run([os.path.join(BIN, "battinf"), "install", inf, "--registry",
         os.path.join(state, "registry"), "--store", os.path.join(state, "store"), "--offline"])
    d = Battd(state)
    d.stop()
    copy_state(state, clean["with"])
    refs = {k: snapshot(clean[k]) for k in clean}
    if refs["without"] == refs["with"]:
        raise RuntimeError("the install changed nothing on disk")

    def daemon_op(op, start_from, at):
        """battd on start_from, battinf OP through it; battd killed at step `at`
        (None: measuring). Returns (steps before the request, steps in all)."""
        copy_state(clean[start_from], state)
        if os.path.exists(count):
            os.unlink(count)
        d = Battd(state, hook_env(state, at=at, count=count))
        if not d.up:
            d.stop()
            return None, None
        before = read_count(count)
        if at is not None and before != startup[op]:
            R.fail("battd %s: %d persisted steps before the request, %d when measured" %
                   (op, before, startup[op]))
        args = [os.path.join(BIN, "battinf")] + (["install", inf] if op == "install" else
                                                 ["uninstall", "ootbatt"]) + ["--socket", d.sock]
        p = run(args, check=False)
        if at is None:
            if p.returncode != 0:
                raise RuntimeError("battinf %s through battd failed:\n%s" % (op, p.stdout))
            # The reply comes after the work; a request after it is served
            # only once the server loop is back (nothing of the install left).
            d.batteries()
            total = read_count(count)
            d.stop()
            return before, total
        try:
            d.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        killed = d.proc.returncode == -signal.SIGKILL
        if not killed:
            d.stop()
        d.log.close()
        return killed, p.returncode

    def offline_op(op, start_from, at):
        copy_state(clean[start_from], state)
        if os.path.exists(count):
            os.unlink(count)
        args = [os.path.join(BIN, "battinf")] + (["install", inf] if op == "install" else
                                                 ["uninstall", "ootbatt"]) + [
            "--registry", os.path.join(state, "registry"), "--store",
            os.path.join(state, "store"), "--offline"]
        p = run(args, env=hook_env(state, at=at, count=count), check=False)
        if at is None:
            if p.returncode != 0:
                raise RuntimeError("offline battinf %s failed:\n%s" % (op, p.stdout))
            return 0, read_count(count)
        return p.returncode == -signal.SIGKILL, p.returncode

    ops = [("battd install", daemon_op, "install", "without"),
           ("battd uninstall", daemon_op, "uninstall", "with"),
           ("offline install", offline_op, "install", "without"),
           ("offline uninstall", offline_op, "uninstall", "with")]
    ranges = []
    startup = {}
    for name, fn, op, start in ops:
        first, total = fn(op, start, None)
        if fn is daemon_op:
            startup[op] = first
        if total is None or total - first < 1:
            raise RuntimeError("%s: no persisted steps counted (%s..%s)" % (name, first, total))
        ranges.append((first, total))
        print("%s: persisted steps %d..%d" % (name, first + 1, total), flush=True)

    # The points: every step when they fit, else a seeded sample that keeps
    # each operation's first and last step.
    rng = random.Random(SEED)
    all_points = [(i, n) for i, (a, b) in enumerate(ranges) for n in range(a + 1, b + 1)]
    if len(all_points) <= MAX_POINTS:
        points = all_points
    else:
        edges = {(i, a + 1) for i, (a, b) in enumerate(ranges)} | {
            (i, b) for i, (a, b) in enumerate(ranges)}
        rest = sorted(set(all_points) - edges)
        points = sorted(edges | set(rng.sample(rest, MAX_POINTS - len(edges))))
    if len(points) < MIN_POINTS:
        R.fail("only %d persisted steps in all four operations (want %d points)" %
               (len(points), MIN_POINTS))
    seen = {"old": 0, "new": 0}
    for i, n in points:
        name, fn, op, start = ops[i]
        if time.monotonic() - started > DEADLINE_S:
            R.fail("out of time after %d of %d points" % (sum(seen.values()), len(points)))
            break
        t0 = time.monotonic()
        killed, rc = fn(op, start, n)
        print("  %s run to step %d: %.2f s" % (name, n, time.monotonic() - t0), flush=True)
        if not killed:
            R.fail("%s: not killed at step %d (exit %s)" % (name, n, rc))
            continue
        t0 = time.monotonic()
        which = restart_and_check(state, name, n, refs)
        print("  %s killed at step %d: %s the package (%.2f s)" %
              (name, n, which, time.monotonic() - t0), flush=True)
        if which:
            seen["old" if which == start else "new"] += 1
    print("%d points (seed %d): %d left the old state, %d the new; %.1f s" %
          (len(points), SEED, seen["old"], seen["new"], time.monotonic() - started))
    if not seen["old"] or not seen["new"]:
        R.fail("every point gave the same state: the points miss the commit")


def check_all():
    main()
    if not R.failures:
        R.ok("kill9_at_any_persisted_step_of_install_or_uninstall_leaves_old_or_new_state")


R.main(check_all)
