"""Watch a running program and name the in-place write that broke autograd (needs torch).

`with fixer.trace.watch() as report: ...` then `report.violations` and `report.findings`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fixer.trace.report import TraceReport


def watch() -> AbstractContextManager[TraceReport]:
    """Install the watcher for a block; torch is imported only now."""
    from fixer.trace.watcher import watch as _watch

    return _watch()
