#!/usr/bin/env bash
# Fuzzing campaigns with libFuzzer under ASan+UBSan, starting from the committed corpus.
#
#   bash tools/fuzz.sh TARGET SECONDS   one campaign (e.g. fuzz_session 1800), then merge
#                                       what it found into corpus/TARGET, minimised
#                                       (-merge=1): review and commit the new files
#   bash tools/fuzz.sh all SECONDS      every target in turn, each merged
#   bash tools/fuzz.sh --ci SECONDS     every target in turn, nothing merged (CI): fails on
#                                       the first finding and prints its reproducer
#
# Binaries: $FUZZ_BIN (a folder holding fuzz_<t>, e.g. the clang ASan+UBSan CI build's fuzz/
# folder) or, when unset, build/fuzz-asan, configured and built here. One fuzzing process
# at a time (-jobs is not used: the machine is shared). Each run prints: executions,
# exec/s, cov, ft, new corpus units. For tools/fuzz-selftest.sh only: $FUZZ_TARGETS (names
# that replace "all") and $FUZZ_CORPUS (a folder holding <target>/ instead of corpus/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ci=0
if [ "${1:-}" = --ci ]; then ci=1; shift; set -- all "$@"; fi
if [ $# -ne 2 ]; then sed -n '2,15p' "$0"; exit 2; fi
target=$1
seconds=$2

corpus=${FUZZ_CORPUS:-$root/corpus}
targets=()
if [ "$target" = all ] && [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
elif [ "$target" = all ]; then
  for src in "$root"/fuzz/fuzz_*.cpp; do targets+=("$(basename "$src" .cpp)"); done
else
  [ -f "$root/fuzz/$target.cpp" ] || { echo "no such target: fuzz/$target.cpp" >&2; exit 2; }
  targets=("$target")
fi

bin=${FUZZ_BIN:-}
if [ -z "$bin" ]; then
  dir=$root/build/fuzz-asan
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSMTPP_SANITIZE=ON -DSMTPP_BUILD_FUZZERS=ON -DSMTPP_BUILD_TESTS=OFF -DSMTPP_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$dir" -j "$(nproc)" --target "${targets[@]}" >/dev/null
  bin=$dir/fuzz
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  exe=$bin/$t
  [ -x "$exe" ] || { echo "missing binary $exe" >&2; exit 2; }
  work=$(mktemp -d)
  mkdir -p "$work/new" "$corpus/$t"
  extra=()
  [ -f "$root/fuzz/smtp.dict" ] && extra+=(-dict="$root/fuzz/smtp.dict")
  max_len=$(sed -n 's/^max_len *= *//p' "$root/fuzz/$t.options" 2>/dev/null || true)
  [ -n "$max_len" ] && extra+=(-max_len="$max_len")
  set +e
  "$exe" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$work/" "${extra[@]}" "$work/new" "$corpus/$t" >"$work/log" 2>&1
  rc=$?
  set -e
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
  cov=$(echo "$done_line" | grep -Eo 'cov: [0-9]+' || true)
  ft=$(echo "$done_line" | grep -Eo 'ft: [0-9]+' || true)
  found=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | grep -v slow-unit || true)
  printf '%-14s %4ss: %s execs, %s exec/s, %s, %s, %s new units, rc %s\n' "$t" "$seconds" "${execs:-?}" \
    "${rate:-?}" "${cov:-cov: ?}" "${ft:-ft: ?}" "$(ls "$work/new" | wc -l)" "$rc"
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    status=1
    echo "== $t: FINDING (libFuzzer exit $rc)"
    grep -E 'ERROR|SUMMARY|runtime error|deadly signal|#[0-9]+ 0x' "$work/log" | head -n 40 || true
    for f in $found; do
      echo "-- reproducer $(basename "$f") ($(wc -c <"$f") bytes), base64:"
      base64 -w 0 "$f"; echo
      od -A x -t x1z -v "$f" | head -n 32
      if [ "$ci" -eq 0 ]; then cp "$f" "$root/"; echo "   copied to $root/$(basename "$f")"; fi
    done
    echo "   replay: $exe <reproducer>"
    rm -rf "$work"
    [ "$ci" -eq 1 ] && exit 1
    continue
  fi
  if [ "$ci" -eq 0 ] && [ -n "$(ls "$work/new")" ]; then
    # Minimise the committed corpus and what was found into one set (-merge=1 keeps a unit
    # only when it adds a feature), then replace the committed folder with it.
    mkdir -p "$work/merged"
    "$exe" -merge=1 "${extra[@]}" "$work/merged" "$corpus/$t" "$work/new" >"$work/merge.log" 2>&1
    # Files not named by their SHA-1 (named regression inputs) are always kept.
    before=$(ls "$corpus/$t" | wc -l)
    find "$corpus/$t" -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
    cp "$work/merged"/* "$corpus/$t/"
    echo "   merged: $corpus/$t $before -> $(ls "$corpus/$t" | wc -l) files"
  fi
  rm -rf "$work"
done
exit $status
