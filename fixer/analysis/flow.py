"""Order facts of one region: which bindings reach a node, loops, parents and the uses of names.

Built on `RegionFacts` (source order, enclosing blocks, `if` chains, loop bodies); shared by the
saved-for-backward, grad and aliasing analyses so each asks the same questions the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from fixer.analysis.scope import Binding, FunctionFacts, RegionFacts
from fixer.batched import children


class Flow:
    """`reaching(name, node, scope)` and friends, with per-function parent maps and use indexes."""

    def __init__(self, facts: RegionFacts) -> None:
        self.facts = facts
        self._parents: dict[int, cst.CSTNode] | None = None
        self._uses: dict[tuple[int, str], list[cst.Name]] = {}

    def order(self, node: cst.CSTNode) -> int:
        return self.facts.order.get(id(node), 0)

    def reaching(self, name: str, node: cst.CSTNode, scope: FunctionFacts,
                 timeline: list[Binding] | None = None) -> list[Binding]:
        """The bindings of `name` that may hold at `node`: back to the last one that surely does,
        plus those later in the same loop body (they hold from the previous iteration).
        `timeline`: other bindings than the name's (an attribute's, `self.h`)."""
        write, blocks = self.facts.order.get(id(node), 0), self.facts.blocks.get(id(node), ())
        timeline = scope.timeline.get(name, []) if timeline is None else timeline
        found: list[Binding] = []
        for binding in reversed([b for b in timeline if b.order < write]):
            if self.exclusive(binding.blocks, blocks):
                continue  # bound in another branch of the `if` that holds the write
            found.append(binding)
            if blocks[: len(binding.blocks)] == binding.blocks:
                break
        loop = self.loop_of(node)
        if loop is not None and not (found and loop in found[-1].blocks):
            found += [b for b in timeline if b.order > write and loop in b.blocks]
        return found

    def entry_reaches(self, name: str, node: cst.CSTNode, scope: FunctionFacts) -> bool:
        """Whether the value `name` had on entry (a parameter's argument) may still hold at `node`:
        no binding before it runs whenever `node` runs."""
        write, blocks = self.facts.order.get(id(node), 0), self.facts.blocks.get(id(node), ())
        return not any(b.order < write and blocks[: len(b.blocks)] == b.blocks for b in scope.timeline.get(name, []))

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
        current: cst.CSTNode | None = node
        while current is not None and id(current) not in self.facts.order:
            current = parents.get(id(current))
        return current

    def uses(self, name: str, scope: FunctionFacts) -> list[cst.Name]:
        """Every `Name` node spelling `name` in the function (nested scopes included), members excluded."""
        if self._parents is None:
            self._index()
        return self._uses.get((id(scope.node), name), [])

    def _index(self) -> None:
        """One walk of the region: parents, and the uses of each name in each enclosing function."""
        root = self.facts.module
        assert root is not None
        parents: dict[int, cst.CSTNode] = {}
        uses: dict[tuple[int, str], list[cst.Name]] = {}
        functions: list[int] = [id(None)]  # the module, then each enclosing function or lambda

        def visit(node: cst.CSTNode) -> None:
            scoped = isinstance(node, (cst.FunctionDef, cst.Lambda))
            if scoped:
                functions.append(id(node))
            for child in children(node):
                parents[id(child)] = node
                if isinstance(child, cst.Name) and not member_name(child, node):
                    for function in functions:
                        uses.setdefault((function, child.value), []).append(child)
                visit(child)
            if scoped:
                functions.pop()

        visit(root)
        self._parents, self._uses = parents, uses


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
