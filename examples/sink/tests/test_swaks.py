"""swaks against smtpp-sink: plain, PIPELINING (RFC 2920), STARTTLS (RFC 3207), AUTH PLAIN
and LOGIN (RFC 4954), an 8BITMIME body (RFC 6152), an SMTPUTF8 address (RFC 6531)."""
from sinklib import HAVE_TLS, Server, check, expect_one, make_cert, need, run, stored

swaks = need("swaks")
# --no-data-fixup: swaks sends the DATA portion as given, so it is given dot-stuffed.
BODY = b"From: a@c.test\r\nTo: b@sink.test\r\nSubject: swaks\r\n\r\nline\r\n.dot line\r\n..two dots\r\nend\r\n"
EIGHT = b"From: a@c.test\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\n" \
        b"Content-Transfer-Encoding: 8bit\r\n\r\nd\xc3\xa9j\xc3\xa0 vu \xe2\x9c\x93\r\n"


def stuffed(b):
    return b.replace(b"\r\n.", b"\r\n..") + b".\r\n"


def swaks_cmd(srv, *extra):
    return [swaks, "--server", "127.0.0.1:%d" % srv.port, "--helo", "client.test", "--from", "a@c.test",
            "--to", "b@sink.test", "--timeout", "20", "--data", "-", "--no-data-fixup"] + list(extra)


srv = Server("swaks-plain")
run(swaks_cmd(srv), "swaks plain", input=stuffed(BODY))
expect_one(srv, stored(b"a@c.test", [b"b@sink.test"], BODY), "swaks plain")
out = run(swaks_cmd(srv, "--pipeline"), "swaks --pipeline", input=stuffed(BODY))
check("PIPELINING" in out, "swaks saw PIPELINING")
expect_one(srv, stored(b"a@c.test", [b"b@sink.test"], BODY), "swaks pipelining")
run(swaks_cmd(srv, "--pipeline", "--to", "b@sink.test,c@sink.test"), "swaks 8bit", input=stuffed(EIGHT))
expect_one(srv, stored(b"a@c.test", [b"b@sink.test", b"c@sink.test"], EIGHT), "swaks 8-bit body")
srv.stop()

# SMTPUTF8: swaks 20201014 cannot add the SMTPUTF8 MAIL parameter, so a UTF-8 address is
# sent without it — RFC 6531 §3.4 requires the parameter, the server must refuse it.
# (The accepted SMTPUTF8 path is covered by smtplib's send_message and test_hostile.py.)
srv = Server("swaks-utf8")
import subprocess
p = subprocess.run(swaks_cmd(srv, "--to", "zoë@sink.test"), input=stuffed(BODY), stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, timeout=60)
out = p.stdout.decode(errors="replace")
check(p.returncode != 0 and "<** 5" in out, "UTF-8 address without SMTPUTF8 must be refused:\n" + out[-1500:])
check(srv.messages() == [], "nothing stored for the refused UTF-8 address")
srv.stop()

if HAVE_TLS:
    srv = Server("swaks-tls0")
    cert, key = make_cert(srv.dir)
    srv.stop()
    srv = Server("swaks-tls", "--tls-cert", cert, "--tls-key", key, "--auth", "joe:s3cret")
    out = run(swaks_cmd(srv, "--tls"), "swaks STARTTLS", input=stuffed(BODY))
    check("STARTTLS" in out and "TLS started" in out, "swaks STARTTLS transcript")
    expect_one(srv, stored(b"a@c.test", [b"b@sink.test"], BODY), "swaks STARTTLS")
    for mech in ("PLAIN", "LOGIN"):
        out = run(swaks_cmd(srv, "--tls", "--pipeline", "--auth", mech, "--auth-user", "joe", "--auth-password",
                            "s3cret"), "swaks AUTH " + mech, input=stuffed(BODY))
        check("235 2.7.0" in out, "AUTH %s accepted" % mech)
        expect_one(srv, stored(b"a@c.test", [b"b@sink.test"], BODY), "swaks AUTH " + mech)
    p = subprocess.run(swaks_cmd(srv, "--auth", "PLAIN", "--auth-user", "joe", "--auth-password", "nope"),
                       input=stuffed(BODY), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    check(p.returncode != 0 and b"535 5.7.8" in p.stdout, "wrong password refused with 535")
    check(srv.messages() == [], "nothing stored after a failed AUTH")
    srv.stop()
print("ok")
