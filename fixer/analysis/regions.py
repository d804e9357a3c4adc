"""The cheap pass: find candidate nodes with `ast` and the smallest source regions LibCST must see.

Parsing with LibCST costs about ten times `ast.parse`, so the engine gives LibCST only the
outermost function around each candidate, dedented, and the whole module only when a candidate
sits outside any function.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

ImportMap = dict[str, str]  # local name -> qualified name ("F" -> "torch.nn.functional")

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
CONTAINERS = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)
if hasattr(ast, "TryStar"):
    CONTAINERS += (ast.TryStar,)


@dataclass(frozen=True, slots=True)
class Region:
    """Lines `first`..`last` (1-based, inclusive) of a file, all indented by `prefix`."""

    first: int
    last: int
    prefix: str
    class_bases: tuple[str, ...] = ()  # qualified bases of the class holding this function
    class_parameters: frozenset[str] = frozenset()  # `self.X` attributes the class makes nn.Parameters

    @property
    def whole_module(self) -> bool:
        return self.first == 0


WHOLE_MODULE = Region(first=0, last=0, prefix="")


def scan(tree: ast.Module, is_candidate: Callable[[ast.AST], bool]) -> tuple[ImportMap, list[int]]:
    """One walk of the tree: the file's imports and the lines of candidate nodes."""
    imports: ImportMap = {}
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            _add_import(node, imports)
        elif is_candidate(node):
            lines.append(node.lineno)  # type: ignore[attr-defined]
    return imports, sorted(lines)


def collect_imports(tree: ast.Module) -> ImportMap:
    """Every import in the file, as local name -> qualified name (function-level ones too)."""
    return scan(tree, lambda node: False)[0]


def _add_import(node: ast.Import | ast.ImportFrom, names: ImportMap) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                names[alias.asname] = alias.name
            else:
                head = alias.name.split(".")[0]
                names[head] = head
    elif node.module and not node.level:
        for alias in node.names:
            names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    elif node.level:  # `from ... import initialization as init`: a module or object, never a local tensor
        package = "." * node.level + (f"{node.module}." if node.module else "")
        for alias in node.names:
            names[alias.asname or alias.name] = f"{package}{alias.name}"


def dotted_name(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def qualify(dotted: str | None, imports: ImportMap) -> str | None:
    """Resolve the head of a dotted name through the file's imports."""
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    base = imports.get(head)
    if base is None:
        return None
    return f"{base}.{rest}" if rest else base


def find_regions(
    tree: ast.Module, lines: list[str], candidate_lines: list[int], imports: ImportMap
) -> list[Region]:
    """The regions holding candidate lines, in file order; [WHOLE_MODULE] when one is outside a def."""
    regions: list[Region] = []
    pending = iter(candidate_lines)
    line = next(pending, None)
    for node, bases, parameters in _outermost_functions(tree.body, (), frozenset(), imports):
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        if line is not None and line < first:
            return [WHOLE_MODULE]
        if line is None or line > node.end_lineno:  # type: ignore[operator]
            continue
        while line is not None and line <= node.end_lineno:  # type: ignore[operator]
            line = next(pending, None)
        region = _region_of(node, lines, bases)
        if region is None:
            return [WHOLE_MODULE]
        regions.append(dataclasses.replace(region, class_parameters=parameters) if parameters else region)
    return regions if line is None else [WHOLE_MODULE]


def _outermost_functions(
    body: list[ast.stmt], bases: tuple[str, ...], parameters: frozenset[str], imports: ImportMap
) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, tuple[str, ...], frozenset[str]]]:
    """Each def not nested in another def, in file order, with its class's bases and parameters."""
    for stmt in body:
        if isinstance(stmt, FUNCTIONS):
            yield stmt, bases, parameters
        elif isinstance(stmt, ast.ClassDef):
            own = tuple(q for b in stmt.bases if (q := qualify(dotted_name(b), imports)))
            yield from _outermost_functions(stmt.body, own, _class_parameters(stmt, imports), imports)
        elif isinstance(stmt, CONTAINERS):
            for child in _child_bodies(stmt):
                yield from _outermost_functions(child, bases, parameters, imports)


PARAMETER_CLASSES = frozenset({"torch.nn.Parameter", "torch.nn.parameter.Parameter"})


def _class_parameters(node: ast.ClassDef, imports: ImportMap) -> frozenset[str]:
    """`X` for each `self.X = nn.Parameter(...)` or `self.register_parameter("X", ...)` in the class."""
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Call):
            if qualify(dotted_name(sub.value.func), imports) in PARAMETER_CLASSES:
                found.update(t.attr for t in sub.targets if isinstance(t, ast.Attribute)
                             and isinstance(t.value, ast.Name) and t.value.id == "self")
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.args:
            first = sub.args[0]
            if sub.func.attr == "register_parameter" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add(first.value)
    return frozenset(found)


def _child_bodies(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists inside a compound statement, in file order."""
    yield getattr(stmt, "body", [])
    for handler in getattr(stmt, "handlers", []):
        yield handler.body
    yield getattr(stmt, "orelse", [])
    yield getattr(stmt, "finalbody", [])


def _region_of(
    node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str], bases: tuple[str, ...]
) -> Region | None:
    """The def's lines, decorators included, when they all share its indentation; else None."""
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    last = node.end_lineno or node.lineno
    head = lines[first - 1]
    prefix = head[: len(head) - len(head.lstrip(" \t"))]
    blank_with_spaces = False
    for line in lines[first - 1 : last]:
        body = line.rstrip("\r\n")
        if body.strip() and not body.startswith(prefix):
            return None  # a continuation or string line left of the def: dedenting would change it
        blank_with_spaces |= bool(body) and not body.strip()
    if blank_with_spaces and _has_multiline_string(node):
        return None  # re-indenting a fix could not tell such a line's spaces from the prefix
    return Region(first=first, last=last, prefix=prefix, class_bases=bases)


def _has_multiline_string(node: ast.AST) -> bool:
    return any(
        isinstance(n, (ast.Constant, ast.JoinedStr)) and n.end_lineno != n.lineno  # type: ignore[attr-defined]
        for n in ast.walk(node)
    )
