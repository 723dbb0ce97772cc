#!/usr/bin/env python3
"""Turns bench_fits' JSON output into bench/README.md's per-law table.

  build/bench/bench_fits --benchmark_filter='^fits/' --benchmark_min_time=0.3 \\
      --benchmark_out=fits.json --benchmark_out_format=json
  tools/bench_table.py fits.json

One row per law and data size: fits/s on the CPU backend at one thread and at all cores (the same
starts, each once per core, so efficiency = fits/s(all) / (cores x fits/s(1))), the reference
path, and how many times faster the CPU backend is than the reference path on one thread. The
reference path fits fewer starts of the same strided grid (8 against 64), so that ratio also
carries the difference in mean iterations between the two start sets.
"""
import argparse
import json
import re
import sys

NAME = re.compile(r"^fits/(?P<law>[^/]+)/(?P<backend>[^/]+)/points:(?P<points>\d+)/"
                  r"threads:(?P<threads>\d+)")


def load(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        sys.exit(f"{path}: cannot read Google Benchmark JSON: {e}")
    rows = {}
    for b in doc.get("benchmarks", []):
        m = NAME.match(b.get("name", ""))
        if not m or "fits/s" not in b:
            continue
        key = (m["law"], int(m["points"]))
        slot = m["backend"] if m["backend"] != "cpu" else f"cpu{m['threads']}"
        rows.setdefault(key, {})[slot] = (b["fits/s"], b.get("iters/fit"))
    if not rows:
        sys.exit(f"{path}: no fits/... benchmarks in it (run bench_fits with "
                 "--benchmark_filter='^fits/')")
    return doc.get("context", {}), rows


def fmt(x):
    return "–" if x is None else (f"{x:.0f}" if x >= 100 else f"{x:.1f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", help="bench_fits --benchmark_out file")
    args = ap.parse_args()
    context, rows = load(args.json)
    cores = max((int(k[3:]) for r in rows.values() for k in r if k.startswith("cpu")),
                default=1)
    load_avg = ", ".join(f"{x:.2f}" for x in context.get("load_avg", []))
    print(f"machine: {context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz,"
          f" load average {load_avg or '?'} at the start; {context.get('date', '')}")
    print()
    print(f"| law | points | cpu, 1 thread | cpu, {cores} threads | efficiency | reference | "
          "cpu 1 thread / reference | iterations per fit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for (law, points) in sorted(rows, key=lambda k: (k[0], k[1])):
        r = rows[(law, points)]
        one = r.get("cpu1", (None, None))[0]
        every = r.get(f"cpu{cores}", (None, None))[0] if cores > 1 else None
        ref = r.get("reference", (None, None))[0]
        eff = every / (cores * one) if one and every else None
        speedup = one / ref if one and ref else None
        iters = r.get("cpu1", (None, None))[1]
        print(f"| {law} | {points} | {fmt(one)} | {fmt(every)} | "
              f"{'–' if eff is None else f'{eff:.2f}'} | {fmt(ref)} | "
              f"{'–' if speedup is None else f'{speedup:.0f}×'} | {fmt(iters)} |")


if __name__ == "__main__":
    main()
