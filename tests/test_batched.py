"""fixer.core.batched visits exactly the nodes LibCST's own traversal visits, in the same order."""

from __future__ import annotations

import libcst as cst

from fixer.core import batched

SOURCE = '''
from os import *
from a.b import (c as d, e)
@decorate(1)
async def f(x: int = 2, *args, y, **kw) -> "T":  # comment
    """doc"""
    global g
    h = f"{x!r:>{y}} {x=}" + f"{x}"
    for i, j in zip(a, b):
        h[i:j, ...] += (lambda q=1: q)(i) if i else [k async for k in j if k]
    else:
        del h
    try:
        pass
    except (A, B) as e:
        raise C from e
    finally:
        return {**kw, 1: 2}, {*args}, not x, -y, x @ y
class K(Base, metaclass=M):
    z: int = 3
    while True:
        with open(p) as fh, q:
            match z:
                case [1, *rest] | {"k": v} if v:
                    yield from rest
'''


class Log(batched._Batched):
    def __init__(self) -> None:
        super().__init__({})
        self.log: list[tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.log.append(("visit", id(node)))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.log.append(("leave", id(original_node)))


def test_walk_order_is_libcsts():
    module = cst.parse_module(SOURCE)
    theirs, ours = Log(), Log()
    module.visit(theirs)
    batched._walk(module, ours.on_visit, ours.on_leave, batched._ROLES_ALL)
    assert len(ours.log) > 500 and ours.log == theirs.log


class Names(cst.BatchableCSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.seen.append(node.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.seen.append(f"/{original_node.name.value}")


class Comments(Names):
    def visit_Comment(self, node: cst.Comment) -> None:
        self.seen.append(node.value)


def test_visit_batched_calls_the_same_methods_as_libcst():
    module = cst.parse_module(SOURCE)
    for kind in (Names, Comments):  # Comments: whitespace subtrees are not skipped then
        theirs, ours = [kind(), kind()], [kind(), kind()]
        cst.visit_batched(module, theirs)
        batched.visit_batched(module, ours)
        assert [v.seen for v in ours] == [v.seen for v in theirs]
        assert ("# comment" in ours[0].seen) is (kind is Comments)


class _Asked(cst.CSTVisitor):
    """LibCST's own traversal: every node, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        return True


def test_contains_asks_libcsts_nodes_in_order_minus_trivia_and_stops_at_the_first_yes() -> None:
    module = cst.parse_module(SOURCE)
    libcst_order = _Asked()
    module.visit(libcst_order)
    expected = [n for n in libcst_order.nodes if not isinstance(n, batched.TRIVIA)]
    asked: list[cst.CSTNode] = []
    assert not batched.contains(module, lambda n: asked.append(n) is not None)
    assert [id(n) for n in asked] == [id(n) for n in expected]
    target = next(n for n in expected if isinstance(n, cst.Lambda))
    asked.clear()
    assert batched.contains(module, lambda n: asked.append(n) is None and n is target)
    assert asked[-1] is target and len(asked) == expected.index(target) + 1
