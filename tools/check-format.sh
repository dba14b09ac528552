#!/usr/bin/env bash
# Checks that the C and C++ sources are formatted as .clang-format says: lists every file
# clang-format would change (with the number of lines it would change) and exits non-zero
# when there is one. Checked: include/, src/, tests/, fuzz/, bench/, examples/ and
# tools/*.cpp and tools/*.hpp (*.h, *.hpp, *.c, *.cpp); not single_include/ (generated from include/) nor
# corpus/ (fuzz inputs). Nothing is rewritten.
# Usage: bash tools/check-format.sh            (CLANG_FORMAT=... to choose the binary)
# To format a file: clang-format -i <file> (the same binary, so that the result matches).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cf=${CLANG_FORMAT:-}
if [ -z "$cf" ]; then
  # Debian 12's clang-format is version 14; a different major version formats differently.
  for c in clang-format-14 clang-format; do command -v "$c" >/dev/null && { cf=$c; break; }; done
fi
[ -n "$cf" ] || { echo "check-format: clang-format not found (apt-get install clang-format)" >&2; exit 2; }
[ -f .clang-format ] || { echo "check-format: no .clang-format at $root" >&2; exit 2; }

mapfile -t files < <({ find include src tests fuzz bench examples -type f \
                         \( -name '*.h' -o -name '*.hpp' -o -name '*.c' -o -name '*.cpp' \) -print
                       find tools -maxdepth 1 -type f \( -name '*.cpp' -o -name '*.hpp' \) -print; } | LC_ALL=C sort)
bad=0
for f in "${files[@]}"; do
  if ! "$cf" --style=file "$f" | cmp -s - "$f"; then
    n=$("$cf" --style=file "$f" | diff "$f" - | grep -c '^[<>]' || true)
    echo "not formatted: $f ($n lines differ)"
    bad=$((bad + 1))
  fi
done
echo "check-format: $("$cf" --version | head -n 1): ${#files[@]} files, $bad not formatted"
[ "$bad" -eq 0 ]
