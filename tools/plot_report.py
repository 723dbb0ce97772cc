#!/usr/bin/python3
"""Draws the figures of a shannonfit report folder (written by `shannonfit analyze`).

    python3 plot_report.py REPORT_DIR [--formats png,svg]

(`shannonfit analyze` runs it from <prefix>/share/shannonfit, or share/shannonfit in the build.)

Reads only the folder's files, so it can be rerun or restyled without refitting:
  data.csv         line,N,D,x,loss,weight                 the points that were fitted
  fitted.csv       law,line,N,D,x,loss,fitted,residual    in-sample fit of every law
  curves.csv       law,kind,N,D,x,loss,lo,hi              curves (kind tokens | perturbation |
                                                          sweep) with their bootstrap band (lo, hi)
  predictions.csv  law,label,N,D,x,loss,lo,hi,se,kind,level  targets (kind prediction | confidence)
  (for a law over columns of its own, the columns N, D, x are those columns, report.json's
  "variables", and "loss" holds its response, report.json's "response")
  bootstrap.csv    law,resample,param,value               bootstrap parameter draws
  selection.csv    law,...,cv_mse,win_rate,delta_aic      model-selection statistics
  report.json      the interval level, the headline target and which parameters are fitted
                   as logarithms (drawn on log axes)
Writes REPORT_DIR/figures/<name>.<format> and prints one line per figure. Figures whose inputs
are absent or empty are skipped, never drawn blank. Every figure labels its axes and has a
legend or colour key; the fit figures mark the prediction targets. In the SVGs text stays text,
and the axis labels and target markers carry ids (xlabel-*, ylabel-*, target-*), so tests and
readers can find them.
"""
import argparse
import csv
import json
import math
import os
import sys
from collections import defaultdict

from report_units import human, percent

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm, Normalize
    from matplotlib.ticker import (FixedLocator, FuncFormatter, LogLocator, NullFormatter,
                                   NullLocator)
except ImportError:
    print("plot_report: matplotlib is not installed (Debian: python3-matplotlib); no figures",
          file=sys.stderr)
    sys.exit(3)

matplotlib.rcParams["svg.fonttype"] = "none"  # text as <text>, searchable and selectable


def read_csv(folder, name):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for key, value in row.items():
            try:
                row[key] = float(value)
            except (TypeError, ValueError):
                pass
    return rows


def finite(v):
    return isinstance(v, float) and math.isfinite(v)


def by_law(rows):
    out = defaultdict(list)
    for r in rows:
        out[r["law"]].append(r)
    return out


class Figures:
    def __init__(self, folder, formats):
        self.folder = folder
        self.formats = formats
        self.out = os.path.join(folder, "figures")
        os.makedirs(self.out, exist_ok=True)
        self.written = []

    def save(self, fig, name):
        for fmt in self.formats:
            path = os.path.join(self.out, f"{name}.{fmt}")
            fig.savefig(path, dpi=110, bbox_inches="tight",
                        metadata={"Date": None} if fmt == "svg" else None)
            self.written.append(path)
            print(f"figure: {os.path.relpath(path, self.folder)}")
        plt.close(fig)


def label_axes(ax, xlabel, ylabel, key):
    """Axis labels with ids in the SVG (xlabel-KEY, ylabel-KEY)."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.xaxis.label.set_gid(f"xlabel-{key}")
    ax.yaxis.label.set_gid(f"ylabel-{key}")


def human_log_axis(axis):
    """A log axis over decades of sizes or tokens, ticked 1M, 10M, ..., 1B, 10B, 1T."""
    axis.set_major_locator(LogLocator(base=10))
    axis.set_major_formatter(FuncFormatter(lambda v, _: human(v)))
    axis.set_minor_formatter(NullFormatter())


def nice_log_ticks(lo, hi, count=6):
    """About `count` round values between lo and hi, evenly spread in log: a loss axis spans
    less than a decade, where matplotlib's log ticks would label one value or none."""
    ticks = []
    for i in range(count):
        v = lo * (hi / lo) ** (i / (count - 1))
        digits = 2 if hi / lo > 1.2 else 3
        rounded = float(f"{v:.{digits}g}")
        if rounded not in ticks:
            ticks.append(rounded)
    return ticks


