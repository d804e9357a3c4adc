"""Whether any read of an attribute in the file can keep its tensor for backward.

`self.logit_scale.data.clamp_(0, 4.6)` writes behind autograd's back; that gives wrong gradients
only when some graph saved `logit_scale` itself. When the file reads `.logit_scale` only through
ops whose backward keeps their result or nothing (`.exp()`), or passes it to a module of the file
whose `forward` saves nothing of it, no graph holds its values. Read from `ast`, whole file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fixer.analysis.leaf_callers import MODULE_PARAMETERS, makes_parameter
from fixer.analysis.modules import ClassInfo
from fixer.analysis.tables import TorchTables

if TYPE_CHECKING:
    from fixer.analysis.project import FileModel



def never_saved(attr: str, file: FileModel, tables: TorchTables) -> bool:
    """`.attr` is a Parameter the file's own classes make, and every read of it in the file's
    functions and classes keeps nothing of it for backward. A torch.nn layer's `weight` and
    `bias` never are: the layer's call reads them out of sight."""
    if attr in MODULE_PARAMETERS or not any(makes_parameter(c, attr, file) for c in file.class_nodes.values()):
        return False
    for owner, info in _owners(file):
        parents = {id(c): n for n in ast.walk(owner) for c in ast.iter_child_nodes(n)}
        for read in ast.walk(owner):
            if isinstance(read, ast.Attribute) and read.attr == attr and not _unsaved_read(read, parents, tables, file, info):
                return False
    return True


def _owners(file: FileModel) -> Iterator[tuple[ast.AST, ClassInfo | None]]:
    yield from ((f, None) for f in file.functions.values())
    yield from ((c, file.classes.get(name)) for name, c in file.class_nodes.items())


def _unsaved_read(read: ast.Attribute, parents: dict[int, ast.AST], tables: TorchTables, file: FileModel,
                  info: ClassInfo | None) -> bool:
    """`X.attr = v`, `X.attr.data[i] = v`, `X.attr.data.clamp_(...)`, `X.attr.exp()`, or
    `self.head(a, X.attr)` whose `forward` saves nothing of that argument."""
    if isinstance(read.ctx, ast.Store):
        return True
    method = parents.get(id(read))
    if isinstance(method, ast.Attribute) and method.attr == "data":
        write = parents.get(id(method))
        if isinstance(method.ctx, ast.Store) or isinstance(write, ast.Subscript) and isinstance(write.ctx, ast.Store):
            return True  # `X.attr.data = v`, `X.attr.data[i] = v`, `X.attr.data += v`
        method = write
    if isinstance(method, ast.Call) and read in method.args:
        return _initialises(method, read, tables) or _passed_unsaved(method, method.args.index(read), file, info)
    if not isinstance(method, ast.Attribute) or not _called(method, parents):
        return False
    saves = tables.saves.get(tables.tensor_method_ops.get(method.attr, ""))
    return method.attr in tables.inplace_methods or saves is not None and "self" not in saves.inputs


def _initialises(call: ast.Call, read: ast.Attribute, tables: TorchTables) -> bool:
    """`init.constant_(X.attr, v)`: an in-place initialiser of torch.nn.init's (or a wrapper of the
    same name) writes its first argument and keeps nothing."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return bool(call.args) and call.args[0] is read and name.endswith("_") and f"torch.nn.init.{name}" in tables.init_functions


def _passed_unsaved(call: ast.Call, index: int, file: FileModel, info: ClassInfo | None) -> bool:
    """`self.head(..., value)`: `head` a module of the file whose `forward` neither saves nor writes
    the parameter `value` fills."""
    func = call.func
    if info is None or not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self"):
        return False
    spec = info.submodules.get(func.attr)
    summary = file.forward_of(spec.callee) if spec is not None else None
    if summary is None or index >= len(summary.params) or any(isinstance(a, ast.Starred) for a in call.args):
        return False
    param = summary.params[index]
    return param not in summary.saves and param not in summary.writes


def _called(func: ast.Attribute, parents: dict[int, ast.AST]) -> bool:
    call = parents.get(id(func))
    return isinstance(call, ast.Call) and call.func is func
