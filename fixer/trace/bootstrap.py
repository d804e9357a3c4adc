"""Runs inside the traced program's interpreter: `python -m fixer.trace.bootstrap REPORT -- TARGET...`.

TARGET is `script.py ARGS` or `-m module ARGS`. The program runs unchanged under the watcher;
the report is written to REPORT as JSON however the program ends.
"""

from __future__ import annotations

import runpy
import sys
import traceback
from pathlib import Path

NO_TORCH = 3  # exit code the parent turns into its one-line "install torch" error


def main(argv: list[str]) -> int:
    report_path, target = Path(argv[0]), argv[2:]
    try:
        from fixer.trace.watcher import watch
    except ImportError as error:
        print(f"outplace trace: {error}", file=sys.stderr)
        return NO_TORCH
    code = 0
    with _written_at_exit(report_path) as holder:
        try:
            with watch() as report:
                holder.append(report)
                _run(target)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except BaseException:  # the program's own failure: print it as Python would
            traceback.print_exc()
            code = 1
    return code


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
