#!/usr/bin/env bash
# Configures and builds the hardened build: clang-14 with ASan + UBSan (-fno-sanitize-recover=all)
# and libFuzzer's coverage instrumentation, at -O1 with line tables, CUDA, MPI and benchmarks off,
# linked by lld (a third of ld.bfd's CPU time per instrumented test program, bench/README.md).
# One build serves both hardening steps of tools/test.sh: the unit and adversarial tests run
# sanitized in it, and tools/fuzz.sh's targets link against the same objects, so the instrumented
# library (its law instantiations are the costliest objects of a clean run) compiles once.
#   tools/hardened-build.sh BUILD_DIR TARGET...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$1"
shift
cxx="${SHANNONFIT_FUZZ_CXX:-clang++-14}"
jobs="${SHANNONFIT_JOBS:-$(nproc)}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld-14 \
  -DSHANNONFIT_FUZZ=ON -DSHANNONFIT_CUDA=OFF -DSHANNONFIT_BENCH=OFF -DSHANNONFIT_MPI=OFF \
  -DSHANNONFIT_PYTHON=OFF -DBUILD_TESTING=ON >/dev/null
cmake --build "$build" -j"$jobs" --target "$@"
