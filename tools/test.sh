#!/usr/bin/env bash
# Installs what is missing, configures, builds everything (CUDA objects too when nvcc exists)
# and runs every test. This is the project's one test command; .ci/run calls it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
build="${SHANNONFIT_BUILD_DIR:-$root/build}"
# The Python module and its test come along wherever Debian's pybind11 is installed.
python_opt=""
[ -f /usr/lib/cmake/pybind11/pybind11Config.cmake ] && python_opt="-DSHANNONFIT_PYTHON=ON"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release $python_opt ${SHANNONFIT_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)" ${SHANNONFIT_CTEST_ARGS:-}
