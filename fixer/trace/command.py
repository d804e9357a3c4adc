"""`outplace trace [--fix] -- COMMAND`: run the program under the watcher and report (the parent side)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from fixer.trace.report import TraceReport, render
from fixer.core.types import Finding

PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)


class TraceError(Exception):
    """A usage problem: the message is one line for the user."""


def child_command(command: list[str], report: Path) -> list[str]:
    """The interpreter to use and the bootstrap arguments for `python X.py`, `-m mod`, `pytest ...`."""
    if not command:
        raise TraceError("outplace trace: nothing to run: give the program after `--`, e.g. `outplace trace -- python train.py`")
    head, rest = command[0], command[1:]
    if head == "-m":
        return [sys.executable, "-m", "fixer.trace.bootstrap", str(report), "--", "-m", *rest]
    if Path(head).name.startswith("python"):
        interpreter = shutil.which(head) or head
        if not rest:
            raise TraceError("outplace trace: give the script or `-m module` to run after the interpreter")
        return [interpreter, "-m", "fixer.trace.bootstrap", str(report), "--", *rest]
    if head.endswith(".py"):
        return [sys.executable, "-m", "fixer.trace.bootstrap", str(report), "--", *command]
    script = shutil.which(head)
    if script is None:
        raise TraceError(f"outplace trace: {head}: command not found")
    return [_shebang_python(script), "-m", "fixer.trace.bootstrap", str(report), "--", script, *rest]


def _shebang_python(script: str) -> str:
    """The interpreter a console script (such as `pytest`) names on its first line."""
    with open(script, "rb") as handle:
        first = handle.readline().decode("utf-8", "replace").strip()
    if first.startswith("#!") and "python" in first:
        return first[2:].split()[0]
    raise TraceError(f"outplace trace: {script}: not a Python console script; run `outplace trace -- python -m ...`")


def run_traced(command: list[str]) -> tuple[int, TraceReport]:
    """Run the program once under the watcher; its exit status, unchanged, and what the watcher saw."""
    with tempfile.TemporaryDirectory(prefix="outplace-trace-") as folder:
        report_path = Path(folder) / "report.json"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [PACKAGE_ROOT, os.environ.get("PYTHONPATH")])))
        code = subprocess.run(child_command(command, report_path), env=env).returncode
        seen = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else []
    if isinstance(seen, dict):  # the bootstrap could not start the program: a missing script, no torch
        raise TraceError(seen["problem"])
    return (128 - code if code < 0 else code), TraceReport.from_list(seen)  # killed by a signal: as a shell says


MAX_ROUNDS = 3  # a fixed write may uncover the next one: backward stops at the first it meets


def trace(command: list[str], *, fix: bool, ask: Callable[[Finding], bool] | None, out: Callable[[str], None],
          unsafe: bool = False) -> int:
    """The whole command: run, report, and with `fix` apply each reported line's rewrite and rerun.

    Each line gets the fix of its finding, planned with what the run saw (fixer.trace.fixes): safe
    fixes, and unsafe ones with `unsafe`; a line without one is named with the reason.
    """
    from fixer.trace.fixes import apply, plan_fixes

    code, report = run_traced(command)
    for line in render(report):
        out(line)
    if not fix or not report.violations:
        return code
    for _ in range(MAX_ROUNDS):
        planned = list(plan_fixes(report.violations, unsafe=unsafe))
        for line_fix in planned:
            if line_fix.missing:
                out(f"outplace trace: no fix for {line_fix.violation.write.show()}: {line_fix.missing}")
        chosen = {f.key: f for p in planned for f in p.findings}
        accepted = [f for f in chosen.values() if ask is None or ask(f)]
        if not accepted:
            out("outplace trace: nothing to fix at the lines above.")
            return code or 1
        for path, count in apply(accepted).items():
            out(f"outplace trace: fixed {count} in {os.path.relpath(path)}")
        out("outplace trace: running the program again to confirm ...")
        code, report = run_traced(command)
        if code == 0 and not report.violations:
            out("outplace trace: the error is gone: the program ran without a harmful in-place write.")
            return 0
        for line in render(report):
            out(line)
        if not report.violations:
            break  # the program fails for another reason: nothing more to fix here
    return code or 1
