#!/usr/bin/env bash
# Interleaved A/B timing of two versions of the headers, the way docs/benchmarks.md's figures
# were taken: one build's wall times move by more than most effects worth measuring, so
# each side is built once and the two binaries are run in alternation.
#
#   tools/bench-ab.sh A B [bench] [filter] [rounds]
#
#   A, B    a git revision (its include/ is used) or a directory holding smtpp/*.hpp;
#           "." is the working tree's include/.
#   bench   a file in bench/ (default bench_command.cpp)
#   filter  a Google Benchmark filter (default: all of that file's benchmarks)
#   rounds  alternations (default 3); each run is 5 repetitions, medians printed
#
# Builds with g++ and clang++ at -O3 -DNDEBUG, as the Release preset does. Needs
# libbenchmark-dev. Example: tools/bench-ab.sh HEAD~1 . bench_command.cpp 'commands|mail'
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
a=${1:?usage: bench-ab.sh A B [bench] [filter] [rounds]}
b=${2:?usage: bench-ab.sh A B [bench] [filter] [rounds]}
bench=${3:-bench_command.cpp}
filter=${4:-.}
rounds=${5:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

headers() {  # $1: revision or directory -> prints an include directory
    local src=$1 dir
    if [ "$src" = "." ]; then
        echo "$top/include"
    elif [ -d "$src/smtpp" ]; then
        (cd "$src" && pwd)
    else
        dir=$work/rev-$(echo "$src" | tr -c 'A-Za-z0-9' '_')
        mkdir -p "$dir"
        git -C "$top" archive "$src" include | tar -x -C "$dir"
        echo "$dir/include"
    fi
}

inc_a=$(headers "$a")
inc_b=$(headers "$b")
for side in a b; do
    inc_var=inc_$side
    for cxx in g++ clang++; do
        "$cxx" -std=c++17 -O3 -DNDEBUG -I"${!inc_var}" -I"$top/bench" \
            -DSMTPP_BENCH_DATA_DIR="\"$top/bench/data\"" "$top/bench/$bench" \
            -o "$work/$side-$cxx" -lbenchmark -lpthread
    done
done

for cxx in g++ clang++; do
    for ((r = 1; r <= rounds; ++r)); do
        for side in a b; do
            printf '%-8s %s  ' "$cxx" "$(echo $side | tr ab AB)"
            "$work/$side-$cxx" --benchmark_filter="$filter" --benchmark_repetitions=5 \
                --benchmark_report_aggregates_only=true 2>/dev/null |
                awk '/_median/ { name = $1; sub(/_median$/, "", name); v = $2 " " $3;
                                 for (i = 4; i <= NF; ++i) if ($i ~ /^ns.*=/) v = $i;
                                 printf "%s=%s  ", name, v } END { print "" }'
        done
    done
done
