"""shannonfit: batched scaling-law fitting from Python.

    import shannonfit
    fit = shannonfit.fit(n, d, loss, law="chinchilla")          # numpy arrays
    fit = shannonfit.fit(df, columns={"n": "params", "d": "tokens", "loss": "loss"})
    fit["params"], fit["status"], shannonfit.predict(fit, n_new, d_new)
    boot = shannonfit.bootstrap(n, d, loss, law="chinchilla", resamples=1000, seed=1)
    boot["draws"]                                               # (resamples, params) array

The engine runs in C++ with the GIL released; results are dicts of floats and numpy arrays.
Bad input raises shannonfit.InputError (a ValueError) with the engine's message, as does data
that cannot identify the law (too few rows, or too few distinct N, D or x). Every fit reports
how its starts ended (result["start_outcomes"]) and warns with a FitWarning when the best fit
is not a clean interior optimum (result["best_fit"]).
"""
import warnings
from collections.abc import Mapping

import numpy as np

from ._core import FitError, InputError, __version__
from ._core import bootstrap as _bootstrap
from ._core import fit as _fit
from ._core import laws as _laws
from ._core import predict as _predict

__all__ = ["fit", "bootstrap", "predict", "laws", "InputError", "FitError", "FitWarning",
           "__version__"]


class FitWarning(RuntimeWarning):
    """The best fit stopped on a parameter bound, at the iteration cap, or in NaN/Inf."""

DEFAULT_COLUMNS = {"n": "N", "d": "D", "loss": "loss"}


def laws():
    """Every registered law as a dict: name, formula, source, params (with bounds)."""
    return _laws()


def _is_table(obj):
    # A pandas DataFrame or any mapping of column name -> values; pandas itself is optional.
    return isinstance(obj, Mapping) or hasattr(obj, "columns")


def _column(table, name, role, numeric=True):
    try:
        values = table[name]
    except (KeyError, IndexError, TypeError):
        available = list(table.columns) if hasattr(table, "columns") else list(table)
        raise InputError(f"{role}: no column '{name}' (columns: {', '.join(map(str, available))})")
    # Groups are labels (model family, run), not numbers.
    return _as_array(values, f"{role} (column '{name}')") if numeric else list(values)


def _as_array(values, role):
    if values is None:
        return None
    try:
        return np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise InputError(f"{role}: not numeric ({e})") from None


ROLES = ("n", "d", "loss", "weights", "x", "groups")


def _inputs(n, d, loss, extra, columns):
    """The arrays of every role: from one table (columns by name) or from separate arrays.
    `extra` holds the optional roles (weights, x, groups) as given: arrays, column names, None.
    Also, under "origin", what the engine's messages call the data and its n, d, x columns."""
    if _is_table(n):
        if d is not None or loss is not None:
            raise InputError("pass either a table (with columns=...) or the arrays n, d, loss")
        table = n
        names = dict(DEFAULT_COLUMNS)
        names.update(columns or {})
        unknown = set(names) - set(ROLES)
        if unknown:
            raise InputError(f"columns: unknown role(s) {sorted(unknown)} "
                             f"(roles: {', '.join(ROLES)})")
        names.update({role: v for role, v in extra.items() if isinstance(v, str)})
        out = {}
        for role, name in names.items():
            out[role] = _column(table, name, role, numeric=role != "groups")
        for role, given in extra.items():
            if role not in out:
                out[role] = given if role == "groups" else _as_array(given, role)
        out["origin"] = {"source": "DataFrame" if hasattr(table, "columns") else "table",
                         "columns": {r: str(names[r]) for r in ("n", "d", "x") if r in names}}
        return out
    if d is None or loss is None:
        raise InputError("needs n, d and loss arrays (or one table)")
    if columns:
        raise InputError("columns= only applies when the first argument is a table")
    out = {"n": _as_array(n, "n"), "d": _as_array(d, "d"), "loss": _as_array(loss, "loss")}
    for role, given in extra.items():
        out[role] = None if given is None else (list(given) if role == "groups"
                                                else _as_array(given, role))
    out["origin"] = {"source": "arrays", "columns": {}}
    return out


def _warn_about_best_fit(result, stacklevel=3):
    # The CLI prints this on stderr; in Python it is a warning the caller can filter or raise.
    message = result.get("best_fit", {}).get("warning")
    if message:
        warnings.warn(f"law '{result['law']}': {message}", FitWarning, stacklevel=stacklevel)
    return result


