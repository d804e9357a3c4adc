"""How the review shows one change: its header and reason, and its diff (a notebook's cell by cell), as rich Text."""

from __future__ import annotations

from rich.text import Text

from fixer.core import diff
from fixer.core.types import Finding, Safety
from fixer.files.notebook import JoinedNotebook, NotebookError
from fixer.files.sourcefile import split_lines

UNSAFE_NOTE = (
    "UNSAFE fix: it can change behaviour (an alias, a view, an attribute, a caller or a dtype may "
    "see the difference); press ? for this rule's fix safety."
)


def header(finding: Finding, base: str, before: str, cells: JoinedNotebook | None) -> list[Text]:
    """`path:line  IP102 inplace-method  [error, safe fix]` (`nb.ipynb:cell 3:2  ...` in a notebook), then the reason.

    `finding` was planned in `base`; `before` is `base` with the changes accepted before it.
    """
    line = _line_in(before, base, finding)
    where, message = f"{finding.path}:{line}", finding.message
    if cells is not None:
        cell, line = cells.cell_line(before, line)
        where, message = f"{finding.path}:cell {cell}:{line}", cells.in_cell(finding, base).message
    fix = "display-only" if finding.safety is Safety.DISPLAY_ONLY else f"{finding.safety.value} fix"
    safety_style = {Safety.SAFE: "green", Safety.UNSAFE: "bold red"}.get(finding.safety, "dim")
    out = Text()
    out.append(where, "bold")
    out.append(f"  {finding.rule_id} {finding.rule_name}  ")
    out.append(f"[{finding.severity.value}, ", "red" if finding.severity.value == "error" else "yellow")
    out.append(fix, safety_style)
    out.append("]")
    lines = [Text(), out, Text(message + ("" if message.endswith(".") else "."))]
    if finding.safety is Safety.UNSAFE:
        lines.append(Text(UNSAFE_NOTE, style="bold red"))
    return lines


def change_diff(path: str, before: str, after: str, cells: JoinedNotebook | None) -> Text:
    """The hunks from `before` to `after`: of the file, or of each notebook cell that changes."""
    return diff_text(path, before, after) if cells is None else _cells_diff_text(path, cells, before, after)


def _line_in(before: str, base: str, finding: Finding) -> int:
    """The line of `finding` (planned in `base`) in `before`, which has the earlier accepted fixes applied."""
    return finding.span.start_line + len(split_lines(before)) - len(split_lines(base))


def _cells_diff_text(path: str, cells: JoinedNotebook, before: str, after: str) -> Text:
    """The hunks of each notebook cell that changes from `before` to `after` (joined texts), cell by cell."""
    try:
        pairs = list(zip(cells.sources(before), cells.sources(after)))
    except NotebookError:  # a fix moved a cell boundary: show the joined code (writing it will be refused)
        return diff_text(path, before, after)
    out = Text()
    for number, (old, new) in enumerate(pairs, start=1):
        if old != new:  # a cell's last line has no newline: not worth a "\ No newline" line
            old, new = ((s or "") + ("" if (s or "").endswith("\n") else "\n") for s in (old, new))
            out.append(f"cell {number}\n", "bold")
            out.append_text(diff_text(f"{path}:cell {number}", old, new))
            out.append("\n")
    out.rstrip()
    return out


def diff_text(path: str, before: str, after: str) -> Text:
    """The hunks from `before` to `after`, without the file header, coloured."""
    out = Text()
    for line in diff.unified_diff(path, before, after).splitlines(keepends=True)[2:]:
        style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
        out.append(line.replace("\r", ""), style)
    out.rstrip()
    return out
