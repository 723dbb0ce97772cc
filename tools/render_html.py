#!/usr/bin/python3
"""Writes REPORT_DIR/report.html: one self-contained page from a shannonfit report folder.

    /usr/bin/python3 tools/render_html.py REPORT_DIR

Standard library only. Reads report.json and the figures/ that tools/plot_report.py drew (PNG
embedded as base64, so the page needs no other file), in the order a reader needs them:
headline prediction, which law wins and how clearly, parameters with intervals, diagnostics,
figures, and how to reproduce the run.
"""
import base64
import html
import json
import math
import os
import sys

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
.headline{font-size:1.35em;background:#f3f7ff;border-left:5px solid #3367d6;padding:.7em 1em;margin:1em 0}
.verdict{background:#f4fbf3;border-left:5px solid #2e8b3a;padding:.6em 1em}
.warn{background:#fff6e5;border-left:5px solid #e69500;padding:.5em 1em;margin:.4em 0}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em} th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right}
th{background:#f6f6f6} td.l,th.l{text-align:left} tr.best td{background:#eef8ec;font-weight:600}
figure{margin:1em 0} figure img{max-width:100%;border:1px solid #eee} figcaption{color:#555;font-size:.9em}
code,pre{background:#f6f6f6;padding:.1em .3em;border-radius:3px} pre{padding:.6em;overflow-x:auto;white-space:pre-wrap}
.muted{color:#777}
"""

# Sets data-images="loaded/total" on <body> once every figure has decoded, and
# data-images-ok="true" when all of them have a width: a headless browser test reads it back.
CHECK_SCRIPT = """
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute('data-images', ok.length + '/' + imgs.length);
  document.body.setAttribute('data-images-ok', String(ok.length === imgs.length));
});
"""

# The criteria a reader compares first come first; anything else follows in file order.
SELECTION_ORDER = ["holdout_mse", "holdout_r2", "cv_mse", "logo_mse", "win_rate", "delta_aic",
                   "akaike_weight", "delta_bic", "r2", "rss", "k", "aic", "bic"]

FIGURE_CAPTIONS = [
    ("fit_", "Data and fitted curves, one colour per model size; bands are bootstrap intervals."),
    ("predictions", "Predictions at the requested targets with their bootstrap intervals."),
    ("selection", "Model-selection statistics per law (green: best)."),
    ("pairs_", "Bootstrap draws of the parameters, pair by pair: correlated or flat directions "
               "show up as ridges."),
    ("perturbation_", "Loss against perturbation strength per setting; triangles mark each "
                      "curve's minimum (the basin)."),
    ("residuals", "Residuals of every law against tokens, coloured by model size: structure here "
                  "means the law misses a trend."),
]


def esc(v):
    return html.escape(str(v))


def fmt(v, digits=4):
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            return "—"
        if isinstance(v, int):
            return str(v)
        a = abs(v)
        if a != 0 and (a >= 1e5 or a < 1e-3):
            return f"{v:.{digits - 1}e}"
        return f"{v:.{digits}g}"
    return esc(v)


def interval(lo, hi):
    if lo is None or hi is None:
        return "—"
    return f"[{fmt(lo)}, {fmt(hi)}]"


def table(header, rows, best=None, left=1):
    out = ["<table><tr>"]
    out += [f'<th class="{"l" if i < left else ""}">{esc(h)}</th>' for i, h in enumerate(header)]
    out.append("</tr>")
    for i, r in enumerate(rows):
        out.append(f'<tr class="{"best" if best is not None and i == best else ""}">')
        out += [f'<td class="{"l" if j < left else ""}">{c}</td>' for j, c in enumerate(r)]
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def section_headline(rep):
    h = rep.get("headline")
    if not h:
        return "<p class='muted'>No prediction target was requested (use <code>--at N=...,D=...</code>).</p>"
    level = h.get("level")
    t = h["target"]
    where = f"N = {fmt(t['N'])}, D = {fmt(t['D'])}"
    if t.get("x") is not None:
        where += f", x = {fmt(t['x'])}"
    pct = f"{fmt(100 * level, 3)}%" if level else ""
    band = ""
    if h.get("lower") is not None and h.get("upper") is not None:
        band = f" &nbsp;({pct} {esc(h['kind'])} interval {interval(h['lower'], h['upper'])})"
    conf = h.get("confidence_band") or {}
    extra = ""
    if conf.get("lower") is not None:
        extra = f"<br>{pct} confidence band of the mean curve {interval(conf['lower'], conf['upper'])}"
    spread = h.get("spread") or {}
    if len(h.get("laws", [])) > 1 and spread.get("min") is not None:
        extra += f"<br>laws' estimates range {fmt(spread['min'])} to {fmt(spread['max'])}"
    return (f"<div class='headline'>Predicted loss at {where}: <b>{fmt(h['estimate'])}</b>{band}"
            f"{extra}<br><span class='muted'>law: {esc(h['law'])}</span></div>")


def section_optimal(rep):
    rows = rep.get("compute_optimal") or []
    if not rows:
        return ""
    level = rep.get("confidence")
    label = f"{fmt(100 * level, 3)}% interval" if level else "interval"
    body = []
    for r in rows:
        for q in ("N", "D", "loss"):
            v = r.get(q) or {}
            body.append([esc(r["law"]), fmt(r.get("budget")), q, fmt(v.get("value")),
                         interval(v.get("lo"), v.get("hi"))])
    return ("<h3>Compute-optimal allocation (C = 6ND)</h3>" +
            table(["law", "budget C", "quantity", "estimate", label], body, left=1))


def section_selection(rep):
    sel = rep.get("selection") or {}
    out = []
    if sel.get("verdict"):
        out.append(f"<p class='verdict'>{esc(sel['verdict'])}</p>")
    rows = sel.get("table") or []
    if rows:
        # Statistics this run did not compute (no groups, no held-out split) are left out.
        keys = [c for c in rows[0].keys()
                if c != "law" and any(r.get(c) is not None for r in rows)]
        cols = [c for c in SELECTION_ORDER if c in keys] + \
            [c for c in keys if c not in SELECTION_ORDER]
        best = next((i for i, r in enumerate(rows) if r.get("law") == sel.get("winner")), None)
        out.append(table(["law"] + cols, [[esc(r["law"])] + [fmt(r.get(c)) for c in cols]
                                          for r in rows], best=best))
    if sel.get("method"):
        out.append(f"<p class='muted'>{esc(sel['method'])}</p>")
    return "".join(out) or "<p class='muted'>Only one law was fitted.</p>"


def section_params(rep):
    out = []
    level = rep.get("confidence")
    label = f"{fmt(100 * level, 3)}% interval" if level else "interval"
    for law in rep.get("laws", []):
        out.append(f"<h3>{esc(law['name'])}</h3><p><code>{esc(law.get('formula', ''))}</code>"
                   f"<br><span class='muted'>{esc(law.get('source', ''))}</span></p>")
        if law.get("note"):
            out.append(f"<p class='muted'>{esc(law['note'])}</p>")
        rows = [[esc(p["name"]), fmt(p.get("value")), fmt(p.get("se")),
                 interval(p.get("lo"), p.get("hi"))] for p in law.get("params", [])]
        out.append(table(["parameter", "estimate", "std. error", label], rows))
        stats = [("status", law.get("status")), ("RSS", law.get("rss")), ("R²", law.get("r2")),
                 ("AIC", law.get("aic")), ("BIC", law.get("bic")),
                 ("resamples", law.get("resamples")),
                 ("failed resamples", law.get("failed_resamples"))]
        out.append("<p class='muted'>" + " · ".join(f"{k} {fmt(v)}" for k, v in stats
                                                     if v is not None) + "</p>")
    return "".join(out)


def section_diagnostics(folder, rep):
    notes = list(rep.get("diagnostics") or [])
    for law in rep.get("laws", []):
        if law.get("converged") is False:
            notes.insert(0, f"{law['name']}: the best fit did not converge ({law.get('status')}).")
    out = "".join(f"<div class='warn'>{esc(n)}</div>" for n in notes) or \
        "<p>Every fit converged; nothing to flag.</p>"
    return out + "".join(figure_html(folder, n) for n in figure_names(folder)
                         if n.startswith("residuals"))


def figure_names(folder):
    fig_dir = os.path.join(folder, "figures")
    if not os.path.isdir(fig_dir):
        return []
    return sorted((f for f in os.listdir(fig_dir) if f.endswith(".png")), key=figure_order)


def figure_html(folder, name):
    with open(os.path.join(folder, "figures", name), "rb") as f:
        data = base64.b64encode(f.read()).decode("ascii")
    caption = next((c for p, c in FIGURE_CAPTIONS if name.startswith(p)), "")
    stem = name[:-4]
    return (f"<figure id='fig-{esc(stem)}'><img alt='{esc(stem)}' "
            f"src='data:image/png;base64,{data}'><figcaption><b>{esc(stem)}</b> — "
            f"{esc(caption)} (SVG: figures/{esc(stem)}.svg)</figcaption></figure>")


def figure_order(name):
    for i, (prefix, _) in enumerate(FIGURE_CAPTIONS):
        if name.startswith(prefix):
            return i, name
    return len(FIGURE_CAPTIONS), name


def section_figures(folder, rep):
    names = [n for n in figure_names(folder) if not n.startswith("residuals")]
    if not names:
        why = rep.get("figures_note") or "no figures were drawn"
        return f"<p class='muted'>{esc(why)}</p>"
    return "".join(figure_html(folder, n) for n in names)


def section_reproduce(rep):
    data = rep.get("data") or {}
    items = [("command", f"<code>{esc(rep.get('command', ''))}</code>"),
             ("shannonfit version", esc(rep.get("version", ""))),
             ("seed", esc(rep.get("seed", ""))),
             ("data", f"{esc(data.get('path', ''))} ({esc(data.get('rows', '?'))} rows used)"),
             ("data SHA-256", f"<code>{esc(data.get('sha256', ''))}</code>")]
    return "<table>" + "".join(f"<tr><th class='l'>{k}</th><td class='l'>{v}</td></tr>"
                               for k, v in items) + "</table>"


def render(folder):
    with open(os.path.join(folder, "report.json")) as f:
        rep = json.load(f)
    title = f"shannonfit report — {os.path.basename((rep.get('data') or {}).get('path', folder))}"
    body = [f"<h1>{esc(title)}</h1>",
            "<h2>Prediction</h2>", section_headline(rep), section_optimal(rep),
            "<h2>Which law wins</h2>", section_selection(rep),
            "<h2>Parameters</h2>", section_params(rep),
            "<h2>Diagnostics</h2>", section_diagnostics(folder, rep),
            "<h2>Figures</h2>", section_figures(folder, rep),
            "<h2>Reproduce</h2>", section_reproduce(rep)]
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{STYLE}</style><script>{CHECK_SCRIPT}</script></head><body>"
            + "\n".join(body) + "</body></html>\n")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 1
    folder = sys.argv[1]
    if not os.path.isfile(os.path.join(folder, "report.json")):
        print(f"render_html: {folder} has no report.json", file=sys.stderr)
        return 2
    path = os.path.join(folder, "report.html")
    with open(path, "w") as f:
        f.write(render(folder))
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
