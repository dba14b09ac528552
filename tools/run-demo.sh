#!/usr/bin/env bash
# The main job: builds the example host and runs it. Installs what it needs on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v cmake >/dev/null || need+=(cmake)
command -v ninja >/dev/null || need+=(ninja-build)
command -v g++ >/dev/null || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DSMTPP_BUILD_TESTS=OFF -DSMTPP_INSTALL=OFF >/dev/null
cmake --build build/demo --target smtpp-demo >/dev/null
exec build/demo/examples/smtpp-demo "$@"
