"""Lists of module outputs: `laterals = [conv(f) for conv, f in zip(self.convs, feats)]` holds
tensors, so `laterals[i] += v` adds into one of them in place (the module may have saved it: a
ReLU saves its output). For a list, `laterals[i] = laterals[i] + v` is the exact rewrite.
"""

from __future__ import annotations

import libcst as cst

from fixer.analysis.flow import Flow
from fixer.analysis.scope import FunctionFacts
from fixer.batched import contains


def holds_module_outputs(flow: Flow, name: str, node: cst.CSTNode, scope: FunctionFacts) -> bool:
    """Every binding of `name` reaching `node` is a list of submodule calls: `[self.a(x), self.b(y)]`,
    `[m(x) for m in self.blocks]`, `[self.convs[i](x[i]) for i in range(n)]`."""
    if name not in scope.timeline or name in scope.params or flow.entry_reaches(name, node, scope):
        return False
    reaching = flow.reaching(name, node, scope)
    submodules = frozenset(scope.class_info.submodules) if scope.class_info is not None else frozenset()
    return bool(reaching) and all(b.value is not None and _module_outputs(b.value, submodules) for b in reaching)


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
