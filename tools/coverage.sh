#!/usr/bin/env bash
# Line and region coverage of the library headers by the test suite and the fuzz corpora
# (clang source-based coverage). Usage: bash tools/coverage.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build/coverage}
flags="-fprofile-instr-generate -fcoverage-mapping"
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DSMTPP_BUILD_TESTS=ON -DSMTPP_BUILD_FUZZERS=ON -DSMTPP_BUILD_EXAMPLES=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$dir" -j "$(nproc)" >/dev/null
rm -rf "$dir/profiles"; mkdir -p "$dir/profiles"
LLVM_PROFILE_FILE="$dir/profiles/%p-%m.profraw" ctest --test-dir "$dir" -j "$(nproc)" >/dev/null
llvm-profdata merge -sparse "$dir"/profiles/*.profraw -o "$dir/merged.profdata"
objects=()
for exe in "$dir"/tests/test_* "$dir"/fuzz/fuzz_*; do
  [ -x "$exe" ] && [ -f "$exe" ] && objects+=(-object "$exe")
done
llvm-cov report "${objects[@]:1}" -instr-profile="$dir/merged.profdata" \
  "$root"/include/smtpp/*.hpp "$root"/include/smtpp/detail/*.hpp 2>/dev/null | tail -n 20
