#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, moved elsewhere so that no path of the build or the
# source tree can be reached through it, then the installed `shannonfit analyze` on a copy of
# the shipped Epoch Chinchilla data must write report.html. Without its report scripts the
# installed tool must stop with a clear error before fitting, not claim a report.
#   tests/install_cli.sh BUILD_DIR DATA_FILE [PYTHON]
set -euo pipefail
build=$1 data=$2 python=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# DESTDIR keeps every file under $tmp, even one a configuration sends to an absolute folder.
DESTDIR="$tmp/dest" cmake --install "$build" --prefix /opt/shannonfit >/dev/null
mv "$tmp/dest/opt/shannonfit" "$tmp/prefix"
mkdir "$tmp/work"
cp "$data" "$tmp/work/runs.csv"
cd "$tmp/work"

"$tmp/prefix/bin/shannonfit" analyze runs.csv --flops-col "Training FLOP" --drop-highest-loss 5 \
  --law chinchilla,kaplan --starts single --resamples 10 --kfold 0 --at N=70B,D=1.4T \
  --budget 5.76e23 --threads 2 --out report > out.txt
grep -q "open report/report.html" out.txt
grep -q "Predicted loss at" report/report.html
test -s report/figures/fit_chinchilla.svg || grep -q "figures skipped" report/report.html
echo "installed analyze wrote report/report.html"

# The installed Python package imports from the prefix alone.
if [ -n "$python" ]; then
  site=$(find "$tmp/prefix" -path '*/site-packages/shannonfit' -type d)
  PYTHONPATH=$(dirname "$site") "$python" -c "
import shannonfit, sys
assert shannonfit.__file__.startswith('$tmp/prefix'), shannonfit.__file__
print('installed package', shannonfit.__version__, 'with', len(shannonfit.laws()), 'laws')"
fi

# A broken installation: no report scripts. A clear error, a non-zero exit, no false report.
rm -r "$tmp/prefix/share/shannonfit"
set +e
"$tmp/prefix/bin/shannonfit" analyze runs.csv --flops-col "Training FLOP" --law chinchilla \
  --resamples 10 --out broken > broken.txt 2>&1
code=$?
set -e
cat broken.txt
[ "$code" -ne 0 ] || { echo "FAIL: exit 0 without report scripts"; exit 1; }
grep -q "report scripts" broken.txt
! grep -q "open broken/report.html" broken.txt
[ ! -e broken ] || { echo "FAIL: a report folder was written without the scripts"; exit 1; }
echo "missing scripts: exit $code with a clear error"
