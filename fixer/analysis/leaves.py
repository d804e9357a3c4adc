"""Leaves that require grad: parameters and tensors made with `requires_grad=True`.

An in-place write to one outside `torch.no_grad()` raises at once ("a leaf Variable that requires
grad is being used in an in-place operation"). When the written value carries no gradient
(`w -= lr * w.grad`), the write is a parameter update and `with torch.no_grad():` is the fix
(IP108); rewriting it out of place would rebind the name and the parameter would never change.
"""

from __future__ import annotations

import libcst as cst

from fixer.analysis.regions import PARAMETER_CLASSES
from fixer.analysis.scope import FunctionFacts, RegionFacts, dotted, qualified
from fixer.analysis.tensors import Kind, TensorKinds, never_requires_grad

PARAMETER_ITERATORS = frozenset({"parameters", "named_parameters"})
# torch functions whose result takes only the shape and dtype of their tensor argument.
SHAPE_ONLY = frozenset({"zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like",
                        "randint_like"})


def is_grad_leaf(target: cst.BaseExpression, scope: FunctionFacts, facts: RegionFacts) -> bool:
    """`target` is a leaf tensor that requires grad, on every binding the analysis sees."""
    if isinstance(target, cst.Attribute):
        return dotted(target) == f"self.{target.attr.value}" and target.attr.value in scope.class_parameters
    if not isinstance(target, cst.Name) or target.value in scope.params:
        return False
    name = target.value
    if name in scope.outer_names or name not in scope.bindings:
        return scope.parent is not None and is_grad_leaf(target, scope.parent, facts)
    bindings = scope.bindings[name]
    if not all(_makes_leaf(v, facts) for v in bindings if v is not None):
        return False  # the first binding that makes no leaf decides, not a count over all of them
    iters = scope.loop_iters.get(name, [])
    if sum(v is None for v in bindings) != len(iters):
        return False  # bound by unpacking, `with ... as`, a comprehension
    return all(_yields_leaves(i, scope, facts) for i in iters)


def _makes_leaf(value: cst.BaseExpression, facts: RegionFacts) -> bool:
    """`nn.Parameter(...)`, `torch.randn(..., requires_grad=True)`, `torch.ones(3).requires_grad_()`."""
    if not isinstance(value, cst.Call):
        return False
    name = qualified(value.func, facts.imports)
    flag = next((a.value for a in value.args if a.keyword and a.keyword.value == "requires_grad"), None)
    if name in PARAMETER_CLASSES:
        positional = [a.value for a in value.args if a.keyword is None]
        flag = flag if flag is not None else (positional[1] if len(positional) > 1 else None)
        return flag is None or _is_true(flag)
    if name is not None and name.startswith("torch."):
        return flag is not None and _is_true(flag)
    func = value.func
    if isinstance(func, cst.Attribute) and func.attr.value == "requires_grad_":
        receiver = func.value
        fresh = isinstance(receiver, cst.Call) and (
            (qualified(receiver.func, facts.imports) or "").startswith("torch.") or never_requires_grad(receiver)
        )
        return fresh and (not value.args or _is_true(value.args[0].value))
    return False


def _yields_leaves(iterable: cst.BaseExpression, scope: FunctionFacts, facts: RegionFacts) -> bool:
    """`model.parameters()`, `list(model.parameters())`, `[w, b]` of leaves, or a name bound to one."""
    if isinstance(iterable, cst.Call):
        func = iterable.func
        if isinstance(func, cst.Attribute) and func.attr.value in PARAMETER_ITERATORS:
            return True
        if isinstance(func, cst.Name) and func.value in ("list", "tuple") and len(iterable.args) == 1:
            return _yields_leaves(iterable.args[0].value, scope, facts)
        return False
    if isinstance(iterable, (cst.List, cst.Tuple)):
        elements = [e.value for e in iterable.elements]
        return bool(elements) and all(is_grad_leaf(e, scope, facts) for e in elements)
    if isinstance(iterable, cst.Name) and iterable.value in scope.bindings and iterable.value not in scope.loop_iters:
        values = scope.bindings[iterable.value]
        return all(v is not None and _yields_leaves(v, scope, facts) for v in values)
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
        if isinstance(func, cst.Attribute) and func.attr.value in SHAPE_ONLY:
            return False
        parts = [a.value for a in value.args]
        if isinstance(func, cst.Attribute) and kinds.kind(func.value, scope) is not Kind.NOT_TENSOR:
            parts.append(func.value)  # a method of a tensor: `w.grad.sign()`, `m.mul(2)`
        return any(carries_grad(p, scope, kinds) for p in parts)
    if isinstance(value, cst.Attribute):
        return kinds.kind(value, scope) is Kind.TENSOR and carries_grad(value.value, scope, kinds)
    if isinstance(value, cst.Subscript):
        return carries_grad(value.value, scope, kinds)
    return False


def _is_true(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"
