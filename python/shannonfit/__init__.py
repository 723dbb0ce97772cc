"""shannonfit: batched scaling-law fitting from Python.

    import shannonfit
    fit = shannonfit.fit(n, d, loss, law="chinchilla")          # numpy arrays
    fit = shannonfit.fit(df, columns={"n": "params", "d": "tokens", "loss": "loss"})
    fit["params"], fit["status"], shannonfit.predict(fit, n_new, d_new)

The engine runs in C++ with the GIL released; results are dicts of floats and numpy arrays.
Bad input raises shannonfit.InputError (a ValueError) with the engine's message.
"""
from collections.abc import Mapping

import numpy as np

from ._core import FitError, InputError, __version__
from ._core import fit as _fit
from ._core import laws as _laws
from ._core import predict as _predict

__all__ = ["fit", "predict", "laws", "InputError", "FitError", "__version__"]

DEFAULT_COLUMNS = {"n": "N", "d": "D", "loss": "loss"}


def laws():
    """Every registered law as a dict: name, formula, source, params (with bounds)."""
    return _laws()


def _is_table(obj):
    # A pandas DataFrame or any mapping of column name -> values; pandas itself is optional.
    return isinstance(obj, Mapping) or hasattr(obj, "columns")


def _column(table, name, role):
    try:
        values = table[name]
    except (KeyError, IndexError, TypeError):
        available = list(table.columns) if hasattr(table, "columns") else list(table)
        raise InputError(f"{role}: no column '{name}' (columns: {', '.join(map(str, available))})")
    return np.asarray(values, dtype=np.float64)


def _as_array(values, role):
    if values is None:
        return None
    try:
        return np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise InputError(f"{role}: not numeric ({e})") from None


def _inputs(n, d, loss, weights, x, columns):
    if _is_table(n):
        if d is not None or loss is not None:
            raise InputError("pass either a table (with columns=...) or the arrays n, d, loss")
        table = n
        names = dict(DEFAULT_COLUMNS)
        names.update(columns or {})
        unknown = set(names) - {"n", "d", "loss", "weights", "x"}
        if unknown:
            raise InputError(f"columns: unknown role(s) {sorted(unknown)} "
                             "(roles: n, d, loss, weights, x)")
        if isinstance(weights, str):
            names["weights"] = weights
        if isinstance(x, str):
            names["x"] = x
        cols = {role: _column(table, name, role) for role, name in names.items()}
        for role, given in (("weights", weights), ("x", x)):
            if role not in cols:
                cols[role] = _as_array(given, role)
        return cols["n"], cols["d"], cols["loss"], cols["weights"], cols["x"]
    if d is None or loss is None:
        raise InputError("fit needs n, d and loss arrays (or one table)")
    if columns:
        raise InputError("columns= only applies when the first argument is a table")
    return (_as_array(n, "n"), _as_array(d, "d"), _as_array(loss, "loss"),
            _as_array(weights, "weights"), _as_array(x, "x"))


def fit(n, d=None, loss=None, *, law="chinchilla", loss_kind="l2", space="log",
        huber_delta=1e-3, backend="cpu", weights=None, x=None, starts="grid", threads=0,
        max_iterations=500, columns=None):
    """Fit one law to (N, D, loss) points and return the best start's result.

    n, d, loss: arrays of parameters, tokens and loss; or pass one table (pandas DataFrame or a
        dict of columns) as n, naming its columns with columns={"n":..., "d":..., "loss":...,
        "weights":..., "x":...} (defaults N, D, loss). weights and x may also be column names.
    law: a name from laws(). loss_kind: "l2" or "huber" (delta huber_delta). space: "log" fits
        ln L, "linear" fits L. backend: "cpu", "reference", "cuda" or "auto".
    starts: "grid" (the law's multi-start grid) or "single". threads: 0 = all cores.

    Returns a dict: law, params (reported names -> values), solver_params (numpy array, the
    space the solver works in), solver_names, status, converged, rss, cost, iterations,
    n_points, n_starts, failed_starts, space, loss_kind.
    """
    n, d, loss, weights, x = _inputs(n, d, loss, weights, x, columns)
    return _fit(n, d, loss, law, loss_kind, space, float(huber_delta), backend, weights, x,
                starts, int(threads), int(max_iterations))


def predict(result, n, d, x=None):
    """Loss predicted at (n, d[, x]) by a result of fit() (or any dict with law and
    solver_params). Returns a numpy array."""
    return _predict(result["law"], _as_array(result["solver_params"], "solver_params"),
                    _as_array(np.atleast_1d(n), "n"), _as_array(np.atleast_1d(d), "d"),
                    _as_array(None if x is None else np.atleast_1d(x), "x"))
