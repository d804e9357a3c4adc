"""Where the rewrite of a call can go: the small statement it sits in, or a branch of a `return`."""

from __future__ import annotations

import libcst as cst


class CallPlacement:
    """A rule mix-in: the small statement a node sits in (none inside code that may not run, or runs
    more than once: lambdas, comprehensions, conditional expressions, `and`/`or`), and, in a
    `return`, the conditional expressions whose branch holds it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._statements: list[cst.BaseSmallStatement] = []
        self._opaque = 0  # depth inside code that may not run, or runs more than once
        self._branches: list[cst.IfExp] = []  # the conditional expressions whose branch holds the node

    def placement(self) -> tuple[cst.BaseSmallStatement | None, tuple[cst.IfExp, ...]]:
        """(the statement a rewrite of the node may replace, the `return`'s conditional expressions
        whose branch holds the node: `return x.mul_(y) if c else x.mul(y)`)."""
        top = self._statements[-1] if self._statements else None
        if not self._opaque:
            return top, ()
        if isinstance(top, cst.Return) and self._opaque == len(self._branches):
            return top, tuple(self._branches)
        return None, ()

    def visit_Assign(self, node: cst.BaseSmallStatement) -> None:
        self._statements.append(node)

    def leave_Assign(self, original_node: cst.CSTNode) -> None:
        self._statements.pop()

    def visit_IfExp(self, node: cst.CSTNode) -> None:
        self._opaque += 1

    def leave_IfExp(self, original_node: cst.CSTNode) -> None:
        self._opaque -= 1

    def visit_IfExp_body(self, node: cst.IfExp) -> None:
        self._branches.append(node)

    def leave_IfExp_body(self, node: cst.IfExp) -> None:
        self._branches.pop()

    visit_IfExp_orelse, leave_IfExp_orelse = visit_IfExp_body, leave_IfExp_body

    # LibCST finds visitors by their function's __name__, so aliases must share a real name.
    visit_AnnAssign = visit_AugAssign = visit_Return = visit_Expr = visit_Assign  # type: ignore[assignment]
    leave_AnnAssign = leave_AugAssign = leave_Return = leave_Expr = leave_Assign
    visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = visit_IfExp
    visit_GeneratorExp = visit_BooleanOperation = visit_IfExp
    leave_Lambda = leave_ListComp = leave_SetComp = leave_DictComp = leave_IfExp
    leave_GeneratorExp = leave_BooleanOperation = leave_IfExp
