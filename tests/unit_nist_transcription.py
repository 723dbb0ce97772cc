#!/usr/bin/python3
"""data/nist/ is NIST's StRD nonlinear-regression suite, transcribed without a wrong digit.

For every problem, in 50-digit decimal arithmetic (standard library only): the model
formula of problems.json, on the data of its CSV, refined by Gauss-Newton from the certified
parameters, must reach a minimum whose parameters, residual sum of squares, residual standard
deviation and parameter standard deviations all agree with the certified values to at least
9 significant digits (NIST prints 11); the row count must be the published number of
observations and the degrees of freedom n - p. A wrong digit anywhere (data, formula, certified
value) moves the minimum or misses it: to show that this holds, every problem is checked again
with one response and, separately, one predictor changed by one unit in its last nonzero digit,
and each of those checks must fail.

The starting values cannot be checked this way; tools/certified_accuracy.py fits from them.
"""
import decimal
import os
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tools"))
import certified_accuracy  # noqa: E402

PRECISION = 50
DIGITS = 9  # required agreement with every certified number, in significant digits
TOLERANCE = Decimal(10) ** -DIGITS


class DecimalMath:
    """Decimal arithmetic for Formula.compile: exp, log, sqrt and pow are decimal's own,
    correctly rounded; cos, sin and atan are Taylor series after argument reduction."""

    number = staticmethod(Decimal)

    def __init__(self):
        with decimal.localcontext() as c:
            c.prec = PRECISION + 10
            self.pi = self._pi()

    @staticmethod
    def _pi():
        # Machin: pi = 16 atan(1/5) - 4 atan(1/239), each an alternating series in 1/k.
        def arctan_inverse(k):
            total, power, n, sign = Decimal(0), Decimal(1) / k, 1, 1
            while power > Decimal(10) ** -(decimal.getcontext().prec + 2):
                total += sign * power / n
                power /= k * k
                n, sign = n + 2, -sign
            return total
        return 16 * arctan_inverse(5) - 4 * arctan_inverse(239)

    exp = staticmethod(lambda v: v.exp())
    log = staticmethod(lambda v: v.ln())
    sqrt = staticmethod(lambda v: v.sqrt())
    pow = staticmethod(lambda a, b: a ** b)

    def _cos_sin(self, v):
        with decimal.localcontext() as c:
            c.prec += 10
            two_pi = 2 * self.pi
            r = v - two_pi * (v / two_pi).to_integral_value()
            cos, sin, term, n = Decimal(0), Decimal(0), Decimal(1), 0
            eps = Decimal(10) ** -(c.prec + 2)
            while abs(term) > eps or n < 2:
                if n % 2 == 0:
                    cos += term if n % 4 == 0 else -term
                else:
                    sin += term if n % 4 == 1 else -term
                n += 1
                term = term * r / n
        return +cos, +sin

    def cos(self, v):
        return self._cos_sin(v)[0]

    def sin(self, v):
        return self._cos_sin(v)[1]

    def atan(self, v):
        with decimal.localcontext() as c:
            c.prec += 10
            if abs(v) > 1:
                result = (self.pi / 2).copy_sign(v) - self.atan(1 / v)
            else:
                # Halve the argument twice (atan v = 2 atan(v / (1 + sqrt(1 + v^2)))): the
                # series then gains more than a digit a term.
                reduced = v
                for _ in range(2):
                    reduced = reduced / (1 + (1 + reduced * reduced).sqrt())
                total, power, n = Decimal(0), reduced, 1
                eps = Decimal(10) ** -(c.prec + 2)
                while abs(power) > eps:
                    total += power / n if n % 4 == 1 else -power / n
                    power *= reduced * reduced
                    n += 2
                result = 4 * total
        return +result


DECIMAL_MATH = DecimalMath()


