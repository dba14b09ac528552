"""Durable Maildir delivery before the 250 (issue 11; qmail, Postfix and Dovecot do the same):
write into tmp/, fsync the file, rename it into new/, fsync new/, and only then write the
250 that acknowledges the message. Checked on the system calls themselves, traced with
strace (tools/run-tests.sh installs it): for every acknowledged message the trace must
show fsync(tmp/X), rename(tmp/X, new/X), fsync(new/) in that order, all before the write
of its 250. With --no-fsync there is no fsync at all. A rename that fails gives 451 4.3.0
and leaves nothing in tmp/.
"""
import os
import re
import smtplib

from sinklib import WORK, Client, Server, check, need

STRACE = need("strace")



def traced(name, *args):
    out = os.path.join(WORK, name, "trace.txt")  # Server() creates WORK/name before strace starts
    wrap = [STRACE, "-f", "-qq", "-yy", "-s", "200", "-o", out,
            "-e", "trace=fsync,fdatasync,sync_file_range,rename,renameat,renameat2,write,sendto,sendmsg,writev"]
    # LeakSanitizer cannot run under ptrace (ASan builds): leaks are checked by the other tests.
    saved = os.environ.get("ASAN_OPTIONS")
    os.environ["ASAN_OPTIONS"] = (saved + ":" if saved else "") + "detect_leaks=0"
    try:
        return Server(name, *args, wrap=wrap), out
    finally:
        if saved is None:
            del os.environ["ASAN_OPTIONS"]
        else:
            os.environ["ASAN_OPTIONS"] = saved


def send_messages(srv, n):
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=60) as smtp:
        for i in range(n):
            smtp.sendmail("a@d.test", ["b@d.test"], b"Subject: %d\r\n\r\nbody %d\r\n" % (i, i))
    # BDAT too (RFC 3030): the same order before its 250.
    c = Client(srv, timeout=60)
    check(c.code() == 220, "greeting")
    c.send(b"EHLO c.test\r\n")
    check(c.code() == 250, "EHLO")
    c.send(b"MAIL FROM:<a@d.test>\r\nRCPT TO:<b@d.test>\r\nBDAT 12 LAST\r\nSubject: b\r\n")
    for what in ("MAIL", "RCPT", "BDAT"):
        check(c.code() == 250, what)
    c.send(b"QUIT\r\n")
    c.rest()
    c.close()


def events(path):
    """(kind, detail) from the trace, in order."""
    out = []
    for line in open(path, errors="replace"):
        m = re.search(r"\b(fsync|fdatasync)\((\d+)<([^>]*)>", line)
        if m:
            out.append(("fsync", m.group(3)))
            continue
        m = re.search(r"\brename(?:at2?)?\((?:[^,]*, )?\"([^\"]*)\", (?:[^,]*, )?\"([^\"]*)\"", line)
        if m and "= 0" in line:
            out.append(("rename", (m.group(1), m.group(2))))
            continue
        m = re.search(r"\b(write|sendto|sendmsg|writev)\((\d+)<(TCPv?6?:\[[^\]]*\])>, (.*)", line)
        if m:
            out.append(("reply", m.group(4)))
    return out


# ---- durable: the order of the calls --------------------------------------------------------
srv, trace = traced("durable")
send_messages(srv, 5)
srv.stop()
check(len(srv.messages()) == 6, "6 messages in new/, found %d" % len(srv.messages()))
ev = events(trace)
new_dir = os.path.realpath(os.path.join(srv.maildir, "new"))
tmp_dir = os.path.realpath(os.path.join(srv.maildir, "tmp"))
pending = {}   # tmp name -> stage reached: 1 file synced, 2 renamed
durable = 0    # messages whose directory entry was synced and not yet acknowledged
acked = 0
last_renamed = []
for kind, d in ev:
    if kind == "fsync":
        if os.path.dirname(os.path.realpath(d)) == tmp_dir:
            pending[os.path.basename(d)] = 1
        elif os.path.realpath(d) == new_dir:
            durable += len(last_renamed)
            last_renamed = []
    elif kind == "rename":
        src, dst = d
        name = os.path.basename(src)
        check(pending.get(name) == 1, "rename of %s before its fsync" % name)
        check(os.path.dirname(os.path.realpath(dst)) == new_dir, "rename into %s, not new/" % dst)
        pending[name] = 2
        last_renamed.append(name)
    elif kind == "reply":
        # the end-of-message 250 (RFC 5321 §4.1.1.4)
        n = d.count("250 2.0.0 Ok: queued")
        if n:
            acked += n
            check(acked <= durable, "a 250 was written before its message was durable: %s" % d[:120])
check(acked == 6, "expected 6 acknowledgements in the trace, found %d" % acked)
check(durable == 6, "expected 6 durable deliveries in the trace, found %d" % durable)
print("ok: fsync(tmp/X) -> rename(tmp/X, new/X) -> fsync(new/) -> 250, for 6 messages (DATA and BDAT)")

# ---- --no-fsync: for benchmarks only --------------------------------------------------------
srv, trace = traced("nofsync", "--no-fsync")
send_messages(srv, 2)
srv.stop()
ev = events(trace)
check(len(srv.messages()) == 3, "--no-fsync: 3 messages in new/")
check(not [e for e in ev if e[0] == "fsync"], "--no-fsync still calls fsync")
check(len([e for e in ev if e[0] == "rename"]) == 3, "--no-fsync: 3 renames")
print("ok: --no-fsync renames without fsync")

# ---- a failure on the way: 451 4.3.0, nothing left in tmp/ ---------------------------------
srv = Server("fail")
os.rmdir(os.path.join(srv.maildir, "new"))  # the rename into new/ now fails (ENOENT)
c = Client(srv, timeout=60)
check(c.code() == 220, "greeting")
c.send(b"HELO c.test\r\n")
check(c.code() == 250, "HELO")
for cmd, want in ((b"MAIL FROM:<a@d.test>", 250), (b"RCPT TO:<b@d.test>", 250), (b"DATA", 354)):
    c.send(cmd + b"\r\n")
    check(c.code() == want, cmd.decode())
c.send(b"Subject: lost\r\n\r\nbody\r\n.\r\n")
r = c.reply()
check(r.startswith(b"451 4.3.0"), "a failed rename must give 451 4.3.0: %r" % r)
check(not srv.tmp_files(), "tmp/ must be empty after the failure: %r" % srv.tmp_files())
c.send(b"QUIT\r\n")
c.rest()
c.close()
os.makedirs(os.path.join(srv.maildir, "new"))
srv.stop()
print("ok: a failed delivery gives 451 4.3.0 and removes its tmp/ file")
