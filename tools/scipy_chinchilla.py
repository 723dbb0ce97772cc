#!/usr/bin/python3
"""Epoch AI's replication protocol of Chinchilla approach 3, with scipy, as an outside reference.

Besiroglu et al. 2024 ("Chinchilla Scaling: A replication attempt", arXiv 2404.10102) fit
    ln L = LSE(a - alpha ln N, b - beta ln D, e)
to Hoffmann et al.'s Figure 4 points (Epoch's SVG extraction), with D = FLOP / (6 N), after
dropping the 5 highest-loss rows, minimising the SUM of Huber(delta=1e-3) of the log-loss
residuals with L-BFGS-B from the 4500-start grid of Hoffmann et al., and keeping the start
with the lowest objective. This script repeats that with Debian's python3-scipy and writes the
optimum as JSON, which tests/integration_epoch_chinchilla.cpp compares shannonfit against.

usage: /usr/bin/python3 tools/scipy_chinchilla.py data/chinchilla_svg_extracted.csv \
           tests/data/scipy_chinchilla.json
"""
import csv
import itertools
import json
import shlex
import sys

import numpy as np
import scipy
from scipy.optimize import minimize
from scipy.special import huber, logsumexp

DELTA = 1e-3


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    n = np.array([float(r["Model Size"]) for r in rows])
    flop = np.array([float(r["Training FLOP"]) for r in rows])
    loss = np.array([float(r["loss"]) for r in rows])
    # Epoch drop the 5 highest-loss points (stable sort: ties keep file order).
    keep = np.sort(np.argsort(-loss, kind="stable")[5:])
    n, flop, loss = n[keep], flop[keep], loss[keep]
    return n, flop / (6.0 * n), loss


def objective(p, ln_n, ln_d, ln_loss):
    a, b, e, alpha, beta = p
    pred = logsumexp([a - alpha * ln_n, b - beta * ln_d, np.full_like(ln_n, e)], axis=0)
    return np.sum(huber(DELTA, pred - ln_loss))


def gradient(p, ln_n, ln_d, ln_loss):
    a, b, e, alpha, beta = p
    terms = np.stack([a - alpha * ln_n, b - beta * ln_d, np.full_like(ln_n, e)])
    pred = logsumexp(terms, axis=0)
    soft = np.exp(terms - pred)  # d pred / d (a, b, e)
    psi = np.clip(pred - ln_loss, -DELTA, DELTA)
    return np.array([
        np.sum(psi * soft[0]),
        np.sum(psi * soft[1]),
        np.sum(psi * soft[2]),
        np.sum(psi * soft[0] * -ln_n),
        np.sum(psi * soft[1] * -ln_d),
    ])


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data_path, out_path = sys.argv[1], sys.argv[2]
    n, d, loss = load(data_path)
    args = (np.log(n), np.log(d), np.log(loss))
    grid = itertools.product(
        np.arange(0, 30, 5), np.arange(0, 30, 5), np.arange(-1, 1.5, 0.5),
        np.arange(0, 2.5, 0.5), np.arange(0, 2.5, 0.5))  # a, b, e, alpha, beta
    best = None
    starts = 0
    for start in grid:
        starts += 1
        res = minimize(objective, np.array(start), args=args, jac=gradient, method="L-BFGS-B")
        if best is None or res.fun < best.fun:
            best = res
    a, b, e, alpha, beta = (float(v) for v in best.x)
    out = {
        "protocol": "Epoch AI (Besiroglu et al. 2024): log-sum-exp Chinchilla, Huber delta=1e-3 "
                    "SUM on log-loss, L-BFGS-B (analytic gradient), best of the Hoffmann grid",
        "rows": int(len(loss)),
        "starts": starts,
        "a": a, "b": b, "e": e, "alpha": alpha, "beta": beta,
        "A": float(np.exp(a)), "B": float(np.exp(b)), "E": float(np.exp(e)),
        "objective": float(best.fun),
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "command": " ".join(shlex.quote(x) for x in ["/usr/bin/python3"] + sys.argv),
    }
    with open(out_path, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
