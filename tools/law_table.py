#!/usr/bin/env python3
"""Law values straight from the published formulas, for tests/unit_law_table.cpp.

Independent of the C++ headers on purpose: every law is written here as its paper (and
docs/laws.md) states it, on the raw N, D and x, in 50-digit arithmetic (mpmath), with none of
the engine's log-space rewriting (log-sum-exp, log1p tricks, ln-parameterisation). A law whose
header drifts from its paper then disagrees with this table.

    python3 tools/law_table.py > tests/data/law_values.csv

Columns: law, set (a parameter set's label), params ("name=value;..." in the law's reported
names, as a user reads them), N, D, x, L. A second block, law "chinchilla-optimum", holds
Hoffmann et al.'s closed-form compute-optimal allocation: N and D are N*(C) and D*(C) = C/(kN*),
x is the budget C, L is k (FLOPs per parameter per token).
"""
import sys

from mpmath import mp, mpf, log, power

mp.dps = 50


def chinchilla(p, n, d, x):
    # Hoffmann et al. 2022, eq. (2) / approach 3: L = E + A/N^alpha + B/D^beta
    return p["E"] + p["A"] / power(n, p["alpha"]) + p["B"] / power(d, p["beta"])


def kaplan(p, n, d, x):
    # Kaplan et al. 2020, eq. (1.5): L = [(N_c/N)^(alpha_N/alpha_D) + D_c/D]^alpha_D
    return power(power(p["N_c"] / n, p["alpha_N"] / p["alpha_D"]) + p["D_c"] / d, p["alpha_D"])


def kaplan_e(p, n, d, x):
    return p["E"] + kaplan(p, n, d, x)


def shannon_full(a, b, c, dd, e, alpha, beta, gamma, delta, n, d, interaction=1):
    # C = a N^alpha log2(1 + b D^beta / (c (DN)^gamma + d D^delta + e)), L = 1/C
    noise = interaction * c * power(d * n, gamma) + dd * power(d, delta) + e
    capacity = a * power(n, alpha) * log(1 + b * power(d, beta) / noise, 2)
    return 1 / capacity


def shannon(p, n, d, x):
    # The shipped law fixes b = 1 (the flat direction of b, c, d, e).
    return shannon_full(p["a"], 1, p["c"], p["d"], p["e"], p["alpha"], p["beta"], p["gamma"],
                        p["delta"], n, d)


def shannon_simple(p, n, d, x):
    return shannon_full(p["a"], 1, p["c"], p["d"], 0, p["alpha"], p["beta"], p["gamma"],
                        p["delta"], n, d)


def shannon_x(p, n, d, x):
    # docs/laws.md: P = (1 + kappa x^2) c (DN)^gamma + d D^delta + e
    return shannon_full(p["a"], 1, p["c"], p["d"], p["e"], p["alpha"], p["beta"], p["gamma"],
                        p["delta"], n, d, interaction=1 + p["kappa"] * x * x)


def precision(p, n, d, x):
    # Kumar et al. 2024: delta_PTQ = C_T (D^gamma_D / N^gamma_N) e^(-b/gamma_post), b the
    # post-training bits; the column carries x = 2^-b, so b = -log2 x; x = 0 is unquantised.
    base = chinchilla(p, n, d, x)
    if x == 0:
        return base
    bits = -log(x, 2)
    return base + p["C_T"] * power(d, p["gamma_D"]) / power(n, p["gamma_N"]) * mp.exp(
        -bits / p["gamma_post"])


def quant_degradation(p, n, d, x):
    # Ouyang et al. 2024: Delta L_q = k D^beta_q / (N^alpha_q b^gamma_q), with the bits read
    # from x as b = log2(1 + 1/x) (docs/laws.md, include/.../quant_degradation.hpp's mapping).
    base = chinchilla(p, n, d, x)
    if x == 0:
        return base
    bits = log(1 + 1 / x, 2)
    return base + p["k"] * power(d, p["beta_q"]) / (power(n, p["alpha_q"]) * power(bits, p["gamma_q"]))


def chinchilla_noise(p, n, d, x):
    # Chinchilla with E replaced by E + c x^p.
    return chinchilla(p, n, d, x) + (p["c"] * power(x, p["p"]) if x > 0 else 0)


HOFFMANN = dict(E="1.69", A="406.4", B="410.7", alpha="0.34", beta="0.28")
EPOCH = dict(E="1.82", A="482.01", B="2085.43", alpha="0.3478", beta="0.3658")
CHINCHILLA_SETS = {
    "hoffmann2022": HOFFMANN,
    "besiroglu2024": EPOCH,
    "steep": dict(E="0.5", A="3.0e4", B="1.5e3", alpha="0.8", beta="0.45"),
}
SHANNON_BASE = dict(a="0.05", c="3.0e-4", d="2.0e-2", e="5.0", alpha="0.12", beta="0.35",
                    gamma="0.05", delta="0.1")
