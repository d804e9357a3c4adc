"""Expressions provably a Python number, not a tensor: what a scatter's index or a fill value may be."""

from __future__ import annotations

import libcst as cst

from fixer.analysis.messages import code
from fixer.analysis.scope import FunctionFacts

INT_OPERATORS = (cst.Add, cst.Subtract, cst.Multiply, cst.FloorDivide, cst.Modulo)


def is_scalar(expr: cst.BaseExpression) -> bool:
    """A Python number: literals, `-1`, `float("-inf")`, `torch.finfo(x.dtype).min`, `math.inf`."""
    if isinstance(expr, (cst.Integer, cst.Float)):
        return True
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, (cst.Minus, cst.Plus)):
        return is_scalar(expr.expression)
    if isinstance(expr, cst.BinaryOperation):
        return is_scalar(expr.left) and is_scalar(expr.right)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name):
        return expr.func.value in ("float", "int") and all(isinstance(a.value, cst.BaseString) for a in expr.args)
    if isinstance(expr, cst.Attribute):
        if isinstance(expr.value, cst.Name) and expr.value.value == "math":
            return expr.attr.value in ("inf", "pi", "e", "nan")
        inner = expr.value
        return (expr.attr.value in ("min", "max", "eps", "tiny") and isinstance(inner, cst.Call)
                and isinstance(inner.func, cst.Attribute) and inner.func.attr.value in ("finfo", "iinfo"))
    return False


def is_int(expr: cst.BaseExpression, scope: FunctionFacts, depth: int = 0) -> bool:
    """Provably a Python int: literals, `range` loop variables, `len(...)`, `x.shape[0]`, sums of those."""
    if isinstance(expr, cst.Integer):
        return True
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        return is_int(expr.expression, scope, depth)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, INT_OPERATORS):
        return is_int(expr.left, scope, depth) and is_int(expr.right, scope, depth)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in ("len", "int"):
        return expr.func.value not in scope.bindings
    if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Attribute):
        return expr.value.attr.value == "shape"
    if not isinstance(expr, cst.Name) or depth > 4:
        return False
    if expr.value in scope.params:
        annotation = scope.params[expr.value].annotation
        return annotation is not None and code(annotation.annotation) == "int"
    ranges = [i for i in scope.loop_iters.get(expr.value, []) if isinstance(i, cst.Call)
              and isinstance(i.func, cst.Name) and i.func.value == "range"]
    values = scope.bindings.get(expr.value, [])
    others = [v for v in values if v is not None]
    if len(ranges) != len(scope.loop_iters.get(expr.value, [])) or len(values) - len(others) != len(ranges):
        return False  # also bound by unpacking, `with`, or a loop over something else
    return bool(values) and all(is_int(v, scope, depth + 1) for v in others)