def residual_function(problem, rows):
    """r(b): the residuals (response minus model, in the problem's space) at parameters b."""
    model = problem.formula.compile(DECIMAL_MATH)
    points = [[Decimal(v) for v in row[:-1]] for row in rows]
    targets = [Decimal(row[-1]) for row in rows]
    if problem.space == "log":
        targets = [t.ln() for t in targets]
        return lambda b: [t - model(b, p).ln() for p, t in zip(points, targets)]
    return lambda b: [t - model(b, p) for p, t in zip(points, targets)]


def solve(a, rhs):
    """x with a x = rhs, Gaussian elimination with partial pivoting (a is p x p, p <= 9)."""
    p = len(a)
    m = [list(a[i]) + [rhs[i]] for i in range(p)]
    for k in range(p):
        pivot = max(range(k, p), key=lambda i: abs(m[i][k]))
        m[k], m[pivot] = m[pivot], m[k]
        for i in range(k + 1, p):
            factor = m[i][k] / m[k][k]
            for j in range(k, p + 1):
                m[i][j] -= factor * m[k][j]
    x = [Decimal(0)] * p
    for k in reversed(range(p)):
        x[k] = (m[k][p] - sum(m[k][j] * x[j] for j in range(k + 1, p))) / m[k][k]
    return x


def gauss_newton_step(residuals, b):
    """(step, J'J) of one Gauss-Newton step from b.

    A forward-difference Jacobian at a relative step of 1e-20: at 50 digits its error is near
    1e-20, far below the 1e-9 the checks resolve.
    """
    r = residuals(b)
    columns = []
    for j in range(len(b)):
        h = abs(b[j]) * Decimal("1e-20")
        shifted = list(b)
        shifted[j] += h
        columns.append([(rs - r0) / h for rs, r0 in zip(residuals(shifted), r)])
    # columns[j] is dr/db_j, column j of J: r(b + d) ~ r + J d, minimised by J'J d = -J'r.
    normal = [[sum(ci * cj for ci, cj in zip(ca, cb)) for cb in columns] for ca in columns]
    gradient = [sum(ci * ri for ci, ri in zip(c, r)) for c in columns]
    return solve(normal, [-g for g in gradient]), normal


def minimum(problem, rows):
    """The least-squares minimum nearest the certified parameters, (b, rss, standard deviations),
    or a sentence saying why there is none near them.

    Gauss-Newton converges only linearly where the residuals are large against the model's
    curvature (ENSO, MGH09, Thurber: each step about 0.65 of the last), so after every two steps
    Aitken's extrapolation jumps to the limit of the geometric sequence, in units of each
    parameter's size; later steps correct whatever that misjudged. On the published data the
    iterates stay within 1e-10 of the certified values; an iterate a millionth away, or no
    convergence in 40 steps, means the data have no minimum there.
    """
    residuals = residual_function(problem, rows)
    certified = [Decimal(v) for v in problem.certified]
    scale = [abs(v) for v in certified]
    b = list(certified)
    previous = None
    for iteration in range(40):
        step, normal = gauss_newton_step(residuals, b)
        if all(abs(dj) <= sj * Decimal("1e-16") for dj, sj in zip(step, scale)):
            break
        relative = [dj / sj for dj, sj in zip(step, scale)]
        if previous is not None and iteration % 2 == 1:
            change = [a - c for a, c in zip(relative, previous)]
            denominator = sum(c * c for c in change)
            if denominator:
                ratio = sum(a * c for a, c in zip(relative, change)) / denominator
                step = [dj * (1 - ratio) for dj in step]
        previous = relative
        b = [bj + dj for bj, dj in zip(b, step)]
        if any(abs(bj - cj) > sj * Decimal("1e-6") for bj, cj, sj in zip(b, certified, scale)):
            return "Gauss-Newton from the certified parameters moved more than 1e-6 away"
    else:
        return "Gauss-Newton from the certified parameters did not settle in 40 steps"
    rss = sum(v * v for v in residuals(b))
    variance = rss / (len(rows) - len(b))
    sds = [(solve(normal, [Decimal(int(i == j)) for i in range(len(b))])[j] * variance).sqrt()
           for j in range(len(b))]
    return b, rss, sds


