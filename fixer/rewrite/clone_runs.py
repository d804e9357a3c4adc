"""The clone-then-write fix, `t = t.clone(); t[...] = v`: one clone for a run of writes into `t`,
and writes right after a `t = t.clone()` already written by hand recognised as into the copy."""

from __future__ import annotations

import libcst as cst

from fixer.analysis.messages import code
from fixer.core.builders import assign


class CloneRuns:
    """Fed every block in visiting order; knows the statement after each and the clone before it."""

    def __init__(self) -> None:
        self.cloned_before: dict[int, str] = {}  # id of a statement -> the name `x = x.clone()` just before
        self.following: dict[int, cst.BaseSmallStatement] = {}  # a statement -> the next in its block

    def block(self, node: cst.IndentedBlock | cst.Module) -> None:
        previous: cst.BaseSmallStatement | None = None
        for line in node.body:
            for small in line.body if isinstance(line, cst.SimpleStatementLine) else [None]:
                cloned = _cloned_name(previous)
                copy = self.cloned_before.get(id(previous)) if previous is not None else None
                if copy is not None and _written_name(previous) == copy:  # type: ignore[arg-type]
                    cloned = copy  # a run of writes into one copy
                if small is not None and cloned is not None:
                    self.cloned_before[id(small)] = cloned
                if previous is not None and small is not None:
                    self.following[id(previous)] = small
                previous = small

    def clone_then_write(self, node: cst.BaseSmallStatement, target: cst.BaseExpression,
                         ) -> tuple[list[cst.BaseSmallStatement], list[cst.BaseSmallStatement]]:
        """(`t = t.clone()` and the write, the writes into `t` right after it: they write the copy)."""
        lines = [assign(target, cst.Call(func=cst.Attribute(value=target, attr=cst.Name("clone")))), node]
        run = []
        statement = self.following.get(id(node))
        while statement is not None and _written_name(statement) == code(target):
            run.append(statement)
            statement = self.following.get(id(statement))
        return lines, run


def _written_name(statement: cst.CSTNode) -> str | None:
    """`t` for `t[...] = v` and `t[...] op= v`."""
    if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
        target = statement.targets[0].target
    elif isinstance(statement, cst.AugAssign):
        target = statement.target
    else:
        return None
    return code(target.value) if isinstance(target, cst.Subscript) else None


def _cloned_name(statement: cst.BaseSmallStatement | None) -> str | None:
    """`x` for the statement `x = x.clone()`."""
    if not isinstance(statement, cst.Assign) or len(statement.targets) != 1:
        return None
    value, target = statement.value, statement.targets[0].target
    if isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Attribute):
        if value.func.attr.value == "clone" and code(value.func.value) == code(target):
            return code(target)
    return None
