#!/usr/bin/env bash
# Line and branch coverage of the library headers (clang source-based coverage), per file:
#   1. the test suite and the fuzz corpora together;
#   2. the committed fuzz corpora ALONE (what the OSS-Fuzz seed zips and ctest's corpus
#      replays reach), against the bar of >= 95 % lines and >= 90 % branches per header,
#      on the run-time code (tools/coverage_runtime.py).
# Usage: bash tools/coverage.sh [--check] [build-dir]
#   --check   exit 1 when a run-time header misses the bar on corpus replay alone
#
# Left out as compile-time-only: include/smtpp/detail/ascii.hpp (character-class tables
# built by constexpr functions, run by the compiler), detail/catalog_en.hpp and
# detail/catalog_ru.hpp (constant text tables: no code), version.hpp, core.hpp and
# smtpp.hpp (declarations and includes); inside the other headers, the functions listed by
# tools/coverage_runtime.py (constexpr table builders, static_assert checks, case-label
# values, portable twins of SSE2 paths), the constant-evaluation arms of run-time
# functions it names line by line, and word_image's arm for a field that straddles two
# words (i386 layouts only). Their code never runs in an x86-64 binary, so source
# coverage cannot see it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
dir=${1:-$root/build/coverage}
flags="-fprofile-instr-generate -fcoverage-mapping"
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
  -DSMTPP_BUILD_TESTS=ON -DSMTPP_BUILD_FUZZERS=ON -DSMTPP_BUILD_EXAMPLES=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$dir" -j "$(nproc)" >/dev/null

run_time=()
for h in "$root"/include/smtpp/*.hpp "$root"/include/smtpp/detail/*.hpp; do
  case "$(basename "$h")" in
    ascii.hpp|catalog_en.hpp|catalog_ru.hpp|version.hpp|core.hpp|smtpp.hpp) ;;
    *) run_time+=("$h") ;;
  esac
done

report() {  # title, profile folder, objects...
  local title=$1 prof=$2; shift 2
  llvm-profdata merge -sparse "$prof"/*.profraw -o "$prof.profdata"
  local objects=()
  for exe in "$@"; do objects+=(-object "$exe"); done
  echo
  echo "== $title"
  llvm-cov report "${objects[@]:1}" -instr-profile="$prof.profdata" -show-region-summary=false \
    -show-instantiation-summary=false "${run_time[@]}" 2>/dev/null | sed "s|$root/include/||"
}

# 1. Tests and corpora.
rm -rf "$dir/profiles-all"; mkdir -p "$dir/profiles-all"
LLVM_PROFILE_FILE="$dir/profiles-all/%p-%m.profraw" ctest --test-dir "$dir" -j "$(nproc)" >/dev/null || true
all=()
for exe in "$dir"/tests/test_* "$dir"/fuzz/fuzz_*; do [ -x "$exe" ] && [ -f "$exe" ] && all+=("$exe"); done
report "tests + fuzz corpora" "$dir/profiles-all" "${all[@]}"

# 2. The committed corpora alone: every fuzz target replays corpus/<target>/.
rm -rf "$dir/profiles-corpus"; mkdir -p "$dir/profiles-corpus"
fuzzers=()
for exe in "$dir"/fuzz/fuzz_*; do
  [ -x "$exe" ] && [ -f "$exe" ] || continue
  t=$(basename "$exe")
  [ -d "$root/corpus/$t" ] || continue
  LLVM_PROFILE_FILE="$dir/profiles-corpus/$t-%p.profraw" "$exe" -runs=0 "$root/corpus/$t" >/dev/null 2>&1
  fuzzers+=("$exe")
done
report "fuzz corpora alone, llvm-cov's own count (every function)" "$dir/profiles-corpus" "${fuzzers[@]}"
# The bar, per header, on the run-time code (tools/coverage_runtime.py leaves out and names
# the functions that never run in an x86-64 binary; its branch count is lcov's: one per
# outcome of each condition).
echo
echo "== fuzz corpora alone, run-time code (bar: lines >= 95 %, branches >= 90 % per header)"
opt=()
[ "$check" -eq 1 ] && opt=(--check)
python3 "$root/tools/coverage_runtime.py" "${opt[@]}" "$dir/profiles-corpus.profdata" "${run_time[@]}" -- \
  "${fuzzers[@]}" | sed "s|$root/include/||" | tee "$dir/corpus-coverage.txt"
exit "${PIPESTATUS[0]}"
