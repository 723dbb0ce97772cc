#!/usr/bin/env bash
# The main job on the data shipped in data/, from a fresh clone: install what is missing,
# configure, build the command-line tool, and fit the shipped synthetic Chinchilla sweep.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
build="${SHANNONFIT_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${SHANNONFIT_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" --target shannonfit -j"$(nproc)"
out="$root/out"
mkdir -p "$out"
# --force: out/ is the demo's own scratch folder, rewritten on every run.
"$build/shannonfit" fit "$root/data/synthetic_chinchilla.csv" --law chinchilla,kaplan \
  --out "$out/demo_fit.json" --force
echo "demo: the results are in $out/demo_fit.json"
