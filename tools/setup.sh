#!/usr/bin/env bash
# Installs the Debian packages shannonfit needs, and nothing when all are present.
# One `apt-get update` at most, and only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libeigen3-dev librandom123-dev libboost-math-dev libcli11-dev nlohmann-json3-dev libfmt-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libceres-dev
  libopenmpi-dev openmpi-bin
  pybind11-dev python3-dev python3-numpy python3-scipy python3-matplotlib python3-pandas
  chromium
  clang-14 libfuzzer-14-dev libclang-rt-14-dev libomp-14-dev
)

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
