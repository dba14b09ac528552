"""smtpp-sink out of file descriptors: it must neither spin on the readable listen socket
(level-triggered epoll) nor stop accepting for good. With RLIMIT_NOFILE at 16 and 20
clients connected, the server must stay idle (no CPU burnt for 3 s); once the clients
leave, a new client must get its 220 greeting."""
import re
import resource
import socket
import subprocess
import time

from sinklib import EXE, check, fail


def limit_fds():
    resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))


p = subprocess.Popen([EXE, "--listen", "127.0.0.1:0", "--discard"], stdout=subprocess.PIPE, text=True,
                     preexec_fn=limit_fds)
try:
    m = re.search(r":(\d+)", p.stdout.readline())
    check(m is not None, "no 'listening on' line")
    port = int(m.group(1))
    socks = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        socks.append(s)
    time.sleep(1)

    def cpu_ticks():
        f = open("/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])  # utime + stime

    a = cpu_ticks()
    time.sleep(3)
    used = cpu_ticks() - a
    check(used <= 20, "out of descriptors the server burnt %d CPU ticks in 3 s (spinning on accept)" % used)
    for s in socks:
        s.close()
    time.sleep(2)
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.settimeout(5)
    greeting = s.recv(100)
    check(greeting.startswith(b"220 "), "no greeting once descriptors were free again: %r" % greeting)
    s.close()
finally:
    p.terminate()
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("the server did not stop on SIGTERM")
check(p.returncode == 0, "exit status %d after SIGTERM, want 0" % p.returncode)
print("ok: no spin out of descriptors, accepting again afterwards")
