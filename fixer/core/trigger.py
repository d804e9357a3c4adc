"""What a rule looks at, declared once and asked alike of an `ast` node (the cheap pass) and of a
LibCST node (the rule's visit): a node type both trees name the same, and a test of its shape."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

import libcst as cst

from fixer.analysis.regions import ImportMap, dotted_name, qualify
from fixer.analysis.scope import dotted

Node = Union[ast.AST, cst.CSTNode]

# Operands a tensor raises on (`hidden += (h,)`, `s += "..."`), named alike in both trees but strings.
NEVER_TENSOR_OPERANDS = frozenset({"Tuple", "List", "Dict", "Set", "ListComp", "SetComp", "DictComp", "JoinedStr",
                                   "SimpleString", "ConcatenatedString", "FormattedString"})


def never_tensor_operand(value: ast.expr | cst.BaseExpression) -> bool:
    """`s += "..."`, `hidden += (h,)`: a tensor raises on these, so the target is no tensor."""
    if isinstance(value, ast.Constant):
        return isinstance(value.value, (str, bytes))
    return type(value).__name__ in NEVER_TENSOR_OPERANDS


class Shape:
    """A node as a trigger reads it: the parts both trees have, under the names they share."""

    __slots__ = ("node", "kind", "imports", "_known")

    def __init__(self, node: Node, imports: ImportMap) -> None:
        self.node = node
        self.kind = type(node).__name__  # `Call`, `Name`, `Attribute`, `Subscript` ...
        self.imports = imports  # the file's, for `qualified`
        self._known: dict[str, object] = {}  # parts read once, for every rule's triggers

    @property
    def value(self) -> Shape:
        """The `value` of an attribute, a subscript, an assignment or an expression statement."""
        return type(self)(self.node.value, self.imports)  # type: ignore[union-attr]

    @property
    def func(self) -> Shape:
        found = self._known.get("func")
        if found is None:
            found = self._known["func"] = type(self)(self.node.func, self.imports)  # type: ignore[union-attr]
        return found  # type: ignore[return-value]

    @property
    def target(self) -> Shape:
        """The target of an augmented assignment."""
        found = self._known.get("target")
        if found is None:
            found = self._known["target"] = type(self)(self.node.target, self.imports)  # type: ignore[union-attr]
        return found  # type: ignore[return-value]

    @property
    def target_kinds(self) -> tuple[str, ...]:
        """The kind of each target an assignment binds."""
        found = self._known.get("target_kinds")
        if found is None:
            found = self._known["target_kinds"] = tuple(t.kind for t in self.targets)
        return found  # type: ignore[return-value]

    @property
    def never_tensor(self) -> bool:
        """A literal a tensor operand raises on (text, a Python container)."""
        return never_tensor_operand(self.node)  # type: ignore[arg-type]

    @property
    def qualified(self) -> str | None:
        """A call's callee through the file's imports (`F.relu_` -> `torch.nn.functional.relu_`)."""
        if "qualified" not in self._known:
            self._known["qualified"] = qualify(self.callee, self.imports)
        return self._known["qualified"]  # type: ignore[return-value]

    @property
    def method(self) -> str | None:
        """The last name of a call's callee: `add_` of `x.add_(y)`, `relu_` of `relu_(x)`."""
        if "method" not in self._known:
            func = self.func
            kind = func.kind
            self._known["method"] = func.attr if kind == "Attribute" else func.identifier if kind == "Name" else None
        return self._known["method"]  # type: ignore[return-value]

    # Read differently in each tree.
    @property
    def attr(self) -> str:
        raise NotImplementedError

    @property
    def identifier(self) -> str:
        raise NotImplementedError

    @property
    def targets(self) -> tuple[Shape, ...]:
        """What an assignment binds, one per `=`."""
        raise NotImplementedError

    @property
    def callee(self) -> str | None:
        """A call's callee spelled as a dotted name (`F.relu_`), None when it is no attribute chain."""
        raise NotImplementedError

    @property
    def keywords(self) -> frozenset[str]:
        """A call's keyword argument names."""
        raise NotImplementedError

    @property
    def first(self) -> Shape | None:
        """A call's first argument when it is positional and not starred."""
        raise NotImplementedError


class AstShape(Shape):
    """The shape of an `ast` node."""

    __slots__ = ()

    # The cheap pass asks these of most nodes of a file: read straight from the node, no shapes built.
    @property
    def method(self) -> str | None:
        func = self.node.func  # type: ignore[union-attr]
        return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None

    @property
    def target_kinds(self) -> tuple[str, ...]:
        return tuple(type(t).__name__ for t in self.node.targets)  # type: ignore[union-attr]

    @property
    def attr(self) -> str:
        return self.node.attr  # type: ignore[union-attr]

    @property
    def identifier(self) -> str:
        return self.node.id  # type: ignore[union-attr]

    @property
    def targets(self) -> tuple[Shape, ...]:
        found = self._known.get("targets")
        if found is None:
            found = self._known["targets"] = tuple(AstShape(t, self.imports) for t in self.node.targets)  # type: ignore[union-attr]
        return found  # type: ignore[return-value]

    @property
    def callee(self) -> str | None:
        return dotted_name(self.node.func)  # type: ignore[union-attr]

    @property
    def keywords(self) -> frozenset[str]:
        found = self._known.get("keywords")
        if found is None:
            found = self._known["keywords"] = frozenset(k.arg for k in self.node.keywords if k.arg is not None)  # type: ignore[union-attr]
        return found  # type: ignore[return-value]

    @property
    def first(self) -> Shape | None:
        args = self.node.args  # type: ignore[union-attr]
        return AstShape(args[0], self.imports) if args and not isinstance(args[0], ast.Starred) else None


class CstShape(Shape):
    """The shape of a LibCST node."""

    __slots__ = ()

    @property
    def attr(self) -> str:
        return self.node.attr.value  # type: ignore[union-attr]

    @property
    def identifier(self) -> str:
        return self.node.value  # type: ignore[union-attr]

    @property
    def targets(self) -> tuple[Shape, ...]:
        found = self._known.get("targets")
        if found is None:
            found = self._known["targets"] = tuple(CstShape(t.target, self.imports) for t in self.node.targets)  # type: ignore[union-attr]
        return found  # type: ignore[return-value]

    @property
    def callee(self) -> str | None:
        return dotted(self.node.func)  # type: ignore[union-attr]

    @property
    def keywords(self) -> frozenset[str]:
        found = self._known.get("keywords")
        if found is None:
            found = self._known["keywords"] = frozenset(a.keyword.value for a in self.node.args if a.keyword is not None)  # type: ignore[union-attr]
        return found  # type: ignore[return-value]

    @property
    def first(self) -> Shape | None:
        args = self.node.args  # type: ignore[union-attr]
        return CstShape(args[0].value, self.imports) if args and args[0].keyword is None and not args[0].star else None


def _always(shape: Shape) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Trigger:
    """A node a rule looks at: the cheap pass's candidate test and the rule's LibCST dispatch both
    come from it (`Codemod.is_candidate`, the `visit_<node>` the base class writes)."""

    node: str  # the class both `ast` and LibCST name so: "Call", "Assign", "AugAssign"
    when: Callable[[Shape], bool] = _always
    check: str = "check"  # the rule's method that gets each matching LibCST node
    later: bool = True  # call it once the region is visited (every binding known), else during the visit

    @property
    def ast_type(self) -> type[ast.AST]:
        return getattr(ast, self.node)  # type: ignore[no-any-return]
