"""The traced program's own traceback, as Python would print it without outplace in between."""

from __future__ import annotations

import os
import sys
import traceback

OUTPLACE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the `fixer` package


def print_program_error(error: BaseException) -> None:
    """Print `error` with outplace's frames (the bootstrap, runpy under it, the watcher) left out."""
    shown = traceback.TracebackException.from_exception(error)
    _hide_outplace(shown, set())
    print("".join(shown.format()), end="", file=sys.stderr)


def _hide_outplace(shown: traceback.TracebackException, seen: set[int]) -> None:
    if id(shown) in seen:
        return
    seen.add(id(shown))
    frames = list(shown.stack)
    while frames and (_is_outplace(frames[0].filename) or frames[0].filename == "<frozen runpy>"):
        frames.pop(0)  # how the bootstrap started the program, not the program
    shown.stack = traceback.StackSummary.from_list([f for f in frames if not _is_outplace(f.filename)])
    for linked in (shown.__cause__, shown.__context__, *(getattr(shown, "exceptions", None) or ())):
        if linked is not None:
            _hide_outplace(linked, seen)


def _is_outplace(path: str) -> bool:
    return os.path.abspath(path).startswith(OUTPLACE_DIR + os.sep)
