#!/usr/bin/env bash
# Proves smtpp is a good CMake citizen: installs it, builds a find_package() consumer, an
# add_subdirectory() consumer, a FetchContent consumer and a single-header consumer, and
# runs each.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$root/build-ci/packaging}
rm -rf "$work"; mkdir -p "$work"
cmake -S "$root" -B "$work/smtpp" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSMTPP_BUILD_TESTS=OFF \
  -DSMTPP_BUILD_EXAMPLES=OFF -DCMAKE_INSTALL_PREFIX="$work/prefix" >/dev/null
cmake --build "$work/smtpp" >/dev/null
cmake --install "$work/smtpp" >/dev/null
cmake -S "$root/tests/packaging/find_package" -B "$work/fp" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/fp" >/dev/null
"$work/fp/consumer"
"$work/fp/consumer_compiled"
# smtpp.pc leaves the language standard to the consumer: C++20 with its Cflags.
pc=$(find "$work/prefix" -name smtpp.pc)
if grep -q -- '-std=' "$pc"; then echo "smtpp.pc forces a -std= on consumers" >&2; exit 1; fi
cflags=$(sed -n 's/^Cflags: //p' "$pc" | sed "s|\${includedir}|$work/prefix/include|")
g++ -std=c++20 -Wall -Wextra -Werror $cflags "$root/tests/packaging/consumer.cpp" -o "$work/pc_consumer"
"$work/pc_consumer"
cmake -S "$root/tests/packaging/subdirectory" -B "$work/sub" -G Ninja -DSMTPP_SOURCE_DIR="$root" >/dev/null
cmake --build "$work/sub" >/dev/null
"$work/sub/consumer"
# A subproject that does not link smtpp::compiled does not build it.
if find "$work/sub" -name '*smtpp_compiled*' -name '*.a' | grep -q .; then
  echo "smtpp_compiled was built for a subproject that does not link it" >&2; exit 1
fi
cmake -S "$root/tests/packaging/fetchcontent" -B "$work/fc" -G Ninja -DSMTPP_SOURCE_DIR="$root" >/dev/null
cmake --build "$work/fc" >/dev/null
"$work/fc/consumer"
"$work/fc/consumer_compiled"
for std in c++17 c++20; do
  g++ -std=$std -Wall -Wextra -Wpedantic -Werror -DSMTPP_SINGLE_HEADER -I"$root/single_include" \
    "$root/tests/packaging/consumer.cpp" -o "$work/single_header_$std"
  "$work/single_header_$std"
done
echo "packaging ok"
