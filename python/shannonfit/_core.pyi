"""Type stubs of the compiled engine (src/python/module.cpp). Use the shannonfit package: it
adds tables, the CLI's defaults and typed results over these calls."""
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

__version__: str

class InputError(ValueError): ...
class FitError(RuntimeError): ...

class BootstrapRun:
    """A bootstrap run, kept for intervals on derived quantities."""

_Array = npt.ArrayLike

def laws() -> List[Dict[str, Any]]: ...
def interval_methods() -> List[Dict[str, Any]]: ...
def backends() -> List[Dict[str, Any]]: ...
def law_columns(laws: Sequence[str], space: str) -> Dict[str, Any]: ...
def fit(n: Optional[_Array], d: Optional[_Array], loss: _Array, law: str, loss_kind: str,
        space: str, huber_delta: float, backend: str, weights: Optional[_Array],
        x: Optional[_Array], starts: str, start_points: Sequence[str], tolerance: float,
        threads: int, max_iterations: int, source: str = ...,
        columns: Mapping[str, str] = ...) -> Dict[str, Any]: ...
def bootstrap(n: Optional[_Array], d: Optional[_Array], loss: _Array, law: str, resamples: int,
              seed: int, scheme: str, starts: str, start_points: Sequence[str],
              tolerance: float, loss_kind: str, space: str, huber_delta: float,
              backend: str, weights: Optional[_Array], x: Optional[_Array],
              groups: Optional[Sequence[Any]], threads: int, max_iterations: int, level: float,
              method: str, source: str = ...,
              columns: Mapping[str, str] = ...) -> Dict[str, Any]: ...
def predict(law: str, solver_params: _Array, points: Sequence[str]) -> List[Dict[str, Any]]: ...
def prediction_intervals(run: BootstrapRun, points: Sequence[str], level: float,
                         method: str) -> List[Dict[str, Any]]: ...
def compute_optimal(law: str, solver_params: _Array, budget: float,
                    flops_per_token_param: float, n_min: float, n_max: float,
                    x: float) -> Dict[str, Any]: ...
def compute_optimal_intervals(run: BootstrapRun, budget: float, flops_per_token_param: float,
                              n_min: float, n_max: float, x: float,
                              level: float, method: str) -> Dict[str, Any]: ...
def analyze(n: Optional[_Array], d: Optional[_Array], loss: _Array, laws: Sequence[str],
            targets: Sequence[Tuple[str, str]], budget: float, budget_x: float,
            level: float, resamples: int, seed: int, scheme: str, starts: str,
            start_points: Sequence[str], tolerance: float, loss_kind: str,
            space: str, huber_delta: float, backend: str, weights: Optional[_Array],
            x: Optional[_Array], groups: Optional[Sequence[Any]], threads: int,
            max_iterations: int, kfold: int, extrapolate: str, method: str, source: str = ...,
            columns: Mapping[str, str] = ...) -> Dict[str, Any]: ...
def guess_column(header: Sequence[str], role: str) -> str: ...
def closest_column(header: Sequence[str], name: str) -> str: ...
