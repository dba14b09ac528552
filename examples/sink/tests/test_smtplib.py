"""Python smtplib against smtpp-sink: sendmail byte-exact, send_message with SMTPUTF8,
SIZE (RFC 1870), STARTTLS (RFC 3207), AUTH PLAIN/LOGIN (RFC 4954), LMTP (RFC 2033)."""
import email.message
import smtplib
import ssl

from sinklib import HAVE_TLS, Server, check, expect_one, fail, make_cert, stored

BODY = b"From: a@c.test\r\nTo: b@sink.test\r\nSubject: smtplib\r\n\r\nline one\r\n.leading dot\r\n\xc3\xa9 8-bit\r\n"
TIMEOUT = 20

# Plain SMTP, raw bytes: stored exactly (smtplib dot-stuffs, the decoder unstuffs).
srv = Server("smtplib-plain", "--max-size", "200000")
with smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
    s.ehlo("client.test")
    check(s.has_extn("pipelining") and s.has_extn("smtputf8") and s.has_extn("8bitmime"), "EHLO keywords")
    check(s.has_extn("size") and s.esmtp_features["size"] == "200000", "SIZE 200000 advertised")
    s.sendmail("a@c.test", ["b@sink.test", "c@sink.test"], BODY, mail_options=["BODY=8BITMIME"])
    expect_one(srv, stored(b"a@c.test", [b"b@sink.test", b"c@sink.test"], BODY), "smtplib sendmail")

    # SIZE: smtplib sends SIZE=; over the limit is refused at MAIL (552 5.3.4).
    big = b"Subject: big\r\n\r\n" + b"x" * 998 + b"\r\n"
    try:
        s.sendmail("a@c.test", ["b@sink.test"], big * 250)
        fail("an over-size message was accepted")
    except smtplib.SMTPSenderRefused as e:
        check(e.smtp_code == 552, "SIZE refusal code %d" % e.smtp_code)
    s.rset()

    # send_message with a UTF-8 address: smtplib adds SMTPUTF8 (RFC 6531).
    m = email.message.EmailMessage()
    m["From"] = "jöran@c.test"
    m["To"] = "zoë@sink.test"
    m["Subject"] = "utf8"
    m.set_content("héllo\n")
    s.send_message(m)
    got = srv.messages()
    check(len(got) == 1, "send_message SMTPUTF8: one message")
    head = stored("jöran@c.test".encode(), ["zoë@sink.test".encode()], b"")
    check(got[0].startswith(head), "SMTPUTF8 envelope stored: %r" % got[0][:100])
    check(b"Subject: utf8" in got[0] and got[0].endswith(b"\r\n"), "SMTPUTF8 message stored")
    srv.clear()
srv.stop()

# STARTTLS + AUTH (LOGIN and PLAIN) with --auth-required and --tls-required.
if HAVE_TLS:
    srv = Server("smtplib-tls", maildir=True)
    cert, key = make_cert(srv.dir)
    srv.stop()
    srv = Server("smtplib-tls2", "--tls-cert", cert, "--tls-key", key, "--tls-required", "--auth", "joe:s3cret",
                 "--auth", "ann:pw", "--auth-required")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    for mech in ("LOGIN", "PLAIN"):
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
            s.ehlo("client.test")
            check(s.has_extn("starttls"), "STARTTLS offered")
            code, _ = s.mail("a@c.test")
            check(code == 530, "MAIL before STARTTLS with --tls-required: %d" % code)
            s.starttls(context=ctx)
            s.ehlo("client.test")
            check(not s.has_extn("starttls") and "PLAIN" in s.esmtp_features.get("auth", ""), "EHLO inside TLS")
            code, _ = s.mail("a@c.test")
            check(code == 530, "MAIL before AUTH with --auth-required: %d" % code)
            s.rset()
            try:
                s.user, s.password = "joe", "wrong"
                s.auth(mech, s.auth_login if mech == "LOGIN" else s.auth_plain)
                fail("wrong password accepted")
            except smtplib.SMTPAuthenticationError as e:
                check(e.smtp_code == 535, "535 on a wrong password")
            s.user, s.password = "joe", "s3cret"
            code, _ = s.auth(mech, s.auth_login if mech == "LOGIN" else s.auth_plain,
                             initial_response_ok=(mech == "PLAIN"))
            check(code == 235, "AUTH %s: %d" % (mech, code))
            s.sendmail("a@c.test", ["b@sink.test"], BODY)
        expect_one(srv, stored(b"a@c.test", [b"b@sink.test"], BODY), "smtplib STARTTLS+AUTH " + mech)
    # smtplib.login() picks the mechanism itself.
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
        s.starttls(context=ctx)
        s.login("ann", "pw")
        s.sendmail("<>", ["b@sink.test"], BODY)
    expect_one(srv, stored(b"", [b"b@sink.test"], BODY), "smtplib login()")
    srv.stop()

# LMTP (RFC 2033). smtplib.LMTP reads a single reply after the body whatever the number of
# recipients, so it is used with one; per-recipient replies are checked in test_hostile.py.
srv = Server("smtplib-lmtp", "--lmtp")
with smtplib.LMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
    refused = s.sendmail("a@c.test", ["b@sink.test"], BODY)
    check(refused == {}, "LMTP refused %r" % refused)
    code, _ = s.helo("client.test")
    check(code == 500, "HELO on an LMTP server: %d" % code)
expect_one(srv, stored(b"a@c.test", [b"b@sink.test"], BODY), "smtplib LMTP")
srv.stop()
print("ok")
