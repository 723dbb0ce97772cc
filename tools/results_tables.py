#!/usr/bin/python3
"""Renders the tables of docs/results.md from the JSON that `shannonfit compare --out` wrote.

A block in docs/results.md looks like

    <!-- results: docs/results/gadre_protocol.json -->
    (tables rendered from that file)
    <!-- /results -->

The JSON files are produced by the commands written next to each block (seeded, so they
reproduce byte for byte); this script only formats them, so the numbers in the doc are the
measured ones. With --check, nothing is written and the exit status is 1 when any block differs.
"""
import argparse
import json
import math
import os
import re

import doc_blocks

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = re.compile(r"(?P<head><!-- results: (?P<key>\S+) -->\n)(?P<body>.*?)(?P<tail><!-- /results -->)",
                   re.S)


def num(v):
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    return f"{v:.4g}".replace("-", "−")


def cell(v, interval):
    if not interval:
        return num(v)
    return f"{num(v)} [{num(interval['lo'])}, {num(interval['hi'])}]"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def group_label(s):
    return s["label"].rsplit("=", 1)[-1]


def parameter_count(law):
    # A compare document of schema_version 2 lists k on each law's selection line; the files of
    # docs/results/ made before it carry k only in the fit's statistics.
    return law["k"] if "k" in law else law["statistics"]["k"]


def single_slice(doc):
    s = doc["slices"][0]
    laws = s["laws"]
    rows = []
    for law in laws:
        h = law["holdout"]["pooled"]
        rows.append([str(law["rank"]), law["law"], str(parameter_count(law)),
                     cell(h["mse"], h.get("mse_interval")), cell(h["r2"], h.get("r2_interval")),
                     num(law.get("win_rate"))])
    out = table(["rank", "law", "k", "held-out MSE [95% CI]", "held-out R² pooled [95% CI]",
                 "win rate"], rows)
    groups = [g["group"] for g in laws[0]["holdout"]["groups"]]
    if groups:
        rows = []
        for law in laws:
            by = {g["group"]: g for g in law["holdout"]["groups"]}
            rows.append([law["law"]] + [cell(by[g]["r2"], by[g].get("r2_interval")) for g in groups])
        out += "\nHeld-out R² per held-out curve [95% CI]:\n\n" + table(["law"] + groups, rows)
    return out


def pooled_slices(doc):
    p = doc["pooled_over_slices"]
    names = [group_label(s) for s in doc["slices"]]
    rows = []
    for law in p["laws"]:
        by = {s["by"]: s for s in law["slices"]}
        rows.append([str(law["rank"]), law["law"]] +
                    [cell(by[n]["r2"], by[n].get("r2_interval")) for n in names] +
                    [cell(law["mse"], law.get("mse_interval")), cell(law["r2"], law.get("r2_interval")),
                     num(law.get("win_rate"))])
    out = table(["rank", "law"] + [f"{n} R² [95% CI]" for n in names] +
                ["pooled MSE [95% CI]", "pooled R² [95% CI]", "win rate"], rows)
    # Predicted against actual loss for every held-out model, per law.
    order = [law["law"] for law in p["laws"]]
    rows = []
    for s in doc["slices"]:
        by_law = {law["law"]: law["holdout"].get("curve", []) for law in s["laws"]}
        for i, point in enumerate(by_law[order[0]]):
            rows.append([group_label(s), f"{point['N'] / 1e9:.3g}B", f"{point['D'] / 1e9:.4g}B",
                         num(point["actual"])] +
                        [num(by_law[name][i]["predicted"]) for name in order])
    if rows:
        out += ("\nPredicted against actual loss of every held-out model (fits on the training "
                "rows of its own dataset):\n\n" +
                table(["dataset", "N", "D", "actual"] + order, rows))
    return out


def render(path):
    with open(os.path.join(ROOT, path)) as f:
        doc = json.load(f)
    return pooled_slices(doc) if "pooled_over_slices" in doc else single_slice(doc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="report drift instead of rewriting")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "results.md"))
    args = ap.parse_args()
    doc_blocks.refresh(args.doc, BLOCK, render, args.check,
                       lambda path: f"docs/results.md tables are out of date with {path}")


if __name__ == "__main__":
    main()
