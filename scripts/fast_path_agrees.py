"""Check that the fast path finds exactly what a whole-module LibCST pass finds.

Usage: python scripts/fast_path_agrees.py DIR [--every N] [-j J]

Plans every *.py file under DIR (or every N-th) twice, with `engine.plan(..., fast=True)` and
`fast=False`, and prints each file whose findings differ (rule, span, severity, safety, message,
replacement). Exit status 1 when any differs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixer.core import engine  # noqa: E402
from fixer.core.registry import all_rules  # noqa: E402


def findings(text: str, path: str, fast: bool) -> list[tuple]:
    result = engine.plan(text, path, all_rules(), fast=fast)
    return [(f.rule_id, (f.span.start_line, f.span.start_col, f.span.end_line, f.span.end_col), f.severity.value, f.safety.value, f.message, f.replacement) for f in result.findings]


def compare(path: str) -> tuple[str, list[tuple], list[tuple]] | None:
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    fast, slow = findings(text, path, True), findings(text, path, False)
    return None if fast == slow else (path, fast, slow)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("-j", type=int, default=2)
    args = parser.parse_args()
    paths = sorted(str(p) for p in args.root.rglob("*.py"))[:: args.every]
    differ = 0
    with multiprocessing.Pool(args.j) as pool:
        for outcome in pool.imap_unordered(compare, paths, chunksize=4):
            if outcome is None:
                continue
            differ += 1
            path, fast, slow = outcome
            print(f"{path}:")
            for item in sorted(set(fast) - set(slow)):
                print(f"  fast only: {item[:5]}")
            for item in sorted(set(slow) - set(fast)):
                print(f"  slow only: {item[:5]}")
    print(f"{len(paths)} files, {differ} differ", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
