"""Dtype evidence: can `x op= y` written out of place come out in another dtype than `x`?

In place, `x += y` computes in the promoted dtype and casts the result back to `x`'s dtype; out of
place, `x + y` keeps the promoted one: a float16 `x` plus a float32 `y` becomes float32. This module
knows dtypes only where the code spells them (`.half()`, `dtype=torch.float16`, `torch.randn(...)`
in the default float32, a comparison's bool) and follows them through names and through ops that
keep their input's dtype. With no evidence on either side it assumes one dtype, as code without a
cast or a dtype argument does (autocast applied by a caller is the documented blind spot).
"""

from __future__ import annotations

import libcst as cst

from fixer.analysis.scope import FunctionFacts, RegionFacts, qualified
from fixer.analysis.tensors import Kind, TensorKinds

# Categories in promotion order, and each dtype's width within its category.
FLOATS = {"float16": 16, "bfloat16": 16, "float32": 32, "float64": 64}
INTS = {"bool": 1, "uint8": 8, "int8": 8, "int16": 16, "int32": 32, "int64": 64}
REDUCED = frozenset({"float16", "bfloat16", "uint8", "int8", "int16", "int32", "bool"})
ALIASES = {"half": "float16", "float": "float32", "double": "float64", "long": "int64", "int": "int32",
           "short": "int16", "bool": "bool", "byte": "uint8", "char": "int8", "bfloat16": "bfloat16",
           "float16": "float16", "float32": "float32", "float64": "float64", "int64": "int64",
           "int32": "int32", "int16": "int16", "int8": "int8", "uint8": "uint8"}
CAST_METHODS = frozenset({"half", "float", "double", "long", "int", "short", "bool", "byte", "char", "bfloat16"})
FLOAT_FACTORIES = frozenset({"randn", "rand", "zeros", "ones", "empty", "normal", "linspace", "logspace", "eye"})
INT_FACTORIES = frozenset({"randint", "randperm", "argmax", "argmin", "argsort", "nonzero", "multinomial"})
# Methods whose result takes the promoted dtype of all their tensor arguments (the in-place form
# casts back); index, mask and scatter methods keep the receiver's dtype either way.
PROMOTING_METHODS = frozenset({
    "add", "addbmm", "addcdiv", "addcmul", "addmm", "addmv", "addr", "arctan2", "atan2", "baddbmm",
    "bitwise_and", "bitwise_left_shift", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "clamp",
    "clamp_max", "clamp_min", "clip", "copysign", "div", "divide", "float_power", "floor_divide", "fmod",
    "gcd", "heaviside", "hypot", "igamma", "igammac", "lcm", "ldexp", "lerp", "mul", "multiply",
    "nextafter", "pow", "remainder", "sub", "subtract", "true_divide", "xlogy",
})
# Ops whose result has their (first) tensor input's dtype.
KEEPS_DTYPE = frozenset({
    "clone", "detach", "contiguous", "view", "reshape", "transpose", "permute", "unsqueeze", "squeeze",
    "flatten", "expand", "expand_as", "view_as", "reshape_as", "flip", "roll", "narrow", "select",
    "repeat", "tile", "t", "abs", "neg", "relu", "sigmoid", "tanh", "exp", "log", "sqrt", "rsqrt", "sin",
    "cos", "softmax", "log_softmax", "gelu", "silu", "clamp", "clamp_min", "clamp_max", "pow", "square",
    "reciprocal", "sum", "mean", "amax", "amin", "cumsum", "masked_fill", "where", "tril", "triu",
})


