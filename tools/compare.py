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
early at worse points does not look fast.

With --whole, a second table times the answer for the whole dataset, in seconds, on the full
start grid (or --whole-starts of it):
  grid      the best fit over every start: shannonfit's batch at 1 thread and all threads, and
            variable projection (varpro-nnls): for each (alpha, beta) on a grid of --vp-step over
            [--vp-step, --vp-max]^2 the law L = E + A N^-alpha + B D^-beta is linear in (E, A, B),
            solved by scipy.optimize.nnls on L; each grid point is scored with the same Huber
            objective on ln L (points where nnls sets a coefficient to 0 are skipped: the exponent
            of a vanished term is undetermined), and the best one is polished in all 5 parameters
            by L-BFGS-B with the analytic gradient and tight tolerances; and shannonfit's own
            separable search (shannonfit-separable: `--starts separable`, an (alpha, beta) grid
            of step 0.05 with an exact NNLS per point, then LM from its 8 best grid minima; one
            thread, search and LM timed together)
  protocol  Epoch's protocol end to end: every start on the full data, then --resamples case
            resamples each refitted from the best full-data fit; shannonfit through its bootstrap
            driver (compare_shannonfit protocol), scipy with L-BFGS-B (numpy's default_rng(--seed)
            draws the resamples) at Epoch's tolerances and at tight ones. The resamples differ
            between the two, so their 95% percentile intervals of alpha and beta are printed side
            by side: close, not equal. At scipy's default tolerances a resample's refit stops
            after a few iterations near its start (the relative reduction test divides by
            max(|f|, 1), and f is about 1e-3 here), so that row's intervals come out narrow.
Run through tools/compare.sh.
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.optimize import least_squares, minimize, nnls

DELTA = 1e-3
REL_TOL = 1e-9
# L-BFGS-B tolerances tight enough to reach the optimum shannonfit stops at (1e-12 relative)
TIGHT = {"ftol": 1e-15, "gtol": 1e-12, "maxiter": 15000}


def huber_cost(r):
    """Huber objective of residuals r, summed over the last axis."""
    a = np.abs(r)
    return np.sum(np.where(a <= DELTA, 0.5 * r * r, DELTA * (a - 0.5 * DELTA)), axis=-1)


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
        return float(huber_cost(r)), r, a, a <= DELTA, jac

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

    def resampled(self, rows):
        """The same problem on the points `rows` (a case resample: repeats allowed)."""
        out = copy.copy(self)
        out.ln_n, out.ln_d, out.target = self.ln_n[rows], self.ln_d[rows], self.target[rows]
        return out


def lbfgsb(problem, start, options=None):
    return minimize(problem.objective_and_gradient, start, jac=True, method="L-BFGS-B",
                    options=options or {})


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
            res = lbfgsb(problem, start, None if name == "scipy-lbfgsb" else TIGHT)
            iterations.append(int(res.nit))
        params.append(res.x)
    seconds = time.perf_counter() - t0
    return {"solver": name, "threads": 1, "seconds": seconds, "fits": len(params),
            "params": [list(map(float, p)) for p in params], "iterations": iterations}


