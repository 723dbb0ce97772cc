#!/usr/bin/python3
"""Writes the synthetic Chinchilla dataset shannonfit ships in data/ (the demo's default input).

The losses follow Hoffmann et al.'s (2022) fitted law exactly, times log-normal noise:

    L = E + A / N^alpha + B / D^beta,   ln L_observed = ln L + eps,   eps ~ Normal(0, sigma)

with the published estimates E = 1.69, A = 406.4, B = 410.7, alpha = 0.34, beta = 0.28 and
sigma = 0.01 (about the scatter of Epoch AI's extraction of Hoffmann's Figure 4 around its own
fit). The grid looks like a real sweep: 10 model sizes from 40M to 16B parameters, each trained
at 7 token budgets from 2.5 to 160 tokens per parameter. The seed fixes every number, so
rerunning with the same arguments rewrites the committed file byte for byte.

Usage: /usr/bin/python3 tools/gen_synthetic.py [--out data/synthetic_chinchilla.csv] [--force]
"""
import argparse
import json
import os
import sys

import numpy as np

TRUTH = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
SIGMA = 0.01
SEED = 20220329  # the Chinchilla paper's arXiv date
SIZES = np.geomspace(4e7, 1.6e10, 10)
TOKENS_PER_PARAM = [2.5, 5, 10, 20, 40, 80, 160]


def law(n, d, p):
    return p["E"] + p["A"] / n ** p["alpha"] + p["B"] / d ** p["beta"]


def rows(seed, sigma):
    rng = np.random.default_rng(seed)
    out = []
    for n in SIZES:
        n = float(f"{n:.3g}")
        for tpp in TOKENS_PER_PARAM:
            d = n * tpp
            loss = law(n, d, TRUTH) * np.exp(rng.normal(0.0, sigma))
            name = f"{n / 1e9:g}B" if n >= 1e9 else f"{n / 1e6:g}M"
            out.append((n, d, loss, name))
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(root, "data", "synthetic_chinchilla.csv"))
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--sigma", type=float, default=SIGMA, help="noise sd on ln L")
    ap.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    args = ap.parse_args()

    truth_path = os.path.splitext(args.out)[0] + ".truth.json"
    for path in (args.out, truth_path):
        if os.path.exists(path) and not args.force:
            sys.exit(f"error: '{path}' already exists; pass --force to overwrite it")

    data = rows(args.seed, args.sigma)
    with open(args.out, "w") as f:
        f.write("N,D,loss,model\n")
        for n, d, loss, model in data:
            f.write(f"{n:.6g},{d:.6g},{loss:.6f},{model}\n")
    with open(truth_path, "w") as f:
        json.dump({"law": "chinchilla", "parameters": TRUTH,
                   "noise": {"kind": "log-normal", "sigma_ln_loss": args.sigma},
                   "seed": args.seed, "rows": len(data),
                   "generator": "tools/gen_synthetic.py"}, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out} ({len(data)} rows) and {truth_path}")


if __name__ == "__main__":
    main()
