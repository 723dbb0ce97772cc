"""Typed results of the shannonfit calls: dataclasses with to_pandas().

Each result also reads like the dict the engine returns (``fit["params"]``), so code written
against earlier versions keeps working; attribute access (``fit.params``) is the documented way.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional

import numpy as np


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("to_pandas() needs pandas (Debian: apt install python3-pandas)") from None
    return pandas


def _float(value) -> float:
    # report.json writes null where a number is undefined (NaN has no JSON form).
    return math.nan if value is None else float(value)


class _Indexable:
    """Dict-style reading of a dataclass's fields: result["params"] is result.params."""

    def __getitem__(self, key: str):
        if key in {f.name for f in fields(self)}:
            return getattr(self, key)
        raise KeyError(key)

    def get(self, key: str, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self):
        return [f.name for f in fields(self)]

    def __contains__(self, key: str) -> bool:
        return key in self.keys()


@dataclass(frozen=True)
class Interval(_Indexable):
    """An interval around an estimate.

    kind: "confidence" (where the law's curve lies: parameter uncertainty only) or "prediction"
    (where a new measurement would fall: the curve's uncertainty plus the scatter of the data
    about it). level: its coverage, e.g. 0.9. method: how it was computed ("bca", "percentile",
    "asymptotic", ...).
    """

    lower: float
    upper: float
    level: float
    kind: str = "confidence"
    method: str = ""

    @property
    def width(self) -> float:
        return self.upper - self.lower

    def __contains__(self, value) -> bool:  # type: ignore[override]
        return self.lower <= value <= self.upper

    def __str__(self) -> str:
        what = f"{self.level:.0%} {self.kind}" if math.isfinite(self.level) else self.kind
        return f"[{self.lower:.4g}, {self.upper:.4g}] ({what})"


@dataclass(frozen=True)
class Estimate(_Indexable):
    """A number with its interval (None when the run had no resamples to give one).

    interval is the one shown (the bootstrap's method); intervals holds every method's
    (interval_methods()), percentile the plain percentile interval among them.
    """

    name: str
    estimate: float
    interval: Optional[Interval] = None
    bootstrap_se: float = math.nan
    asymptotic_se: float = math.nan
    percentile: Optional[Interval] = None
    intervals: Dict[str, Interval] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.name} = {self.estimate:.4g}" + (f" {self.interval}" if self.interval else "")


@dataclass
class FitResult(_Indexable):
    """The best start of one law's multi-start fit.

    params and se map the reported parameter names (A, not ln A) to the estimate and its
    asymptotic standard error (NaN where the data do not identify it, see unidentified).
    solver_params, solver_names and covariance are in the space the solver works in.
    n_starts starts ran (starts_at_best of them reached the best optimum); start is the one
    chosen (reported units, as starts= takes it back), best_start its index.
    start_outcomes says how every start ended; best_fit the chosen start's state. record is the
    fit exactly as `shannonfit fit --out` writes it (docs/schema/shannonfit-results.schema.json,
    $defs/fit).
    """

    law: str
    params: Dict[str, float]
    se: Dict[str, float]
    param_names: List[str]
    solver_params: np.ndarray
    solver_names: List[str]
    covariance: np.ndarray
    status: str
    converged: bool
    rss: float
    r2: float
    aic: float
    aicc: float
    bic: float
    cost: float
    iterations: int
    n_points: int
    n_starts: int
    best_start: int
    start: Dict[str, float]
    starts_at_best: int
    failed_starts: int
    space: str
    loss_kind: str
    unidentified: List[str]
    start_outcomes: Dict[str, int]
    best_fit: Dict[str, Any]
    record: Dict[str, Any]

    def to_pandas(self):
        """One row per parameter: estimate and asymptotic standard error."""
        pd = _pandas()
        return pd.DataFrame({"estimate": [self.params[p] for p in self.param_names],
                             "se": [self.se[p] for p in self.param_names],
                             "identified": [p not in self.unidentified for p in self.param_names]},
                            index=pd.Index(self.param_names, name="parameter"))


