"""The cheap pass: find candidate nodes with `ast` and the smallest source regions LibCST must see.

Parsing with LibCST costs about ten times `ast.parse`, so the engine gives LibCST only the
outermost function around each candidate, dedented, and the whole module only when a candidate
sits outside any function.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
from collections import deque
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from operator import attrgetter

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
    class_name: str | None = None  # the class holding this function, looked up in the file's ClassTable

    @property
    def whole_module(self) -> bool:
        return self.first == 0

    def holds(self, lines: list[int]) -> bool:
        """Whether one of `lines` is inside the region."""
        return self.whole_module or any(self.first <= line <= self.last for line in lines)


WHOLE_MODULE = Region(first=0, last=0, prefix="")


# Attributes that are the same tensor, or a view of it: `x.T` is a tensor when `x` is.
SAME_TENSOR_ATTRIBUTES = frozenset({"T", "mT", "H", "mH", "data", "grad", "real", "imag"})


@dataclass
class FileFacts:
    """What the cheap pass learns about the whole file, for rules to judge their candidates."""

    imports: ImportMap = dataclasses.field(default_factory=dict)
    parameters: set[str] = dataclasses.field(default_factory=set)  # every parameter name of every def
    annotated: set[str] = dataclasses.field(default_factory=set)  # the parameters with an annotation
    # Names some `name = value` binds to a value that may be a tensor; the analysis proves a name a
    # tensor only from such bindings (or a parameter's annotation), never from a loop or unpacking.
    bound_to_values: set[str] = dataclasses.field(default_factory=set)
    # How often each name is bound (every Store: assignment, loop, with, ...), and how often by
    # `name = <constant>` or `name op= v`.
    stores: dict[str, int] = dataclasses.field(default_factory=dict)
    plain_stores: dict[str, int] = dataclasses.field(default_factory=dict)

    # (line, X, callee) of each `self.X = callee(...)`, and (line, X, None) of each
    # `register_parameter("X", ...)`: the candidates for a class's parameters.
    parameter_sites: list[tuple[int, str, ast.expr | None]] = dataclasses.field(default_factory=list)
    classes: list[ast.ClassDef] = dataclasses.field(default_factory=list)  # every class, nested ones too

    @functools.cached_property
    def parameter_attributes(self) -> frozenset[str]:
        """`X` of every `self.X` some class of the file makes an `nn.Parameter`."""
        return frozenset(name for _, name, callee in self.parameter_sites if self._makes_parameter(callee))

    def class_parameters(self, node: ast.ClassDef) -> frozenset[str]:
        """`X` for each `self.X = nn.Parameter(...)` or `self.register_parameter("X", ...)` in the
        class (its lines): what walking the class would find, from the sites the scan noted."""
        first, last = node.lineno, node.end_lineno or node.lineno
        return frozenset(name for line, name, callee in self.parameter_sites
                         if first <= line <= last and self._makes_parameter(callee))

    def _makes_parameter(self, callee: ast.expr | None) -> bool:
        return callee is None or qualify(dotted_name(callee), self.imports) in PARAMETER_CLASSES

    def is_module(self, name: str) -> bool:
        """An imported name that is no parameter anywhere: the analysis never reads it as a tensor."""
        return name in self.imports and name not in self.parameters

    def qualified(self, node: ast.expr) -> str | None:
        """`F.relu` -> `torch.nn.functional.relu` through the file's imports."""
        return qualify(dotted_name(node), self.imports)

    def may_hold_tensor(self, node: ast.expr) -> bool:
        """A name or attribute chain on a name (what a write can rebind) that is not a module."""
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and not self.is_module(node.id)

    def is_plain(self, name: str) -> bool:
        """Bound only by `name = <constant>` (and updated by `name op= v`), never a parameter:
        the analysis types it "not a tensor" wherever it is bound (`step = 0` ... `step += 1`)."""
        plain = self.plain_stores.get(name, 0)
        return plain > 0 and plain == self.stores[name] and name not in self.parameters

    def may_be_tensor_name(self, name: str) -> bool:
        """Whether the analysis can prove `name` a tensor: an annotated parameter, or bound to a value."""
        return (name in self.annotated or name in self.bound_to_values) and not self.is_module(name)


