"""Hostile sessions against smtpp-sink: end-of-data sequences other than CRLF.CRLF (SMTP
smuggling; RFC 5321 §2.3.8, §4.1.1.4) with smuggled commands behind them, STARTTLS with
pipelined commands (CVE-2011-0411), a 100 KB line, byte-at-a-time clients beside fast ones,
a client that vanishes mid-DATA, plus BDAT, LMTP per-recipient replies and SMTPUTF8 on the
raw wire."""
import os
import socket
import ssl
import threading
import time

from sinklib import HAVE_TLS, Client, Server, check, expect_one, fail, make_cert, stored

SMUGGLING = [b"\n.\n", b"\n.\r\n", b"\r\n.\n", b"\r.\r", b"\r.\n", b"\n.\r", b"\r.\r\n", b"\r\n.\r",
             b"\r\n.\r\r\n", b"\r\r\n.\r\r\n", b"\r\n\0.\r\n", b"\r\n.\0\r\n"]
SMUGGLED = b"MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<victim@sink.test>\r\nDATA\r\n" \
           b"From: ceo@sink.test\r\nSubject: smuggled\r\n\r\nwire money\r\n"


def session_start(c, helo=b"EHLO client.test\r\n"):
    check(c.code() == 220, "greeting")
    c.send(helo)
    check(c.code() == 250, "EHLO")


def transaction(c, rcpts=(b"b@sink.test",), mail=b"MAIL FROM:<a@c.test>\r\n"):
    c.send(mail + b"".join(b"RCPT TO:<" + r + b">\r\n" for r in rcpts) + b"DATA\r\n")
    codes = [c.code() for _ in range(len(rcpts) + 2)]
    check(codes == [250] * (len(rcpts) + 1) + [354], "transaction replies %r" % codes)


for mode in ("reject", "normalize"):
    srv = Server("smuggle-" + mode, "--bare-lf", mode)
    for seq in SMUGGLING:
        c = Client(srv)
        session_start(c)
        transaction(c)
        c.send(b"Subject: legit\r\n\r\nhello" + seq + SMUGGLED + b"\r\n.\r\nQUIT\r\n")
        replies = c.rest()
        c.close()
        msgs = srv.messages()
        what = "smuggling %r (%s)" % (seq, mode)
        check(len(msgs) <= 1, what + ": more than one message")
        check(b"250 2.1.0" not in replies and b"354" not in replies,
              what + ": a second transaction was answered: %r" % replies)
        check(replies.endswith(b"221 2.0.0 sink.test closing connection\r\n") or b"221 " in replies,
              what + ": session did not end with QUIT: %r" % replies)
        if msgs:
            check(b"MAIL FROM:<evil@attacker.test>" in msgs[0] and msgs[0].count(b"Return-Path:") == 1,
                  what + ": the smuggled commands must be content of the one message")
            check(replies.startswith(b"250 2.0.0"), what + ": accepted once")
        else:
            check(replies[:1] == b"5", what + ": refused at the real end: %r" % replies)
        if mode == "reject" and seq != b"\r\n.\r\n":
            check(not msgs, what + ": strict mode must refuse the message")
        srv.clear()
    srv.stop()

srv = Server("hostile")

# Pipelining sync points (RFC 2920 §3.1, Postfix): EHLO followed by more input → 554, close.
c = Client(srv)
check(c.code() == 220, "greeting")
c.send(b"EHLO client.test\r\nNOOP\r\n")
r = c.rest()
check(r.startswith(b"554 5.5.0") and b"250" not in r, "sync violation: %r" % r)

# A 100 KB command line: 500 5.5.2, the session goes on; a 100 KB body line is content.
c = Client(srv)
session_start(c)
c.send(b"NOOP " + b"x" * 100000 + b"\r\n")
r = c.reply()
check(r.startswith(b"500 5.5.2"), "100 KB line: %r" % r[:80])
c.send(b"NOOP\r\n")
check(c.code() == 250, "session continues after the long line")
transaction(c)
body = b"Subject: long\r\n\r\n" + b"y" * 100000 + b"\r\n"
c.send(body + b".\r\n")
check(c.code() == 250, "long body line accepted")
c.send(b"QUIT\r\n")
check(c.code() == 221, "QUIT")
expect_one(srv, stored(b"a@c.test", [b"b@sink.test"], body), "100 KB body line")

