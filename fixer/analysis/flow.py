"""Order facts of one region: which bindings reach a node, loops, parents and the uses of names.

Built on `RegionFacts` (source order, enclosing blocks, `if` chains, loop bodies); shared by the
saved-for-backward, grad and aliasing analyses so each asks the same questions the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from fixer.analysis.scope import Binding, FunctionFacts, RegionFacts


class Flow:
    """`reaching(name, node, scope)` and friends, with per-function parent maps and use indexes."""

    def __init__(self, facts: RegionFacts) -> None:
        self.facts = facts
        self._parent_maps: dict[int, dict[int, cst.CSTNode]] = {}
        self._use_maps: dict[int, dict[str, list[cst.Name]]] = {}

    def order(self, node: cst.CSTNode) -> int:
        return self.facts.order.get(id(node), 0)

    def reaching(self, name: str, node: cst.CSTNode, scope: FunctionFacts) -> list[Binding]:
        """The bindings of `name` that may hold at `node`: back to the last one that surely does,
        plus those later in the same loop body (they hold from the previous iteration)."""
        write, blocks = self.facts.order.get(id(node), 0), self.facts.blocks.get(id(node), ())
        timeline = scope.timeline.get(name, [])
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
        key = id(scope)
        if key not in self._parent_maps:
            root = scope.node or self.facts.module
            assert root is not None
            self._parent_maps[key] = {id(child): node for node in walk(root) for child in node.children}
        return self._parent_maps[key]

    def marked(self, node: cst.CSTNode, parents: dict[int, cst.CSTNode]) -> cst.CSTNode | None:
        """The nearest node around `node` whose order and blocks the facts know."""
        current: cst.CSTNode | None = node
        while current is not None and id(current) not in self.facts.order:
            current = parents.get(id(current))
        return current

    def uses(self, name: str, scope: FunctionFacts) -> list[cst.Name]:
        """Every `Name` node spelling `name` in the function (nested scopes included), members excluded."""
        key = id(scope)
        if key not in self._use_maps:
            root = scope.node or self.facts.module
            assert root is not None
            parents = self.parents(scope)
            index: dict[str, list[cst.Name]] = {}
            for node in walk(root):
                if isinstance(node, cst.Name) and not member_name(node, parents.get(id(node))):
                    index.setdefault(node.value, []).append(node)
            self._use_maps[key] = index
        return self._use_maps[key].get(name, [])


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from walk(child)


def member_name(name: cst.Name, parent: cst.CSTNode | None) -> bool:
    """`b` in `a.b` or `f(b=1)`: not a use of the variable `b`."""
    return (isinstance(parent, cst.Attribute) and parent.attr is name
            or isinstance(parent, (cst.Arg, cst.Param)) and getattr(parent, "keyword", None) is name)
