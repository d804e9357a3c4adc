"""Order facts of one region: which bindings reach a node, loops, parents and the uses of names.

Built on `RegionFacts` (source order, enclosing blocks, `if` chains, loop bodies); shared by the
saved-for-backward, grad and aliasing analyses so each asks the same questions the same way.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from fixer.analysis.scope import Binding, FunctionFacts, RegionFacts
from fixer.core.batched import children


@dataclass(frozen=True, slots=True)
class UseIndex:
    """The uses of one name in one function, by the order of the nearest marked node around each."""

    uses: list[cst.Name]
    at: list[int]  # order of each use's marked node (0 when none)
    by_order: list[tuple[int, int]]  # (at, position in `uses`), sorted: uses in an order range by bisect
    in_loop: dict[int, list[int]]  # loop body id -> positions of the uses inside it

    def between(self, low: float, high: float) -> list[int]:
        """Positions of the uses with `low < at < high`, in no particular order."""
        start = bisect_right(self.by_order, (low, len(self.uses)))
        end = bisect_left(self.by_order, (high, -1))
        return [position for _, position in self.by_order[start:end]]

    def after(self, low: float) -> Iterator[int]:
        """Positions of the uses with `low < at`, by order, lazily (for `all` and `any` that stop early)."""
        for index in range(bisect_right(self.by_order, (low, len(self.uses))), len(self.by_order)):
            yield self.by_order[index][1]


class Flow:
    """`reaching(name, node, scope)` and friends, with per-function parent maps and use indexes."""

    def __init__(self, facts: RegionFacts) -> None:
        self.facts = facts
        self._parents: dict[int, cst.CSTNode] | None = None
        self._uses: dict[tuple[int, str], list[cst.Name]] = {}
        self._marked: dict[int, cst.CSTNode | None] = {}  # id(node) -> `marked(node, parents)`, memoised
        self._use_indexes: dict[tuple[int, str], UseIndex] = {}
        self._ops: dict[int, tuple[list[cst.BaseExpression], list[int]]] = {}  # id(scope) -> its ops, their orders
        self._bindings: dict[int, tuple[list[tuple[str, Binding]], list[int]]] = {}  # id(scope) -> bindings by order
        self._orders: dict[int, tuple[list[Binding], list[int]]] = {}  # id(timeline) -> it and its orders
        self._last: dict[int, tuple[list[Binding], int, dict[int, int]]] = {}  # id(timeline) -> it, its length, id(node) -> last order

    def order(self, node: cst.CSTNode) -> int:
        return self.facts.order.get(id(node), 0)

    def reaching(self, name: str, node: cst.CSTNode, scope: FunctionFacts,
                 timeline: list[Binding] | None = None) -> list[Binding]:
        """The bindings of `name` that may hold at `node`: back to the last one that surely does,
        plus those later in the same loop body (they hold from the previous iteration).
        `timeline`: other bindings than the name's (an attribute's, `self.h`)."""
        write, blocks = self.facts.order.get(id(node), 0), self.facts.blocks.get(id(node), ())
        timeline = scope.timeline.get(name, []) if timeline is None else timeline
        orders = self.binding_orders(timeline)
        found: list[Binding] = []
        for binding in reversed(timeline[: bisect_left(orders, write)]):
            if self.exclusive(binding.blocks, blocks):
                continue  # bound in another branch of the `if` that holds the write
            found.append(binding)
            if blocks[: len(binding.blocks)] == binding.blocks:
                break
        loop = self.loop_of(node)
        if loop is not None and not (found and loop in found[-1].blocks):
            found += [b for b in timeline[bisect_right(orders, write):] if loop in b.blocks]
        return found

    def entry_reaches(self, name: str, node: cst.CSTNode, scope: FunctionFacts) -> bool:
        """Whether the value `name` had on entry (a parameter's argument) may still hold at `node`:
        no binding before it runs whenever `node` runs."""
        write, blocks = self.facts.order.get(id(node), 0), self.facts.blocks.get(id(node), ())
        timeline = scope.timeline.get(name, [])
        before = timeline[: bisect_left(self.binding_orders(timeline), write)]
        return not any(blocks[: len(b.blocks)] == b.blocks for b in before)

    def binding_orders(self, timeline: list[Binding]) -> list[int]:
        """The orders of a name's bindings (increasing: they are recorded in source order), to bisect."""
        cached = self._orders.get(id(timeline))
        if cached is None or cached[0] is not timeline or len(cached[1]) != len(timeline):
            cached = self._orders[id(timeline)] = (timeline, [b.order for b in timeline])
        return cached[1]

    def exclusive(self, first: tuple[int, ...], second: tuple[int, ...]) -> bool:
        """Blocks in two branches of one `if` chain, with no loop around it to run both."""
        for depth, (a, b) in enumerate(zip(first, second)):
            if a != b:
                one, other = self.facts.branches.get(a), self.facts.branches.get(b)
                looped = any(block in self.facts.loop_bodies for block in first[:depth])
                return one is not None and other is not None and one[0] == other[0] and not looped
        return False

    def loop_of(self, node: cst.CSTNode) -> int | None:
        """The innermost loop body holding `node`, if any."""
        blocks = self.facts.blocks.get(id(node), ())
        return next((b for b in reversed(blocks) if b in self.facts.loop_bodies), None)

    def parents(self, scope: FunctionFacts) -> dict[int, cst.CSTNode]:
        """Each node's parent, over the whole region (one walk serves every function in it)."""
        if self._parents is None:
            self._index()
        assert self._parents is not None
        return self._parents

    def marked(self, node: cst.CSTNode, parents: dict[int, cst.CSTNode]) -> cst.CSTNode | None:
        """The nearest node around `node` whose order and blocks the facts know."""
        if parents is not self._parents:
            return _marked(node, parents, self.facts.order)
        key = id(node)
        if key not in self._marked:
            self._marked[key] = _marked(node, parents, self.facts.order)
        return self._marked[key]

    def uses(self, name: str, scope: FunctionFacts) -> list[cst.Name]:
        """Every `Name` node spelling `name` in the function (nested scopes included), members excluded."""
        if self._parents is None:
            self._index()
        return self._uses.get((id(scope.node), name), [])

    def ops_between(self, scope: FunctionFacts, low: int, high: int) -> list[cst.BaseExpression]:
        """`scope.ops` with `low < order < high`, in order (the ops are recorded in source order)."""
        ops, orders = self._ops_index(scope)
        return ops[bisect_right(orders, low): bisect_left(orders, high)]

    def bindings_between(self, scope: FunctionFacts, low: int, high: int) -> list[tuple[str, Binding]]:
        """Every name's bindings in `scope` with `low < order < high`, in order."""
        pairs, orders = self._bindings_index(scope)
        return pairs[bisect_right(orders, low): bisect_left(orders, high)]

    def _ops_index(self, scope: FunctionFacts) -> tuple[list[cst.BaseExpression], list[int]]:
        cached = self._ops.get(id(scope))
        if cached is None or cached[0] is not scope.ops or len(cached[1]) != len(scope.ops):
            cached = self._ops[id(scope)] = (scope.ops, [self.order(op) for op in scope.ops])
        return cached

    def _bindings_index(self, scope: FunctionFacts) -> tuple[list[tuple[str, Binding]], list[int]]:
        cached = self._bindings.get(id(scope))
        if cached is None:
            pairs = sorted(((name, b) for name, bindings in scope.timeline.items() for b in bindings),
                           key=lambda pair: pair[1].order)
            cached = self._bindings[id(scope)] = (pairs, [b.order for _, b in pairs])
        return cached

    def last_order(self, timeline: list[Binding], node: cst.CSTNode) -> int:
        """The order of the last binding in `timeline` made by the statement `node` (0 when none)."""
        cached = self._last.get(id(timeline))
        if cached is None or cached[0] is not timeline or cached[1] != len(timeline):
            cached = self._last[id(timeline)] = (timeline, len(timeline), {id(b.node): b.order for b in timeline})
        return cached[2].get(id(node), 0)

    def use_index(self, name: str, scope: FunctionFacts) -> UseIndex:
        """`uses(name, scope)` indexed by order and loop, built once per name and function."""
        key = (id(scope.node), name)
        index = self._use_indexes.get(key)
        if index is None:
            uses, parents = self.uses(name, scope), self.parents(scope)
            at, in_loop = [], {}
            for position, use in enumerate(uses):
                marked = self.marked(use, parents)
                at.append(self.order(marked) if marked is not None else 0)
                blocks = self.facts.blocks.get(id(marked), ()) if marked is not None else ()
                for block in blocks:
                    if block in self.facts.loop_bodies:
                        in_loop.setdefault(block, []).append(position)
            by_order = sorted((order, position) for position, order in enumerate(at))
            index = self._use_indexes[key] = UseIndex(uses, at, by_order, in_loop)
        return index

    def _index(self) -> None:
        """One walk of the region: parents, and the uses of each name in each enclosing function."""
        root = self.facts.module
        assert root is not None
        parents: dict[int, cst.CSTNode] = {}
        uses: dict[tuple[int, str], list[cst.Name]] = {}
        _index_below(root, parents, uses, [id(None)])  # the module, then each enclosing function or lambda
        self._parents, self._uses = parents, uses


def _index_below(node: cst.CSTNode, parents: dict[int, cst.CSTNode], uses: dict[tuple[int, str], list[cst.Name]],
                 functions: list[int]) -> None:
    """`Flow._index`'s walk (a function of the module: a recursive closure is a cycle that would keep
    the region's nodes until a collection)."""
    scoped = isinstance(node, (cst.FunctionDef, cst.Lambda))
    if scoped:
        functions.append(id(node))
    for child in children(node):
        parents[id(child)] = node
        if isinstance(child, cst.Name) and not member_name(child, node):
            for function in functions:
                uses.setdefault((function, child.value), []).append(child)
        _index_below(child, parents, uses, functions)
    if scoped:
        functions.pop()


def _marked(node: cst.CSTNode, parents: dict[int, cst.CSTNode], order: dict[int, int]) -> cst.CSTNode | None:
    current: cst.CSTNode | None = node
    while current is not None and id(current) not in order:
        current = parents.get(id(current))
    return current


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from walk(child)


def member_name(name: cst.Name, parent: cst.CSTNode | None) -> bool:
    """`b` in `a.b` or `f(b=1)`: not a use of the variable `b`."""
    return (isinstance(parent, cst.Attribute) and parent.attr is name
            or isinstance(parent, (cst.Arg, cst.Param)) and getattr(parent, "keyword", None) is name)


def inside(node: cst.CSTNode, ancestor: cst.CSTNode | None, parents: dict[int, cst.CSTNode]) -> bool:
    """Whether `ancestor` is `node` or holds it."""
    current: cst.CSTNode | None = node
    while current is not None and ancestor is not None:
        if current is ancestor:
            return True
        current = parents.get(id(current))
    return False
