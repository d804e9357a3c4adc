"""LibCST's batched traversal, minus its fixed cost: each visitor class's methods are listed once.

`libcst.visit_batched` lists every visitor's methods with `inspect.getmembers` on each call, which
walks the hundreds of no-op stubs of `CSTTypedVisitorFunctions`: on the benchmark corpus that cost
more than the traversal itself, since the engine makes one traversal per region. Dispatch is
also cached per node type. The visitors called, and their order, are LibCST's.

LibCST's own `node.visit` rebuilds (and re-validates) every node on the way back up, even for a
visitor that cannot change anything. `_walk` only reads: it visits each node type's children in
the order LibCST's `_visit_and_replace_children` does, learnt once per type by running that
method's source (or, without sources, by running it with a recorder), and skips whitespace and comment subtrees when no visitor looks at them.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import libcst as cst

Method = Callable[[cst.CSTNode], None]
NodeT = TypeVar("NodeT", bound=cst.CSTNode)

_NAMES: dict[type[cst.BatchableCSTVisitor], tuple[str, ...]] = {}


def visit_batched(node: NodeT, visitors: Sequence[cst.BatchableCSTVisitor]) -> NodeT:
    """Like `libcst.visit_batched(node, visitors)`."""
    methods: dict[str, list[Method]] = {}
    for visitor in visitors:
        for name in _method_names(visitor):
            methods.setdefault(name, []).append(getattr(visitor, name))
    batched = _Batched(methods)
    if batched.by_attribute:  # attribute hooks: LibCST's traversal calls them in its own way
        return node.visit(batched)  # type: ignore[return-value]
    roles = _ROLES_ALL if any(_is_trivia_method(name) for name in methods) else _ROLES
    _walk(node, batched.on_visit, batched.on_leave, roles)
    return node


# Whitespace and comments: their subtrees hold only more of them.
TRIVIA: tuple[type[cst.CSTNode], ...] = (
    cst.BaseParenthesizableWhitespace, cst.EmptyLine, cst.TrailingWhitespace, cst.Newline, cst.Comment,
)  # fmt: skip
def _is_trivia_method(name: str) -> bool:
    kind = getattr(cst, name.split("_", 1)[1], None)
    return not isinstance(kind, type) or issubclass(kind, TRIVIA)


_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}

# What a field's value is, by its type: a node to walk, a sequence of them, or nothing to walk
# (trivia when skipped, or not a node). Cached per type: `isinstance` against LibCST's abstract
# base classes goes through `ABCMeta.__instancecheck__`, a third of the traversal's time.
WALK, SEQUENCE, IGNORE = 0, 1, 2
_ROLES: dict[type, int] = {}  # trivia skipped
_ROLES_ALL: dict[type, int] = {}  # trivia walked


def _role(kind: type, roles: dict[type, int]) -> int:
    if issubclass(kind, (tuple, list)):
        role = SEQUENCE
    elif issubclass(kind, cst.CSTNode) and not (roles is _ROLES and issubclass(kind, TRIVIA)):
        role = WALK
    else:
        role = IGNORE
    roles[kind] = role
    return role


def _walk(node: cst.CSTNode, visit: Method, leave: Method, roles: dict[type, int]) -> None:
    """`node.visit(visitor)` for a visitor that changes nothing, without rebuilding nodes."""
    visit(node)
    for field in _fields_of(node):
        value = getattr(node, field)
        role = roles.get(type(value))
        if role is None:
            role = _role(type(value), roles)
        if role == WALK:
            _walk(value, visit, leave, roles)
        elif role == SEQUENCE:
            for child in value:
                kind = roles.get(type(child))
                if kind is None:
                    kind = _role(type(child), roles)
                if kind == WALK:
                    _walk(child, visit, leave, roles)
    leave(node)


class _FieldRecorder(cst.CSTVisitor):
    """Notes the fields `_visit_and_replace_children` visits, in order, without descending."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.fields.append(attribute)


_VISITED_FIELD = re.compile(r"""\bvisit_\w+\(\s*self,\s*["'](\w+)["']""")


def _fields_of(node: cst.CSTNode) -> tuple[str, ...]:
    """The node type's child fields in visiting order, worked out once per type."""
    fields = _FIELDS.get(type(node))
    if fields is None:
        fields = _FIELDS[type(node)] = _child_fields(node)
    return fields


def _child_fields(node: cst.CSTNode) -> tuple[str, ...]:
    """The fields LibCST visits, in its order, including those it visits only sometimes
    (`format_spec` when there is one): read from the method's source, else recorded."""
    try:
        source = inspect.getsource(type(node)._visit_and_replace_children)
    except (OSError, TypeError):
        source = ""
    fields = tuple(dict.fromkeys(_VISITED_FIELD.findall(source)))
    if fields:
        return fields
    recorder = _FieldRecorder()
    node._visit_and_replace_children(recorder)
    return tuple(recorder.fields)


def _method_names(visitor: cst.BatchableCSTVisitor) -> tuple[str, ...]:
    """The names LibCST's `get_visitors` finds, listed once per class."""
    cls = type(visitor)
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(visitor.get_visitors())
    return names


class _Batched(cst.CSTVisitor):
    """Calls every visitor's `visit_<Type>` / `leave_<Type>` (and attribute variants) in turn."""

    def __init__(self, methods: dict[str, list[Method]]) -> None:
        super().__init__()
        self.methods = methods
        self.visits: dict[type, list[Method]] = {}
        self.leaves: dict[type, list[Method]] = {}
        # `visit_<Type>_<attribute>`: the type names hold no underscore, so one more means an attribute
        self.by_attribute = any(name.count("_") > 1 for name in methods)

    def on_visit(self, node: cst.CSTNode) -> bool:
        kind = type(node)
        calls = self.visits.get(kind)
        if calls is None:
            calls = self.visits[kind] = self.methods.get(f"visit_{kind.__name__}", [])
        for call in calls:
            call(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        kind = type(original_node)
        calls = self.leaves.get(kind)
        if calls is None:
            calls = self.leaves[kind] = self.methods.get(f"leave_{kind.__name__}", [])
        for call in calls:
            call(original_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if self.by_attribute:
            for call in self.methods.get(f"visit_{type(node).__name__}_{attribute}", []):
                call(node)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        if self.by_attribute:
            for call in self.methods.get(f"leave_{type(original_node).__name__}_{attribute}", []):
                call(original_node)


def contains(root: cst.CSTNode, predicate: Callable[[cst.CSTNode], bool]) -> bool:
    """Whether `root` or a node below it satisfies `predicate`, asked in LibCST's visiting order and
    stopping at the first yes, as `root.visit` of a finder would, but read-only; whitespace and
    comment subtrees are not asked about."""
    if predicate(root):
        return True
    return any(contains(child, predicate) for child in children(root))


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`node.children` in visiting order, whitespace and comments left out, without LibCST's copying."""
    roles = _ROLES
    for field in _fields_of(node):
        value = getattr(node, field)
        role = roles.get(type(value))
        if role is None:
            role = _role(type(value), roles)
        if role == WALK:
            yield value
        elif role == SEQUENCE:
            for child in value:
                kind = roles.get(type(child))
                if kind is None:
                    kind = _role(type(child), roles)
                if kind == WALK:
                    yield child
