"""Dtype proofs: can `x op= y` written out of place come out in another dtype than `x`?

In place, `x += y` computes in the promoted dtype and casts the result back to `x`'s dtype; out of
place, `x + y` keeps the promoted one: a float16 `x` plus a float32 `y` becomes float32. A rewrite
may drop that cast only when it is proven unneeded: `y` is not a tensor (a Python number never
widens a tensor within its category: an int tensor plus 1.5 becomes float, where the in-place form
raises), `y` is bool, both dtypes are known and promote to `x`'s, or `y`'s dtype is `x`'s by
construction (`x * 2`, `x.mean()`, `torch.zeros_like(x)`, `v.to(x.dtype)`). Nothing else is assumed:
a tensor of unknown dtype may be float32 beside a float16 `x` (autocast, `model.half()`).

A dtype is a name ("float16") or a `DtypeOf` symbol: the unknown dtype of what one binding of a name
holds, equal wherever that very binding reaches. Claims are exact for names; a symbol may stand for
a dtype of a higher category (`x.exp()` of an integer `x` is float), which only turns a promotion
into the error the in-place form raises too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Union

import libcst as cst

from fixer.analysis.scope import Binding, FunctionFacts, RegionFacts, dotted, qualified
from fixer.analysis.tables import FLOAT_FACTORIES
from fixer.analysis.tensors import Kind, TensorKinds

# Categories in promotion order, and each dtype's width within its category.
FLOATS = {"float16": 16, "bfloat16": 16, "float32": 32, "float64": 64}
INTS = {"bool": 1, "uint8": 8, "int8": 8, "int16": 16, "int32": 32, "int64": 64}
ALIASES = {"half": "float16", "float": "float32", "double": "float64", "long": "int64", "int": "int32",
           "short": "int16", "bool": "bool", "byte": "uint8", "char": "int8", "bfloat16": "bfloat16",
           "float16": "float16", "float32": "float32", "float64": "float64", "int64": "int64",
           "int32": "int32", "int16": "int16", "int8": "int8", "uint8": "uint8"}
CAST_METHODS = frozenset({"half", "float", "double", "long", "int", "short", "bool", "byte", "char", "bfloat16"})
INT_FACTORIES = frozenset({"randint", "randperm", "argmax", "argmin", "argsort", "nonzero", "multinomial"})
# Methods whose result takes the promoted dtype of all their tensor arguments (the in-place form
# casts back); index, mask and scatter methods keep the receiver's dtype or raise either way.
PROMOTING_METHODS = frozenset({
    "add", "addbmm", "addcdiv", "addcmul", "addmm", "addmv", "addr", "arctan2", "atan2", "baddbmm",
    "bitwise_and", "bitwise_left_shift", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "clamp",
    "clamp_max", "clamp_min", "clip", "copysign", "div", "divide", "float_power", "floor_divide", "fmod",
    "gcd", "heaviside", "hypot", "igamma", "igammac", "lcm", "ldexp", "lerp", "mul", "multiply",
    "nextafter", "pow", "remainder", "sub", "subtract", "true_divide", "xlogy", "matmul", "mm", "bmm",
    "maximum", "minimum",
})
TRUE_DIVISIONS = frozenset({"div", "divide", "true_divide"})  # integers in, float out
# Ops whose result has their (first) tensor input's dtype, whatever it is.
KEEPS_DTYPE = frozenset({
    "clone", "detach", "contiguous", "view", "reshape", "transpose", "permute", "unsqueeze", "squeeze",
    "flatten", "unflatten", "expand", "expand_as", "view_as", "reshape_as", "flip", "roll", "narrow",
    "select", "repeat", "tile", "t", "masked_fill", "tril", "triu", "amax", "amin", "chunk", "split",
    "unbind", "tensor_split", "movedim", "moveaxis", "swapaxes", "swapdims", "diagonal", "unfold",
    "gather", "index_select", "masked_select", "take", "repeat_interleave", "pad", "index_put",
    "index_add", "index_copy", "index_fill", "scatter", "scatter_add", "masked_scatter", "cpu", "cuda",
    "new_zeros", "new_ones", "new_full", "new_empty", "new_tensor", "abs", "neg", "negative", "relu",
    "sign", "nan_to_num", "round", "floor", "ceil", "trunc",
})
# Ops that keep a float input's dtype and make an integer or bool input float (a higher category).
FLOAT_KEEPS = frozenset({
    "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "sigmoid", "tanh", "sin",
    "cos", "tan", "erf", "erfc", "reciprocal", "softmax", "log_softmax", "gelu", "silu", "mish", "elu",
    "leaky_relu", "softplus", "mean", "std", "var", "norm", "normalize", "dropout", "logsumexp",
})
# Reductions that keep a float input's dtype and make an integer or bool input int64.
REDUCTIONS = frozenset({"sum", "cumsum", "prod", "cumprod", "nansum"})

Reaching = Callable[[str, cst.CSTNode, FunctionFacts], list[Binding]]


@dataclass(frozen=True, slots=True)
class DtypeOf:
    """An unknown dtype that is the same wherever it appears: that of the tensor one binding of a
    name holds (`order` 0: a parameter's; -1: an attribute's at one statement), or torch's default."""

    scope: int
    name: str
    order: int


