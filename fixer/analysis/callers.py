"""The callers of a function in the same file: what they pass for one of its parameters.

A function that writes its argument in place (`out = x; out[:, :h] = v`) breaks backward when its
caller saved that argument before the call (`down = self.conv(x); top = self.block(x)`), and
writes no tensor when every caller passes a list (`self.detect([p3, p4])`). The callers of a
module-level function call it by name; of a method, `self.<method>(...)` in its class; of a
`forward`, also `self.<attr>(...)` in the file's classes whose `__init__` made `<attr>` the class.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from fixer.analysis.flow import Flow
from fixer.analysis.messages import LineOf, Message
from fixer.analysis.summary import FUNCTIONS
from fixer.analysis.regions import walk
from fixer.analysis.saved import quoted, storage_name
from fixer.analysis.scope import FunctionFacts, on_self
from fixer.core.positions import positions

if TYPE_CHECKING:
    from fixer.analysis.project import FileModel

CONTAINERS = (cst.List, cst.Tuple, cst.Dict, cst.ListComp, cst.DictComp, cst.GeneratorExp)
Def = ast.FunctionDef | ast.AsyncFunctionDef
Callee = tuple[str | None, str]  # (class or None for a module-level function, function name)


@dataclass(frozen=True, slots=True)
class Passed:
    """What the callers of a function pass for one of its parameters."""

    containers: bool  # every caller passes a list, tuple or dict: never a tensor
    saved: str | None  # why a caller's argument was saved before the call, with lines (first found)


def parameter_of(flow: Flow, name: str, node: cst.CSTNode, scope: FunctionFacts, depth: int = 0) -> str | None:
    """The parameter whose argument `name` surely holds (or a view of it) at `node`: the parameter
    itself, or `out = x`, `y = x.view(...)` with every reaching binding spelling the same one."""
    reaching = flow.reaching(name, node, scope)
    if not reaching:
        return name if name in scope.params and name not in scope.outer_names else None
    sources = {storage_name(b.value) if b.value is not None else None for b in reaching}
    if depth >= 3 or len(sources) != 1 or None in sources or name in sources or flow.entry_reaches(name, node, scope):
        return None
    source = sources.pop()
    assert source is not None
    return parameter_of(flow, source, reaching[0].node, scope, depth + 1)


def passed(file: FileModel, callee: Callee, param: str) -> Passed | None:
    """What the file's callers of `callee` pass for `param`; None without a caller, or when one
    passes it through `*args` or leaves it to its default."""
    owner, function = callee
    node = _method(file, owner, function) if owner is not None else file.functions.get(function)
    if node is None:
        return None
    params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)][1 if owner is not None else 0:]
    if param not in params:
        return None
    position = params.index(param)
    containers, saved, seen = True, None, False
    for caller_class, caller, calls in _callers(file, callee):
        analysed = file._analyse(caller, caller_class, params_are_tensors=True)  # noqa: SLF001  a summary's analysis
        if analysed is None:
            return None
        risks, scope, region = analysed
        for op in scope.ops:
            if not isinstance(op, cst.Call) or not calls(op.func):
                continue
            argument = _argument(op, position, param)
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
                    spelled = f"{caller_class}.{caller.name}" if caller_class else caller.name
                    saved = f"`{spelled}` passes `{argument.value}` at line {line(op)}, where {text}"
    return Passed(containers, saved) if seen else None


def runs_without_grad(file: FileModel, callee: Callee) -> bool:
    """Every call of `callee` runs in no-grad code (`with torch.no_grad():`, a `@torch.no_grad()`
    method): a helper of inference code, whose writes autograd never sees (FileModel's one answer)."""
    return file.runs_without_grad(callee[1], callee[0])


def callee_of(scope: FunctionFacts) -> Callee | None:
    """The function `scope` is, as its callers spell it: a module-level function or a method."""
    function = scope.node
    if not isinstance(function, cst.FunctionDef) or scope.parent is not None and scope.parent.node is not None:
        return None  # a nested function: its callers are its enclosing function's business
    info = scope.class_info
    return (info.name, function.name.value) if info is not None else (None, function.name.value)


def passed_for(file: FileModel | None, flow: Flow, name: str, node: cst.CSTNode, scope: FunctionFacts,
               cache: dict[tuple[Callee, str], Passed | None]) -> tuple[str, Passed] | None:
    """The parameter `name` holds at `node` and what the file's callers of its function pass for it
    (`cache`: answers by function and parameter, kept by the caller for one region)."""
    callee = callee_of(scope)
    if file is None or callee is None:
        return None
    param = parameter_of(flow, name, node, scope)
    if param is None:
        return None
    if (callee, param) not in cache:
        cache[callee, param] = passed(file, callee, param)
    found = cache[callee, param]
    return None if found is None else (param, found)


def _method(file: FileModel, class_name: str, name: str) -> Def | None:
    owner = file.class_nodes.get(class_name)
    return None if owner is None else next((s for s in owner.body if isinstance(s, FUNCTIONS) and s.name == name), None)


def _callers(file: FileModel, callee: Callee) -> Iterator[tuple[str | None, Def, Callable[[cst.BaseExpression], bool]]]:
    """(class, def, spells-the-callee) for each def of the file that may call `callee`."""
    owner, function = callee
    if owner is None:
        spelled = lambda func: isinstance(func, cst.Name) and func.value == function  # noqa: E731
        for node in file.functions.values():
            if _calls(file, node, function, lambda f: isinstance(f, ast.Name) and f.id == function):
                yield None, node, spelled
        for name, cls in file.class_nodes.items():
            for method in (s for s in cls.body if isinstance(s, FUNCTIONS)):
                if _calls(file, method, function, lambda f: isinstance(f, ast.Name) and f.id == function):
                    yield name, method, spelled
        return
    attrs = [(owner, function)]
    if function == "forward":  # `self.block(x)` where `__init__` made `self.block` this class
        attrs += [(holder, attr) for holder, info in file.classes.items() for attr, spec in info.submodules.items()
                  if spec.callee == owner]
    for holder, attr in attrs:
        if holder not in file.class_nodes:
            continue
        for method in (s for s in file.class_nodes[holder].body if isinstance(s, FUNCTIONS)):
            if _calls(file, method, attr, lambda f, a=attr: _self_attribute(f, a)):  # type: ignore[misc]
                yield holder, method, lambda func, a=attr: on_self(func, a)  # type: ignore[misc]


def _calls(file: FileModel, node: Def, name: str, spelled: Callable[[ast.expr], bool]) -> bool:
    """Whether the def (decorators included) calls what `spelled` accepts, a call spelling `name`."""
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    text = "".join(file.lines[first - 1 : node.end_lineno or node.lineno])
    if name not in text and text.isascii():  # a non-ASCII name may be spelled otherwise (NFKC)
        return False  # no walk: the def never spells the name
    return any(isinstance(n, ast.Call) and spelled(n.func) for n in walk(node))


def _self_attribute(func: ast.expr, attr: str) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == attr
            and isinstance(func.value, ast.Name) and func.value.id == "self")


