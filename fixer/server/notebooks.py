"""Notebooks synced by the client (LSP notebook documents): the code cells checked joined, as
`outplace check nb.ipynb` checks them, and each cell's findings in that cell's own lines."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from fixer.files.notebook import JoinedNotebook, join_cells
from fixer.core.types import FileResult, FileStatus, Finding


def cell_results(sources: Sequence[str | None], path: str, check: Callable[[str], FileResult]) -> list[FileResult | None]:
    """Each cell's result (None for a cell that is not checked: markdown, another language's magic),
    from `check` (a plan) of the cells joined into one module."""
    joined = join_cells(list(sources))
    result = check(joined.text)
    book = JoinedNotebook("", joined, len(sources))
    found: dict[int, list[Finding]] = {index: [] for index in joined.cells}
    for finding in result.findings:
        in_cell = book.in_cell(finding, joined.text)
        found[(in_cell.cell or 1) - 1].append(in_cell)
    error_cell, error = None, None
    if result.error is not None and result.error.line:
        cell, line = book.cell_line(joined.text, result.error.line)
        error_cell, error = cell - 1, dataclasses.replace(result.error, line=line)
    elif result.error is not None:
        error_cell, error = (joined.cells or (None,))[0], result.error
    results: list[FileResult | None] = [None] * len(sources)
    for index, findings in found.items():
        status = FileStatus.FINDINGS if findings else FileStatus.CLEAN
        results[index] = FileResult(path, status, tuple(findings), error=error if index == error_cell else None)
    return results
