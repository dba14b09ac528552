#!/usr/bin/env bash
# A/B of the C API against the C++ calls (bench_c_api): N alternated runs of each variant
# in separate processes (C++, C, C++, C, ...), then the ratio of the medians of ns/cmd.
# Usage: bench/c_api_ratio.sh <build dir with bench/bench_c_api> [rounds] [workload]
#        bench/c_api_ratio.sh <build dir> --callgrind [workload]  (instruction counts, noise-free)
# workload: session (default), reply_lines, ehlo, client (see bench_c_api.cpp).
set -euo pipefail
bin=$1/bench/bench_c_api
if [ "${2:-}" = --callgrind ]; then
  w=${3:-session}
  ir() {  # instructions of 10 session passes of variant $1: 11 iterations minus 1
    local n
    for n in 1 11; do
      valgrind --tool=callgrind --callgrind-out-file="/tmp/c_api_cg.$$" --toggle-collect="*$1*" "$bin" \
        --benchmark_filter="^$1/iterations:$n\$" >/dev/null 2>&1
      callgrind_annotate "/tmp/c_api_cg.$$" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
    done | paste -sd' ' | awk '{print $2 - $1}'
    rm -f "/tmp/c_api_cg.$$"
  }
  a=$(ir "bm_${w}_cpp"); b=$(ir "bm_${w}_c")
  awk -v a="$a" -v b="$b" -v w="$w" 'BEGIN {printf "%s: instructions per 10 passes: C++ %d, C %d; C/C++ = %.3f\n", w, a, b, b / a}'
  exit 0
fi
rounds=${2:-7}
w=${3:-session}
a=(); b=()
ns() { "$bin" --benchmark_filter="^$1\$" --benchmark_min_time=0.3 --benchmark_format=csv 2>/dev/null |
       awk -F, -v n="\"$1\"" '$1 == n {print $3 / 1}' ; }
for ((i = 0; i < rounds; i++)); do
  a+=("$(ns "bm_${w}_cpp")"); b+=("$(ns "bm_${w}_c")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ma=$(median "${a[@]}"); mb=$(median "${b[@]}")
echo "C++ ns/iteration: ${a[*]}"
echo "C   ns/iteration: ${b[*]}"
awk -v a="$ma" -v b="$mb" -v w="$w" 'BEGIN {printf "%s: median C++ %.0f ns, C %.0f ns per pass; C/C++ = %.3f\n", w, a, b, b / a}'
