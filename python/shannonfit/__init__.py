"""shannonfit: batched scaling-law fitting with honest uncertainty, from Python.

The same engine and the same defaults as the ``shannonfit`` command (Huber loss with
delta = 1e-3 on ln L, each law's multi-start grid, 90% intervals), with typed results:

    >>> import pandas as pd, shannonfit
    >>> runs = pd.read_csv("data/chinchilla_svg_extracted.csv")
    >>> runs["D"] = runs["Training FLOP"] / (6 * runs["Model Size"])
    >>> a = shannonfit.analyze(runs, laws=["chinchilla", "kaplan"], at=[("70B", "1.4T")],
    ...                        budget="5.76e23", resamples=100, seed=1)
    >>> print(a.headline.estimate, a.headline.interval)        # the answer first
    >>> a.selection.verdict                                     # which law wins, how surely
    >>> a.to_pandas("params")                                   # every parameter, with intervals

    >>> fit = shannonfit.fit(runs, law="chinchilla")            # one law, best start
    >>> boot = shannonfit.bootstrap(runs, law="chinchilla", resamples=1000, seed=1)
    >>> shannonfit.predict(boot, "70B", "1.4T").to_pandas()     # loss with its 90% interval
    >>> shannonfit.compute_optimal(boot, budget="5.76e23")      # N*, D*, L* with intervals

Data: numpy arrays n, d, loss; or one table (pandas DataFrame or dict of columns) whose N, D
and loss columns are found under their usual names (N/params/parameters/model_size...,
D/tokens/data..., loss/val_loss/eval_loss...) or named with columns={"n": ..., "d": ...,
"loss": ...}. Sizes, token counts and budgets may be written 12B, 307B, 1.4T, 5.76e23.
A formula law over other columns ("acc(params, tokens): ...", as the CLI's --law) reads
those instead, N and D only if it uses them; space="linear" takes responses of any sign:

    >>> law = "acc(params, tokens): top/(1 + exp(-k*(log(6*params*tokens) - m)))"
    >>> f = shannonfit.fit(rows, law=law, columns={"loss": "lambada_acc"}, space="linear")
    >>> f.n_starts, f.starts_at_best, f.start                   # the start search, as the CLI's
    >>> shannonfit.predict(f, at={"params": 6.9e9, "tokens": "200B"})

The engine runs in C++ with the GIL released; Ctrl-C stops a long batch. Bad input raises
InputError (a ValueError) naming the argument; data that cannot identify a law raise it too.
A best fit on a parameter bound, at the iteration cap or not finite warns with FitWarning.
"""
from __future__ import annotations

import functools
import math
import re
import warnings
from collections.abc import Mapping
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from ._core import FitError, InputError, __version__
from .results import (Analysis, BootstrapResult, ComputeOptimal, Estimate, FitResult, Headline,
                      Interval, LawFit, Prediction, Predictions, Selection)

__all__ = ["fit", "bootstrap", "predict", "compute_optimal", "analyze", "compare", "laws",
           "interval_methods", "DEFAULT_INTERVAL_METHOD", "backends",
           "quantity", "Analysis", "BootstrapResult", "ComputeOptimal", "Estimate", "FitResult",
           "Headline", "Interval", "LawFit", "Prediction", "Predictions", "Selection",
           "InputError", "FitError", "FitWarning", "DEFAULT_LEVEL", "__version__"]

#: The default coverage of every interval, as in the CLI (--level).
DEFAULT_LEVEL = 0.9
# The interval shown unless method= picks another of interval_methods() (the CLI's --method).
DEFAULT_INTERVAL_METHOD = next(m["name"] for m in _core.interval_methods() if m["default"])

Quantity = Union[float, int, str]
Table = Any  # a pandas DataFrame or a mapping of column name -> values
ArrayLike = Union[Sequence[float], np.ndarray]


class FitWarning(RuntimeWarning):
    """The best fit stopped on a parameter bound, at the iteration cap, or in NaN/Inf."""


# The engine's messages name the CLI's options; from Python they name the arguments instead.
_OPTION_TO_ARGUMENT = {"--group-col": "groups", "--weight-col": "weights", "--at": "at",
                       "--law": "law", "--loss": "loss_kind", "--perturbation": "x",
                       "--start": "starts", "--tolerance": "tolerance",
                       "--n-col": "columns['n']", "--d-col": "columns['d']",
                       "--loss-col": "columns['loss']"}


