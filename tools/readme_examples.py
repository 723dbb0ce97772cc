#!/usr/bin/python3
"""Regenerates the example outputs pasted in README.md, so they never drift from the code.

A block in the README looks like

    <!-- example: shannonfit fit data/synthetic_chinchilla.csv -->
    ```text
    (output of that command, run from the repository root)
    ```
    <!-- /example -->

Every such block is rerun with the built binary (build/shannonfit, or $SHANNONFIT_BINARY) and
its text replaced. With --check, nothing is written and the exit status is 1 when any block
differs. Add an example by adding a block; the command must be deterministic.

The commands run in a scratch directory (--workdir, default a fresh temporary one) that sees the
repository's data/ through a link, so files an example writes (reports/...) never land in the
source tree, while the paths it prints are the ones a user in the repository root would see.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

import doc_blocks

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = re.compile(r"(?P<head><!-- example: (?P<key>.+?) -->\n```text\n)(?P<body>.*?)"
                   r"(?P<tail>```\n<!-- /example -->)", re.S)


def run(cmd, binary, workdir):
    argv = shlex.split(cmd)
    if argv[0] != "shannonfit":
        sys.exit(f"error: README example does not start with 'shannonfit': {cmd}")
    res = subprocess.run([binary] + argv[1:], cwd=workdir, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"error: '{cmd}' exited with {res.returncode}:\n{res.stderr}")
    return res.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="report drift instead of rewriting")
    ap.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    ap.add_argument("--workdir", help="where the examples run (default: a temporary directory)")
    args = ap.parse_args()
    binary = os.environ.get("SHANNONFIT_BINARY", os.path.join(ROOT, "build", "shannonfit"))
    with tempfile.TemporaryDirectory() as scratch:
        workdir = os.path.abspath(args.workdir or scratch)
        os.makedirs(workdir, exist_ok=True)
        data = os.path.join(workdir, "data")
        if not os.path.lexists(data):
            os.symlink(os.path.join(ROOT, "data"), data)
        stale = doc_blocks.refresh(
            args.readme, BLOCK, lambda cmd: run(cmd, binary, workdir), args.check,
            lambda cmd: f"README example '{cmd}': the output changed: check whether that is "
            "intended")
    print(f"README.md: {len(stale)} example(s) updated")


if __name__ == "__main__":
    main()
