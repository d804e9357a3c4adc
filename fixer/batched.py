"""LibCST's batched traversal, minus its fixed cost: each visitor class's methods are listed once.

`libcst.visit_batched` lists every visitor's methods with `inspect.getmembers` on each call, which
walks the hundreds of no-op stubs of `CSTTypedVisitorFunctions`: on the benchmark corpus that cost
more than the traversal itself, since the engine makes one traversal per region. Dispatch is
also cached per node type. The visitors called, and their order, are LibCST's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import libcst as cst

Method = Callable[[cst.CSTNode], None]
NodeT = TypeVar("NodeT", bound=cst.CSTNode)

_NAMES: dict[type[cst.BatchableCSTVisitor], tuple[str, ...]] = {}


def visit_batched(node: NodeT, visitors: Sequence[cst.BatchableCSTVisitor]) -> NodeT:
    """Like `libcst.visit_batched(node, visitors)`."""
    methods: dict[str, list[Method]] = {}
    for visitor in visitors:
        for name in _method_names(visitor):
            methods.setdefault(name, []).append(getattr(visitor, name))
    return node.visit(_Batched(methods))  # type: ignore[return-value]


def _method_names(visitor: cst.BatchableCSTVisitor) -> tuple[str, ...]:
    """The names LibCST's `get_visitors` finds, listed once per class."""
    cls = type(visitor)
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(visitor.get_visitors())
    return names


class _Batched(cst.CSTVisitor):
    """Calls every visitor's `visit_<Type>` / `leave_<Type>` (and attribute variants) in turn."""

    def __init__(self, methods: dict[str, list[Method]]) -> None:
        super().__init__()
        self.methods = methods
        self.visits: dict[type, list[Method]] = {}
        self.leaves: dict[type, list[Method]] = {}
        # `visit_<Type>_<attribute>`: the type names hold no underscore, so one more means an attribute
        self.by_attribute = any(name.count("_") > 1 for name in methods)

    def on_visit(self, node: cst.CSTNode) -> bool:
        kind = type(node)
        calls = self.visits.get(kind)
        if calls is None:
            calls = self.visits[kind] = self.methods.get(f"visit_{kind.__name__}", [])
        for call in calls:
            call(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        kind = type(original_node)
        calls = self.leaves.get(kind)
        if calls is None:
            calls = self.leaves[kind] = self.methods.get(f"leave_{kind.__name__}", [])
        for call in calls:
            call(original_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if self.by_attribute:
            for call in self.methods.get(f"visit_{type(node).__name__}_{attribute}", []):
                call(node)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        if self.by_attribute:
            for call in self.methods.get(f"leave_{type(original_node).__name__}_{attribute}", []):
                call(original_node)
