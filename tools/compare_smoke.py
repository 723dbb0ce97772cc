#!/usr/bin/python3
"""Smoke test of tools/compare.py at tiny sizes (ctest: compare_smoke, label bench).

Runs the per-start table on 4 starts and the whole-problem table (--whole) on 45 strided grid
starts, 5 resamples and a 0.1-step varpro grid, then checks the printed rows and the JSON summary:
every row present with a positive time, shannonfit's grid and protocol agreeing on the full-data
fit (the protocol starts from the same grid), the solvers that run to tight tolerances at the
best objective, and bootstrap intervals from every resample.
usage: compare_smoke.py BUILD_DIR      (exits 77, "skipped", without numpy and scipy)
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy  # noqa: F401
    import scipy  # noqa: F401
except ImportError:
    sys.exit(77)

ROWS = ["grid/shannonfit-cpu", "grid/shannonfit-cpu-2t", "grid/shannonfit-separable",
        "grid/varpro-nnls", "protocol/shannonfit-cpu", "protocol/shannonfit-cpu-2t",
        "protocol/scipy-lbfgsb", "protocol/scipy-lbfgsb-tight"]
AT_OPTIMUM = ["grid/shannonfit-cpu", "grid/shannonfit-separable", "grid/varpro-nnls",
              "protocol/shannonfit-cpu", "protocol/scipy-lbfgsb-tight"]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    compare = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare.py")
    with tempfile.TemporaryDirectory(prefix="sf-compare-smoke-") as tmp:
        summary_path = os.path.join(tmp, "summary.json")
        run = subprocess.run(
            [sys.executable, compare, "--build", sys.argv[1], "--starts", "4", "--rounds", "1",
             "--threads", "2", "--skip", "scipy-lm,ceres-tinysolver", "--whole",
             "--whole-starts", "45", "--resamples", "5", "--vp-step", "0.1",
             "--json", summary_path],
            capture_output=True, text=True)
        print(run.stdout, run.stderr)
        assert run.returncode == 0, f"compare.py exited {run.returncode}"
        with open(summary_path) as f:
            summary = json.load(f)
    errors = []
    rows = {r["name"]: r for r in summary["whole"]["rows"]}
    if sorted(rows) != sorted(ROWS):
        errors.append(f"whole-problem rows {sorted(rows)}, expected {sorted(ROWS)}")
    for name, r in rows.items():
        task, solver = name.split("/")
        if not any(line.split()[:2] == [task, solver] for line in run.stdout.splitlines()):
            errors.append(f"{name}: no printed row")
        if not r["seconds"] > 0:
            errors.append(f"{name}: seconds {r['seconds']}")
    for name in AT_OPTIMUM:
        if name in rows and not rows[name]["reached_optimum"]:
            errors.append(f"{name}: {rows[name]['relative_gap']:.1e} above the best objective")
    grid, protocol = rows.get("grid/shannonfit-cpu"), rows.get("protocol/shannonfit-cpu")
    if grid and protocol and (abs(grid["objective"] - protocol["objective"])
                              > 1e-12 * grid["objective"]):
        errors.append(f"shannonfit's protocol full fit {protocol['objective']!r} differs from "
                      f"its grid fit {grid['objective']!r}")
    if rows.get("grid/varpro-nnls", {}).get("grid_points") != 625:
        errors.append("varpro-nnls: expected 25 x 25 grid points at step 0.1")
    for name, r in rows.items():
        if r["task"] != "protocol":
            continue
        if r["failed"] != 0:
            errors.append(f"{name}: {r['failed']} failed resamples")
        for key in ("alpha_interval", "beta_interval"):
            lo, hi = r[key]
            if not 0 < lo <= hi < 2:
                errors.append(f"{name}: {key} [{lo}, {hi}]")
    if not summary.get("solvers"):
        errors.append("no per-start rows")
    for e in errors:
        print("FAIL:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
