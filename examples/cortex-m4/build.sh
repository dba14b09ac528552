#!/usr/bin/env bash
# Builds the smtpp Cortex-M4 example with Debian's arm-none-eabi toolchain and runs it
# under qemu-system-arm (MPS2 AN386, semihosting). Two images from the same sources:
#   firmware.elf          the session over a scripted transcript; must fit 32 KiB of flash
#                         (the linker script fails the link past it);
#   firmware-vectors.elf  the same plus every command vector of tests/data.
# Fails if either links abort, malloc or exception machinery, if the static line reader,
# session state or DATA decoder is not in .bss or .data is not empty (a host's statics must
# cost no flash), or if it does not print PASS.
# Usage: examples/cortex-m4/build.sh [output directory]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build-ci/cortex-m4}
mkdir -p "$out"
python3 "$here/gen_vectors.py" >"$out/vectors.inc"
flags=(-std=c++20 -mcpu=cortex-m4 -mthumb -Os -fno-exceptions -fno-rtti -ffunction-sections -fdata-sections
       -Wall -Wextra -Wpedantic -Werror -I"$root/include" -I"$out")
link=(-nostartfiles --specs=nano.specs -Wl,--gc-sections -T "$here/mps2-an386.ld")
arm-none-eabi-g++ "${flags[@]}" "$here/firmware.cpp" "$here/startup.cpp" "${link[@]}" \
  -Wl,-Map="$out/firmware.map" -o "$out/firmware.elf"
arm-none-eabi-g++ "${flags[@]}" -DSMTPP_FW_VECTORS "$here/firmware.cpp" "$here/startup.cpp" "${link[@]}" \
  -Wl,--defsym=FLASH_SIZE=1048576 -o "$out/firmware-vectors.elf"
status=0
for elf in "$out/firmware.elf" "$out/firmware-vectors.elf"; do
  name=$(basename "$elf")
  forbidden=$(arm-none-eabi-nm "$elf" | grep -E ' (abort|malloc|_malloc_r|free|_free_r|calloc|realloc|_sbrk|__cxa_[a-z_]+|_Unwind_[A-Za-z_]+|__gxx_personality_v0|__aeabi_unwind_cpp_pr[0-9])$' || true)
  if [ -n "$forbidden" ]; then
    echo "$name links what firmware must not:"; echo "$forbidden"; status=1
  fi
  # The firmware's statics (line reader with its buffer, session state, DATA decoder) are
  # zero-initialised: in .bss (nm type b/B), nothing in .data.
  symbols=$(arm-none-eabi-nm -C "$elf")
  for sym in reader state body; do
    if ! grep -Eq " [bB] \(anonymous namespace\)::$sym\$" <<<"$symbols"; then
      echo "$name: static '$sym' is not in .bss:"; grep -E "::$sym\$" <<<"$symbols" || true; status=1
    fi
  done
  data_size=$(arm-none-eabi-size -A "$elf" | awk '$1 == ".data" { print $2 }')
  if [ "${data_size:-0}" -ne 0 ]; then
    echo "$name: .data holds $data_size octets (expected none: they would cost flash too):"
    arm-none-eabi-nm -C -S "$elf" | grep -E ' [dD] ' || true; status=1
  fi
  # text + data = flash; data + bss = static RAM (the line buffer among it).
  arm-none-eabi-size "$elf" | awk -v n="$name" 'NR == 2 { printf "%s: flash %d B, static RAM %d B (.data %d + .bss %d)\n", n, $1 + $2, $2 + $3, $2, $3 }'
  log="$out/$name.log"
  if timeout 120 qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
       -semihosting-config enable=on,target=native -kernel "$elf" >"$log" 2>&1 && grep -q 'firmware: PASS' "$log"; then
    cat "$log"
  else
    cat "$log"; echo "$name: FAILED under qemu-system-arm"; status=1
  fi
done
exit $status
