"""IP108 leaf-update-outside-no-grad: `w -= lr * w.grad` on a parameter, in grad mode."""

from __future__ import annotations

import ast
import re

import libcst as cst

from fixer.rule import (Codemod, FileFacts, RuleContext, Safety, Severity, StatementStack, Trigger, code, grad_free,
                        may_be_leaf, no_grad_block, torch_tables, update_unit, written_leaf)

Block = cst.IndentedBlock | cst.Module


class LeafUpdate(StatementStack, Codemod):
    """
    ## What it does
    Finds in-place updates (`w -= lr * w.grad`, `w.sub_(lr * w.grad)`, `p.mul_(0.9)`,
    `w[:, i] = 0`) of a leaf that requires grad, or of a subscript or view of one, outside
    `torch.no_grad()`. A leaf is an `nn.Parameter`, a tensor made with `requires_grad=True` or
    `.requires_grad_()`, a name iterating `model.parameters()`, `self.weight` when the class makes
    it an `nn.Parameter`, the `weight` or `bias` of a torch.nn layer (`fused = nn.Conv2d(...)`,
    `self.proj` built as `nn.Linear` in `__init__`, `block.proj` when every class of the file
    keeping a `proj` builds it as a torch.nn layer), or the parameter of a module-level helper
    that every grad-mode call in the file fills with one (`fill(self.emb.weight)` in `__init__`).
    Wraps the update in `with torch.no_grad():`: a loop whose whole body is such updates is wrapped
    as one, and so is a run of consecutive updates.

    ## Why is this risky
    Autograd forbids writing a leaf that requires grad in grad mode: the write raises at once,
    "a leaf Variable that requires grad is being used in an in-place operation". A hand-written
    optimizer step means to change the parameter without recording the change, which is what
    `torch.no_grad()` says. Rewriting it out of place (`w = w - lr * w.grad`) would be wrong: the
    name is rebound to a new non-leaf tensor and the parameter itself never changes.

    ## Example
    ```python
    w = torch.randn(3, requires_grad=True)
    (w * w).sum().backward()
    w -= 0.1 * w.grad
    ```

    ## Use instead
    ```python
    w = torch.randn(3, requires_grad=True)
    (w * w).sum().backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    ```

    ## Fix safety
    Safe when the values carry no gradient (`.grad`, numbers, detached tensors, factories): the
    update already means "change the parameter, record nothing", and the fix keeps every tensor
    and alias as it was. Unsafe when they may (`fused.weight[:] = conv.weight * scale`): under
    `torch.no_grad()` no gradient flows from them into the parameter, which no in-place write
    into a leaf could give anyway. A local leaf name written with such values (`w += x`) is left
    to the out-of-place rules, since there the intent may be to differentiate through the update;
    a layer's Parameter or a caller's argument cannot be rebound, so it stays this rule's.

    ## Limitations
    A statement sharing its line with others (`w -= g; b -= h`), or an update inside a lambda or
    comprehension, is reported without a fix. A helper's parameter is followed one call deep,
    within the file; a layer reached through `getattr` or a container is not known.
    """

    ID = "IP108"
    NAME = "leaf-update-outside-no-grad"
    FIX_TITLE = "Wrap the update in `with torch.no_grad():`"
    PREFILTER = re.compile(r"requires_grad|arameter|\.weight\b|\.bias\b")  # every leaf the rule knows is spelled so
    TRIGGERS = (
        Trigger("AugAssign", lambda w: not w.value.never_tensor, "check_update"),
        Trigger("Assign", lambda w: "Subscript" in w.target_kinds, "check_assign"),
        Trigger("Call", lambda c: c.method in torch_tables().inplace_methods and c.func.kind == "Attribute",
                "check_call", later=False),
    )

    @classmethod
    def plausible(cls, node: ast.AST, file: FileFacts) -> bool:
        if isinstance(node, ast.AugAssign):
            return may_be_leaf(node.target, file)
        if isinstance(node, ast.Assign):
            return any(isinstance(t, ast.Subscript) and may_be_leaf(t, file) for t in node.targets)
        return may_be_leaf(node.func.value, file)  # type: ignore[attr-defined]

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._place: dict[int, tuple[Block, int]] = {}  # statement line -> its block and index
        self._loops: dict[int, cst.For] = {}  # loop body -> loop
        self._line_of: dict[int, cst.SimpleStatementLine] = {}  # small statement -> its line
        self._updates: dict[int, tuple[cst.BaseExpression, bool]] = {}  # line -> the leaf it writes, its values grad-free

    def visit_IndentedBlock(self, node: Block) -> None:
        self._place.update((id(s), (node, i)) for i, s in enumerate(node.body))
    visit_Module = visit_IndentedBlock  # type: ignore[assignment]

    def visit_For(self, node: cst.For) -> None:
        self._loops[id(node.body)] = node

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        for small in node.body:
            self._line_of[id(small)] = node

    def check_update(self, node: cst.AugAssign) -> None:
        self._check(node, node.target, [node.value], node)

    def check_assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Subscript):
                self._check(node, target.target, [node.value], node)

    def check_call(self, node: cst.Call) -> None:
        self.later(self._check, node, node.func.value, [a.value for a in node.args], self.statement())  # type: ignore[attr-defined]

    def _check(self, node: cst.CSTNode, target: cst.BaseExpression, values: list, statement: object) -> None:
        target = written_leaf(target)
        if not self.updates_grad_leaf(target, values, node):
            return
        line = self._line_of.get(id(statement))
        if line is None or len(line.body) != 1 or id(line) not in self._place:
            self.report(node, f"`{code(target)}` is a leaf that requires grad, written in place outside `torch.no_grad()` (no fix: "
                        "not a statement of its own)", replacement=None, safety=Safety.DISPLAY_ONLY, severity=Severity.ERROR)
            return
        assert self.context.risks is not None
        self._updates[id(line)] = (target, grad_free(values, self.scope(node), self.context.risks.grads))

    def leave_Module(self, original_node: cst.Module) -> None:
        super().leave_Module(original_node)
        done: set[int] = set()
        for line_id in self._updates:
            if line_id not in done:
                done |= self._wrap(*self._place[line_id])

    def _wrap(self, block: Block, index: int) -> set[int]:
        """Report the unit starting at `block.body[index]`; the ids of the lines it covers."""
        unit, covered = update_unit(block.body, index, self._loops.get(id(block)), self._updates)
        names = ", ".join(dict.fromkeys(f"`{code(self._updates[id(s)][0])}`" for s in covered))
        free, many = all(self._updates[id(s)][1] for s in covered), ", " in names
        what = "leaves that require grad" if many else "a leaf that requires grad"
        message = f"{names}: {what}, updated in place outside `torch.no_grad()` (raises at once)"
        if not free:
            message += f"; under `torch.no_grad()` no gradient flows from the written values into {'them' if many else 'it'}"
        self.report(unit[0], message, replacement=no_grad_block(unit, self.context.torch_name or "torch"),
                    safety=Safety.SAFE if free else Safety.UNSAFE, severity=Severity.ERROR,
                    until=unit[-1] if len(unit) > 1 else None, imports=() if self.context.torch_name else ("torch",))
        return {id(s) for s in covered}

