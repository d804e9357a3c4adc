"""The `with torch.no_grad():` block a leaf update is wrapped in, and the statements it takes."""

from __future__ import annotations

from collections.abc import Container, Sequence

import libcst as cst


def update_unit(body: Sequence[cst.BaseStatement], index: int, loop: cst.For | None,
                updates: Container[int]) -> tuple[list[cst.BaseStatement], list[cst.BaseStatement]]:
    """(the statements one wrap replaces, the lines of `updates` it covers), from `body[index]`: the
    `loop` whose body `body` is when every line of it is an update, else the run of updates."""
    if loop is not None and loop.orelse is None and all(id(s) in updates for s in body):
        return [loop], list(body)  # a compound report's span takes its last line's comment
    end = index
    while end + 1 < len(body) and id(body[end + 1]) in updates:
        end += 1
    unit = list(body[index : end + 1])
    return unit, unit


def no_grad_block(unit: list[cst.BaseStatement], torch_name: str) -> cst.With:
    """`unit` inside `with <torch_name>.no_grad():`."""
    return cst.With(
        items=[cst.WithItem(cst.parse_expression(f"{torch_name}.no_grad()"))],
        body=cst.IndentedBlock(body=_detached(unit)),
    )


def _detached(unit: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """`unit` without the first line's leading lines and a last simple line's trailing comment:
    both stay in the file outside the replaced span."""
    unit = [unit[0].with_changes(leading_lines=[]), *unit[1:]]
    if isinstance(unit[-1], cst.SimpleStatementLine):
        unit[-1] = unit[-1].with_changes(trailing_whitespace=cst.TrailingWhitespace())
    return unit
