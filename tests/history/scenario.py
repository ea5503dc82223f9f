"""The scripted virtual week on swap.ini, shared by tests/history and
tests/report: battd on --virtual=0 in a temp state folder, driven through
battctl (daily: AC off at 08:00 for 3 h at 8 W; BAT0 swapped for BAT1 on
day 3 at 12:00). run_week() returns what was scripted."""
import os, signal, subprocess, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1767571200000  # 2026-01-05T00:00:00Z, the machine's start_time
H = 3600 * 1000
DAY = 24 * H


class Week:
    def __init__(self, bindir):
        self.bindir = bindir
        self.d = tempfile.mkdtemp()
        self.env = dict(os.environ, BATTKIT_STATE_DIR=self.d, BATTKIT_SOCKET=self.d + "/s.sock")
        self.db = self.d + "/history.db"
        self.expected = []  # (virtual ms since T0, "ac", value)
        self.swap = None
        self.now = 0

    def ctl(self, *args):
        subprocess.run([self.bindir + "/battctl", *args], env=self.env, check=True,
                       stdout=subprocess.DEVNULL)

    def advance_to(self, t):
        if t > self.now:
            self.ctl("sim", "advance", "%ds" % ((t - self.now) // 1000))
            self.now = t

    def run(self):
        """Runs the week; returns battd's exit status after SIGTERM."""
        log = open(self.d + "/log", "w")
        battd = subprocess.Popen([self.bindir + "/battd", "-f", "--virtual=0", "--socket",
                                  self.d + "/s.sock", "-m", HERE + "/swap.ini", "-l",
                                  os.environ.get("HLOG", "info")], env=self.env, stderr=log)
        for _ in range(200):  # bounded wait for the socket
            if os.path.exists(self.d + "/s.sock"):
                break
            time.sleep(0.05)
        else:
            battd.kill()
            raise SystemExit("FAIL battd did not start")
        for day in range(7):
            self.advance_to(day * DAY + 8 * H)
            self.ctl("sim", "ac", "off")
            self.expected.append((self.now, "ac", 0))
            self.advance_to(day * DAY + 11 * H)
            self.ctl("sim", "ac", "on")
            self.expected.append((self.now, "ac", 1))
            if day == 3:
                self.advance_to(day * DAY + 12 * H)
                self.ctl("sim", "remove", "BAT0")
                self.ctl("sim", "insert", "BAT1")
                self.swap = self.now
        self.advance_to(7 * DAY)
        battd.send_signal(signal.SIGTERM)
        return battd.wait(timeout=60)

    def log(self):
        return open(self.d + "/log").read()
