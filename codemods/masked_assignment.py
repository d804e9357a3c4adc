"""IP103 masked-assignment: `t[m] = v` and `t[m] op= v` with a boolean mask write `t` in place."""

from __future__ import annotations

import ast

import libcst as cst

from codemods._index_writes import IndexWrite
from fixer.rule import (
    FileFacts, Kind, Write, code, is_mask, is_scalar, method, one_tuple, pure, subscript_target, written,
)


class MaskedAssignment(IndexWrite):
    """
    ## What it does
    Finds writes through a boolean mask, `t[m] = v` and `t[m] op= v`, where `t` is a tensor and
    `m` is a mask (`x > 0`, `~m`, `a & b`, `torch.isnan(x)`, `x.bool()`, or a name bound to one),
    and rewrites them out of place: `t = t.masked_fill(m, v)` for a number written through a mask
    computed from `t` itself, and `t = t.index_put((m,), v)` otherwise, which also handles compact
    values (`t[m] = vals`, one value per selected element) and masks with fewer dimensions than `t`.

    ## Why is this risky
    `t[m] = v` is `t.index_put_((m,), v)`: it overwrites `t`'s storage and bumps its version
    counter. When autograd saved `t` for backward (the output of `sigmoid`, `exp`, `softmax`, or an
    input of `mul`, `matmul`, ...), backward raises "one of the variables needed for gradient
    computation has been modified by an inplace operation"; on a leaf that requires grad the write
    raises at once.

    ## Example
    ```python
    p = torch.softmax(scores, dim=-1)
    p[p < 1e-3] = 0  # softmax saved p for backward
    ```

    ## Use instead
    ```python
    p = torch.softmax(scores, dim=-1)
    p = p.masked_fill(p < 1e-3, 0)
    ```

    ## Fix safety
    Values, dtype and shape are kept: `masked_fill` and `t.new_tensor(v)` cast a number to `t`'s
    dtype as the in-place write does (`1.7` written into an integer tensor gives `1`), and
    `index_put` takes a tensor value as the write does (both cast a zero-dimensional value and
    refuse any other of another dtype). For `t[m] op= v` the in-place form rounds `t[m] op v` to
    `t`'s dtype, so the value stored is `(t[m] op v).to(t.dtype)` unless `v` is proven unable to
    widen it (a number, a bool tensor, a known or shared dtype). Gradients flow to `t` and `v`.
    `torch.where(m, v, t)` is not used: it promotes dtypes and broadcasts a mask of fewer
    dimensions from the right, not the left. The fix is safe only when nothing else can
    hold `t`'s tensor; when a view or container of it is read after the write (`v = t.view(-1)`),
    no fix is offered, since `v` would miss the write; parameters, attributes and calls that may
    keep `t` make it unsafe.

    ## Limitations
    A value whose kind the analysis cannot tell (tensor or number) and a mask with side effects in
    `t[m] op= v` get the exact but slower clone-then-write (`t = t.clone(); t[m] = v`). A mask
    mixed with other indices (`t[m, 0] = v`) is IP104's. A fresh buffer gives no finding when no
    op that autograd tracks has read it before the write.
    """

    ID = "IP103"
    NAME = "masked-assignment"
    FIX_TITLE = "Rebind the tensor to an out-of-place masked write"

    @classmethod
    def plausible(cls, node: ast.AST, file: FileFacts) -> bool:
        target = subscript_target(node, file)
        index = target.slice if target is not None else None
        return isinstance(index, (ast.Compare, ast.UnaryOp, ast.BinOp, ast.Name, ast.Call, ast.Attribute))

    def owns(self, sub: cst.Subscript, node: cst.CSTNode) -> bool:
        element = sub.slice[0].slice if len(sub.slice) == 1 else None
        scope, kinds, imports = self.scope(node), self.context.kinds, self.context.facts.imports
        return isinstance(element, cst.Index) and is_mask(element.value, scope, kinds, imports)

    def decide(self, write: Write) -> None:
        node, sub, value, op = write
        target = sub.value
        mask = sub.slice[0].slice.value  # type: ignore[attr-defined]
        fixed: cst.BaseExpression | None = None
        if op is None and is_scalar(value) and self.shaped_like(mask, target, node):
            fixed = method(target, "masked_fill", mask, value)
        elif op is None and self.kind(value, node) is Kind.NOT_TENSOR:
            fixed = method(target, "index_put", one_tuple(mask), method(target, "new_tensor", value))
        elif (op is None and self.kind(value, node) is Kind.TENSOR) or (op is not None and pure(mask)):
            fixed = method(target, "index_put", one_tuple(mask), written(write, self.kept_in_dtype, cast=True))
        self.report_write(write, "masked elements", fixed)

    def shaped_like(self, mask: cst.BaseExpression, target: cst.BaseExpression, node: cst.CSTNode) -> bool:
        """A mask computed elementwise from `target` alone (`t < 0`, `torch.isnan(t)`, `~(t > 1)`)."""
        same = code(target)
        if isinstance(mask, cst.Comparison):
            parts = [mask.left] + [c.comparator for c in mask.comparisons]
            return any(code(p) == same for p in parts) and all(code(p) == same or is_scalar(p) for p in parts)
        if isinstance(mask, cst.UnaryOperation) and isinstance(mask.operator, cst.BitInvert):
            return self.shaped_like(mask.expression, target, node)
        if isinstance(mask, cst.BinaryOperation) and isinstance(mask.operator, (cst.BitAnd, cst.BitOr)):
            return self.shaped_like(mask.left, target, node) and self.shaped_like(mask.right, target, node)
        if isinstance(mask, cst.Call) and isinstance(mask.func, cst.Attribute) and len(mask.args) <= 1:
            receiver = mask.func.value
            subject = mask.args[0].value if code(receiver) == (self.context.torch_name or "torch") and mask.args else receiver
            return mask.func.attr.value in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit") and (
                code(subject) == same and (subject is not receiver or not mask.args))
        if isinstance(mask, cst.Name):
            scope = self.scope(node)
            values = scope.bindings.get(mask.value, [])
            bound_once = len(scope.bindings.get(same, [None])) <= 1 and same not in scope.outer_names
            return len(values) == 1 and values[0] is not None and bound_once and self.shaped_like(values[0], target, node)
        return False
