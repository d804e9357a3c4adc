"""Values the index-write rules prove autograd never tracks: constants, fresh factories, torch ops
over those, and names every binding and element store of which is such a value."""

from __future__ import annotations

import libcst as cst

from fixer.analysis.index_dataflow import IndexDataflow
from fixer.analysis.regions import ImportMap
from fixer.analysis.scope import FunctionFacts, RegionFacts, dotted, qualified
from fixer.analysis.tables import FACTORIES, NUMBER_FACTORIES
from fixer.analysis.tensors import Kind, TensorKinds
from fixer.core.batched import children, contains

# Torch calls that build a tensor autograd does not track unless asked (`requires_grad=True`).
# `as_tensor` may return its argument and `tril`/`triu` are ops, not factories: fresh all the same here.
FRESH_FACTORIES = frozenset(FACTORIES) | {"as_tensor", "tril", "triu"}
RESHAPES = frozenset({"view", "reshape", "repeat", "expand", "permute", "flatten", "unflatten", "unsqueeze",
                      "squeeze", "transpose", "to", "type", "contiguous", "float", "double", "half", "long",
                      "int", "bool", "narrow", "roll", "flip", "repeat_interleave", "tile"})
PLAIN_CALLS = frozenset({"max", "min", "abs", "int", "float", "round", "len"})


class GradFreeValues:
    """`grad_free` with its memo, for one region; element stores come from the rule's dataflow."""

    def __init__(self, facts: RegionFacts, kinds: TensorKinds, dataflow: IndexDataflow) -> None:
        self.facts, self.kinds, self.dataflow = facts, kinds, dataflow
        self._grad_free: dict[tuple[int, frozenset[str]], bool] = {}
        self._size_names: dict[int, set[str]] = {}  # id of a function -> `size_names` of it

    def size_names(self, function: cst.CSTNode) -> set[str]:
        """Every name `function` passes to a torch factory as a size (`torch.zeros(n, d)`), found in one walk."""
        if id(function) not in self._size_names:
            found: set[str] = set()
            contains(function, lambda n: found.update(_size_names(n, self.facts.imports)) is not None)
            self._size_names[id(function)] = found
        return self._size_names[id(function)]

    def grad_free(self, expr: cst.BaseExpression, node: cst.CSTNode, depth: int = 0,
                  assumed: frozenset[str] = frozenset()) -> bool:
        """Whether `expr` is provably a value autograd never tracks: constants, fresh factories, and
        torch ops over those. `assumed`: names being proved (`t = t.permute(...)` keeps `t` free)."""
        key = (id(expr), assumed)
        if key not in self._grad_free:
            self._grad_free[key] = self._prove(expr, node, depth, assumed)
        return self._grad_free[key]

    def _prove(self, expr: cst.BaseExpression, node: cst.CSTNode, depth: int, assumed: frozenset[str]) -> bool:
        scope = self.facts.scope(node)
        kind = self.kinds.kind(expr, scope)
        if kind is Kind.NOT_TENSOR or depth > 40:
            return kind is Kind.NOT_TENSOR
        if isinstance(expr, cst.Name):
            return expr.value in assumed or self._name_grad_free(expr.value, scope, node, depth, assumed)
        free = lambda part: self.grad_free(part, node, depth + 1, assumed)  # noqa: E731
        if isinstance(expr, cst.Call):
            if any(a.keyword is not None and a.keyword.value == "requires_grad" for a in expr.args):
                return False
            name = qualified(expr.func, self.facts.imports) or ""
            if name.startswith("torch.") and name.rsplit(".", 1)[-1] in FRESH_FACTORIES:
                return True
            parts = [a.value for a in expr.args]
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in RESHAPES:
                parts = []  # sizes, dims and dtypes carry no gradient
            if isinstance(expr.func, cst.Attribute) and not name.startswith("torch."):
                if (dotted(expr.func) or "").startswith("self."):
                    return False  # a submodule: its parameters require grad
                parts.append(expr.func.value)
            elif not name.startswith("torch.") and not (isinstance(expr.func, cst.Name) and expr.func.value in
                                                        PLAIN_CALLS and expr.func.value not in scope.bindings):
                return False
            return all(free(p) for p in parts)
        parts = _operands(expr)
        return bool(parts) and all(free(p) for p in parts)

    def _name_grad_free(self, name: str, scope: FunctionFacts, node: cst.CSTNode, depth: int,
                        assumed: frozenset[str]) -> bool:
        if scope.node is not None and name in self.size_names(scope.node):
            return True  # `torch.zeros(n, d)`, `torch.arange(0, d, 2)`: `d` is a size, an int
        if name in scope.params or name in scope.outer_names or name not in scope.bindings:
            return False
        values = scope.bindings[name]
        if not all(v is not None and self.grad_free(v, node, depth + 1, assumed | {name}) for v in values):
            return False
        # `buf[0] = x` puts `x`'s gradient in `buf`; `buf[0] += self.size - 1` puts none
        return not any(self._carries_grad(v, scope, node, depth, assumed | {name})
                       for v in self.dataflow.stored(name, scope))

    def _carries_grad(self, value: cst.BaseExpression, scope: FunctionFacts, node: cst.CSTNode, depth: int,
                      assumed: frozenset[str]) -> bool:
        """A value stored into a buffer that may bring a gradient: it reads a variable not proven
        grad-free, a parameter of the class (`self.w`), or calls a submodule (`self.proj(x)`)."""
        if self.grad_free(value, node, depth + 1, assumed):
            return False
        imports = self.facts.imports
        owned = set(scope.class_parameters) | set(scope.class_info.submodules if scope.class_info is not None else ())

        def carries(part: cst.CSTNode) -> bool:
            if isinstance(part, cst.Attribute) and isinstance(part.value, cst.Name) and part.value.value == "self":
                return part.attr.value in owned  # `self.window_size` is configuration, `self.w` a parameter
            if isinstance(part, cst.Attribute):
                return qualified(part, imports) is None and carries(part.value)  # `torch.float`, `math.pi`: no tensor
            if isinstance(part, cst.Call) and isinstance(part.func, cst.Name):
                return any(carries(a.value) for a in part.args)  # `max(...)`: the function's name reads no tensor
            if isinstance(part, cst.Name):
                return (part.value != "self" and qualified(part, imports) is None
                        and not self.grad_free(part, node, depth + 1, assumed))
            return any(carries(child) for child in children(part))

        return carries(value)


def _size_names(node: cst.CSTNode, imports: ImportMap) -> set[str]:
    """The names a torch factory call takes as positional size arguments, when `node` is one."""
    factory = qualified(node.func, imports) if isinstance(node, cst.Call) else None
    if factory is None or not factory.startswith("torch.") or factory.rsplit(".", 1)[-1] not in NUMBER_FACTORIES:
        return set()
    return {a.value.value for a in node.args  # type: ignore[attr-defined]
            if isinstance(a.value, cst.Name) and a.keyword is None}


def _operands(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.BinaryOperation):
        return [expr.left, expr.right]
    if isinstance(expr, cst.UnaryOperation):
        return [expr.expression]
    if isinstance(expr, cst.Comparison):
        return [expr.left] + [c.comparator for c in expr.comparisons]
    if isinstance(expr, cst.Subscript):
        return [expr.value] + [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]
    if isinstance(expr, (cst.List, cst.Tuple)):
        return [e.value for e in expr.elements]
    if isinstance(expr, cst.Attribute) and expr.attr.value in ("T", "mT"):
        return [expr.value]
    return []
