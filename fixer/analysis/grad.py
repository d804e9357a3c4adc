"""Grad, the one oracle of "may this carry a gradient": autograd never sees a write into a value
that never requires grad (a fresh factory fed only grad-free values, `.detach()`, `.grad`, a bool
or integer result), nor saves it.

Three questions, from the cheapest:
- `never_requires_grad(expr)`: the expression alone says so (`p.grad`, `x.detach()`);
- `carries_grad(value, scope, kinds)`: a value a leaf update stores may bring a gradient (IP108);
- `GradAnalysis.grad_of(expr, scope)`: follows every binding of the function (`Grad.NO` / `MAYBE`).
"""

from __future__ import annotations

import enum
import re

import libcst as cst

from fixer.analysis.messages import code
from fixer.analysis.scope import FunctionFacts, RegionFacts, qualified
from fixer.analysis.tables import FACTORIES, LIKE_FACTORIES
from fixer.analysis.leaf_callers import MODULE_PARAMETERS
from fixer.analysis.tensors import NEW_METHODS, Kind, TensorKinds


class Grad(enum.Enum):
    NO = "never requires grad"
    MAYBE = "may require grad"


# Parameter names that hold integer or bool tensors by convention (token ids, masks, labels).
DISCRETE_NAMES = re.compile(r"(^|_)(ids|mask|masks|indices|index|labels|tokens|positions)$")
# Results that are integer or bool: never require grad.
DISCRETE = frozenset({"long", "int", "bool", "short", "byte", "char", "argmax", "argmin", "argsort",
                      "nonzero", "argwhere", "eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf",
                      "isfinite", "logical_and", "logical_or", "logical_not", "logical_xor", "sign",
                      "bucketize", "searchsorted", "floor_divide", "detach", "item", "tolist"})
# Methods returning (values, indices): the values carry grad, the indices never do.
VALUES_AND_INDICES = frozenset({"topk", "sort", "max", "min", "kthvalue", "mode", "median", "cummax", "cummin"})
# Builtins whose result is one of their arguments, or computed from them only.
VALUE_BUILTINS = frozenset({"min", "max", "abs", "sum", "pow", "round"})


class GradAnalysis:
    """Answers `grad_of(expr, scope)` for one region, memoising names per function."""

    def __init__(self, facts: RegionFacts, kinds: TensorKinds) -> None:
        self.facts, self.kinds = facts, kinds
        self._grad: dict[tuple[int, str], Grad] = {}

    def grad_of(self, expr: cst.BaseExpression, scope: FunctionFacts) -> Grad:
        """NO for values autograd never tracks: numbers, bools, fresh factories fed no grad, `.grad`."""
        if isinstance(expr, (cst.BaseNumber, cst.BaseString, cst.Comparison, cst.BooleanOperation)):
            return Grad.NO
        if never_requires_grad(expr) or isinstance(expr, cst.Attribute) and expr.attr.value == "data":
            return Grad.NO
        if isinstance(expr, cst.Name):
            return self._name_grad(expr.value, scope)
        if isinstance(expr, (cst.Subscript,)):
            return self.grad_of(expr.value, scope)
        if isinstance(expr, cst.UnaryOperation):
            return self.grad_of(expr.expression, scope)
        if isinstance(expr, cst.BinaryOperation):
            return _any_maybe([self.grad_of(expr.left, scope), self.grad_of(expr.right, scope)])
        if isinstance(expr, cst.Attribute):
            if self.kinds.kind(expr, scope) is Kind.NOT_TENSOR or self._plain_self_attribute(expr, scope):
                return Grad.NO
            info = scope.class_info
            if info is not None and code(expr) == f"self.{expr.attr.value}" and expr.attr.value in info.buffers:
                return Grad.NO  # a registered buffer: autograd never tracks it
            return self.grad_of(expr.value, scope) if expr.attr.value in ("T", "mT", "real", "imag") else Grad.MAYBE
        if isinstance(expr, cst.Call):
            return self._call_grad(expr, scope)
        return Grad.MAYBE

    def _call_grad(self, call: cst.Call, scope: FunctionFacts) -> Grad:
        flag = next((a.value for a in call.args if a.keyword and a.keyword.value == "requires_grad"), None)
        if flag is not None and not (isinstance(flag, cst.Name) and flag.value == "False"):
            return Grad.MAYBE
        func = call.func
        name = qualified(func, self.facts.imports)
        args = [a.value for a in call.args]
        own = name is None or not name.startswith("torch.")  # the file's own def, or one another file of the run has
        summary = self.facts.file.summary_of(func, scope) if self.facts.file is not None and own else None
        if summary is not None and summary.result_grad_free:
            return Grad.NO  # the file's own def returns only values made without grad
        if name is not None:
            last = name.rsplit(".", 1)[-1]
            if not name.startswith("torch.") or last in ("Parameter",) or name.startswith("torch.nn.") and not name.startswith("torch.nn.functional."):
                return Grad.NO if name.split(".")[0] in ("numpy", "math", "random") else Grad.MAYBE
            if last in FACTORIES or last in DISCRETE:
                return Grad.NO
            return _any_maybe([self.grad_of(a, scope) for a in args])
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in NEW_METHODS or method in DISCRETE or self.kinds.kind(call, scope) is Kind.NOT_TENSOR:
                return Grad.NO
            grad_free = isinstance(func.value, (cst.Comparison, cst.BooleanOperation, cst.Name, cst.Subscript))
            if grad_free and self.grad_of(func.value, scope) is Grad.NO:  # `(w > 0).to(dtype)`, `mask.sum()`
                return _any_maybe([self.grad_of(a, scope) for a in args])
            if method == "requires_grad_" or self.kinds.kind(func.value, scope) is not Kind.TENSOR:
                return Grad.MAYBE
            return _any_maybe([self.grad_of(func.value, scope)] + [self.grad_of(a, scope) for a in args])
        if isinstance(func, cst.Name) and self.kinds.kind(call, scope) is Kind.NOT_TENSOR:
            return Grad.NO
        if isinstance(func, cst.Name) and func.value in VALUE_BUILTINS and func.value not in scope.bindings:
            return _any_maybe([self.grad_of(a, scope) for a in args])  # `min(a, b)` is one of its arguments
        return Grad.MAYBE

    def _name_grad(self, name: str, scope: FunctionFacts) -> Grad:
        key = (id(scope), name)
        if key in self._grad:
            return self._grad[key]
        self._grad[key] = Grad.NO  # a cycle (`x = x * 2`) adds nothing new
        result = self._resolve_name_grad(name, scope)
        self._grad[key] = result
        return result

    def _resolve_name_grad(self, name: str, scope: FunctionFacts) -> Grad:
        if self.kinds.name_kind(name, scope) is Kind.NOT_TENSOR:
            return Grad.NO
        if name in scope.params and DISCRETE_NAMES.search(name):
            return Grad.NO  # `input_ids`, `attention_mask`, `labels`: integer or bool by convention
        if name in scope.params or name in scope.outer_names or name not in scope.timeline:
            return Grad.MAYBE
        if len(scope.timeline[name]) != len(scope.bindings.get(name, ())):
            return Grad.MAYBE  # bound somewhere the timeline does not see (a comprehension, walrus)
        values = [b.value for b in scope.timeline[name] if id(b.node) not in self.facts.grad_off]  # no-grad results carry none
        if any(v is None for v in values) or any(self.grad_of(v, scope) is Grad.MAYBE for v in values if v is not None):
            return Grad.MAYBE
        for write in scope.writes.get(name, []):
            if any(self.grad_of(v, scope) is Grad.MAYBE for v in _written_values(write)):
                return Grad.MAYBE  # it received a value that may require grad
        return Grad.NO

    def _plain_self_attribute(self, expr: cst.Attribute, scope: FunctionFacts) -> bool:
        """`self.x` in a class whose known bases are none of torch.nn's (a data sampler, a scheduler)."""
        bases = scope.class_bases
        is_self = isinstance(expr.value, cst.Name) and expr.value.value == "self"
        return is_self and bool(bases) and not any(b.startswith("torch.nn.") for b in bases)

    def carries(self, value: cst.BaseExpression, scope: FunctionFacts) -> bool:
        """A value a leaf update stores may bring a gradient, by both the cheap test and the bindings."""
        return carries_grad(value, scope, self.kinds) and self.grad_of(value, scope) is not Grad.NO

    def number(self, expr: cst.BaseExpression, scope: FunctionFacts) -> bool:
        return self.kinds.kind(expr, scope) is Kind.NOT_TENSOR