class Dtypes:
    """`dtype(expr, scope)`: the dtype name the code proves for `expr`, or None."""

    def __init__(self, facts: RegionFacts, kinds: TensorKinds) -> None:
        self.facts, self.kinds = facts, kinds
        self._names: dict[tuple[int, str], str | None] = {}

    def may_widen(self, target: cst.BaseExpression, operand: cst.BaseExpression, scope: FunctionFacts) -> bool:
        """Whether `target op operand` out of place may come out wider than `target` is."""
        if isinstance(operand, cst.BaseNumber) or self.kinds.kind(operand, scope) is Kind.NOT_TENSOR:
            return False  # a Python number never changes a tensor's dtype within its category
        mine, theirs = self.dtype(target, scope), self.dtype(operand, scope)
        if mine is not None and theirs is not None:
            return promote(mine, theirs) != mine
        if mine is not None:
            return mine in REDUCED  # a narrow target beside an operand of unknown dtype
        return theirs not in (None, "bool") and _casts(operand)  # `x += y.double()`: spelled out, maybe wider

    def dtype(self, expr: cst.BaseExpression, scope: FunctionFacts) -> str | None:
        if isinstance(expr, cst.Name):
            return self._name(expr.value, scope)
        if isinstance(expr, cst.Comparison):
            return "bool"
        if isinstance(expr, cst.UnaryOperation):
            return self.dtype(expr.expression, scope)
        if isinstance(expr, cst.BinaryOperation):
            left, right = expr.left, expr.right
            if isinstance(right, cst.BaseNumber) or self.kinds.kind(right, scope) is Kind.NOT_TENSOR:
                return self.dtype(left, scope)
            if isinstance(left, cst.BaseNumber) or self.kinds.kind(left, scope) is Kind.NOT_TENSOR:
                return self.dtype(right, scope)
            a, b = self.dtype(left, scope), self.dtype(right, scope)
            return promote(a, b) if a is not None and b is not None else None
        if isinstance(expr, cst.Call):
            return self._call(expr, scope)
        return None

    def _call(self, call: cst.Call, scope: FunctionFacts) -> str | None:
        spelled = _dtype_argument(call, self.facts)
        if spelled is not None:
            return spelled
        func = call.func
        name = qualified(func, self.facts.imports)
        if name is not None and name.startswith("torch."):
            short = name.rsplit(".", 1)[-1]
            if short in FLOAT_FACTORIES:
                return "float32"
            if short in INT_FACTORIES:
                return "int64"
            if short.endswith("_like") or short in KEEPS_DTYPE:
                first = next((a.value for a in call.args if a.keyword is None), None)
                return self.dtype(first, scope) if first is not None else None
            return None
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in CAST_METHODS and not call.args:
                return ALIASES[method]
            if method in ("to", "type") and call.args:
                first = call.args[0].value
                if _is_dtype_of(first):  # `.to(x.dtype)`
                    return self.dtype(first.value, scope)  # type: ignore[attr-defined]
                return _torch_dtype(first, self.facts)
            if method in KEEPS_DTYPE or method.endswith("_like"):
                return self.dtype(func.value, scope)
            if method in INT_FACTORIES:
                return "int64"
        return None

    def _name(self, name: str, scope: FunctionFacts) -> str | None:
        key = (id(scope), name)
        if key not in self._names:
            self._names[key] = None  # breaks cycles such as `x = x * 2`
            values = scope.bindings.get(name, [])
            found = {self.dtype(v, scope) if v is not None else None for v in values}
            self._names[key] = found.pop() if len(found) == 1 and name not in scope.params else None
        return self._names[key]


def promote(a: str, b: str) -> str:
    """torch.promote_types for the dtypes this module names."""
    if a == b:
        return a
    if a in FLOATS and b in FLOATS:
        if {a, b} == {"float16", "bfloat16"}:
            return "float32"
        return a if FLOATS[a] >= FLOATS[b] else b
    if a in FLOATS or b in FLOATS:
        return a if a in FLOATS else b
    if {a, b} == {"uint8", "int8"}:
        return "int16"
    return a if INTS[a] >= INTS[b] else b


def _casts(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Call) and (
        isinstance(expr.func, cst.Attribute) and expr.func.attr.value in CAST_METHODS | {"to", "type"}
        or any(a.keyword is not None and a.keyword.value == "dtype" for a in expr.args)
    )


def _dtype_argument(call: cst.Call, facts: RegionFacts) -> str | None:
    arg = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "dtype"), None)
    return _torch_dtype(arg, facts) if arg is not None else None


def _torch_dtype(expr: cst.BaseExpression, facts: RegionFacts) -> str | None:
    """`torch.float16` -> "float16"; anything else (a variable, `x.dtype`) -> None."""
    name = qualified(expr, facts.imports)
    if name is None or not name.startswith("torch.") or name.count(".") != 1:
        return None
    return ALIASES.get(name.split(".")[1])


def _is_dtype_of(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Attribute) and expr.attr.value == "dtype" and isinstance(expr.value, cst.Name)
