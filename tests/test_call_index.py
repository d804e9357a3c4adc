"""The file's call index, built per name asked, lists what one walk of every def lists; and planning a
file leaves no cycle holding its nodes, so reference counting frees them, not the collector."""

from __future__ import annotations

import ast
import functools
import gc
import textwrap

import libcst as cst

from fixer.core import engine, registry
from fixer.analysis import leaf_callers
from fixer.analysis.call_index import CallIndex
from fixer.analysis.project import _calls
from fixer.analysis.summary import FUNCTIONS
from fixer.core.codemod import Codemod
from fixer.files.sourcefile import split_lines

SOURCE = textwrap.dedent('''
    import torch
    from torch import nn


    def helper(x, scale=None):
        return x * 2


    def caller(x):
        y = helper(x)
        with torch.no_grad():
            z = helper(y)
        def inner(v):
            return helper(v)  # a nested def's call is its own
        return torch.relu(y + z)


    def scale_(t):
        t.mul_(2)  # the caller's tensor, which sigmoid saved: an error found through the caller
        return t


    def gate(x):
        return scale_(torch.sigmoid(x))


    class Block(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.norm = nn.LayerNorm(d)

        def forward(self, x):
            x += self.norm(x)  # LayerNorm saved x: an error
            x = self.step(x)
            return helper(x, scale=self.step(x))

        @torch.no_grad()
        def step(self, x):
            x += 1
            x.mul_(2)
            return x
''')


def _defs(tree: ast.Module) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str | None]]:
    defs: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str | None]] = [
        (s, None) for s in tree.body if isinstance(s, FUNCTIONS)]
    defs += [(s, c.name) for c in tree.body if isinstance(c, ast.ClassDef) for s in c.body if isinstance(s, FUNCTIONS)]
    return defs


def _eager(tree: ast.Module) -> dict[tuple[str, str], list[tuple[object, ...]]]:
    """The index as one walk of every def builds it."""
    index: dict[tuple[str, str], list[tuple[object, ...]]] = {}
    for node, owner in _defs(tree):
        for call, off in _calls(node, {"torch": "torch"}):
            func = call.func
            if isinstance(func, ast.Name):
                index.setdefault(("", func.id), []).append((node, owner, call, off))
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
                index.setdefault(("self", func.attr), []).append((node, owner, call, off))
    return index


def _index(tree: ast.Module) -> CallIndex:
    return CallIndex(_defs(tree), split_lines(SOURCE), functools.partial(_calls, imports={"torch": "torch"}))


def test_each_name_asked_alone_gets_the_sites_of_a_full_index() -> None:
    tree = ast.parse(SOURCE)
    eager = _eager(tree)
    index = _index(tree)
    for key, sites in eager.items():
        assert index.get(key, ()) == sites
    assert [off for *_, off in index.get(("", "helper"), ())] == [False, True, False]  # the no-grad `with` is seen
    assert index.get(("", "inner"), ()) == ()  # never called: no site
    assert index.get(("self", "missing"), ()) == ()


def test_iterating_lists_every_key_in_the_full_index_order() -> None:
    tree = ast.parse(SOURCE)
    eager = _eager(tree)
    index = _index(tree)
    assert list(index) == list(eager)
    assert len(index) == len(eager)
    assert all(index[key] == sites for key, sites in eager.items())
    assert ("", "missing") not in index


def test_planning_leaves_no_cycle_holding_nodes() -> None:
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        result = engine.plan(SOURCE, "t.py", registry.all_rules())
        leaf_callers._sites.cache_clear()  # it keeps the last files' models on purpose
        gc.collect()
        held = [o for o in gc.garbage if isinstance(o, (cst.CSTNode, ast.AST, Codemod))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert result.findings  # the analysis ran: rules visited regions and asked the file model
    assert held == []
