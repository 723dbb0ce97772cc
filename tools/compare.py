#!/usr/bin/python3
"""Side-by-side throughput of shannonfit and other solvers on one Chinchilla problem.

Every solver fits the same points from the same starts (the Epoch AI protocol: Chinchilla in
log space, ln L = LSE(a - alpha ln N, b - beta ln D, e), Huber loss with delta 1e-3):
  shannonfit-cpu     the CPU backend (1 thread, and all cores)
  ceres-tinysolver   Ceres TinySolver + autodiff on the same law template (bench/compare_ceres)
  scipy-lbfgsb       scipy.optimize.minimize(L-BFGS-B), analytic gradient, scipy's default
                     tolerances and no bounds, as in Epoch's analysis
  scipy-lbfgsb-tight the same with ftol 1e-15 (1e-12 relative at this cost) and gtol 1e-12
  scipy-lm           scipy.optimize.least_squares(method='lm'), analytic Jacobian, on the signed
                     square roots of the Huber losses (same objective), shannonfit's tolerances
Each solver's final parameters are re-scored with one numpy objective, so no solver grades its
own answer. Timings are the fastest of --rounds interleaved rounds. Besides fits/s, the table gives the
starts that reached the best objective: "opt fits/s" counts only those, so a solver that stops
early at worse points does not look fast. Run through tools/compare.sh.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.optimize import least_squares, minimize

DELTA = 1e-3
REL_TOL = 1e-9


class Problem:
    def __init__(self, directory):
        pts = np.loadtxt(os.path.join(directory, "points.csv"), delimiter=",", skiprows=1)
        self.ln_n, self.ln_d, self.target = np.log(pts[:, 0]), np.log(pts[:, 1]), np.log(pts[:, 2])
        self.starts = np.loadtxt(os.path.join(directory, "starts.csv"), delimiter=",",
                                 skiprows=1, ndmin=2)

    def model(self, p):
        """ln L-hat and d ln L-hat / dp (n x 5)."""
        a, b, e, alpha, beta = np.asarray(p, dtype=float)
        u, v = a - alpha * self.ln_n, b - beta * self.ln_d
        m = np.maximum(np.maximum(u, v), e)
        eu, ev, ee = np.exp(u - m), np.exp(v - m), np.exp(e - m)
        s = eu + ev + ee
        wu, wv, we = eu / s, ev / s, ee / s
        jac = np.column_stack([wu, wv, we, -wu * self.ln_n, -wv * self.ln_d])
        return m + np.log(s), jac

    def huber(self, p):
        """Huber objective, residuals r, |r|, which r lie in the quadratic zone, d ln L-hat / dp."""
        f, jac = self.model(p)
        r = f - self.target
        a = np.abs(r)
        small = a <= DELTA
        cost = float(np.sum(np.where(small, 0.5 * r * r, DELTA * (a - 0.5 * DELTA))))
        return cost, r, a, small, jac

    def objective(self, p):
        """The Huber objective; inf where it is not finite, so a failed fit never looks best."""
        value = self.huber(p)[0]
        return value if np.isfinite(value) else float("inf")

    def objective_and_gradient(self, p):
        cost, r, _, small, jac = self.huber(p)
        psi = np.where(small, r, DELTA * np.sign(r))
        return cost, jac.T @ psi

    def sqrt_huber(self, p):
        """Residuals s with 1/2 sum s^2 equal to the Huber objective, and their Jacobian."""
        _, r, a, small, jac = self.huber(p)
        big = np.sqrt(2 * DELTA * np.maximum(a - 0.5 * DELTA, 0.5 * DELTA))
        s = np.where(small, r, np.sign(r) * big)
        ds = np.where(small, 1.0, DELTA / big)
        return s, jac * ds[:, None]


def run_scipy(problem, name):
    params, iterations = [], []
    t0 = time.perf_counter()
    for start in problem.starts:
        if name == "scipy-lm":
            res = least_squares(lambda p: problem.sqrt_huber(p)[0], start,
                                jac=lambda p: problem.sqrt_huber(p)[1], method="lm",
                                xtol=1e-10, ftol=1e-12, gtol=1e-12)
            iterations.append(int(res.nfev))
        else:
            options = {} if name == "scipy-lbfgsb" else {"ftol": 1e-15, "gtol": 1e-12,
                                                         "maxiter": 15000}
            res = minimize(problem.objective_and_gradient, start, jac=True, method="L-BFGS-B",
                           options=options)
            iterations.append(int(res.nit))
        params.append(res.x)
    seconds = time.perf_counter() - t0
    return {"solver": name, "threads": 1, "seconds": seconds, "fits": len(params),
            "params": [list(map(float, p)) for p in params], "iterations": iterations}


def run_native(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    np.seterr(all="ignore")  # solvers that wander into overflow are scored inf, not warned about
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", required=True, help="CMake build directory")
    ap.add_argument("--starts", type=int, default=450,
                    help="starts spread through the 4500-point Epoch grid (0: all of it)")
    ap.add_argument("--points", type=int, default=0,
                    help="synthetic points instead of the 240 Epoch Chinchilla points")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds")
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="threads of the multi-threaded shannonfit row")
    ap.add_argument("--skip", default="", help="comma-separated solvers to leave out")
    ap.add_argument("--json", help="also write the summary here")
    args = ap.parse_args()

    bench = os.path.join(args.build, "bench")
    sf_bin, ceres_bin = os.path.join(bench, "compare_shannonfit"), os.path.join(bench, "compare_ceres")
    skip = set(filter(None, args.skip.split(",")))
    with tempfile.TemporaryDirectory(prefix="sf-compare-") as directory:
        subprocess.run([sf_bin, "write", directory, "--starts", str(args.starts),
                        "--points", str(args.points)], check=True)
        problem = Problem(directory)
        runners = {
            "shannonfit-cpu": lambda: run_native([sf_bin, "fit", directory, "--threads", "1"]),
            f"shannonfit-cpu-{args.threads}t": lambda: run_native(
                [sf_bin, "fit", directory, "--threads", str(args.threads)]),
        }
        if os.path.exists(ceres_bin):
            runners["ceres-tinysolver"] = lambda: run_native([ceres_bin, directory])
        else:
            print("compare: no compare_ceres binary (libceres-dev absent); skipping Ceres",
                  file=sys.stderr)
        for name in ("scipy-lbfgsb", "scipy-lbfgsb-tight", "scipy-lm"):
            runners[name] = lambda name=name: run_scipy(problem, name)
        runners = {k: v for k, v in runners.items() if k not in skip}

        results = {}
        for _ in range(args.rounds):
            for name, run in runners.items():
                r = run()
                if name not in results or r["seconds"] < results[name]["seconds"]:
                    results[name] = r

    for r in results.values():
        r["objectives"] = [problem.objective(np.array(p)) for p in r["params"]]
    best = min(min(r["objectives"]) for r in results.values())
    base = results.get("shannonfit-cpu")
    n_fits = len(problem.starts)

    def at_optimum(r):
        return int(np.sum((np.array(r["objectives"]) - best) <= REL_TOL * best))

    if base:
        base_rate = base["fits"] / base["seconds"]
        base_opt_rate = base_rate * at_optimum(base) / n_fits
    print(f"problem: {len(problem.target)} points, {n_fits} starts, Huber delta {DELTA}; "
          f"best objective over all solvers {best:.17g}")
    print(f"{'solver':22s} {'threads':>7s} {'fits/s':>10s} {'ours/theirs':>11s} "
          f"{'best objective':>24s} {'rel. gap':>9s} {'starts at opt':>13s} {'opt fits/s':>10s} "
          f"{'ours/theirs':>11s} {'mean iters':>10s}")
    summary = []
    for name, r in results.items():
        obj = np.array(r["objectives"])
        rate = r["fits"] / r["seconds"]
        gap = (obj.min() - best) / best
        at_opt = at_optimum(r)
        ratio = base_rate / rate if base else float("nan")
        opt_rate = rate * at_opt / n_fits
        opt_ratio = base_opt_rate / opt_rate if base and at_opt else float("inf")
        print(f"{name:22s} {r['threads']:7d} {rate:10.1f} {ratio:11.2f} {obj.min():24.17g} "
              f"{gap:9.1e} {at_opt:6d}/{n_fits:<6d} {opt_rate:10.1f} {opt_ratio:11.2f} "
              f"{np.mean(r['iterations']):10.1f}")
        summary.append({"solver": name, "threads": r["threads"], "fits_per_s": rate,
                        "ours_over_theirs": ratio,
                        "optimum_fits_per_s": opt_rate, "ours_over_theirs_at_optimum": opt_ratio, "best_objective": float(obj.min()),
                        "relative_gap": gap, "starts_at_optimum": at_opt,
                        "reached_optimum": bool(gap <= REL_TOL)})
    for s in summary:
        if not s["reached_optimum"]:
            print(f"WARNING: {s['solver']} stopped {s['relative_gap']:.1e} (relative) above the "
                  f"best objective: its speed ratio is not at the same optimum")
    multi = results.get(f"shannonfit-cpu-{args.threads}t")
    if base and multi:
        speedup = (multi["fits"] / multi["seconds"]) / (base["fits"] / base["seconds"])
        print(f"thread scaling: {args.threads} threads give {speedup:.2f}x one thread, "
              f"efficiency {speedup / args.threads:.2f} of linear")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"best_objective": best, "starts": n_fits, "solvers": summary}, f, indent=1)


if __name__ == "__main__":
    main()
