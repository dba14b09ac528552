#!/usr/bin/env bash
# Runs every test of smtpp on a fresh Debian 12 machine: installs what it needs, then
# builds and tests the build matrix. Usage: bash tools/run-tests.sh [quick|platforms]
#   (no argument)  the whole matrix, as CI runs it
#   quick          one gcc build with the tests (for a fast local loop)
#   platforms      only the portability stage (cross targets, SIMD off, Windows, Cortex-M4)
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
# smtpp-send's interoperability stage (examples/send/tests): aiosmtpd (exim is extracted below).
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
# The fuzz stage: OSS-Fuzz-style seed zips and the AFL++ build (afl-clang-fast++).
command -v zip >/dev/null || need+=(zip)
command -v unzip >/dev/null || need+=(unzip)
command -v afl-clang-fast++ >/dev/null || need+=(afl++)
command -v clang-format >/dev/null || need+=(clang-format)  # tools/check-format.sh (SMTPP_CHECK_FORMAT)
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
ctest_extra=()  # extra ctest arguments for the next run_config (the wine run sets a retry)
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
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" "${ctest_extra[@]}" 2>&1 | tee "$dir.test.log"
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

# ---- Platforms: what README's "Platforms" section states, proved on every run ------------
# 32-bit x86 (SSE2) and armhf (SWAR) and s390x (big-endian, scalar) under qemu-user,
# x86-64 with SMTPP_NO_SIMD, x86_64-w64-mingw32 under wine64, every header compiled for
# i686-w64-mingw32, the Cortex-M4 firmware under qemu-system-arm, and the rule that no
# compiler- or CPU-specific construct stands outside include/smtpp/detail/platform.hpp.
# Cross configurations build the tests only (no benchmarks, examples or fuzzers; the fuzz
# targets are compiled for i686 to prove they build on a 32-bit target).
run_platforms() {
  local t0=$SECONDS
  local pneed=()
  command -v i686-linux-gnu-g++ >/dev/null || pneed+=(g++-i686-linux-gnu)
  command -v arm-linux-gnueabihf-g++ >/dev/null || pneed+=(g++-arm-linux-gnueabihf)
  command -v s390x-linux-gnu-g++ >/dev/null || pneed+=(g++-s390x-linux-gnu)
  command -v qemu-arm >/dev/null || pneed+=(qemu-user)
  command -v qemu-system-arm >/dev/null || pneed+=(qemu-system-arm)
  [ -x /usr/lib/wine/wine64 ] || pneed+=(wine64)
  command -v x86_64-w64-mingw32-g++ >/dev/null || pneed+=(g++-mingw-w64-x86-64)
  command -v i686-w64-mingw32-g++ >/dev/null || pneed+=(g++-mingw-w64-i686)
  command -v arm-none-eabi-g++ >/dev/null || pneed+=(gcc-arm-none-eabi)
  [ -f /usr/lib/arm-none-eabi/newlib/thumb/v7e-m/nofp/libstdc++_nano.a ] || pneed+=(libstdc++-arm-none-eabi-newlib)
  if [ ${#pneed[@]} -gt 0 ]; then
    echo "== [platforms] installing: ${pneed[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${pneed[@]}" >/dev/null
  fi
  echo "== [platforms] tools ready after $((SECONDS - t0)) s"

  echo "== [platforms] no compiler- or CPU-specific construct outside detail/platform.hpp"
  local pat='__builtin_|__attribute__|__asm__|\basm\b|__declspec|__forceinline|\b_mm[0-9]*_|__m128|__m256|__m512'
  pat+='|intrin\.h|arm_neon\.h|__SSE|__AVX|__ARM_|__aarch64__|__arm__|__x86_64__|__i386__|_M_X64|_M_IX86|_M_ARM'
  pat+='|__BYTE_ORDER__|__ORDER_|__GNUC__|__clang__|_MSC_VER|\[\[(gnu|clang|msvc)::'
  if grep -rnE "$pat" "$root/include" "$root/src" | grep -vE '^[^:]*/include/smtpp/detail/platform\.hpp:'; then
    failures+=("platforms: compiler-specific code outside detail/platform.hpp")
  fi
  # string_view::substr range-checks and throws: firmware would link abort and the unwinder.
  # Library code slices with detail::sub (clamped) or detail::slice (validated positions).
  if grep -rnE '\.substr\(' "$root/include" "$root/src" | grep -vE '^[^:]*:[0-9]+:\s*(//|\*)'; then
    failures+=("platforms: substr on a library path (use detail::sub)")
  fi

  local cross=(-DCMAKE_BUILD_TYPE=Release -DSMTPP_BUILD_TESTS=ON -DSMTPP_BUILD_EXAMPLES=OFF
               -DSMTPP_BUILD_BENCHMARKS=OFF -DSMTPP_BUILD_FUZZERS=OFF -DSMTPP_WERROR=ON)
  local tc=$root/cmake/toolchains
  # i686 with SSE2 (the 32-bit vector path), clang, C++23; the fuzzers as well.
  run_config i686-clang-cxx23-sse2 "${cross[@]}" -DCMAKE_TOOLCHAIN_FILE="$tc/i686-linux-gnu.cmake" \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_COMPILER_TARGET=i686-linux-gnu -DCMAKE_CXX_STANDARD=23 \
    "-DCMAKE_CXX_FLAGS=-msse2 -mfpmath=sse" \
    -DCMAKE_C_COMPILER=clang -DCMAKE_C_COMPILER_TARGET=i686-linux-gnu "-DCMAKE_C_FLAGS=-msse2 -mfpmath=sse"
  echo "== [platforms] the fuzz targets compile for i686 (-Werror; no 64-bit size_t assumed)"
  local f
  for f in "$root"/fuzz/fuzz_*.cpp; do
    if ! clang++ --target=i686-linux-gnu -msse2 -std=c++17 -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion \
         -Wshadow -Wold-style-cast -Werror -fsyntax-only -I"$root/include" "$f"; then
      failures+=("platforms: i686 ${f#"$root/"}")
    fi
  done
  # armhf (32-bit ARM, the word-at-a-time paths), gcc, C++20.
  run_config armhf-gcc-cxx20 "${cross[@]}" -DCMAKE_TOOLCHAIN_FILE="$tc/arm-linux-gnueabihf.cmake" -DCMAKE_CXX_STANDARD=20
  # s390x (big-endian: the byte loops), gcc, C++17.
  run_config s390x-gcc-cxx17 "${cross[@]}" -DCMAKE_TOOLCHAIN_FILE="$tc/s390x-linux-gnu.cmake" -DCMAKE_CXX_STANDARD=17
  # x86-64 with every vector path off, gcc, C++23 optimised (its -Wrestrict included).
  run_config x86_64-gcc-cxx23-no-simd "${cross[@]}" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_STANDARD=23 -DSMTPP_NO_SIMD=ON
  echo "== [platforms] SMTPP_NO_SIMD leaves no SSE2 compare in the compiled library (and without it, some)"
  local with without
  g++ -std=c++17 -O2 -I"$root/include" -c "$root/src/smtpp.cpp" -o "$root/build-ci/simd.o"
  g++ -std=c++17 -O2 -DSMTPP_NO_SIMD -I"$root/include" -c "$root/src/smtpp.cpp" -o "$root/build-ci/no-simd.o"
  with=$(objdump -d "$root/build-ci/simd.o" | grep -cE 'pcmpeqb|pmovmskb|pcmpgtb' || true)
  without=$(objdump -d "$root/build-ci/no-simd.o" | grep -cE 'pcmpeqb|pmovmskb|pcmpgtb' || true)
  echo "SSE2 compares: $with by default, $without with SMTPP_NO_SIMD"
  if [ "$with" -eq 0 ] || [ "$without" -ne 0 ]; then failures+=("platforms: SMTPP_NO_SIMD"); fi
  # Windows: the library and its tests under wine64 (the sink is POSIX and not built).
  export WINEPREFIX="$root/build-ci/wine" WINEDEBUG=-all
  # Create the prefix once before ctest starts two tests at a time: two wine processes
  # creating a fresh prefix at once fail ("chdir to /tmp/wine-...: No such file").
  timeout 300 /usr/lib/wine/wine64 wineboot --init >/dev/null 2>&1 || true
  timeout 120 /usr/lib/wine/wineserver -w >/dev/null 2>&1 || true
  # A test may run once more when it fails: wine itself sometimes drops a client as its
  # server shuts down between tests ("wine client error:0: recvmsg: Connection reset by
  # peer", seen once in CI); a real failure fails twice.
  ctest_extra=(--repeat until-pass:2)
  run_config x86_64-w64-mingw32-wine "${cross[@]}" -DCMAKE_TOOLCHAIN_FILE="$tc/x86_64-w64-mingw32.cmake" -DCMAKE_CXX_STANDARD=17
  ctest_extra=()
  echo "== [platforms] every public header alone with i686-w64-mingw32 (C++17, -Werror)"
  local h
  for h in "$root"/include/smtpp/*.hpp "$root"/include/smtpp/detail/*.hpp; do
    grep -q '@private' "$h" && continue  # a fragment of another header (the catalog texts)
    if ! echo "#include \"${h#"$root/include/"}\"" | i686-w64-mingw32-g++ -std=c++17 -Wall -Wextra -Wpedantic \
         -Wconversion -Wsign-conversion -Werror -fsyntax-only -I"$root/include" -x c++ -; then
      failures+=("platforms: i686-w64-mingw32 ${h#"$root/"}")
    fi
  done
  # MSVC (not on this machine): clang's MSVC mode (_MSC_VER 1936, _M_X64 / _M_IX86, no
  # __GNUC__) over mingw-w64's libstdc++ headers, with __clang__ undefined so that the
  # headers take the branches they take under MSVC (__declspec, the plain bit scans, SSE2
  # through <emmintrin.h> on _M_X64). mingw's C headers null __attribute__ for _MSC_VER,
  # which would break clang's own intrinsics: <emmintrin.h> is included first (without
  # mm_malloc.h, which needs mingw's <stdlib.h>). Every header alone, then the firmware's
  # session loop (line reader, DATA decoder, session, commands), which instantiates them.
  echo "== [platforms] every public header, and a whole session, through clang's MSVC mode (_MSC_VER)"
  local msvc_cxx
  msvc_cxx=$(ls -d /usr/lib/gcc/x86_64-w64-mingw32/*-posix/include/c++ | head -n 1)
  local msvc=(-fms-compatibility -fms-extensions -fms-compatibility-version=19.36 -nostdinc++
              -isystem "$msvc_cxx" -isystem "$msvc_cxx/x86_64-w64-mingw32" -isystem /usr/x86_64-w64-mingw32/include
              -D__STRICT_ANSI__ -D__MM_MALLOC_H -include emmintrin.h -U__clang__ -Wno-builtin-macro-redefined
              -Wall -Wextra -Wconversion -Wsign-conversion -Werror -fsyntax-only -I"$root/include")
  if ! printf '%s\n' '#include "smtpp/smtpp.hpp"' '#if !defined(_MSC_VER) || SMTPP_GNU_LIKE || !SMTPP_SIMD_SSE2' \
       '#error "not the MSVC branches of detail/platform.hpp"' '#endif' |
       clang++ --target=x86_64-pc-windows-msvc -std=c++17 "${msvc[@]}" -x c++ -; then
    failures+=("platforms: MSVC mode does not select platform.hpp's MSVC branches")
  fi
  for h in "$root"/include/smtpp/*.hpp "$root"/include/smtpp/detail/*.hpp; do
    grep -q '@private' "$h" && continue
    if ! echo "#include \"${h#"$root/include/"}\"" | clang++ --target=x86_64-pc-windows-msvc -std=c++17 "${msvc[@]}" -x c++ -; then
      failures+=("platforms: MSVC mode ${h#"$root/"}")
    fi
  done
  local target std
  for target in x86_64-pc-windows-msvc i686-pc-windows-msvc; do
    for std in c++17 c++20; do
      if ! clang++ --target=$target -std=$std "${msvc[@]}" "$root/examples/cortex-m4/firmware.cpp"; then
        failures+=("platforms: MSVC mode $target $std session")
      fi
    done
  done
  if ! clang++ --target=x86_64-pc-windows-msvc -std=c++17 -DSMTPP_NO_SIMD "${msvc[@]}" "$root/examples/cortex-m4/firmware.cpp"; then
    failures+=("platforms: MSVC mode SMTPP_NO_SIMD session")
  fi
  echo "== [platforms] Cortex-M4 firmware under qemu-system-arm (mps2-an386)"
  if bash "$root/examples/cortex-m4/build.sh" "$root/build-ci/cortex-m4"; then :; else failures+=("platforms: cortex-m4"); fi
  echo "== [platforms] took $((SECONDS - t0)) s"
}

common=(-DSMTPP_BUILD_TESTS=ON -DSMTPP_BUILD_EXAMPLES=ON -DSMTPP_BUILD_FUZZERS=ON -DSMTPP_WERROR=ON)

if [ "${1:-}" = platforms ]; then
  run_platforms
else
# Formatting (tools/check-format.sh: .clang-format over include/ src/ tests/ fuzz/ bench/
# examples/ tools/*.cpp|hpp), checked on every run; SMTPP_CHECK_FORMAT=0 skips it locally.
if [ "${SMTPP_CHECK_FORMAT:-1}" = 1 ]; then
  echo
  echo "== [format] tools/check-format.sh"
  if bash tools/check-format.sh; then :; else failures+=("format: files not formatted (clang-format -i)"); fi
fi
# gcc, C++17, optimised, with the benchmarks built (they are run by bench/run.sh, not here).
run_config gcc-cxx17-release "${common[@]}" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_C_COMPILER=gcc \
  -DCMAKE_CXX_STANDARD=17 -DCMAKE_BUILD_TYPE=Release -DSMTPP_BUILD_BENCHMARKS=ON
# smtpp-send against smtpp-sink (plain, BDAT, LMTP, STARTTLS + AUTH), Postfix smtp-sink,
# aiosmtpd and exim4, every message checked byte for byte at the receiver. exim4 conflicts
# with postfix (both are mail-transport-agent), so it is not installed: its Debian packages
# are extracted under build-ci/exim and run from there as an unprivileged daemon.
client_interop() {
  local t0=$SECONDS dir="$root/build-ci/gcc-cxx17-release"
  echo
  echo "== [client-interop] smtpp-send against smtpp-sink, Postfix smtp-sink, aiosmtpd, exim4"
  local ex="$root/build-ci/exim"
  if [ ! -x "$ex/root/usr/sbin/exim4" ]; then
    rm -rf "$ex"; mkdir -p "$ex/root"
    (cd "$ex" && { apt-get download exim4-daemon-light exim4-base libidn12 >/dev/null 2>&1 ||
                   { apt-get update -qq && apt-get download exim4-daemon-light exim4-base libidn12 >/dev/null 2>&1; }; } &&
     for deb in ./*.deb; do dpkg -x "$deb" root; done) || { failures+=("client-interop: exim download"); return; }
  fi
  # The exim binary runs its daemon and deliveries as its compiled-in user.
  id Debian-exim >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin Debian-exim
  if SMTPP_EXIM_ROOT="$ex/root" timeout 300 /usr/bin/python3 examples/send/tests/test_interop.py \
      "$dir/examples/send/smtpp-send" "$dir/examples/sink/smtpp-sink" "$dir/client-interop" \
      sink sink-tls postfix aiosmtpd exim; then
    total_passed=$((total_passed + 1))
  else
    failures+=("client-interop"); total_failed=$((total_failed + 1))
  fi
  echo "== [client-interop] $((SECONDS - t0)) s"
}
client_interop

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
  # The differential grammar oracle (tests/oracle): an RFC-ABNF recogniser against smtpp's
  # verdicts on generated MAIL/RCPT lines and every single-octet mutation of them.
  echo
  echo "== [grammar-oracle] RFC ABNF recogniser vs parse_command"
  t0=$SECONDS
  if python3 tests/oracle/grammar_oracle.py "$root/build-ci/gcc-cxx17-release/tests/grammar_verdict" --lines 400; then :
  else failures+=("grammar-oracle"); fi
  echo "== [grammar-oracle] took $((SECONDS - t0)) s"
  # Continuous fuzzing: every target for a fixed budget under ASan+UBSan (the clang
  # configuration's libFuzzer binaries), from its corpus; then the OSS-Fuzz-style builds.
  echo
  # Budget: the whole stage within 10 minutes on a 2-core machine (measured: docs/fuzzing.md).
  t0=$SECONDS
  echo "== [fuzz] self-test: tools/fuzz.sh --ci fails on a finding and prints a reproducer that replays"
  if bash tools/fuzz-selftest.sh "$root/build-ci/fuzz-selftest"; then :; else failures+=("fuzz: self-test"); fi
  t1=$SECONDS
  echo "== [fuzz] each target ${SMTPP_CI_FUZZ_SECONDS:-15} s under ASan+UBSan, from corpus/"
  if FUZZ_BIN="$root/build-ci/clang-cxx20-asan-ubsan/fuzz" \
     bash tools/fuzz.sh --ci "${SMTPP_CI_FUZZ_SECONDS:-15}"; then :; else failures+=("fuzz: finding"); fi
  t2=$SECONDS
  echo "== [fuzz] OSS-Fuzz-style builds (libFuzzer ASan, libFuzzer UBSan, AFL++ without ASan: --ci)"
  if bash tools/oss-fuzz-check.sh --ci "$root/build-ci/oss-fuzz"; then :; else failures+=("oss-fuzz-style builds"); fi
  echo "== [fuzz] stage took $((SECONDS - t0)) s (self-test $((t1 - t0)) s, fuzzing $((t2 - t1)) s, OSS-Fuzz-style $((SECONDS - t2)) s)"
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
  run_platforms
fi
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failures[@]}"
  echo "ctest: $total_passed passed, $total_failed failed"
  exit 1
fi
echo "all configurations passed"
echo "ctest: $total_passed passed, $total_failed failed"