def _python_words(message: str) -> str:
    def replace(match):
        option = match.group(0)
        return _OPTION_TO_ARGUMENT.get(option, option[2:].replace("-", "_"))
    return re.sub(r"--[a-z][a-z0-9-]*", replace, message)


def _engine_call(function):
    """Runs an engine call, with the CLI's option names in its errors turned into arguments."""
    @functools.wraps(function)
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except InputError as e:
            raise InputError(_python_words(str(e))) from None
        except FitError as e:
            raise FitError(_python_words(str(e))) from None
    return call


def quantity(value: Quantity, name: str) -> float:
    """A size, token count or budget as a float: 12e9, "12B", "307B", "1.4T", "70M", "5.76e23".

    >>> shannonfit.quantity("1.4T", "d")
    1400000000000.0
    """
    if isinstance(value, (int, float, np.floating, np.integer)):
        return float(value)
    text = str(value).strip()
    scale = {"K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12, "P": 1e15}.get(text[-1:].upper())
    try:
        return float(text[:-1]) * scale if scale else float(text)
    except ValueError:
        raise InputError(f"{name}: '{value}' is not a number (write 12e9, '12B', '1.4T'...)") \
            from None


def _quantities(values, name: str) -> np.ndarray:
    if isinstance(values, (str, int, float, np.floating, np.integer)):
        values = [values]
    return np.array([quantity(v, name) for v in np.asarray(values, dtype=object).ravel()])


def interval_methods() -> List[Dict[str, Any]]:
    """Every interval method, as the CLI's --method lists them: name (method=...), label,
    description, for_new_run (whether it applies to a new run's loss: prediction intervals use
    only those) and default. An interval shown under a method that is undefined for a quantity
    falls back to the percentile interval and says so in its method."""
    return list(_core.interval_methods())


def backends() -> List[Dict[str, Any]]:
    """Every backend, as the CLI's --backend lists them: name (backend=...), description, built
    (whether this build has it) and present (whether it can run here). backend="auto" picks
    the fastest one present that can run the law."""
    return list(_core.backends())


def laws() -> List[Dict[str, Any]]:
    """Every law as a dict: name, formula, source, needs_perturbation, params (with bounds).

    >>> [law["name"] for law in shannonfit.laws()][:3]
    ['chinchilla', 'chinchilla-plain', 'kaplan']
    """
    return _core.laws()


def _is_table(obj) -> bool:
    # A pandas DataFrame or any mapping of column name -> values; pandas itself is optional.
    return isinstance(obj, Mapping) or hasattr(obj, "columns")


def _header(table) -> List[str]:
    return [str(c) for c in (table.columns if hasattr(table, "columns") else table)]


def _column(table, name: str, role: str, numeric: bool = True, named_by: str = ""):
    """The column `name` of `table` as the values of `role`; named_by says who named it
    (columns['role'] unless the law's formula did)."""
    try:
        values = table[name]
    except (KeyError, IndexError, TypeError):
        header = _header(table)
        close = _core.closest_column(header, str(name))
        raise InputError(f"{named_by or f'columns[{role!r}]'}: no column '{name}' "
                         f"(columns: {', '.join(header)})"
                         + (f"; did you mean '{close}'?" if close else "")) from None
    # Groups are labels (model family, run), not numbers.
    return _as_array(values, f"{role} (column '{name}')") if numeric else list(values)


def _as_array(values, role: str):
    if values is None:
        return None
    try:
        return np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise InputError(f"{role}: not numeric ({e})") from None


ROLES = ("n", "d", "loss", "weights", "x", "groups")


def _inputs(n, d, loss, extra: Dict[str, Any], columns: Optional[Dict[str, str]],
            reads: Dict[str, Any]):
    """The arrays of every role: from one table (columns by name, N, D and loss guessed from
    their usual spellings when not named) or from separate arrays. `extra` holds the optional
    roles (weights, x, groups) as given: arrays, column names, None. `reads` is what the laws
    read (_core.law_columns: the CLI's binding): N and D only when a law uses them, and a formula
    law's own columns in place of N, D or x. Also, under "origin", what the engine's messages
    call the data and its n, d, x columns."""
    own = {role: reads[role] for role in ("n", "d", "x") if reads[role]}
    unread = [role for role in ("n", "d") if not reads["read_" + role]]
    if _is_table(n):
        if "x" in own and extra.get("x") is not None:
            raise InputError(f"x: the law reads the table's column '{own['x']}' as its first "
                             "variable; leave x unset")
        if d is not None or loss is not None:
            raise InputError("pass either a table (with columns=...) or the arrays n, d, loss")
        table = n
        names = dict(columns or {})
        unknown = set(names) - set(ROLES)
        if unknown:
            raise InputError(f"columns: unknown role(s) {sorted(unknown)} "
                             f"(roles: {', '.join(ROLES)})")
        # As the CLI's --n-col and --d-col: not read for a law that does not use N or D.
        for role in unread:
            names.pop(role, None)
        names.update(own)
        for role in ("n", "d", "loss"):
            if role not in names and role not in unread:
                names[role] = _engine_call(_core.guess_column)(_header(table), role)
        names.update({role: v for role, v in extra.items() if isinstance(v, str)})
        out = {role: None for role in ("n", "d")}
        for role, name in names.items():
            out[role] = _column(table, name, role, numeric=role != "groups",
                                named_by="law" if own.get(role) == name else "")
        for role, given in extra.items():
            if role not in out:
                out[role] = given if role == "groups" else _as_array(given, role)
        out["origin"] = {"source": "DataFrame" if hasattr(table, "columns") else "table",
                         "columns": {r: str(names[r]) for r in ("n", "d", "x", "loss")
                                     if r in names}}
        return out
    if loss is None or any(v is None for role, v in (("n", n), ("d", d)) if role not in unread):
        raise InputError("needs n, d and loss arrays (or one table)")
    if columns:
        raise InputError("columns= only applies when the first argument is a table")
    out = {"n": _as_array(n, "n"), "d": _as_array(d, "d"), "loss": _as_array(loss, "loss")}
    for role, given in extra.items():
        out[role] = None if given is None else (list(given) if role == "groups"
                                                else _as_array(given, role))
    out["origin"] = {"source": "arrays", "columns": {}}
    return out


def _starts(starts, strategy: str) -> Tuple[str, List[str]]:
    """starts= as the engine takes it: a strategy name ("grid", "best", "single", "separable"),
    or explicit starts, each a mapping of parameter to value in the law's reported units (or
    the CLI's "NAME=VALUE,..." text), with `strategy` for the refits (the CLI's --start)."""
    if isinstance(starts, str):
        return starts, []
    if isinstance(starts, Mapping):
        starts = [starts]
    points = []
    for start in starts:
        if isinstance(start, Mapping):
            start = ",".join(f"{name}={quantity(value, f'starts: {name}')!r}"
                             for name, value in start.items())
        elif not isinstance(start, str):
            raise InputError(f"starts: {start!r} is neither a strategy nor a start "
                             "(a dict of parameter values)")
        points.append(start)
    if not points:
        raise InputError("starts: an empty list gives no start")
    return strategy, points


def _tolerance(tolerance: Optional[float]) -> float:
    return 0.0 if tolerance is None else float(tolerance)


def _warn_about_best_fit(result, stacklevel: int = 3):
    # The CLI prints this on stderr; in Python it is a warning the caller can filter or raise.
    message = (result.get("best_fit") or {}).get("warning")
    if message:
        warnings.warn(f"law '{result['law']}': {_python_words(message)}", FitWarning,
                      stacklevel=stacklevel)
    return result


_FIT_FIELDS = [f for f in FitResult.__dataclass_fields__]


def _fit_result(raw: Dict[str, Any]) -> FitResult:
    return FitResult(**{k: raw[k] for k in _FIT_FIELDS})


StartsArg = Union[str, Mapping[str, float], Sequence[Union[Mapping[str, float], str]]]


def fit(n, d=None, loss=None, *, law: str = "chinchilla", loss_kind: str = "huber",
        huber_delta: float = 1e-3, space: Optional[str] = None, starts: StartsArg = "grid",
        tolerance: Optional[float] = None, backend: str = "auto", weights=None, x=None,
        threads: int = 0, max_iterations: int = 500,
        columns: Optional[Dict[str, str]] = None) -> FitResult:
    """Fit one law from its multi-start grid; returns the best start (`shannonfit fit`).

    Args:
        n, d, loss: arrays of parameters, tokens and loss; or one table as n (DataFrame or dict
            of columns) with the columns guessed or named by columns={"n":..., "d":...,
            "loss":..., "weights":..., "x":...}. weights and x may also be column names.
        law: a name from laws(), "name: formula" (e.g. "mine: E + A/N^alpha + B/D^beta"),
            "name(col1, col2): formula" (a law over the table's columns col1, col2 instead of
            N and D: n and d are then read only if the formula uses N or D), or a *.json law
            file, as the CLI's --law.
        loss_kind: "huber" (delta huber_delta, the CLI's default) or "l2" (least squares).
        space: "log" fits ln L (the response must be positive), "linear" fits L (any finite
            response; with loss_kind="l2": scipy's curve_fit); default the law's own (a law
            file's "space"), else "log".
        starts: where fits start, as the CLI's --starts: "grid" (the law's multi-start grid;
            for a formula parameter with neither bounds nor a grid, 256 starts scattered over
            +-3 decades around its default start), "best" (the grid here; refits in bootstrap()
            and analyze() start from its optimum), "single" (the law's single default start),
            or "separable" (laws linear in some parameters: a grid over the others with
            nonnegative least squares, then LM from its best few points). Or starts of your
            own, as the CLI's --start: a dict {"top": 0.7, "k": 0.5} in the reported units
            (parameters not named start at the law's default), or a list of them, one start
            each.
        tolerance: the convergence tolerance of all three tests (relative step, objective,
            gradient; the CLI's --tolerance); default 1e-10, 1e-12, 1e-12.
        backend: a name from backends(), or "auto" (the fastest one present; CUDA when a
            device is visible). threads: 0 = all.

    Returns a FitResult: params and se (reported names, A not ln A), status, rss, r2, aic,
    aicc, bic, n_starts, start (the chosen start, reported units), starts_at_best (how many
    starts reached the best optimum), start_outcomes, best_fit...; fit.to_pandas() is the
    parameter table.

    Raises InputError when the data cannot identify the law (too few rows, or too few
    distinct N, D or x), naming the column and the counts. Warns with FitWarning when the best
    fit is on a bound, at the iteration cap, or not finite.

    Example:
        >>> f = shannonfit.fit(runs, law="chinchilla")
        >>> f.params["alpha"], f.se["alpha"]
        >>> f.to_pandas()
    """
    reads = _engine_call(_core.law_columns)([law], space or "")
    a = _inputs(n, d, loss, {"weights": weights, "x": x}, columns, reads)
    strategy, points = _starts(starts, "grid")
    raw = _engine_call(_core.fit)(
        a["n"], a["d"], a["loss"], law, loss_kind, space or "", float(huber_delta), backend,
        a["weights"], a["x"], strategy, points, _tolerance(tolerance), int(threads),
        int(max_iterations), **a["origin"])
    return _warn_about_best_fit(_fit_result(raw))


def bootstrap(n, d=None, loss=None, *, law: str = "chinchilla", resamples: int = 1000,
              seed: int = 0, scheme: str = "auto", starts: StartsArg = "best",
              tolerance: Optional[float] = None,
              level: float = DEFAULT_LEVEL, method: str = DEFAULT_INTERVAL_METHOD,
              loss_kind: str = "huber", huber_delta: float = 1e-3,
              space: Optional[str] = None, backend: str = "auto", weights=None, x=None,
              groups=None,
              threads: int = 0, max_iterations: int = 500,
              columns: Optional[Dict[str, str]] = None) -> BootstrapResult:
    """The full fit plus `resamples` bootstrap refits (`shannonfit bootstrap`); counter-based,
    so `seed` gives the same numbers on any backend or thread count.

    Args:
        data and solver arguments: as in fit(); groups (array or column name) label clusters.
        scheme: "auto" (the default, as the CLI's: "cluster" when rows share a model, given
            by groups or by one N at several D, else "case"), "case" (rows), "cluster" (whole
            groups) or "residual".
        starts: "best" (the full-data fit searches the grid, each resample starts from its
            optimum: Epoch AI's protocol), "grid" (every resample searches the grid too),
            "single" (the full-data fit from the law's default start, each resample from its
            optimum), or "separable" (every fit runs its own separable search). Starts of your
            own (dicts, as in fit()) start the full-data fit; each resample starts from its
            optimum.
        level: coverage of the intervals (default 0.9, as everywhere).
        method: the interval shown, one of interval_methods() (default "bca"; the percentile
            interval where it is undefined); predict() and compute_optimal() use it too unless
            given their own. Every method's interval is in Estimate.intervals.

    Returns a BootstrapResult: fit()'s fields plus intervals (per parameter: Estimate with
    the interval of `method`, and every method's), draws, ok, failed_resamples...; pass it to
    predict() and compute_optimal() for intervals on those.

    Example:
        >>> b = shannonfit.bootstrap(runs, law="chinchilla", resamples=400, seed=1)
        >>> b.intervals["alpha"].interval        # [lower, upper] (90% confidence)
        >>> b.to_pandas()
    """
    reads = _engine_call(_core.law_columns)([law], space or "")
    a = _inputs(n, d, loss, {"weights": weights, "x": x, "groups": groups}, columns, reads)
    strategy, points = _starts(starts, "best")
    raw = _engine_call(_core.bootstrap)(
        a["n"], a["d"], a["loss"], law, int(resamples), int(seed), scheme, strategy, points,
        _tolerance(tolerance), loss_kind, space or "", float(huber_delta), backend, a["weights"],
        a["x"], a["groups"], int(threads), int(max_iterations), float(level), method,
        **a["origin"])
    intervals = {name: _estimate(name, raw["params"][name], iv, raw["se"][name])
                 for name, iv in raw["intervals"].items()}
    result = BootstrapResult(**{k: raw[k] for k in _FIT_FIELDS}, resamples=raw["resamples"],
                             starts_per_resample=raw["starts_per_resample"],
                             failed_resamples=raw["failed_resamples"], seed=raw["seed"],
                             scheme=raw["scheme"], level=raw["level"],
                             interval_method=raw["interval_method"], intervals=intervals,
                             draws=raw["draws"], solver_draws=raw["solver_draws"], ok=raw["ok"],
                             run=raw["run"])
    return _warn_about_best_fit(result)


def predict(result: FitResult, n=None, d=None, x=None, *, at: Optional[Mapping[str, Any]] = None,
            level: float = DEFAULT_LEVEL, method: Optional[str] = None) -> Predictions:
    """The loss `result`'s law predicts at (n, d[, x]) (`shannonfit predict`).

    n and d may be numbers, strings with suffixes ("70B", "1.4T") or arrays of either. A law
    over other variables takes them as `at`, keyed by the law's own names, as the CLI's --at:
    at={"C": [1e20, 1e21]} for "acc(C): ...", at={"N": "70B", "D": "1.4T"} for chinchilla. With a
    BootstrapResult each prediction carries two intervals at `level`, the numbers
    `shannonfit predict DATA` gives: interval (kind "confidence": where the law's mean curve
    lies) and prediction_interval (kind "prediction": where the loss of a new training run would
    fall, the curve's uncertainty plus the runs' scatter about it). method: the confidence
    interval shown, one of interval_methods() (default: the bootstrap's method). With a
    FitResult, the point prediction only. Warns with FitWarning, as fit() did, when the result's
    best fit is not a clean interior optimum.

    Example:
        >>> p = shannonfit.predict(boot, "70B", "1.4T")
        >>> p[0].loss, p[0].interval, p[0].prediction_interval
        >>> shannonfit.predict(fit, [1e9, 7e10], [2e10, 1.4e12]).loss
        >>> shannonfit.predict(acc_fit, at={"C": [1e21, 1e22]})
    """
    _warn_about_best_fit(result)
    if at is None:
        if n is None or d is None:
            raise InputError("predict: give n and d, or at={...} with the law's own variables")
        at = {"N": n, "D": d} if x is None else {"N": n, "D": d, "x": x}
    elif n is not None or d is not None or x is not None:
        raise InputError("predict: give either n, d, x or at={...}, not both")
    specs = _point_specs(at)
    if isinstance(result, BootstrapResult) and result.run is not None:
        rows = _engine_call(_core.prediction_intervals)(
            result.run, specs, float(level), method or result.interval_method)
        intervals = [(r, _interval(r), _interval(r["prediction"])) for r in rows]
    else:  # a FitResult, or any mapping with law and solver_params
        rows = _engine_call(_core.predict)(
            result["law"], _as_array(result["solver_params"], "solver_params"), specs)
        intervals = [(r, None, None) for r in rows]
    return Predictions([Prediction(result["law"], r["N"], r["D"], r["estimate"], iv, r["x"],
                                   prediction_interval=new_run, at=r["at"])
                        for r, iv, new_run in intervals])


def _point_specs(at: Mapping[str, Any]) -> List[str]:
    """Points as the CLI's --at writes them ("N=7e+10,D=1.4e+12"), one per element of at's
    values (numbers, "70B"-style strings or arrays of either, broadcast together)."""
    if not isinstance(at, Mapping) or not at:
        raise InputError("at: expected a dict of variable -> value(s), e.g. {'C': [1e20, 1e21]}")
    values = {str(k): _quantities(v, f"at['{k}']") for k, v in at.items()}
    try:
        columns = np.broadcast_arrays(*values.values())
    except ValueError:
        raise InputError("at: the values have different lengths: "
                         + ", ".join(f"{k}: {v.size}" for k, v in values.items())) from None
    return [",".join(f"{k}={float(c[i])!r}" for k, c in zip(values, columns))
            for i in range(columns[0].size)]


def _interval(d: Dict[str, Any]) -> Interval:
    return Interval(d["lower"], d["upper"], d["level"], d.get("kind", "confidence"),
                    d.get("method", ""))


def _estimate(name: str, estimate: float, d: Dict[str, Any], asymptotic_se: float) -> Estimate:
    """An Estimate from the engine's interval dict: the shown interval and every method's."""
    every = {m: Interval(lo, hi, d["level"], d["kind"], m) for m, (lo, hi) in d["intervals"].items()}
    return Estimate(name, estimate, _interval(d), d["bootstrap_se"], asymptotic_se,
                    every["percentile"], every)


def compute_optimal(result: FitResult, budget: Quantity, *, flops_per_token_param: float = 6,
                    n_min: Quantity = 1e6, n_max: Quantity = 1e15, x: float = 0,
                    level: float = DEFAULT_LEVEL, method: Optional[str] = None) -> ComputeOptimal:
    """The model size N* and token count D* = C / (k N*) minimising the loss at compute
    budget C = k N D (`bootstrap --budget`, `analyze --budget`), and the loss L* there.

    With a BootstrapResult, N*, D* and L* carry intervals at `level` (method: one of
    interval_methods(), default the bootstrap's): an optimum is only as certain as the
    exponents behind it. on_bound says N* sits on n_min or n_max.

    Example:
        >>> opt = shannonfit.compute_optimal(boot, budget="5.76e23")
        >>> opt.N.estimate, opt.N.interval, opt.D.estimate
    """
    c = quantity(budget, "budget")
    args = (c, float(flops_per_token_param), quantity(n_min, "n_min"), quantity(n_max, "n_max"),
            float(x))
    if isinstance(result, BootstrapResult) and result.run is not None:
        raw = _engine_call(_core.compute_optimal_intervals)(
            result.run, *args, float(level), method or result.interval_method)
        parts = {q: _estimate(q, raw[q], raw[q + "_interval"], raw[q + "_interval"]["asymptotic_se"])
                 for q in ("N", "D", "loss")}
    else:
        raw = _engine_call(_core.compute_optimal)(
            result["law"], _as_array(result["solver_params"], "solver_params"), *args)
        parts = {q: Estimate(q, raw[q]) for q in ("N", "D", "loss")}
    return ComputeOptimal(result["law"], c, parts["N"], parts["D"], parts["loss"], raw["on_bound"],
                          raw["ok"])


def _split_laws(text: str) -> List[str]:
    """A comma list of laws, split outside parentheses: "f: min(a, b)" stays one law."""
    parts, depth = [""], 0
    for c in text:
        depth += (c == "(") - (c == ")")
        if c == "," and depth <= 0:
            parts.append("")
        else:
            parts[-1] += c
    return parts


def _resolve_laws(law, have_x: bool) -> List[str]:
    names = [law] if isinstance(law, str) else list(law)
    out: List[str] = []
    for name in names:
        for part in _split_laws(str(name)):
            part = part.strip()
            if part == "all":
                # As the CLI's --law all: every law whose inputs the data have.
                out += [l["name"] for l in _core.laws() if have_x or not l["needs_perturbation"]]
            elif part and part not in out:
                out.append(part)
    return list(dict.fromkeys(out))


def _targets(at) -> List[Tuple[str, str]]:
    """at: (N, D) or (N, D, x) tuples, dicts keyed by N/D/x or the laws' own variables, or
    "N=70B,D=1.4T" strings (the CLI's --at). Each as (label, the CLI's --at text)."""
    if at is None:
        return []
    if isinstance(at, (str, Mapping)) or (isinstance(at, tuple) and len(at) in (2, 3)
                                          and not isinstance(at[0], (tuple, list, Mapping))):
        at = [at]
    out = []
    for item in at:
        if isinstance(item, str):
            out.append((item, item))
            continue
        if not isinstance(item, Mapping):
            item = dict(zip(("N", "D", "x"), item))
        values = {str(k): quantity(v, f"at: {k}") for k, v in item.items()}
        label = ",".join(f"{k}={_human(v)}" if k != "x" else f"x={v:g}"
                         for k, v in values.items() if k != "x" or v)
        out.append((label, ",".join(f"{k}={v!r}" for k, v in values.items())))
    return out


def _human(value: float) -> str:
    for suffix, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def analyze(n, d=None, loss=None, *, laws: Union[str, Iterable[str]] = "all", at=None,
            budget: Quantity = 0, budget_x: float = 0, level: float = DEFAULT_LEVEL,
            method: str = DEFAULT_INTERVAL_METHOD,
            resamples: int = 200, seed: int = 0, scheme: str = "auto", kfold: int = 5,
            extrapolate: str = "", loss_kind: str = "huber", huber_delta: float = 1e-3,
            space: Optional[str] = None, starts: StartsArg = "best",
            tolerance: Optional[float] = None, backend: str = "auto", weights=None,
            x=None, groups=None, threads: int = 0, max_iterations: int = 500,
            columns: Optional[Dict[str, str]] = None) -> Analysis:
    """The whole analysis in one call, as `shannonfit analyze` does it (same defaults): every
    law the data allow fitted and bootstrapped, ranked, evaluated at each target `at` and at
    the compute `budget`.

    Args:
        laws: names, "name: formula" laws or *.json law files (as law= of fit), a comma
            list of them, or "all" (every law whose inputs the data have).
        at: targets: ("70B", "1.4T"), (7e10, 1.4e12, x), {"N": ..., "D": ...}, "N=70B,D=1.4T",
            or a list of them; the first is the headline. A law over its own columns takes
            them by name: {"params": 6.9e9, "tokens": 200e9}.
        budget: compute budget C = 6ND for the compute-optimal split ("5.76e23"; 0: none).
        level: interval coverage (0.9). resamples: bootstrap resamples per law (200).
        method: the confidence interval shown, one of interval_methods() (the CLI's --method).
        kfold: folds of the cross-validation that ranks the laws (0: none).
        extrapolate: "N<=6.9e9,D<=180B": rank by predicting the rows beyond from the rest.
        starts: as in bootstrap(); starts of your own need a single law.
        the rest: as in fit() and bootstrap().

    Returns an Analysis: headline (answer first), selection (winner, verdict, table), laws,
    predictions, compute_optimal, warnings and notes; to_pandas("params"|"predictions"|
    "selection"|"compute_optimal").

    Example:
        >>> a = shannonfit.analyze(runs, at=("70B", "1.4T"), budget="5.76e23", seed=1)
        >>> a.headline.estimate, a.headline.interval, a.selection.verdict
        >>> a.to_pandas("predictions")
    """
    names = _resolve_laws(laws, x is not None)
    reads = _engine_call(_core.law_columns)(names, space or "")
    a = _inputs(n, d, loss, {"weights": weights, "x": x, "groups": groups}, columns, reads)
    strategy, points = _starts(starts, "best")
    raw = _engine_call(_core.analyze)(
        a["n"], a["d"], a["loss"], names, _targets(at), quantity(budget, "budget"),
        float(budget_x), float(level), int(resamples), int(seed), scheme, strategy, points,
        _tolerance(tolerance), loss_kind, space or "", float(huber_delta), backend, a["weights"],
        a["x"], a["groups"], int(threads), int(max_iterations), int(kfold), extrapolate, method,
        **a["origin"])
    result = _analysis(raw)
    for w in result.warnings:
        warnings.warn(_python_words(w), FitWarning, stacklevel=2)
    return result


def compare(n, d=None, loss=None, *, laws: Union[str, Iterable[str]] = "all", **options
            ) -> Selection:
    """Rank laws on the same data (`shannonfit compare`'s question, answered as analyze ranks
    them: held-out error with `extrapolate`, else k-fold CV error, else AICc, with bootstrap
    win-rates). Takes analyze()'s arguments; returns its Selection.

    Example:
        >>> s = shannonfit.compare(runs, laws="chinchilla,kaplan,kaplan-e", seed=1)
        >>> s.winner, s.verdict
        >>> s.to_pandas()[["aic", "cv_mse", "win_rate"]]
    """
    return analyze(n, d, loss, laws=laws, **options).selection


def _number(value) -> float:
    return math.nan if value is None else float(value)


def _headline(raw: Dict[str, Any], level: float) -> Optional[Headline]:
    head = raw.get("headline")
    if not head:
        return None
    kind = head.get("kind", "prediction")
    laws = [Prediction(p["law"], head["target"]["N"], head["target"]["D"],
                       _number(p["estimate"]),
                       Interval(_number(p["lower"]), _number(p["upper"]),
                                head.get("level", level), p.get("kind", kind)),
                       head["target"].get("x", 0.0)) for p in head.get("laws", [])]
    spread = head.get("spread")
    band = head.get("confidence_band")
    return Headline(head["target"], _number(head["estimate"]),
                    Interval(_number(head["lower"]), _number(head["upper"]),
                             head.get("level", level), kind, head.get("method", "")),
                    head.get("law", ""), head.get("method", ""), laws,
                    Interval(_number(spread["min"]), _number(spread["max"]), math.nan,
                             "spread across laws") if spread else None,
                    Interval(_number(band["lower"]), _number(band["upper"]),
                             head.get("level", level), "confidence") if band else None,
                    head.get("law_choice", ""))


def _prediction(p: Dict[str, Any], level: float) -> Prediction:
    return Prediction(p["law"], p["N"], p["D"], _number(p["loss"]),
                      Interval(_number(p["lo"]), _number(p["hi"]), p.get("level", level),
                               p.get("kind", "confidence"), p.get("method", "")),
                      p.get("x", 0.0), p.get("label", ""))


def _analysis(raw: Dict[str, Any]) -> Analysis:
    level = float(raw.get("confidence", DEFAULT_LEVEL))
    laws = {}
    for j in raw["laws"]:
        params = {p["name"]: Estimate(p["name"], _number(p["value"]),
                                      Interval(_number(p["lo"]), _number(p["hi"]), level,
                                               "confidence", p.get("method", "")),
                                      _number(p["bootstrap_se"]), _number(p["se"]))
                  for p in j["params"]}
        fit = j.get("fit") or {"status": "failed", "converged": False, "statistics": {}}
        stats = fit["statistics"]
        laws[j["name"]] = LawFit(j["name"], j["formula"], fit["status"], fit["converged"], params,
                                 _number(stats.get("rss")), _number(stats.get("r2")),
                                 _number(stats.get("aic")), _number(stats.get("aicc")),
                                 _number(stats.get("bic")), j.get("resamples", 0),
                                 j.get("failed_resamples", 0), j.get("error", ""),
                                 fit.get("starts", 0),
                                 fit.get("start_outcomes", {}).get("at_best", 0),
                                 fit.get("best_start", -1))
    sel = raw.get("selection") or {}
    selection = Selection(sel["winner"], sel["verdict"], sel["ranked_by"], sel["method"],
                          sel["laws"]) if "winner" in sel else None
    optimal = []
    for o in raw.get("compute_optimal", []):
        parts = {q: Estimate(q, _number(o[q]["value"]),
                             Interval(_number(o[q]["lo"]), _number(o[q]["hi"]), level,
                                      "confidence", o[q].get("method", "")))
                 for q in ("N", "D", "loss")}
        optimal.append(ComputeOptimal(o["law"], o["budget"], parts["N"], parts["D"],
                                      parts["loss"], o["on_bound"], o["ok"]))
    diagnostics = raw.get("diagnostics", [])
    return Analysis(_headline(raw, level), selection, laws,
                    Predictions([_prediction(p, level) for p in raw.get("predictions", [])]),
                    optimal, [w[len("WARNING "):] for w in diagnostics if w.startswith("WARNING ")],
                    [n for n in diagnostics if not n.startswith("WARNING ")], level, raw)
