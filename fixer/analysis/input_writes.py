"""Modules of the file that write their caller's tensor in place, and the callers that break on it.

`x = self.activ(x)` first in `forward`, with `self.activ = nn.ReLU(inplace=True)`, writes the very
tensor the caller passed: harmless after a BatchNorm, fatal when the caller's `forward` ran
`self.shortcut(x)` (a conv, which saved `x`) before `self.body(x)`. The same holds when the class
is itself a `Sequential` whose first layer writes in place. The callers are the file's classes
that hold such a module first in an attribute, as the file model (`FileModel.inplace_feeds`) asks.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from fixer.analysis.project import FileModel, InplaceFeed
from fixer.analysis.summary import FUNCTIONS
from fixer.analysis.regions import dotted_name, qualify

MAX_PARENTS = 3  # classes a caller's tensor is followed through, outermost last
LOOPS = (ast.For, ast.AsyncFor, ast.While)


@dataclass(frozen=True, slots=True)
class ParentFeed:
    """A class of the file calling a module that writes its input, on a value autograd saved."""

    feed: InplaceFeed  # the call in the parent and why it breaks backward
    parent: str  # the class whose method makes that call
    attr: str  # its attribute holding the module (or a Sequential starting with it)
    through: tuple[str, ...]  # the classes between, that hand their input on unchanged
    private: bool  # every call on the way rebinds what it passed: nothing could see the write


@dataclass(frozen=True, slots=True)
class Handover:
    """Where a class's `forward` hands its own input to a submodule."""

    line: int
    private: bool  # every call of `self.<attr>` rebinds what it passed (`x = self.act(x)`) or returns it


def passes_input(file: FileModel, class_name: str, attr: str) -> Handover | None:
    """Where the class's `forward` hands its first input, never rebound before, to `self.<attr>`
    (outside any loop); None when it does not."""
    forward = _forward(file, class_name)
    if forward is None:
        return None
    params = [a.arg for a in (*forward.args.posonlyargs, *forward.args.args)][1:]
    if not params:
        return None
    first = params[0]
    stores = [n for n in ast.walk(forward) if isinstance(n, ast.Name) and n.id == first and isinstance(n.ctx, ast.Store)]
    calls = _calls(forward, attr)
    private = all(_replaces(statement, call) for statement, call in calls)
    for statement, call in calls:
        arg = call.args[0] if call.args else None
        own = {id(n) for n in ast.walk(statement)}  # `x = self.act(x)` binds after the call
        if isinstance(arg, ast.Name) and arg.id == first and not any(n.lineno <= call.lineno and id(n) not in own for n in stores):
            if not _in_loop(forward, statement):
                return Handover(call.lineno, private)
    return None


def parent_feeds(file: FileModel, class_name: str, through: tuple[str, ...] = (), private: bool = True) -> ParentFeed | None:
    """A class of the file holding a `class_name` module first in an attribute, which one of its
    methods calls on a value autograd saved; followed up through parents that pass their input on."""
    if len(through) >= MAX_PARENTS:
        return None
    for parent, info in file.classes.items():
        for attr, spec in info.submodules.items():
            if spec.first.callee != class_name or parent == class_name:
                continue
            feed = file.inplace_feeds(parent, attr)
            if feed is not None:
                return ParentFeed(feed, parent, attr, through, private and feed.private)
            handover = passes_input(file, parent, attr) if parent not in through else None
            if handover is not None:
                found = parent_feeds(file, parent, (*through, parent), private and handover.private)
                if found is not None:
                    return found
    return None


def leaf_feed(file: FileModel, class_name: str, attr: str, parameters: frozenset[str]) -> Handover | None:
    """The first call `self.<attr>(self.P)` in a method of the class, in grad mode, where `P` is one
    of the class's `nn.Parameter`s: writing a leaf that requires grad raises at once. Private when
    every call of `self.<attr>` is such a call: none can have relied on the write."""
    owner = file.class_nodes.get(class_name)
    if owner is None:
        return None
    calls = [(m, c) for m in owner.body if isinstance(m, FUNCTIONS) for _, c in _calls(m, attr)]
    leaves = [c for m, c in calls if _parameter(c, parameters) and not _no_grad(m, c, file)]
    if not leaves:
        return None
    return Handover(leaves[0].lineno, len(leaves) == len(calls))


def _parameter(call: ast.Call, parameters: frozenset[str]) -> bool:
    arg = call.args[0] if call.args else None
    return (isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id == "self"
            and arg.attr in parameters)


def _replaces(statement: ast.stmt, call: ast.Call) -> bool:
    """`x = self.act(x)`, `return self.act(x)`, or the call's value used on an expression: nothing
    reads the argument's tensor afterwards expecting the write."""
    arg = call.args[0] if call.args else None
    if isinstance(statement, ast.Return):
        return statement.value is call or not isinstance(arg, ast.Name)
    if not isinstance(arg, ast.Name):
        return not isinstance(statement, ast.Expr)
    return (isinstance(statement, ast.Assign) and statement.value is call and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name) and statement.targets[0].id == arg.id)


def _forward(file: FileModel, class_name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    owner = file.class_nodes.get(class_name)
    if owner is None:
        return None
    return next((s for s in owner.body if isinstance(s, FUNCTIONS) and s.name == "forward"), None)


def _calls(function: ast.AST, attr: str) -> list[tuple[ast.stmt, ast.Call]]:
    """Each call `self.<attr>(...)` in `function`, with the statement around it, in source order."""
    found = []
    for statement in (n for n in ast.walk(function) if isinstance(n, ast.stmt)):
        for node in ast.iter_child_nodes(statement):
            if isinstance(node, ast.stmt):
                continue
            for call in (c for c in ast.walk(node) if isinstance(c, ast.Call)):
                func = call.func
                if (isinstance(func, ast.Attribute) and func.attr == attr and isinstance(func.value, ast.Name)
                        and func.value.id == "self"):
                    found.append((statement, call))
    return sorted(found, key=lambda pair: (pair[1].lineno, pair[1].col_offset))


def _in_loop(function: ast.AST, statement: ast.stmt) -> bool:
    return any(isinstance(n, LOOPS) and any(s is statement for s in ast.walk(n)) for n in ast.walk(function))


def _no_grad(method: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, file: FileModel) -> bool:
    """The call runs without autograd: the method is decorated, or a `with` block turns it off."""
    spelled = [d.func if isinstance(d, ast.Call) else d for d in method.decorator_list]
    if any(_grad_off(d, file) for d in spelled):
        return True
    for node in ast.walk(method):
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(_grad_off(i.context_expr, file) for i in node.items):
            if any(c is call for s in node.body for c in ast.walk(s)):
                return True
    return False


def _grad_off(expr: ast.expr, file: FileModel) -> bool:
    target = expr.func if isinstance(expr, ast.Call) else expr
    name = qualify(dotted_name(target), file.imports) or ""
    if name == "torch.set_grad_enabled":
        return isinstance(expr, ast.Call) and bool(expr.args) and isinstance(expr.args[0], ast.Constant) and expr.args[0].value is False
    return name in ("torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad")
