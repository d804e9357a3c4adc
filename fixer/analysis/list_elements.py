"""Lists of module outputs: `laterals = [conv(f) for conv, f in zip(self.convs, feats)]` holds
tensors, so `laterals[i] += v` adds into one of them in place (the module may have saved it: a
ReLU saves its output). For a list, `laterals[i] = laterals[i] + v` is the exact rewrite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from fixer.analysis.callers import callee_of, runs_without_grad
from fixer.analysis.flow import Flow
from fixer.analysis.grad import Grad
from fixer.analysis.messages import LineOf, Message, code
from fixer.analysis.modules import Submodule, call_effect, drawn_modules, module_called
from fixer.analysis.saved import quoted
from fixer.analysis.scope import FunctionFacts
from fixer.analysis.tensors import Kind
from fixer.core.batched import contains

if TYPE_CHECKING:
    from fixer.analysis.risk import RiskAnalysis

# Builtins that read a list without changing which tensors it holds.
READERS = frozenset({"len", "tuple", "list", "enumerate", "zip", "reversed", "sum", "iter", "sorted"})


def holds_module_outputs(flow: Flow, name: str, node: cst.CSTNode, scope: FunctionFacts) -> bool:
    """Every binding of `name` reaching `node` is a list of submodule calls: `[self.a(x), self.b(y)]`,
    `[m(x) for m in self.blocks]`, `[self.convs[i](x[i]) for i in range(n)]`."""
    if name not in scope.timeline or name in scope.params or flow.entry_reaches(name, node, scope):
        return False
    reaching = flow.reaching(name, node, scope)
    submodules = frozenset(scope.class_info.submodules) if scope.class_info is not None else frozenset()
    return bool(reaching) and all(b.value is not None and _module_outputs(b.value, submodules) for b in reaching)


def saved_element(risks: RiskAnalysis, target: cst.Subscript, node: cst.CSTNode,
                  scope: FunctionFacts) -> tuple[cst.Call, Message] | None:
    """When every element of the list `target` indexes is, at the write `node`, the output of a
    module that saves its output for backward (a ConvModule ending in ReLU), and nothing in the
    function puts another tensor in the list: the call, and why the write makes backward fail."""
    assert isinstance(target.value, cst.Name)
    name, file = target.value.value, risks.facts.file
    if file is None or scope.class_info is None or scope.class_info.inference_only:
        return None
    callee = callee_of(scope)
    if callee is not None and runs_without_grad(file, callee) or not _elements_kept(risks.flow, name, scope):
        return None
    found: tuple[cst.Call, Submodule, str | None] | None = None
    for binding in risks.flow.reaching(name, node, scope):
        calls = _element_calls(binding.value, scope) if binding.value is not None else None
        if not calls:
            return None
        for call, spec in calls:
            saves, through = _saves_output(call, spec, risks, scope)
            if not saves:
                return None
            found = found or (call, spec, through)
    if found is None:
        return None
    call, spec, through = found
    saver = f", whose `{through}` saves its result" if through else ", which saves its result"
    return call, (f"`{code(target)}` holds the output of `{code(call.func)}` (a `{spec.callee.replace('torch.nn.', 'nn.')}`, "
                  "line ", LineOf(call), f"){saver} for backward; `{quoted(node)}` at line ", LineOf(node),
                  " makes backward fail")


def _element_calls(value: cst.BaseExpression, scope: FunctionFacts) -> list[tuple[cst.Call, Submodule]] | None:
    """The calls that build each element of `[self.a(x), self.b(y)]` or `[conv(f) for conv in self.convs]`,
    with the module each runs; None when one is no call of a known module."""
    if isinstance(value, cst.List):
        elements = [e.value for e in value.elements]
        drawn: dict[str, Submodule] = {}
    elif isinstance(value, cst.ListComp):
        elements, drawn, loop = [value.elt], {}, value.for_in
        while loop is not None:
            drawn |= drawn_modules(loop.target, loop.iter, scope.class_info)
            loop = loop.inner_for_in
    else:
        return None
    calls: list[tuple[cst.Call, Submodule]] = []
    for element in elements:
        if not isinstance(element, cst.Call):
            return None
        func = element.func
        spec = drawn.get(func.value) if isinstance(func, cst.Name) and func.value in drawn else module_called(func, scope)
        if spec is None:
            return None
        calls.append((element, spec))
    return calls


def _saves_output(call: cst.Call, spec: Submodule, risks: RiskAnalysis, scope: FunctionFacts) -> tuple[bool, str | None]:
    """Whether the module `spec` saves the output it returns from `call` (and through which of its
    own submodules, for a class of the file: its `forward`'s summary)."""
    argument = call.args[0].value if call.args and not call.args[0].star and call.args[0].keyword is None else None
    if argument is None or not _may_need_grad(argument, risks, scope):
        return False, None  # the module's own weights may not need grad either: no proof
    file = risks.facts.file
    summary = file.forward_of(spec.callee) if file is not None and not spec.callee.startswith("torch.") else None
    if summary is not None or file is not None and spec.callee in file.classes:
        return (summary is not None and summary.result is not None), summary.result if summary else None
    if spec.callee.startswith("torch.nn."):
        effect = call_effect(spec, risks.tables.module_saves)
        return effect.known and effect.saves_output, None
    return False, None


def _may_need_grad(argument: cst.BaseExpression, risks: RiskAnalysis, scope: FunctionFacts) -> bool:
    """Whether `argument` may require grad; an element of a list (`feats[i]`) may: the grad
    analysis reads the list, not what it holds."""
    base = argument
    while isinstance(base, cst.Subscript):
        base = base.value
    if base is not argument and isinstance(base, cst.Name) and risks.kinds.kind(base, scope) is Kind.NOT_TENSOR:
        return True
    return risks.grads.grad_of(argument, scope) is not Grad.NO


def _elements_kept(flow: Flow, name: str, scope: FunctionFacts) -> bool:
    """Every use of the list `name` in the function binds it, reads an element, iterates it, writes
    an element in place or hands it to a builtin that only reads it: no element is replaced."""
    parents = flow.parents(scope)
    for use in flow.uses(name, scope):
        parent = parents.get(id(use))
        if isinstance(parent, cst.AssignTarget) or isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is use:
            continue
        if isinstance(parent, cst.Return):
            continue
        if isinstance(parent, cst.Subscript) and parent.value is use:
            holder = parents.get(id(parent))
            if isinstance(holder, cst.AugAssign) and holder.target is parent or not _stored(parent, parents):
                continue
            return False
        if isinstance(parent, cst.Arg) and parent.keyword is None and not parent.star:
            call = parents.get(id(parent))
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value in READERS:
                continue
        return False
    return True


def _stored(node: cst.CSTNode, parents: dict[int, cst.CSTNode]) -> bool:
    """`node` is (part of) an assignment, loop or `del` target."""
    child, parent = node, parents.get(id(node))
    while isinstance(parent, (cst.Element, cst.Tuple, cst.List, cst.StarredElement)):
        child, parent = parent, parents.get(id(parent))
    if isinstance(parent, (cst.AssignTarget, cst.Del)):
        return True
    if isinstance(parent, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor)):
        return parent.target is child
    return isinstance(parent, cst.WithItem) and parent.asname is not None


