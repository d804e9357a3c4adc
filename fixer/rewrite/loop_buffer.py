"""IP104's loop-filled buffer: `for i in range(n): out[:, i] = f(out[:, i - 1])` over a fresh
`out = torch.zeros(..., n, ...)`, rewritten as a list of steps stacked after the loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from fixer.analysis.messages import code
from fixer.analysis.regions import ImportMap
from fixer.analysis.scope import FunctionFacts, qualified
from fixer.analysis.tables import SIZED_FACTORIES
from fixer.core.batched import contains
from fixer.core.builders import assign

SIZED = frozenset(f"torch.{name}" for name in SIZED_FACTORIES)
EXITS = (cst.Break, cst.Continue, cst.Return, cst.Yield, cst.Await, cst.FunctionDef, cst.Lambda)


@dataclass(frozen=True)
class LoopFill:
    """A loop that writes `buffer[:, ..., i]` once per iteration for every `i` of the buffer's dim."""

    loop: cst.For
    write: cst.Assign
    buffer: str
    dim: int


def loop_fill(loop: cst.For, scope_of: Callable[[cst.CSTNode], FunctionFacts], imports: ImportMap) -> LoopFill | None:
    """The loop's fill when the analysis can show it covers the buffer's dim exactly, else None."""
    if loop.orelse is not None or not isinstance(loop.target, cst.Name) or contains(loop.body, _exits):
        return None
    count = _range_count(loop.iter)
    writes = [s for line in loop.body.body if isinstance(line, cst.SimpleStatementLine)
              for s in line.body if isinstance(s, cst.Assign) and len(s.targets) == 1]
    for write in writes:
        target = write.targets[0].target
        dim = _step_dim(target, loop.target.value)
        if dim is None or count is None or not isinstance(target.value, cst.Name):  # type: ignore[attr-defined]
            continue
        buffer, scope = target.value.value, scope_of(write)  # type: ignore[attr-defined]
        sizes = _factory_sizes(scope.bindings.get(buffer, []), imports)
        if buffer in scope.params or buffer in scope.aliased or sizes is None or len(sizes) <= dim:
            return None
        if code(sizes[dim]) != code(count) or f"{buffer}_steps" in scope.bindings:
            return None
        return LoopFill(loop, write, buffer, dim) if _reads_are_steps(loop, write, buffer, dim) else None
    return None


def stacked(fill: LoopFill, torch_name: str) -> list[cst.CSTNode]:
    """`out_steps = []`, the loop appending each step, `out = torch.stack(out_steps, dim)`."""
    steps = cst.Name(f"{fill.buffer}_steps")
    index = fill.loop.target.value  # type: ignore[attr-defined]
    append = cst.Expr(cst.Call(func=cst.Attribute(value=steps, attr=cst.Name("append")),
                               args=[cst.Arg(fill.write.value)]))
    loop = fill.loop.with_changes(leading_lines=[]).deep_replace(fill.write, append)
    loop = loop.visit(_StepReads(fill.buffer, fill.dim, index, steps.value))  # type: ignore[assignment]
    stack = cst.Call(func=cst.Attribute(value=cst.Name(torch_name), attr=cst.Name("stack")),
                     args=[cst.Arg(steps), cst.Arg(cst.Integer(str(fill.dim)))])
    return [assign(steps, cst.List([])), loop, assign(cst.Name(fill.buffer), stack)]


def _exits(node: cst.CSTNode) -> bool:
    return isinstance(node, EXITS)


def _range_count(iterable: cst.BaseExpression) -> cst.BaseExpression | None:
    """`n` for `range(n)` or `range(0, n)`."""
    if not (isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value == "range"):
        return None
    args = [a.value for a in iterable.args if a.keyword is None and not a.star]
    if len(args) == 2 and isinstance(args[0], cst.Integer) and args[0].value == "0":
        return args[1]
    return args[0] if len(args) == 1 and len(iterable.args) == 1 else None


def _factory_sizes(values: list[cst.BaseExpression | None], imports: ImportMap) -> list[cst.BaseExpression] | None:
    """The sizes of the one binding `torch.zeros(a, b)` / `torch.zeros((a, b))`, else None."""
    if len(values) != 1 or not isinstance(values[0], cst.Call):
        return None
    call = values[0]
    factory = qualified(call.func, imports)
    if factory not in SIZED:
        return None
    if any(a.keyword is not None and a.keyword.value in ("requires_grad", "size", "out") for a in call.args):
        return None
    sizes = [a.value for a in call.args if a.keyword is None]
    if factory == "torch.full":
        sizes = sizes[:1]
    if len(sizes) == 1 and isinstance(sizes[0], (cst.Tuple, cst.List)):
        return [e.value for e in sizes[0].elements]
    return sizes


def _step_dim(target: cst.BaseExpression, index: str) -> int | None:
    """`dim` for `buf[:, ..., :, i]` with `dim` full slices before the loop variable `i`."""
    if not isinstance(target, cst.Subscript):
        return None
    elements = [e.slice for e in target.slice]
    last = elements[-1]
    full = all(isinstance(e, cst.Slice) and e.lower is e.upper is e.step is None for e in elements[:-1])
    ok = isinstance(last, cst.Index) and isinstance(last.value, cst.Name) and last.value.value == index
    return len(elements) - 1 if full and ok else None


def _reads_are_steps(loop: cst.For, write: cst.Assign, buffer: str, dim: int) -> bool:
    """Every other mention of the buffer in the loop reads an earlier step, `buf[:, i - k]`."""
    index = loop.target.value  # type: ignore[attr-defined]
    reads = _StepReads(buffer, dim, index, "_")
    loop.body.deep_replace(write.targets[0].target, cst.Name("_")).visit(reads)
    return not reads.other


class _StepReads(cst.CSTTransformer):
    """Turns `buf[:, i - k]` into `(steps[i - k] if i >= k else buf[:, i - k])`; notes other uses."""

    def __init__(self, buffer: str, dim: int, index: str, steps: str) -> None:
        self.buffer, self.dim, self.index, self.steps = buffer, dim, index, steps
        self.other = False

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        return not (isinstance(node.value, cst.Name) and node.value.value == self.buffer and self._lag(node) is not None)

    def visit_Name(self, node: cst.Name) -> None:
        self.other = self.other or node.value == self.buffer

    def leave_Subscript(self, original: cst.Subscript, updated: cst.BaseExpression) -> cst.BaseExpression:
        lag = self._lag(original)
        if lag is None or not isinstance(original.value, cst.Name) or original.value.value != self.buffer:
            return updated
        step = original.slice[-1].slice.value  # type: ignore[attr-defined]
        earlier = cst.Subscript(cst.Name(self.steps), [cst.SubscriptElement(cst.Index(step))])
        test = cst.Comparison(cst.Name(self.index), [cst.ComparisonTarget(cst.GreaterThanEqual(), lag)])
        return cst.IfExp(test=test, body=earlier, orelse=original, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])

    def _lag(self, node: cst.Subscript) -> cst.Integer | None:
        """`k` for `buf[:, i - k]` at the buffer's dim, with `k` a positive literal."""
        step = node.slice[-1].slice
        if _step_dim(node.with_changes(slice=[*node.slice[:-1], node.slice[-1].with_changes(
                slice=cst.Index(cst.Name(self.index)))]), self.index) != self.dim:
            return None
        value = step.value if isinstance(step, cst.Index) else None
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Subtract):
            left, right = value.left, value.right
            if isinstance(left, cst.Name) and left.value == self.index and isinstance(right, cst.Integer):
                return right if int(right.value) > 0 else None
        return None
