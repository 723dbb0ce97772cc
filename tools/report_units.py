"""Numbers and notes as the report's reader wants them; shared by plot_report.py and
render_html.py (installed beside them in <prefix>/share/shannonfit/).

    human(1.2e10) == "12B", human(3.07e11) == "307B", human(1.4e12) == "1.4T"
"""
import math

# The engine marks the diagnostics that need the reader's attention with this prefix; every
# other one is a routine note (how the starts ended, a law's standing caveat).
WARNING_PREFIX = "WARNING "

_SUFFIXES = (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3))


def human(value, digits=3):
    """A parameter count, token count or budget with a K/M/B/T suffix (12B, 307B, 1.4T);
    beyond 1000T, as 5.76e23."""
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "—"
    magnitude = abs(value)
    if magnitude >= 1e15:
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"
    for suffix, scale in _SUFFIXES:
        if magnitude >= scale:
            return f"{value / scale:.{digits}g}{suffix}"
    return f"{value:.{digits}g}"


def percent(level):
    """0.9 -> "90%"."""
    return f"{100 * level:.3g}%" if isinstance(level, (int, float)) else "?"


def split_diagnostics(diagnostics):
    """(warnings, notes): the engine's diagnostics that need attention, and the routine ones."""
    warnings = [d[len(WARNING_PREFIX):] for d in diagnostics if d.startswith(WARNING_PREFIX)]
    notes = [d for d in diagnostics if not d.startswith(WARNING_PREFIX)]
    return warnings, notes


def headline(rep):
    """The answer at the first target as one dict, whether report.json carries the headline
    object (target, kind, level, estimate, lower, upper, law, method, laws, spread) or only the
    winner's prediction (label, N, D, loss, lo, hi, law). None without a target."""
    h = rep.get("headline")
    if not h:
        return None
    if "estimate" in h:
        return h
    level = rep.get("confidence")
    laws = [p for p in rep.get("predictions") or [] if p.get("label") == h.get("label")]
    values = [p["loss"] for p in laws if isinstance(p.get("loss"), (int, float))]
    target = {"N": h["N"], "D": h["D"]}
    if h.get("x") is not None:
        target["x"] = h["x"]
    return {"target": target, "kind": "confidence", "level": level, "estimate": h.get("loss"),
            "lower": h.get("lo"), "upper": h.get("hi"), "law": h.get("law"),
            "method": "bootstrap interval of the law that wins the ranking",
            "laws": [{"law": p["law"], "estimate": p.get("loss"), "lower": p.get("lo"),
                      "upper": p.get("hi"), "kind": "confidence"} for p in laws],
            "spread": {"min": min(values), "max": max(values)} if values else None}


def kind_in_words(kind, response="loss"):
    """What an interval of this kind says, the response named as report.json's "response"."""
    words = {
        "confidence": "where the law's curve lies at the target (uncertainty of the fitted "
                      "parameters only)",
        "prediction": f"where a new training run's measured {response} would fall (the curve's "
                      "uncertainty plus the run-to-run scatter of the data around it)",
    }
    return words.get(kind, kind)
