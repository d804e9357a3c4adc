"""The small statement around a node, where a rebinding placed before it runs exactly when the node does."""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

# Code that may not run, or may run more than once: a rebinding cannot move out of it.
CONDITIONAL = (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.IfExp, cst.BooleanOperation)


def enclosing_statement(node: cst.CSTNode, parents: Mapping[int, cst.CSTNode]) -> cst.BaseSmallStatement | None:
    """The small statement around `node`; None inside code that may not run, or runs again."""
    parent: cst.CSTNode | None = parents.get(id(node))
    while parent is not None and not isinstance(parent, cst.BaseSmallStatement):
        if isinstance(parent, CONDITIONAL):
            return None
        parent = parents.get(id(parent))
    return parent if isinstance(parent, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return, cst.Expr)) else None
