#!/usr/bin/env python3
"""Certified accuracy: how many correct digits each solver reaches on NIST's StRD problems.

data/nist/ holds the 27 nonlinear-regression problems of NIST's Statistical Reference Datasets
(data/README.md). Each solver fits every problem from NIST's Start 1 and Start 2; a parameter's
correct significant digits are its log relative error against NIST's certified value,

    LRE = -log10(|estimate - certified| / |certified|),  capped at 11 (NIST prints 11 digits),

0 when the solver reports a failure or the estimate is off by more than the value itself. A
problem's score for one fit is the minimum LRE over its parameters, under the labelling of the
fitted parameters that is closest to NIST's where the model has symmetries (problems.json's
`symmetries`: Lanczos's, Gauss's and ENSO's terms in another order, a Gaussian width's sign),
as each labelling is the same fitted curve.

The solvers are a list: each is a function from (problem, start) to the fitted parameters, or
None when the solver reports that it failed. The engine is `shannonfit fit` with the problem's
formula as a law file over its own columns (engine_fit; $SHANNONFIT names the binary, default
build/shannonfit), and it gets a third column: its own start search, with no start given.

    python3 tools/certified_accuracy.py                    # print the tables
    python3 tools/certified_accuracy.py --doc docs/results.md [--check]

With --doc, the block of the document between `<!-- certified-accuracy: table -->` and
`<!-- /certified-accuracy -->` is re-rendered (with --check: nothing is written, exit 1 when the
block is stale). Loading problems and evaluating their formulas needs only the standard library
(tests/unit_nist_transcription.py uses this module with 50-digit decimals); fitting needs
numpy and scipy.
"""
import argparse
import ast
import cmath
import json
import math
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NIST_DIR = os.path.join(ROOT, "data", "nist")
LRE_CAP = 11.0


# ---- problems ---------------------------------------------------------------------------------

class Problem:
    """One NIST problem: metadata from problems.json, data from its CSV, kept as published text.

    Numbers stay strings until a caller converts them, so that the 50-digit decimal arithmetic of
    the transcription test sees the digits NIST printed rather than their nearest doubles.
    """

    def __init__(self, meta, root):
        self.name = meta["name"]
        self.difficulty = meta["difficulty"]
        self.columns = meta["columns"]
        self.space = meta["space"]
        self.parameters = meta["parameters"]
        self.formula = Formula(meta["formula"], self.columns, self.parameters)
        self.start1 = meta["start1"]
        self.start2 = meta["start2"]
        self.symmetries = meta.get("symmetries", [])
        self.certified = meta["certified"]
        self.certified_sd = meta["certified_sd"]
        self.rss = meta["residual_sum_of_squares"]
        self.residual_sd = meta["residual_sd"]
        self.dof = meta["degrees_of_freedom"]
        self.observations = meta["observations"]
        self.path = os.path.join(root, meta["data"])
        self.rows = read_rows(self.path, self.columns + ["y"])
        for field in ("start1", "start2", "certified", "certified_sd"):
            if len(getattr(self, field)) != len(self.parameters):
                raise ValueError(f"{self.name}: {field} has {len(getattr(self, field))} values "
                                 f"for {len(self.parameters)} parameters")

    def starts(self):
        return {"Start 1": self.start1, "Start 2": self.start2}

    def relabellings(self):
        """Every composition of the problem's symmetries (the identity first), each a function
        from a list of parameter values to the same values relabelled.

        A symmetry maps parameters to parameters or their negatives (problems.json) and leaves the
        model's value at every point unchanged, so a fit that reaches the certified optimum under
        another labelling (Lanczos's terms in another order) has reached it.
        """
        index = {name: j for j, name in enumerate(self.parameters)}

        def apply(mapping, values):
            out = list(values)
            for target, source in mapping.items():
                sign = -1 if source.startswith("-") else 1
                out[index[target]] = sign * values[index[source.lstrip("-")]]
            return out

        def compose(word):
            def relabel(values):
                for mapping in word:
                    values = apply(mapping, values)
                return values
            return relabel

        # The group the symmetries generate, found by where its elements send distinct primes.
        probe = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31][:len(self.parameters)]
        words, frontier = {tuple(probe): []}, [[]]
        while frontier:
            word = frontier.pop()
            for mapping in self.symmetries:
                image = tuple(compose(word + [mapping])(probe))
                if image not in words:
                    words[image] = word + [mapping]
                    frontier.append(word + [mapping])
        return [compose(word) for word in words.values()]


