"""Connection caps (issue 11): beyond --max-connections, or --max-per-ip sessions from one
address, a new client gets 421 4.7.0 at once (RFC 5321 §3.8: a server may refuse a
connection with 421 in place of its greeting) and is closed; a free slot is reused.
Without --max-connections the cap is derived from the descriptor limit (half of it, less
a few for the process), so a client is refused cleanly instead of failing a delivery for
want of a descriptor for its tmp/ file (the 451 of issue 11 with RLIMIT_NOFILE 32).
"""
import resource
import smtplib
import socket

from sinklib import Client, Server, check, wait_for


def greeting(port, source="127.0.0.1"):
    s = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0))
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = s.recv(512)
        if not chunk:
            break
        data += chunk
    return s, data


def refused(port, source="127.0.0.1"):
    s, g = greeting(port, source)
    check(g.startswith(b"421 4.7.0 "), "want 421 4.7.0, got %r" % g)
    s.settimeout(30)
    check(s.recv(512) == b"", "a refused client must be closed at once")
    s.close()


# --max-connections 5
srv = Server("maxconn", "--max-connections", "5")
held = [Client(srv) for _ in range(5)]
for c in held:
    check(c.code() == 220, "greeting within the cap")
for _ in range(3):
    refused(srv.port)
held.pop().close()


def slot_free():
    s, g = greeting(srv.port)
    s.close()
    return g.startswith(b"220 ")


wait_for(slot_free, "a freed slot to be reused", timeout=60, step=0.2)
for c in held:
    c.close()
srv.stop()
print("ok: --max-connections 5: the 6th client gets 421 4.7.0 and is closed; a freed slot is reused")

# --max-per-ip 2: a third session from 127.0.0.1 is refused, one from 127.0.0.2 is not.
srv = Server("maxip", "--max-per-ip", "2")
a = [Client(srv) for _ in range(2)]
for c in a:
    check(c.code() == 220, "greeting")
refused(srv.port)
other, g = greeting(srv.port, "127.0.0.2")
check(g.startswith(b"220 "), "another address is not limited: %r" % g)
other.close()
a.pop().close()
wait_for(slot_free, "a freed per-address slot", timeout=60, step=0.2)
for c in a:
    c.close()
srv.stop()
print("ok: --max-per-ip 2: the 3rd session from one address gets 421 4.7.0, another address is served")


# The default cap with RLIMIT_NOFILE 32: (32 - 16) / 2 = 8 sessions, the rest refused
# with 421 4.7.0; every accepted session can still deliver (it has a descriptor for tmp/).
def limit_fds():
    resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))


srv = Server("nofile", preexec_fn=limit_fds)
socks = []
codes = []
for _ in range(20):
    s, g = greeting(srv.port)
    codes.append(g[:9])
    socks.append(s)
check(codes.count(b"220 sink.") == 8 and codes.count(b"421 4.7.0") == 12,
      "RLIMIT_NOFILE 32: want 8 greetings and 12 refusals, got %r" % codes)
for s in socks:
    s.close()
clients = []


def eight_greeted():  # the server notices the closes asynchronously: retry until 8 are in
    c = Client(srv)
    if c.code() == 220:
        clients.append(c)
    else:
        c.close()
    return len(clients) == 8


wait_for(eight_greeted, "8 sessions once the others left", timeout=60, step=0.1)
for c in clients:
    c.send(b"HELO c.test\r\n")
    check(c.code() == 250, "HELO")
    c.send(b"MAIL FROM:<a@d.test>\r\n")
    check(c.code() == 250, "MAIL")
    c.send(b"RCPT TO:<b@d.test>\r\n")
    check(c.code() == 250, "RCPT")
    c.send(b"DATA\r\n")
    check(c.code() == 354, "DATA")
    c.send(b"Subject: x\r\n\r\nfits\r\n")
for c in clients:  # eight tmp/ files open at once, then delivered
    c.send(b".\r\n")
    r = c.reply()
    check(r.startswith(b"250 "), "delivery at the descriptor cap: %r" % r)
    c.close()


def one_more():
    try:
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=60) as smtp:
            smtp.sendmail("a@d.test", ["b@d.test"], b"Subject: y\r\n\r\nafter\r\n")
        return True
    except smtplib.SMTPConnectError:  # 421 4.7.0 until the server has seen the closes
        return False


wait_for(one_more, "a session after the others left", timeout=60, step=0.2)
check(len(srv.messages()) == 9, "9 messages delivered")
srv.stop()
print("ok: default cap from RLIMIT_NOFILE 32: 8 sessions, 421 4.7.0 beyond, no 451 for want of descriptors")
