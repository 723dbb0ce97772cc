#!/usr/bin/python3
"""Writes REPORT_DIR/report.html: one self-contained page from a shannonfit report folder.

    python3 render_html.py REPORT_DIR

(`shannonfit analyze` runs it from <prefix>/share/shannonfit, or share/shannonfit in the build.)
Standard library only. Reads report.json and the figures/ that plot_report.py drew (PNG
embedded as base64, so the page needs no other file), in the order a reader needs them: the
answer (the prediction at the target with its interval, the interval's kind and level, and the
spread across laws), which law wins and how surely, the warnings, the compute-optimal
allocation; then the details: the ranking's table, parameters with intervals, routine notes,
figures, and how to reproduce the run.
"""
import base64
import html
import json
import math
import os
import sys

from report_units import headline, human, kind_in_words, percent, split_diagnostics

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
.headline{font-size:1.35em;background:#f3f7ff;border-left:5px solid #3367d6;padding:.7em 1em;margin:1em 0}
.verdict{background:#f4fbf3;border-left:5px solid #2e8b3a;padding:.6em 1em}
.warn{background:#fff6e5;border-left:5px solid #e69500;padding:.5em 1em;margin:.4em 0}
.warnings h2{color:#a35f00;border-color:#e69500} .notes li{color:#555;margin:.15em 0}
.answer{font-size:1.7em;font-weight:700} .kind{color:#444;font-size:.8em} .headline .muted{font-size:.7em}
.spread td,.spread th{font-size:.85em}
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
    ("fit_", "Data and fitted curves, one colour per model size, with the bootstrap confidence "
             "band at the report's level; the star marks each prediction target."),
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


def target_text(target):
    at = target.get("at") or {}
    if set(at) - {"N", "D", "x"}:
        # A law over columns of its own: the point in its own variables.
        return ", ".join(f"{esc(name)} = {human(value)}" for name, value in at.items())
    where = f"N = {human(target.get('N'))} parameters, D = {human(target.get('D'))} tokens"
    if target.get("x"):
        where += f", x = {fmt(target['x'])}"
    return where


def section_headline(rep):
    h = headline(rep)
    if not h:
        return ("<p class='muted'>No prediction target was requested (add "
                "<code>--at N=12B,D=307B</code>).</p>")
    kind = h.get("kind") or "confidence"
    level = h.get("level")
    response = esc(rep.get("response") or "loss")
    lines = [f"Predicted {response} at {target_text(h.get('target') or {})}: "
             f"<span class='answer'>{fmt(h.get('estimate'))}</span>"]
    if h.get("lower") is not None and h.get("upper") is not None:
        lines.append(f"{percent(level)} {esc(kind)} interval "
                     f"<b>{interval(h['lower'], h['upper'])}</b>"
                     f"<br><span class='kind'>A {esc(kind)} interval says "
                     f"{esc(kind_in_words(kind, rep.get('response') or 'loss'))}.</span>")
    band = h.get("confidence_band")
    if band and kind != "confidence":
        lines.append(f"<span class='kind'>The curve itself: {percent(level)} confidence band "
                     f"{interval(band.get('lower'), band.get('upper'))}.</span>")
    law = h.get("law") or ""
    method = h.get("method")
    lines.append(f"<span class='muted'>law: {esc(law)}" + (f" — {esc(method)}" if method else "")
                 + "</span>")
    if h.get("law_choice"):
        lines.append(f"<span class='kind'>{esc(h['law_choice'])}</span>")
    return ("<div class='headline'>" + "<br>".join(lines) + "</div>" +
            section_spread(h, level, response))


def section_spread(h, level, response):
    laws = h.get("laws") or []
    spread = h.get("spread")
    if len(laws) < 2 or not spread:
        return ""
    rows = [[esc(p.get("law")), fmt(p.get("estimate")), interval(p.get("lower"), p.get("upper")),
             esc(p.get("kind") or "")] for p in laws]
    best = next((i for i, p in enumerate(laws) if p.get("law") == h.get("law")), None)
    return (f"<p>Across the {len(laws)} laws the prediction spreads from "
            f"<b>{fmt(spread.get('min'))}</b> to <b>{fmt(spread.get('max'))}</b>: how much the "
            f"answer depends on the choice of law.</p><div class='spread'>" +
            table(["law", f"predicted {response}", f"{percent(level)} interval", "kind"], rows,
                  best=best) + "</div>")


def section_warnings(rep):
    warnings, _ = split_diagnostics(list(rep.get("diagnostics") or []))
    for law in rep.get("laws", []):
        fit = law.get("fit") or {"status": "failed", "converged": False}
        if fit.get("converged") is False:
            warnings.insert(0, f"{law['name']}: the best fit did not converge "
                               f"({fit.get('status')}).")
    if not warnings:
        return ""
    return (f"<section class='warnings'><h2>Warnings ({len(warnings)})</h2>" +
            "".join(f"<div class='warn'>{esc(w)}</div>" for w in warnings) + "</section>")


def section_optimal(rep):
    rows = rep.get("compute_optimal") or []
    if not rows:
        return ""
    level = rep.get("confidence")
    label = f"{percent(level)} interval" if level else "interval"
    body = []
    for r in rows:
        for q in ("N", "D", "loss"):
            v = r.get(q) or {}
            show = fmt if q == "loss" else human
            low, high = v.get("lo"), v.get("hi")
            body.append([esc(r["law"]), human(r.get("budget")) + " FLOP", q, show(v.get("value")),
                         "—" if low is None or high is None else f"[{show(low)}, {show(high)}]"])
    return ("<h2>Compute-optimal allocation (C = 6ND)</h2>" +
            table(["law", "budget C", "quantity", "estimate", label], body, left=1))


def section_verdict(rep):
    sel = rep.get("selection") or {}
    if not sel.get("verdict"):
        return "<p class='muted'>Only one law was fitted.</p>"
    return f"<p class='verdict'>{esc(sel['verdict'])}</p>"


def section_selection(rep):
    sel = rep.get("selection") or {}
    out = []
    rows = sel.get("laws") or []
    if rows:
        # Statistics this run did not compute (no groups, no held-out split) are left out, as
        # are the rank (the rows' order) and the row count (the same for every law).
        keys = [c for c in rows[0].keys()
                if c not in ("law", "rank", "n") and any(r.get(c) is not None for r in rows)]
        cols = [c for c in SELECTION_ORDER if c in keys] + \
            [c for c in keys if c not in SELECTION_ORDER]
        best = next((i for i, r in enumerate(rows) if r.get("law") == sel.get("winner")), None)
        out.append(table(["law"] + cols, [[esc(r["law"])] + [fmt(r.get(c)) for c in cols]
                                          for r in rows], best=best))
    if sel.get("method"):
        out.append(f"<p class='muted'>{esc(sel['method'])}</p>")
    return "".join(out)


def section_params(rep):
    out = []
    level = rep.get("confidence")
    label = f"{percent(level)} interval" if level else "interval"
    for law in rep.get("laws", []):
        out.append(f"<h3>{esc(law['name'])}</h3><p><code>{esc(law.get('formula', ''))}</code>"
                   f"<br><span class='muted'>{esc(law.get('source', ''))}</span></p>")
        if law.get("note"):
            out.append(f"<p class='muted'>{esc(law['note'])}</p>")
        rows = [[esc(p["name"]), fmt(p.get("value")), fmt(p.get("se")),
                 interval(p.get("lo"), p.get("hi"))] for p in law.get("params", [])]
        out.append(table(["parameter", "estimate", "std. error", label], rows))
        fit = law.get("fit") or {"status": "failed"}
        statistics = fit.get("statistics", {})
        stats = [("status", fit.get("status")), ("RSS", statistics.get("rss")),
                 ("R²", statistics.get("r2")), ("AIC", statistics.get("aic")),
                 ("BIC", statistics.get("bic")),
                 ("resamples", law.get("resamples")),
                 ("failed resamples", law.get("failed_resamples"))]
        out.append("<p class='muted'>" + " · ".join(f"{k} {fmt(v)}" for k, v in stats
                                                     if v is not None) + "</p>")
    return "".join(out)


def section_notes(folder, rep):
    _, notes = split_diagnostics(list(rep.get("diagnostics") or []))
    items = "".join(f"<li>{esc(n)}</li>" for n in notes)
    out = (f"<details open><summary>Routine notes ({len(notes)})</summary>"
           f"<ul class='notes'>{items}</ul></details>") if notes else \
        "<p class='muted'>Nothing routine to note.</p>"
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
    items = [("command", f"<code>{esc(rep.get('command_line', ''))}</code>"),
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
    # The answer first, then how sure, then what needs attention; details after.
    body = [f"<h1>{esc(title)}</h1>",
            section_headline(rep),
            "<h2>Which law wins</h2>", section_verdict(rep),
            section_warnings(rep),
            section_optimal(rep),
            "<h2>Ranking in detail</h2>", section_selection(rep),
            "<h2>Parameters</h2>", section_params(rep),
            "<h2>Notes and residuals</h2>", section_notes(folder, rep),
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
