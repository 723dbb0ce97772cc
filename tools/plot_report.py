#!/usr/bin/python3
"""Draws the figures of a shannonfit report folder (written by `shannonfit analyze`).

    /usr/bin/python3 tools/plot_report.py REPORT_DIR [--formats png,svg]

Reads only the folder's files, so it can be rerun or restyled without refitting:
  data.csv         line,N,D,x,loss,weight                 the points that were fitted
  fitted.csv       law,line,N,D,x,loss,fitted,residual    in-sample fit of every law
  curves.csv       law,kind,N,D,x,loss,lo,hi              curves (kind tokens | perturbation)
                                                          with their bootstrap band (lo, hi)
  predictions.csv  law,label,N,D,x,loss,lo,hi,se,kind,level  targets (kind prediction | confidence)
  bootstrap.csv    law,resample,param,value               bootstrap parameter draws
  selection.csv    law,...,cv_mse,win_rate,delta_aic      model-selection statistics
Writes REPORT_DIR/figures/<name>.<format> and prints one line per figure. Figures whose inputs
are absent or empty are skipped, never drawn blank.
"""
import argparse
import csv
import math
import os
import sys
from collections import defaultdict

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm
except ImportError:
    print("plot_report: matplotlib is not installed (Debian: python3-matplotlib); no figures",
          file=sys.stderr)
    sys.exit(3)


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


def size_norm(values):
    lo, hi = min(values), max(values)
    return LogNorm(vmin=lo, vmax=hi if hi > lo else lo * 1.0001)


def plot_fits(figs, data, curves):
    """Loss vs tokens, one colour per model size, fitted curve and bootstrap band per law."""
    if not data:
        return
    norm = size_norm([r["N"] for r in data])
    cmap = plt.get_cmap("viridis")
    for law, rows in by_law(c for c in curves if c["kind"] == "tokens").items():
        # Token curves are drawn at one perturbation strength; only rows measured there match.
        strengths = {r["x"] for r in rows if finite(r["x"])}
        shown = [p for p in data if not finite(p.get("x")) or not strengths or p["x"] in strengths]
        fig, ax = plt.subplots(figsize=(7, 4.8))
        ax.scatter([r["D"] for r in shown], [r["loss"] for r in shown], s=14,
                   c=[cmap(norm(r["N"])) for r in shown], edgecolors="none", alpha=0.8,
                   label="data")
        by_size = defaultdict(list)
        for r in rows:
            by_size[r["N"]].append(r)
        for n, pts in sorted(by_size.items()):
            pts.sort(key=lambda r: r["D"])
            colour = cmap(norm(n))
            d = [r["D"] for r in pts]
            ax.plot(d, [r["loss"] for r in pts], color=colour, lw=1.4)
            band = [(r["D"], r["lo"], r["hi"]) for r in pts if finite(r["lo"]) and finite(r["hi"])]
            if band:
                ax.fill_between([b[0] for b in band], [b[1] for b in band], [b[2] for b in band],
                                color=colour, alpha=0.18, lw=0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training tokens D")
        ax.set_ylabel("loss")
        ax.set_title(f"{law}: data and fit (bands: bootstrap interval)")
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(sm, ax=ax, label="parameters N")
        figs.save(fig, f"fit_{law}")


def plot_residuals(figs, fitted):
    laws = by_law(fitted)
    if not laws:
        return
    norm = size_norm([r["N"] for r in fitted])
    cmap = plt.get_cmap("viridis")
    fig, axes = plt.subplots(len(laws), 1, figsize=(7, 2.2 * len(laws) + 0.6), sharex=True,
                             squeeze=False)
    for ax, (law, rows) in zip(axes[:, 0], sorted(laws.items())):
        ax.axhline(0, color="grey", lw=0.8)
        ax.scatter([r["D"] for r in rows], [r["residual"] for r in rows], s=10,
                   c=[cmap(norm(r["N"])) for r in rows], edgecolors="none")
        ax.set_xscale("log")
        ax.set_ylabel("residual")
        ax.set_title(law, fontsize=9, loc="left")
    axes[-1, 0].set_xlabel("training tokens D")
    fig.suptitle("Residuals (fit space) by tokens, coloured by model size")
    figs.save(fig, "residuals")


def plot_predictions(figs, predictions):
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
    ax.set_xticklabels(labels, rotation=15, fontsize=8)
    ax.set_ylabel("predicted loss")
    ax.set_title("Extrapolation targets (bars: bootstrap interval)")
    ax.legend(fontsize=8)
    figs.save(fig, "predictions")


def plot_pairs(figs, boot):
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
                if i == j:
                    ax.hist(xs, bins=25, color="tab:blue", alpha=0.7)
                elif i > j:
                    ax.scatter(xs, [draws[yi][s] for s in resamples], s=3, alpha=0.4)
                else:
                    ax.axis("off")
                    continue
                ax.tick_params(labelsize=6)
                if i == k - 1:
                    ax.set_xlabel(xj, fontsize=8)
                if j == 0 and i > 0:
                    ax.set_ylabel(yi, fontsize=8)
        fig.suptitle(f"{law}: bootstrap parameter draws ({len(resamples)} resamples)")
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
        ax.barh(laws, vals, color=["tab:green" if v == best else "tab:gray" for v in vals])
        ax.set_title(m.replace("_", " "), fontsize=9)
        ax.tick_params(labelsize=8)
    axes[0, 0].invert_yaxis()
    fig.suptitle("Model selection (green: best)")
    figs.save(fig, "selection")


def plot_perturbation(figs, data, curves):
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
                    label=f"N={n:.3g}, D={d:.3g}")
            band = [r for r in pts if finite(r["lo"]) and finite(r["hi"])]
            if band:
                ax.fill_between([r["x"] for r in band], [r["lo"] for r in band],
                                [r["hi"] for r in band], color=colour, alpha=0.15, lw=0)
            basin = min(pts, key=lambda r: r["loss"])
            ax.plot([basin["x"]], [basin["loss"]], marker="v", color=colour, ms=8)
            obs = [p for p in data if p["N"] == n and p["D"] == d and finite(p.get("x"))]
            ax.scatter([p["x"] for p in obs], [p["loss"] for p in obs], color=colour, s=14)
        ax.set_xlabel("perturbation strength x")
        ax.set_ylabel("loss")
        ax.set_title(f"{law}: loss vs perturbation (triangles: basin minimum)")
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
    figs = Figures(args.report_dir, [f for f in args.formats.split(",") if f])
    data = read_csv(args.report_dir, "data.csv")
    curves = read_csv(args.report_dir, "curves.csv")
    plot_fits(figs, data, curves)
    plot_residuals(figs, read_csv(args.report_dir, "fitted.csv"))
    # One bar per law and target: the prediction interval (the rows also hold the confidence band).
    plot_predictions(figs, [p for p in read_csv(args.report_dir, "predictions.csv")
                            if p.get("kind", "prediction") == "prediction"])
    plot_selection(figs, read_csv(args.report_dir, "selection.csv"))
    plot_pairs(figs, read_csv(args.report_dir, "bootstrap.csv"))
    plot_perturbation(figs, data, curves)
    return 0


if __name__ == "__main__":
    sys.exit(main())
