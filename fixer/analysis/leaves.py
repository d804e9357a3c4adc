"""Leaves that require grad: parameters and tensors made with `requires_grad=True`.

An in-place write to one outside `torch.no_grad()` raises at once ("a leaf Variable that requires
grad is being used in an in-place operation"). When the written value carries no gradient
(`w -= lr * w.grad`), the write is a parameter update and `with torch.no_grad():` is the fix
(IP108); rewriting it out of place would rebind the name and the parameter would never change.
"""

from __future__ import annotations

import libcst as cst

from fixer.analysis.leaf_callers import MODULE_PARAMETERS, is_torch_module_class, passes_leaf
from fixer.analysis.regions import PARAMETER_CLASSES
from fixer.analysis.scope import FunctionFacts, RegionFacts, dotted, qualified
from fixer.analysis.grad import carries_grad, never_requires_grad
from fixer.analysis.tensors import TensorKinds
from fixer.core.builders import is_true

PARAMETER_ITERATORS = frozenset({"parameters", "named_parameters"})
# Methods whose result is a view of the receiver: writing it writes the leaf (and raises the same way).
VIEWS = frozenset({"view", "view_as", "transpose", "t", "permute", "narrow", "select", "squeeze", "unsqueeze",
                   "diagonal", "unflatten", "expand", "expand_as", "movedim", "swapaxes", "swapdims", "T", "mT"})


def written_leaf(target: cst.BaseExpression) -> cst.BaseExpression:
    """The tensor a write into `target` writes: `w` for `w[:, 0]`, `w.t()[0]` or `w.T`."""
    while True:
        if isinstance(target, cst.Subscript):
            target = target.value
        elif isinstance(target, cst.Call) and isinstance(target.func, cst.Attribute) and target.func.attr.value in VIEWS:
            target = target.func.value
        elif isinstance(target, cst.Attribute) and target.attr.value in VIEWS:
            target = target.value
        else:
            return target


def leaf_update(target: cst.BaseExpression, values: list[cst.BaseExpression], node: cst.CSTNode,
                facts: RegionFacts, kinds: TensorKinds) -> bool:
    """A write IP108 owns: into a leaf that requires grad, in grad mode, where the leaf cannot be
    rebound (a module's Parameter, a caller's argument) or the values carry no gradient."""
    scope = facts.scope(node)
    if facts.in_no_grad(node) or not is_grad_leaf(target, scope, facts, node):
        return False
    return not rebinds(target, scope) or not any(carries_grad(v, scope, kinds) for v in values)


def rebinds(target: cst.BaseExpression, scope: FunctionFacts) -> bool:
    """An out-of-place rewrite can rebind `target` where every later reader sees it: a local name."""
    return isinstance(target, cst.Name) and target.value not in scope.params


def is_grad_leaf(target: cst.BaseExpression, scope: FunctionFacts, facts: RegionFacts,
                 node: cst.CSTNode | None = None) -> bool:
    """`target` is a leaf tensor that requires grad, on every binding the analysis sees; `node`,
    the write, when its function may switch requires_grad off before it."""
    if isinstance(target, cst.Attribute) and target.attr.value in MODULE_PARAMETERS and is_layer(target.value, scope, facts):
        return not _frozen_before(node, scope, facts)
    if isinstance(target, cst.Attribute):
        return dotted(target) == f"self.{target.attr.value}" and target.attr.value in scope.class_parameters
    if isinstance(target, cst.Name) and target.value in scope.params:
        return _given_leaf(target.value, scope, facts) and not _frozen_before(node, scope, facts)
    if not isinstance(target, cst.Name):
        return False
    name = target.value
    if name in scope.outer_names or name not in scope.bindings:
        return scope.parent is not None and is_grad_leaf(target, scope.parent, facts)
    bindings = scope.bindings[name]
    if not all(makes_leaf(v, facts) for v in bindings if v is not None):
        return False  # the first binding that makes no leaf decides, not a count over all of them
    iters = scope.loop_iters.get(name, [])
    if sum(v is None for v in bindings) != len(iters):
        return False  # bound by unpacking, `with ... as`, a comprehension
    return all(_yields_leaves(i, scope, facts) for i in iters)


