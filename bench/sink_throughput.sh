#!/usr/bin/env bash
# smtpp-sink measured against Postfix's own smtp-sink, both driven by Postfix's smtp-source
# in the same run, alternated A/B for REPS rounds (the machine may be shared); then
# smtpp-sink delivering to a Maildir, durable (fsync of the file and of new/ before the
# 250) against --no-fsync, alternated too; then memory per idle connection.
# Usage: bash bench/sink_throughput.sh [path/to/smtpp-sink] [messages] [sessions]
#   env: REPS (default 3), SIZE (message octets, default 1000), MAILDIR_MSGS (default
#   messages), WORKDIR (where the Maildir goes: its file system decides what fsync costs)
#   (build it first: cmake -B build-sink-rel -DCMAKE_BUILD_TYPE=Release && cmake --build
#    build-sink-rel --target smtpp-sink)
set -euo pipefail
cd "$(dirname "$0")/.."
sink=${1:-build-sink-rel/examples/sink/smtpp-sink}
msgs=${2:-20000}
sessions=${3:-20}
size=${SIZE:-1000}
reps=${REPS:-3}
mmsgs=${MAILDIR_MSGS:-$msgs}
for b in /usr/sbin/smtp-source /usr/sbin/smtp-sink python3; do
  command -v "$b" >/dev/null || { echo "missing $b (apt-get install postfix python3)" >&2; exit 1; }
done
[ -x "$sink" ] || { echo "missing $sink: build the smtpp-sink target" >&2; exit 1; }
work=$(mktemp -d "${WORKDIR:-/tmp}/sink-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

n_started=0
start_smtpp() {  # args...; sets port
  n_started=$((n_started + 1))
  local out="$work/out.$n_started"
  "$sink" --listen 127.0.0.1:0 "$@" >"$out" 2>"$work/err.$n_started" &
  pids+=($!)
  for _ in $(seq 200); do grep -q '^listening on' "$out" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out")
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rate() {  # port messages -> messages/s; -d: many messages per session, as in the issue
  local t0 t1
  t0=$(date +%s.%N)
  timeout 900 /usr/sbin/smtp-source -d -s "$sessions" -m "$2" -l "$size" -f from@bench.test -t to@bench.test \
    -M bench.test "127.0.0.1:$1" >/dev/null
  t1=$(date +%s.%N)
  python3 -c "print(f'{$2/($t1-$t0):.0f}')"
}

echo "== smtp-source -d -s $sessions -m $msgs -l $size, $reps rounds alternated ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
start_smtpp --discard; p_smtpp=$port
pport=$(free_port)
/usr/sbin/smtp-sink -u nobody "127.0.0.1:$pport" 256 >/dev/null 2>&1 &
pids+=($!)
sleep 0.3
start_smtpp --maildir "$work/durable"; p_durable=$port
start_smtpp --maildir "$work/nofsync" --no-fsync; p_nofsync=$port

a=(); b=(); d=(); n=()
for r in $(seq "$reps"); do
  if [ $((r % 2)) -eq 1 ]; then b+=("$(rate "$pport" "$msgs")"); a+=("$(rate "$p_smtpp" "$msgs")")
  else a+=("$(rate "$p_smtpp" "$msgs")"); b+=("$(rate "$pport" "$msgs")"); fi
  find "$work/durable/new" "$work/nofsync/new" -type f -delete
  if [ $((r % 2)) -eq 1 ]; then d+=("$(rate "$p_durable" "$mmsgs")"); n+=("$(rate "$p_nofsync" "$mmsgs")")
  else n+=("$(rate "$p_nofsync" "$mmsgs")"); d+=("$(rate "$p_durable" "$mmsgs")"); fi
  nd=$(ls "$work/durable/new" | wc -l); nn=$(ls "$work/nofsync/new" | wc -l)
  [ "$nd" -eq "$mmsgs" ] && [ "$nn" -eq "$mmsgs" ] || { echo "lost messages: $nd / $nn of $mmsgs" >&2; exit 1; }
done
python3 - "${a[*]}" "${b[*]}" "${d[*]}" "${n[*]}" "$(df -T "$work" | awk 'NR==2{print $2}')" <<'PY'
import statistics, sys
a, b, d, n = ([float(x) for x in s.split()] for s in sys.argv[1:5])
fs = sys.argv[5]
med = statistics.median
def row(name, v):
    print(f"{name:34s}: " + " ".join(f"{x:7.0f}" for x in v) + f"   median {med(v):7.0f} msg/s")
row("smtpp-sink --discard", a)
row("postfix smtp-sink", b)
print(f"{'ratio smtpp/postfix (median)':34s}: {med(a)/med(b):7.2f}  (per round: " +
      " ".join(f"{x/y:.2f}" for x, y in zip(a, b)) + ")")
row(f"smtpp-sink Maildir, durable ({fs})", d)
row(f"smtpp-sink Maildir, --no-fsync", n)
print(f"{'durable / --no-fsync (median)':34s}: {med(d)/med(n):7.2f}")
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
