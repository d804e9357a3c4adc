"""What the file's own calls pass a module-level function: a leaf that requires grad, in grad mode?

`create_embeddings(n, d, self.pos.weight)` in `__init__` hands the helper an `nn.Embedding`'s
weight: the helper's `E[:, 0::2] = ...` then writes a leaf and raises at once. Read from `ast`,
once per file, over the file's functions and methods as `FileModel` lists them.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fixer.analysis.regions import PARAMETER_CLASSES, dotted_name, qualify, walk
from fixer.analysis.scope import GRAD_OFF
from fixer.analysis.tables import torch_tables
from fixer.analysis.summary import FUNCTIONS

if TYPE_CHECKING:
    from fixer.analysis.project import FileModel

MODULE_PARAMETERS = frozenset({"weight", "bias"})  # what torch.nn layers name their Parameters
Site = tuple[ast.Call, ast.FunctionDef | ast.AsyncFunctionDef, str | None]  # a call, its def, its class


def passes_leaf(file: FileModel, function: str, param: str) -> bool:
    """Every call of the module-level `function` in grad mode (one at least) gives `param` a leaf
    that requires grad, and the function is never passed around uncalled: the calls in no-grad
    code write the leaf legally, and wrapping the write in `torch.no_grad()` changes nothing there."""
    node = file.functions.get(function)
    if node is None:
        return False
    sites = [s for s in _sites(file).get(function) or () if not _in_no_grad(s[0], s[1], file)]
    if not sites:
        return False
    positional = [a.arg for a in node.args.posonlyargs + node.args.args]
    return all(_leaf_argument(file, site, _argument(site[0], param, positional)) for site in sites)


def is_torch_module_class(name: str | None) -> bool:
    """A torch.nn layer class whose `weight` and `bias` are Parameters (a loss keeps its `weight`
    as a buffer)."""
    saves = torch_tables().module_saves.get(name or "")
    return saves is not None and not saves.path.startswith("torch.nn.modules.loss.")


@functools.lru_cache(maxsize=4)  # one file's sites, asked for each write into a helper's parameter
def _sites(file: FileModel) -> dict[str, list[Site] | None]:
    """Function name -> its call sites; None when the name is also used other than by a call."""
    found: dict[str, list[Site] | None] = {name: [] for name in file.functions}
    for owner, class_name in _defs(file):
        nodes = list(walk(owner))
        calls = [n for n in nodes if isinstance(n, ast.Call)]
        called = {id(c.func) for c in calls}
        for sub in nodes:
            if isinstance(sub, ast.Name) and sub.id in found and isinstance(sub.ctx, ast.Load) and id(sub) not in called:
                found[sub.id] = None  # passed around: called from anywhere
        for call in calls:
            if isinstance(call.func, ast.Name) and found.get(call.func.id) is not None:
                found[call.func.id].append((call, owner, class_name))  # type: ignore[union-attr]
    return found


def _defs(file: FileModel) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, str | None]]:
    yield from ((f, None) for f in file.functions.values())
    for name, node in file.class_nodes.items():
        yield from ((s, name) for s in node.body if isinstance(s, FUNCTIONS))


def _argument(call: ast.Call, param: str, positional: list[str]) -> ast.expr | None:
    keyword = next((k.value for k in call.keywords if k.arg == param), None)
    index = positional.index(param) if param in positional else len(call.args)
    if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return None
    return keyword if keyword is not None else call.args[index] if index < len(call.args) else None


def _leaf_argument(file: FileModel, site: Site, argument: ast.expr | None) -> bool:
    call, owner, class_name = site
    if argument is None:
        return False
    if isinstance(argument, ast.Name):
        values = _bindings(owner, argument.id)
        return len(values) == 1 and values[0] is not None and _leaf_value(file, values[0], owner, class_name)
    return _leaf_value(file, argument, owner, class_name)


def _leaf_value(file: FileModel, value: ast.expr, owner: ast.FunctionDef | ast.AsyncFunctionDef, class_name: str | None) -> bool:
    """`nn.Parameter(...)`, `torch.randn(..., requires_grad=True)`, `<torch.nn layer>.weight`."""
    if isinstance(value, ast.Call):
        name = qualify(dotted_name(value.func), file.imports) or ""
        flag = next((k.value for k in value.keywords if k.arg == "requires_grad"), None)
        if name in PARAMETER_CLASSES:
            flag = flag if flag is not None else value.args[1] if len(value.args) > 1 else None
            return flag is None or _true(flag)
        return name.startswith("torch.") and flag is not None and _true(flag)
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id == "self":
        owner_class = file.class_nodes.get(class_name or "")
        if owner_class is not None and makes_parameter(owner_class, value.attr, file):
            return True
    if not isinstance(value, ast.Attribute) or value.attr not in MODULE_PARAMETERS:
        return False
    layer = value.value
    if isinstance(layer, ast.Attribute) and isinstance(layer.value, ast.Name) and layer.value.id == "self":
        info = file.classes.get(class_name or "")
        spec = info.submodules.get(layer.attr) if info else None
        return spec is not None and is_torch_module_class(spec.callee)
    if isinstance(layer, ast.Name):
        values = _bindings(owner, layer.id)
        return (len(values) == 1 and isinstance(values[0], ast.Call)
                and is_torch_module_class(qualify(dotted_name(values[0].func), file.imports)))
    return False


def makes_parameter(owner: ast.ClassDef, attr: str, file: FileModel) -> bool:
    """The class binds `self.<attr>` only to `nn.Parameter(...)` calls that require grad."""
    values = [s.value for s in ast.walk(owner) if isinstance(s, ast.Assign)
              for t in s.targets if isinstance(t, ast.Attribute) and t.attr == attr
              and isinstance(t.value, ast.Name) and t.value.id == "self"]
    return bool(values) and all(isinstance(v, ast.Call) and qualify(dotted_name(v.func), file.imports) in PARAMETER_CLASSES
                                and _leaf_value(file, v, owner, None) for v in values)  # type: ignore[arg-type]


def _bindings(owner: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> list[ast.expr | None]:
    """What each store of `name` in the def binds (None: a parameter, loop, unpacking, `with`)."""
    found: list[ast.expr | None] = [None] if any(a.arg == name for a in ast.walk(owner.args) if isinstance(a, ast.arg)) else []
    assigned: set[int] = set()
    for sub in ast.walk(owner):
        if isinstance(sub, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in sub.targets):
            found.append(sub.value)
            assigned.update(id(t) for t in sub.targets)
    stores = (n for n in ast.walk(owner) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store))
    return found + [None for n in stores if id(n) not in assigned]


def _in_no_grad(call: ast.Call, owner: ast.FunctionDef | ast.AsyncFunctionDef, file: FileModel) -> bool:
    """The call runs with autograd off: its def is a `@torch.no_grad()` one, or a `with` turns it off."""
    def off(expr: ast.expr) -> bool:
        expr = expr.func if isinstance(expr, ast.Call) else expr
        return qualify(dotted_name(expr), file.imports) in GRAD_OFF

    if any(off(d) for d in owner.decorator_list):
        return True
    return any(isinstance(w, (ast.With, ast.AsyncWith)) and any(off(i.context_expr) for i in w.items)
               and any(call is n for s in w.body for n in ast.walk(s)) for w in ast.walk(owner))


def _true(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True