def scan(
    tree: ast.Module, node_types: Collection[type[ast.AST]], is_candidate: Callable[[ast.AST, FileFacts], bool]
) -> tuple[FileFacts, list[int]]:
    """One walk of the tree: the file's facts, then the lines of the candidate nodes they admit."""
    facts = FileFacts()
    nodes: list[ast.AST] = []
    for node in walk(tree):
        kind = type(node)
        if kind is ast.Name:
            if type(node.ctx) is ast.Store:  # type: ignore[attr-defined]
                facts.stores[node.id] = facts.stores.get(node.id, 0) + 1  # type: ignore[attr-defined]
        elif kind is ast.arg:
            facts.parameters.add(node.arg)  # type: ignore[attr-defined]
            if node.annotation is not None:  # type: ignore[attr-defined]
                facts.annotated.add(node.arg)  # type: ignore[attr-defined]
        elif kind is ast.Import or kind is ast.ImportFrom:
            _add_import(node, facts.imports)  # type: ignore[arg-type]
        elif kind is ast.ClassDef:
            facts.classes.append(node)  # type: ignore[arg-type]
        else:
            if kind is ast.Assign or kind is ast.AnnAssign or kind is ast.NamedExpr:
                _add_bindings(node, facts)
            elif kind is ast.Call and type(node.func) is ast.Attribute and node.func.attr == "register_parameter":  # type: ignore[attr-defined]
                first = node.args[0] if node.args else None  # type: ignore[attr-defined]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    facts.parameter_sites.append((node.lineno, first.value, None))  # type: ignore[attr-defined]
            elif kind is ast.AugAssign and type(node.target) is ast.Name:  # type: ignore[attr-defined]
                name = node.target.id  # type: ignore[attr-defined]
                facts.plain_stores[name] = facts.plain_stores.get(name, 0) + 1
            if kind in node_types:
                nodes.append(node)
    lines = [node.lineno for node in nodes if is_candidate(node, facts)]  # type: ignore[attr-defined]
    return facts, sorted(lines)


NEVER_TENSOR_VALUES = (ast.Constant, ast.JoinedStr, ast.Dict, ast.List, ast.Set, ast.Tuple, ast.ListComp,
                       ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.Lambda, ast.BoolOp)


