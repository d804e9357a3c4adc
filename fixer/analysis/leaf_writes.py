"""What a leaf update writes: a target the cheap pass may take for a grad leaf, values that carry no grad."""

from __future__ import annotations

import ast
from collections.abc import Sequence

import libcst as cst

from fixer.analysis.grad import GradAnalysis
from fixer.analysis.leaf_callers import MODULE_PARAMETERS
from fixer.analysis.leaves import VIEWS
from fixer.analysis.regions import FileFacts, self_parameter
from fixer.analysis.scope import FunctionFacts


def may_be_leaf(target: ast.expr, file: FileFacts) -> bool:
    """What `is_grad_leaf` can accept, or a subscript or view of it: a parameter `self.X`, a layer's
    `weight` or `bias`, a function's parameter, or a name some statement of the file binds (to a
    value that may be a tensor, for a subscript: `out[k] = v` is mostly a dict)."""
    indexed = isinstance(target, ast.Subscript)
    while True:
        if isinstance(target, ast.Subscript):
            if isinstance(target.slice, ast.JoinedStr) or isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str):
                return False  # `d["key"] = v`: a dict, since a tensor never takes a string index
            target = target.value
        elif isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute) and target.func.attr in VIEWS:
            target = target.func.value
        else:
            break
    if isinstance(target, ast.Attribute):
        return target.attr in MODULE_PARAMETERS and file.may_hold_tensor(target) or self_parameter(target, file)
    return isinstance(target, ast.Name) and (target.id in file.parameters or target.id in file.bound_to_values
                                             or target.id in file.stores and not file.is_plain(target.id) and not indexed)


def grad_free(values: Sequence[cst.BaseExpression], scope: FunctionFacts, grads: GradAnalysis) -> bool:
    """No written value carries a gradient: `.grad`, numbers, detached tensors, factories."""
    return not any(grads.carries(v, scope) for v in values)
