"""The calls of one name in a file's defs, found when that name is first asked for.

Indexing every call of every def costs a walk of the whole file, yet a file is asked about a few
names. A def whose text never spells the name cannot call it: only the defs that do are walked.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence

Def = ast.FunctionDef | ast.AsyncFunctionDef
Key = tuple[str, str]  # ("", "f") for `f(...)`, ("self", "a") for `self.a(...)`
Site = tuple[Def, str | None, ast.Call, bool]  # the def, its class, the call, a no-grad block holds it


class CallIndex:
    """`get(key)`: each call `key` spells in the defs, in file order, as a full index would list it."""

    def __init__(self, defs: Sequence[tuple[Def, str | None]], lines: Sequence[str],
                 calls_of: Callable[[Def], Iterator[tuple[ast.Call, bool]]]) -> None:
        self._defs, self._lines, self._calls_of = defs, lines, calls_of
        self._bodies: list[str] | None = None
        self._calls: dict[int, list[tuple[ast.Call, bool]]] = {}
        self._found: dict[Key, list[Site]] = {}

    def get(self, key: Key, default: Sequence[Site] = ()) -> Sequence[Site]:
        """The sites of `key`, or `default` when there is none."""
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._collect(*key)
        return found or default

    def _collect(self, receiver: str, name: str) -> list[Site]:
        if self._bodies is None:
            self._bodies = [_body_text(node, self._lines) for node, _ in self._defs]
        found: list[Site] = []
        for (node, owner), body in zip(self._defs, self._bodies):
            if name not in body and body.isascii():  # a non-ASCII name may be spelled otherwise (NFKC)
                continue
            calls = self._calls.get(id(node))
            if calls is None:
                calls = self._calls[id(node)] = list(self._calls_of(node))
            found += [(node, owner, call, off) for call, off in calls if _spells(call.func, receiver, name)]
        return found


def _body_text(node: Def, lines: Sequence[str]) -> str:
    """The lines of the def's body (where every call `calls_of` finds is)."""
    return "".join(lines[node.body[0].lineno - 1 : node.end_lineno or node.lineno])


def _spells(func: ast.expr, receiver: str, name: str) -> bool:
    if receiver == "":
        return isinstance(func, ast.Name) and func.id == name
    return (isinstance(func, ast.Attribute) and func.attr == name and isinstance(func.value, ast.Name)
            and func.value.id == receiver)
