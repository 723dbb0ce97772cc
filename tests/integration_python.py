"""The Python API end to end: recovers known truths, accepts tables, raises clear errors,
reports how the starts ended, refuses data that cannot identify the law, as the CLI does, and
stops a long batch on Ctrl-C."""
import os
import signal
import threading
import time
import unittest
import warnings

import numpy as np

import shannonfit

TRUTH = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}


def chinchilla_points(noise=0.0, seed=1):
    rng = np.random.default_rng(seed)
    n = np.repeat([1e7, 3e7, 1e8, 3e8, 1e9, 3e9, 1e10], 5)
    d = n * np.tile([5.0, 10.0, 20.0, 40.0, 80.0], 7)
    loss = TRUTH["E"] + TRUTH["A"] / n ** TRUTH["alpha"] + TRUTH["B"] / d ** TRUTH["beta"]
    return n, d, loss * np.exp(rng.normal(0.0, noise, n.size))


class FitTest(unittest.TestCase):
    def test_recovers_chinchilla_from_arrays(self):
        n, d, loss = chinchilla_points()
        fit = shannonfit.fit(n, d, loss, law="chinchilla")
        self.assertTrue(fit["converged"], fit["status"])
        for name, value in TRUTH.items():
            self.assertAlmostEqual(fit["params"][name] / value, 1.0, places=5, msg=name)
        self.assertLess(fit["rss"], 1e-12)
        self.assertEqual(fit["n_points"], 35)
        self.assertIsInstance(fit["solver_params"], np.ndarray)
        self.assertEqual(fit["solver_names"], ["a", "b", "e", "alpha", "beta"])
        self.assertEqual(fit["covariance"].shape, (5, 5))
        self.assertGreater(fit["r2"], 0.999999)

    def test_standard_errors_and_criteria_on_noisy_data(self):
        n, d, loss = chinchilla_points(noise=0.01, seed=4)
        fit = shannonfit.fit(n, d, loss, law="chinchilla")
        kaplan = shannonfit.fit(n, d, loss, law="kaplan")
        self.assertEqual(fit["unidentified"], [])
        for name, value in TRUTH.items():
            self.assertLess(abs(fit["params"][name] - value), 5 * fit["se"][name], name)
        self.assertLess(fit["aic"], kaplan["aic"])
        self.assertLess(fit["bic"], kaplan["bic"])

    def test_reference_backend_and_huber_agree(self):
        n, d, loss = chinchilla_points(noise=0.01, seed=3)
        cpu = shannonfit.fit(n, d, loss, law="chinchilla", loss_kind="huber", starts="single")
        ref = shannonfit.fit(n, d, loss, law="chinchilla", loss_kind="huber", starts="single",
                             backend="reference")
        np.testing.assert_allclose(cpu["solver_params"], ref["solver_params"], rtol=1e-5)

    def test_predict_reproduces_the_data(self):
        n, d, loss = chinchilla_points()
        fit = shannonfit.fit(n, d, loss, law="chinchilla")
        np.testing.assert_allclose(shannonfit.predict(fit, n, d), loss, rtol=1e-7)

    def test_dict_of_columns_and_weights_by_name(self):
        n, d, loss = chinchilla_points()
        table = {"params": n, "tokens": d, "L": loss, "w": np.ones_like(n)}
        fit = shannonfit.fit(table, columns={"n": "params", "d": "tokens", "loss": "L"},
                             weights="w")
        self.assertAlmostEqual(fit["params"]["alpha"], TRUTH["alpha"], places=6)

    def test_zero_weights_drop_points(self):
        n, d, loss = chinchilla_points()
        bad = loss.copy()
        bad[0] *= 3.0
        w = np.ones_like(n)
        w[0] = 0.0
        fit = shannonfit.fit(n, d, bad, law="chinchilla", weights=w)
        self.assertAlmostEqual(fit["params"]["beta"], TRUTH["beta"], places=6)

    def test_pandas_dataframe(self):
        try:
            import pandas as pd
        except ImportError:
            self.skipTest("pandas is not installed")
        n, d, loss = chinchilla_points()
        df = pd.DataFrame({"N": n, "D": d, "loss": loss})
        fit = shannonfit.fit(df, law="chinchilla")
        self.assertAlmostEqual(fit["params"]["E"], TRUTH["E"], places=6)

    def test_laws_lists_the_registry(self):
        names = [law["name"] for law in shannonfit.laws()]
        self.assertIn("chinchilla", names)
        chin = next(law for law in shannonfit.laws() if law["name"] == "chinchilla")
        self.assertEqual([p["reported_name"] for p in chin["params"]],
                         ["A", "B", "E", "alpha", "beta"])

    def test_fits_run_concurrently_without_the_gil(self):
        n, d, loss = chinchilla_points()
        results = [None] * 4

        def work(i):
            results[i] = shannonfit.fit(n, d, loss, law="chinchilla", threads=1)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            np.testing.assert_array_equal(r["solver_params"], results[0]["solver_params"])


