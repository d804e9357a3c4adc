"""What an index write `t[...] = v` / `t[...] op= v` is made of: the cheap pass's candidate target,
the write's parts, a boolean mask (and one made from `t` alone), the one indexed dim of a full index."""

from __future__ import annotations

import ast

import libcst as cst

from fixer.analysis.messages import code
from fixer.analysis.python_numbers import is_scalar
from fixer.analysis.regions import SAME_TENSOR_ATTRIBUTES, FileFacts, ImportMap
from fixer.analysis.scope import FunctionFacts, qualified
from fixer.analysis.tensors import Kind, TensorKinds

# Tensor predicates: their result is a boolean tensor shaped like their (first) tensor argument.
PREDICATES = frozenset({"isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal", "signbit",
                        "logical_not", "logical_and", "logical_or", "logical_xor", "eq", "ne", "gt",
                        "lt", "ge", "le", "greater", "less", "greater_equal", "less_equal", "not_equal",
                        "isclose", "isin", "bool"})
BITWISE = (cst.BitAnd, cst.BitOr, cst.BitXor)
Write = tuple[cst.BaseSmallStatement, cst.Subscript, cst.BaseExpression, cst.BaseAugOp | None]


def subscript_target(node: ast.AST, file: FileFacts) -> ast.Subscript | None:
    """The cheap pass: the subscript written by `t[...] = v` or `t[...] op= v`, when `t` may be a
    tensor the write can rebind and the index is not a string (a tensor never takes one)."""
    if isinstance(node, ast.AugAssign):
        target = node.target
    else:
        target = node.targets[0] if len(node.targets) == 1 else None  # type: ignore[attr-defined]
    if not isinstance(target, ast.Subscript):
        return None
    held = target.value
    while isinstance(held, ast.Subscript):
        held = held.value  # `out[0][:, j] = v`: an element of `out`
    if not file.may_hold_tensor(held):
        return None
    if isinstance(held, ast.Attribute) and held.attr not in SAME_TENSOR_ATTRIBUTES:
        return None  # `self.cache[i] = v`: the analysis proves no attribute a tensor but `x.T` and kin
    element = held is not target.value and held.id in file.parameters if isinstance(held, ast.Name) else False
    if isinstance(held, ast.Name) and not file.may_be_tensor_name(held.id) and not element:
        return None  # `groups = {}` ... `groups[k] = v`, `for row in rows: row[0] = v`
    index = target.slice
    return None if isinstance(index, ast.Constant) and isinstance(index.value, str) or isinstance(index, ast.JoinedStr) else target


def write_of(node: cst.Assign | cst.AugAssign) -> Write:
    """`t[...] = v` or `t[...] op= v` as (statement, subscript, value, operator or None)."""
    if isinstance(node, cst.AugAssign):
        return node, node.target, node.value, node.operator  # type: ignore[return-value]
    return node, node.targets[0].target, node.value, None  # type: ignore[return-value]


def is_mask(expr: cst.BaseExpression, scope: FunctionFacts, kinds: TensorKinds, imports: ImportMap,
            depth: int = 0) -> bool:
    """`x > 0`, `~m`, `a & b`, `torch.isnan(x)`, `x.bool()`, or a name every binding makes a mask."""
    if isinstance(expr, cst.Comparison):
        parts = [expr.left] + [c.comparator for c in expr.comparisons]
        return any(kinds.kind(p, scope) is Kind.TENSOR for p in parts)
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.BitInvert):
        return is_mask(expr.expression, scope, kinds, imports, depth)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, BITWISE):
        return is_mask(expr.left, scope, kinds, imports, depth) or is_mask(expr.right, scope, kinds, imports, depth)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        name = qualified(expr.func, imports) or ""
        if expr.func.attr.value in PREDICATES and (name.startswith("torch.") or
                                                   kinds.kind(expr.func.value, scope) is Kind.TENSOR):
            return True
        return any(a.keyword is not None and a.keyword.value == "dtype" and code(a.value).endswith(".bool")
                   for a in expr.args)
    if isinstance(expr, cst.Name) and depth < 4:
        values = scope.bindings.get(expr.value, [])
        return bool(values) and expr.value not in scope.params and all(
            v is not None and is_mask(v, scope, kinds, imports, depth + 1) for v in values)
    return False


def one_index(elements: list[cst.BaseSlice]) -> tuple[int, cst.BaseSlice] | None:
    """(dim, index) when exactly one element is not `:` and the dim it indexes is known."""
    def full(e: cst.BaseSlice) -> bool:
        return isinstance(e, cst.Slice) and e.lower is None and e.upper is None and e.step is None

    def ellipsis(e: cst.BaseSlice) -> bool:
        return isinstance(e, cst.Index) and isinstance(e.value, cst.Ellipsis)

    special = [i for i, e in enumerate(elements) if not full(e) and not ellipsis(e)]
    dots = [i for i, e in enumerate(elements) if ellipsis(e)]
    if len(special) != 1 or len(dots) > 1:
        return None
    position = special[0]
    element = elements[position]
    if isinstance(element, cst.Index) and (code(element.value) == "None" or element.star is not None):
        return None
    if dots and dots[0] < position:
        return -(len(elements) - position), element
    return position, element


def shaped_like(mask: cst.BaseExpression, target: cst.BaseExpression, scope: FunctionFacts, torch_name: str | None) -> bool:
    """A mask computed elementwise from `target` alone (`t < 0`, `torch.isnan(t)`, `~(t > 1)`)."""
    same = code(target)
    if isinstance(mask, cst.Comparison):
        parts = [mask.left] + [c.comparator for c in mask.comparisons]
        return any(code(p) == same for p in parts) and all(code(p) == same or is_scalar(p) for p in parts)
    if isinstance(mask, cst.UnaryOperation) and isinstance(mask.operator, cst.BitInvert):
        return shaped_like(mask.expression, target, scope, torch_name)
    if isinstance(mask, cst.BinaryOperation) and isinstance(mask.operator, (cst.BitAnd, cst.BitOr)):
        return shaped_like(mask.left, target, scope, torch_name) and shaped_like(mask.right, target, scope, torch_name)
    if isinstance(mask, cst.Call) and isinstance(mask.func, cst.Attribute) and len(mask.args) <= 1:
        receiver = mask.func.value
        subject = mask.args[0].value if code(receiver) == (torch_name or "torch") and mask.args else receiver
        return mask.func.attr.value in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit") and (
            code(subject) == same and (subject is not receiver or not mask.args))
    if isinstance(mask, cst.Name):
        values = scope.bindings.get(mask.value, [])
        bound_once = len(scope.bindings.get(same, [None])) <= 1 and same not in scope.outer_names
        return len(values) == 1 and values[0] is not None and bound_once and shaped_like(values[0], target, scope, torch_name)
    return False
