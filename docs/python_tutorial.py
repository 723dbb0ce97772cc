# %% [markdown]
# # shannonfit from Python: the Chinchilla data, step by step
#
# A notebook in the percent format (`# %%` cells): open it in Jupyter with jupytext or in VS
# Code, or run it whole with `python3 docs/python_tutorial.py` from the repository root once
# the package is importable (`pip install --no-build-isolation .`, or
# `PYTHONPATH=build/python` after building with `-DSHANNONFIT_PYTHON=ON`). A test runs it
# (`ctest -R python_tutorial`), so every line here works with the code it ships with.
#
# The data are Epoch AI's extraction of Hoffmann et al.'s Figure 4 (`data/README.md`).

# %%
import math

import pandas as pd

import shannonfit

pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 12)
runs = pd.read_csv("data/chinchilla_svg_extracted.csv")
# Epoch's protocol: drop the 5 highest losses; tokens from the compute, D = C / (6N).
runs = runs.sort_values("loss").iloc[:-5]
runs["tokens"] = runs["Training FLOP"] / (6 * runs["Model Size"])
print(len(runs), "runs; columns", list(runs.columns))

# %% [markdown]
# ## One law, one fit
#
# The defaults are the command line's: Huber loss (δ = 1e-3) on ln L, the law's start grid.
# N is found in "Model Size" and D in "tokens" by their usual names; `columns=` names them
# otherwise. `starts="separable"` reaches the grid's optimum for Chinchilla in a fraction of the
# time (README, "--starts separable").

# %%
fit = shannonfit.fit(runs, law="chinchilla", starts="separable")
print(fit.status, "RSS", fit.rss)
print(fit.to_pandas())
assert fit.converged and abs(fit.params["alpha"] - 0.347) < 0.01

# %% [markdown]
# ## How sure: the bootstrap
#
# 400 case resamples, each started from the full-data fit (Epoch's protocol). Intervals are
# 90% by default, as in the CLI; each carries its `kind` and `level`.

# %%
boot = shannonfit.bootstrap(runs, law="chinchilla", starts="separable", resamples=400, seed=1)
print(boot.to_pandas()[["estimate", "bootstrap_se", "lower", "upper", "level", "kind"]])
alpha = boot.intervals["alpha"]
assert alpha.interval.lower < alpha.estimate < alpha.interval.upper

# %% [markdown]
# ## Predictions and the compute-optimal allocation
#
# Sizes, token counts and budgets may be written as people write them: 70B, 1.4T, 5.76e23.

# %%
at_chinchilla = shannonfit.predict(boot, "70B", "1.4T")
print(at_chinchilla.to_pandas())
p = at_chinchilla[0]
print(f"loss at 70B/1.4T: {p.loss:.4f}, {p.interval}")
print(f"a new run there: {p.prediction_interval}")
assert p.interval.kind == "confidence" and p.interval.level == 0.9
# The band covers the mean curve; a new run also scatters about it, so its interval is wider.
assert p.prediction_interval.kind == "prediction"
assert p.prediction_interval.width > p.interval.width

optimum = shannonfit.compute_optimal(boot, budget="5.76e23")
print(optimum.to_pandas())
assert 1e10 < optimum.N.estimate < 1e12 and not optimum.on_bound

# %% [markdown]
# ## The whole analysis, as `shannonfit analyze` does it
#
# Several laws fitted (each from its whole start grid), bootstrapped and ranked; the answer at
# the target first, then which law wins and how surely, then the warnings.

# %%
analysis = shannonfit.analyze(runs, laws=["chinchilla", "kaplan-e"], at=("70B", "1.4T"),
                              budget="5.76e23", resamples=100, seed=1)
head = analysis.headline
print(f"{head.estimate:.4f} {head.interval} by {head.law}; across laws {head.spread}")
print(analysis.selection.verdict)
for warning in analysis.warnings:
    print("warning:", warning)
print(analysis.to_pandas("predictions"))
print(analysis.to_pandas("compute_optimal"))
assert analysis.selection.winner in analysis.laws and math.isfinite(head.estimate)
