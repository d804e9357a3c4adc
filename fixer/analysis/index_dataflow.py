"""The index-write rules' own source-order dataflow: reads, bindings, element stores and writes of
names, per function and loop, numbered in the order a visitor meets them.

Not the region's order facts (`order.py`, `flow.py`), and not interchangeable with them: this one
counts attribute and keyword names as reads, numbers a statement after its children, keys loops by
their `For`/`While` node (iterable and `else` included) and counts only `name = value` as a binding.
"""

from __future__ import annotations

import libcst as cst

from fixer.analysis.scope import FunctionFacts
from fixer.core.batched import contains

# `t.shape`, `t.clone()`: reading these holds nothing and saves nothing for backward.
HARMLESS_READS = frozenset({"shape", "size", "dtype", "device", "dim", "ndim", "numel", "clone", "is_cuda",
                            "requires_grad", "stride", "is_contiguous", "element_size"})
Statement = cst.Assign | cst.AugAssign
Read = tuple[int, frozenset[int], Statement | None]  # (order, ids of the loops around it, its statement)
Bind = tuple[int, cst.BaseExpression, frozenset[int]]  # (order, value, ids of the loops around it)


class IndexDataflow:
    """Fed by a rule's visitor hooks in source order; `reads`, `binds` and `writes` are keyed by the
    id of the function (0: the module) and the name."""

    def __init__(self) -> None:
        self._order, self._loops, self._functions = 0, [0], [0]
        self._not_reads: set[int] = set()  # names that are bound or written, not read
        self._statements: list[Statement] = []
        self._stores: dict[tuple[int, str], list[cst.BaseExpression]] = {}  # values written into a name's elements
        self.reads: dict[tuple[int, str], list[Read]] = {}
        self.binds: dict[tuple[int, str], list[Bind]] = {}
        self.writes: dict[int, tuple[int, frozenset[int], int]] = {}  # id of a statement -> (order, loops, function)

    def enter_statement(self, node: Statement) -> None:
        self._statements.append(node)
        if isinstance(node, cst.AugAssign):
            if isinstance(node.target, cst.Subscript):
                self._not_reads.update(_name_ids(node.target))
                self._store(node.target, node.value)
            return
        for target in node.targets:
            self._not_reads.update(_name_ids(target.target))
            if isinstance(target.target, cst.Subscript):
                self._store(target.target, node.value)

    def _store(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """Remember `v` in `t[i] = v` under `t`: what a buffer holds is also what was written into it."""
        while isinstance(target, cst.Subscript):
            target = target.value
        if isinstance(target, cst.Name):
            self._stores.setdefault((self._functions[-1], target.value), []).append(value)

    def leave_statement(self, node: Statement) -> None:
        self._statements.pop()
        self._order += 1
        loops = frozenset(self._loops[1:])
        self.writes[id(node)] = (self._order, loops, self._functions[-1])
        for target in getattr(node, "targets", []):
            if isinstance(target.target, cst.Name):
                key = (self._functions[-1], target.target.value)
                self.binds.setdefault(key, []).append((self._order, node.value, loops))

    def name(self, node: cst.Name) -> None:
        if id(node) not in self._not_reads:
            self._order += 1
            read = (self._order, frozenset(self._loops[1:]), self._statements[-1] if self._statements else None)
            for function in self._functions:
                self.reads.setdefault((function, node.value), []).append(read)

    def attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in HARMLESS_READS:
            base = node.value
            while isinstance(base, cst.Subscript):
                base = base.value
            self._not_reads.add(id(base))

    def enter_loop(self, node: cst.For | cst.While) -> None:
        self._loops.append(id(node))

    def leave_loop(self) -> None:
        self._loops.pop()

    def enter_function(self, node: cst.FunctionDef) -> None:
        self._functions.append(id(node))

    def leave_function(self) -> None:
        self._functions.pop()

    def stored(self, name: str, scope: FunctionFacts) -> list[cst.BaseExpression]:
        """The values written into elements of `name` in the function `scope`."""
        return self._stores.get((id(scope.node) if scope.node is not None else 0, name), [])


def _name_ids(target: cst.CSTNode) -> set[int]:
    """Every name in a write's target: `t` in `t[i] = v` is written, not read."""
    found: set[int] = set()
    contains(target, lambda n: isinstance(n, cst.Name) and found.add(id(n)) is not None)
    return found
