"""Postfix's smtp-source: thousands of messages over tens of concurrent sessions; every one
delivered once (each message carries a unique recipient through -N)."""
import re
import subprocess

from sinklib import Server, check, fail, need

source = need("smtp-source")
SESSIONS = 30
# SMTP: durable delivery (two fsyncs a message, the new/ one shared by an epoll batch) under
# 30 concurrent sessions; LMTP: more messages with --no-fsync (the CI disk sets the pace).
for lmtp, MESSAGES in ((False, 1500), (True, 3000)):
    srv = Server("smtp-source" + ("-lmtp" if lmtp else ""), *(["--lmtp", "--no-fsync"] if lmtp else []))
    cmd = [source, "-s", str(SESSIONS), "-m", str(MESSAGES), "-l", "2000", "-N", "-f", "from@c.test",
           "-t", "to@sink.test", "-M", "client.test"] + (["-L"] if lmtp else []) + ["127.0.0.1:%d" % srv.port]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    if p.returncode != 0:
        fail("smtp-source exited %d: %s" % (p.returncode, p.stdout.decode(errors="replace")[-2000:]))
    msgs = srv.messages()
    check(len(msgs) == MESSAGES, "expected %d messages, found %d" % (MESSAGES, len(msgs)))
    rcpts = set()
    for m in msgs:
        found = re.findall(rb"^Delivered-To: (.*)\r\n", m, re.M)
        check(len(found) == 1, "one Delivered-To per message")
        rcpts.add(found[0])
    check(len(rcpts) == MESSAGES, "every message once: %d distinct of %d" % (len(rcpts), MESSAGES))
    srv.stop()
print("ok")