class FormulaLawTest(unittest.TestCase):
    """Laws written as formulas, as the CLI's --law takes them."""

    def test_formula_fits_as_the_built_in_law(self):
        n, d, loss = chinchilla_points()
        fit = shannonfit.fit(n, d, loss, law="mine: E + A/N^alpha + B/pow(D, beta)")
        self.assertTrue(fit["converged"], fit["status"])
        self.assertEqual(fit["law"], "mine")
        for name, value in TRUTH.items():
            self.assertAlmostEqual(fit["params"][name] / value, 1.0, places=5, msg=name)

    def test_analyze_takes_a_formula_beside_a_built_in_law(self):
        n, d, loss = chinchilla_points(noise=0.01)
        laws = "chinchilla,floored: max(E, 0.1) + A/N^alpha + B/D^beta"
        a = shannonfit.analyze(n, d, loss, laws=laws, at=("70B", "1.4T"), resamples=20, seed=1)
        self.assertEqual(sorted(a.to_pandas("params")["law"].unique()), ["chinchilla", "floored"])

    def test_malformed_formula_is_an_input_error_with_a_caret(self):
        n, d, loss = chinchilla_points()
        with self.assertRaises(shannonfit.InputError) as caught:
            shannonfit.fit(n, d, loss, law="bad: E + A/N^^alpha")
        self.assertIn("^", str(caught.exception))


class BootstrapTest(unittest.TestCase):
    def test_draws_cover_the_truth_and_repeat_with_the_seed(self):
        n, d, loss = chinchilla_points(noise=0.02, seed=5)
        a = shannonfit.bootstrap(n, d, loss, law="chinchilla", resamples=60, seed=7)
        b = shannonfit.bootstrap(n, d, loss, law="chinchilla", resamples=60, seed=7, threads=1)
        self.assertEqual(a["draws"].shape, (60, 5))
        np.testing.assert_array_equal(a["draws"], b["draws"])
        self.assertEqual(a["failed_resamples"], int((~a["ok"]).sum()))
        # The default level is the CLI's 0.9: the 5th and 95th percentiles.
        percentile = a.intervals["alpha"].percentile
        self.assertEqual((percentile.level, percentile.kind), (0.9, "confidence"))
        lo, hi = percentile.lower, percentile.upper
        alpha = a["draws"][a["ok"], a["param_names"].index("alpha")]
        self.assertAlmostEqual(lo, np.percentile(alpha, 5), places=12)
        self.assertAlmostEqual(hi, np.percentile(alpha, 95), places=12)
        self.assertLess(lo, a["params"]["alpha"])
        self.assertGreater(hi, a["params"]["alpha"])

    def test_cluster_scheme_takes_group_labels_from_a_table(self):
        n, d, loss = chinchilla_points(noise=0.01, seed=2)
        table = {"N": n, "D": d, "loss": loss, "family": [f"m{int(v)}" for v in n]}
        boot = shannonfit.bootstrap(table, law="chinchilla", resamples=20, seed=1,
                                    scheme="cluster", groups="family")
        self.assertEqual(boot["scheme"], "cluster")
        self.assertEqual(boot["draws"].shape, (20, 5))

    def test_bad_level_is_an_input_error(self):
        n, d, loss = chinchilla_points()
        with self.assertRaises(shannonfit.InputError):
            shannonfit.bootstrap(n, d, loss, resamples=5, level=1.5)

    def test_scheme_defaults_to_whole_models_as_in_the_cli(self):
        n, d, loss = chinchilla_points(noise=0.01, seed=2)
        # One N at five D: seven models, resampled whole.
        shared = shannonfit.bootstrap(n, d, loss, law="chinchilla", resamples=20, seed=1,
                                      starts="single")
        self.assertEqual(shared["scheme"], "cluster")
        distinct = n * (1 + 1e-3 * np.arange(n.size))
        own = shannonfit.bootstrap(distinct, d, loss, law="chinchilla", resamples=20, seed=1,
                                   starts="single")
        self.assertEqual(own["scheme"], "case")

    def test_cluster_without_groups_is_an_input_error(self):
        n, d, loss = chinchilla_points()
        # Every row its own model size: nothing says which rows share a model.
        n = n * (1 + 1e-3 * np.arange(n.size))
        with self.assertRaises(shannonfit.InputError) as ctx:
            shannonfit.bootstrap(n, d, loss, resamples=5, scheme="cluster")
        self.assertIn("group", str(ctx.exception))