# A client that disconnects mid-DATA: nothing delivered, nothing left in tmp/.
c = Client(srv)
session_start(c)
transaction(c)
c.send(b"Subject: cut\r\n\r\n" + b"z" * 50000)
time.sleep(0.2)
c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
c.close()
time.sleep(0.5)
check(srv.messages() == [], "nothing delivered after a disconnect mid-DATA")
check(os.listdir(os.path.join(srv.maildir, "tmp")) == [], "tmp/ empty after a disconnect mid-DATA")

# BDAT (RFC 3030): MAIL, RCPT, BDAT LAST in one packet (RFC 2920 §3.1, RFC 3030 §2); two
# chunks; a refused chunk's octets are consumed, never read as commands.
c = Client(srv)
session_start(c)
c.send(b"MAIL FROM:<a@c.test>\r\nRCPT TO:<b@sink.test>\r\nBDAT 5 LAST\r\nhello")
check([c.code() for _ in range(3)] == [250, 250, 250], "pipelined BDAT LAST")
expect_one(srv, stored(b"a@c.test", [b"b@sink.test"], b"hello"), "BDAT LAST")
c.send(b"MAIL FROM:<a@c.test>\r\nRCPT TO:<b@sink.test>\r\nBDAT 7\r\nline 1\nBDAT 10 LAST\r\n\r\nline 2\r\n")
codes = [c.code() for _ in range(4)]
check(codes == [250, 250, 550, 503], "bare LF in a text BDAT chunk: 550, then LAST 503: %r" % codes)
check(srv.messages() == [], "nothing stored for a refused BDAT body")
c.send(b"MAIL FROM:<a@c.test>\r\nRCPT TO:<b@sink.test>\r\nBDAT 8\r\nline 1\r\nBDAT 8 LAST\r\nline 2\r\n")
codes = [c.code() for _ in range(4)]
check(codes == [250, 250, 250, 250], "two chunks: %r" % codes)
expect_one(srv, stored(b"a@c.test", [b"b@sink.test"], b"line 1\r\nline 2\r\n"), "BDAT two chunks")
c.send(b"BDAT 34 LAST\r\nRSET\r\nMAIL FROM:<e@x.test>\r\nNOOP\r\n")
r = c.reply()
check(r.startswith(b"503"), "BDAT without MAIL: %r" % r)
c.send(b"QUIT\r\n")
check(c.code() == 221, "the refused chunk's octets were not read as commands")

# SMTPUTF8 on the raw wire (RFC 6531 §3.4).
c = Client(srv)
session_start(c)
transaction(c, rcpts=("zoë@sink.test".encode(),), mail="MAIL FROM:<jöran@c.test> SMTPUTF8\r\n".encode())
c.send(b"Subject: utf8\r\n\r\nok\r\n.\r\n")
check(c.code() == 250, "SMTPUTF8 message")
expect_one(srv, stored("jöran@c.test".encode(), ["zoë@sink.test".encode()], b"Subject: utf8\r\n\r\nok\r\n"),
           "SMTPUTF8")

# Too many errors: 421 and close (Postfix smtpd_hard_error_limit).
c = Client(srv)
check(c.code() == 220, "greeting")
for _ in range(30):
    c.send(b"BOGUS\r\n")
    r = c.reply()
    if r.startswith(b"421"):
        break
check(r.startswith(b"421 4.7.0"), "error limit: %r" % r)

# Byte-at-a-time clients beside fast ones: every message delivered whole.
errors = []


def slow(i):
    try:
        cl = Client(srv, timeout=60)
        check(cl.code() == 220, "greeting")
        for cmd in [b"EHLO slow.test\r\n", b"MAIL FROM:<slow%d@c.test>\r\n" % i, b"RCPT TO:<b@sink.test>\r\n",
                    b"DATA\r\n", b"Subject: slow %d\r\n\r\nbyte by byte\r\n.\r\n" % i, b"QUIT\r\n"]:
            for k in range(len(cmd)):
                cl.send(cmd[k:k + 1])
                time.sleep(0.002)
            cl.reply()
        cl.close()
    except Exception as e:  # noqa: BLE001 - reported below
        errors.append("slow %d: %r" % (i, e))


