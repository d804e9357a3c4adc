"""The LibCST private API outplace relies on, pinned: each test names what changed and where we use it.

- `libcst._nodes.internal.CodegenState` and `CSTNode._codegen(state)`: fixer/core/engine.py
  (`_code_in_block`, a node's code inside its block) and fixer/core/positions.py (`_State`, node
  ranges at a third of `PositionProvider`'s cost).
- `CSTNode._visit_and_replace_children`, whose source fixer/core/batched.py reads with the regex
  `_VISITED_FIELD` to learn each node type's child fields in visiting order.

When LibCST changes one of them, these tests fail first and say which use to update; the
behaviour tests (test_positions.py, test_batched.py) would fail too, but less plainly.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from pathlib import Path

import libcst as cst
import pytest

from fixer.core import batched, positions

REPO = Path(__file__).resolve().parent.parent
USED_BY = {
    "engine": "fixer/core/engine.py (_code_in_block)",
    "positions": "fixer/core/positions.py (_State)",
    "batched": "fixer/core/batched.py (_child_fields, _VISITED_FIELD)",
}

# Syntax that exercises optional children (format specs, else branches, annotations, patterns).
RICH = '''
from os import *
from a.b import (c as d, e)
@decorate(1)
async def f(x: int = 2, /, *args, y, **kw) -> "T":  # comment
    """doc"""
    global g
    h = f"{x!r:>{y}} {x=}" + f"{x}" + f"{x:{y}.{y}}"
    for i, j in zip(a, b):
        h[i:j:2, ...] += (lambda q=1, *, r: q)(i) if i else [k async for k in j if k]
    else:
        del h
    try:
        pass
    except* (A, B) as e:
        raise C from e
    else:
        assert x, "m"
    finally:
        return {**kw, 1: 2}, {*args}, not x, -y, x @ y, (z := 3), a[1:], b[::]
class K(Base, metaclass=M):
    z: int = 3
    while True:
        with open(p) as fh, q:
            match z:
                case [1, *rest] | {"k": v, **more} if v:
                    yield from rest
                case Point(x=0, y=_) as pt:
                    print(*a, sep="", **kw)
                case _:
                    nonlocal w
'''


def codegen_state() -> type:
    try:
        module = importlib.import_module("libcst._nodes.internal")
    except ImportError as error:
        pytest.fail(f"libcst._nodes.internal is gone ({error}): update the CodegenState import in "
                    f"{USED_BY['engine']} and {USED_BY['positions']}")
    state = getattr(module, "CodegenState", None)
    if state is None:
        pytest.fail(f"libcst._nodes.internal.CodegenState is gone: used by {USED_BY['engine']} and {USED_BY['positions']}")
    return state


def test_codegen_state_keeps_the_fields_we_build_it_with_and_read():
    fields = {f.name for f in dataclasses.fields(codegen_state())}
    missing = {"default_indent", "default_newline", "indent_tokens", "tokens"} - fields
    assert not missing, (f"CodegenState lost the fields {sorted(missing)}: {USED_BY['engine']} builds it with "
                         f"default_indent/default_newline and reads tokens; {USED_BY['positions']} reads indent_tokens")


def test_every_hook_positions_overrides_is_one_libcst_calls():
    """An override of a method CodegenState no longer has would silently never run."""
    state = codegen_state()
    ours = [name for name, value in vars(positions._State).items()
            if callable(value) and not name.startswith("__")]  # fmt: skip
    assert set(ours) >= {"add_token", "add_indent_tokens", "before_codegen", "after_codegen",
                         "record_syntactic_position"}
    gone = [name for name in ours if not callable(getattr(state, name, None))]
    assert not gone, f"CodegenState no longer has {gone}: {USED_BY['positions']} overrides them, LibCST won't call them"
    theirs = inspect.signature(state.record_syntactic_position).parameters
    assert list(theirs)[:2] == ["self", "node"] and {"start_node", "end_node"} <= set(theirs), (
        f"CodegenState.record_syntactic_position{inspect.signature(state.record_syntactic_position)} changed: "
        f"{USED_BY['positions']} mirrors its (node, *, start_node, end_node) signature"
    )
    assert callable(getattr(state, "increase_indent", None)), (
        f"CodegenState.increase_indent is gone: {USED_BY['engine']} indents a node's code by its block with it"
    )


def test_a_node_codegen_writes_its_code_into_the_state():
    state_type = codegen_state()
    module = cst.parse_module(RICH)
    assert callable(getattr(module, "_codegen", None)), f"CSTNode._codegen is gone: used by {USED_BY['engine']}, {USED_BY['positions']}"
    state = state_type(default_indent=module.default_indent, default_newline=module.default_newline)
    module._codegen(state)
    assert "".join(state.tokens) == RICH, f"CSTNode._codegen(state) no longer writes the code into state.tokens: {USED_BY['engine']}"
    loop = next(s for s in module.body[2].body.body if isinstance(s, cst.For))  # in `f`: indented by four
    state = state_type(default_indent=module.default_indent, default_newline=module.default_newline)
    state.increase_indent("    ")
    loop._codegen(state)
    assert "".join(state.tokens) == RICH[RICH.index("    for i, j"):RICH.index("    try:")], (
        f"CodegenState.increase_indent no longer indents a node's code: {USED_BY['engine']}"
    )


def node_classes() -> list[type[cst.CSTNode]]:
    return [kind for kind in vars(cst).values()
            if isinstance(kind, type) and issubclass(kind, cst.CSTNode) and not inspect.isabstract(kind)]  # fmt: skip


def test_the_regex_reads_real_fields_from_every_node_types_visit_method():
    kinds = node_classes()
    assert len(kinds) > 100
    unreadable, stray = [], []
    for kind in kinds:
        try:
            source = inspect.getsource(kind._visit_and_replace_children)
        except (OSError, TypeError, AttributeError):
            unreadable.append(kind.__name__)
            continue
        fields = {f.name for f in dataclasses.fields(kind)}
        stray += [f"{kind.__name__}.{name}" for name in batched._VISITED_FIELD.findall(source) if name not in fields]
    # without sources batched falls back to recording (slower, same order): a test for it is in test_batched.py
    assert not unreadable, f"no source for _visit_and_replace_children of {unreadable}: {USED_BY['batched']}"
    assert not stray, f"the regex reads names that are no fields of the node: {stray}: update {USED_BY['batched']}"


def is_in_order_within(part: list[str], whole: tuple[str, ...]) -> bool:
    rest = iter(whole)
    return all(name in rest for name in part)


def regex_fields(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    """What fixer/core/batched.py reads from the node type's visiting method (no recording fallback)."""
    source = inspect.getsource(kind._visit_and_replace_children)  # type: ignore[attr-defined]
    return tuple(dict.fromkeys(batched._VISITED_FIELD.findall(source)))


def test_the_regex_gives_the_fields_libcst_visits_in_its_order():
    """On real code (RICH and outplace's own engine), every field LibCST visits is one the regex
    read, in the same order; the regex may list more (children a node has only sometimes)."""
    sources = [RICH, *(p.read_text() for p in sorted((REPO / "fixer" / "core").glob("*.py")))]
    seen: dict[type, list[str]] = {}
    wrong = []
    for source in sources:
        for node in _all_nodes(cst.parse_module(source)):
            recorder = batched._FieldRecorder()  # what LibCST's own method visits on this node
            node._visit_and_replace_children(recorder)
            read = regex_fields(type(node))
            if not is_in_order_within(recorder.fields, read):
                wrong.append(f"{type(node).__name__}: LibCST visits {recorder.fields}, the regex read {list(read)}")
            seen.setdefault(type(node), recorder.fields)
    assert len(seen) > 80  # not vacuous: most node types met
    assert not wrong, f"{USED_BY['batched']} walks children LibCST would not, or in another order: {wrong[:5]}"


def _all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    nodes: list[cst.CSTNode] = []

    class Every(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            nodes.append(node)
            return True

    module.visit(Every())
    return nodes
