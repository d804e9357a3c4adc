"""Evaluation order: whether moving a write, or the reads around it, changes what those reads see.

An in-place write is seen by everything evaluated after it and by nothing before. A rewrite that
rebinds the target keeps that only when no read moves across the rebinding: a later call of a
folded chain must not read the receiver (`x.add_(1).mul_(x.mean())`), and a statement whose
write is hoisted must not read the target before the write (`x.sum() + torch.relu_(x)`).
A read is a mention of the target's name (`x`, `self.h`), or any call when a called function
could reach the target's binding: an attribute, a global, a name a nested function captures.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence

import libcst as cst

from fixer.analysis.messages import code
from fixer.analysis.regions import dotted_name
from fixer.analysis.scope import FunctionFacts, dotted
from fixer.core.batched import contains

HOLDERS = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Starred, ast.keyword)  # hold a reference, read nothing
SENTINEL = "__outplace_write__"  # stands for the write in the statement, to find what runs before it
CLOSURES = (cst.FunctionDef, cst.Lambda, cst.GeneratorExp)  # code that may run later, seeing the binding of then


def reads(expr: cst.BaseExpression, target: cst.BaseExpression, scope: FunctionFacts) -> bool:
    """Whether evaluating `expr` may read `target`: it names it, or calls what could reach it."""
    name = dotted(target)
    tree = _parsed(expr)
    if tree is None or name is None:
        return True
    nodes = list(ast.walk(tree))
    if any(dotted_name(n) == name for n in nodes):
        return True
    return any(isinstance(n, ast.Call) for n in nodes) and calls_reach(target, scope)


def read_before(
    statement: cst.BaseSmallStatement, call: cst.CSTNode, targets: Sequence[cst.BaseExpression], scope: FunctionFacts
) -> bool:
    """Whether `statement` reads one of `targets` before `call` writes it: a rebinding hoisted
    before the statement would change that read. Only what completes before the write reads:
    `x` handed on to an operation that runs after it (`x * torch.relu_(x)`, `f(x, x.add_(1))`,
    `[x, x.add_(1)]`) sees the written tensor in place and the rebound name after the rewrite."""
    names = {dotted(t) for t in targets}
    if None in names:
        return True
    marked = statement.deep_replace(call, cst.Name(SENTINEL))
    tree = _parsed(marked if isinstance(statement, cst.AugAssign) else getattr(marked, "value", None))
    if tree is None:
        return True
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    write = next((n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == SENTINEL), None)
    if write is None:  # the write is in an assignment's target, evaluated after the value: rare, not ordered here
        return True

    def before(node: ast.AST) -> bool:
        end = (getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None))
        return None not in end and end <= (write.lineno, write.col_offset)  # type: ignore[operator]

    earlier = [n for n in ast.walk(tree) if isinstance(n, ast.expr) and before(n)]
    if any(dotted_name(n) in names and _consumed_before(n, parents, before) for n in earlier):
        return True
    return any(isinstance(n, ast.Call) for n in earlier) and any(calls_reach(t, scope) for t in targets)


def calls_reach(target: cst.BaseExpression, scope: FunctionFacts) -> bool:
    """Whether a function called in the scope could read `target`'s binding (not only its tensor):
    an attribute, a name of module code or declared global or nonlocal, or a name that a nested
    function, lambda or generator mentions."""
    if not isinstance(target, cst.Name) or scope.node is None or target.value in scope.outer_names:
        return True
    pattern = re.compile(rf"(?<![\w.]){re.escape(target.value)}(?!\w)")
    body = scope.node.body  # type: ignore[attr-defined]
    return contains(body, lambda n: isinstance(n, CLOSURES) and pattern.search(code(n)) is not None)


def _consumed_before(node: ast.AST, parents: dict[int, ast.AST], before: Callable[[ast.AST], bool]) -> bool:
    """Whether an operation on `node` completes before the write: walking up, an enclosing node
    that ends before it and does more than hold a reference (a container, a method looked up for
    a call that runs after the write)."""
    child, parent = node, parents.get(id(node))
    while parent is not None and before(parent):
        method = isinstance(parent, ast.Attribute) and child is parent.value and _called_after(parent, parents, before)
        if not (method or isinstance(parent, HOLDERS)):
            return True
        child, parent = parent, parents.get(id(parent))
    return False


def _called_after(node: ast.Attribute, parents: dict[int, ast.AST], before: Callable[[ast.AST], bool]) -> bool:
    """`x.mul` in `x.mul(torch.relu_(x))`: the method runs after the write, on the written tensor."""
    call = parents.get(id(node))
    return isinstance(call, ast.Call) and call.func is node and not before(call)


def _parsed(node: cst.CSTNode | None) -> ast.AST | None:
    """`node`'s code as an `ast` tree (an expression in parentheses, so it may span lines)."""
    if node is None:
        return None
    try:
        if isinstance(node, cst.BaseExpression):
            return ast.parse(f"({code(node)})", mode="eval")
        return ast.parse(code(node))
    except SyntaxError:
        return None
