#!/usr/bin/env bash
# smtpp-sink measured against Postfix's own smtp-sink, both driven by Postfix's smtp-source
# in the same run, plus smtpp-sink delivering to Maildir, plus memory per connection.
# Usage: bash bench/sink_throughput.sh [path/to/smtpp-sink] [messages] [sessions]
#   (build it first: cmake -B build-sink-rel -DCMAKE_BUILD_TYPE=Release && cmake --build
#    build-sink-rel --target smtpp-sink)
set -euo pipefail
cd "$(dirname "$0")/.."
sink=${1:-build-sink-rel/examples/sink/smtpp-sink}
msgs=${2:-20000}
sessions=${3:-20}
size=${SIZE:-1000}
for b in /usr/sbin/smtp-source /usr/sbin/smtp-sink python3; do
  command -v "$b" >/dev/null || { echo "missing $b (apt-get install postfix python3)" >&2; exit 1; }
done
[ -x "$sink" ] || { echo "missing $sink: build the smtpp-sink target" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

start_smtpp() {  # args...; sets port
  "$sink" --listen 127.0.0.1:0 "$@" >"$work/out.$#" 2>"$work/err" &
  pids+=($!)
  for _ in $(seq 100); do grep -q '^listening on' "$work/out.$#" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/out.$#")
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rate() {  # port -> messages/s
  local t0 t1
  t0=$(date +%s.%N)
  timeout 600 /usr/sbin/smtp-source -s "$sessions" -m "$msgs" -l "$size" -f from@bench.test -t to@bench.test \
    -M bench.test "127.0.0.1:$1" >/dev/null
  t1=$(date +%s.%N)
  python3 -c "print(f'{$msgs/($t1-$t0):.0f}')"
}

echo "== $msgs messages of $size bytes over $sessions sessions (smtp-source)"
start_smtpp --discard; p_smtpp=$port
pport=$(free_port)
/usr/sbin/smtp-sink -u nobody "127.0.0.1:$pport" 256 >/dev/null 2>&1 &
pids+=($!)
sleep 0.3
start_smtpp --maildir "$work/Maildir"; p_maildir=$port

r_postfix=$(rate "$pport")
r_smtpp=$(rate "$p_smtpp")
r_postfix2=$(rate "$pport")     # twice, interleaved, to even out machine noise
r_smtpp2=$(rate "$p_smtpp")
r_maildir=$(rate "$p_maildir")
n_files=$(ls "$work/Maildir/new" | wc -l)
python3 - "$r_smtpp" "$r_smtpp2" "$r_postfix" "$r_postfix2" "$r_maildir" "$n_files" "$msgs" <<'PY'
import sys
a, a2, p, p2, m, n, msgs = map(float, sys.argv[1:])
s, pf = max(a, a2), max(p, p2)
print(f"smtpp-sink --discard      : {a:8.0f} {a2:8.0f} msg/s (best {s:.0f})")
print(f"postfix smtp-sink         : {p:8.0f} {p2:8.0f} msg/s (best {pf:.0f})")
print(f"ratio smtpp/postfix (best): {s/pf:8.2f}  (target >= 1.0)")
print(f"smtpp-sink --maildir      : {m:8.0f} msg/s ({int(n)} of {int(msgs)} files in new/, fsync each)")
PY

echo "== memory: 1000 idle connections to smtpp-sink --discard"
pid=${pids[0]}
python3 - "$p_smtpp" "$pid" <<'PY'
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def mem():
    d = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            d[k] = int(v.split()[0])
    return d
base = mem()
socks = []
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    socks.append(s)
for s in socks:
    s.recv(512)
for s in socks[:500]:           # half of them after EHLO, like a real idle client
    s.sendall(b"EHLO idle.test\r\n")
for s in socks[:500]:
    s.recv(4096)
time.sleep(0.5)
after = mem()
print(f"before: VmRSS {base['VmRSS']} KiB; with 1000 connections: VmRSS {after['VmRSS']} KiB, VmHWM {after['VmHWM']} KiB")
print(f"per idle connection: {(after['VmRSS'] - base['VmRSS']) * 1024 / 1000:.0f} bytes (user space; kernel socket buffers not counted)")
for s in socks:
    s.close()
PY
