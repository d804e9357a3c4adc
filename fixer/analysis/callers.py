"""The callers of a module's `forward` in the same file: what they pass for a parameter.

A `forward` that writes its input in place (`out = x; out[:, :h] = v`) breaks backward when its
caller saved that input before the call (`down = self.conv(x); top = self.block(x)`), and never
writes a tensor when every caller passes a list (`self.detect([p3, p4])`). The callers are the
methods of the file's classes that call `self.<attr>(...)` where `__init__` made `<attr>` the class.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from fixer.analysis.flow import Flow
from fixer.analysis.project import FUNCTIONS, FileModel
from fixer.analysis.saved import _storage_name
from fixer.analysis.scope import FunctionFacts
from fixer.positions import positions

CONTAINERS = (cst.List, cst.Tuple, cst.Dict, cst.ListComp, cst.DictComp, cst.GeneratorExp)


@dataclass(frozen=True, slots=True)
class Passed:
    """What the callers of a `forward` pass for one of its parameters."""

    containers: bool  # every caller passes a list, tuple or dict: never a tensor
    saved: str | None  # why a caller's argument was saved before the call, with lines (first found)


def parameter_of(flow: Flow, name: str, node: cst.CSTNode, scope: FunctionFacts, depth: int = 0) -> str | None:
    """The parameter whose argument `name` surely holds (or a view of it) at `node`: the parameter
    itself, or `out = x`, `y = x.view(...)` with every reaching binding spelling the same one."""
    reaching = flow.reaching(name, node, scope)
    if not reaching:
        return name if name in scope.params and name not in scope.outer_names else None
    sources = {_storage_name(b.value) if b.value is not None else None for b in reaching}
    if depth >= 3 or len(sources) != 1 or None in sources or name in sources or flow.entry_reaches(name, node, scope):
        return None
    source = sources.pop()
    assert source is not None
    return parameter_of(flow, source, reaching[0].node, scope, depth + 1)


def passed(file: FileModel, class_name: str, param: str) -> Passed | None:
    """What the file's callers of `class_name.forward` pass for `param`; None without a caller."""
    forward = _method(file, class_name, "forward")
    if forward is None:
        return None
    params = [a.arg for a in (*forward.args.posonlyargs, *forward.args.args)][1:]
    if param not in params:
        return None
    position = params.index(param)
    containers, saved, seen = True, None, False
    for owner, attr, method in _calling_methods(file, class_name):
        analysed = file._analyse(method, owner, params_are_tensors=True)  # noqa: SLF001  the same analysis a summary uses
        if analysed is None:
            return None
        risks, scope, region = analysed
        for op in scope.ops:
            if not _spells_self(op, attr):
                continue
            argument = _argument(op, position, param)  # type: ignore[arg-type]
            if argument is None:
                return None
            seen = True
            containers &= isinstance(argument, CONTAINERS)
            if saved is None and isinstance(argument, cst.Name) and not risks.facts.in_no_grad(op):
                found = risks.saved.saved(argument.value, op, scope)
                if found is not None:
                    where = positions(risks.facts.module)  # type: ignore[arg-type]
                    line = lambda n: where[n][0][0] + region.first - 1  # noqa: E731
                    text = "".join(p if isinstance(p, str) else str(line(p.node)) for p in found[1][:-2])
                    text = text[: text.rindex("; `")]  # the caller's sentence without its own write
                    saved = f"`{owner}.{method.name}` passes `{argument.value}` at line {line(op)}, where {text}"
    return Passed(containers, saved) if seen else None


def _method(file: FileModel, class_name: str, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    owner = file.class_nodes.get(class_name)
    return None if owner is None else next((s for s in owner.body if isinstance(s, FUNCTIONS) and s.name == name), None)


def _calling_methods(file: FileModel, class_name: str) -> Iterator[tuple[str, str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """(class, attribute, method) for each method of a class holding `class_name` in `self.<attribute>`
    that calls it."""
    for owner, info in file.classes.items():
        for attr, spec in info.submodules.items():
            if spec.callee != class_name or owner not in file.class_nodes:
                continue
            for method in file.class_nodes[owner].body:
                if isinstance(method, FUNCTIONS) and _calls_self(method, attr):
                    yield owner, attr, method


def _calls_self(node: ast.AST, attr: str) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == attr
               and isinstance(n.func.value, ast.Name) and n.func.value.id == "self" for n in ast.walk(node))


def _spells_self(op: cst.CSTNode, attr: str) -> bool:
    func = op.func if isinstance(op, cst.Call) else None
    return (isinstance(func, cst.Attribute) and func.attr.value == attr
            and isinstance(func.value, cst.Name) and func.value.value == "self")


def _argument(call: cst.Call, position: int, param: str) -> cst.BaseExpression | None:
    """The argument the call gives the parameter (None: through `*args` / `**kwargs`, or not given)."""
    if any(a.star for a in call.args):
        return None
    keyword = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == param), None)
    positional = [a.value for a in call.args if a.keyword is None]
    return keyword if keyword is not None else positional[position] if position < len(positional) else None


def passed_for(file: FileModel | None, flow: Flow, name: str, node: cst.CSTNode, scope: FunctionFacts,
               cache: dict[tuple[str, str], Passed | None]) -> tuple[str, Passed] | None:
    """The `forward` parameter `name` holds at `node` and what the file's callers pass for it
    (`cache`: answers by class and parameter, kept by the caller for one region)."""
    info = scope.class_info
    if file is None or info is None or not scope.is_forward:
        return None
    param = parameter_of(flow, name, node, scope)
    if param is None:
        return None
    if (info.name, param) not in cache:
        cache[info.name, param] = passed(file, info.name, param)
    found = cache[info.name, param]
    return None if found is None else (param, found)  # type: ignore[return-value]
