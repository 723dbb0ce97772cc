#!/usr/bin/python3
"""Structural difference of two JSON documents, one line per differing leaf or key.

    tools/json_diff.py BEFORE.json AFTER.json

"+ path: value" is a key only AFTER has, "- path: value" one only BEFORE has, "~ path: a -> b" a
value that changed (numbers compared exactly). Prints "identical" when nothing differs; the
exit status is 0 either way. Used to show that a refactoring changes a command's output only
where the schema changed on purpose.
"""
import json
import sys


def walk(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append(f"+ {path}/{k}: {json.dumps(b[k])[:120]}")
            elif k not in b:
                out.append(f"- {path}/{k}: {json.dumps(a[k])[:120]}")
            else:
                walk(a[k], b[k], f"{path}/{k}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"~ {path}: {len(a)} items -> {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", out)
    elif a != b or type(a) is not type(b):
        out.append(f"~ {path}: {json.dumps(a)[:80]} -> {json.dumps(b)[:80]}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        before = json.load(f)
    with open(sys.argv[2]) as f:
        after = json.load(f)
    out = []
    walk(before, after, "", out)
    print("\n".join(out) if out else "identical")


if __name__ == "__main__":
    main()
