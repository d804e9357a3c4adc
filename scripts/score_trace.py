"""Score `outplace trace --fix` on a corpus of failing programs (format: `# expect: error` cases).

    python scripts/score_trace.py CORPUS_DIR [--list] [--flags "--fix --unsafe-fixes"]

Each failing case is copied to a temporary folder beside a driver that runs
`run(*make_inputs()).backward()`; `outplace trace --fix --unsafe-fixes -- python driver.py` runs
there. The case is *fixed* when the rewritten case's backward runs and its forward value and
gradients (of the input tensors that require grad and of every parameter of every `nn.Module`
among the inputs) equal those of its `reference`.
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

from tests.golden_support import load_module  # noqa: E402

EXPECT_ERROR = re.compile(r"^# expect: error$", re.MULTILINE)
DRIVER = "from case import make_inputs, run\n\nrun(*make_inputs()).backward()\n"
TIMEOUT = 300


def traced_fix(case: Path, folder: Path, flags: list[str]) -> tuple[Path, str]:
    """The case after `outplace trace FLAGS -- python driver.py` ran on a copy of it, and its output."""
    shutil.copy(case, folder / "case.py")
    (folder / "driver.py").write_text(DRIVER)
    command = [sys.executable, "-m", "fixer", "trace", *flags, "--", sys.executable, "driver.py"]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env,
                         stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    return folder / "case.py", run.stderr


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
        program = load_module(fixed)  # its own inputs: a module in them runs the fixed class's forward
        inputs = as_tuple(program.make_inputs())
        value = program.run(*inputs)
        value.backward()
    except Exception as error:  # the fixed program's own failure is the measurement
        return f"fixed case fails: {type(error).__name__}: {str(error).splitlines()[0][:120]}"
    reference_inputs = as_tuple(load_module(original).make_inputs())
    want = load_module(original).reference(*reference_inputs)
    want.backward()
    if not same(value.detach(), want.detach()):
        return "forward value differs from the reference"
    got, expected = gradients(inputs), gradients(reference_inputs)
    if len(got) != len(expected) or not all(same(g, w) for g, w in zip(got, expected)):
        return "gradients differ from the reference"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--list", action="store_true", help="print each case's outcome")
    parser.add_argument("-v", "--verbose", action="store_true", help="with --list: show trace's output for cases not fixed")
    parser.add_argument("--flags", default="--fix --unsafe-fixes", help="the flags given to `outplace trace`")
    args = parser.parse_args()
    cases = [p for p in sorted(args.corpus.glob("*.py")) if EXPECT_ERROR.search(p.read_text())]
    fixed = 0
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="score-trace-") as tmp:
            rewritten, output = traced_fix(case, Path(tmp), shlex.split(args.flags))
            problem = runs_like_reference(rewritten, case)
            if problem is None and rewritten.read_text() == case.read_text():
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
