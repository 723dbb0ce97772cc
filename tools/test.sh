#!/usr/bin/env bash
# Installs what is missing, configures, builds everything (CUDA objects too when nvcc exists)
# and runs every test. This is the project's one test command; .ci/run calls it.
# Then, in their own build dirs: the unit tests again under ASan+UBSan, and a bounded libFuzzer
# run of every target in tests/fuzz (SHANNONFIT_FUZZ_SECONDS, default 60, split evenly).
# SHANNONFIT_SKIP_HARDENING=1 runs only the main build and its tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh" --test
jobs=$(nproc)
build="${SHANNONFIT_BUILD_DIR:-$root/build}"
# The Python module and its test come along wherever Debian's pybind11 is installed.
python_opt=""
[ -f /usr/lib/cmake/pybind11/pybind11Config.cmake ] && python_opt="-DSHANNONFIT_PYTHON=ON"
# MPI runs (and their 1/2/3-rank equality test) come along wherever OpenMPI is installed.
mpi_opt=""
command -v mpicxx >/dev/null && command -v mpirun >/dev/null && mpi_opt="-DSHANNONFIT_MPI=ON"
# Tests and benchmarks on explicitly: tools/demo.sh may have configured the same folder without.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON \
  -DSHANNONFIT_BENCH=ON $python_opt $mpi_opt ${SHANNONFIT_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$jobs"
(cd "$build" && ctest --output-on-failure -j"$jobs" ${SHANNONFIT_CTEST_ARGS:-})

[ "${SHANNONFIT_SKIP_HARDENING:-0}" = 1 ] && exit 0

# Sanitizers abort on the first report, so a UB or memory error fails its test. The Recovery
# suite (unit_recovery: thousands of fits per law, already run above) is neither built nor run
# here (-E keeps it out of a folder where it was built before): sanitized, its Shannon cases
# alone take minutes; the solver and every law still run sanitized in unit_lm, unit_jets,
# unit_reference_agreement and the law tests.
# The adversarial programs run here too: they drive the CLI with hostile paths, inputs and
# checkpoints, which is where a sanitizer finds what a plain build survives by luck.
# Only the unit and adversarial programs (and the CLI they run) are built, at -O1 with line
# tables only: instrumented code compiles several times slower than the plain build, and this
# is the costliest stage of a clean run.
asan="${SHANNONFIT_ASAN_BUILD_DIR:-$root/build-asan}"
cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DSHANNONFIT_SANITIZE=ON \
  -DSHANNONFIT_CUDA=OFF -DSHANNONFIT_BENCH=OFF -DSHANNONFIT_MPI=OFF >/dev/null
unit_programs=$(cd "$root/tests" && for f in unit_*.cpp adversarial_*.cpp; do
  [ "$f" = unit_recovery.cpp ] || echo "${f%.cpp}"; done)
cmake --build "$asan" -j"$jobs" --target $unit_programs
(cd "$asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j"$jobs" -L 'unit|adversarial' -E '^Recovery\.')

"$root/tools/fuzz.sh" "${SHANNONFIT_FUZZ_SECONDS:-60}"
