"""Every finding on the equivalence fuzzer's programs, one line each, to diff two source trees.

The findings JSON of a real corpus misses what real code rarely writes (`torch.from_numpy` values in
grad code); the generated programs write it all. A change meant to keep behaviour must keep this
output byte-identical:

    PYTHONPATH=OLD python scripts/fuzz_findings.py --tree OLD > /tmp/old.txt
    PYTHONPATH=.   python scripts/fuzz_findings.py > /tmp/new.txt
    diff /tmp/old.txt /tmp/new.txt

`--tree` is the tree whose `tests/equivalence_programs.py` generates the programs (the same seeds
give the same programs in both trees as long as that file is unchanged).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--programs", type=int, default=2000)
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree))
    from tests.equivalence_programs import generate, module_source

    if importlib.util.find_spec("fixer.engine") is not None:  # a tree from before the fixer/core layout
        from fixer import engine, registry  # type: ignore[attr-defined]
    else:
        from fixer.core import engine, registry
    rules = registry.all_rules()
    for seed in range(args.programs):
        result = engine.plan(module_source([generate(seed)]), f"prog_{seed}.py", rules)
        for f in result.findings:
            print(seed, f.rule_id, f.span.start_line, f.safety.value, f.severity.value, f.message)


if __name__ == "__main__":
    main()
