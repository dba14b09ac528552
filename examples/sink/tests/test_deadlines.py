"""Deadlines that progress must meet, not activity (RFC 5321 §4.5.3.2; issue 11): a client
that drips a byte at a time keeps the idle timer (--timeout) quiet, but not
  --command-timeout      a whole command line (§4.5.3.2.7: 5 minutes by default),
  --data-timeout         every data block of 64 KiB of body (§4.5.3.2.5: 3 minutes),
  --dot-timeout          the whole body, 354 / first BDAT to its end (§4.5.3.2.6: 10 minutes),
  --transaction-timeout  MAIL to the final reply (30 minutes);
each ends the session with 421 4.4.2 and leaves nothing in tmp/ or new/. The tests use
limits of a few seconds and a generous idle timer; they wait for the server's reply
(select), never for a fixed time, and fail only if the drip could finish unharmed.
"""
import os
import select
import smtplib
import subprocess

from sinklib import EXE, Client, Server, check, fail, fresh_dir

IDLE = ("--timeout", "300")


def drip(c, chunks, interval, what):
    """Sends the chunks one by one, `interval` apart, until the server says something."""
    for ch in chunks:
        r, _, _ = select.select([c.s], [], [], interval)
        if r:
            return c.rest()
        try:
            c.send(ch)
        except OSError:
            return c.rest()
    fail("%s: the client dripped its whole input and was never cut off" % what)


def session(srv, upto):
    c = Client(srv, timeout=120)
    check(c.code() == 220, "greeting")
    steps = [(b"EHLO drip.test", 250), (b"MAIL FROM:<a@d.test>", 250), (b"RCPT TO:<b@d.test>", 250),
             (b"DATA", 354)]
    for cmd, want in steps[:upto]:
        c.send(cmd + b"\r\n")
        check(c.code() == want, cmd.decode())
    return c


def expect_cut(srv, got, what):
    check(got.startswith(b"421 4.4.2"), "%s: want 421 4.4.2, got %r" % (what, got[:200]))
    check(not srv.tmp_files(), "%s: files left in tmp/" % what)
    check(not srv.messages(), "%s: a message was delivered" % what)


SMALL = ("--command-timeout", "3", "--data-timeout", "3", "--dot-timeout", "5", "--transaction-timeout", "8")

# A client that keeps up is not hurt by small limits.
srv = Server("prompt", *(IDLE + SMALL))
with smtplib.SMTP("127.0.0.1", srv.port, timeout=60) as smtp:
    for i in range(3):
        smtp.sendmail("a@d.test", ["b@d.test"], b"Subject: %d\r\n\r\n" % i + b"y" * 200000 + b"\r\n")
check(len(srv.messages()) == 3, "prompt client: 3 messages delivered")
srv.stop()
print("ok: a prompt client delivers under small limits")

# One byte of a command line every 0.4 s (the idle timer never fires).
srv = Server("command", *(IDLE + ("--command-timeout", "2")))
c = session(srv, 0)
got = drip(c, [bytes([b]) for b in b"EHLO " + b"d" * 200 + b"\r\n"], 0.4, "command")
expect_cut(srv, got, "command")
c.close()
srv.stop()
print("ok: a command line dripped byte by byte: 421 4.4.2 (--command-timeout)")

# One byte of body every 0.3 s after the 354.
srv = Server("data", *(IDLE + ("--data-timeout", "2")))
c = session(srv, 4)
got = drip(c, [b"z"] * 400, 0.3, "data block")
expect_cut(srv, got, "data block")
c.close()
srv.stop()
print("ok: a body dripped byte by byte: 421 4.4.2 (--data-timeout)")

# 70 KiB every 0.3 s: every data block is on time, the whole body is not.
srv = Server("dot", *(IDLE + ("--dot-timeout", "3")))
c = session(srv, 4)
got = drip(c, [b"w" * 998 + b"\r\n"] * 70 * 400, 0.005, "whole body")
expect_cut(srv, got, "whole body")
c.close()
srv.stop()
print("ok: a body that never ends: 421 4.4.2 (--dot-timeout)")

# A huge BDAT chunk fed slowly: the transaction's deadline ends it.
srv = Server("bdat", *(IDLE + ("--transaction-timeout", "3")))
c = session(srv, 3)
c.send(b"BDAT 9000000 LAST\r\n")
got = drip(c, [b"v" * 1024] * 400, 0.3, "transaction")
expect_cut(srv, got, "transaction")
c.close()
srv.stop()
print("ok: a huge BDAT chunk sent slowly: 421 4.4.2 (--transaction-timeout)")

# --stdio (inetd style) keeps the same deadlines.
d = fresh_dir("stdio")
p = subprocess.Popen([EXE, "--stdio", "--maildir", os.path.join(d, "Maildir"), "--hostname", "sink.test",
                      "--timeout", "300", "--command-timeout", "2"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
check(p.stdout.readline().startswith(b"220 "), "stdio greeting")
got = b""
for b in b"EHLO " + b"s" * 200 + b"\r\n":
    r, _, _ = select.select([p.stdout], [], [], 0.4)
    if r:
        got = p.stdout.read()
        break
    try:
        p.stdin.write(bytes([b]))
        p.stdin.flush()
    except BrokenPipeError:
        break
else:
    fail("stdio: the client dripped its whole command line and was never cut off")
check(got.startswith(b"421 4.4.2"), "stdio: want 421 4.4.2, got %r" % got[:200])
check(p.wait(timeout=30) == 0, "stdio: exit status")
print("ok: --stdio: a command line dripped byte by byte: 421 4.4.2")
