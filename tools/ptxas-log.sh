#!/usr/bin/env bash
# Compiler launcher for the CUDA library: runs one nvcc command (built with -Xptxas=-v) and keeps
# ptxas's per-kernel report of registers, stack and spills in <log dir>/<object>.txt, where
# tests/unit_cuda_resources.cpp reads it. The report is kept out of the build log; warnings
# (spills included, from -warn-spills) still reach it.
# Usage: ptxas-log.sh <log dir> <compiler or launcher> <arguments...>
set -u
log_dir=$1
shift
object=unknown
previous=
for arg in "$@"; do
  [ "$previous" = "-o" ] && object=$arg
  previous=$arg
done
mkdir -p "$log_dir"
log="$log_dir/$(basename "$object").txt"
"$@" 2>"$log.tmp"
status=$?
grep -v -e '^ptxas info' -e '^ *[0-9]* bytes stack frame' "$log.tmp" >&2
mv -f "$log.tmp" "$log"
exit $status
