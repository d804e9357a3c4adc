"""Fuzz the engine for a while: generated programs, and generated code with in-place writes inserted.

    .venv/bin/python scripts/fuzz.py --minutes 10 [--out /tmp/outplace-fuzz] [--seed 1]

Each program is fixed with every fix accepted (safe and unsafe) and checked by
`tests.fuzzing.check_program`: the engine never raises, fails only inputs that do not parse, its
output parses, a second run changes nothing, and the unified diff applied to the input gives the
output. A failure is shrunk by hypothesis, written to `--out` once per kind of failure, and the run
goes on; the closing note says how many programs were tried and what was found. Exit 1 when
anything was found.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests.fuzzing import PropertyFailure, check_program, programs  # noqa: E402

BATCH = 200  # examples per hypothesis run; each run starts from a fresh seed


def signature(failure: PropertyFailure) -> str:
    """Failures that differ only in names, numbers or quoted code count as one."""
    detail = str(failure).split(":", 1)[-1]
    detail = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", detail)
    return f"{failure.kind}:{detail[:80]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=Path("/tmp/outplace-fuzz"))
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # SyntaxWarnings of generated code: noise here
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.minutes * 60
    tried: set[bytes] = set()
    changed = 0
    found: dict[str, tuple[str, PropertyFailure]] = {}
    duplicates = 0
    last: dict[str, str] = {}

    while time.monotonic() < deadline:

        @settings(
            max_examples=BATCH, deadline=None, database=None, print_blob=False,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        @seed(rng.getrandbits(64))
        @given(programs())
        def batch(text: str) -> None:
            nonlocal changed, duplicates
            if time.monotonic() > deadline:
                return
            digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).digest()
            new_program = digest not in tried
            tried.add(digest)
            try:
                fixed = check_program(text)  # always: hypothesis replays a failure to confirm it
                changed += new_program and fixed is not None
            except PropertyFailure as failure:
                key = signature(failure)
                if key in found:
                    duplicates += new_program
                    return  # known: look for something new
                last[key] = text
                raise

        try:
            batch()
        except PropertyFailure as failure:
            key = signature(failure)
            found[key] = (last[key], failure)  # hypothesis replays the shrunk example last
            path = args.out / f"{len(found):03d}.py"
            path.write_text(f"# {failure}\n{last[key]}", encoding="utf-8", errors="surrogatepass")
            print(f"found: {failure} -> {path}", flush=True)
        except Exception as error:  # noqa: BLE001 -- the harness itself; say so and go on
            print(f"harness error: {type(error).__name__}: {error}", flush=True)

    print(
        f"\ntried {len(tried)} programs in {args.minutes:g} min; the engine changed {changed}; "
        f"{len(found)} kinds of failure found ({duplicates} more programs hit a known one)"
    )
    for key, (text, failure) in found.items():
        print(f"- {failure}\n  {len(text)} characters, in {args.out}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
