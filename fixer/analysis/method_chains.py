"""What a chain of in-place Tensor method calls (`x.mul_(a).add_(b)`) writes, and what reads it around the write."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

import libcst as cst

from fixer.analysis.aliasing import FRESH
from fixer.analysis.flow import walk
from fixer.analysis.messages import code
from fixer.analysis.regions import FileFacts
from fixer.analysis.scope import RegionFacts
from fixer.analysis.tables import InplaceMethod, torch_tables
from fixer.core.batched import contains

if TYPE_CHECKING:
    from fixer.analysis.risk import RiskAnalysis

Link = tuple[cst.Call, InplaceMethod]


def may_write_tensor(node: ast.AST, file: FileFacts) -> bool:
    """Cheaply, from the file's imports and names: the `ast` call ends a chain of in-place methods
    whose receiver may hold a tensor autograd tracks."""
    table = torch_tables().inplace_methods
    root = node
    while isinstance(root, ast.Call) and isinstance(root.func, ast.Attribute) and root.func.attr in table:
        root = root.func.value  # the receiver at the bottom of `x.a_().b_()`, as `chain` finds it
    if root is node:
        return False
    if isinstance(root, ast.Call):  # `torch.tanh(z).mul_(2)`: what the call returns is written
        return _may_save_result(root, file)
    return file.may_hold_tensor(root) and not (isinstance(root, ast.Attribute) and root.attr == "data")


def chain(call: cst.Call, table: Mapping[str, InplaceMethod]) -> tuple[cst.BaseExpression, list[Link]]:
    """The receiver at the bottom of `x.a_().b_()` and the links, innermost first."""
    links: list[Link] = []
    node: cst.BaseExpression = call
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in table:
        links.append((node, table[node.func.attr.value]))
        node = node.func.value
    return node, links[::-1]


def method_names(links: list[Link]) -> str:
    """`.mul_()`, `.add_()`: the methods of a chain, as a message names them."""
    return ", ".join(f"`.{c.func.attr.value}()`" for c, _ in links)  # type: ignore[attr-defined]


def graph_cut(links: list[Link]) -> str | None:
    """Why a fix is unsafe when a link's twin drops the tensor's history (`zero_`, `fill_`, `copy_`): in
    place, the tensor keeps requiring grad and its earlier inputs get zero gradients; the twin carries none."""
    for call, _ in links:
        method = call.func.attr.value  # type: ignore[attr-defined]
        if method in ("zero_", "fill_", "copy_"):
            return (f"fix unsafe: the out-of-place `.{method}()` does not carry the graph, so gradients "
                    "that reached the tensor through it as zeros stop there")
    return None


def is_data(expr: cst.BaseExpression) -> bool:
    """`p.data`: writes through it bypass autograd (IP109's concern)."""
    return isinstance(expr, cst.Attribute) and expr.attr.value == "data"


def rebinds(statement: cst.CSTNode, root: cst.BaseExpression, call: cst.Call) -> bool:
    """`x = x.relu_()`: the statement already rebinds the receiver to the call's value."""
    if not isinstance(statement, cst.Assign) or statement.value is not call or len(statement.targets) != 1:
        return False
    return code(statement.targets[0].target) == code(root)


def returned_alone(root: cst.BaseExpression, call: cst.Call, statement: cst.BaseSmallStatement | None,
                   branches: tuple[cst.IfExp, ...]) -> bool:
    """The write is in a branch of a `return` (`branches`, its conditional expressions), and the
    returned value reads the name `root` nowhere else than in the write's own arguments or the
    other branch (`x.mul_(y) if inplace else x.mul(y)`): the def ends there, so nothing else could."""
    if not branches or not isinstance(root, cst.Name) or not isinstance(statement, cst.Return) or statement.value is None:
        return False
    allowed = {id(n) for n in walk(call)} | {id(n) for b in branches
                                             for n in walk(b.orelse if contains(b.body, lambda x: x is call) else b.body)}
    reads = [n for n in walk(statement.value) if isinstance(n, cst.Name) and n.value == root.value]
    return all(id(n) in allowed for n in reads)


def _may_save_result(call: ast.Call, file: FileFacts) -> bool:
    """Cheaply: the call may run an op that saves its result (a torch function or Tensor method
    whose derivatives.yaml entry saves it), or a call the cheap pass cannot name."""
    tables = torch_tables()
    name = file.qualified(call.func)
    last = name.rsplit(".", 1)[-1] if name else call.func.attr if isinstance(call.func, ast.Attribute) else None
    if last is None:
        return True  # `f(x).mul_(2)`: a function of the file may return a saved output
    op = tables.tensor_method_ops.get(last, last)
    saves = tables.saves.get(op)
    return saves is not None and saves.result or name is None and isinstance(call.func, ast.Attribute) and last not in tables.saves



def saved_result(root: cst.Call, call: cst.Call, links: list[Link], facts: RegionFacts,
                 risks: RiskAnalysis) -> tuple[str, bool] | None:
    """Why the chain `call` breaks backward by writing into what `root` returns (`torch.tanh(z).mul_(2)`):
    the op saved its result; and whether the call surely returns new memory, which nothing else holds.
    None in no-grad code, or when the op saves no result."""
    if facts.in_no_grad(call):
        return None
    saver = risks.saved.result_saver(root, facts.scope(call))
    if saver is None:
        return None
    message = (f"`{code(root)}` is the output of `{saver}`, which saves its result for backward; {method_names(links)} "
               "writes it in place, so backward fails")
    return message, risks.aliases.source(root, facts.scope(call)) == FRESH
