"""The calls of one name in a file's defs, found when that name is first asked for.

Indexing every call of every def costs a walk of the whole file, yet a file is asked about a few
names. A def whose text never spells the name cannot call it: only the defs that do are walked.
Iterating over the index (every name called) walks them all, once.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping, Sequence

Def = ast.FunctionDef | ast.AsyncFunctionDef
Key = tuple[str, str]  # ("", "f") for `f(...)`, ("self", "a") for `self.a(...)`
Site = tuple[Def, str | None, ast.Call, bool]  # the def, its class, the call, a no-grad block holds it


class CallIndex(Mapping[Key, list[Site]]):
    """Each call a key spells in the defs, in file order: the same lists a full index holds."""

    def __init__(self, defs: Sequence[tuple[Def, str | None]], lines: Sequence[str],
                 calls_of: Callable[[Def], Iterator[tuple[ast.Call, bool]]]) -> None:
        self._defs, self._lines, self._calls_of = defs, lines, calls_of
        self._bodies: list[str] | None = None
        self._calls: dict[int, list[tuple[ast.Call, bool]]] = {}
        self._found: dict[Key, list[Site]] = {}
        self._full: dict[Key, list[Site]] | None = None

    def get(self, key: Key, default: Sequence[Site] | None = None) -> Sequence[Site] | None:  # type: ignore[override]
        """The sites of `key`, or `default` when there is none (asked alone: only its defs walked)."""
        if self._full is not None:
            return self._full.get(key, default)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._collect(*key)
        return found or default

    def __getitem__(self, key: Key) -> list[Site]:
        found = self.get(key)
        if not found:
            raise KeyError(key)
        return found  # type: ignore[return-value]

    def __iter__(self) -> Iterator[Key]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())

    def _index(self) -> dict[Key, list[Site]]:
        """Every key with its sites, as one walk of every def lists them."""
        if self._full is None:
            full: dict[Key, list[Site]] = {}
            for node, owner in self._defs:
                for call, off in self._calls_in(node):
                    key = _key(call.func)
                    if key is not None:
                        full.setdefault(key, []).append((node, owner, call, off))
            self._full = full
        return self._full

    def _collect(self, receiver: str, name: str) -> list[Site]:
        if self._bodies is None:
            self._bodies = [_body_text(node, self._lines) for node, _ in self._defs]
        found: list[Site] = []
        for (node, owner), body in zip(self._defs, self._bodies):
            if name not in body and body.isascii():  # a non-ASCII name may be spelled otherwise (NFKC)
                continue
            found += [(node, owner, call, off) for call, off in self._calls_in(node) if _key(call.func) == (receiver, name)]
        return found

    def _calls_in(self, node: Def) -> list[tuple[ast.Call, bool]]:
        calls = self._calls.get(id(node))
        if calls is None:
            calls = self._calls[id(node)] = list(self._calls_of(node))
        return calls


def _body_text(node: Def, lines: Sequence[str]) -> str:
    """The lines of the def's body (where every call `calls_of` finds is)."""
    return "".join(lines[node.body[0].lineno - 1 : node.end_lineno or node.lineno])


def _key(func: ast.expr) -> Key | None:
    """How the index files a call of `func`: by name, by `self.<attr>`, else not at all."""
    if isinstance(func, ast.Name):
        return "", func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
        return "self", func.attr
    return None