@dataclass
class BootstrapResult(FitResult):
    """fit()'s result for the full data plus `resamples` bootstrap refits.

    intervals maps each reported parameter to its Estimate (interval at `level`, shown under
    interval_method); draws holds every resample's parameters (rows of NaN where a resample
    failed, see ok). n_starts and start are the full-data fit's; each resample ran from
    starts_per_resample starts.
    """

    resamples: int = 0
    starts_per_resample: int = 0
    failed_resamples: int = 0
    seed: int = 0
    scheme: str = "case"
    level: float = 0.9
    interval_method: str = "bca"
    intervals: Dict[str, Estimate] = field(default_factory=dict)
    draws: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    solver_draws: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    ok: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    run: Any = field(default=None, repr=False)  # the engine's run, for derived intervals

    def to_pandas(self):
        """One row per parameter: estimate, asymptotic SE, bootstrap SE and interval."""
        frame = super().to_pandas()
        frame["bootstrap_se"] = [self.intervals[p].bootstrap_se for p in self.param_names]
        frame["lower"] = [self.intervals[p].interval.lower for p in self.param_names]
        frame["upper"] = [self.intervals[p].interval.upper for p in self.param_names]
        frame["level"] = self.level
        frame["kind"] = "confidence"
        frame["method"] = [self.intervals[p].interval.method for p in self.param_names]
        return frame


@dataclass(frozen=True)
class Prediction(_Indexable):
    """The loss one law predicts at (N, D[, x]), with its intervals when a bootstrap gave them:
    interval (its kind says which: predict() gives the confidence band of the mean curve) and,
    from predict(), prediction_interval for the loss of a new run. at: the point under the
    law's own variable names ({"N": ..., "D": ..., "x": ...}, or {"C": ...} for a law over a
    column C); N, D and x are the engine's three places, 1, 1 and 0 where the law reads none."""

    law: str
    N: float
    D: float
    loss: float
    interval: Optional[Interval] = None
    x: float = 0.0
    label: str = ""
    prediction_interval: Optional[Interval] = None
    at: Dict[str, float] = field(default_factory=dict)


@dataclass
class Predictions(_Indexable):
    """Predictions at several points; iterate, index, or turn into a DataFrame."""

    items: List[Prediction]

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, key):  # type: ignore[override]
        return self.items[key] if isinstance(key, int) else super().__getitem__(key)

    @property
    def loss(self) -> np.ndarray:
        return np.array([p.loss for p in self.items])

    def __array__(self, dtype=None):
        # np.asarray(predictions) is the predicted losses: code that treats the result as an
        # array of losses works as is.
        return self.loss if dtype is None else self.loss.astype(dtype)

    def to_pandas(self):
        pd = _pandas()
        return pd.DataFrame([{"law": p.law, "label": p.label,
                              **(p.at or {"N": p.N, "D": p.D, "x": p.x}),
                              "loss": p.loss,
                              "lower": p.interval.lower if p.interval else math.nan,
                              "upper": p.interval.upper if p.interval else math.nan,
                              "level": p.interval.level if p.interval else math.nan,
                              "kind": p.interval.kind if p.interval else "",
                              "prediction_lower": (p.prediction_interval.lower
                                                   if p.prediction_interval else math.nan),
                              "prediction_upper": (p.prediction_interval.upper
                                                   if p.prediction_interval else math.nan)}
                             for p in self.items])


