"""Runs inside the traced program's interpreter: `python -m fixer.trace.bootstrap REPORT -- TARGET...`.

TARGET is `script.py ARGS` or `-m module ARGS`. The program runs unchanged under the watcher and
exits with its own status; the report is written to REPORT as JSON however the program ends: the
list of violations, or `{"problem": "..."}` when the program could not be started.
"""

from __future__ import annotations

import importlib.util
import json
import runpy
import sys
from pathlib import Path

from fixer.trace.shown import print_program_error


def main(argv: list[str]) -> int:
    report_path, target = Path(argv[0]), argv[2:]
    problem = _cannot_start(target)
    if problem is None:
        try:
            import torch  # noqa: F401
        except ImportError as error:  # only a torch that cannot be imported is "needs torch"
            problem = f"outplace trace: needs torch in the traced program's Python ({error}): pip install torch"
    if problem is not None:
        report_path.write_text(json.dumps({"problem": problem}), encoding="utf-8")
        return 0
    from fixer.trace.watcher import watch

    code = 0
    with _written_at_exit(report_path) as holder:
        try:
            with watch() as report:
                holder.append(report)
                _run(target)
        except SystemExit as stop:
            code = _exit_status(stop)
        except BaseException as error:  # the program's own failure: print it as Python would
            print_program_error(error)
            code = 1
    return code


def _cannot_start(target: list[str]) -> str | None:
    """Why the target cannot be run (a missing script or module), in one line; None when it can."""
    if target[0] == "-m":
        try:
            found = importlib.util.find_spec(target[1])
        except (ImportError, ValueError):
            found = None
        return None if found is not None else f"outplace trace: no module named {target[1]}"
    return None if Path(target[0]).is_file() else f"outplace trace: no such file: {target[0]}"


def _exit_status(stop: SystemExit) -> int:
    """The status Python itself exits with for `sys.exit(code)`, printing a message as it does."""
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code
    print(stop.code, file=sys.stderr)
    return 1


def _run(target: list[str]) -> None:
    if target[0] == "-m":
        sys.argv = [target[1], *target[2:]]
        runpy.run_module(target[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = list(target)
        sys.path.insert(0, str(Path(target[0]).resolve().parent))
        runpy.run_path(target[0], run_name="__main__")


class _written_at_exit:
    """Writes the report held in the list when the block ends, whatever happened."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.holder: list[object] = []

    def __enter__(self) -> list[object]:
        return self.holder

    def __exit__(self, *exc: object) -> None:
        text = self.holder[0].to_json() if self.holder else "[]"  # type: ignore[attr-defined]
        self.path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