def _written_values(write: cst.CSTNode) -> list[cst.BaseExpression]:
    if isinstance(write, cst.AugAssign):
        return [write.value]
    if isinstance(write, cst.Assign):
        return [write.value]
    if isinstance(write, cst.Call):
        return [a.value for a in write.args]
    return []


def _any_maybe(grads: list[Grad]) -> Grad:
    return Grad.MAYBE if Grad.MAYBE in grads else Grad.NO


def never_requires_grad(expr: cst.BaseExpression) -> bool:
    """`p.grad`, `x.detach()`, `x.grad.data`: tensors autograd never tracks, so writes are fine."""
    while isinstance(expr, cst.Attribute) and expr.attr.value == "data":
        expr = expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value == "grad"
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        return expr.func.attr.value == "detach"
    return False


def carries_grad(value: cst.BaseExpression, scope: FunctionFacts, kinds: TensorKinds) -> bool:
    """Whether `value` may hold a tensor autograd tracks: `lr * w.grad` does not, `w + x` may."""
    if never_requires_grad(value) or isinstance(value, (cst.BaseNumber, cst.BaseString)):
        return False
    if isinstance(value, cst.Name):
        bound = scope.bindings.get(value.value, [])
        if bound and value.value not in scope.params and all(v is not None and never_requires_grad(v) for v in bound):
            return False  # `g = p.grad`
        return kinds.kind(value, scope) is Kind.TENSOR
    if isinstance(value, cst.BinaryOperation):
        return carries_grad(value.left, scope, kinds) or carries_grad(value.right, scope, kinds)
    if isinstance(value, cst.UnaryOperation):
        return carries_grad(value.expression, scope, kinds)
    if isinstance(value, cst.Call):
        func = value.func
        if isinstance(func, cst.Attribute) and func.attr.value in LIKE_FACTORIES:
            return False
        parts = [a.value for a in value.args]
        if isinstance(func, cst.Attribute) and kinds.kind(func.value, scope) is not Kind.NOT_TENSOR:
            parts.append(func.value)  # a method of a tensor: `w.grad.sign()`, `m.mul(2)`
        return any(carries_grad(p, scope, kinds) for p in parts)
    if isinstance(value, cst.Attribute) and value.attr.value in MODULE_PARAMETERS:
        return True  # a layer's Parameter, by PyTorch's naming
    if isinstance(value, cst.Attribute):
        return kinds.kind(value, scope) is Kind.TENSOR and carries_grad(value.value, scope, kinds)
    if isinstance(value, cst.Subscript):
        return carries_grad(value.value, scope, kinds)
    return False
