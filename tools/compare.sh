#!/usr/bin/env bash
# Fits one Chinchilla problem with shannonfit, Ceres TinySolver and scipy side by side in one run
# and prints fits/s, the ours/theirs ratios and whether every solver reached the same optimum.
# Builds what it needs first (Release, Debian packages only). Options go to tools/compare.py:
#   tools/compare.sh [--starts 450] [--rounds 3] [--points 0] [--threads N] [--json FILE]
# and, for the whole-problem table (seconds to the best fit and to Epoch's whole protocol):
#   [--whole [--whole-starts 0] [--resamples 400] [--seed 1] [--vp-step 0.01] [--vp-max 2.5]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${SHANNONFIT_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"${SHANNONFIT_JOBS:-2}" --target compare_shannonfit >/dev/null
if grep -q '^compare_ceres:' <(cmake --build "$build" --target help 2>/dev/null); then
  cmake --build "$build" -j"${SHANNONFIT_JOBS:-2}" --target compare_ceres >/dev/null
fi
exec /usr/bin/python3 "$root/tools/compare.py" --build "$build" "$@"
