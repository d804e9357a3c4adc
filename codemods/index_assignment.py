"""IP104 index-assignment: `t[i] = v`, `t[:, 0] = v`, `t[a:b] += v` write `t` in place."""

from __future__ import annotations

import ast

import libcst as cst

from codemods._index_writes import IndexWrite
from fixer.rule import FileFacts, Safety, Write, is_mask, loop_fill, one_index, pure, scatter, stacked, subscript_target


class IndexAssignment(IndexWrite):
    """
    ## What it does
    Finds writes through an index that is not a boolean mask (`t[i] = v`, `t[:, 0] = v`,
    `t[a:b:s] = v`, `t[..., -1] = v`, `t[idx] = v`, and `op=` forms) on a tensor, and rewrites them
    out of place: one integer index becomes `t = t.select_scatter(src, dim, i)`, one slice
    `t = t.slice_scatter(src, dim, start, end, step)`, one index tensor
    `t = t.index_put((idx,), v)`, where `src` is the value broadcast to the slice's shape
    (`torch.full_like(t[:, 0], v)` for a number, `v.expand_as(t[:, 0])` for a tensor). Any other
    index gets a clone followed by the write, `t = t.clone(); t[...] = v`, one clone for a run of
    writes. A fresh `out = torch.zeros(..., n)` filled by `for i in range(n): out[:, i] = ...`
    with reads of earlier steps becomes a list of steps and `torch.stack` after the loop.

    ## Why is this risky
    `t[:, 0] = v` copies `v` into a view of `t`: it overwrites `t`'s storage and bumps its version
    counter. When autograd saved `t` or a view of it for backward, backward raises "one of the
    variables needed for gradient computation has been modified by an inplace operation". The
    classic case is a buffer filled step by step, each step computed from the previous slice.

    ## Example
    ```python
    h = torch.tanh(x @ w)
    h[:, 0] = 0  # tanh saved h for backward
    ```

    ## Use instead
    ```python
    h = torch.tanh(x @ w)
    h = h.select_scatter(torch.full_like(h[:, 0], 0), 1, 0)
    ```

    ## Fix safety
    Values, dtype and shape are kept: `select_scatter` and `slice_scatter` cast `src` to `t`'s
    dtype as the in-place copy does (a float written into an integer tensor is truncated, a
    float32 value into a half tensor rounded); `index_put` takes a tensor value as the write
    does, and for `t[idx] op= v` stores `(t[idx] op v).to(t.dtype)`, as the in-place form rounds
    it, unless `v` is proven unable to widen it. Gradients flow to both `t` and `v`. The fix is
    safe only when nothing else can hold `t`'s tensor; when a view or container of it is read
    after the write (after `row = t[0]`, `row` sees the in-place write but not the rebinding), no
    fix is offered; parameters, attributes and calls that may keep `t` make it unsafe. A write into
    an element of a sequence, `out[0][:, j] = v`, rebuilds the sequence around the element's
    out-of-place form, `out = (out[0].select_scatter(...), *out[1:])` (or `out[0] = ...` for a list
    the function built): always unsafe, since a caller's tensor is no longer written and a list
    passed in becomes a tuple (a dict fails loudly at `out[1:]`); no fix when a holder of the
    element seen in the function (`h = out[0]`, `pair = out`, `out = (h, g)`, `for out in outs`)
    is read after the write. The loop rewrite is always
    unsafe: the buffer casts each step to its dtype and broadcasts it to the slice's shape, and the
    list keeps each step as computed.

    ## Limitations
    A value whose kind the analysis cannot tell, or an index with calls in it, gets the
    clone-then-write form, exact but a full copy. A value with extra leading dimensions of size
    one (`t[0] = v` with `v` of shape `(1, n)`) is accepted in place but not by `expand_as`: the
    fixed code raises there. A fresh buffer gives no finding when no op that autograd tracks has
    read it before the write (a mask, a position table) and nothing written into it carries a
    gradient; anything else that never requires grad in practice (an integer mask passed in) is
    reported. The write is an error, not a warning, when the op that saved the tensor runs later
    in the loop around it (`b[i] = b[i] + 1; y = y + torch.mm(w, b)`: the next iteration's
    write changes what `mm` saved), or when the tensor is an argument (or `out = x`) that a caller
    in the file saved before the call (a `forward` called as `self.block(x)`, a method, a helper
    function). A parameter every caller in the file fills with a list, and a function every caller
    in the file runs under `torch.no_grad()`, give no warning. A write into a tensor no name holds (`out[0][:, j] = v`) is
    reported only when an op in its own value saved a part of it. Its fix exists only for a literal
    position of a name (`out[0]`, `out[-1]`) and an index with an out-of-place form above (no
    clone: the value reads the element, so a copy written in place fails the same way); a deeper
    element (`out[0][1]`), a computed position (`out[i]`) or an attribute's element gets none.
    """

    ID = "IP104"
    NAME = "index-assignment"
    FIX_TITLE = "Rebind the tensor to an out-of-place indexed write"

    @classmethod
    def plausible(cls, node: ast.AST, file: FileFacts) -> bool:
        return subscript_target(node, file) is not None

    def visit_For(self, node: cst.For) -> None:
        super().visit_For(node)
        self.later(self.check_loop, node)

    def check_loop(self, loop: cst.For) -> None:
        fill = loop_fill(loop, self.scope, self.context.facts.imports)
        if fill is None or not self.grad_may_flow(cst.Name(fill.buffer), fill.write):
            return
        if self.values.grad_free(fill.write.value, fill.write):
            return
        self.handled.add(id(fill.write))
        message = f"`{fill.buffer}` is filled in place step by step; each step reads the one before"
        replacement = stacked(fill, self.context.torch_name or "torch")
        self.report(loop, message, replacement=replacement, safety=Safety.UNSAFE, imports=self.torch_imports())

    def torch_imports(self) -> tuple[str, ...]:
        return ("torch",) if self.context.torch_name is None else ()

    def owns(self, sub: cst.Subscript, node: cst.CSTNode) -> bool:
        element = sub.slice[0].slice if len(sub.slice) == 1 else None
        scope, kinds, imports = self.scope(node), self.context.kinds, self.context.facts.imports
        return not (isinstance(element, cst.Index) and is_mask(element.value, scope, kinds, imports))

    def decide(self, write: Write) -> None:
        where = one_index([e.slice for e in write[1].slice])
        fixed = None
        if where is not None and pure(write[1]):
            scope = self.scope(write[0])
            fixed = scatter(write, *where, self.kind, scope, self.kept_in_dtype, self.context.torch_name)
        self.report_write(write, "an indexed part", fixed, imports=self.torch_imports() if fixed is not None else ())
