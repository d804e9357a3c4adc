"""A buffer just made (`torch.zeros`, `x.new_zeros`, `x.clone()`) and not read before a write into
it, nor in a loop around it: no op can have saved it for backward, so writing it is harmless."""

from __future__ import annotations

from bisect import bisect_left

import libcst as cst

from fixer.analysis.grad_free_values import FRESH_FACTORIES, GradFreeValues
from fixer.analysis.index_dataflow import IndexDataflow
from fixer.analysis.index_writes import is_mask
from fixer.analysis.scope import RegionFacts, qualified
from fixer.analysis.tensors import TensorKinds
from fixer.core.batched import contains

MADE_BY_METHODS = frozenset({"new_zeros", "new_ones", "new_full", "new_empty", "new_tensor", "clone"})


class FreshBuffers:
    """Asks the index-write rules' dataflow and grad-free values whether a written buffer is fresh."""

    def __init__(self, facts: RegionFacts, kinds: TensorKinds, dataflow: IndexDataflow, values: GradFreeValues) -> None:
        self.facts, self.kinds, self.dataflow, self.values = facts, kinds, dataflow, values

    def unread_fresh(self, target: cst.BaseExpression, node: cst.CSTNode) -> bool:
        """Whether the write `node` into `target` meets a fresh buffer no op has read yet."""
        scope = self.facts.scope(node)
        if not isinstance(target, cst.Name) or target.value in scope.params:
            return False
        name = target.value
        order, loops, function = self.dataflow.writes[id(node)]
        binds = self.dataflow.binds.get((function, name), [])
        if len(binds) != len(scope.bindings.get(name, [])):
            return False  # also bound by unpacking, a loop, `with ... as`
        # Bindings that may reach the write; `x = x.view(...)` before it reads `x`, so the reads decide.
        reaching = [v for at, v, around in binds if at < order or around & loops]
        if not reaching or not all(self._fresh(v, node) or _mentions(v, name) for v in reaching):
            return False
        reads = self.dataflow.reads.get((function, name), [])
        if not loops:  # reads after the write pass: only those before it are asked about (they are in order)
            reads = reads[: bisect_left(reads, order, key=lambda read: read[0])]
        return all(at > order and not (around & loops) or self._read_saves_nothing(statement, node)
                   for at, around, statement in reads)

    def _read_saves_nothing(self, statement: cst.CSTNode | None, node: cst.CSTNode) -> bool:
        """A read in `y = <value autograd never tracks>`, `m = t[i] > 0` (a comparison of plain reads)
        or `y = t[i][m]` (a mask copies what it selects): no op there saves the buffer for backward."""
        if not isinstance(statement, (cst.Assign, cst.AugAssign)):
            return False
        value = statement.value
        if isinstance(value, cst.Comparison):
            return all(_plain(p) for p in [value.left] + [c.comparator for c in value.comparisons])
        if isinstance(value, cst.Subscript) and isinstance(statement, cst.Assign) and _plain(value):
            last = value.slice[0].slice if len(value.slice) == 1 else None
            if isinstance(last, cst.Index) and is_mask(last.value, self.facts.scope(node), self.kinds, self.facts.imports):
                return True
        return self.values.grad_free(value, node)

    def _fresh(self, value: cst.BaseExpression, node: cst.CSTNode) -> bool:
        if not isinstance(value, cst.Call):
            return self.values.grad_free(value, node)
        name = (qualified(value.func, self.facts.imports) or "").rsplit(".", 1)[-1]
        func = value.func
        made = isinstance(func, cst.Attribute) and func.attr.value in MADE_BY_METHODS
        return made or name in FRESH_FACTORIES or name.endswith("_like") or self.values.grad_free(value, node)


def _plain(expr: cst.BaseExpression) -> bool:
    """A read that runs no op autograd records a save for: names, numbers, and indexes of them."""
    if isinstance(expr, (cst.Name, cst.BaseNumber)):
        return True
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        return _plain(expr.expression)
    if isinstance(expr, cst.Subscript):
        parts = [p for e in expr.slice for p in ((e.slice.value,) if isinstance(e.slice, cst.Index) else
                                                 (e.slice.lower, e.slice.upper, e.slice.step)) if p is not None]
        return _plain(expr.value) and all(_plain(p) for p in parts)
    return False


def _mentions(expr: cst.CSTNode, name: str) -> bool:
    return contains(expr, lambda n: isinstance(n, cst.Name) and n.value == name)
