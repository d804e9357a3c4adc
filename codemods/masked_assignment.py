"""IP103 masked-assignment: `t[m] = v` and `t[m] op= v` with a boolean mask write `t` in place."""

from __future__ import annotations

import ast

import libcst as cst

from codemods._index_writes import IndexWrite
from fixer.rule import FileFacts, Write, is_mask, masked_write, subscript_target


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
        scope = self.scope(write[0])
        fixed = masked_write(write, self.kind, scope, self.kept_in_dtype, self.context.torch_name)
        self.report_write(write, "masked elements", fixed)