def round_log_axis(axis, values, count=6):
    """A log axis over less than a few decades, labelled at round values in plain notation."""
    values = [v for v in values if finite(v) and v > 0]
    if not values:
        return
    axis.set_major_locator(FixedLocator(nice_log_ticks(min(values), max(values), count)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_locator(NullLocator())


def size_norm(values):
    lo, hi = min(values), max(values)
    return LogNorm(vmin=lo, vmax=hi if hi > lo else lo * 1.0001)


class Variables:
    """What the figures put on their axes: loss against tokens D, coloured by size N, for laws
    of N and D; for a law over columns of its own (report.json's "variables"), its response
    against the variable its curves sweep, coloured by the next."""

    def __init__(self, rep, curves):
        names = rep.get("variables") or ["N", "D", "x"]
        self.response = rep.get("response") or "loss"
        self.own = set(names) != {"N", "D", "x"}
        if not self.own:
            self.kind, self.x, self.colour = "tokens", "D", "N"
            self.x_label, self.colour_label = "training tokens D", "parameters N"
            self.y_label = "loss, nats/token"
            self.log_x = self.log_y = self.log_colour = True
            return
        sweep = [c for c in curves if c["kind"] == "sweep"]
        by_spread = sorted(names, key=lambda v: -len({c[v] for c in sweep}))
        self.kind, self.x = "sweep", by_spread[0]
        self.colour = by_spread[1] if len(by_spread) > 1 else None
        self.x_label, self.colour_label, self.y_label = self.x, self.colour, self.response
        self.log_x = all(c[self.x] > 0 for c in sweep)
        self.log_colour = self.colour is not None and all(c[self.colour] > 0 for c in sweep)
        self.log_y = False
        self.names = names

    def point(self, row):
        """A target's coordinates, "N=70B, D=1.4T" or "params=6.9B, tokens=200B"."""
        names = self.names if self.own else ["N", "D"]
        return ", ".join(f"{v}={human(row[v])}" for v in names)


def colour_norm(values, log):
    if log:
        return size_norm(values)
    lo, hi = min(values), max(values)
    return Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1)


def plot_fits(figs, data, curves, predictions, level, var):
    """Loss vs tokens, one colour per model size (or a law's response against its own
    variables, Variables): the data, each law's fitted curves with their bootstrap band, and the
    prediction targets marked with their interval and labelled."""
    if not data:
        return
    cmap = plt.get_cmap("viridis")
    norm = (colour_norm([r[var.colour] for r in data] + [p[var.colour] for p in predictions],
                        var.log_colour) if var.colour else None)
    colour_of = (lambda v: cmap(norm(v))) if norm else (lambda v: cmap(0.3))
    band_label = f"{percent(level)} confidence band (bootstrap)"
    for law, rows in by_law(c for c in curves if c["kind"] == var.kind).items():
        # Token curves are drawn at one perturbation strength; only rows measured there match.
        strengths = {r["x"] for r in rows if finite(r.get("x"))} if not var.own else set()
        shown = [p for p in data if not finite(p.get("x")) or not strengths or p["x"] in strengths]
        fig, ax = plt.subplots(figsize=(7.5, 5))
        ax.scatter([r[var.x] for r in shown], [r["loss"] for r in shown], s=14,
                   c=[colour_of(r[var.colour] if var.colour else 0) for r in shown],
                   edgecolors="none", alpha=0.8,
                   label=f"measured {var.response}" +
                         (f" (colour: {var.colour})" if var.colour else ""))
        by_size = defaultdict(list)
        for r in rows:
            by_size[r[var.colour] if var.colour else 0].append(r)
        fit_labelled = band_labelled = False
        for n, pts in sorted(by_size.items()):
            pts.sort(key=lambda r: r[var.x])
            colour = colour_of(n)
            ax.plot([r[var.x] for r in pts], [r["loss"] for r in pts], color=colour, lw=1.4,
                    label=None if fit_labelled else
                    f"{law} fit" + (f" at each {var.colour}" if var.colour else ""))
            fit_labelled = True
            band = [(r[var.x], r["lo"], r["hi"]) for r in pts
                    if finite(r["lo"]) and finite(r["hi"])]
            if band:
                ax.fill_between([b[0] for b in band], [b[1] for b in band], [b[2] for b in band],
                                color=colour, alpha=0.18, lw=0,
                                label=None if band_labelled else band_label)
                band_labelled = True
        targets = [p for p in predictions if p["law"] == law and finite(p["loss"])]
        for i, t in enumerate(targets):
            lo = t["loss"] - t["lo"] if finite(t["lo"]) else 0
            hi = t["hi"] - t["loss"] if finite(t["hi"]) else 0
            marker = ax.errorbar([t[var.x]], [t["loss"]], yerr=[[lo], [hi]], fmt="*", ms=15,
                                 color="crimson", mec="black", capsize=5, zorder=5,
                                 label="target with its interval" if i == 0 else None)
            marker[0].set_gid(f"target-{law}-{i}")
            # Above the target, where a falling loss curve leaves room; below one in the upper
            # half of a rising response (an accuracy), so the label clears the title.
            upper = var.own and t["loss"] > sorted(r["loss"] for r in shown)[len(shown) // 2]
            ax.annotate(f"target {var.point(t)}\n{var.response} {t['loss']:.4g}",
                        (t[var.x], t["loss"]), textcoords="offset points",
                        xytext=(-40, -60 if upper else 40),
                        ha="right", fontsize=8, color="crimson",
                        bbox={"boxstyle": "round", "fc": "white", "ec": "crimson", "alpha": 0.9},
                        arrowprops={"arrowstyle": "->", "color": "crimson"},
                        gid=f"target-label-{law}-{i}")
        if var.log_x:
            ax.set_xscale("log")
            human_log_axis(ax.xaxis)
        if var.log_y:
            ax.set_yscale("log")
            round_log_axis(ax.yaxis, [r["loss"] for r in shown] + [r["loss"] for r in rows] +
                          [t["lo"] for t in targets] + [t["hi"] for t in targets])
        label_axes(ax, var.x_label + (" (log scale)" if var.log_x else ""),
                   var.y_label + (" (log scale)" if var.log_y else ""), law)
        ax.set_title(f"{law}: data, fit and {percent(level)} band")
        ax.legend(fontsize=8, loc="best" if var.own else "upper right")
        if norm:
            sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
            bar = fig.colorbar(sm, ax=ax, label=var.colour_label)
            if var.log_colour:
                human_log_axis(bar.ax.yaxis)
        figs.save(fig, f"fit_{law}")


def plot_residuals(figs, fitted, var):
    laws = by_law(fitted)
    if not laws:
        return
    norm = colour_norm([r[var.colour] for r in fitted], var.log_colour) if var.colour else None
    cmap = plt.get_cmap("viridis")
    fig, axes = plt.subplots(len(laws), 1, figsize=(7.5, 2.2 * len(laws) + 0.8), sharex=True,
                             squeeze=False)
    for ax, (law, rows) in zip(axes[:, 0], sorted(laws.items())):
        ax.axhline(0, color="grey", lw=0.8, label="zero: a perfect fit")
        ax.scatter([r[var.x] for r in rows], [r["residual"] for r in rows], s=10,
                   c=[cmap(norm(r[var.colour])) if norm else cmap(0.3) for r in rows],
                   edgecolors="none",
                   label=f"{law} residuals" + (f" (colour: {var.colour})" if var.colour else ""))
        if var.log_x:
            ax.set_xscale("log")
            human_log_axis(ax.xaxis)
        label_axes(ax, var.x_label + (" (log scale)" if var.log_x else ""), "residual", law)
        ax.legend(fontsize=7, loc="upper right")
    if norm:
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        bar = fig.colorbar(sm, ax=axes[:, 0].tolist(), label=var.colour_label)
        if var.log_colour:
            human_log_axis(bar.ax.yaxis)
    fig.suptitle("Residuals in the fit's space (ln L with --space log), by " +
                 ("tokens" if not var.own else var.x))
    figs.save(fig, "residuals")


def plot_predictions(figs, predictions, level, var):
    if not predictions:
        return
    labels = list(dict.fromkeys(p["label"] for p in predictions))
    laws = sorted(by_law(predictions))
    fig, ax = plt.subplots(figsize=(max(5, 1.6 * len(labels) + 2), 4))
    width = 0.8 / max(1, len(laws))
    for j, law in enumerate(laws):
        pts = [p for p in predictions if p["law"] == law]
        xs = [labels.index(p["label"]) - 0.4 + width * (j + 0.5) for p in pts]
        ys = [p["loss"] for p in pts]
        lo = [p["loss"] - p["lo"] if finite(p["lo"]) else 0 for p in pts]
        hi = [p["hi"] - p["loss"] if finite(p["hi"]) else 0 for p in pts]
        ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o", capsize=4, label=law)
    ax.set_xticks(range(len(labels)))
    first = {p["label"]: p for p in reversed(predictions)}
    ax.set_xticklabels([var.point(first[l]).replace(", ", "\n") for l in labels], fontsize=8)
    label_axes(ax, "target", f"predicted {var.y_label}", "predictions")
    ax.set_title(f"Predictions at the targets (bars: {percent(level)} confidence interval)")
    ax.legend(fontsize=8, title="law")
    figs.save(fig, "predictions")


def plot_pairs(figs, boot, log_params):
    """Bootstrap draws pair by pair; parameters fitted as logarithms (A = exp(a)) on log axes."""
    for law, rows in by_law(boot).items():
        draws = defaultdict(dict)
        for r in rows:
            draws[r["param"]][r["resample"]] = r["value"]
        names = list(draws)
        resamples = sorted(set.intersection(*(set(v) for v in draws.values())))
        if len(names) < 2 or len(resamples) < 3:
            continue
        k = len(names)
        fig, axes = plt.subplots(k, k, figsize=(1.7 * k + 1, 1.7 * k + 1), squeeze=False)
        for i, yi in enumerate(names):
            for j, xj in enumerate(names):
                ax = axes[i, j]
                xs = [draws[xj][s] for s in resamples]
                x_log = (law, xj) in log_params and min(xs) > 0
                if i == j:
                    bins = 25
                    if x_log:
                        lo, hi = min(xs), max(xs)
                        bins = [lo * (hi / lo) ** (b / 25) for b in range(26)] if hi > lo else 25
                    ax.hist(xs, bins=bins, color="tab:blue", alpha=0.7,
                            label="draws" if i == 0 else None)
                elif i > j:
                    ys = [draws[yi][s] for s in resamples]
                    ax.scatter(xs, ys, s=3, alpha=0.4)
                    if (law, yi) in log_params and min(ys) > 0:
                        ax.set_yscale("log")
                        round_log_axis(ax.yaxis, ys, 3)
                else:
                    ax.axis("off")
                    continue
                if x_log:
                    ax.set_xscale("log")
                    round_log_axis(ax.xaxis, xs, 3)
                ax.tick_params(labelsize=6)
                if i == k - 1:
                    ax.set_xlabel(xj + (" (log)" if x_log else ""), fontsize=8)
                    ax.xaxis.label.set_gid(f"xlabel-{law}-{xj}")
                if j == 0:
                    ax.set_ylabel("count" if i == 0 else
                                  yi + (" (log)" if (law, yi) in log_params else ""), fontsize=8)
                    ax.yaxis.label.set_gid(f"ylabel-{law}-{yi}")
        fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="upper right", fontsize=8,
                   title=f"{len(resamples)} resamples")
        fig.suptitle(f"{law}: bootstrap parameter draws, pair by pair (diagonal: histograms)")
        figs.save(fig, f"pairs_{law}")


def plot_selection(figs, selection):
    if not selection:
        return
    metrics = [m for m in ("holdout_mse", "cv_mse", "logo_mse", "win_rate", "delta_aic")
               if any(finite(r.get(m)) for r in selection)]
    if not metrics:
        return
    laws = [r["law"] for r in selection]
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics) + 1, 0.45 * len(laws) + 1.6),
                             squeeze=False, sharey=True)
    for ax, m in zip(axes[0], metrics):
        vals = [r[m] if finite(r.get(m)) else 0.0 for r in selection]
        best = min(vals) if m != "win_rate" else max(vals)
        bars = ax.barh(laws, vals, color=["tab:green" if v == best else "tab:gray" for v in vals])
        label_axes(ax, SELECTION_AXES[m], "law", m)
        ax.xaxis.label.set_fontsize(8)
        ax.tick_params(labelsize=8)
        ax.legend([bars[vals.index(best)]], ["best"], fontsize=7, loc="lower right")
    axes[0, 0].invert_yaxis()
    fig.suptitle("Model selection (green: the best law on each criterion)")
    figs.save(fig, "selection")


