#!/usr/bin/env bash
# Installs the Debian 12 packages shannonfit needs, and nothing when all are present: one
# `apt-get update` at most, and only when something is missing.
#   tools/setup.sh          what building the command and writing its report need (tools/demo.sh)
#   tools/setup.sh --test   that, plus the test and hardening tools (tools/test.sh, gpu-check.sh)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libeigen3-dev librandom123-dev libboost-math-dev libcli11-dev nlohmann-json3-dev libfmt-dev libssl-dev
  python3 python3-matplotlib
)
if [ "${1:-}" = --test ]; then
  # GoogleTest and Google Benchmark; the Python module and its pip install; Ceres for the
  # side-by-side comparison; OpenMPI for the distributed runs; Chromium for the report's browser
  # test; clang, lld and libFuzzer for the hardened build and the fuzzing stage.
  packages+=(
    libgtest-dev libgmock-dev libbenchmark-dev
    pybind11-dev python3-dev python3-numpy python3-scipy python3-pandas
    python3-pip python3-setuptools python3-wheel
    libceres-dev
    libopenmpi-dev openmpi-bin
    chromium
    clang-14 lld-14 libfuzzer-14-dev libclang-rt-14-dev libomp-14-dev
  )
elif [ $# -gt 0 ]; then
  echo "usage: tools/setup.sh [--test]" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
