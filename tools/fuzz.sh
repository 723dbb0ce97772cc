#!/usr/bin/env bash
# Builds the libFuzzer targets in the hardened build (tools/hardened-build.sh: clang, ASan+UBSan;
# tools/test.sh has built its unit tests there already) and runs each one for an equal share of
# SECONDS (default 60) against its seed corpus tests/fuzz/corpus/<target>.
# New inputs go to a scratch corpus in the build dir, so the committed seeds never change here.
# Any crash, leak, UB report, timeout or out-of-memory fails the script; the reproducer is kept
# in $build/artifacts/ and printed.
#   tools/fuzz.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds="${1:-60}"
build="${SHANNONFIT_HARDENED_BUILD_DIR:-$root/build-hardened}"
"$root/tools/hardened-build.sh" "$build" fuzz_targets

mapfile -t targets < <(cd "$root/tests/fuzz" && ls fuzz_*.cpp | sed 's/\.cpp$//')
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets in tests/fuzz" >&2; exit 1; }
share=$(( seconds / ${#targets[@]} ))
[ "$share" -ge 1 ] || share=1
mkdir -p "$build/artifacts"
status=0
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  seeds="$root/tests/fuzz/corpus/$name"
  scratch="$build/corpus/$name"
  mkdir -p "$scratch"
  [ -d "$seeds" ] || { echo "fuzz: missing seed corpus $seeds" >&2; exit 1; }
  echo "fuzz: $t for ${share}s (seeds: tests/fuzz/corpus/$name)"
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "$build/tests/fuzz/$t" -max_total_time="$share" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$name-" \
      "$scratch" "$seeds" >"$build/$name.log" 2>&1; then
    echo "fuzz: $t FOUND A PROBLEM; log $build/$name.log, reproducer(s):" >&2
    ls "$build/artifacts/$name-"* >&2 || true
    tail -40 "$build/$name.log" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$build/$name.log" | \
      sed "s/^/fuzz: $name /"
  fi
done
exit $status
