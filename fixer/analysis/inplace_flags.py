"""Where a call sets `inplace` True: a literal flag, or a variable whose value the function shows.

`nn.ReLU(inplace=inplace)` in `def __init__(self, inplace=True)`, and `nn.Dropout(p, **params)` after
`params = {} if inplace is None else {"inplace": inplace}`: the layer writes in place as the
function is called by default. A rule may report these only where it proves a failure.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Mapping

import libcst as cst

from fixer.analysis.layer_order import choices
from fixer.analysis.regions import FileFacts
from fixer.analysis.scope import FunctionFacts
from fixer.analysis.tables import torch_tables
from fixer.core.builders import is_true

Uses = Callable[[str], list[cst.Name]]  # every Name spelling a name in the function


def may_set_inplace(node: ast.AST, file: FileFacts) -> bool:
    """Cheaply, from the file's imports and names: the `ast` call may pass a torch callee `inplace=True`."""
    assert isinstance(node, ast.Call)
    if isinstance(node.func, ast.Attribute) and node.func.attr not in flag_takers():
        return False  # imports resolve only the head of `a.b.c`: no callee of that name takes the flag
    args = list(node.args) + [k.value for k in node.keywords]
    literal = any(isinstance(a, ast.Constant) and a.value is True for a in args)
    named = any(k.arg in ("inplace", None) for k in node.keywords)
    if not (literal or named or any(isinstance(a, ast.Name) for a in node.args)):
        return False  # the cheap test first: most calls pass no flag
    if isinstance(node.func, ast.Name) and node.func.id in file.parameters and any(k.arg == "inplace" for k in node.keywords):
        return True  # `act_layer(inplace=True)`: the layer class may be a parameter's default (`**dd` is no flag)
    index = torch_tables().inplace_params.get(file.qualified(node.func) or "")
    if index is None:
        return False
    return literal or named or index < len(node.args) and isinstance(node.args[index], ast.Name)


@functools.cache
def flag_takers() -> frozenset[str]:
    """The last part of the name of every callee with an `inplace` flag (`ReLU` of `torch.nn.ReLU`)."""
    return frozenset(name.rsplit(".", 1)[-1] for name in torch_tables().inplace_params)


def flag_argument(call: cst.Call, index: int, scope: FunctionFacts, uses: Uses,
                  parents: Mapping[int, cst.CSTNode]) -> tuple[int, bool] | None:
    """(position in `call.args`, literal) of the argument that sets `inplace` True, if any."""
    literal = inplace_flag(call, index)
    if literal is not None:
        return literal, True
    positional = [i for i, a in enumerate(call.args) if a.keyword is None and not a.star]
    for i, arg in enumerate(call.args):
        named = arg.keyword is not None and arg.keyword.value == "inplace" or i in positional[index:index + 1]
        if named and _true_by_default(arg.value, scope):
            return i, False
        if arg.star == "**" and _flag_dict(arg.value, scope, uses, parents):
            return i, False
    return None


def inplace_flag(call: cst.Call, index: int) -> int | None:
    """The position in `call.args` of a literal `inplace=True` (keyword or at `index`), else None."""
    if any(a.star for a in call.args):
        return None
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == "inplace":
            return i if is_true(arg.value) else None
    positional = [i for i, a in enumerate(call.args) if a.keyword is None]
    if index < len(positional) and is_true(call.args[positional[index]].value):
        return positional[index]
    return None




def true_by_default(expr: cst.BaseExpression, scope: FunctionFacts) -> bool:
    """`True`, or a parameter of the function defaulting to `True` and never rebound in it."""
    return is_true(expr) or _true_by_default(expr, scope)


def _true_by_default(expr: cst.BaseExpression, scope: FunctionFacts) -> bool:
    if not isinstance(expr, cst.Name) or expr.value in scope.bindings:
        return False
    param = scope.params.get(expr.value)
    return param is not None and param.default is not None and is_true(param.default)


def _flag_dict(expr: cst.BaseExpression, scope: FunctionFacts, uses: Uses, parents: Mapping[int, cst.CSTNode]) -> bool:
    """`**params` where `params` only ever holds the key "inplace", True on some binding, and is
    read nowhere but spread into calls: dropping it drops the flag and nothing else."""
    if not isinstance(expr, cst.Name) or expr.value in scope.params:
        return False
    values = scope.bindings.get(expr.value, [])
    if not values or any(v is None for v in values):
        return False
    options = [c for v in values for c in choices(v)]  # type: ignore[arg-type]
    if not all(_only_inplace(c) for c in options):
        return False
    if not any(true_by_default(e.value, scope) for c in options for e in c.elements if isinstance(e, cst.DictElement)):  # type: ignore[union-attr]
        return False
    return all(_spread_or_bound(u, parents) for u in uses(expr.value))


def _only_inplace(value: cst.BaseExpression) -> bool:
    if not isinstance(value, cst.Dict):
        return False
    return all(isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
               and e.key.evaluated_value == "inplace" for e in value.elements)


def _spread_or_bound(use: cst.Name, parents: Mapping[int, cst.CSTNode]) -> bool:
    parent = parents.get(id(use))
    return isinstance(parent, cst.AssignTarget) or isinstance(parent, cst.Arg) and parent.star == "**"