def rising_in_n_points():
    """L = 2 + 0.05 ln(N / 1e8) + 400 / D^0.3: loss grows with N, which every law's N-term can
    only lower, so the best fit pins a parameter to its bound (as in integration_fit_health)."""
    n = np.repeat([1e8, 3e8, 1e9, 3e9, 1e10], 4)
    d = np.tile([1e9, 4e9, 1.6e10, 6.4e10], 5)
    return n, d, 2 + 0.05 * np.log(n / 1e8) + 400 / d ** 0.3


class StartOutcomesTest(unittest.TestCase):
    def assert_counts_consistent(self, result, starts=None):
        o = result["start_outcomes"]
        self.assertEqual(o["total"], starts or result["n_starts"])
        self.assertEqual(o["converged"] + o["at_bound"] + o["max_iterations"] + o["not_stationary"]
                         + o["non_finite"],
                         o["total"])

    def test_clean_fit_counts_every_start_and_does_not_warn(self):
        n, d, loss = chinchilla_points(noise=0.01, seed=4)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = shannonfit.fit(n, d, loss, law="chinchilla")
            shannonfit.predict(fit, n, d)
        self.assertEqual([w for w in caught if issubclass(w.category, shannonfit.FitWarning)], [])
        self.assert_counts_consistent(fit)
        self.assertGreater(fit["start_outcomes"]["converged"], 0)
        self.assertEqual(fit["best_fit"]["outcome"], "converged")
        self.assertEqual(fit["best_fit"]["params_at_bound"], [])
        self.assertEqual(fit["best_fit"]["warning"], "")

    def test_best_fit_on_a_bound_is_counted_and_warned(self):
        n, d, loss = rising_in_n_points()
        with self.assertWarnsRegex(shannonfit.FitWarning, "kaplan.*on its bound"):
            fit = shannonfit.fit(n, d, loss, law="kaplan")
        self.assert_counts_consistent(fit)
        self.assertGreater(fit["start_outcomes"]["at_bound"], 0)
        self.assertEqual(fit["best_fit"]["outcome"], "at_bound")
        self.assertNotEqual(fit["best_fit"]["params_at_bound"], [])
        # Predictions from that fit carry the same caveat.
        with self.assertWarnsRegex(shannonfit.FitWarning, "on its bound"):
            shannonfit.predict(fit, 1e11, 1e12)

    def test_iteration_cap_is_counted_and_warned(self):
        n, d, loss = chinchilla_points(noise=0.01, seed=4)
        with self.assertWarnsRegex(shannonfit.FitWarning, "iteration cap"):
            fit = shannonfit.fit(n, d, loss, law="chinchilla", max_iterations=2)
        self.assert_counts_consistent(fit)
        self.assertGreater(fit["start_outcomes"]["max_iterations"], fit["n_starts"] // 2)
        self.assertEqual(fit["best_fit"]["outcome"], "max_iterations")
        self.assertFalse(fit["best_fit"]["converged"])

    def test_bootstrap_reports_its_full_data_fit(self):
        n, d, loss = rising_in_n_points()
        with self.assertWarnsRegex(shannonfit.FitWarning, "on its bound"):
            boot = shannonfit.bootstrap(n, d, loss, law="kaplan", resamples=4, seed=1)
            fit = shannonfit.fit(n, d, loss, law="kaplan")
        # The full-data fit runs the whole grid, whatever each resample starts from.
        self.assert_counts_consistent(boot)
        self.assertEqual(boot.n_starts, fit.n_starts)
        self.assertEqual(boot.starts_per_resample, 1)
        self.assertEqual((boot.start, boot.starts_at_best), (fit.start, fit.starts_at_best))
        self.assertEqual(boot["start_outcomes"], fit["start_outcomes"])
        self.assertEqual(boot["best_fit"], fit["best_fit"])


class FittableTest(unittest.TestCase):
    """The distinct-value check the CLI runs before fitting (law.hpp's kMinDistinct)."""

    def test_too_few_distinct_n_in_arrays(self):
        n, d, loss = chinchilla_points()
        keep = n <= 3e7  # two model sizes, five token counts each
        with self.assertRaises(ValueError) as ctx:
            shannonfit.fit(n[keep], d[keep], loss[keep], law="chinchilla")
        self.assertIsInstance(ctx.exception, shannonfit.InputError)
        self.assertEqual(str(ctx.exception),
                         "arrays: column n has 2 distinct values; law 'chinchilla' needs at "
                         "least 3 to identify its parameters")

    def test_table_errors_name_the_column(self):
        n, d, loss = chinchilla_points()
        table = {"params": n, "tokens": np.full_like(d, 1e10), "L": loss}
        with self.assertRaisesRegex(shannonfit.InputError,
                                    "^table: column tokens has 1 distinct value; law 'chinchilla' "
                                    "needs at least 3"):
            shannonfit.fit(table, columns={"n": "params", "d": "tokens", "loss": "L"})

    def test_perturbation_column(self):
        n, d, loss = chinchilla_points()
        sigma = np.where(np.arange(n.size) % 2 == 0, 0.0, 0.1)
        with self.assertRaisesRegex(shannonfit.InputError,
                                    "column sigma has 2 distinct values; law 'chinchilla-noise' "
                                    "needs at least 3"):
            shannonfit.fit({"N": n, "D": d, "loss": loss, "sigma": sigma},
                           law="chinchilla-noise", x="sigma")

    def test_fewer_rows_than_parameters(self):
        n, d, loss = chinchilla_points()
        with self.assertRaisesRegex(shannonfit.InputError,
                                    "law 'chinchilla' has 5 parameters but only 4 rows"):
            shannonfit.fit(n[:4], d[:4], loss[:4], law="chinchilla")

    def test_bootstrap_checks_before_fitting(self):
        n, d, loss = chinchilla_points()
        with self.assertRaisesRegex(shannonfit.InputError, "column n has 1 distinct value"):
            shannonfit.bootstrap(np.full_like(n, 1e9), d, loss, law="chinchilla", resamples=4)


class BadInputTest(unittest.TestCase):
    def assert_input_error(self, fragment, *args, **kwargs):
        with self.assertRaises(ValueError) as ctx:
            shannonfit.fit(*args, **kwargs)
        self.assertIsInstance(ctx.exception, shannonfit.InputError)
        self.assertIn(fragment, str(ctx.exception))

    def test_negative_loss_names_the_index(self):
        n, d, loss = chinchilla_points()
        loss[4] = -1.0
        self.assert_input_error("loss[4]", n, d, loss)

    def test_nan_tokens(self):
        n, d, loss = chinchilla_points()
        d[2] = np.nan
        self.assert_input_error("d[2]", n, d, loss)

    def test_length_mismatch(self):
        n, d, loss = chinchilla_points()
        self.assert_input_error("d: has 34 values but n has 35", n, d[1:], loss)

    def test_unknown_law(self):
        n, d, loss = chinchilla_points()
        self.assert_input_error("unknown law 'chinchila'", n, d, loss, law="chinchila")

    def test_unknown_loss_kind(self):
        n, d, loss = chinchilla_points()
        self.assert_input_error("choose l2 or huber", n, d, loss, loss_kind="cauchy")

    def test_missing_column(self):
        n, d, loss = chinchilla_points()
        self.assert_input_error("no column for the parameter count N", {"n": n, "D": d, "loss": loss})
        self.assert_input_error("did you mean 'n'?", {"n": n, "D": d, "loss": loss})

    def test_two_dimensional_array(self):
        n, d, loss = chinchilla_points()
        self.assert_input_error("expected a 1-D array", n.reshape(5, 7), d, loss)

    def test_non_numeric(self):
        n, d, loss = chinchilla_points()
        self.assert_input_error("not numeric", n, d, ["a"] * 35)


class InterruptTest(unittest.TestCase):
    """SIGINT during a batch raises KeyboardInterrupt once the batch has stopped part-way."""

    def test_sigint_stops_a_long_batch(self):
        # 100 model sizes x 200 token counts: each of chinchilla's 4500 starts takes tens of
        # milliseconds on one thread, so the uninterrupted batch runs for minutes.
        rng = np.random.default_rng(3)
        n = np.repeat(np.logspace(7, 10, 100), 200)
        d = np.tile(np.logspace(9, 12, 200), 100)
        loss = (TRUTH["E"] + TRUTH["A"] / n ** TRUTH["alpha"] + TRUTH["B"] / d ** TRUTH["beta"]) \
            * np.exp(rng.normal(0.0, 0.02, n.size))
        calls = {"fit": lambda: shannonfit.fit(n, d, loss, law="chinchilla", threads=1),
                 "bootstrap": lambda: shannonfit.bootstrap(n, d, loss, law="chinchilla",
                                                           resamples=10, threads=1)}
        for name, call in calls.items():
            with self.subTest(name):
                timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
                started = time.monotonic()
                timer.start()
                with self.assertRaises(KeyboardInterrupt):
                    call()
                timer.join()
                # Generous: only a batch that ignored the interrupt runs this long.
                self.assertLess(time.monotonic() - started, 60.0)
        # The module is usable afterwards: nothing of the stopped batch is left set.
        small = shannonfit.fit(*chinchilla_points(), law="chinchilla")
        self.assertTrue(small["converged"], small["status"])


class CliParityTest(unittest.TestCase):
    """Python answers as the command line does: same defaults, same numbers, typed results."""

    DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                        "pythia_evals.csv")

    def pythia(self):
        import csv
        with open(self.DATA) as f:
            rows = [r for r in csv.DictReader(f) if int(r["step"]) > 512]
        return {k: np.array([float(r[k]) for r in rows])
                for k in ("params", "tokens", "lambada_loss", "step")}

    def test_fit_defaults_give_the_cli_numbers(self):
        import json
        import subprocess
        binary = os.environ["SHANNONFIT_BINARY"]
        cli = json.loads(subprocess.run(
            [binary, "fit", self.DATA, "--loss-col", "lambada_loss", "--filter", "step > 512",
             "--law", "chinchilla", "--json", "--quiet"],
            check=True, capture_output=True, text=True).stdout)
        fit = shannonfit.fit(self.pythia(), columns={"loss": "lambada_loss"})
        self.assertEqual(fit.loss_kind, "huber")
        # The example: B = 8.4e6 from both, not 1.07e8 from a least-squares default.
        for p in cli["fits"][0]["parameters"]:
            self.assertAlmostEqual(fit.params[p["reported_name"]] / p["reported_value"], 1.0,
                                   places=6, msg=p["reported_name"])

    def test_suffixes_predict_and_compute_optimal_with_intervals(self):
        n, d, loss = chinchilla_points(noise=0.01, seed=4)
        boot = shannonfit.bootstrap(n, d, loss, resamples=40, seed=3)
        a = shannonfit.predict(boot, "70B", "1.4T")
        b = shannonfit.predict(boot, 7e10, 1.4e12)
        self.assertEqual(a[0].loss, b[0].loss)
        self.assertEqual((a[0].interval.kind, a[0].interval.level), ("confidence", 0.9))
        self.assertLess(a[0].interval.lower, a[0].loss)
        self.assertGreater(a[0].interval.upper, a[0].loss)
        frame = a.to_pandas()
        self.assertEqual(list(frame["N"]), [7e10])
        opt = shannonfit.compute_optimal(boot, "5.76e23")
        point = shannonfit.compute_optimal(shannonfit.fit(n, d, loss), 5.76e23)
        self.assertAlmostEqual(opt.N.estimate / point.N.estimate, 1.0, places=6)
        self.assertLess(opt.N.interval.lower, opt.N.estimate)
        self.assertAlmostEqual(opt.N.estimate * opt.D.estimate * 6 / 5.76e23, 1.0, places=6)

    def test_analyze_gives_the_answer_first(self):
        n, d, loss = chinchilla_points(noise=0.01, seed=4)
        a = shannonfit.analyze(n, d, loss, laws="chinchilla,kaplan", starts="single",
                               at="N=100B,D=2T", budget="1e24", resamples=20, seed=1)
        # The headline is the law-averaged prediction interval, with the band of the mean curve.
        self.assertEqual(a.headline.law, "law-averaged")
        self.assertEqual(a.headline.interval.kind, "prediction")
        # How the average chose its laws, beside the verdict, as the CLI says it.
        self.assertIn("out-of-bag error", a.headline.law_choice)
        self.assertEqual(a.headline.confidence_band.kind, "confidence")
        self.assertEqual(a.headline.target["N"], 1e11)
        self.assertEqual(a.headline.interval.level, 0.9)
        self.assertEqual(len(a.headline.laws), 2)
        self.assertLessEqual(a.headline.spread.lower, a.headline.estimate)
        self.assertEqual(set(a.to_pandas("params")["law"]), {"chinchilla", "kaplan"})
        self.assertEqual(len(a.compute_optimal), 2)
        self.assertEqual(a.selection.to_pandas().index[0], a.selection.winner)

    def cli(self, *args):
        import json
        import subprocess
        return json.loads(subprocess.run(
            [os.environ["SHANNONFIT_BINARY"], *args, self.DATA, "--loss-col", "lambada_loss",
             "--filter", "step > 512", "--law", "chinchilla", "--scheme", "case",
             "--starts", "single", "--resamples", "30", "--seed", "2", "--at", "N=7e10,D=1.4e12", "--json", "--quiet"],
            check=True, capture_output=True, text=True).stdout)

    def assertSameInterval(self, cli_pair, interval, msg):
        for got, want in zip((interval.lower, interval.upper), cli_pair):
            self.assertAlmostEqual(got / want, 1.0, places=9, msg=msg)

    def test_backends_are_the_clis(self):
        """backends() lists what --backend offers, and each backend Python can run here fits
        as the CLI does."""
        import subprocess
        backends = shannonfit.backends()
        help_text = " ".join(subprocess.run([os.environ["SHANNONFIT_BINARY"], "fit", "--help"],
                                            check=True, capture_output=True,
                                            text=True).stdout.split())
        for b in backends:
            self.assertIn(f"{b['name']} ({b['description']})", help_text)
        names = [b["name"] for b in backends]
        self.assertIn("cpu", names)
        self.assertNotIn("auto", names)
        for b in backends:
            if not b["present"]:
                with self.assertRaises(shannonfit.InputError):
                    shannonfit.fit(self.pythia(), columns={"loss": "lambada_loss"},
                                   starts="single", backend=b["name"])

    def test_every_interval_method_gives_the_cli_numbers(self):
        """Each registered method end to end: --method and method= pick the same interval, the
        JSON and Python both list every method, and the help describes each."""
        import subprocess
        methods = shannonfit.interval_methods()
        names = [m["name"] for m in methods]
        self.assertEqual(names.count(shannonfit.DEFAULT_INTERVAL_METHOD), 1)
        help_text = subprocess.run([os.environ["SHANNONFIT_BINARY"], "bootstrap", "--help"],
                                   check=True, capture_output=True, text=True).stdout
        data = self.pythia()
        for m in methods:
            self.assertIn(m["description"], help_text.replace("\n", " "))
            cli = self.cli("bootstrap", "--method", m["name"])["results"][0]
            boot = shannonfit.bootstrap(data, columns={"loss": "lambada_loss"}, scheme="case",
                                        starts="single", resamples=30, seed=2, method=m["name"])
            for p in cli["parameters"]:
                est = boot.intervals[p["name"]]
                self.assertEqual(sorted(est.intervals), sorted(names))
                self.assertEqual(est.interval.method, p["method"])
                self.assertSameInterval(p["interval"], est.interval, f"{m['name']} {p['name']}")
                for other in names:
                    self.assertIn(other, p)
            pred = cli["predictions"][0]
            mine = shannonfit.predict(boot, 7e10, 1.4e12)[0]
            self.assertEqual(mine.interval.method, pred["method"])
            self.assertSameInterval(pred["interval"], mine.interval, m["name"])

    def test_predict_gives_both_intervals_of_the_cli(self):
        """`shannonfit predict DATA` and predict(bootstrap(...)): the confidence band and the
        interval for a new run's loss, the same numbers."""
        cli = self.cli("predict")["results"][0]["predictions"][0]
        boot = shannonfit.bootstrap(self.pythia(), columns={"loss": "lambada_loss"},
                                    scheme="case", starts="single", resamples=30, seed=2)
        mine = shannonfit.predict(boot, "70B", "1.4T")[0]
        self.assertAlmostEqual(mine.loss / cli["estimate"], 1.0, places=9)
        self.assertSameInterval(cli["interval"], mine.interval, "confidence")
        self.assertEqual(mine.prediction_interval.kind, "prediction")
        self.assertEqual(mine.prediction_interval.level, cli["prediction"]["level"])
        self.assertSameInterval(cli["prediction"]["interval"], mine.prediction_interval,
                                "prediction")
        # A new run scatters about the curve: its interval is the wider one.
        self.assertGreater(mine.prediction_interval.width, mine.interval.width)
        frame = shannonfit.predict(boot, "70B", "1.4T").to_pandas()
        self.assertEqual(frame["prediction_lower"][0], mine.prediction_interval.lower)

    def test_unknown_interval_method_is_an_input_error(self):
        n, d, loss = chinchilla_points()
        with self.assertRaisesRegex(shannonfit.InputError, "percentile"):
            shannonfit.bootstrap(n, d, loss, resamples=5, method="studentized")

    def test_errors_name_python_arguments(self):
        n, d, loss = chinchilla_points()
        with self.assertRaisesRegex(shannonfit.InputError, "^resamples must") as ctx:
            shannonfit.bootstrap(n, d, loss, resamples=0)
        self.assertNotIn("--", str(ctx.exception))
        with self.assertRaisesRegex(shannonfit.InputError, "did you mean 'tokens'"):
            shannonfit.fit({"N": n, "tokens": d, "loss": loss}, columns={"d": "token"})