def _module_outputs(value: cst.BaseExpression, submodules: frozenset[str]) -> bool:
    if isinstance(value, cst.List):
        return bool(value.elements) and all(_submodule_call(e.value, submodules, frozenset()) for e in value.elements)
    if isinstance(value, cst.ListComp):
        drawn: set[str] = set()
        loop: cst.CompFor | None = value.for_in
        while loop is not None:
            if contains(loop.iter, lambda n: _submodule(n, submodules)):
                drawn |= {n.value for n in _names(loop.target)}
            loop = loop.inner_for_in
        return _submodule_call(value.elt, submodules, frozenset(drawn))
    return False


def _submodule_call(expr: cst.BaseExpression, submodules: frozenset[str], drawn: frozenset[str]) -> bool:
    """`self.a(x)`, `self.convs[i](x)`, or `m(x)` with `m` drawn from `self.convs`."""
    if not isinstance(expr, cst.Call):
        return False
    func = expr.func
    while isinstance(func, cst.Subscript):
        func = func.value
    return _submodule(func, submodules) or isinstance(func, cst.Name) and func.value in drawn


def _submodule(node: cst.CSTNode, submodules: frozenset[str]) -> bool:
    """`self.<attr>` where `__init__` built a module (a ModuleList included)."""
    return (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self"
            and node.attr.value in submodules)


def _names(target: cst.BaseExpression) -> list[cst.Name]:
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _names(e.value)]
    return []
