#!/usr/bin/env bash
# Builds the fuzz targets exactly as OSS-Fuzz and ClusterFuzzLite do (oss-fuzz/build.sh →
# fuzz/oss-fuzz-build.sh with OSS-Fuzz's compiler, flags and engines), and checks what
# OSS-Fuzz expects in $OUT. Usage: bash tools/oss-fuzz-check.sh [--ci] [out-dir]
#   libfuzzer-address    clang++, -fsanitize=address -fsanitize-address-use-after-scope,
#                        -fsanitize=fuzzer-no-link, LIB_FUZZING_ENGINE=-fsanitize=fuzzer
#   libfuzzer-undefined  the same with OSS-Fuzz's UBSan check list (-fno-sanitize-recover)
#   afl-address          afl-clang-fast++ (Debian's afl++), ASan, libAFLDriver.a
#   --ci: afl-plain instead of afl-address: the same AFL++ build without ASan. The AFL++
#   flavour proves what only it can (afl-clang-fast++'s instrumentation builds every
#   target, links libAFLDriver.a, and the binaries run their seeds as afl-fuzz feeds them);
#   ASan over the same sources and flags is proved by libfuzzer-address. With ASan the
#   AFL++ build took 286 s of a 2-core CI run, without it about a quarter of that, which
#   keeps the whole fuzz stage within its 10 minutes. Run without --ci for the exact set.
# Checked for each flavour: one executable per fuzz/fuzz_<t>.cpp and no other, each
# <t>_seed_corpus.zip holding exactly corpus/<t>/, each <t>.options naming a dictionary
# that is in $OUT, and every target running its seed corpus without a finding (libFuzzer:
# -runs over the unzipped seeds; AFL++: the first seeds on stdin, as afl-fuzz's driver
# reads them). Differences from OSS-Fuzz's own images: Debian's clang and libstdc++ (OSS-Fuzz
# uses its clang with libc++), and no honggfuzz build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ci=0
if [ "${1:-}" = --ci ]; then ci=1; shift; fi
out_root=${1:-$root/build/oss-fuzz-check}
jobs=$(nproc 2>/dev/null || echo 2)
base="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
asan="-fsanitize=address -fsanitize-address-use-after-scope"
ubsan_checks="array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unsigned-integer-overflow,unreachable,vla-bound,vptr"
ubsan_fatal="array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr"
ubsan="-fsanitize=$ubsan_checks -fno-sanitize-recover=$ubsan_fatal"
afl_driver=/usr/lib/afl/libAFLDriver.a

mapfile -t targets < <(for s in "$root"/fuzz/fuzz_*.cpp; do basename "$s" .cpp; done)
fail=0
problem() { echo "   FAIL: $*"; fail=1; }
timings=()

build() {  # flavour CXX CXXFLAGS LIB_FUZZING_ENGINE
  local flavour=$1 out=$out_root/$1
  rm -rf "$out"; mkdir -p "$out"
  echo "== [$flavour] build"
  local t0=$SECONDS
  if ! SRC=$src OUT=$out CXX=$2 CXXFLAGS=$3 LIB_FUZZING_ENGINE=$4 SMTPP_JOBS=$jobs \
      bash "$root/oss-fuzz/build.sh" >"$out.log" 2>&1; then
    tail -n 40 "$out.log"; problem "$flavour: build"; return
  fi
  echo "   built in $((SECONDS - t0)) s"
  timings+=("$flavour build $((SECONDS - t0)) s")
}

check() {  # flavour engine
  local flavour=$1 engine=$2 out=$out_root/$1
  echo "== [$flavour] check outputs"
  local t0=$SECONDS
  for t in "${targets[@]}"; do
    [ -x "$out/$t" ] || { problem "$t: no executable"; continue; }
    local zip=$out/${t}_seed_corpus.zip
    if [ ! -f "$zip" ]; then problem "$t: no ${t}_seed_corpus.zip"; continue; fi
    local in_zip in_dir
    in_zip=$(unzip -Z1 "$zip" | wc -l)
    in_dir=$(find "$root/corpus/$t" -type f | wc -l)
    [ "$in_zip" -gt 0 ] && [ "$in_zip" -eq "$in_dir" ] || problem "$t: seed zip holds $in_zip files, corpus/$t $in_dir"
    if [ ! -f "$out/$t.options" ]; then problem "$t: no $t.options"; else
      local dict
      dict=$(sed -n 's/^dict *= *//p' "$out/$t.options")
      [ -z "$dict" ] || [ -f "$out/$dict" ] || problem "$t: $t.options names $dict, not in \$OUT"
      grep -q '^\[libfuzzer\]' "$out/$t.options" || problem "$t: $t.options has no [libfuzzer] section"
    fi
    local seeds
    seeds=$(mktemp -d)
    unzip -q "$zip" -d "$seeds"
    if [ "$engine" = libfuzzer ]; then
      "$out/$t" -runs=0 "$seeds" >"$seeds.log" 2>&1 || { tail -n 30 "$seeds.log"; problem "$t: seed replay"; }
    else
      local n=0
      for f in "$seeds"/*; do
        n=$((n + 1)); [ $n -gt 50 ] && break
        "$out/$t" <"$f" >"$seeds.log" 2>&1 || { tail -n 30 "$seeds.log"; problem "$t: AFL++ binary on $(basename "$f")"; break; }
      done
    fi
    rm -rf "$seeds" "$seeds.log"
  done
  # Nothing else that looks like a target.
  for f in "$out"/*; do
    local b
    b=$(basename "$f")
    case "$b" in
      *_seed_corpus.zip|*.options|*.dict) ;;
      *) [ -x "$f" ] && ! printf '%s\n' "${targets[@]}" | grep -qx "$b" && problem "unexpected executable $b" ;;
    esac
  done
  echo "   checked ${#targets[@]} targets in $((SECONDS - t0)) s"
  timings+=("$flavour check $((SECONDS - t0)) s")
}

# oss-fuzz/build.sh reads $SRC/smtpp, as in OSS-Fuzz's image; here the checkout may have
# any name, so $SRC is a folder holding a link to it.
mkdir -p "$out_root"
src=$out_root/src
rm -rf "$src"; mkdir -p "$src"; ln -s "$root" "$src/smtpp"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=silence_unsigned_overflow=1:print_stacktrace=1
build libfuzzer-address clang++ "$base $asan -fsanitize=fuzzer-no-link" -fsanitize=fuzzer
check libfuzzer-address libfuzzer
build libfuzzer-undefined clang++ "$base $ubsan -fsanitize=fuzzer-no-link" -fsanitize=fuzzer
check libfuzzer-undefined libfuzzer
if command -v afl-clang-fast++ >/dev/null && [ -f "$afl_driver" ]; then
  # afl-clang-fast++ compiles with -O3 -funroll-loops unless told not to: the flags above
  # (-O1, as OSS-Fuzz passes them) are kept, which halves the build time.
  if [ "$ci" -eq 1 ]; then
    AFL_QUIET=1 AFL_DONT_OPTIMIZE=1 build afl-plain afl-clang-fast++ "$base" "$afl_driver"
    check afl-plain afl
  else
    AFL_QUIET=1 AFL_DONT_OPTIMIZE=1 build afl-address afl-clang-fast++ "$base $asan" "$afl_driver"
    check afl-address afl
  fi
else
  problem "afl++ not installed (apt-get install afl++)"
fi
echo "   times: $(IFS=,; echo "${timings[*]}" | sed 's/,/, /g')"
[ $fail -eq 0 ] && echo "OSS-Fuzz-style builds: all flavours passed" || echo "OSS-Fuzz-style builds: FAILED"
exit $fail
