#!/usr/bin/env bash
# The one command to run on a machine with an NVIDIA GPU (sm_80 or newer, CUDA 12.8+ toolkit):
#   tools/gpu-check.sh [report.md]
# It configures a CUDA build (build-gpu/), builds everything, runs the `gpu` tests (CUDA against
# CPU for every law, on-device selection, chunking, memory budget, quantiles, bootstrap), the
# register/spill check, and the CUDA benchmarks, then writes a short Markdown report (default
# build-gpu/gpu-report.md) and prints it. It fails when any gpu test fails OR is skipped: on a
# GPU machine a skip means the device was not visible, which is itself the bug to report.
# SHANNONFIT_GPU_BUILD_DIR overrides the build directory; CMAKE_CUDA_ARCHITECTURES may be set
# in SHANNONFIT_CMAKE_ARGS (default 80;90; add the local card's, e.g. 89 or 100).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${SHANNONFIT_GPU_BUILD_DIR:-$root/build-gpu}"
report="${1:-$build/gpu-report.md}"
jobs=$(nproc)

"$root/tools/setup.sh" --test || exit 1
mkdir -p "$build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSHANNONFIT_CUDA=ON \
  ${SHANNONFIT_CMAKE_ARGS:-} >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
build_start=$(date +%s)
cmake --build "$build" -j"$jobs" || exit 1
build_seconds=$(( $(date +%s) - build_start ))

gpu_log="$build/gpu-tests.log"
(cd "$build" && ctest -L gpu --output-on-failure -j1) >"$gpu_log" 2>&1
gpu_status=$?
resources_log="$build/cuda-resources.log"
"$build/tests/unit_cuda_resources" >"$resources_log" 2>&1
resources_status=$?
bench_json="$build/gpu-bench.json"
"$build/bench/bench_fits" --benchmark_filter='cuda' --benchmark_out="$bench_json" \
  --benchmark_out_format=json >"$build/gpu-bench.log" 2>&1
bench_status=$?

passed=$(grep -c ' Passed ' "$gpu_log")
skipped=$(grep -c '\*\*\*Skipped' "$gpu_log")
failed=$(grep -cE '\*\*\*Failed|\(Failed\)' "$gpu_log")
if [ "$skipped" -ne 0 ]; then verdict="FAIL (gpu tests skipped: no device visible to the tests)"
elif [ "$gpu_status" -ne 0 ] || [ "$failed" -ne 0 ]; then verdict="FAIL (gpu tests failed)"
elif [ "$passed" -eq 0 ]; then verdict="FAIL (no gpu test ran)"
elif [ "$resources_status" -ne 0 ]; then verdict="FAIL (register budget or spills)"
else verdict=PASS
fi
device=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
nvcc=$(sed -n 's/^set(CMAKE_CUDA_COMPILER "\(.*\)")$/\1/p' "$build"/CMakeFiles/*/CMakeCUDACompiler.cmake | head -1)

{
  echo "# shannonfit GPU check"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null)"
  echo "- device: ${device:-none visible to nvidia-smi}"
  echo "- nvcc: ${nvcc:-not found} $([ -n "$nvcc" ] && "$nvcc" --version | tail -1)"
  echo "- build: ${build_seconds} s with -j${jobs}"
  echo "- gpu tests: ${passed} passed, ${failed} failed, ${skipped} skipped — **${verdict}**"
  echo
  echo "## Fit kernel resources (ptxas)"
  echo '```'
  grep -E 'sm_[0-9]+' "$resources_log"
  echo '```'
  echo
  echo "## CUDA benchmarks (bench_fits --benchmark_filter=cuda)"
  echo '```'
  if [ "$bench_status" -eq 0 ]; then grep -E '^(cuda|fits|epoch|quantiles)' "$build/gpu-bench.log"
  else tail -20 "$build/gpu-bench.log"; fi
  echo '```'
  if [ "$verdict" != PASS ]; then
    echo
    echo "## Failing gpu tests"
    echo '```'
    grep -E '\*\*\*Failed|\*\*\*Skipped|Failure|Expected|Which is|error' "$gpu_log" | head -80
    echo '```'
  fi
  echo
  echo "Full logs: $gpu_log, $resources_log, $build/gpu-bench.log, $bench_json"
} >"$report"
cat "$report"
[ "$verdict" = PASS ] && [ "$bench_status" -eq 0 ]