def is_layer(expr: cst.BaseExpression, scope: FunctionFacts, facts: RegionFacts) -> bool:
    """A torch.nn layer: `self.X` built as one in `__init__`, or a local name bound only to one."""
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self":
        spec = scope.class_info.submodules.get(expr.attr.value) if scope.class_info else None
        return spec is not None and is_torch_module_class(spec.callee)
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        # `ffn.output`: every class of the file that keeps an `output` builds it as a torch.nn layer
        specs = [info.submodules[expr.attr.value] for info in facts.classes.values() if expr.attr.value in info.submodules]
        return bool(specs) and all(is_torch_module_class(s.callee) for s in specs)
    if not isinstance(expr, cst.Name) or not scope.is_local(expr.value) or expr.value in scope.loop_iters:
        return False
    values = scope.bindings[expr.value]
    return all(isinstance(v, cst.Call) and is_torch_module_class(qualified(v.func, facts.imports)) for v in values)


def _given_leaf(name: str, scope: FunctionFacts, facts: RegionFacts) -> bool:
    """A parameter of a module-level function, never rebound, that every caller in the file fills
    with a leaf that requires grad."""
    function = scope.node
    at_top = scope.parent is not None and scope.parent.node is None and scope.class_info is None
    if not isinstance(function, cst.FunctionDef) or not at_top or scope.class_bases or name in scope.bindings:
        return False
    return facts.file is not None and passes_leaf(facts.file, function.name.value, name)


def _frozen_before(node: cst.CSTNode | None, scope: FunctionFacts, facts: RegionFacts) -> bool:
    """The function sets some `requires_grad` off (`w.requires_grad = False`, `requires_grad_(False)`)
    before `node` (anywhere, when `node` is not given): the write may then be legal."""
    limit = facts.order.get(id(node), 0) if node is not None else None
    for statement in _small_statements(scope.node):
        if limit is not None and facts.order.get(id(statement), limit) >= limit:
            continue
        if isinstance(statement, cst.Assign) and any(
                isinstance(t.target, cst.Attribute) and t.target.attr.value == "requires_grad" for t in statement.targets):
            if not is_true(statement.value):
                return True
        if isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call):
            call = statement.value
            if isinstance(call.func, cst.Attribute) and call.func.attr.value == "requires_grad_":
                if call.args and not is_true(call.args[0].value):
                    return True
    return False


def _small_statements(node: cst.CSTNode | None) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Assign, cst.Expr)):
            found.append(current)
        elif not isinstance(current, cst.BaseExpression):
            stack.extend(current.children)
    return found


def makes_leaf(value: cst.BaseExpression, facts: RegionFacts) -> bool:
    """`nn.Parameter(...)`, `torch.randn(..., requires_grad=True)`, `torch.ones(3).requires_grad_()`."""
    if not isinstance(value, cst.Call):
        return False
    name = qualified(value.func, facts.imports)
    flag = next((a.value for a in value.args if a.keyword and a.keyword.value == "requires_grad"), None)
    if name in PARAMETER_CLASSES:
        positional = [a.value for a in value.args if a.keyword is None]
        flag = flag if flag is not None else (positional[1] if len(positional) > 1 else None)
        return flag is None or is_true(flag)
    if name is not None and name.startswith("torch."):
        return flag is not None and is_true(flag)
    func = value.func
    if isinstance(func, cst.Attribute) and func.attr.value == "requires_grad_":
        receiver = func.value
        fresh = isinstance(receiver, cst.Call) and (
            (qualified(receiver.func, facts.imports) or "").startswith("torch.") or never_requires_grad(receiver)
        )
        return fresh and (not value.args or is_true(value.args[0].value))
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


