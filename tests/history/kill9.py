#!/usr/bin/env python3
"""history_kill9_keeps_every_committed_row: battd writing history fast
(--virtual=2000, a sample every virtual second) is killed with SIGKILL at
random moments, five times over one file. Before each kill a separate
reader notes the rows it can see (committed); after it, the file must pass
PRAGMA integrity_check and still hold every one of them, and the next battd
must open it and go on writing."""
import os, random, signal, sqlite3, subprocess, sys, tempfile, time

bindir, here = sys.argv[1], os.path.dirname(os.path.abspath(__file__))
d = tempfile.mkdtemp()
env = dict(os.environ, BATTKIT_STATE_DIR=d, BATTKIT_SOCKET=d + "/s.sock")
db = d + "/history.db"
rng = random.Random(int(os.environ.get("SEED", time.time())))
log = open(d + "/log", "w")

def seen():
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        rows = set(c.execute("SELECT id, battery, t_ms, capacity_mwh FROM sample"))
    except sqlite3.OperationalError:  # not created yet
        rows = set()
    finally:
        c.close()
    return rows

committed = set()
for round in range(5):
    p = subprocess.Popen([bindir + "/battd", "-f", "--virtual=2000", "--history-interval", "1",
                          "--socket", d + "/s.sock", "-m", here + "/swap.ini"], env=env, stderr=log)
    deadline = time.time() + 10
    while not (os.path.exists(db) and len(seen()) > len(committed)):  # bounded: battd writing
        if time.time() > deadline or p.poll() is not None:
            sys.exit("FAIL battd wrote nothing in 10 s (round %d)" % round)
        time.sleep(0.02)
    time.sleep(rng.uniform(0, 0.3))  # the random moment of the kill, not a wait for anything
    before = seen()
    p.send_signal(signal.SIGKILL)
    p.wait()
    os.unlink(d + "/s.sock")
    c = sqlite3.connect(db)
    ok = c.execute("PRAGMA integrity_check").fetchone()[0]
    after = set(c.execute("SELECT id, battery, t_ms, capacity_mwh FROM sample"))
    c.close()
    lost = before - after
    print("round %d: %d rows seen before the kill, %d after, integrity %s" % (round, len(before), len(after), ok))
    if ok != "ok" or lost or not committed <= after:
        sys.exit("FAIL round %d: integrity %s, %d committed rows lost" % (round, ok, len(lost)))
    committed = after
print("ok   every committed row survived five SIGKILLs")
