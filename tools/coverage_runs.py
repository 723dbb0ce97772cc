#!/usr/bin/env python3
"""Runs a statistical test many times on disjoint seeds, outside CI, to measure it.

Statistical tests read SHANNONFIT_TEST_SEED_BLOCK (a block of seeds, 0 in CI) and print one line
per check, "coverage <method> quantity <k>: <count>/<reps> = ...". This script runs the test
binary for blocks first..first+runs-1 and reports

  * per check, the pooled count and its coverage estimate with a binomial standard error (the
    measurement behind the test's table of true coverages: use blocks that the failure-rate run
    below does not use);
  * how many runs failed (the observed false-alarm rate, to compare with the designed one).

    python3 tools/coverage_runs.py build/tests/integration_coverage --first 1001 --runs 8
    python3 tools/coverage_runs.py build/tests/integration_coverage --first 1 --runs 20

Runs go one at a time (each test uses two threads). Not part of CI.
"""
import argparse
import math
import os
import re
import subprocess
import sys

LINE = re.compile(r"^coverage (\S+) quantity (\d+): (\d+)/(\d+)", re.M)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary", help="the test program (e.g. build/tests/integration_coverage)")
    ap.add_argument("--filter", default="Coverage.NinetyPercent*", help="gtest filter")
    ap.add_argument("--first", type=int, default=1, help="first seed block")
    ap.add_argument("--runs", type=int, default=10, help="how many seed blocks")
    args = ap.parse_args()
    pooled, failed = {}, []
    for block in range(args.first, args.first + args.runs):
        env = dict(os.environ, SHANNONFIT_TEST_SEED_BLOCK=str(block))
        r = subprocess.run([args.binary, f"--gtest_filter={args.filter}"], env=env,
                           capture_output=True, text=True)
        checks = LINE.findall(r.stdout)
        if not checks:
            sys.exit(f"error: block {block} printed no coverage lines:\n{r.stdout}{r.stderr}")
        for method, k, count, reps in checks:
            c, n = pooled.get((method, int(k)), (0, 0))
            pooled[(method, int(k))] = (c + int(count), n + int(reps))
        if r.returncode != 0:
            failed.append(block)
        print(f"block {block}: {'FAILED' if r.returncode else 'passed'}", flush=True)
    print(f"\n{len(failed)} of {args.runs} runs failed" +
          (f" (blocks {', '.join(map(str, failed))})" if failed else ""))
    print("\n| method | quantity | covered | coverage | standard error |")
    print("|---|---|---|---|---|")
    for (method, k), (c, n) in sorted(pooled.items()):
        p = c / n
        print(f"| {method} | {k} | {c}/{n} | {p:.4f} | {math.sqrt(p * (1 - p) / n):.4f} |")


if __name__ == "__main__":
    main()
