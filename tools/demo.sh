#!/usr/bin/env bash
# The main job on the data shipped in data/, from a fresh clone: install what is missing,
# configure, build the command-line tool, and analyze the shipped synthetic Chinchilla sweep.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
build="${SHANNONFIT_BUILD_DIR:-$root/build}"
# Without the tests and benchmarks, whose libraries only tools/test.sh installs.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DSHANNONFIT_BENCH=OFF ${SHANNONFIT_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" --target shannonfit -j"$(nproc)"
# The main job: every law the columns allow, fitted, bootstrapped, ranked and evaluated at
# Chinchilla's own size and at its compute budget, written as a report folder (report.html,
# report.json, CSV tables, figures). --force: reports/demo is the demo's own folder, rewritten
# on every run.
report="$root/reports/demo"
"$build/shannonfit" analyze "$root/data/synthetic_chinchilla.csv" --at N=70B,D=1.4T \
  --budget 5.76e23 --seed 1 --out "$report" --force
echo "demo: the report folder is $report (open $report/report.html)"
