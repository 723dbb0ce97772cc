#!/usr/bin/env bash
# Installs the Debian 12 packages that building shannonfit and writing its report need (what
# tools/demo.sh runs), plus any PACKAGE named on the command line (tools/test.sh names the test
# and hardening tools), and nothing when all are present: one `apt-get update` at most, and only
# when something is missing.
#   tools/setup.sh [PACKAGE...]
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libeigen3-dev librandom123-dev libboost-math-dev libcli11-dev nlohmann-json3-dev libfmt-dev libssl-dev
  python3 python3-matplotlib
  "$@"
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
