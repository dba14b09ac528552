#!/usr/bin/env bash
# Instruction counts (callgrind) per workload for two versions of the headers, each next
# to the same-run baseline: a bare memchr line split of the same file. Deterministic, so
# it backs the timings of tools/bench-ab.sh on a noisy machine.
#
#   tools/count-instructions.sh A B [compiler]
#
#   A, B      a git revision or "." (the working tree), as for tools/bench-ab.sh
#   compiler  g++ (default) or clang++; -O3 -DNDEBUG as the Release preset
# Prints, per workload: instructions for A and B, and each as a ratio to the baseline.
# Needs valgrind and libbenchmark-dev (bench_util.hpp registers the timing baselines).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
a=${1:?usage: count-instructions.sh A B [compiler]}
b=${2:?usage: count-instructions.sh A B [compiler]}
cxx=${3:-g++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
headers() {
    if [ "$1" = "." ]; then echo "$top/include"; return; fi
    local dir=$work/rev-$(echo "$1" | tr -c 'A-Za-z0-9' '_')
    mkdir -p "$dir"
    git -C "$top" archive "$1" include | tar -x -C "$dir"
    echo "$dir/include"
}
for side in a b; do
    rev=${!side}
    "$cxx" -std=c++17 -O3 -DNDEBUG -I"$(headers "$rev")" -I"$top/bench" -DSMTPP_BENCH_DATA_DIR="\"$top/bench/data\"" \
        "$top/bench/count_instructions.cpp" -o "$work/$side" -lbenchmark -lpthread
done
count() {  # binary workload -> instructions inside the work_ functions
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --collect-atstart=no \
        --toggle-collect='work_*' "$1" "$2" >/dev/null 2>&1
    callgrind_annotate "$work/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }'
}
printf '%-14s %-16s %12s %12s %10s %10s %8s\n' workload baseline A B A/base B/base B/A
for pair in line:commands.txt command:commands.txt mail_rcpt:mail_rcpt.txt session:commands.txt \
            data:body_1MiB.txt reply:replies.txt ehlo_postfix:ehlo_postfix.txt ehlo_big:ehlo_big.txt; do
    w=${pair%%:*}
    f=${pair#*:}
    base=$(count "$work/a" "memchr:$f")
    ia=$(count "$work/a" "$w")
    ib=$(count "$work/b" "$w")
    awk -v w="$w" -v f="$f" -v base="$base" -v ia="$ia" -v ib="$ib" 'BEGIN {
        printf "%-14s %-16s %12d %12d %10.2f %10.2f %8.3f\n", w, f, ia, ib, ia / base, ib / base, ib / ia }'
done
