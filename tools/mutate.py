#!/usr/bin/env python3
"""Mutation testing: plants small, realistic bugs one at a time and reports which tests fail.

Each mutant is one exact text replacement in one file. The script copies the working tree to
build-mutants/tree (git-ignored), configures it once without CUDA, Python, MPI or benchmarks
(the mutants are in host code, and those builds only add time), checks that every mutant's tests
pass on the unmutated copy, and then for each mutant: applies it, rebuilds only the test programs
that mutant names (ccache keeps unchanged objects), runs those tests, and restores the file. A
pattern that no longer occurs exactly once stops the run: a mutant that silently applies to
nothing would count as caught by a test that never saw it.

    python3 tools/mutate.py                 # every mutant; table on stdout
    python3 tools/mutate.py --only kaplan-ratio-inverted,bca-acceleration-dropped
    python3 tools/mutate.py --list          # names, files and test sets, no build

Not part of CI (a full run rebuilds the core for most mutants). docs/testing.md has the table
of the last run. A mutant is "caught" when at least one of its tests fails; the golden-output
tests (README examples, docs/results.md tables) are listed apart, since a failure there alone
would invite regenerating the document rather than finding the bug.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = os.path.join(ROOT, "build-mutants")
TREE = os.path.join(SCRATCH, "tree")
BUILD = os.path.join(TREE, "build")
GOLDEN = re.compile(r"^(Readme|ResultsDoc)\.")

# (name, area, file, pattern, replacement, test programs, ctest -R regex). Ordered by rebuild
# cost: mutants in a .cpp first, then those in law headers (the registry recompiles), then those
# in resample.hpp (most of the analysis layer recompiles). Test programs are the cheapest ones
# that should catch the mutant; programs that instantiate every law's solver (unit_recovery,
# unit_reference_agreement, unit_lm) are left out because each rebuild of them costs minutes.
MUTANTS = [
    ("bca-acceleration-dropped", "intervals", "src/analysis/intervals.cpp",
     "t / (1 - s.acceleration * t)", "t",
     ["unit_intervals", "unit_bca_known_answer", "integration_bootstrap_cli"],
     "Intervals|BcaKnownAnswer|BootstrapCli"),
    ("jackknife-acceleration-sign", "intervals", "src/analysis/intervals.cpp",
     "const double d = mean - v;", "const double d = v - mean;",
     ["unit_intervals", "unit_bca_known_answer", "integration_bootstrap_cli"],
     "Intervals|BcaKnownAnswer|BootstrapCli"),
    ("percentile-one-sided-tail", "intervals", "src/analysis/intervals.cpp",
     "const double tail = (1 - s.level) / 2;", "const double tail = 1 - s.level;",
     ["unit_intervals", "unit_bca_known_answer"], "Intervals|BcaKnownAnswer"),
    ("delta-method-one-sided-step", "intervals", "src/analysis/uncertainty.cpp",
     "grad[k] = (up - down) / (2 * h);", "grad[k] = (up - down) / h;",
     ["unit_intervals", "unit_bootstrap_width"], "Intervals|BootstrapWidth"),
    ("compute-optimal-exponent", "intervals", "src/analysis/compute_optimal.cpp",
     "std::pow(budget / k, beta / (alpha + beta))", "std::pow(budget / k, alpha / (alpha + beta))",
     ["unit_law_table", "unit_compute_optimal"], "LawTable|ComputeOptimal"),
    ("residual-inflation-removed", "resampling", "src/analysis/bootstrap.cpp",
     "std::sqrt(double(n_) / (n_ - law_.n_params))", "1.0",
     ["unit_bootstrap", "unit_bootstrap_width"], "Bootstrap\\.|BootstrapWidth"),
    ("sigma2-without-dof", "solver", "src/analysis/fit_stats.cpp",
     "rss_raw / (s.quality.n - p)", "rss_raw / s.quality.n",
     ["unit_fit_stats", "unit_bootstrap_width"], "FitStats|BootstrapWidth"),
    ("nnls-keeps-worst-subset", "solver", "src/analysis/nnls.cpp",
     "objective -= 0.5 * z[i] * b[i];", "objective += 0.5 * z[i] * b[i];",
     ["unit_nnls", "unit_separable_starts"], "Nnls|SeparableStarts"),
    ("aicc-correction-off-by-one", "selection", "src/analysis/fit_stats.cpp",
     "2 * kk * (kk + 1) / (n - kk - 1)", "2 * kk * (kk + 1) / (n - kk)",
     ["unit_fit_stats", "unit_model_selection"], "FitStats|ModelSelection"),
    ("bic-penalty-as-aic", "selection", "src/analysis/fit_stats.cpp",
     "c.bic = kk * std::log(n)", "c.bic = 2 * kk",
     ["unit_fit_stats", "unit_model_selection"], "FitStats|ModelSelection"),
    ("win-rate-picks-worst", "selection", "src/analysis/model_selection.cpp",
     "else best = std::min(best, w.mse[l][r]);", "else best = std::max(best, w.mse[l][r]);",
     ["unit_model_selection"], "ModelSelection"),
    ("pooled-r2-uses-mse", "selection", "src/analysis/model_selection.cpp",
     "s.r2 = 1 - sse / sst", "s.r2 = 1 - s.mse / sst",
     ["unit_model_selection"], "ModelSelection"),
    ("flops-column-without-6", "io", "src/io/csv.cpp",
     "\"the compute C\") / (6.0 * n)", "\"the compute C\") / (2.0 * n)",
     ["unit_csv", "integration_cli_input"], "Csv|Cli"),
    ("quant-bits-sign", "io", "src/io/csv.cpp",
     "std::exp2(-r.positive(col", "std::exp2(r.positive(col",
     ["unit_csv", "integration_cli_input"], "Csv|Cli"),
    ("filter-le-as-lt", "io", "src/io/filter.cpp",
     "return number(*n.lhs) <= number(*n.rhs);", "return number(*n.lhs) < number(*n.rhs);",
     ["unit_filter"], "Filter"),
    ("kaplan-ratio-inverted", "laws", "include/shannonfit/laws/kaplan.hpp",
     "p[2] / p[3] * (p[0] - ln_n)", "p[3] / p[2] * (p[0] - ln_n)",
     ["unit_law_table"], "LawTable"),
    ("shannon-capacity-in-nats", "laws", "include/shannonfit/laws/shannon.hpp",
     "kLogLn2 = -0.36651292058166435", "kLogLn2 = 0.0",
     ["unit_law_table"], "LawTable"),
    ("shannon-x-linear-in-x", "laws", "include/shannonfit/laws/shannon_x.hpp",
     "p[8] + S(2) * log(x)", "p[8] + log(x)",
     ["unit_law_table"], "LawTable"),
    ("precision-bits-in-nats", "laws", "include/shannonfit/laws/precision.hpp",
     "-log(x) / (S(kLn2) * gamma_post)", "-log(x) / gamma_post",
     ["unit_law_table"], "LawTable"),
    ("quant-bits-in-nats", "laws", "include/shannonfit/laws/quant_degradation.hpp",
     "log1p(S(1) / x) / S(kLn2)", "log1p(S(1) / x)",
     ["unit_law_table"], "LawTable"),
    ("case-weights-skip-last-point", "resampling", "include/shannonfit/resample.hpp",
     "static_cast<std::uint32_t>(n))] +=", "static_cast<std::uint32_t>(n - 1))] +=",
     ["unit_resample"], "CaseWeights|Philox"),
    ("cluster-weights-presence-only", "resampling", "include/shannonfit/resample.hpp",
     "out[i] = group_counts[group[i]] *", "out[i] = (group_counts[group[i]] > 0) *",
     ["unit_resample"], "ClusterWeights"),
    ("solver-stops-at-loose-gradient", "solver", "include/shannonfit/lm.hpp",
     "a <= o_.grad_tol * residual_norm", "a <= 1e-2 * residual_norm",
     ["unit_law_table", "unit_bootstrap_width", "unit_fit_stats"],
     "LawTable|BootstrapWidth|FitStats"),
]


def run(cmd, cwd, log, check=True):
    with open(log, "a") as f:
        f.write(f"$ {' '.join(cmd)}\n")
        f.flush()
        r = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT)
    if check and r.returncode != 0:
        sys.exit(f"error: {' '.join(cmd)} failed (exit {r.returncode}); see {log}")
    return r.returncode


def copy_tree(log):
    """The working tree as git sees it (tracked and untracked, not ignored) into TREE."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           check=True, capture_output=True).stdout.decode().split("\0")
    kept = set()
    for rel in filter(None, files):
        src, dst = os.path.join(ROOT, rel), os.path.join(TREE, rel)
        if not os.path.isfile(src):
            continue
        kept.add(rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        # Unchanged files keep their timestamps, so Ninja rebuilds only what differs.
        if not os.path.exists(dst) or open(src, "rb").read() != open(dst, "rb").read():
            shutil.copy2(src, dst)
    with open(log, "a") as f:
        f.write(f"copied {len(kept)} files into {TREE}\n")


def configure(log):
    run(["cmake", "-S", TREE, "-B", BUILD, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
         "-DSHANNONFIT_CUDA=OFF", "-DSHANNONFIT_PYTHON=OFF", "-DSHANNONFIT_MPI=OFF",
         "-DSHANNONFIT_BENCH=OFF"], ROOT, log)


def failed_tests(regex, log):
    """Runs ctest on the tests matching regex; returns (ran, failed names)."""
    out = subprocess.run(["ctest", "-R", regex, "-j2", "--timeout", "900"], cwd=BUILD,
                         capture_output=True, text=True)
    with open(log, "a") as f:
        f.write(out.stdout + out.stderr)
    ran = re.search(r"tests passed, (\d+) tests failed out of (\d+)", out.stdout)
    total = int(ran.group(2)) if ran else 0
    listed = out.stdout.split("The following tests FAILED:")
    failed = re.findall(r"^\s*\d+ - (\S+) \(", listed[1], re.M) if len(listed) > 1 else []
    return total, failed


def apply(mutant):
    name, _, rel, pattern, replacement, _, _ = mutant
    path = os.path.join(TREE, rel)
    text = open(path).read()
    count = text.count(pattern)
    if count != 1:
        sys.exit(f"error: mutant {name}: '{pattern}' occurs {count} times in {rel} (want 1); "
                 "update its pattern in tools/mutate.py")
    open(path, "w").write(text.replace(pattern, replacement))
    return path, text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated mutant names")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = ap.parse_args()
    chosen = MUTANTS
    if args.only:
        names = args.only.split(",")
        unknown = set(names) - {m[0] for m in MUTANTS}
        if unknown:
            sys.exit(f"error: unknown mutant(s): {', '.join(sorted(unknown))}")
        chosen = [m for m in MUTANTS if m[0] in names]
    if args.list:
        for m in chosen:
            print(f"{m[0]:34} {m[1]:11} {m[2]}  tests: {m[6]}")
        return
    for m in chosen:  # every pattern must apply to the current sources before anything builds
        text = open(os.path.join(ROOT, m[2])).read()
        if text.count(m[3]) != 1:
            sys.exit(f"error: mutant {m[0]}: '{m[3]}' occurs {text.count(m[3])} times in {m[2]}")

    os.makedirs(SCRATCH, exist_ok=True)
    log = os.path.join(SCRATCH, "mutate.log")
    open(log, "w").close()
    copy_tree(log)
    configure(log)
    targets = sorted({t for m in chosen for t in m[5]})
    print(f"baseline: building {len(targets)} test programs ...", flush=True)
    run(["cmake", "--build", BUILD, "-j2", "--target", "shannonfit"] + targets, ROOT, log)
    # CTest's regular expressions allow few groups: a flat alternation of the distinct parts.
    regex = "|".join(sorted({part for m in chosen for part in m[6].split("|")}))
    total, failed = failed_tests(regex, log)
    if failed or total == 0:
        sys.exit(f"error: the unmutated copy fails {failed or 'to run any test'}; see {log}")
    print(f"baseline: {total} tests pass", flush=True)

    rows = []
    for m in chosen:
        name, area, rel, _, _, progs, tests = m
        start = time.time()
        path, original = apply(m)
        try:
            built = run(["cmake", "--build", BUILD, "-j2", "--target", "shannonfit"] + progs,
                        ROOT, log, check=False)
            if built != 0:
                total, failed = 0, ["(does not compile)"]
            else:
                total, failed = failed_tests(tests, log)
        finally:
            open(path, "w").write(original)
        real = [t for t in failed if not GOLDEN.match(t)]
        status = "caught" if real else ("golden only" if failed else "SURVIVED")
        rows.append((name, area, rel, status, total, failed, time.time() - start))
        print(f"{name:34} {status:11} {len(failed)}/{total} failed  "
              f"({time.time() - start:.0f} s): {' '.join(failed[:6])}"
              f"{' ...' if len(failed) > 6 else ''}", flush=True)

    caught = sum(r[3] == "caught" for r in rows)
    print(f"\nkill rate: {caught}/{len(rows)} caught by a test other than a golden-output "
          "comparison\n")
    print("| mutant | area | file | result | failing tests |")
    print("|---|---|---|---|---|")
    for name, area, rel, status, total, failed, _ in rows:
        shown = ", ".join(failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
        print(f"| {name} | {area} | `{rel}` | {status} ({len(failed)} of {total}) | {shown} |")
    sys.stdout.flush()
    # Rebuild the restored sources so the scratch build matches the tree again.
    run(["cmake", "--build", BUILD, "-j2", "--target", "shannonfit"] + targets, ROOT, log,
        check=False)
    sys.exit(0 if caught == len(rows) else 1)


if __name__ == "__main__":
    main()
