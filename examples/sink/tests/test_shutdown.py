"""Graceful stop (RFC 5321 §3.8: 421 then close) whatever the order of signals and events.

1. The use-after-free of issue 11: 50 sessions greeted; the server stopped (SIGSTOP), sent
   SIGTERM, a NOOP written on every session, then SIGCONT: the signal and the 50 inputs
   arrive in one epoll batch. Every session must get its 421, the server must exit 0.
2. The same under load: 300 sessions looping NOOP and 8 sending messages, then SIGTERM,
   twice. Every looper gets a 421, every message in new/ is whole, nothing in tmp/.
3. SIGHUP and SIGINT are graceful too: a transaction in flight may finish (250, then 421);
   one that does not finish is aborted at the end of the grace period, its tmp/ file gone.
Under ASan (the clang CI configuration) a freed session reached by a later event aborts
the server, which the exit status check reports.
"""
import os
import selectors
import signal
import smtplib
import socket
import threading
import time

from sinklib import Client, Server, check, fail, wait_for


def proc_state(pid):
    return open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[0]


def has_421(data):
    return data.startswith(b"421 ") or b"\r\n421 " in data


# ---- 1. STOP, TERM, pending input on every session, CONT -----------------------------------
for rnd in range(3):
    srv = Server("stop_term_%d" % rnd)
    clients = [Client(srv, timeout=60) for _ in range(50)]
    for c in clients:
        check(c.code() == 220, "greeting")
    os.kill(srv.pid, signal.SIGSTOP)
    wait_for(lambda: proc_state(srv.pid) in ("T", "t"), "the server to stop")
    os.kill(srv.pid, signal.SIGTERM)
    for c in clients:
        c.send(b"NOOP\r\n")
    time.sleep(0.2)  # let the input reach the server's socket buffers
    os.kill(srv.pid, signal.SIGCONT)
    for i, c in enumerate(clients):
        got = c.rest()
        check(has_421(got), "round %d session %d: no 421 after SIGTERM: %r" % (rnd, i, got))
        c.close()
    try:
        rc = srv.proc.wait(timeout=60)
    except Exception:
        fail("round %d: the server did not exit after SIGTERM" % rnd)
    check(rc == 0, "round %d: exit status %s after STOP/TERM/input/CONT (stderr: %r)"
          % (rnd, rc, open(os.path.join(srv.dir, "stderr.txt"), "rb").read()[-3000:]))
    check(not srv.tmp_files(), "round %d: files left in tmp/: %r" % (rnd, srv.tmp_files()))
print("ok: STOP/TERM/NOOP x50/CONT: 421 to every session, exit 0 (3 rounds)")


# ---- 2. under load: 300 NOOP loopers + 8 senders, then SIGTERM -------------------------------
BODY = b"Subject: load\r\n\r\n" + b"x" * 2000 + b"\r\nend of message\r\n"


def loopers(port, n, stop, stats):
    """n sessions answering every 220/250 with another NOOP; ends when the server closed all."""
    sel = selectors.DefaultSelector()
    states = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        s.setblocking(False)
        st = {"buf": b"", "tail": b""}
        states.append(st)
        sel.register(s, selectors.EVENT_READ, st)
    stats["connected"] = True
    open_n = n
    deadline = time.time() + 120
    while open_n > 0 and time.time() < deadline:
        for key, _ in sel.select(timeout=1.0):
            st = key.data
            try:
                chunk = key.fileobj.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                open_n -= 1
                continue
            st["buf"] += chunk
            st["tail"] = (st["tail"] + chunk)[-400:]
            while b"\r\n" in st["buf"]:
                line, st["buf"] = st["buf"].split(b"\r\n", 1)
                stats["replies"] += 1
                if (line.startswith(b"220 ") or line.startswith(b"250 ")) and not stop.is_set():
                    try:
                        key.fileobj.send(b"NOOP\r\n")
                    except OSError:
                        pass
    stats["open"] = open_n
    stats["no421"] = sum(1 for st in states if not has_421(st["tail"]))