def run_native(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_native_protocol(command):
    r = run_native(command)
    r["params"] = [r["full_params"]]
    return r


def run_scipy_protocol(problem, resamples, seed, name):
    """Epoch's protocol with scipy: best of every start, then case resamples refitted from it."""
    options = None if name == "scipy-lbfgsb" else TIGHT
    t0 = time.perf_counter()
    fits = [lbfgsb(problem, start, options) for start in problem.starts]
    best = min(fits, key=lambda res: res.fun if np.isfinite(res.fun) else np.inf)
    rng = np.random.default_rng(seed)
    n = len(problem.target)
    refits = [lbfgsb(problem.resampled(rng.integers(0, n, n)), best.x, options)
              for _ in range(resamples)]
    seconds = time.perf_counter() - t0
    ok = [list(res.x) for res in refits if np.isfinite(res.fun)]
    return {"solver": name, "threads": 1, "seconds": seconds, "params": [list(best.x)],
            "resample_params": ok, "failed": resamples - len(ok)}


def run_varpro(problem, step, top):
    """Variable projection: nnls for (E, A, B) on an (alpha, beta) grid, then a 5-D polish."""
    t0 = time.perf_counter()
    exponents = np.arange(1, int(round(top / step)) + 1) * step
    loss = np.exp(problem.target)
    n_pow = np.exp(-np.outer(exponents, problem.ln_n))
    d_pow = np.exp(-np.outer(exponents, problem.ln_d))
    design = np.ones((len(loss), 3))
    coef = np.empty((len(exponents), 3))
    best_cost, best = np.inf, None
    for alpha, n_col in zip(exponents, n_pow):
        design[:, 1] = n_col
        for j, d_col in enumerate(d_pow):
            design[:, 2] = d_col
            coef[j] = nnls(design, loss)[0]
        pred = np.log(coef[:, :1] + coef[:, 1:2] * n_col + coef[:, 2:] * d_pow)
        cost = np.where(np.all(coef > 0, axis=1), huber_cost(pred - problem.target), np.inf)
        j = int(np.argmin(cost))
        if cost[j] < best_cost:
            e, a, b = np.log(coef[j])
            best_cost, best = cost[j], np.array([a, b, e, alpha, exponents[j]])
    if best is None:
        raise RuntimeError("varpro: nnls set a coefficient to 0 at every grid point")
    res = lbfgsb(problem, best, TIGHT)
    seconds = time.perf_counter() - t0
    return {"solver": "varpro-nnls", "threads": 1, "seconds": seconds, "params": [list(res.x)],
            "grid_points": len(exponents) ** 2, "grid_best": list(best),
            "polish_iterations": int(res.nit)}


def fastest(runners, rounds):
    """Each runner's fastest result over `rounds` interleaved rounds."""
    results = {}
    for _ in range(rounds):
        for name, run in runners.items():
            r = run()
            if name not in results or r["seconds"] < results[name]["seconds"]:
                results[name] = r
    return results


def native_binary(args, name):
    return os.path.join(args.build, "bench", name)


def per_start_runners(args, directory, problem):
    sf_bin = native_binary(args, "compare_shannonfit")
    ceres_bin = native_binary(args, "compare_ceres")
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
    return runners


def whole_runners(args, directory, problem):
    sf_bin = native_binary(args, "compare_shannonfit")
    runners = {}
    for threads in (1, args.threads):
        suffix = "" if threads == 1 else f"-{threads}t"
        runners[f"grid/shannonfit-cpu{suffix}"] = lambda t=threads: run_native(
            [sf_bin, "fit", directory, "--threads", str(t), "--repeat", "1"])
    runners["grid/shannonfit-separable"] = lambda: run_native(
        [sf_bin, "separable", directory, "--threads", "1", "--repeat", "1"])
    runners["grid/varpro-nnls"] = lambda: run_varpro(problem, args.vp_step, args.vp_max)
    for threads in (1, args.threads):
        suffix = "" if threads == 1 else f"-{threads}t"
        runners[f"protocol/shannonfit-cpu{suffix}"] = lambda t=threads: run_native_protocol(
            [sf_bin, "protocol", directory, "--threads", str(t), "--resamples",
             str(args.resamples), "--seed", str(args.seed)])
    for name in ("scipy-lbfgsb", "scipy-lbfgsb-tight"):
        runners[f"protocol/{name}"] = lambda name=name: run_scipy_protocol(
            problem, args.resamples, args.seed, name)
    return runners


def print_per_start(results, problem, best, args):
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
                        "optimum_fits_per_s": opt_rate, "ours_over_theirs_at_optimum": opt_ratio,
                        "best_objective": float(obj.min()),
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
    return summary


def interval(r, column):
    values = np.array(r["resample_params"])[:, column]
    return [float(v) for v in np.percentile(values, [2.5, 97.5])]


def print_whole(results, problem, best, args):
    """Seconds to the answer for the whole dataset; ratios against shannonfit's same task."""
    multi = f"{args.threads}t"
    print(f"\nwhole problem: {len(problem.target)} points, {len(problem.starts)} starts, "
          f"{args.resamples} resamples (seed {args.seed}); seconds for the answer; "
          f"ours(T)/theirs = their seconds / shannonfit's at T threads")
    print(f"{'task':9s} {'solver':22s} {'threads':>7s} {'seconds':>9s} {'ours(1t)/theirs':>15s} "
          f"{f'ours({multi})/theirs':>15s} {'objective':>24s} {'rel. gap':>9s} {'at opt':>6s}")
    summary = []
    for name, r in results.items():
        task, solver = name.split("/")
        ratios = []
        for suffix in ("", f"-{multi}"):
            ours = results.get(f"{task}/shannonfit-cpu{suffix}")
            ratios.append(r["seconds"] / ours["seconds"] if ours else float("nan"))
        objective = min(r["objectives"])
        gap = (objective - best) / best
        row = {"name": name, "task": task, "solver": r["solver"], "threads": r["threads"],
               "seconds": r["seconds"], "ours_1t_over_theirs": ratios[0],
               "ours_all_threads_over_theirs": ratios[1], "objective": objective,
               "relative_gap": gap, "reached_optimum": bool(gap <= REL_TOL)}
        if "resample_params" in r:
            row.update(alpha_interval=interval(r, 3), beta_interval=interval(r, 4),
                       failed=r["failed"])
        if "grid_points" in r:
            row.update(grid_points=r["grid_points"], polish_iterations=r["polish_iterations"])
        summary.append(row)
        print(f"{task:9s} {solver:22s} {r['threads']:7d} {r['seconds']:9.3f} {ratios[0]:15.2f} "
              f"{ratios[1]:15.2f} {objective:24.17g} {gap:9.1e} "
              f"{'yes' if row['reached_optimum'] else 'NO':>6s}")
    rows = {row["name"]: row for row in summary}
    separable = rows.get("grid/shannonfit-separable")
    if separable:
        against = [f"{name} {rows[name]['seconds']:.4f} s "
                   f"({rows[name]['seconds'] / separable['seconds']:.1f}x its time)"
                   for name in ("grid/shannonfit-cpu", f"grid/shannonfit-cpu-{multi}",
                                "grid/varpro-nnls") if name in rows]
        print(f"shannonfit-separable, 1 thread, {separable['seconds']:.4f} s; against "
              + ", ".join(against))
    for row in summary:
        if "grid_points" in row:
            print(f"{row['solver']}: {row['grid_points']} grid points (step {args.vp_step} over "
                  f"[{args.vp_step}, {args.vp_max}]^2), then {row['polish_iterations']} "
                  f"L-BFGS-B iterations")
        if "alpha_interval" in row:
            print(f"{row['solver']} ({row['threads']}t) 95% percentile intervals: alpha "
                  f"[{row['alpha_interval'][0]:.4f}, {row['alpha_interval'][1]:.4f}], beta "
                  f"[{row['beta_interval'][0]:.4f}, {row['beta_interval'][1]:.4f}], "
                  f"{row['failed']} of {args.resamples} resamples failed")
    return summary


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
    ap.add_argument("--skip", default="",
                    help="comma-separated solvers to leave out (whole-problem rows as task/solver)")
    ap.add_argument("--whole", action="store_true", help="also time the whole-problem tasks")
    ap.add_argument("--whole-starts", type=int, default=0,
                    help="starts of the whole-problem tasks, spread through the grid (0: all)")
    ap.add_argument("--resamples", type=int, default=400,
                    help="bootstrap resamples of the protocol task (Epoch used 4000)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the protocol's resamples")
    ap.add_argument("--vp-step", type=float, default=0.01, help="varpro exponent grid step")
    ap.add_argument("--vp-max", type=float, default=2.5, help="varpro exponent grid maximum")
    ap.add_argument("--json", help="also write the summary here")
    args = ap.parse_args()

    skip = set(filter(None, args.skip.split(",")))
    sections = [("per-start", args.starts, per_start_runners, print_per_start)]
    if args.whole:
        sections.append(("whole", args.whole_starts, whole_runners, print_whole))
    measured = []
    with tempfile.TemporaryDirectory(prefix="sf-compare-") as root:
        for key, starts, make_runners, report in sections:
            directory = os.path.join(root, key)
            os.mkdir(directory)
            subprocess.run([native_binary(args, "compare_shannonfit"), "write", directory,
                            "--starts", str(starts), "--points", str(args.points)], check=True)
            problem = Problem(directory)
            runners = {k: v for k, v in make_runners(args, directory, problem).items()
                       if k not in skip}
            results = fastest(runners, args.rounds)
            for r in results.values():
                r["objectives"] = [problem.objective(np.array(p)) for p in r["params"]]
            measured.append((key, problem, results, report))

    # Both sections fit the same points, so one best objective grades every answer.
    best = min(min(r["objectives"]) for _, _, results, _ in measured for r in results.values())
    out = {"best_objective": best}
    for key, problem, results, report in measured:
        if results:
            summary = report(results, problem, best, args)
            if key == "per-start":
                out.update(starts=len(problem.starts), solvers=summary)
            else:
                out["whole"] = {"starts": len(problem.starts), "resamples": args.resamples,
                                "seed": args.seed, "rows": summary}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
