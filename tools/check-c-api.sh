#!/usr/bin/env bash
# The C API as a C user meets it: builds and installs the C libraries into a prefix, checks
# that the shared library exports only smtpp_* symbols (nm -D), then compiles the C
# transcript tests (server and client side) and examples/c_host_loop.c with gcc and clang at -std=c99 and
# -std=c11 -Wall -Wextra -Werror -pedantic using only `pkg-config --cflags --libs smtpp-c`,
# and runs them (shared library, and the static one through `pkg-config --static`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$root/build-ci/c-api}
rm -rf "$work"; mkdir -p "$work"
cmake -S "$root" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSMTPP_BUILD_TESTS=OFF \
  -DSMTPP_BUILD_EXAMPLES=OFF -DCMAKE_INSTALL_PREFIX="$work/prefix" >/dev/null
cmake --build "$work/build" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
cmake --install "$work/build" >/dev/null
libdir=$(find "$work/prefix" -name 'smtpp-c.pc' -printf '%h\n' | head -n 1)
export PKG_CONFIG_PATH="$libdir"
so=$(find "$work/prefix" -name 'libsmtpp_c.so' | head -n 1)

# Only smtpp_* symbols are exported.
others=$(nm -D --defined-only "$so" | awk 'NF == 3 {print $3}' | grep -v '^smtpp_' || true)
if [ -n "$others" ]; then
  echo "libsmtpp_c.so exports symbols outside smtpp_*:"; echo "$others"; exit 1
fi
echo "nm -D: $(nm -D --defined-only "$so" | awk 'NF == 3' | wc -l) symbols, all smtpp_*"

# smtpp-c-shared.pc adds SMTPP_C_SHARED (DLL imports on Windows); smtpp-c.pc must not (a
# static consumer on Windows would then import symbols no DLL exports).
case " $(pkg-config --cflags smtpp-c-shared) " in *" -DSMTPP_C_SHARED "*) ;; *)
  echo "smtpp-c-shared.pc lacks -DSMTPP_C_SHARED"; exit 1;; esac
case " $(pkg-config --cflags smtpp-c) " in *SMTPP_C_SHARED*)
  echo "smtpp-c.pc defines SMTPP_C_SHARED"; exit 1;; esac
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Wextra -Werror -pedantic $(pkg-config --cflags smtpp-c-shared) "$root/tests/c/test_c_client.c" \
  -o "$work/client-shared-pc" $(pkg-config --libs smtpp-c-shared)
LD_LIBRARY_PATH="$(dirname "$so")" "$work/client-shared-pc" "$root/tests/data/client" >/dev/null
echo "smtpp-c-shared.pc: client test ok"

script="$work/session.txt"
printf 'EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nSubject: hi\r\n\r\n..dot\r\n.\r\nQUIT\r\n' >"$script"
for cc in gcc clang; do
  for std in "-std=c99" "-std=c11 -Wall -Wextra -Werror -pedantic"; do
    tag="$cc-${std:5:3}"
    # shellcheck disable=SC2046,SC2086
    $cc $std -Wall -Wextra -Werror -pedantic $(pkg-config --cflags smtpp-c) "$root/tests/c/test_c_session.c" \
      -o "$work/test-$tag" $(pkg-config --libs smtpp-c)
    LD_LIBRARY_PATH="$(dirname "$so")" "$work/test-$tag" "$root/tests/data/session" >/dev/null
    # shellcheck disable=SC2046,SC2086
    $cc $std -Wall -Wextra -Werror -pedantic $(pkg-config --cflags smtpp-c) "$root/tests/c/test_c_client.c" \
      -o "$work/client-$tag" $(pkg-config --libs smtpp-c)
    LD_LIBRARY_PATH="$(dirname "$so")" "$work/client-$tag" "$root/tests/data/client" >/dev/null
    # shellcheck disable=SC2046,SC2086
    $cc $std $(pkg-config --cflags smtpp-c) "$root/examples/c_host_loop.c" -o "$work/loop-$tag" \
      $(pkg-config --libs smtpp-c)
    LD_LIBRARY_PATH="$(dirname "$so")" "$work/loop-$tag" <"$script" 2>/dev/null | tail -n 1 | grep -q '^221 2\.0\.0'
    echo "$tag: transcripts and host loop ok (shared)"
  done
done
# The static library: pkg-config --static adds the C++ runtime the core's one TU needs.
# shellcheck disable=SC2046
gcc -std=c11 $(pkg-config --cflags smtpp-c) "$root/examples/c_host_loop.c" -o "$work/loop-static" \
  -L"$(dirname "$so")" -Wl,-Bstatic -lsmtpp_c -Wl,-Bdynamic $(pkg-config --static --libs-only-other --libs smtpp-c | sed 's/-lsmtpp_c//')
if ldd "$work/loop-static" | grep -q smtpp_c; then echo "static link used the shared library"; exit 1; fi
"$work/loop-static" <"$script" 2>/dev/null | tail -n 1 | grep -q '^221 2\.0\.0'
echo "static: host loop ok"
echo "c-api ok"