def _add_bindings(node: ast.Assign | ast.AnnAssign | ast.NamedExpr, facts: FileFacts) -> None:
    if node.value is None:
        return
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
        facts.parameter_sites += [(node.lineno, t.attr, node.value.func) for t in node.targets
                                  if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"]
    if isinstance(node.value, ast.Constant):
        for name in names:
            facts.plain_stores[name] = facts.plain_stores.get(name, 0) + 1
    if not isinstance(node.value, NEVER_TENSOR_VALUES):
        facts.bound_to_values.update(names)


# Fields that hold a name, number or text, never a node: `walk` does not look into them.
_LEAF_FIELDS: dict[str, frozenset[str]] = {
    kind: frozenset(fields) for kinds, fields in [
        (("FunctionDef", "AsyncFunctionDef"), ("name", "type_comment")),
        (("ClassDef", "ExceptHandler", "MatchAs", "MatchStar", "TypeVar", "ParamSpec", "TypeVarTuple"), ("name",)),
        (("Assign", "For", "AsyncFor", "With", "AsyncWith"), ("type_comment",)),
        (("Global", "Nonlocal"), ("names",)),
        (("Constant",), ("value", "kind")),
        (("MatchSingleton",), ("value",)),
        (("Name",), ("id",)),
        (("Attribute",), ("attr",)),
        (("arg",), ("arg", "type_comment")),
        (("keyword",), ("arg",)),
        (("alias",), ("name", "asname")),
        (("ImportFrom",), ("module", "level")),
        (("AnnAssign",), ("simple",)),
        (("FormattedValue",), ("conversion",)),
        (("comprehension",), ("is_async",)),
        (("MatchMapping",), ("rest",)),
        (("MatchClass",), ("kwd_attrs",)),
        (("TypeIgnore",), ("lineno", "tag")),
    ] for kind in kinds
}
_CHILDREN: dict[type[ast.AST], tuple[Callable[[ast.AST], tuple[object, ...]], tuple[str, ...]] | None] = {}


def _children_of(kind: type[ast.AST]) -> tuple[Callable[[ast.AST], tuple[object, ...]], tuple[str, ...]] | None:
    """A getter of the fields of `kind` that may hold nodes (all at once, in order), and their names."""
    names = tuple(n for n in kind._fields if n != "ctx" and n not in _LEAF_FIELDS.get(kind.__name__, ()))
    if not names:
        return None
    if len(names) == 1:
        one = attrgetter(names[0])
        return (lambda node: (one(node),)), names
    return attrgetter(*names), names


def walk(tree: ast.AST) -> Iterator[ast.AST]:
    """`ast.walk`, in the same order, minus the Load/Store/Del context nodes: twice as fast."""
    todo = deque([tree])
    pop, append, getters, node_type = todo.popleft, todo.append, _CHILDREN, ast.AST
    while todo:
        node = pop()
        yield node
        kind = type(node)
        try:
            children = getters[kind]
        except KeyError:
            children = getters[kind] = _children_of(kind)
        if children is None:
            continue
        try:
            values = children[0](node)
        except AttributeError:  # a node built without every field
            values = tuple(getattr(node, name, None) for name in children[1])
        for value in values:
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        append(item)
            elif isinstance(value, node_type):
                append(value)


def self_parameter(target: ast.Attribute, file: FileFacts) -> bool:
    """`self.X` where some class of the file makes `X` an `nn.Parameter`."""
    return isinstance(target.value, ast.Name) and target.value.id == "self" and target.attr in file.parameter_attributes


def collect_imports(tree: ast.Module) -> ImportMap:
    """Every import in the file, as local name -> qualified name (function-level ones too)."""
    return scan(tree, (), lambda node, facts: False)[0].imports


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


def base_names(node: ast.ClassDef) -> list[str]:
    """The dotted names of a class's bases, as spelled: `Sampler[List[int]]` is the class `Sampler`."""
    spelled = (dotted_name(b.value if isinstance(b, ast.Subscript) else b) for b in node.bases)
    return [b for b in spelled if b is not None]


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
    tree: ast.Module, lines: list[str], candidate_lines: list[int], imports: ImportMap,
    class_parameters: Callable[[ast.ClassDef], frozenset[str]],
) -> list[Region]:
    """The regions holding candidate lines, in file order; [WHOLE_MODULE] when one is outside a def.
    `class_parameters`: a class's parameters, as the scan noted them (`FileFacts.class_parameters`)."""
    regions: list[Region] = []
    pending = iter(candidate_lines)
    line = next(pending, None)
    parameters: dict[int, frozenset[str]] = {}  # per class, computed for classes holding a region only
    for node, bases, owner in _outermost_functions(tree.body, (), None, imports):
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
        if owner is not None:
            if id(owner) not in parameters:
                parameters[id(owner)] = class_parameters(owner)
            region = dataclasses.replace(region, class_parameters=parameters[id(owner)], class_name=owner.name)
        regions.append(region)
    return regions if line is None else [WHOLE_MODULE]


def _outermost_functions(
    body: list[ast.stmt], bases: tuple[str, ...], owner: ast.ClassDef | None, imports: ImportMap
) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, tuple[str, ...], ast.ClassDef | None]]:
    """Each def not nested in another def, in file order, with its class's bases and the class."""
    for stmt in body:
        if isinstance(stmt, FUNCTIONS):
            yield stmt, bases, owner
        elif isinstance(stmt, ast.ClassDef):
            own = tuple(q for b in base_names(stmt) if (q := qualify(b, imports)))
            yield from _outermost_functions(stmt.body, own, stmt, imports)
        elif isinstance(stmt, CONTAINERS):
            for child in _child_bodies(stmt):
                yield from _outermost_functions(child, bases, owner, imports)


PARAMETER_CLASSES = frozenset({"torch.nn.Parameter", "torch.nn.parameter.Parameter"})


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


def region_source(lines: list[str], region: Region) -> str:
    """The region's lines, dedented by its prefix, with "\\n" newlines."""
    chosen = lines if region.whole_module else lines[region.first - 1 : region.last]
    width = len(region.prefix)
    return "".join(line.rstrip("\r\n")[width:] + "\n" for line in chosen)


def function_region(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str], bases: tuple[str, ...] = (),
                    class_name: str | None = None, class_parameters: frozenset[str] = frozenset()) -> Region | None:
    """The region of one def (None when its lines cannot be dedented alone)."""
    region = _region_of(node, lines, bases)
    return None if region is None else dataclasses.replace(region, class_name=class_name, class_parameters=class_parameters)


def _has_multiline_string(node: ast.AST) -> bool:
    return any(
        isinstance(n, (ast.Constant, ast.JoinedStr)) and n.end_lineno != n.lineno  # type: ignore[attr-defined]
        for n in walk(node)
    )
