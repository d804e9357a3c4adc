"""Differential fuzzing: does `outplace fix` change what generated PyTorch programs compute?

    .venv/bin/python scripts/equivalence_fuzz.py --programs 20000 --seed 0 [--unsafe-fixes] [--jobs 2]
        [--out /tmp/outplace-equivalence] [--shrink 200] [--multiline]

Programs come from `tests/equivalence_programs.py` (program `i` of a run is the program of seed
`seed + i`, so any one is reproduced alone), are fixed by the engine in process (safe fixes, plus
unsafe ones with `--unsafe-fixes`), and every program the fix changed is run before and after in a
worker process; `tests/equivalence.py` compares what they computed. Up to `--shrink` differences
are shrunk to a minimal program and classified (`tests/equivalence_shrink.py`) and written to
`--out` (files, and `shrunk.pickle`); the class rates in the summary are measured on those. Exit 1
when a safe fix changed a program or outplace crashed. `--recheck OUT/shrunk.pickle` runs only the
shrunk examples of an earlier run again: what a change of the analysis fixed, class by class.
"""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import sys
import time
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.equivalence import BatchResult, Difference, check, check_seeds  # noqa: E402
from tests.equivalence_shrink import CLASSES, classify, shrink  # noqa: E402
from tests.equivalence_programs import HEADER  # noqa: E402

BATCH = 40  # programs fixed as one module: the engine's cost per program is lowest near this size


def _start_worker() -> None:
    import torch

    torch.set_num_threads(1)  # one core per job
    warnings.simplefilter("ignore")


def _check(first: int, count: int, unsafe: bool, multiline: bool) -> BatchResult:
    return check_seeds(range(first, first + count), unsafe, multiline)


def _shrink(difference: Difference, unsafe: bool) -> Difference:
    return shrink(difference, unsafe)


def example_text(difference: Difference, label: str) -> str:
    """A runnable file: the shrunk program, then outplace's rewrite of it and what differed, as comments."""
    after = "".join(f"# {line}\n" for line in difference.after.splitlines())
    details = "".join(f"#   {d}\n" for d in difference.details)
    return (f"# {label}: {difference.summary}\n{HEADER}\n\n{difference.program.source()}\n\n"
            f"# after `outplace fix`:\n{after}# differences:\n{details}")


def recheck(path: Path, unsafe: bool) -> int:
    """Run the shrunk examples of an earlier run again: which still differ, by class."""
    with open(path, "rb") as handle:
        examples: list[Difference] = pickle.load(handle)
    _start_worker()
    still: Counter[str] = Counter()
    for example in examples:
        found = check([example.program], unsafe).differences
        if found:
            still[classify(found[0])] += 1
            print(f"{example.program.name}: [{classify(found[0])}] {found[0].summary}")
    before = Counter(classify(example) for example in examples)
    print(f"\n{sum(still.values())} of {len(examples)} examples still differ")
    for label in CLASSES:
        if before[label] or still[label]:
            print(f"  {label:16} {still[label]:4} of {before[label]}")
    return 1 if still else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--unsafe-fixes", action="store_true")
    parser.add_argument("--multiline", action="store_true", help="spread some calls' arguments over lines")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("/tmp/outplace-equivalence"))
    parser.add_argument("--shrink", type=int, default=200, help="shrink and classify at most this many differences")
    parser.add_argument("--recheck", type=Path, help="only run the shrunk examples of an earlier run's shrunk.pickle")
    args = parser.parse_args()
    unsafe = args.unsafe_fixes
    if args.recheck:
        return recheck(args.recheck, unsafe)
    started = time.monotonic()
    total = BatchResult()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.jobs, mp_context=context, initializer=_start_worker) as pool:
        firsts = range(args.seed, args.seed + args.programs, BATCH)
        counts = [min(BATCH, args.seed + args.programs - first) for first in firsts]
        for done, result in enumerate(pool.map(_check, firsts, counts, [unsafe] * len(counts),
                                                       [args.multiline] * len(counts)), start=1):
            total.add(result)
            if done % 25 == 0:
                print(f"... {total.programs} programs, {len(total.differences)} differences",
                      file=sys.stderr, flush=True)
        checked = time.monotonic() - started
        sample = sorted(total.differences, key=lambda d: (d.kind != "crash", d.program.seed))[: args.shrink]
        shrunk = [(d, classify(d)) for d in pool.map(_shrink, sample, [unsafe] * len(sample))]
    elapsed = time.monotonic() - started

    mode = "safe and unsafe fixes" if unsafe else "safe fixes"
    print(f"{total.programs} programs (seeds {args.seed}..{args.seed + args.programs - 1}), {mode}, "
          f"{args.jobs} jobs: {checked:.0f} s to fix and run ({total.programs / checked:.1f} programs/s), "
          f"{elapsed - checked:.0f} s to shrink {len(shrunk)}")
    print(f"fixes applied: {total.safe_fixes} safe, {total.unsafe_fixes} unsafe, in {total.changed} programs "
          f"({total.before_raised} of them raised before the fix, {total.fixed_backward} no longer fail in backward)")
    crashes = sum(d.kind == "crash" for d in total.differences)
    print(f"differences: {len(total.differences)} programs ({len(total.differences) / max(total.changed, 1):.1%} "
          f"of the changed ones), {crashes} outplace crashes")
    classes = Counter(label for _, label in shrunk)
    if crashes:
        print(f"  {'crash':16} {crashes:4} (all of them, shrunk first)")
    sampled = len(shrunk) - classes["crash"]
    scale = (len(total.differences) - crashes) / max(sampled, 1)  # the others are a sample: scale it up
    for label in CLASSES:
        if classes[label] and label != "crash":
            print(f"  {label:16} {classes[label]:4} of {sampled} shrunk (~{classes[label] * scale:.0f} of all, "
                  f"{classes[label] * scale / max(total.programs, 1):.2%} of the programs)")
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "shrunk.pickle", "wb") as handle:  # to classify them again without running anything
        pickle.dump([d for d, _ in shrunk], handle)
    for difference, label in shrunk:
        folder = args.out / label.replace(" ", "-")
        folder.mkdir(exist_ok=True)
        (folder / f"{difference.program.name}.py").write_text(example_text(difference, label), encoding="utf-8")
    shown: Counter[str] = Counter()
    for difference, label in sorted(shrunk, key=lambda pair: len(pair[0].program.source())):
        if shown[label] < 2:
            shown[label] += 1
            print(f"\n{example_text(difference, label).removeprefix('# ').split(HEADER)[0]}"
                  f"{difference.program.source()}--- after the fix:\n{difference.after}")
    if shrunk:
        print(f"\n{len(shrunk)} shrunk examples in {args.out}/<class>/")
    return 1 if total.differences and (not unsafe or crashes) else 0


if __name__ == "__main__":
    sys.exit(main())