@dataclass(frozen=True, slots=True)
class SumOf:
    """A sum's dtype (`x.sum()`): `of` when that is a float, int64 when it is an integer or bool."""

    of: DtypeOf


Dtype = Union[str, DtypeOf, SumOf]
DEFAULT_FLOAT = DtypeOf(0, "torch.get_default_dtype()", 0)


class Dtypes:
    """`dtype(expr, node)`: the dtype `expr` is proven to have at `node`, or None."""

    def __init__(self, facts: RegionFacts, kinds: TensorKinds, reaching: Reaching) -> None:
        self.facts, self.kinds, self.reaching = facts, kinds, reaching
        self._names: dict[tuple[int, str], Dtype | None] = {}
        self._bindings: dict[int, Dtype | None] = {}
        self._active: set[int] = set()
        self._loops: dict[tuple[int, str], tuple[int, int]] = {}  # (id(scope), name) -> `_loop_counts`

    def may_widen(self, target: cst.BaseExpression, operand: cst.BaseExpression, node: cst.CSTNode,
                  *, divides: bool = False) -> bool:
        """Whether `target op operand` out of place may come out in another dtype than `target` has:
        False only when proven otherwise (a Python number, a bool operand, or dtypes that promote to
        the target's). `divides`: a true division, which raises in place on an integer target, so
        the target is a float there (`x /= x.sum()` keeps `x`'s dtype)."""
        scope = self.facts.scope(node)
        if self.kinds.kind(operand, scope) is Kind.NOT_TENSOR or self._number(operand, scope):
            return False  # a number keeps the category; an ndarray makes `x += a` rebind anyway
        theirs = self.dtype(operand, node)
        if theirs == "bool":
            return False  # torch.promote_types(T, bool) is T for every T
        if divides and isinstance(theirs, SumOf):
            theirs = theirs.of
        mine = self.dtype(target, node)
        return mine is None or theirs is None or combine(mine, theirs) != mine

    def same(self, a: cst.BaseExpression, b: cst.BaseExpression, node: cst.CSTNode) -> bool:
        """Whether `a` and `b` are proven to have one dtype at `node`: a named dtype or the default,
        since a symbol may stand for a higher category, which `out=` would take silently."""
        mine = self.dtype(a, node)
        return (isinstance(mine, str) or mine == DEFAULT_FLOAT) and mine == self.dtype(b, node)

    def dtype(self, expr: cst.BaseExpression, node: cst.CSTNode) -> Dtype | None:
        """The dtype of `expr` evaluated at `node` (a statement or call the facts have marked)."""
        if isinstance(expr, cst.Name):
            return self._name(expr.value, node)
        if isinstance(expr, cst.Attribute):
            if expr.attr.value in ("T", "mT", "H", "mH", "data", "grad"):
                return self.dtype(expr.value, node)
            spelled = dotted(expr)
            if spelled is None or qualified(expr, self.facts.imports) is not None:
                return None
            return DtypeOf(id(node), spelled, -1)  # `self.h` read twice in one statement is one tensor
        if isinstance(expr, cst.Subscript):
            return self.dtype(expr.value, node)
        if isinstance(expr, cst.Comparison):
            return "bool"
        if isinstance(expr, cst.UnaryOperation):
            return "bool" if isinstance(expr.operator, cst.Not) else self.dtype(expr.expression, node)
        if isinstance(expr, cst.BinaryOperation):
            divides = isinstance(expr.operator, cst.Divide)
            return self._promoted([expr.left, expr.right], node, divides=divides)
        if isinstance(expr, cst.IfExp):
            body, orelse = self.dtype(expr.body, node), self.dtype(expr.orelse, node)
            return body if body == orelse else None
        if isinstance(expr, cst.Call):
            return self._call(expr, node)
        return None

    # names ------------------------------------------------------------------------------------
    def _name(self, name: str, node: cst.CSTNode) -> Dtype | None:
        key = (id(node), name)
        if key not in self._names:
            self._names[key] = self._resolve(name, node)
        return self._names[key]

    def _resolve(self, name: str, node: cst.CSTNode) -> Dtype | None:
        """One binding surely reaching `node`: its dtype, or the symbol of what it holds. Several:
        only a dtype they all prove, and no symbol, since each may hold from another iteration."""
        scope = self.facts.scope(node)
        timeline = scope.timeline.get(name, [])
        if name in scope.outer_names or len(timeline) != len(scope.bindings.get(name, [])):
            return None  # rebound elsewhere, or by a walrus or comprehension the timeline lacks
        reaching = self.reaching(name, node, scope)
        param = DtypeOf(id(scope), name, 0) if name in scope.params else None
        if not reaching:
            return param
        sure = self._sure(reaching[0], node) and len(reaching) == 1
        if sure:
            found = self._binding(reaching[0])
            return found if found is not None else DtypeOf(id(scope), name, reaching[0].order)
        stable = {self._stable(self._binding(b)) for b in reaching}
        if param is not None and not any(self._sure(b, node) for b in reaching):
            stable.add(param)  # the parameter may still hold
        return stable.pop() if len(stable) == 1 else None

    def _sure(self, binding: Binding, node: cst.CSTNode) -> bool:
        """`binding` runs before `node` in every path to it, in the same iteration of any loop."""
        blocks = self.facts.blocks.get(id(node), ())
        return binding.order < self.facts.order.get(id(node), 0) and blocks[: len(binding.blocks)] == binding.blocks

    def _binding(self, binding: Binding) -> Dtype | None:
        key = id(binding)
        if key in self._active or binding.value is None:
            return None  # a cycle (`x = x * 2` in a loop) proves nothing
        if key not in self._bindings:
            self._active.add(key)
            self._bindings[key] = self.dtype(binding.value, binding.node) if len(self._active) < 40 else None
            self._active.discard(key)
        return self._bindings[key]

    def _stable(self, dtype: Dtype | None) -> Dtype | None:
        """A dtype that means the same at any point: a name, a parameter's or the default."""
        symbol = dtype.of if isinstance(dtype, SumOf) else dtype
        return None if isinstance(symbol, DtypeOf) and symbol.order != 0 else dtype

    # calls ------------------------------------------------------------------------------------
    def _call(self, call: cst.Call, node: cst.CSTNode) -> Dtype | None:
        func = call.func
        if any(a.star for a in call.args):
            return None
        name = qualified(func, self.facts.imports)
        torch_function = name is not None and name.startswith("torch.")
        if not torch_function and not isinstance(func, cst.Attribute):
            return None  # the project's own function: any dtype
        method = name.rsplit(".", 1)[-1] if torch_function else func.attr.value  # type: ignore[union-attr]
        spelled = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "dtype"), None)
        if not torch_function:
            receiver = func.value  # type: ignore[union-attr]
            if method in CAST_METHODS and not call.args:
                return ALIASES[method]
            if method == "to" and spelled is None or method == "type" and call.args:
                return self._to(receiver, [a.value for a in call.args if a.keyword is None], node)
            if method == "type_as" and call.args:
                return self.dtype(call.args[0].value, node)
            if self.kinds.kind(receiver, self.facts.scope(node)) is not Kind.TENSOR and method not in ("to", "new_tensor"):
                return None  # `layer.norm(h)`, `self.dropout(h)`: a module, not a tensor method
        if spelled is not None:
            return self._dtype_value(spelled, node)
        # Keyword tensors promote too (`clamp(min=t)`); `rounding_mode` keeps integers integral.
        operands = [a.value for a in call.args if a.keyword is None or a.keyword.value not in ("out", "rounding_mode")]
        divides = method in TRUE_DIVISIONS and not any(a.keyword is not None and a.keyword.value == "rounding_mode"
                                                        for a in call.args)
        positional = [a.value for a in call.args if a.keyword is None]
        if not torch_function:
            positional.insert(0, receiver)
            operands.insert(0, receiver)
        if method in FLOAT_FACTORIES and torch_function:
            return DEFAULT_FLOAT
        if method in INT_FACTORIES:
            return "int64"
        if method == "where":  # `torch.where(m, a, b)`, `a.where(m, b)`
            return self._promoted([positional[1], positional[2]] if torch_function else [positional[0], positional[2]],
                                  node) if len(positional) == 3 else None
        if method in PROMOTING_METHODS:
            return self._promoted(operands, node, divides=divides)
        return self._op(method, positional[0], node) if positional else None

    def _op(self, op: str, source: cst.BaseExpression, node: cst.CSTNode) -> Dtype | None:
        """`op` applied to `source` (the receiver or first argument), by its dtype family."""
        if op in KEEPS_DTYPE or op.endswith("_like") or op.endswith("_") and not op.startswith("_"):  # `x.relu_()` is `x`
            return self.dtype(source, node)
        if op in FLOAT_KEEPS:
            found = self.dtype(source, node)
            return DEFAULT_FLOAT if isinstance(found, str) and found in INTS else found
        if op in REDUCTIONS:  # an int32 sum is int64, a float16 sum float16
            found = self.dtype(source, node)
            if isinstance(found, str):
                return "int64" if found in INTS else found
            return SumOf(found) if isinstance(found, DtypeOf) and found != DEFAULT_FLOAT else found
        return None

    def _to(self, receiver: cst.BaseExpression, args: Sequence[cst.BaseExpression], node: cst.CSTNode) -> Dtype | None:
        """`x.to(torch.half)`, `x.to(y.dtype)`, `x.to(y)`, `x.to(device)`, `x.type(torch.half)`."""
        scope = self.facts.scope(node)
        for arg in args:
            if _is_device(arg, self.facts):
                continue
            if self.kinds.kind(arg, scope) is Kind.TENSOR:
                return self.dtype(arg, node)
            return self._dtype_value(arg, node)
        return self.dtype(receiver, node)

    def _dtype_value(self, expr: cst.BaseExpression, node: cst.CSTNode) -> Dtype | None:
        """The dtype a `dtype=` argument names: `torch.float16`, `x.dtype`."""
        if isinstance(expr, cst.Attribute) and expr.attr.value == "dtype":
            owner = expr.value  # a tensor's dtype never changes; a module's (`self.dtype`) does
            if isinstance(owner, cst.Name) and self.kinds.kind(owner, self.facts.scope(node)) is Kind.NOT_TENSOR:
                return None
            return self.dtype(owner, node)
        name = qualified(expr, self.facts.imports)
        if name is None or not name.startswith("torch.") or name.count(".") != 1:
            return None
        return ALIASES.get(name.split(".")[1])

    def _promoted(self, parts: Sequence[cst.BaseExpression], node: cst.CSTNode, *, divides: bool = False) -> Dtype | None:
        """The dtype of an op over tensors and Python numbers: promotion, where a number never widens
        a tensor within its category (an integer tensor times 1.5 is float)."""
        scope = self.facts.scope(node)
        numbers = [p for p in parts if self._number(p, scope)]
        tensors = [p for p in parts if not any(p is n for n in numbers)]
        if not tensors or any(isinstance(n, cst.Imaginary) for n in numbers):
            return None
        found: Dtype | None = self.dtype(tensors[0], node)
        for part in tensors[1:]:
            found = combine(found, self.dtype(part, node))
        if not (isinstance(found, str) and found in INTS):
            return found  # a float keeps its dtype beside a number; a symbol may only rise in category
        if divides or any(isinstance(_unsigned(n), cst.Float) for n in numbers):
            return DEFAULT_FLOAT  # an integer divided, or times a float, is in the default float dtype
        if any(not isinstance(_unsigned(n), cst.Integer) for n in numbers):
            return None  # an int or a float: unknown which
        return "int64" if found == "bool" and numbers else found

    def _loop_counts(self, name: str, scope: FunctionFacts) -> tuple[int, int]:
        """How many bindings of `name` bind no value, and how many are loops over `range(...)`, counted once."""
        key = (id(scope), name)
        if key not in self._loops:
            ranges = [i for i in scope.loop_iters.get(name, []) if isinstance(i, cst.Call)
                      and isinstance(i.func, cst.Name) and i.func.value == "range"]
            self._loops[key] = (sum(v is None for v in scope.bindings.get(name, [])), len(ranges))
        return self._loops[key]

    def _number(self, expr: cst.BaseExpression, scope: FunctionFacts, depth: int = 0) -> bool:
        """A Python number: a literal, `x.shape[-1]`, `len(x)`, `x.item()`, `math.sqrt(d)`, a parameter
        annotated `float`, a name every binding makes one, arithmetic on those. Not what may be a
        numpy array (`np.sqrt(d)`, `BIAS = np.ones(4)`), which promotes like a tensor."""
        if depth > 4 or isinstance(expr, cst.BaseString):
            return False
        if isinstance(expr, cst.BaseNumber):
            return True
        if isinstance(expr, cst.UnaryOperation):
            return self._number(expr.expression, scope, depth + 1)
        if isinstance(expr, cst.BinaryOperation):
            return self._number(expr.left, scope, depth + 1) and self._number(expr.right, scope, depth + 1)
        if isinstance(expr, cst.Subscript):
            return isinstance(expr.value, cst.Attribute) and expr.value.attr.value == "shape"
        if isinstance(expr, cst.Name):
            owner: FunctionFacts | None = scope
            while owner is not None and expr.value not in owner.bindings and expr.value not in owner.params:
                owner = owner.parent
            if owner is None or expr.value in owner.outer_names:
                return False
            values = owner.bindings.get(expr.value, [])
            if expr.value in owner.params and self.kinds.kind(expr, owner) is not Kind.NOT_TENSOR:
                return False  # a parameter not annotated `int` or `float` may be a tensor
            unpacked, ranges = self._loop_counts(expr.value, owner)
            return unpacked == ranges and all(v is None or self._number(v, owner, depth + 1) for v in values)
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Name):
                return func.value in ("len", "int", "float") and func.value not in scope.bindings
            if isinstance(func, cst.Attribute) and func.attr.value in ("item", "size", "dim", "numel"):
                return self.kinds.kind(func.value, scope) is Kind.TENSOR or func.attr.value == "item"
            name = qualified(func, self.facts.imports)
            return name is not None and name.split(".")[0] == "math"
        name = qualified(expr, self.facts.imports) if isinstance(expr, cst.Attribute) else None
        return name is not None and name.split(".")[0] == "math"  # `math.pi`


def combine(a: Dtype | None, b: Dtype | None) -> Dtype | None:
    """The dtype two tensors promote to, when proven."""
    if a is None or b is None:
        return None
    if a == b or b == "bool":
        return a
    if a == "bool":
        return b
    return promote(a, b) if isinstance(a, str) and isinstance(b, str) else None


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


def _unsigned(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`-1` -> `1`: the literal under a sign."""
    while isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, (cst.Minus, cst.Plus)):
        expr = expr.expression
    return expr


def _is_device(expr: cst.BaseExpression, facts: RegionFacts) -> bool:
    """`"cuda"`, `x.device`, `torch.device(...)`, a name called `device`: moves keep the dtype."""
    if isinstance(expr, (cst.SimpleString, cst.FormattedString)):
        return True
    if isinstance(expr, cst.Attribute) and expr.attr.value == "device":
        return True
    if isinstance(expr, cst.Name) and expr.value in ("device", "dev"):
        return True
    return isinstance(expr, cst.Call) and qualified(expr.func, facts.imports) == "torch.device"
