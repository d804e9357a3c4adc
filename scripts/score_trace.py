"""Score `outplace trace --fix` on a corpus of failing programs (format: `# expect: error` cases).

    python scripts/score_trace.py CORPUS_DIR [--list] [--flags "--fix --unsafe-fixes"]

Each failing case is copied to a temporary folder beside a driver that runs
`run(*make_inputs()).backward()`; `outplace trace --fix --unsafe-fixes -- python driver.py` runs
there. The case is *fixed* when the rewritten case's backward runs and its forward value and
gradients (of the input tensors that require grad and of every parameter of every `nn.Module`
among the inputs) equal those of its `reference`.

A folder case (see scripts/score_corpus.py) is copied whole; its driver imports `main`, so the
trace sees the writes in whichever of its modules they are, and the rewritten folder is run as
`python main.py` would run it.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.golden_support import corpus_cases, load_program, main_file  # noqa: E402

EXPECT_ERROR = re.compile(r"^# expect: error$", re.MULTILINE)
DRIVER = "from {module} import make_inputs, run\n\nrun(*make_inputs()).backward()\n"
TIMEOUT = 300


def traced_fix(case: Path, folder: Path, flags: list[str]) -> tuple[Path, str]:
    """The case after `outplace trace FLAGS -- python driver.py` ran on a copy of it, and its output."""
    if case.is_dir():
        shutil.copytree(case, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        (folder / "driver.py").write_text(DRIVER.format(module="main"))
    else:
        shutil.copy(case, folder / "case.py")
        (folder / "driver.py").write_text(DRIVER.format(module="case"))
    command = [sys.executable, "-m", "fixer", "trace", *flags, "--", sys.executable, "driver.py"]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env,
                         stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    return (folder if case.is_dir() else folder / "case.py"), run.stderr


def gradients(inputs: tuple[object, ...]) -> list[torch.Tensor | None]:
    """The gradients of the inputs that require grad, then of every parameter of the input modules."""
    found: list[torch.Tensor | None] = []
    for value in inputs:
        if isinstance(value, torch.Tensor) and value.requires_grad:
            found.append(value.grad)
        elif isinstance(value, torch.nn.Module):
            found += [p.grad for p in value.parameters()]
    return found


def as_tuple(made: object) -> tuple[object, ...]:
    return tuple(made) if isinstance(made, (tuple, list)) else (made,)


def same(a: torch.Tensor | None, b: torch.Tensor | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True)


def runs_like_reference(fixed: Path, original: Path) -> str | None:
    """None when the fixed case trains like the reference, else what differs."""
    try:
        program = load_program(fixed)  # its own inputs: a module in them runs the fixed class's forward
        inputs = as_tuple(program.make_inputs())
        value = program.run(*inputs)
        value.backward()
    except Exception as error:  # the fixed program's own failure is the measurement
        return f"fixed case fails: {type(error).__name__}: {str(error).splitlines()[0][:120]}"
    reference_program = load_program(original)
    reference_inputs = as_tuple(reference_program.make_inputs())
    want = reference_program.reference(*reference_inputs)
    want.backward()
    if not same(value.detach(), want.detach()):
        return "forward value differs from the reference"
    got, expected = gradients(inputs), gradients(reference_inputs)
    if len(got) != len(expected) or not all(same(g, w) for g, w in zip(got, expected)):
        return "gradients differ from the reference"
    return None


def texts(case: Path) -> dict[str, str]:
    """The case's source files by name (a folder case's modules; its driver aside)."""
    paths = sorted(case.glob("*.py")) if case.is_dir() else [case]
    return {p.name: p.read_text() for p in paths if p.name != "driver.py"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--list", action="store_true", help="print each case's outcome")
    parser.add_argument("-v", "--verbose", action="store_true", help="with --list: show trace's output for cases not fixed")
    parser.add_argument("--flags", default="--fix --unsafe-fixes", help="the flags given to `outplace trace`")
    args = parser.parse_args()
    cases = [p for p in corpus_cases(args.corpus) if EXPECT_ERROR.search(main_file(p).read_text())]
    fixed = 0
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="score-trace-") as tmp:
            rewritten, output = traced_fix(case, Path(tmp), shlex.split(args.flags))
            problem = runs_like_reference(rewritten, case)
            if problem is None and list(texts(rewritten).values()) == list(texts(case).values()):
                problem = "not changed"  # a failing case cannot train unchanged: the driver is wrong
        fixed += problem is None
        if args.list:
            print(f"{'fixed' if problem is None else 'NOT fixed'}  {case.name}" + (f"  ({problem})" if problem else ""))
            if problem and args.verbose:
                print("    " + output.replace("\n", "\n    "))
    print(f"trace --fix: fixed {fixed}/{len(cases)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