SHANNON_SETS = {
    "monotone": SHANNON_BASE,
    "u_in_tokens": dict(SHANNON_BASE, delta="0.6", d="1.0e-6"),
    "u_in_size": dict(SHANNON_BASE, gamma="0.3", c="1.0e-9", alpha="0.1"),
    "huge_snr": dict(SHANNON_BASE, c="1.0e-30", d="1.0e-30", e="1.0e-30"),
    "tiny_snr": dict(SHANNON_BASE, c="1.0e15", e="1.0e12", a="40"),
}
SIMPLE_SETS = {k: {n: v for n, v in s.items() if n != "e"} for k, s in SHANNON_SETS.items()}
LAWS = [
    ("chinchilla", chinchilla, CHINCHILLA_SETS, [0]),
    ("chinchilla-plain", chinchilla, CHINCHILLA_SETS, [0]),
    ("kaplan", kaplan, {
        # Kaplan et al. 2020, table 2 (L(N, D)): alpha_N = 0.076, alpha_D = 0.103,
        # N_c = 6.4e13, D_c = 1.8e13.
        "kaplan2020": dict(N_c="6.4e13", D_c="1.8e13", alpha_N="0.076", alpha_D="0.103"),
        # alpha_N far from alpha_D, so that an inverted ratio alpha_D/alpha_N cannot pass.
        "unequal": dict(N_c="3.0e9", D_c="4.0e11", alpha_N="0.5", alpha_D="0.2"),
    }, [0]),
    ("kaplan-e", kaplan_e, {
        "kaplan2020": dict(N_c="6.4e13", D_c="1.8e13", alpha_N="0.076", alpha_D="0.103", E="1.2"),
        "unequal": dict(N_c="3.0e9", D_c="4.0e11", alpha_N="0.5", alpha_D="0.2", E="0.3"),
    }, [0]),
    ("shannon", shannon, SHANNON_SETS, [0]),
    ("shannon-simple", shannon_simple, SIMPLE_SETS, [0]),
    ("shannon-x", shannon_x, {
        "weak": dict(SHANNON_BASE, kappa="50"),
        "strong": dict(SHANNON_SETS["u_in_tokens"], kappa="1.0e6", gamma="0.2"),
    }, [0, "1e-3", "0.05", "0.3", "2"]),
    ("precision", precision, {
        "kumar2024": dict(HOFFMANN, C_T="1.0e-4", gamma_D="0.5", gamma_N="0.4", gamma_post="2"),
        "steep": dict(EPOCH, C_T="3.0e-9", gamma_D="1.2", gamma_N="0.9", gamma_post="0.7"),
    }, [0, "0.0625", "0.00390625", "0.25", "0.5"]),
    ("quant-degradation", quant_degradation, {
        "ouyang2024": dict(HOFFMANN, k="2.0e-3", alpha_q="0.3", beta_q="0.5", gamma_q="2"),
        "steep": dict(EPOCH, k="5.0e-6", alpha_q="0.9", beta_q="0.7", gamma_q="5.5"),
    }, [0, "0.0625", "0.00390625", "0.25", "3"]),
    ("chinchilla-noise", chinchilla_noise, {
        "mild": dict(HOFFMANN, c="0.3", p="1"),
        "sharp": dict(EPOCH, c="4.0", p="2.7"),
    }, [0, "1e-3", "0.05", "0.3", "2"]),
]
SIZES = ["1e6", "3.3e7", "7e8", "1.2e10", "4e11", "7e12"]
TOKENS = ["1e7", "2e8", "4.5e9", "1e11", "3e12", "9e13"]


def fmt(v):
    return mp.nstr(v, 25, strip_zeros=False, min_fixed=0, max_fixed=0)


def main():
    out = sys.stdout
    out.write("law,set,params,N,D,x,L\n")
    for name, fn, sets, xs in LAWS:
        for label, params in sets.items():
            p = {k: mpf(v) for k, v in params.items()}
            text = ";".join(f"{k}={v}" for k, v in params.items())
            for n in SIZES:
                for d in TOKENS:
                    for x in xs:
                        value = fn(p, mpf(n), mpf(d), mpf(x))
                        out.write(f"{name},{label},{text},{n},{d},{x},{fmt(value)}\n")
    # Hoffmann et al.'s closed form: with C = k N D, N*(C) = G (C/k)^(beta/(alpha+beta)),
    # G = (alpha A / (beta B))^(1/(alpha+beta)), D* = C / (k N*).
    for label, params in CHINCHILLA_SETS.items():
        p = {k: mpf(v) for k, v in params.items()}
        text = ";".join(f"{k}={v}" for k, v in params.items())
        s = p["alpha"] + p["beta"]
        g = power(p["alpha"] * p["A"] / (p["beta"] * p["B"]), 1 / s)
        for k in ["6", "8"]:
            for budget in ["1e18", "1e21", "5.76e23", "3e25"]:
                n_opt = g * power(mpf(budget) / mpf(k), p["beta"] / s)
                d_opt = mpf(budget) / (mpf(k) * n_opt)
                out.write(f"chinchilla-optimum,{label},{text},{fmt(n_opt)},{fmt(d_opt)},"
                          f"{budget},{k}\n")


if __name__ == "__main__":
    main()