class AnyColumnsTest(unittest.TestCase):
    """Formula laws over any named columns, responses of any sign in linear space, starts of
    one's own and the tolerance, as the CLI's --law 'name(cols): ...', --space, --start and
    --tolerance take them, with the same numbers."""

    DATA = CliParityTest.DATA
    # The README's worked example: LAMBADA accuracy, a bounded sigmoid of compute C = 6ND.
    LAW = "acc(params, tokens): top/(1 + exp(-k*(log(6*params*tokens) - m)))"
    OPTIONS = ["--loss-col", "lambada_acc", "--space", "linear", "--loss", "l2", "--filter",
               "step >= 1000"]

    def pythia(self):
        import csv
        with open(self.DATA) as f:
            rows = [r for r in csv.DictReader(f) if int(r["step"]) >= 1000]
        return {k: np.array([float(r[k]) for r in rows])
                for k in ("params", "tokens", "lambada_acc")}

    def cli(self, command, *args):
        import json
        import subprocess
        return json.loads(subprocess.run(
            [os.environ["SHANNONFIT_BINARY"], command, self.DATA, "--law", self.LAW,
             *self.OPTIONS, *args, "--json", "--quiet"],
            check=True, capture_output=True, text=True).stdout)

    def fit(self, table=None, **kwargs):
        return shannonfit.fit(self.pythia() if table is None else table, law=self.LAW,
                              columns={"loss": "lambada_acc"}, space="linear", loss_kind="l2",
                              **kwargs)

    def assert_same_params(self, cli_fit, fit, places=9):
        for p in cli_fit["parameters"]:
            self.assertAlmostEqual(fit.params[p["reported_name"]] / p["reported_value"], 1.0,
                                   places=places, msg=p["reported_name"])

    def test_accuracy_against_compute_gives_the_cli_numbers(self):
        cli = self.cli("fit")["fits"][0]
        fit = self.fit()
        self.assertTrue(fit.converged, fit.status)
        self.assert_same_params(cli, fit)
        # The default search without bounds: as many starts, as many at the best optimum.
        self.assertEqual(fit.n_starts, cli["starts"])
        self.assertEqual(fit.n_starts, 256)
        self.assertEqual(fit.starts_at_best, cli["start_outcomes"]["at_best"])
        self.assertEqual(fit.best_start, cli["best_start"])
        self.assertEqual(fit.start_outcomes, cli["start_outcomes"])
        # The chosen start, fed back, reaches the same optimum on its own.
        again = self.fit(starts=[fit.start])
        self.assertEqual((again.n_starts, again.best_start), (1, 0))
        for name, value in fit.params.items():
            self.assertAlmostEqual(again.params[name] / value, 1.0, places=6, msg=name)

    def test_a_law_of_one_column_needs_no_n_or_d(self):
        data = self.pythia()
        # No column N, D, params or tokens: nothing to guess them from, and nothing needed.
        table = {"C": 6 * data["params"] * data["tokens"], "acc": data["lambada_acc"]}
        one = shannonfit.fit(table, law="acc_c(C): top/(1 + exp(-k*(log(C) - m)))",
                             columns={"loss": "acc"}, space="linear", loss_kind="l2")
        two = self.fit()
        for name, value in two.params.items():
            self.assertAlmostEqual(one.params[name] / value, 1.0, places=6, msg=name)
        at = {"C": [1e21, 6 * 6.9e9 * 200e9]}
        p = shannonfit.predict(one, at=at)
        self.assertEqual([q.at for q in p], [{"C": c} for c in at["C"]])
        same = shannonfit.predict(two, at={"params": 6.9e9, "tokens": "200B"})[0]
        self.assertEqual(same.at, {"params": 6.9e9, "tokens": 2e11})
        self.assertAlmostEqual(p[1].loss / same.loss, 1.0, places=6)
        with self.assertRaisesRegex(shannonfit.InputError, "unknown key 'N' .use C."):
            shannonfit.predict(one, 7e10, 1.4e12)
        with self.assertRaisesRegex(shannonfit.InputError, "not a function of the model size"):
            shannonfit.compute_optimal(one, 1e23)

    def test_bootstrap_and_predict_give_the_cli_intervals(self):
        cli = self.cli("bootstrap", "--resamples", "30", "--seed", "2",
                       "--at", "params=6.9e9,tokens=200e9")["results"][0]
        boot = shannonfit.bootstrap(self.pythia(), law=self.LAW, columns={"loss": "lambada_acc"},
                                    space="linear", loss_kind="l2", resamples=30, seed=2)
        for p in cli["parameters"]:
            est = boot.intervals[p["name"]]
            for got, want in zip((est.interval.lower, est.interval.upper), p["interval"]):
                self.assertAlmostEqual(got / want, 1.0, places=9, msg=p["name"])
        want = cli["predictions"][0]
        mine = shannonfit.predict(boot, at={"params": 6.9e9, "tokens": 2e11})[0]
        self.assertAlmostEqual(mine.loss / want["estimate"], 1.0, places=9)
        for got, pair in ((mine.interval, want["interval"]),
                          (mine.prediction_interval, want["prediction"]["interval"])):
            self.assertAlmostEqual(got.lower / pair[0], 1.0, places=9)
            self.assertAlmostEqual(got.upper / pair[1], 1.0, places=9)

    def test_analyze_takes_targets_in_the_laws_variables(self):
        a = shannonfit.analyze(self.pythia(), laws=self.LAW, columns={"loss": "lambada_acc"},
                               space="linear", loss_kind="l2", kfold=0, resamples=20, seed=1,
                               at={"params": 6.9e9, "tokens": "200B"})
        point = shannonfit.predict(self.fit(), at={"params": 6.9e9, "tokens": 2e11})[0].loss
        self.assertAlmostEqual(a.headline.estimate / point, 1.0, places=9)
        self.assertIn(point, a.headline.interval)
        self.assertEqual(a.predictions[0].label, "params=6.9B,tokens=200B")
        # The report names the response and the law's variables, as the CLI's does.
        self.assertEqual(a.report["response"], "lambada_acc")
        self.assertEqual(a.report["variables"], ["params", "tokens"])
        fit = self.fit()
        law = a.laws["acc"]
        self.assertEqual((law.n_starts, law.starts_at_best, law.best_start),
                         (fit.n_starts, fit.starts_at_best, fit.best_start))

    def test_explicit_starts_and_tolerance_give_the_cli_numbers(self):
        start = {"top": 0.7, "k": 0.5, "m": 46}
        cli = self.cli("fit", "--start", "top=0.7,k=0.5,m=46", "--start", "top=0.9",
                       "--tolerance", "1e-14")["fits"][0]
        fit = self.fit(starts=[start, "top=0.9"], tolerance=1e-14)
        self.assert_same_params(cli, fit, places=12)
        self.assertEqual(fit.n_starts, 2)
        self.assertEqual(fit.starts_at_best, cli["start_outcomes"]["at_best"])
        self.assertEqual(fit.best_start, cli["best_start"])
        one = self.fit(starts=start)
        self.assertEqual(one.n_starts, 1)
        for name, value in start.items():
            self.assertAlmostEqual(one.start[name], value, places=12, msg=name)
        with self.assertRaisesRegex(shannonfit.InputError, "no parameter 'tpo'.*did you mean 'top'"):
            self.fit(starts=[{"tpo": 0.7}])
        with self.assertRaisesRegex(shannonfit.InputError, "^starts: k: 'fast' is not a number"):
            self.fit(starts={"k": "fast"})
        with self.assertRaisesRegex(shannonfit.InputError, "top is fitted as its logarithm"):
            self.fit(starts={"top": -1})
        with self.assertRaisesRegex(shannonfit.InputError, "^tolerance: "):
            self.fit(tolerance=0.5)

    def test_negative_responses_in_linear_space(self):
        t = np.arange(1.0, 11.0)
        y = 0.5 * t - 2  # negative, zero and positive
        law = "line(t): v*t - u"
        fit = shannonfit.fit({"t": t, "y": y}, law=law, columns={"loss": "y"}, space="linear")
        self.assertAlmostEqual(fit.params["v"], 0.5, places=9)
        self.assertAlmostEqual(fit.params["u"], 2.0, places=9)
        self.assertEqual(fit.space, "linear")
        np.testing.assert_allclose(shannonfit.predict(fit, at={"t": [0.0, 2.0]}).loss, [-2, -1],
                                   atol=1e-9)
        # The arrays form: the law's first column as x.
        arrays = shannonfit.fit(None, None, y, x=t, law=law, space="linear")
        self.assertAlmostEqual(arrays.params["u"], 2.0, places=9)
        # Log space keeps its positivity check, naming the row and the way out.
        with self.assertRaisesRegex(shannonfit.InputError,
                                    r"^loss\[0\] = -1.5: must be positive and finite .*"
                                    "space='linear'"):
            shannonfit.fit({"t": t, "y": y}, law=law, columns={"loss": "y"})

    def test_a_law_files_space_applies_unless_space_is_given(self):
        import json
        import tempfile
        t = np.arange(1.0, 11.0)
        table = {"t": t, "y": 0.5 * t - 2}
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "descent.json")
            with open(path, "w") as f:
                json.dump({"name": "descent", "formula": "v*t - u", "columns": ["t"],
                           "space": "linear"}, f)
            fit = shannonfit.fit(table, law=path, columns={"loss": "y"})
            self.assertEqual(fit.space, "linear")
            self.assertAlmostEqual(fit.params["u"], 2.0, places=9)
            with self.assertRaisesRegex(shannonfit.InputError, "must be positive"):
                shannonfit.fit(table, law=path, columns={"loss": "y"}, space="log")

    def test_missing_law_column_says_did_you_mean(self):
        with self.assertRaisesRegex(shannonfit.InputError,
                                    "^law: no column 'param' .*did you mean 'params'"):
            shannonfit.fit(self.pythia(), law="acc_typo(param, tokens): top/(1 + "
                           "exp(-k*(log(6*param*tokens) - m)))", columns={"loss": "lambada_acc"},
                           space="linear")
        with self.assertRaisesRegex(shannonfit.InputError, "^x: the law reads column 't'"):
            shannonfit.fit(None, None, np.ones(5), law="line(t): v*t - u", space="linear")


if __name__ == "__main__":
    unittest.main()
