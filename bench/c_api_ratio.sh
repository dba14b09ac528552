#!/usr/bin/env bash
# A/B of the C API against the C++ calls (bench_c_api): N alternated runs of each variant
# in separate processes (C++, C, C++, C, ...), then the ratio of the medians of ns/cmd.
# Usage: bench/c_api_ratio.sh <build dir with bench/bench_c_api> [rounds]
#        bench/c_api_ratio.sh <build dir> --callgrind   (instruction counts, noise-free)
set -euo pipefail
bin=$1/bench/bench_c_api
if [ "${2:-}" = --callgrind ]; then
  ir() {  # instructions of 10 session passes of variant $1: 11 iterations minus 1
    local n
    for n in 1 11; do
      valgrind --tool=callgrind --callgrind-out-file="/tmp/c_api_cg.$$" --toggle-collect="*$1*" "$bin" \
        --benchmark_filter="^$1/iterations:$n\$" >/dev/null 2>&1
      callgrind_annotate "/tmp/c_api_cg.$$" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
    done | paste -sd' ' | awk '{print $2 - $1}'
    rm -f "/tmp/c_api_cg.$$"
  }
  a=$(ir bm_session_cpp); b=$(ir bm_session_c)
  awk -v a="$a" -v b="$b" 'BEGIN {printf "instructions per 10 passes: C++ %d, C %d; C/C++ = %.3f\n", a, b, b / a}'
  exit 0
fi
rounds=${2:-7}
a=(); b=()
ns() { "$bin" --benchmark_filter="^$1\$" --benchmark_min_time=0.3 --benchmark_format=csv 2>/dev/null |
       awk -F, -v n="\"$1\"" '$1 == n {print $3 / 1}' ; }
for ((i = 0; i < rounds; i++)); do
  a+=("$(ns bm_session_cpp)"); b+=("$(ns bm_session_c)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
ma=$(median "${a[@]}"); mb=$(median "${b[@]}")
echo "C++ ns/iteration: ${a[*]}"
echo "C   ns/iteration: ${b[*]}"
awk -v a="$ma" -v b="$mb" 'BEGIN {printf "median C++ %.0f ns, C %.0f ns per session pass; C/C++ = %.3f\n", a, b, b / a}'
