#!/usr/bin/env bash
# `pip install --no-build-isolation --target DIR .` from the source tree, offline, with Debian's
# pip and setuptools: setup.py builds the extension through CMake (in BUILD_DIR; ccache keeps a
# fresh folder cheap), and the package then imports from DIR alone and fits the shipped data.
#   tests/install_pip.sh SOURCE_DIR BUILD_DIR PYTHON [CMAKE_ARGS]
set -euo pipefail
source=$1 build=$2 python=$3 cmake_args=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

SHANNONFIT_BUILD_DIR="$build" SHANNONFIT_CMAKE_ARGS="$cmake_args" \
  "$python" -m pip install --no-build-isolation --no-index --no-deps --quiet \
  --target "$tmp/site" "$source"
cd "$tmp"
PYTHONPATH="$tmp/site" "$python" - "$source/data/pythia_evals.csv" <<PY
import sys
import shannonfit
assert shannonfit.__file__.startswith("$tmp/site"), shannonfit.__file__
import csv
rows = [r for r in csv.DictReader(open(sys.argv[1])) if int(r["step"]) > 512]
table = {k: [float(r[k]) for r in rows] for k in ("params", "tokens", "lambada_loss")}
# N and D are found as params and tokens; the loss column is named.
fit = shannonfit.fit(table, law="chinchilla", columns={"loss": "lambada_loss"})
assert fit.converged, fit.status
print("pip-installed", shannonfit.__version__, "from", shannonfit.__file__, "fit", fit.status)
PY
