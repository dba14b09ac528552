"""smtpp-send against real servers on loopback, every message checked byte for byte at the
receiver: smtpp-sink (plain, BDAT, LMTP, STARTTLS + AUTH), Postfix smtp-sink (-d dumps),
Python's aiosmtpd (a handler that saves the bytes) and exim4 (delivering to a Maildir).

usage: test_interop.py SEND SINK WORKDIR SERVER...   (SERVER: sink postfix aiosmtpd exim)

Each server is started here on 127.0.0.1 with an unused port and stopped at the end; every
wait is bounded. exim is run from the folder given by $SMTPP_EXIM_ROOT (the extracted
Debian packages; tools/run-tests.sh prepares it).
"""
import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

SEND, SINK, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
SERVERS = sys.argv[4:]
procs = []


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


@atexit.register
def stop_all():
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


def fresh_dir(name):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, what):
    deadline = time.time() + 20
    while time.time() < deadline:
        if proc.poll() is not None:
            fail("%s exited before listening: rc=%s" % (what, proc.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    fail("%s did not listen on %d in time" % (what, port))


def send(port, msg_path, frm, to, *extra, expect_rc=0):
    args = [SEND, "--server", "127.0.0.1:%d" % port, "--from", frm, "--timeout", "30"]
    for t in to:
        args += ["--to", t]
    args += list(extra) + [msg_path]
    r = subprocess.run(args, capture_output=True, timeout=120)
    out = r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")
    check(r.returncode == expect_rc, "smtpp-send %s: rc=%d, expected %d:\n%s" % (" ".join(args[1:]), r.returncode, expect_rc, out))
    return out


def canonical(raw):
    """What the receiver must get: line ends CRLF, a final CRLF."""
    out = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    if not out.endswith(b"\r\n"):
        out += b"\r\n"
    return out


def messages(d):
    """(name, bytes on disk) of the test messages."""
    hdr = b"Message-ID: <%s@smtpp.test>\r\nDate: Mon, 7 Dec 2026 04:00:00 +0000\r\nSubject: %s\r\n\r\n"
    ms = [
        ("dots", hdr % (b"dots", b"dots") + b".leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n"),
        ("nofinal", hdr % (b"nofinal", b"no final CRLF") + b"first\r\nlast line without CRLF"),
        ("lf", (hdr % (b"lf", b"Unix line ends")).replace(b"\r\n", b"\n") + b".dot\nline\n"),
        ("8bit", hdr % (b"8bit", b"8-bit") + "Grüße, привет\r\n".encode("utf-8")),
    ]
    line = b"." + b"x" * 74 + b"\r\n" + b"y" * 76 + b"\r\n"
    big = hdr % (b"big", b"10 MiB") + line * (10 * 1024 * 1024 // len(line) + 1)
    ms.append(("big", big))
    out = []
    for name, data in ms:
        p = os.path.join(d, name + ".eml")
        with open(p, "wb") as f:
            f.write(data)
        out.append((name, p, data))
    return out


UTF8_FROM = "jörg@example.org"
UTF8_TO = "пользователь@example.org"


def strip_trace(stored, prefixes):
    """Removes the header lines a receiver prepends (with their continuation lines)."""
    lines = stored.split(b"\n")
    i = 0
    while i < len(lines) and (lines[i].startswith(prefixes) or (i > 0 and lines[i][:1] in (b"\t", b" "))):
        i += 1
    return b"\n".join(lines[i:])


def newest(folder, before):
    deadline = time.time() + 20
    while time.time() < deadline:
        files = set()
        for root, _, fs in os.walk(folder):
            files.update(os.path.join(root, f) for f in fs)
        new = sorted(files - before)
        if new:
            time.sleep(0.05)
            return new, files
        time.sleep(0.05)
    fail("no new message in %s" % folder)


def all_files(folder):
    files = set()
    for root, _, fs in os.walk(folder):
        files.update(os.path.join(root, f) for f in fs)
    return files


# ---- smtpp-sink ----------------------------------------------------------------------------

def start_sink(d, *extra):
    port = free_port()
    p = subprocess.Popen([SINK, "--listen", "127.0.0.1:%d" % port, "--maildir", os.path.join(d, "md"),
                          "--max-size", str(50 << 20)] + list(extra),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    procs.append(p)
    wait_port(port, p, "smtpp-sink")
    return port, p


def sink_stored(d, before):
    new, _ = newest(os.path.join(d, "md", "new"), before)
    check(len(new) == 1, "one message expected, got %d" % len(new))
    data = open(new[0], "rb").read()
    return strip_trace(data, (b"Return-Path:", b"Delivered-To:"))


def test_sink():
    d = fresh_dir("sink")
    msgs = messages(d)
    for mode, extra_srv, extra_cli in [("data", [], []), ("bdat", [], ["--bdat"]), ("nopipe", ["--no-pipelining"], [])]:
        port, p = start_sink(os.path.join(d, mode), *extra_srv)
        for name, path, data in msgs:
            frm, to = ("a@example.org", ["b@example.org", "c@example.org"])
            if name == "8bit":
                frm, to = UTF8_FROM, [UTF8_TO]
            before = all_files(os.path.join(d, mode, "md"))
            send(port, path, frm, to, *extra_cli)
            got = sink_stored(os.path.join(d, mode), before)
            check(got == canonical(data), "smtpp-sink/%s/%s: stored bytes differ" % (mode, name))
        p.terminate()
        p.wait(timeout=10)
    # A refused and a deferred recipient: exit 75 (deferred, none refused) with --max-recipients 1.
    port, p = start_sink(os.path.join(d, "limit"), "--max-recipients", "1")
    out = send(port, msgs[0][1], "a@example.org", ["b@example.org", "c@example.org"], expect_rc=75)
    check("b@example.org: accepted" in out and "c@example.org: deferred 452" in out, "per-recipient outcomes:\n" + out)
    out = send(port, msgs[0][1], "a@example.org", ["b@example.org", "c@example.org"], "--lang", "ru", expect_rc=75)
    check("c@example.org: отложен 452" in out, "--lang ru:\n" + out)
    p.terminate()
    p.wait(timeout=10)
    # LMTP: per-recipient replies after the final dot.
    port, p = start_sink(os.path.join(d, "lmtp"), "--lmtp")
    before = all_files(os.path.join(d, "lmtp", "md"))
    out = send(port, msgs[0][1], "a@example.org", ["b@example.org", "c@example.org"], "--lmtp")
    check(out.count(": accepted") == 2, "LMTP outcomes:\n" + out)
    new, _ = newest(os.path.join(d, "lmtp", "md", "new"), before)
    for f in new:
        check(strip_trace(open(f, "rb").read(), (b"Return-Path:", b"Delivered-To:")) == canonical(msgs[0][2]),
              "LMTP stored bytes differ")
    p.terminate()
    p.wait(timeout=10)
    print("ok: smtpp-sink (DATA, BDAT, no PIPELINING, LMTP, SMTPUTF8, 10 MiB, exit 75)", flush=True)


def test_sink_tls():
    d = fresh_dir("sink-tls")
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    msgs = messages(d)
    port, p = start_sink(d, "--tls-cert", cert, "--tls-key", key, "--tls-required", "--auth", "user:secret",
                         "--auth-required")
    for name, path, data in msgs:
        if name == "big":
            continue
        before = all_files(os.path.join(d, "md"))
        send(port, path, "a@example.org", ["b@example.org"], "--tls-required", "--auth", "user:secret", "--cafile", cert)
        check(sink_stored(d, before) == canonical(data), "smtpp-sink TLS/%s: stored bytes differ" % name)
    # Wrong password: refused AUTH, nothing delivered, exit 75 (the message was not refused).
    out = send(port, msgs[0][1], "a@example.org", ["b@example.org"], "--tls-required", "--auth", "user:wrong",
               "--cafile", cert, expect_rc=75)
    check("authentication failed" in out, "AUTH failure not reported:\n" + out)
    # No STARTTLS asked: the server wants TLS first; the client never sends credentials in clear.
    out = send(port, msgs[0][1], "a@example.org", ["b@example.org"], "--auth", "user:secret", expect_rc=75)
    check("no usable AUTH mechanism" in out, "AUTH without TLS must not be sent:\n" + out)
    p.terminate()
    p.wait(timeout=10)
    print("ok: smtpp-sink with STARTTLS and AUTH PLAIN", flush=True)


# ---- Postfix smtp-sink -------------------------------------------------------------------------

def test_postfix():
    d = fresh_dir("postfix")
    os.chmod(d, 0o777)
    msgs = messages(d)
    port = free_port()
    exe = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    check(os.path.exists(exe), "Postfix smtp-sink is not installed (tools/run-tests.sh installs postfix)")
    p = subprocess.Popen([exe, "-u", "nobody", "-R", d, "-d", "dump/%M.", "127.0.0.1:%d" % port, "10"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    procs.append(p)
    wait_port(port, p, "smtp-sink")
    for name, path, data in msgs:
        before = all_files(os.path.join(d, "dump"))
        if name == "8bit":
            # smtp-sink offers no SMTPUTF8: the client refuses to send a UTF-8 address (RFC 6531 §3.2).
            out = send(port, path, UTF8_FROM, [UTF8_TO], expect_rc=1)
            check("SMTPUTF8 not offered" in out, "UTF-8 address without SMTPUTF8:\n" + out)
            frm = "a@example.org"
        else:
            frm = "a@example.org"
        send(port, path, frm, ["b@example.org"])
        new, _ = newest(os.path.join(d, "dump"), before)
        dump = open(new[-1], "rb").read()
        # The dump: X-* lines, a Received header, the message with LF line ends, one more LF.
        body = strip_trace(dump, (b"X-", b"Received:"))
        want = canonical(data).replace(b"\r\n", b"\n") + b"\n"
        check(body == want, "smtp-sink/%s: dumped bytes differ" % name)
    print("ok: Postfix smtp-sink", flush=True)


# ---- aiosmtpd ----------------------------------------------------------------------------------

AIOSMTPD_SERVER = r'''
import asyncio, os, sys
from aiosmtpd.controller import Controller
folder, port = sys.argv[1], int(sys.argv[2])
class Save:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Save.n += 1
        with open(os.path.join(folder, "%04d.eml" % Save.n), "wb") as f:
            f.write(envelope.original_content)
        return "250 2.0.0 saved"
c = Controller(Save(), hostname="127.0.0.1", port=port, enable_SMTPUTF8=True, decode_data=False)
c.start()
print("listening", flush=True)
try:
    sys.stdin.read()
finally:
    c.stop()
'''


def test_aiosmtpd():
    d = fresh_dir("aiosmtpd")
    msgs = messages(d)
    port = free_port()
    script = os.path.join(d, "server.py")
    with open(script, "w") as f:
        f.write(AIOSMTPD_SERVER)
    os.makedirs(os.path.join(d, "saved"))
    # Debian's python3-aiosmtpd is installed for the system's Python.
    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    p = subprocess.Popen([py, script, os.path.join(d, "saved"), str(port)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    procs.append(p)
    wait_port(port, p, "aiosmtpd")
    for name, path, data in msgs:
        before = all_files(os.path.join(d, "saved"))
        frm, to = (UTF8_FROM, [UTF8_TO]) if name == "8bit" else ("a@example.org", ["b@example.org"])
        send(port, path, frm, to)
        new, _ = newest(os.path.join(d, "saved"), before)
        got = open(new[-1], "rb").read()
        check(got == canonical(data), "aiosmtpd/%s: saved bytes differ" % name)
    print("ok: aiosmtpd", flush=True)


# ---- exim4 -------------------------------------------------------------------------------------

EXIM_CONF = """
exim_user = Debian-exim
exim_group = nogroup
spool_directory = {d}/spool
log_file_path = {d}/log/%slog
pid_file_path = {d}/exim.pid
daemon_smtp_ports = {port}
local_interfaces = 127.0.0.1
keep_environment = LD_LIBRARY_PATH
never_users =
trusted_users = root
primary_hostname = exim.test
acl_smtp_rcpt = acl_rcpt
smtputf8_advertise_hosts = *
chunking_advertise_hosts = *
pipelining_advertise_hosts = *
tls_advertise_hosts =
accept_8bitmime = true
message_size_limit = 50M
host_lookup =
rfc1413_hosts =
queue_only = true
received_header_text = Received: by exim.test
begin acl
acl_rcpt:
  accept
begin routers
all:
  driver = accept
  transport = maildir
begin transports
maildir:
  driver = appendfile
  directory = {d}/Maildir
  maildir_format
  use_crlf = true
  user = Debian-exim
  group = nogroup
  envelope_to_add = false
  return_path_add = false
  delivery_date_add = false
"""


def test_exim():
    root = os.environ.get("SMTPP_EXIM_ROOT", "")
    exe = os.path.join(root, "usr/sbin/exim4")
    check(os.path.exists(exe), "exim4 not found under $SMTPP_EXIM_ROOT (tools/run-tests.sh extracts it)")
    d = fresh_dir("exim")
    msgs = messages(d)
    for sub in ("spool", "log", "Maildir"):
        os.makedirs(os.path.join(d, sub))
    subprocess.run(["chown", "-R", "Debian-exim", d], check=True, timeout=30)
    port = free_port()
    conf = os.path.join(d, "exim.conf")
    with open(conf, "w") as f:
        f.write(EXIM_CONF.format(d=d, port=port))
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(root, "usr/lib/x86_64-linux-gnu"))
    p = subprocess.Popen([exe, "-C", conf, "-bdf"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    procs.append(p)
    wait_port(port, p, "exim")
    for name, path, data in msgs:
        before = all_files(os.path.join(d, "Maildir"))
        frm, to = (UTF8_FROM, [UTF8_TO]) if name == "8bit" else ("a@example.org", ["b@example.org"])
        send(port, path, frm, to)
        # queue_only: deliver now, in the foreground (no re-exec of a system-wide exim).
        subprocess.run([exe, "-C", conf, "-qff"], env=env, check=True, timeout=60, capture_output=True)
        new, _ = newest(os.path.join(d, "Maildir"), before)
        got = open(new[-1], "rb").read()
        body = strip_trace(got, (b"Received:",))
        check(body == canonical(data), "exim/%s: delivered bytes differ" % name)
    print("ok: exim4", flush=True)


tests = {"sink": test_sink, "sink-tls": test_sink_tls, "postfix": test_postfix, "aiosmtpd": test_aiosmtpd,
         "exim": test_exim}
os.makedirs(WORK, exist_ok=True)
for s in SERVERS:
    t0 = time.time()
    tests[s]()
    print("   %s: %.1f s" % (s, time.time() - t0), flush=True)
