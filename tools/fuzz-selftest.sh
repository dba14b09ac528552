#!/usr/bin/env bash
# Proves that the CI fuzz check can fail: builds tools/fuzz-selftest/fuzz_selftest.cpp (a
# target with deliberate bugs) under ASan+UBSan and runs `tools/fuzz.sh --ci` on it twice:
#   1. its corpus holds a seed that traps (a regression input whose bug came back);
#   2. its corpus holds only harmless seeds and the fuzzer must find a heap overflow.
# Each run must exit non-zero, report the FINDING, print the reproducer in base64, and the
# decoded reproducer must crash the target again with the expected report. (The control,
# fuzz.sh --ci passing on targets without bugs, is the real fuzz stage itself.)
# Usage: bash tools/fuzz-selftest.sh [work-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$root/build/fuzz-selftest}
rm -rf "$work"; mkdir -p "$work/bin1" "$work/bin2" "$work/corpus1/fuzz_selftest" "$work/corpus2/fuzz_selftest"
t0=$SECONDS
flags=(-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
clang++ "${flags[@]}" "$root/tools/fuzz-selftest/fuzz_selftest.cpp" -o "$work/bin1/fuzz_selftest"
clang++ "${flags[@]}" -DSELFTEST_NO_TRAP "$root/tools/fuzz-selftest/fuzz_selftest.cpp" -o "$work/bin2/fuzz_selftest"
expect=("" "deadly signal" "heap-buffer-overflow")
printf 'harmless' >"$work/corpus1/fuzz_selftest/a"
printf 'SEED-TRAP here' >"$work/corpus1/fuzz_selftest/b"
printf 'harmless' >"$work/corpus2/fuzz_selftest/a"
printf 'FOUND?' >"$work/corpus2/fuzz_selftest/b"
fail=0
for n in 1 2; do
  set +e
  FUZZ_BIN=$work/bin$n FUZZ_TARGETS=fuzz_selftest FUZZ_CORPUS=$work/corpus$n \
    bash "$root/tools/fuzz.sh" --ci 30 >"$work/run$n.log" 2>&1
  rc=$?
  set -e
  b64=$(grep -A1 -- '^-- reproducer ' "$work/run$n.log" | sed -n 2p || true)
  if [ "$rc" -eq 0 ]; then echo "   FAIL: case $n: fuzz.sh --ci passed on a crashing target"; fail=1
  elif ! grep -q '== fuzz_selftest: FINDING' "$work/run$n.log"; then echo "   FAIL: case $n: no FINDING line"; fail=1
  elif [ -z "$b64" ]; then echo "   FAIL: case $n: no reproducer printed"; fail=1
  else
    echo "$b64" | base64 -d >"$work/repro$n"
    if "$work/bin$n/fuzz_selftest" "$work/repro$n" >"$work/replay$n.log" 2>&1; then
      echo "   FAIL: case $n: the printed reproducer does not crash the target"; fail=1
    elif ! grep -q "${expect[$n]}" "$work/replay$n.log"; then
      echo "   FAIL: case $n: the reproducer does not show ${expect[$n]}"; fail=1
    else
      echo "   case $n: fuzz.sh --ci exit $rc, reproducer printed ($(wc -c <"$work/repro$n") bytes: $(head -c 12 "$work/repro$n" | tr -c '[:print:]' '.')), replays: ${expect[$n]}"
    fi
  fi
  [ "$fail" -eq 0 ] || { cat "$work/run$n.log"; break; }
done
echo "== [fuzz-selftest] $([ $fail -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - t0)) s"
exit $fail
