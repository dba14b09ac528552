"""Shared helpers for smtpp-sink's interoperability tests.

Every test starts its own server on 127.0.0.1 port 0 (it reads the "listening on" line),
works in its own directory, bounds every client call with a timeout and stops the server
with SIGTERM (which must exit 0 and leave no file in tmp/). A missing client binary is a
failure with a clear message, never a skip.
"""
import atexit
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time

EXE = sys.argv[1]
WORK = sys.argv[2]
HAVE_TLS = len(sys.argv) > 3 and sys.argv[3] == "1"


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)  # atexit then kills any server still running


def check(cond, msg):
    if not cond:
        fail(msg)


def need(binary):
    path = shutil.which(binary) or (os.path.exists("/usr/sbin/" + binary) and "/usr/sbin/" + binary)
    if not path:
        fail("required client '%s' is not installed (tools/run-tests.sh installs it)" % binary)
    return path


def fresh_dir(name):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def make_cert(d):
    """A throw-away self-signed certificate, generated at test time (never committed)."""
    need("openssl")
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost"],
                   check=True, timeout=30, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


_started = []


@atexit.register
def _kill_leftovers():
    """A failed test must not leave its servers running."""
    for p in _started:
        if p.poll() is None:
            p.kill()
            p.wait()


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    fail("no VmRSS for pid %d" % pid)


def wait_for(cond, what, timeout=60, step=0.05):
    """Event-driven wait with a generous bound (the CI machine is loaded)."""
    deadline = time.time() + timeout
    while not cond():
        if time.time() > deadline:
            fail("timed out waiting for " + what)
        time.sleep(step)


class Server:
    """wrap: a command prefix (e.g. strace ...); pid is then the server's own process."""

    def __init__(self, name, *args, maildir=True, wrap=None, preexec_fn=None):
        self.dir = fresh_dir(name)
        self.maildir = os.path.join(self.dir, "Maildir")
        cmd = [EXE, "--listen", "127.0.0.1:0", "--hostname", "sink.test"]
        if maildir:
            cmd += ["--maildir", self.maildir]
        cmd += list(args)
        self.errlog = open(os.path.join(self.dir, "stderr.txt"), "wb")
        self.proc = subprocess.Popen(list(wrap or []) + cmd, stdout=subprocess.PIPE, stderr=self.errlog,
                                     preexec_fn=preexec_fn)
        _started.append(self.proc)
        line = b""
        deadline = time.time() + 20
        while not line.endswith(b"\n"):
            r, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - time.time()))
            if not r:
                self.proc.kill()
                fail("server did not print 'listening on' in time")
            ch = os.read(self.proc.stdout.fileno(), 1)
            if not ch:
                fail("server exited before listening: rc=%s" % self.proc.wait())
            line += ch
        text = line.decode().strip()
        check(text.startswith("listening on "), "unexpected first line: %r" % text)
        self.port = int(text.rsplit(":", 1)[1])
        check(self.port != 0, "the real port must be printed")
        self.pid = self.proc.pid
        if wrap:
            kids = open("/proc/%d/task/%d/children" % (self.pid, self.pid)).read().split()
            check(len(kids) == 1, "wrapped server: expected one child process, got %r" % kids)
            self.pid = int(kids[0])

    def tmp_files(self):
        d = os.path.join(self.maildir, "tmp")
        return os.listdir(d) if os.path.isdir(d) else []

    def stop(self, sig=signal.SIGTERM):
        """SIGTERM (or SIGINT, SIGHUP): exit 0, nothing left in tmp/."""
        os.kill(self.pid, sig)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("server did not exit after SIGTERM")
        check(rc == 0, "server exit status after signal %d: %s (stderr: %r)"
              % (sig, rc, open(os.path.join(self.dir, "stderr.txt"), "rb").read()[-2000:]))
        if os.path.isdir(os.path.join(self.maildir, "tmp")):
            left = os.listdir(os.path.join(self.maildir, "tmp"))
            check(not left, "partial files left in tmp/: %r" % left)

    def messages(self):
        d = os.path.join(self.maildir, "new")
        out = []
        for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            with open(os.path.join(d, n), "rb") as f:
                out.append(f.read())
        return out

    def clear(self):
        d = os.path.join(self.maildir, "new")
        for n in os.listdir(d) if os.path.isdir(d) else []:
            os.unlink(os.path.join(d, n))

    def connect(self, timeout=20):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        return s


def stored(rpath, rcpts, body):
    """What the Maildir file must hold, byte for byte."""
    head = b"Return-Path: <" + rpath + b">\r\n"
    for r in rcpts:
        head += b"Delivered-To: " + r + b"\r\n"
    return head + body


def expect_one(srv, want, what):
    got = srv.messages()
    check(len(got) == 1, "%s: expected 1 message in new/, found %d" % (what, len(got)))
    if got[0] != want:
        fail("%s: stored bytes differ\n--- want\n%r\n--- got\n%r" % (what, want, got[0]))
    srv.clear()


def run(cmd, what, timeout=60, input=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout, input=input)
    if p.returncode != 0:
        fail("%s: %s exited %d\n%s" % (what, cmd[0], p.returncode, p.stdout.decode(errors="replace")[-3000:]))
    return p.stdout.decode(errors="replace")


class Client:
    """A raw SMTP client for the hostile tests."""

    def __init__(self, srv, timeout=20):
        self.s = srv.connect(timeout)
        self.buf = b""

    def send(self, b):
        self.s.sendall(b)

    def reply(self):
        """One whole (possibly multi-line) reply as bytes, or b"" on EOF."""
        while True:
            lines = self.buf.split(b"\r\n")
            acc = 0
            for ln in lines[:-1]:
                acc += len(ln) + 2
                if len(ln) < 4 or ln[3:4] != b"-":
                    out, self.buf = self.buf[:acc], self.buf[acc:]
                    return out
            chunk = self.s.recv(65536)
            if not chunk:
                out, self.buf = self.buf, b""
                return out
            self.buf += chunk

    def code(self):
        r = self.reply()
        return int(r[:3]) if len(r) >= 3 and r[:3].isdigit() else 0

    def rest(self):
        """Everything until the server closes."""
        out = self.buf
        self.buf = b""
        try:
            while True:
                c = self.s.recv(65536)
                if not c:
                    break
                out += c
        except (ConnectionResetError, socket.timeout):
            pass
        return out

    def close(self):
        self.s.close()
