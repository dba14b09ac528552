"""smtpp-sink's command line: bad flags (exit 2, one line naming the flag), --stdio,
--timeout (RFC 5321 §4.5.3.2: 421 then close), SIGTERM mid-DATA (exit 0, nothing partial)."""
import os
import signal
import subprocess
import time

from sinklib import EXE, Client, Server, check, fail, fresh_dir, stored

# Bad flags and values: exit status 2, one line on stderr naming the flag.
for args, name in [(["--bogus"], "--bogus"), (["--max-size", "12x"], "--max-size"),
                   (["--max-recipients", "0"], "--max-recipients"), (["--bare-lf", "maybe"], "--bare-lf"),
                   (["--unknown-param", "500"], "--unknown-param"), (["--timeout"], "--timeout"),
                   (["--auth", "nouser"], "--auth"), (["--tls-cert", "x.pem"], "--tls-"),
                   (["--listen", "nohost"], "--listen"), (["--hostname", "bad host"], "--hostname"),
                   (["--max-errors", "300"], "--max-errors"), (["--max-connections", "0"], "--max-connections"),
                   (["--max-per-ip", "x"], "--max-per-ip"), (["--command-timeout", "0"], "--command-timeout"),
                   (["--data-timeout", "-1"], "--data-timeout"), (["--dot-timeout", ""], "--dot-timeout"),
                   (["--transaction-timeout", "86401"], "--transaction-timeout")]:
    p = subprocess.run([EXE, "--discard", "--stdio"] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    err = p.stderr.decode()
    check(p.returncode == 2, "%r: exit status %d, want 2" % (args, p.returncode))
    check(err.count("\n") == 1 and name in err, "%r: stderr should be one line naming %s: %r" % (args, name, err))

# --stdio: one session on stdin/stdout, byte-exact delivery, exits after QUIT.
d = fresh_dir("stdio")
md = os.path.join(d, "Maildir")
p = subprocess.Popen([EXE, "--stdio", "--maildir", md, "--hostname", "sink.test"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE)


def line():
    return p.stdout.readline()


def say(b):
    p.stdin.write(b)
    p.stdin.flush()


check(line().startswith(b"220 sink.test"), "stdio greeting")
say(b"EHLO c.test\r\n")
while True:
    ln = line()
    check(ln.startswith(b"250"), "stdio EHLO reply: %r" % ln)
    if ln[3:4] == b" ":
        break
say(b"MAIL FROM:<a@c.test>\r\nRCPT TO:<b@sink.test>\r\nDATA\r\n")
for want in (b"250", b"250", b"354"):
    ln = line()
    check(ln.startswith(want), "stdio: %r" % ln)
body = b"Subject: stdio\r\n\r\n..dot\r\nline\r\n"
say(body.replace(b"\r\n..", b"\r\n...") + b".\r\n")
check(line().startswith(b"250"), "stdio: end of data")
say(b"QUIT\r\n")
check(line().startswith(b"221"), "stdio: QUIT")
check(p.wait(timeout=20) == 0, "stdio: exit status")
files = os.listdir(os.path.join(md, "new"))
check(len(files) == 1, "stdio: one message")
with open(os.path.join(md, "new", files[0]), "rb") as f:
    got = f.read()
check(got == stored(b"a@c.test", [b"b@sink.test"], body), "stdio: stored bytes %r" % got)

# --stdio ends on EOF as well.
p = subprocess.run([EXE, "--stdio", "--discard"], input=b"", stdout=subprocess.PIPE, timeout=20)
check(p.returncode == 0 and p.stdout.startswith(b"220 "), "stdio EOF")

# --timeout: an idle session gets 421 4.4.2 and is closed.
srv = Server("timeout", "--timeout", "1")
c = Client(srv)
check(c.code() == 220, "greeting")
t0 = time.time()
rest = c.rest()
check(rest.startswith(b"421 4.4.2"), "timeout reply: %r" % rest)
check(time.time() - t0 < 5, "timeout took too long")
srv.stop()

# SIGTERM while a message is half received: exit 0, nothing in new/ or tmp/; idle sessions
# are told 421 at once.
srv = Server("sigterm")
idle = Client(srv)
busy = Client(srv)
for cl in (idle, busy):
    check(cl.code() == 220, "greeting")
busy.send(b"EHLO c.test\r\n")
check(busy.code() == 250, "EHLO")
busy.send(b"MAIL FROM:<a@c.test>\r\nRCPT TO:<b@sink.test>\r\nDATA\r\n")
check([busy.code() for _ in range(3)] == [250, 250, 354], "transaction")
busy.send(b"Subject: half\r\n\r\nnot finished")
time.sleep(0.3)
srv.proc.send_signal(signal.SIGTERM)
check(idle.rest().startswith(b"421 4.3.2"), "idle session is told 421 on shutdown")
busy.close()  # the client goes away mid-DATA
check(srv.proc.wait(timeout=30) == 0, "exit status after SIGTERM")
check(srv.messages() == [], "nothing delivered")
check(os.listdir(os.path.join(srv.maildir, "tmp")) == [], "tmp/ is empty")

# SIGTERM with a transaction in flight that finishes within the grace period: delivered.
srv = Server("sigterm-finish")
c = Client(srv)
check(c.code() == 220, "greeting")
c.send(b"EHLO c.test\r\n")
c.reply()
c.send(b"MAIL FROM:<a@c.test>\r\nRCPT TO:<b@sink.test>\r\nDATA\r\n")
check([c.code() for _ in range(3)] == [250, 250, 354], "transaction")
c.send(b"Subject: x\r\n\r\nfirst half\r\n")
time.sleep(0.3)
srv.proc.send_signal(signal.SIGTERM)
time.sleep(0.3)
c.send(b"second half\r\n.\r\n")
check(c.code() == 250, "message finished during the grace period")
check(c.rest().startswith(b"421 4.3.2"), "then 421 and close")
check(srv.proc.wait(timeout=30) == 0, "exit status")
check(srv.messages() == [stored(b"a@c.test", [b"b@sink.test"], b"Subject: x\r\n\r\nfirst half\r\nsecond half\r\n")],
      "the finished message is whole")
print("ok")