def sender(port, stop, stats):
    while not stop.is_set():
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
                while not stop.is_set():
                    smtp.sendmail("s@load.test", ["r@load.test"], BODY)
                    stats["sent"] += 1
        except (smtplib.SMTPException, OSError):
            return


for rnd in range(2):
    srv = Server("load_%d" % rnd)
    stop = threading.Event()
    stats = {"replies": 0, "sent": 0, "connected": False}
    lt = threading.Thread(target=loopers, args=(srv.port, 300, stop, stats))
    lt.start()
    wait_for(lambda: stats["connected"], "300 loopers to connect", timeout=120)
    senders = [threading.Thread(target=sender, args=(srv.port, stop, stats)) for _ in range(8)]
    for t in senders:
        t.start()
    wait_for(lambda: stats["sent"] >= 16 and stats["replies"] >= 1500, "load to build up", timeout=120)
    srv.stop()  # SIGTERM while loopers and senders are busy: exit 0, nothing in tmp/
    stop.set()
    lt.join(timeout=150)
    check(not lt.is_alive(), "loopers still connected after the server exited")
    for t in senders:
        t.join(timeout=60)
    check(stats["open"] == 0, "round %d: %d loopers never saw the server close" % (rnd, stats["open"]))
    check(stats["no421"] == 0, "round %d: %d loopers got no 421" % (rnd, stats["no421"]))
    msgs = srv.messages()
    check(len(msgs) >= 16, "round %d: only %d messages in new/" % (rnd, len(msgs)))
    for m in msgs:
        check(m.endswith(b"end of message\r\n") and b"x" * 2000 in m, "round %d: a partial message in new/" % rnd)
print("ok: SIGTERM under load (300 NOOP loopers + 8 senders): exit 0, whole messages only, tmp/ empty (2 rounds)")


# ---- 3. SIGHUP and SIGINT: graceful --------------------------------------------------------
for sig in (signal.SIGHUP, signal.SIGINT):
    srv = Server("sig_%d" % sig)
    idle = Client(srv, timeout=60)
    busy = Client(srv, timeout=60)
    stuck = Client(srv, timeout=60)
    for c in (idle, busy, stuck):
        check(c.code() == 220, "greeting")
        c.send(b"EHLO c.test\r\n")
        check(c.code() == 250, "EHLO")
    for c in (busy, stuck):
        c.send(b"MAIL FROM:<a@b.test>\r\n")
        check(c.code() == 250, "MAIL")
        c.send(b"RCPT TO:<r@b.test>\r\n")
        check(c.code() == 250, "RCPT")
        c.send(b"DATA\r\n")
        check(c.code() == 354, "DATA")
        c.send(b"Subject: half\r\n\r\nfirst half\r\n")
    wait_for(lambda: len(srv.tmp_files()) == 2, "two tmp/ files")
    os.kill(srv.pid, sig)
    got = idle.rest()  # between transactions: 421 at once
    check(has_421(got), "signal %d: idle session: %r" % (sig, got))
    busy.send(b"second half\r\n.\r\n")
    r = busy.reply()
    check(r.startswith(b"250 "), "signal %d: the transaction in flight must finish: %r" % (sig, r))
    check(has_421(busy.rest()), "signal %d: no 421 after the last transaction" % sig)
    # 'stuck' never finishes: aborted at the end of the grace period, its tmp/ file removed.
    try:
        rc = srv.proc.wait(timeout=90)
    except Exception:
        fail("signal %d: the server did not exit" % sig)
    check(rc == 0, "signal %d: exit status %s" % (sig, rc))
    check(not srv.tmp_files(), "signal %d: files left in tmp/: %r" % (sig, srv.tmp_files()))
    msgs = srv.messages()
    check(len(msgs) == 1 and msgs[0].endswith(b"first half\r\nsecond half\r\n"),
          "signal %d: the finished message must be in new/, whole: %r" % (sig, msgs))
    for c in (idle, busy, stuck):
        c.close()
print("ok: SIGHUP and SIGINT are graceful (finish, 421, abort at the grace end, tmp/ empty)")
