"""curl's smtp:// against smtpp-sink, with and without STARTTLS (--ssl-reqd)."""
import os

from sinklib import HAVE_TLS, Server, check, expect_one, make_cert, need, run, stored

curl = need("curl")
BODY = b"From: a@c.test\r\nTo: b@sink.test\r\nSubject: curl\r\n\r\nhello from curl\r\n.dot\r\nbye\r\n"


def send(srv, *extra):
    path = os.path.join(srv.dir, "msg.eml")
    with open(path, "wb") as f:
        f.write(BODY)
    run([curl, "-sS", "--max-time", "20", "smtp://127.0.0.1:%d/client.test" % srv.port, "--mail-from", "a@c.test",
         "--mail-rcpt", "b@sink.test", "--mail-rcpt", "c@sink.test", "--upload-file", path] + list(extra), "curl")


srv = Server("curl-plain")
send(srv)
expect_one(srv, stored(b"a@c.test", [b"b@sink.test", b"c@sink.test"], BODY), "curl smtp://")
srv.stop()
if HAVE_TLS:
    srv = Server("curl-tls0")
    cert, key = make_cert(srv.dir)
    srv.stop()
    srv = Server("curl-tls", "--tls-cert", cert, "--tls-key", key, "--tls-required", "--auth", "joe:pw")
    send(srv, "--ssl-reqd", "--insecure", "--user", "joe:pw")
    expect_one(srv, stored(b"a@c.test", [b"b@sink.test", b"c@sink.test"], BODY), "curl STARTTLS + AUTH")
    srv.stop()
print("ok")