SELECTION_AXES = {"holdout_mse": "held-out MSE (lower is better)",
                  "cv_mse": "cross-validation MSE (lower is better)",
                  "logo_mse": "leave-one-group-out MSE (lower is better)",
                  "win_rate": "bootstrap win rate (higher is better)",
                  "delta_aic": "ΔAIC (lower is better)"}


def plot_perturbation(figs, data, curves, level):
    """Loss vs perturbation strength per (N, D) setting, marking each curve's basin (minimum)."""
    pert = [c for c in curves if c["kind"] == "perturbation"]
    if not pert:
        return
    for law, rows in by_law(pert).items():
        settings = defaultdict(list)
        for r in rows:
            settings[(r["N"], r["D"])].append(r)
        cmap = plt.get_cmap("plasma")
        fig, ax = plt.subplots(figsize=(7, 4.6))
        for i, ((n, d), pts) in enumerate(sorted(settings.items())):
            colour = cmap(i / max(1, len(settings) - 1) * 0.85)
            pts.sort(key=lambda r: r["x"])
            ax.plot([r["x"] for r in pts], [r["loss"] for r in pts], color=colour,
                    label=f"N={human(n)}, D={human(d)}")
            band = [r for r in pts if finite(r["lo"]) and finite(r["hi"])]
            if band:
                ax.fill_between([r["x"] for r in band], [r["lo"] for r in band],
                                [r["hi"] for r in band], color=colour, alpha=0.15, lw=0)
            basin = min(pts, key=lambda r: r["loss"])
            ax.plot([basin["x"]], [basin["loss"]], marker="v", color=colour, ms=8)
            obs = [p for p in data if p["N"] == n and p["D"] == d and finite(p.get("x"))]
            ax.scatter([p["x"] for p in obs], [p["loss"] for p in obs], color=colour, s=14)
        label_axes(ax, "perturbation strength x", "loss, nats/token", law)
        ax.set_title(f"{law}: loss vs perturbation ({percent(level)} bands; triangles: basin "
                     "minimum)")
        ax.legend(fontsize=7)
        figs.save(fig, f"perturbation_{law}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report_dir")
    parser.add_argument("--formats", default="png,svg", help="comma-separated (default png,svg)")
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.report_dir, "report.json")):
        print(f"plot_report: {args.report_dir} has no report.json", file=sys.stderr)
        return 2
    with open(os.path.join(args.report_dir, "report.json")) as f:
        rep = json.load(f)
    level = rep.get("confidence")
    # Parameters reported as exp of what the solver fits (A = exp(a)) are drawn on log axes.
    log_params = {(law["name"], p["name"]) for law in rep.get("laws", [])
                  for p in law.get("params", []) if p.get("solver_name") != p.get("name")}
    figs = Figures(args.report_dir, [f for f in args.formats.split(",") if f])
    data = read_csv(args.report_dir, "data.csv")
    curves = read_csv(args.report_dir, "curves.csv")
    predictions = read_csv(args.report_dir, "predictions.csv")
    var = Variables(rep, curves)
    plot_fits(figs, data, curves, predictions, level, var)
    plot_residuals(figs, read_csv(args.report_dir, "fitted.csv"), var)
    # One bar per law and target: the prediction interval (the rows also hold the confidence band).
    plot_predictions(figs, [p for p in predictions if p.get("kind", "prediction") == "prediction"],
                     level, var)
    plot_selection(figs, read_csv(args.report_dir, "selection.csv"))
    plot_pairs(figs, read_csv(args.report_dir, "bootstrap.csv"), log_params)
    plot_perturbation(figs, data, curves, level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