def disagreements(problem, rows):
    """Every certified number that the data and formula do not reproduce to DIGITS digits."""
    found = minimum(problem, rows)
    if isinstance(found, str):
        return [found]
    b, rss, sds = found
    found = []

    def compare(what, computed, certified):
        certified = Decimal(certified)
        if abs(computed - certified) > TOLERANCE * abs(certified):
            found.append(f"{what}: computed {computed:.12E}, certified {certified:.10E}")

    compare("residual sum of squares", rss, problem.rss)
    compare("residual standard deviation", (rss / problem.dof).sqrt(), problem.residual_sd)
    for name, value, certified in zip(problem.parameters, b, problem.certified):
        compare(name, value, certified)
    for name, value, certified in zip(problem.parameters, sds, problem.certified_sd):
        compare(f"standard deviation of {name}", value, certified)
    return found


def with_typo(rows, index, column):
    """rows with the value in (row index, column) moved by one unit in its last nonzero digit."""
    changed = [list(row) for row in rows]
    value = Decimal(changed[index][column])
    unit = Decimal((0, (1,), value.normalize().as_tuple().exponent))
    changed[index][column] = str(value + unit)
    return changed


class Transcription(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        decimal.getcontext().prec = PRECISION
        cls.problems = certified_accuracy.load_problems()

    def test_all_27_problems_in_nist_order(self):
        self.assertEqual([p.name for p in self.problems], [
            "Misra1a", "Chwirut2", "Chwirut1", "Lanczos3", "Gauss1", "Gauss2", "DanWood",
            "Misra1b", "Kirby2", "Hahn1", "Nelson", "MGH17", "Lanczos1", "Lanczos2", "Gauss3",
            "Misra1c", "Misra1d", "Roszman1", "ENSO", "MGH09", "Thurber", "BoxBOD", "Rat42",
            "MGH10", "Eckerle4", "Rat43", "Bennett5"])
        self.assertEqual([p.difficulty for p in self.problems],
                         ["lower"] * 8 + ["average"] * 11 + ["higher"] * 8)

    def test_counts(self):
        for p in self.problems:
            with self.subTest(problem=p.name):
                self.assertEqual(len(p.rows), p.observations)
                self.assertEqual(p.dof, p.observations - len(p.parameters))

    def test_certified_values_are_the_minimum_of_the_data(self):
        for p in self.problems:
            with self.subTest(problem=p.name):
                self.assertEqual(disagreements(p, p.rows), [])

    def test_one_wrong_digit_fails(self):
        # Predictors are often printed with more zeros than they have digits (Lanczos's
        # 5.000000000000E-02): a change in a padding zero is below anything NIST certifies, so
        # each value moves in its last nonzero digit.
        for p in self.problems:
            index = len(p.rows) // 2
            for column, name in ((-1, "y"), (0, p.columns[0])):
                with self.subTest(problem=p.name, column=name):
                    self.assertNotEqual(disagreements(p, with_typo(p.rows, index, column)), [],
                                        f"a typo in {name} on line {index + 2} of {p.name}.csv "
                                        "went unnoticed")

    def test_symmetries_leave_the_model_unchanged(self):
        # At the certified parameters, every relabelling gives the same value at every point,
        # and differs from the certified labelling (so each symmetry is a real one, not a no-op).
        for p in self.problems:
            model = p.formula.compile(DecimalMath())
            certified = [Decimal(v) for v in p.certified]
            points = [[Decimal(v) for v in row[:-1]] for row in p.rows]
            for relabel in p.relabellings()[1:]:
                moved = relabel(certified)
                with self.subTest(problem=p.name, relabelled=[f"{v:.4E}" for v in moved]):
                    self.assertNotEqual(moved, certified)
                    for point in points:
                        a, b = model(certified, point), model(moved, point)
                        self.assertLessEqual(abs(a - b), Decimal("1e-40") * (abs(a) + 1))
        self.assertEqual(sum(bool(p.symmetries) for p in self.problems), 9)


if __name__ == "__main__":
    unittest.main(verbosity=2)
