#!/usr/bin/env bash
# Installs what is missing, configures, builds everything (CUDA objects too when nvcc exists)
# and runs every test. This is the project's one test command; .ci/run calls it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
build="${SHANNONFIT_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${SHANNONFIT_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)" ${SHANNONFIT_CTEST_ARGS:-}
