"""Bounded memory per connection whatever the options (issue 11): a client that writes and
never reads its replies must not make the server queue them without limit. The server
stops reading from a client while more than 64 KiB of its replies are unsent (keeping at
most one read buffer of input aside) and resumes when they drain.

Measured: the server's resident memory (VmRSS) before 100 clients connect, and once every
one of them has flooded until the server stopped reading (no socket writable for 3 s):
  - --max-errors 0 (never close) and 64 KiB writes of bare LF: a ~50-octet 500 reply
    per octet of input (before the fix: 3.5 MB of replies queued per connection);
  - default options and pipelined RSETs (RFC 2920 §3.1: allowed anywhere in a group).
The growth per connection must stay below BOUND_KIB (the reply bound 64 KiB, the string's
capacity doubling to 128 KiB, one held read buffer of 64 KiB, the line buffer and the
session: about 260 KiB; the bound leaves room for allocator slack and ASan's redzones).
Then a new client is served normally, and SIGTERM still exits 0.
"""
import os
import select
import socket
import time

from sinklib import Client, Server, check, fail, rss_kib

N = 100
BOUND_KIB = 400


def flood(srv, payload, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
        g = s.recv(512)  # no pipelining before the greeting (RFC 5321 §4.3.1, "early talker")
        check(g.startswith(b"220 "), "greeting: %r" % g)
        s.sendall(b"EHLO flood.test\r\n")  # PIPELINING (RFC 2920) is negotiated by EHLO
        e = b""
        while b"\r\n250 " not in e and not e.startswith(b"250 "):
            chunk = s.recv(4096)
            check(chunk != b"", "EOF after EHLO")
            e += chunk
        s.setblocking(False)
        socks.append(s)
    sent = 0
    deadline = time.time() + 150
    while True:
        if time.time() > deadline:
            fail("the server kept reading from clients that never read (%d octets taken)" % sent)
        _, w, _ = select.select([], socks, [], 3.0)
        if not w:
            break  # no client can write: the server stopped reading from all of them
        for s in w:
            try:
                sent += s.send(payload)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError as e:
                fail("the server closed a flooding client: %r" % e)
    return socks, sent


def case(name, args, payload):
    # ASan's quarantine would keep freed blocks resident: keep it small for this test.
    saved = os.environ.get("ASAN_OPTIONS")
    os.environ["ASAN_OPTIONS"] = (saved + ":" if saved else "") + "quarantine_size_mb=1"
    srv = Server(name, *args)
    if saved is None:
        del os.environ["ASAN_OPTIONS"]
    else:
        os.environ["ASAN_OPTIONS"] = saved
    warm = Client(srv)  # the first session's one-time allocations are not per connection
    check(warm.code() == 220, "greeting")
    warm.close()
    time.sleep(0.2)
    before = rss_kib(srv.pid)
    socks, sent = flood(srv, payload, N)
    after = rss_kib(srv.pid)
    per = (after - before) / N
    print("%s: %d clients wrote %.1f MiB and stopped; VmRSS %d -> %d KiB: %.0f KiB per connection (bound %d)"
          % (name, N, sent / 1048576.0, before, after, per, BOUND_KIB), flush=True)
    check(sent >= N * 64 * 1024, "%s: the clients could not even write 64 KiB each (%d octets)" % (name, sent))
    check(per < BOUND_KIB, "%s: %.0f KiB per connection, bound %d KiB" % (name, per, BOUND_KIB))
    c = Client(srv)  # still serving
    check(c.code() == 220, "%s: a new client gets its greeting" % name)
    c.send(b"NOOP\r\n")
    check(c.code() == 250, "%s: NOOP" % name)
    c.close()
    for s in socks:
        s.close()
    srv.stop()


case("bare_lf", ("--max-errors", "0", "--discard"), b"\n" * 65536)
case("rset", ("--discard",), b"RSET\r\n" * 10923)
print("ok: memory per connection bounded for clients that never read")