def fit(n, d=None, loss=None, *, law="chinchilla", loss_kind="l2", space="log",
        huber_delta=1e-3, backend="cpu", weights=None, x=None, starts="grid", threads=0,
        max_iterations=500, columns=None):
    """Fit one law to (N, D, loss) points and return the best start's result.

    n, d, loss: arrays of parameters, tokens and loss; or pass one table (pandas DataFrame or a
        dict of columns) as n, naming its columns with columns={"n":..., "d":..., "loss":...,
        "weights":..., "x":...} (defaults N, D, loss). weights and x may also be column names.
    law: a name from laws(). loss_kind: "l2" or "huber" (delta huber_delta). space: "log" fits
        ln L, "linear" fits L. backend: "cpu", "reference", "cuda" or "auto".
    starts: "grid" (the law's multi-start grid), "single", or "separable" (laws linear in some
    parameters: a grid over the others with nonnegative least squares, then LM from its best
    few points). threads: 0 = all cores.

    Returns a dict: law, params and se (reported names -> estimate, asymptotic standard error;
    NaN where the data do not identify a parameter, listed in unidentified), param_names,
    solver_params (numpy array, the space the solver works in), solver_names, covariance
    (solver space), status, converged, rss, r2, aic, aicc, bic, cost, iterations, n_points,
    n_starts, failed_starts, space, loss_kind; start_outcomes, how the starts ended (total,
    converged, at_bound, max_iterations, non_finite: the counts `shannonfit fit` reports); and
    best_fit, the chosen start's state (outcome, status, converged, params_at_bound, warning).

    Raises InputError when the data cannot identify the law (fewer rows than parameters, or
    fewer distinct N, D or x than it needs), naming the column and the counts. Warns with a
    FitWarning when the best fit is on a bound, at the iteration cap, or not finite.
    """
    a = _inputs(n, d, loss, {"weights": weights, "x": x}, columns)
    return _warn_about_best_fit(
        _fit(a["n"], a["d"], a["loss"], law, loss_kind, space, float(huber_delta), backend,
             a["weights"], a["x"], starts, int(threads), int(max_iterations),
             **a["origin"]))


def bootstrap(n, d=None, loss=None, *, law="chinchilla", resamples=1000, seed=0,
              scheme="case", starts="best", loss_kind="l2", space="log", huber_delta=1e-3,
              backend="cpu", weights=None, x=None, groups=None, threads=0,
              max_iterations=500, level=0.95, columns=None):
    """Full fit plus `resamples` bootstrap refits (counter-based, so `seed` reproduces them on
    any backend or thread count).

    Data arguments as in fit(); groups (array or column name) label clusters for
    scheme="cluster". scheme: "case", "cluster" or "residual". starts: "best" (each resample
    starts from the full-data fit), "grid", or "separable" (each resample runs its own
    separable search; separable laws only).

    Returns fit()'s dict for the full-data fit (start_outcomes and best_fit included; the same
    InputError and FitWarning) plus: draws (resamples x params, reported units,
    NaN rows where a resample failed), solver_draws, ok (bool per resample), resamples,
    failed_resamples, seed, scheme, level, and intervals: per parameter its percentile and BCa
    interval at `level`, bootstrap standard error and bias.
    """
    a = _inputs(n, d, loss, {"weights": weights, "x": x, "groups": groups}, columns)
    return _warn_about_best_fit(
        _bootstrap(a["n"], a["d"], a["loss"], law, int(resamples), int(seed), scheme, starts,
                   loss_kind, space, float(huber_delta), backend, a["weights"], a["x"],
                   a["groups"], int(threads), int(max_iterations), float(level),
                   **a["origin"]))


def predict(result, n, d, x=None):
    """Loss predicted at (n, d[, x]) by a result of fit() (or any dict with law and
    solver_params). Returns a numpy array. Warns with a FitWarning, as fit() did, when the
    result's best fit is on a bound, at the iteration cap, or not finite: its predictions carry
    that caveat (see result["start_outcomes"] and result["best_fit"])."""
    _warn_about_best_fit(result)
    return _predict(result["law"], _as_array(result["solver_params"], "solver_params"),
                    _as_array(np.atleast_1d(n), "n"), _as_array(np.atleast_1d(d), "d"),
                    _as_array(None if x is None else np.atleast_1d(x), "x"))
