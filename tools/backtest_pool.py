#!/usr/bin/env python3
"""Coverage tables from `shannonfit backtest --out FILE.json` files: one row per suite, law,
interval kind and nominal level, and the rows of every file pooled (hidden rows added up, Wilson
95% interval recomputed). Prints Markdown for docs/results.md.

    /usr/bin/python3 tools/backtest_pool.py docs/results/backtest_*.json [--level 0.9]
        [--suite-law law-averaged]
"""
import argparse
import json
import math
import os
import sys


def wilson(k, n, z=1.959963984540054):
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
    return max(0.0, centre - half), min(1.0, centre + half)


def cell(k, n, width):
    lo, hi = wilson(k, n)
    return f"{k}/{n} = {100 * k / n:.0f}% [{100 * lo:.0f}, {100 * hi:.0f}] | {100 * width:.1f}%"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--level", type=float, default=None, help="only this nominal level")
    ap.add_argument("--suite-law", default=None,
                    help="per-suite rows for this law only (the pooled rows keep every law)")
    args = ap.parse_args()
    pooled = {}
    print("| suite | law | kind | nominal | covered [95% Wilson] | mean width (% of loss) |")
    print("|---|---|---|---|---|---|")
    for path in args.files:
        with open(path) as f:
            doc = json.load(f)
        suite = os.path.splitext(os.path.basename(path))[0].replace("backtest_", "")
        for c in doc["coverage"]:
            if args.level is not None and abs(c["level"] - args.level) > 1e-9:
                continue
            key = (c["law"], c["kind"], c["level"])
            acc = pooled.setdefault(key, [0, 0, 0.0])
            acc[0] += c["covered"]
            acc[1] += c["total"]
            acc[2] += (c["mean_relative_width"] or 0) * c["total"]
            if args.suite_law is not None and c["law"] != args.suite_law:
                continue
            print(f"| {suite} | {c['law']} | {c['kind']} | {100 * c['level']:g}% | "
                  f"{cell(c['covered'], c['total'], c['mean_relative_width'] or 0)} |")
    for (law, kind, level), (k, n, w) in sorted(pooled.items(), key=lambda kv: (kv[0][0] != "law-averaged", kv[0])):
        print(f"| **pooled** | {law} | {kind} | {100 * level:g}% | {cell(k, n, w / n if n else 0)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