def read_rows(path, header):
    """The CSV's rows as lists of strings, in `header` order; a clear error on any malformed row."""
    with open(path) as f:
        lines = f.read().splitlines()
    if not lines or lines[0].split(",") != header:
        raise ValueError(f"{path}:1: header must be {','.join(header)}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split(",")
        if len(fields) != len(header):
            raise ValueError(f"{path}:{number}: {len(fields)} fields, expected {len(header)}")
        for name, text in zip(header, fields):
            try:
                if not math.isfinite(float(text)):
                    raise ValueError
            except ValueError:
                raise ValueError(f"{path}:{number}: {name} = {text!r} is not a finite number")
        rows.append(fields)
    return rows


def load_problems(root=NIST_DIR):
    """Every problem of root/problems.json, in NIST's order (lower, average, higher difficulty).

    The JSON is read with its numbers as the strings NIST printed.
    """
    with open(os.path.join(root, "problems.json")) as f:
        metas = json.load(f, parse_float=str, parse_int=str)
    problems = []
    for meta in metas:
        for key in ("degrees_of_freedom", "observations"):
            meta[key] = int(meta[key])
        problems.append(Problem(meta, root))
    return problems


# ---- formulas ---------------------------------------------------------------------------------

class Formula:
    """A model in the engine's formula syntax (include/shannonfit/formula/formula.hpp).

    Numbers, + - * / ^ (or **; right-associative, binding tighter than unary minus), calls and
    names: the data columns and the parameters, and cos, sin and atan, which ENSO and Roszman1
    need. Python's grammar agrees with that one once ^
    is written **, so the formula is parsed by `ast` and compiled once per arithmetic backend.
    """

    FUNCTIONS = ("exp", "log", "sqrt", "pow", "cos", "sin", "atan")
    _OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

    def __init__(self, text, columns, parameters):
        self.text = text
        self.columns = list(columns)
        self.parameters = list(parameters)
        self._source = text.replace("^", "**")
        try:
            self._tree = ast.parse(self._source, mode="eval").body
        except SyntaxError as e:
            raise ValueError(f"formula {text!r}: {e.msg}") from None
        self._code = self._emit(self._tree)
        unused = [p for j, p in enumerate(self.parameters) if f"P[{j}]" not in self._code]
        if unused:
            raise ValueError(f"formula {text!r} does not use {', '.join(unused)}")

    def _emit(self, node):
        if isinstance(node, ast.BinOp) and type(node.op) in self._OPERATORS:
            return f"({self._emit(node.left)} {self._OPERATORS[type(node.op)]} " \
                   f"{self._emit(node.right)})"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return f"({'-' if isinstance(node.op, ast.USub) else '+'}{self._emit(node.operand)})"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            if node.func.id not in self.FUNCTIONS:
                raise ValueError(f"formula {self.text!r}: unknown function {node.func.id}")
            return f"F.{node.func.id}({', '.join(self._emit(a) for a in node.args)})"
        if isinstance(node, ast.Name):
            if node.id in self.columns:
                return f"C[{self.columns.index(node.id)}]"
            if node.id in self.parameters:
                return f"P[{self.parameters.index(node.id)}]"
            raise ValueError(f"formula {self.text!r}: {node.id} is neither a column "
                             f"({', '.join(self.columns)}) nor a parameter")
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            # The literal's own digits, so that a decimal backend keeps all of them.
            return f"F.number({ast.get_source_segment(self._source, node)!r})"
        raise ValueError(f"formula {self.text!r}: unsupported {ast.dump(node)[:40]}")

    def compile(self, backend):
        """f(P, C): the model at parameters P and one point's (or array of points') columns C.

        `backend` supplies number(text) and the functions of FUNCTIONS.
        """
        return eval(f"lambda P, C: {self._code}", {"F": backend})


# ---- accuracy ---------------------------------------------------------------------------------

def lre(estimate, certified):
    """Correct significant digits of `estimate`, capped at LRE_CAP and floored at 0."""
    certified = float(certified)
    if estimate is None or not math.isfinite(estimate):
        return 0.0
    error = abs(estimate - certified)
    if error == 0:
        return LRE_CAP
    return min(LRE_CAP, max(0.0, -math.log10(error / abs(certified))))


# ---- solvers ----------------------------------------------------------------------------------

class ScalarComplex:
    """Python's complex scalars, one point at a time, for the complex-step Jacobian below.

    numpy's vectorised exp rounds the elements its AVX-512 loop handles differently (by an ulp)
    from the remainder it leaves to libm, and which elements those are depends on where the
    array sits in memory: MGH17's trf fit then ended 1.6 digits apart from run to run. Scalars
    make every evaluation, and the table, reproducible.
    """

    number = staticmethod(float)
    exp, log, sqrt = staticmethod(cmath.exp), staticmethod(cmath.log), staticmethod(cmath.sqrt)
    cos, sin, atan = staticmethod(cmath.cos), staticmethod(cmath.sin), staticmethod(cmath.atan)
    pow = staticmethod(lambda a, b: a ** b)


def least_squares_problem(problem):
    """Residuals and their Jacobian in the problem's space, as numpy arrays for scipy.

    The Jacobian is the complex step, Im r(b + i h e_j) / h at h = 1e-100: exact to rounding,
    as a solver with automatic derivatives has it.
    """
    import numpy as np
    model = problem.formula.compile(ScalarComplex)
    points = [[float(v) for v in row[:-1]] for row in problem.rows]
    targets = [float(row[-1]) for row in problem.rows]
    if problem.space == "log":
        targets = [math.log(t) for t in targets]
    step = 1e-100

    def evaluate(b):
        out = []
        for point, target in zip(points, targets):
            try:
                f = model(b, point)
                out.append((cmath.log(f) if problem.space == "log" else f) - target)
            except (OverflowError, ZeroDivisionError, ValueError):
                out.append(complex(math.nan, math.nan))
        return np.array(out)

    def residuals(b):
        return evaluate([complex(v) for v in b]).real

    def jacobian(b):
        columns = []
        for j in range(len(b)):
            shifted = [complex(v) for v in b]
            shifted[j] += 1j * step
            columns.append(evaluate(shifted).imag / step)
        return np.column_stack(columns)

    return residuals, jacobian


def scipy_solver(method):
    """scipy.optimize.least_squares with `method`, at its tightest tolerances, exact Jacobian."""

    def fit(problem, start):
        import numpy as np
        from scipy.optimize import least_squares
        residuals, jacobian = least_squares_problem(problem)
        eps = np.finfo(float).eps
        try:
            result = least_squares(residuals, np.array(start, dtype=float), jac=jacobian,
                                   method=method, xtol=eps, ftol=eps, gtol=eps, max_nfev=100000)
        except (ValueError, np.linalg.LinAlgError):
            return None  # scipy refuses a start whose residuals are not finite
        if result.status <= 0 or not np.all(np.isfinite(result.x)):
            return None
        return [float(v) for v in result.x]

    return fit


def engine_binary():
    """The shannonfit CLI: $SHANNONFIT, else build/shannonfit in the project."""
    return os.environ.get("SHANNONFIT", os.path.join(ROOT, "build", "shannonfit"))


# The solver's convergence tolerances for certified-accuracy work: its defaults (relative step
# 1e-10, relative objective change 1e-12) stop LM a few digits short of what the data certify.
ENGINE_TOLERANCE = "1e-16"


def engine_fit(problem, start, extra=("--tolerance", ENGINE_TOLERANCE)):
    """`shannonfit fit` on the problem's CSV with its formula as a law file over its own
    columns, least squares in the problem's space, from `start` (None: the engine's own start
    search); the parameters in problem.parameters order, or None when the fit did not converge.
    """
    import subprocess
    import tempfile
    # A law file: NIST's parameters take either sign, so each is fitted as itself ("log": false)
    # rather than as the logarithm of a positive scale, the engine's default for a factor.
    law = {"name": problem.name, "formula": problem.formula.text, "columns": problem.columns,
           "space": problem.space,
           "parameters": [{"name": name, "log": False} for name in problem.parameters]}
    with tempfile.TemporaryDirectory() as folder:
        law_file = os.path.join(folder, problem.name + ".json")
        with open(law_file, "w") as f:
            json.dump(law, f)
        command = [engine_binary(), "fit", problem.path, "--law", law_file, "--loss-col", "y",
                   "--loss", "l2", "--backend", "cpu", "--threads", "1", "--json", "--quiet",
                   *extra]
        if start is not None:
            command += ["--start",
                        ",".join(f"{n}={v!r}" for n, v in zip(problem.parameters, start))]
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: exit {done.returncode}: {done.stderr.strip()}")
    fit = json.loads(done.stdout)["fits"][0]
    if not fit["converged"]:
        return None
    by_name = {p["reported_name"]: p["reported_value"] for p in fit["parameters"]}
    return [float(by_name[name]) for name in problem.parameters]


ENGINE = "shannonfit"
# The engine's own start search: the same fit without --start, one column for both starts.
OWN_START = "own start search"

SOLVERS = [
    ("scipy lm (MINPACK)", scipy_solver("lm")),
    ("scipy trf", scipy_solver("trf")),
    (ENGINE, engine_fit),
]


def starts_of(problem, solver_name):
    """{start name: start values}: NIST's two, and for the engine its own search (None)."""
    starts = {name: [float(v) for v in values] for name, values in problem.starts().items()}
    if solver_name == ENGINE:
        starts[OWN_START] = None
    return starts


def digits(problem, estimate):
    """[LRE of each parameter] of `estimate` (None: a failed fit), under the labelling of the
    problem's symmetries whose worst parameter is best."""
    return max(([lre(None if estimate is None else relabel(estimate)[j], c)
                 for j, c in enumerate(problem.certified)]
                for relabel in problem.relabellings()), key=min)


def measure(problems, solvers):
    """{(problem name, solver name, start name): [LRE of each parameter]}."""
    out = {}
    for problem in problems:
        for solver_name, fit in solvers:
            for start_name, start in starts_of(problem, solver_name).items():
                out[problem.name, solver_name, start_name] = digits(problem, fit(problem, start))
    return out


def render(problems, solvers, scores):
    columns = [(s, t) for s, _ in solvers for t in starts_of(problems[0], s)]
    header = ["problem", "difficulty", "p"] + [f"{s}, {t.lower()}" for s, t in columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    worst_of = {c: [] for c in columns}
    for problem in problems:
        cells = [problem.name, problem.difficulty, str(len(problem.parameters))]
        for s, t in columns:
            worst = min(scores[problem.name, s, t])
            worst_of[s, t].append(worst)
            cells.append(f"{worst:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    for label, summary in (("mean", lambda v: f"{sum(v) / len(v):.2f}"),
                           ("problems ≥ 4 digits", lambda v: str(sum(x >= 4 for x in v))),
                           ("problems ≥ 6 digits", lambda v: str(sum(x >= 6 for x in v)))):
        lines.append("| " + " | ".join([f"**{label}**", "", ""] +
                                       [summary(worst_of[c]) for c in columns]) + " |")
    detail = ["", "<details><summary>Correct digits of every parameter (b1, b2, ...)</summary>",
              "", "| problem | solver | start | digits |", "|---|---|---|---|"]
    for problem in problems:
        for s, t in columns:
            detail.append(f"| {problem.name} | {s} | {t} | " +
                          " ".join(f"{v:.1f}" for v in scores[problem.name, s, t]) + " |")
    detail += ["", "</details>"]
    return "\n".join(lines + detail) + "\n"


BLOCK = re.compile(r"(?P<head><!-- certified-accuracy: (?P<key>\S+) -->\n)(?P<body>.*?)"
                   r"(?P<tail><!-- /certified-accuracy -->)", re.S)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--doc", help="re-render the certified-accuracy block of this document")
    ap.add_argument("--check", action="store_true",
                    help="with --doc: write nothing, exit 1 when the block is stale")
    args = ap.parse_args()
    problems = load_problems()
    table = render(problems, SOLVERS, measure(problems, SOLVERS))
    if not args.doc:
        sys.stdout.write(table)
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import doc_blocks
    doc_blocks.refresh(args.doc, BLOCK, lambda key: table, args.check,
                       lambda key: f"{args.doc}: the certified-accuracy table is stale: run "
                                   f"python3 tools/certified_accuracy.py --doc {args.doc}")


if __name__ == "__main__":
    main()
