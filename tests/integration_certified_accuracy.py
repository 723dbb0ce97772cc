#!/usr/bin/python3
"""The engine keeps NIST's lower-difficulty problems at 6 correct digits or more, and reaches
every problem's certified optimum from its own start search.

Fits each lower-difficulty problem of data/nist/ (Misra1a, Chwirut1 and 2, Lanczos3, Gauss1 and
2, DanWood, Misra1b) with `shannonfit fit` from NIST's Start 1 and Start 2, through
tools/certified_accuracy.py's engine_fit, the same call the results table in docs/results.md
comes from; every parameter must agree with NIST's certified value to at least 6 significant
digits. Then every one of the 27 problems without a start: every parameter to at least 4 digits
(the issue's target for the engine's own starts). Standard library only.

    integration_certified_accuracy.py PATH/TO/shannonfit
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tools"))
import certified_accuracy  # noqa: E402

REQUIRED_DIGITS = 6
OWN_SEARCH_DIGITS = 4


class LowerDifficulty(unittest.TestCase):
    def test_every_parameter_to_six_digits(self):
        problems = [p for p in certified_accuracy.load_problems() if p.difficulty == "lower"]
        self.assertEqual(len(problems), 8)
        engine = certified_accuracy.ENGINE
        scores = certified_accuracy.measure(problems, [(engine, certified_accuracy.engine_fit)])
        reference = {key: digits for key, digits in scores.items()
                     if key[2] != certified_accuracy.OWN_START}
        self.assertEqual(len(reference), 16)
        short = {key: digits for key, digits in reference.items()
                 if min(digits) < REQUIRED_DIGITS}
        self.assertEqual(short, {}, "problems below %d digits (problem, solver, start): "
                         "digits of each parameter" % REQUIRED_DIGITS)


class OwnStartSearch(unittest.TestCase):
    def test_every_problem_to_four_digits(self):
        problems = certified_accuracy.load_problems()
        self.assertEqual(len(problems), 27)
        short = {}
        for p in problems:
            digits = certified_accuracy.digits(p, certified_accuracy.engine_fit(p, None))
            if min(digits) < OWN_SEARCH_DIGITS:
                short[p.name] = digits
        self.assertEqual(short, {}, "problems below %d digits from the engine's own start "
                         "search: digits of each parameter" % OWN_SEARCH_DIGITS)


if __name__ == "__main__":
    os.environ["SHANNONFIT"] = os.path.abspath(sys.argv.pop(1))
    unittest.main()