def fast(i):
    try:
        cl = Client(srv, timeout=60)
        session_start(cl)
        for k in range(20):
            transaction(cl, mail=b"MAIL FROM:<fast%d.%d@c.test>\r\n" % (i, k))
            cl.send(b"Subject: fast\r\n\r\nquick\r\n.\r\n")
            check(cl.code() == 250, "fast message")
        cl.send(b"QUIT\r\n")
        cl.reply()
        cl.close()
    except BaseException as e:  # noqa: BLE001 - check() exits; report instead
        errors.append("fast %d: %r" % (i, e))


threads = [threading.Thread(target=slow, args=(i,)) for i in range(3)] + \
          [threading.Thread(target=fast, args=(i,)) for i in range(5)]
for t in threads:
    t.start()
for t in threads:
    t.join(90)
check(not errors, "concurrent clients: %r" % errors)
msgs = srv.messages()
check(len(msgs) == 3 + 5 * 20, "slow + fast: %d messages" % len(msgs))
for i in range(3):
    want = stored(b"slow%d@c.test" % i, [b"b@sink.test"], b"Subject: slow %d\r\n\r\nbyte by byte\r\n" % i)
    check(want in msgs, "slow message %d stored whole" % i)
srv.clear()
srv.stop()

# LMTP (RFC 2033 §4.2): one reply per accepted recipient after the body; a refused body
# gets one refusal per recipient.
srv = Server("lmtp", "--lmtp", "--max-recipients", "2")
c = Client(srv)
session_start(c, helo=b"LHLO client.test\r\n")
c.send(b"MAIL FROM:<a@c.test>\r\nRCPT TO:<b@sink.test>\r\nRCPT TO:<c@sink.test>\r\nRCPT TO:<d@sink.test>\r\nDATA\r\n")
codes = [c.code() for _ in range(5)]
check(codes == [250, 250, 250, 452, 354], "LMTP envelope: %r" % codes)
c.send(b"Subject: lmtp\r\n\r\nhi\r\n.\r\n")
check([c.code(), c.code()] == [250, 250], "one 250 per recipient")
expect_one(srv, stored(b"a@c.test", [b"b@sink.test", b"c@sink.test"], b"Subject: lmtp\r\n\r\nhi\r\n"), "LMTP")
transaction(c, rcpts=(b"b@sink.test", b"c@sink.test"))
c.send(b"Subject: lmtp\r\n\r\nbare\nLF\r\n.\r\n")
check([c.code(), c.code()] == [550, 550], "one refusal per recipient")
check(srv.messages() == [], "nothing stored for the refused LMTP body")
srv.stop()

# STARTTLS with commands pipelined behind it (CVE-2011-0411): never answered.
if HAVE_TLS:
    srv = Server("tls0")
    cert, key = make_cert(srv.dir)
    srv.stop()
    srv = Server("tls", "--tls-cert", cert, "--tls-key", key)
    c = Client(srv)
    session_start(c)
    c.send(b"STARTTLS\r\nRSET\r\nMAIL FROM:<a@c.test>\r\n")
    r = c.rest()
    check(b"250" not in r and (r.startswith(b"554 5.5.0") or r.startswith(b"220 2.0.0")),
          "STARTTLS with pipelined commands: %r" % r)
    # Plaintext sent after the 220 instead of a handshake is never read as commands.
    c = Client(srv)
    session_start(c)
    c.send(b"STARTTLS\r\n")
    check(c.code() == 220, "STARTTLS")
    c.send(b"RSET\r\nNOOP\r\n")
    r = c.rest()
    check(b"250" not in r, "plaintext after STARTTLS answered: %r" % r)
    # A real handshake after STARTTLS: the session is reset (RFC 3207 §4.2).
    c = Client(srv)
    session_start(c)
    c.send(b"STARTTLS\r\n")
    check(c.code() == 220, "STARTTLS")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c.s = ctx.wrap_socket(c.s)
    c.send(b"MAIL FROM:<a@c.test>\r\n")
    check(c.code() == 503, "MAIL after TLS needs a new EHLO")
    c.send(b"EHLO client.test\r\n")
    r = c.reply()
    check(b"STARTTLS" not in r, "no STARTTLS inside TLS")
    transaction(c)
    c.send(b"Subject: tls\r\n\r\nsecret\r\n.\r\n")
    check(c.code() == 250, "message over TLS")
    expect_one(srv, stored(b"a@c.test", [b"b@sink.test"], b"Subject: tls\r\n\r\nsecret\r\n"), "over TLS")
    srv.stop()
print("ok")