def _argument(call: cst.Call, position: int, param: str) -> cst.BaseExpression | None:
    """The argument the call gives the parameter (None: through `*args` / `**kwargs`, or not given)."""
    if any(a.star for a in call.args):
        return None
    keyword = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == param), None)
    positional = [a.value for a in call.args if a.keyword is None]
    return keyword if keyword is not None else positional[position] if position < len(positional) else None


def argument_position(file: FileModel | None, flow: Flow, name: str, node: cst.CSTNode,
                      scope: FunctionFacts) -> tuple[str, str | None, int] | None:
    """The def, class and position of the parameter `name` when its argument reaches `node`."""
    function = scope.node
    if file is None or not isinstance(function, cst.FunctionDef) or name not in scope.params:
        return None
    if scope.parent is None or scope.parent.node is not None or not flow.entry_reaches(name, node, scope):
        return None  # a nested function: its callers are not followed
    info = scope.class_info
    params = [p.name.value for p in (*function.params.posonly_params, *function.params.params)]
    if info is not None:
        params = params[1:]  # `self`
    return function.name.value, info.name if info else None, params.index(name) if name in params else len(params)


def called_without_grad(file: FileModel | None, scope: FunctionFacts) -> bool:
    """Every caller in the file runs the def around `scope` (its outermost) under `torch.no_grad()`."""
    function = scope.node
    while scope.parent is not None and scope.parent.node is not None:  # a nested def: its outermost def
        scope = scope.parent
        function = scope.node
    if file is None or not isinstance(function, cst.FunctionDef) or scope.parent is None:
        return False
    info = scope.class_info
    return file.runs_without_grad(function.name.value, info.name if info else None)


def never_runs(file: FileModel | None, flow: Flow, node: cst.CSTNode, scope: FunctionFacts) -> bool:
    """The write sits in the body of `if p is not None:` (or `if p:`), `p` a parameter defaulting
    to None that every call of the (private) def in the file leaves at its default."""
    parents = flow.parents(scope)
    child, parent = node, parents.get(id(node))
    while parent is not None and parent is not scope.node:
        if isinstance(parent, cst.If) and child is parent.body:
            name = _tested_name(parent.test)
            param = scope.params.get(name) if name else None
            if (param is not None and isinstance(param.default, cst.Name) and param.default.value == "None"
                    and flow.entry_reaches(name, parent, scope)):  # type: ignore[arg-type]
                found = argument_position(file, flow, name, parent, scope)  # type: ignore[arg-type]
                if found is not None and file is not None and file.left_at_default(*found, name):  # type: ignore[arg-type]
                    return True
        child, parent = parent, parents.get(id(parent))
    return False


def callers_pass_unsaved(file: FileModel | None, flow: Flow, name: str, node: cst.CSTNode, scope: FunctionFacts) -> bool:
    """Every caller hands the parameter `name` a new value nothing saved or reads again."""
    found = argument_position(file, flow, name, node, scope)
    return found is not None and file is not None and file.argument_unsaved(*found, name)


def fed_saved(file: FileModel | None, flow: Flow, name: str, node: cst.CSTNode, scope: FunctionFacts) -> Message | None:
    """A parameter written in place, where a caller in the file passes a value autograd saved."""
    found = argument_position(file, flow, name, node, scope)
    if found is None or file is None:
        return None
    feed = file.argument_feeds(*found, name)
    if feed is None:
        return None
    return (f"`{name}` is written in place by `{quoted(node)}` at line ", LineOf(node), f"; {feed.via} a value "
            f"autograd needs: {feed.reason}")


def _tested_name(test: cst.BaseExpression) -> str | None:
    """`p` in `if p is not None:` or `if p:`."""
    if isinstance(test, cst.Name):
        return test.value
    if (isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.IsNot)
            and isinstance(test.comparisons[0].comparator, cst.Name) and test.comparisons[0].comparator.value == "None"):
        return test.left.value
    return None
