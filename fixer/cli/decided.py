"""The changes a review already skipped, followed through the rewrites of the file so that none is asked twice."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from fixer.core import diff
from fixer.core.types import Finding


@dataclass(frozen=True, slots=True)
class Mark:
    """A finding already skipped, located in the current text: exactly, or anywhere in a rewritten block."""

    rule_id: str
    first: int
    last: int
    original: str | None  # None: the block was rewritten; any finding of the rule inside it

    def covers(self, finding: Finding) -> bool:
        span = finding.span
        if finding.rule_id != self.rule_id:
            return False
        if self.original is None:
            return self.first <= span.start_line and span.end_line <= self.last
        return (span.start_line, span.end_line, finding.original) == (self.first, self.last, self.original)


def carry(old: str, new: str, marks: list[Mark]) -> list[Mark]:
    """`marks` moved to the lines of `new`: shifted where untouched, widened to the block where rewritten."""
    opcodes = difflib.SequenceMatcher(None, diff.lines_of(old), diff.lines_of(new), autojunk=False).get_opcodes()
    carried = []
    for mark in marks:
        touched = [op for op in opcodes if op[1] < mark.last and mark.first - 1 < op[2]]
        if len(touched) == 1 and touched[0][0] == "equal":
            shift = touched[0][3] - touched[0][1]
            carried.append(Mark(mark.rule_id, mark.first + shift, mark.last + shift, mark.original))
        elif touched:
            first, last = min(op[3] for op in touched) + 1, max(op[4] for op in touched)
            if first <= last:
                carried.append(Mark(mark.rule_id, first, last, None))
    return carried
