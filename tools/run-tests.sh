#!/usr/bin/env bash
# Runs every test of smtpp on a fresh Debian 12 machine: installs what it needs, then
# builds and tests the build matrix. Usage: bash tools/run-tests.sh [quick]
#   (no argument)  the whole matrix, as CI runs it
#   quick          one gcc build with the tests (for a fast local loop)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc 2>/dev/null || echo 2)

need=()
command -v cmake >/dev/null || need+=(cmake)
command -v ninja >/dev/null || need+=(ninja-build)
command -v g++ >/dev/null || need+=(g++)
command -v clang++ >/dev/null || need+=(clang)
command -v python3 >/dev/null || need+=(python3)
command -v pkg-config >/dev/null || need+=(pkg-config)  # the C API's consumer test (tools/check-c-api.sh)
command -v doxygen >/dev/null || need+=(doxygen)        # the reference manual (tools/build-docs.sh)
[ -f /usr/include/catch2/catch.hpp ] || need+=(catch2)
[ -f /usr/include/benchmark/benchmark.h ] || need+=(libbenchmark-dev)
ls /usr/lib/llvm-14/lib/clang/14*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
# smtpp-sink's interoperability tests (examples/sink/tests): clients, TLS, Postfix's tools.
command -v swaks >/dev/null || need+=(swaks)
perl -MNet::SSLeay -e1 2>/dev/null || need+=(libnet-ssleay-perl)  # swaks --tls
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
[ -x /usr/sbin/smtp-source ] && [ -x /usr/sbin/smtp-sink ] || need+=(postfix)
command -v strace >/dev/null || need+=(strace)  # sink_durable: the order of fsync, rename and the 250
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix is installed for smtp-source/smtp-sink only: "No configuration", no mail system runs.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

failures=()
total_passed=0
total_failed=0
run_config() {  # name, then cmake arguments
  local name=$1; shift
  local dir="$root/build-ci/$name"
  echo
  echo "== [$name] configure: $*"
  if ! cmake -S "$root" -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1; then
    mkdir -p "$(dirname "$dir")"; cat "$dir.configure.log"; failures+=("$name: configure"); return
  fi
  echo "== [$name] build"
  if ! cmake --build "$dir" -j "$jobs" >"$dir.build.log" 2>&1; then
    tail -n 60 "$dir.build.log"; failures+=("$name: build"); return
  fi
  echo "== [$name] test"
  local rc=0
  set +e
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" 2>&1 | tee "$dir.test.log"
  rc=${PIPESTATUS[0]}
  set -e
  # "NN% tests passed, F tests failed out of T"
  local summary
  summary=$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$dir.test.log" | tail -n 1)
  if [ -n "$summary" ]; then
    local f t
    f=$(echo "$summary" | awk '{print $1}')
    t=$(echo "$summary" | awk '{print $NF}')
    total_failed=$((total_failed + f))
    total_passed=$((total_passed + t - f))
  fi
  if [ "$rc" -ne 0 ]; then
    failures+=("$name: tests")
  fi
}
mkdir -p "$root/build-ci"

common=(-DSMTPP_BUILD_TESTS=ON -DSMTPP_BUILD_EXAMPLES=ON -DSMTPP_BUILD_FUZZERS=ON -DSMTPP_WERROR=ON)

# gcc, C++17, optimised, with the benchmarks built (they are run by bench/run.sh, not here).
run_config gcc-cxx17-release "${common[@]}" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_C_COMPILER=gcc \
  -DCMAKE_CXX_STANDARD=17 -DCMAKE_BUILD_TYPE=Release -DSMTPP_BUILD_BENCHMARKS=ON
if [ "${1:-}" != quick ]; then
  # clang, C++20, ASan + UBSan, libFuzzer targets replaying their corpora.
  run_config clang-cxx20-asan-ubsan "${common[@]}" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_STANDARD=20 -DCMAKE_BUILD_TYPE=Debug -DSMTPP_SANITIZE=ON
  # gcc, C++20, -fno-exceptions -fno-rtti.
  run_config gcc-cxx20-noexcept "${common[@]}" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_C_COMPILER=gcc \
    -DCMAKE_CXX_STANDARD=20 -DCMAKE_BUILD_TYPE=Debug -DSMTPP_NO_EXCEPTIONS=ON
  # clang, C++17, -fno-exceptions -fno-rtti, optimised.
  run_config clang-cxx17-noexcept "${common[@]}" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_STANDARD=17 -DCMAKE_BUILD_TYPE=Release -DSMTPP_NO_EXCEPTIONS=ON
  # Packaging: install, then build consumers with find_package and add_subdirectory.
  echo
  echo "== [packaging] install + find_package + add_subdirectory consumers"
  if bash tools/check-packaging.sh "$root/build-ci/packaging"; then :; else failures+=("packaging"); fi
  # ---- C API: nm -D exports only smtpp_*, pkg-config consumers (gcc/clang, c99/c11) -------
  echo
  echo "== [c-api] install + nm -D + pkg-config smtpp-c consumers (gcc, clang; c99, c11)"
  if bash tools/check-c-api.sh "$root/build-ci/c-api"; then :; else failures+=("c-api"); fi
  # ---- The reference manual: doxygen, warnings (undocumented public items) are errors ----
  echo "== [docs] doxygen (docs/Doxyfile): guide, C API, documented C++ headers"
  if bash tools/build-docs.sh "$root/build-ci/docs"; then :; else failures+=("docs: doxygen warnings"); fi
  # The generated single header is committed and must match its generator.
  echo "== [single-header] regenerate and compare"
  if python3 tools/amalgamate.py --check; then :; else failures+=("single-header: out of date"); fi
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}"
  echo "ctest: $total_passed passed, $total_failed failed"
  exit 1
fi
echo "all configurations passed"
echo "ctest: $total_passed passed, $total_failed failed"