@dataclass(frozen=True)
class ComputeOptimal(_Indexable):
    """The allocation minimising the loss at compute budget C = k N D: N*, D* and L*, each with
    its interval when a bootstrap gave one. on_bound: N* sits on an end of the searched range,
    so the true optimum may lie beyond it."""

    law: str
    budget: float
    N: Estimate
    D: Estimate
    loss: Estimate
    on_bound: bool
    ok: bool

    def to_pandas(self):
        pd = _pandas()
        rows = []
        for q in (self.N, self.D, self.loss):
            iv = q.interval
            rows.append({"law": self.law, "budget": self.budget, "quantity": q.name,
                         "estimate": q.estimate, "lower": iv.lower if iv else math.nan,
                         "upper": iv.upper if iv else math.nan,
                         "level": iv.level if iv else math.nan, "on_bound": self.on_bound})
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class Headline(_Indexable):
    """The answer first: the prediction at the first target, with its interval, and how far the
    laws' predictions spread there."""

    target: Dict[str, float]
    estimate: float
    interval: Optional[Interval]
    law: str
    method: str
    laws: List[Prediction]
    spread: Optional[Interval]
    confidence_band: Optional[Interval] = None
    # How the law-averaged interval chose its laws against the verdict's ranking, in one
    # sentence (the CLI's "law choice" line); empty without a law average.
    law_choice: str = ""


@dataclass
class Selection(_Indexable):
    """Which law wins and how sure that is: the ranking, its method and a one-line verdict.
    table holds each law's line, best first, as the CLI's report.json "selection" lists them
    (law, rank, candidate, k, rss, r2, AIC/AICc/BIC and their deltas, Akaike weight, CV,
    held-out and win-rate scores)."""

    winner: str
    verdict: str
    ranked_by: str
    method: str
    table: List[Dict[str, Any]]

    def to_pandas(self):
        pd = _pandas()
        return pd.DataFrame(self.table).set_index("law") if self.table else pd.DataFrame()


@dataclass
class LawFit(_Indexable):
    """One law's full-data fit in an analysis, with every parameter's interval; n_starts starts
    ran, starts_at_best of them reached the best optimum, best_start (its index) was chosen."""

    law: str
    formula: str
    status: str
    converged: bool
    params: Dict[str, Estimate]
    rss: float
    r2: float
    aic: float
    aicc: float
    bic: float
    resamples: int
    failed_resamples: int
    error: str = ""
    n_starts: int = 0
    starts_at_best: int = 0
    best_start: int = -1


@dataclass
class Analysis(_Indexable):
    """Everything `shannonfit analyze` computes (report.json's results, as typed objects).

    headline: the prediction at the first target (None without targets); selection: the
    ranking; laws: each law's fit; predictions: every law at every target; compute_optimal:
    each law's allocation at the budget; warnings and notes: the diagnostics, the ones that
    need attention apart from the routine ones; report: the engine's JSON as a dict.
    """

    headline: Optional[Headline]
    selection: Optional[Selection]
    laws: Dict[str, LawFit]
    predictions: Predictions
    compute_optimal: List[ComputeOptimal]
    warnings: List[str]
    notes: List[str]
    level: float
    report: Dict[str, Any] = field(repr=False)

    def to_pandas(self, table: str = "params"):
        """A table as a DataFrame: "params" (every law's parameters with intervals),
        "predictions", "selection" or "compute_optimal"."""
        pd = _pandas()
        if table == "params":
            rows = []
            for fit in self.laws.values():
                for p in fit.params.values():
                    iv = p.interval
                    rows.append({"law": fit.law, "parameter": p.name, "estimate": p.estimate,
                                 "se": p.asymptotic_se, "bootstrap_se": p.bootstrap_se,
                                 "lower": iv.lower if iv else math.nan,
                                 "upper": iv.upper if iv else math.nan,
                                 "level": iv.level if iv else math.nan})
            return pd.DataFrame(rows)
        if table == "predictions":
            return self.predictions.to_pandas()
        if table == "selection":
            return self.selection.to_pandas() if self.selection else pd.DataFrame()
        if table == "compute_optimal":
            frames = [c.to_pandas() for c in self.compute_optimal]
            return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        raise ValueError(f"table: unknown table '{table}' "
                         "(choose params, predictions, selection or compute_optimal)")
