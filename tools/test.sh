#!/usr/bin/env bash
# Installs what is missing, configures, builds everything (CUDA objects too when nvcc exists)
# and runs every test. This is the project's one test command; .ci/run calls it.
# Then, in one hardened build (clang, ASan+UBSan): the unit and adversarial tests again, and a
# bounded libFuzzer run of every target in tests/fuzz (SHANNONFIT_FUZZ_SECONDS, default 60,
# split evenly).
# SHANNONFIT_SKIP_HARDENING=1 runs only the main build and its tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh" --test
jobs=$(nproc)
build="${SHANNONFIT_BUILD_DIR:-$root/build}"
# ccache (tools/setup.sh installs it) then keys objects by their paths relative to the project,
# so the pip test's build beside this one (tests/install_pip.sh) reuses its objects instead of
# compiling the library a second time on a fresh machine.
export CCACHE_BASEDIR="$root"
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

# Sanitizers abort on the first report, so a UB or memory error fails its test. The unit and
# adversarial programs (and the CLI they run) are built and run again in the hardened build
# (tools/hardened-build.sh: clang, ASan+UBSan, -O1 -g1), whose objects the fuzz targets then
# reuse. The adversarial programs drive the CLI with hostile paths, inputs and checkpoints, which
# is where a sanitizer finds what a plain build survives by luck. Two suites, already run above,
# are neither built nor run here (-E keeps them out of a folder where they were built before):
# unit_recovery (thousands of fits per law; sanitized, its Shannon cases alone take minutes) and
# the per-law lane suites unit_lanes_laws_* (every law's lane evaluation against its scalar one,
# a numerical comparison of code whose memory use does not depend on the law). The solver, its
# lanes and every law still run sanitized in unit_lm, unit_lanes, unit_jets,
# unit_reference_agreement and the law tests. For the same reason -E also skips the tests that
# repeat one fit path over thousands of starts to check where it lands (a finer start grid, the
# separable search against the full grid, every law at extreme scales, formula laws against the
# built-in optimum) and the transcription check of the NIST data, a Python script: each costs
# 20-50 s sanitized, and the paths they run are the ones the other tests cover with few starts.
# Every other program built here runs: none has all of its tests in that list.
hardened="${SHANNONFIT_HARDENED_BUILD_DIR:-$root/build-hardened}"
unit_programs=$(cd "$root/tests" && for f in unit_*.cpp adversarial_*.cpp; do
  case "$f" in unit_recovery.cpp | unit_lanes_laws_*.cpp) ;; *) echo "${f%.cpp}" ;; esac; done)
"$root/tools/hardened-build.sh" "$hardened" $unit_programs
not_sanitized=('Recovery\.' 'Lanes/LawOnLanes/' 'Law[A-Za-z]*\.DefaultGridIsStableUnderRefinement'
  'SeparableStarts\.ReachesTheGridOptimum$' 'FormulaFit\.[A-Za-z]*ReachesTheBuiltInOptimum$'
  'ExtremeInputs\.EveryLawConvergesOnNoiseFreeDataAtTheLargestScales$' 'unit_nist_transcription$')
(cd "$hardened" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j"$jobs" -L 'unit|adversarial' \
  -E "^($(IFS='|'; echo "${not_sanitized[*]}"))")

SHANNONFIT_HARDENED_BUILD_DIR="$hardened" "$root/tools/fuzz.sh" "${SHANNONFIT_FUZZ_SECONDS:-60}"
