#!/usr/bin/env bash
# The OSS-Fuzz build (projects/smtpp/build.sh runs just this script).
# Uses $CXX, $CXXFLAGS, $LIB_FUZZING_ENGINE, $SRC and $OUT as OSS-Fuzz sets them; for a local
# run: CXX=clang++ CXXFLAGS="-fsanitize=address,fuzzer-no-link" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
#      OUT=/tmp/out bash fuzz/oss-fuzz-build.sh
# For every fuzz/fuzz_<t>.cpp it writes $OUT/fuzz_<t>, $OUT/fuzz_<t>_seed_corpus.zip (from
# corpus/fuzz_<t>/), $OUT/fuzz_<t>.options when fuzz/fuzz_<t>.options exists, and the
# dictionary smtp.dict.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
: "${CXX:=clang++}" "${CXXFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:=$root/build/oss-fuzz}"
# SMTPP_JOBS (default 1, as OSS-Fuzz builds): how many targets to compile at once.
mkdir -p "$OUT"
jobs=${SMTPP_JOBS:-1}
running=0
for src in "$root"/fuzz/fuzz_*.cpp; do
  t=$(basename "$src" .cpp)
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS -std=c++17 -I"$root/include" "$src" -o "$OUT/$t" $LIB_FUZZING_ENGINE &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
while [ "$running" -gt 0 ]; do wait -n; running=$((running - 1)); done
for src in "$root"/fuzz/fuzz_*.cpp; do
  t=$(basename "$src" .cpp)
  [ -x "$OUT/$t" ] || { echo "$t: not built" >&2; exit 1; }
  rm -f "$OUT/${t}_seed_corpus.zip"
  if [ -d "$root/corpus/$t" ]; then
    (cd "$root/corpus/$t" && zip -q -r -j "$OUT/${t}_seed_corpus.zip" .)
  fi
  [ -f "$root/fuzz/$t.options" ] && cp "$root/fuzz/$t.options" "$OUT/$t.options"
done
[ -f "$root/fuzz/smtp.dict" ] && cp "$root/fuzz/smtp.dict" "$OUT/smtp.dict"
echo "built $(ls "$root"/fuzz/fuzz_*.cpp | wc -l) fuzz targets into $OUT"
