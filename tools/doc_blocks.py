"""Refreshes the generated blocks of a document, shared by readme_examples.py and results_tables.py.

A block pattern has four named groups: `head` (the opening marker), `key` (what the block is
generated from: a command, a JSON path), `body` (the generated text) and `tail` (the closing
marker). Only the body is ever rewritten, so the markers and everything between blocks stay as
the author wrote them.
"""
import sys


def refresh(doc, block, render, check, stale_message):
    """Re-renders every block of `doc` with render(key).

    With `check`, writes nothing, prints stale_message(key) for each block that differs and exits
    1 if any did (0 otherwise). Without it, rewrites the file only when something changed.
    Returns the keys of the blocks that differed.
    """
    with open(doc) as f:
        text = f.read()
    stale = []

    def one(m):
        body = render(m.group("key"))
        if body != m.group("body"):
            stale.append(m.group("key"))
        return m.group("head") + body + m.group("tail")

    new = block.sub(one, text)
    if check:
        for key in stale:
            print(stale_message(key), file=sys.stderr)
        sys.exit(1 if stale else 0)
    if new != text:
        with open(doc, "w") as f:
            f.write(new)
    return stale
