#!/usr/bin/python3
"""Synthetic perturbation datasets for the Shannon Scaling Law, drawn from stated truths.

Each file is a Pythia-shaped grid: eight model sizes (70M-12B parameters) x checkpoints from step
1000 to 143000 (2,097,152 tokens per step; steps <= 512 are near-random models in the real suite
and are left out), repeated for every level of one perturbation. Losses come from the
`shannon-x` law (docs/laws.md section 3)

    L = 1 / (a N^alpha log2(1 + D^beta / ((1 + kappa x^2) c (DN)^gamma + d D^delta + e)))

with multiplicative log-normal noise (standard deviation NOISE of ln L), seeded. The truths are
chosen so that gamma > alpha and gamma > beta: under a strong perturbation growing the model
backfires and the loss-minimising token count moves to fewer tokens, the behaviour the paper
reports; without perturbation the curves are monotone over the grid.

Usage: tools/gen_perturbation.py [--out-dir data] [--seed 20260101] [--force]
Refuses to overwrite an existing file unless --force is given.
"""
import argparse
import json
import math
import os
import sys

import numpy as np

SIZES = [
    ("70m", 70e6), ("160m", 160e6), ("410m", 410e6), ("1b", 1.0e9),
    ("1.4b", 1.4e9), ("2.8b", 2.8e9), ("6.9b", 6.9e9), ("12b", 12e9),
]
STEPS = [1000, 3000, 13000, 23000, 33000, 43000, 53000, 63000, 73000, 83000,
         93000, 103000, 113000, 123000, 133000, 143000]
TOKENS_PER_STEP = 2097152
NOISE = 0.003

# ln a, ln c, ln d, ln e, alpha, beta, gamma, delta shared by every file; ln kappa per kind, so
# that each kind's levels span "barely perturbed" to "dominated by the interaction noise".
BASE = dict(ln_a=-3.0, ln_c=-12.0, ln_d=-7.0, ln_e=6.5, alpha=0.1, beta=0.3, gamma=0.35,
            delta=0.5)

# file, perturbation column, levels, how a level maps to x (docs/laws.md section 3), ln kappa
KINDS = [
    ("perturbation_noise.csv", "sigma", [0.0, 0.02, 0.05, 0.08, 0.1], lambda v: v, 8.0),
    ("perturbation_quant.csv", "bits", [16, 8, 6, 4, 3], lambda v: 2.0 ** -v, 8.0),
    ("perturbation_sft.csv", "lr", [0.0, 1e-5, 3e-5, 1e-4, 3e-4], lambda v: v, 18.4),
]


def shannon_x_loss(n, d, x, ln_kappa, p):
    interaction = (1 + math.exp(ln_kappa) * x * x) * math.exp(p["ln_c"] + p["gamma"] * math.log(d * n))
    noise = interaction + math.exp(p["ln_d"] + p["delta"] * math.log(d)) + math.exp(p["ln_e"])
    snr = math.exp(p["beta"] * math.log(d)) / noise
    return math.log(2) / (math.exp(p["ln_a"]) * math.exp(p["alpha"] * math.log(n)) * math.log1p(snr))


def write(path, column, levels, to_x, ln_kappa, rng, seed):
    lines = [f"model,params,step,tokens,{column},x,loss"]
    for level in levels:
        x = to_x(level)
        for name, n in SIZES:
            for step in STEPS:
                d = step * TOKENS_PER_STEP
                loss = shannon_x_loss(n, d, x, ln_kappa, BASE) * math.exp(NOISE * rng.standard_normal())
                lines.append(f"pythia-{name},{n:.6g},{step},{d},{level:g},{x:.10g},{loss:.8f}")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)
    truth = dict(BASE, ln_kappa=ln_kappa)
    with open(truth_path(path), "w") as f:
        json.dump({"law": "shannon-x", "solver_params": truth, "perturbation_column": column,
                   "levels": levels, "noise_sd_ln_loss": NOISE, "seed": seed,
                   "generator": "tools/gen_perturbation.py"}, f, indent=2)
        f.write("\n")
    print(f"wrote {path}: {len(lines) - 1} rows from shannon-x with "
          + ", ".join(f"{k}={v:g}" for k, v in truth.items()) + f"; noise sd(ln L)={NOISE:g}")


def truth_path(path):
    return path[: -len(".csv")] + ".truth.json"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "data")))
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--force", action="store_true", help="overwrite existing files")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    paths = [os.path.join(args.out_dir, k[0]) for k in KINDS]
    if not args.force:
        for p in paths:
            for q in (p, truth_path(p)):
                if os.path.exists(q):
                    sys.exit(f"error: {q} exists; pass --force to overwrite it")
    rng = np.random.default_rng(args.seed)
    for path, (_, column, levels, to_x, ln_kappa) in zip(paths, KINDS):
        write(path, column, levels, to_x, ln_kappa, rng, args.seed)


if __name__ == "__main__":
    main()
