"""Statement helpers for rules whose fix rebinds a tensor before the statement a call sits in."""

from __future__ import annotations

import libcst as cst

from fixer.analysis.messages import code
from fixer.core.builders import parenthesize

Statement = cst.BaseSmallStatement


class StatementStack:
    """A rule mix-in: the small statement a node sits in, or None inside code that may not run, or
    runs more than once (lambdas, comprehensions, conditional expressions, `and`/`or`); and, in a
    `return`, the conditional expressions whose branch holds the node (`placement`)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._statements: list[Statement | None] = []  # None: entered code that may not run, or runs again
        self._branches: list[cst.IfExp] = []  # the conditional expressions whose branch holds the node

    def statement(self) -> Statement | None:
        return self._statements[-1] if self._statements else None

    def placement(self) -> tuple[Statement | None, tuple[cst.IfExp, ...]]:
        """(the statement a rewrite of the node may replace, the `return`'s conditional expressions
        whose branch holds the node: `return x.mul_(y) if c else x.mul(y)`)."""
        opaque = 0
        for top in reversed(self._statements):
            if top is not None:
                break
            opaque += 1
        else:
            return None, ()
        if not opaque:
            return top, ()
        if isinstance(top, cst.Return) and opaque == len(self._branches):
            return top, tuple(self._branches)
        return None, ()

    def visit_Assign(self, node: Statement) -> None:
        self._statements.append(node)

    def visit_IfExp(self, node: cst.CSTNode) -> None:
        self._statements.append(None)

    def leave_Assign(self, original_node: cst.CSTNode) -> None:
        self._statements.pop()

    def visit_IfExp_body(self, node: cst.IfExp) -> None:
        self._branches.append(node)

    def leave_IfExp_body(self, node: cst.IfExp) -> None:
        self._branches.pop()

    # LibCST finds visitors by their function's __name__, so aliases must share a real name.
    visit_IfExp_orelse, leave_IfExp_orelse = visit_IfExp_body, leave_IfExp_body
    visit_AnnAssign = visit_AugAssign = visit_Return = visit_Expr = visit_Assign  # type: ignore[assignment]
    visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_IfExp
    visit_BooleanOperation = visit_IfExp
    leave_AnnAssign = leave_AugAssign = leave_Return = leave_Expr = leave_IfExp = leave_Lambda = leave_Assign
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = leave_BooleanOperation = leave_Assign


def hoisted(statement: Statement, call: cst.Call, rebind: cst.Assign) -> list[Statement]:
    """`rebind` before `statement`, which then reads the rebound target instead of `call`.

    What the rest of the statement reads before the call then sees the write: the rule asks
    `fixer.analysis.order.read_before` first.
    """
    if isinstance(statement, cst.Expr) and statement.value is call:
        return [rebind]
    target = rebind.targets[0].target
    value = parenthesize(target) if isinstance(target, cst.Tuple) else target
    rest = statement.deep_replace(call, value)
    same = isinstance(rest, cst.Assign) and [code(t.target) for t in rest.targets] == [code(target)]
    return [rebind] if same and code(rest.value) == code(value) else [rebind, rest]  # type: ignore[attr-defined]
