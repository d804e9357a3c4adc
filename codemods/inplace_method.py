"""IP102 inplace-method: `x.add_(y)` and every other Tensor method that writes its receiver."""

from __future__ import annotations

import ast
import re

import libcst as cst

from fixer.rule import (Codemod, FileFacts, Kind, MethodLink as Link, MethodTwins, RuleContext, Safety, StatementStack,
                        Severity, Trigger, chain, code, graph_cut, identifier_end, is_assignable, is_data,
                        may_write_tensor, method_names, read_before, rebinds, returned_alone, saved_result, torch_tables)


class InplaceMethod(StatementStack, Codemod):
    """
    ## What it does
    Finds calls of in-place Tensor methods (`add_`, `mul_`, `relu_`, `clamp_`, `zero_`, ... every
    method in the generated table) and rewrites `x.add_(y)` as `x = x.add(y)`. When the call's
    value is used (`y = x.relu_()`), `x` is rebound first and the use reads `x`; chains such as
    `x.mul_(a).add_(b)` fold into `x = x.mul(a).add(b)`, unless a later call's arguments may read
    `x`: `x.add_(1).mul_(x.mean())` becomes `x = x.add(1)` then `x = x.mul(x.mean())`, so that
    `x.mean()` sees the increment as it does in place. Methods whose out-of-place twin has
    another name come from the table: `x.zero_()` becomes `x = torch.zeros_like(x)`.

    ## Why is this risky
    An in-place method overwrites the tensor's storage and bumps its version counter. When
    autograd saved that tensor for backward (the output of `sigmoid`, `exp`, `tanh`, `softmax`,
    or an input of `mul`, `matmul`, `pow`, ...), backward raises "one of the variables needed for
    gradient computation has been modified by an inplace operation".

    ## Example
    ```python
    h = torch.sigmoid(z)
    h.mul_(2)  # sigmoid saved h for backward
    ```

    ## Use instead
    ```python
    h = torch.sigmoid(z)
    h = h.mul(2)
    ```

    ## Fix safety
    Safe only when nothing else can hold the receiver's tensor at the write: a local name bound to
    a tensor built here that no other name, view (by method, `torch` function or attribute),
    container, attribute, callee or generator took. A holder read after the write
    (`v = x.view(-1); x.add_(1); return v`) would miss it after the rewrite: no fix is offered,
    nor for a loop variable (`for p in (a, b): p.clamp_(min=0)`). A holder outside the function (a
    parameter, `self.h.add_(1)`, a call that may keep the tensor) makes the fix unsafe. When the
    value is used in a statement that reads the receiver before the write
    (`y = x.sum() + x.add_(1)`), no fix is offered: the rebinding would move before that read
    and change what it sees (reads after the write, `y = x.add_(1) + x`, see it either way). Random
    fills (`normal_`, `uniform_`, `bernoulli_`, ...), `resize_`, `set_` and `map_` have no
    faithful twin: they are reported and never rewritten, except a random fill of a registered
    buffer a torch factory built contiguous and nothing rebinds (`self.eps.normal_()` becomes
    `self.eps = torch.empty_like(self.eps).normal_()`: same shape, strides and kernel, so the
    same numbers; unsafe, since a holder of the old tensor keeps it). Dtype is kept exactly: a promoting
    twin (`add`, `mul`, `div`, `clamp`, `lerp`, ...) is cast back, `x = x.mul(y).to(x.dtype)`, as
    the in-place method does, unless no argument can widen `x`: Python numbers, bool tensors,
    known dtypes that promote to `x`'s, and tensors made from `x` (`x.sub_(x.mean())`) need no
    cast; a float32 factor of a bfloat16 `x` does. Each link of a chain is cast, since each
    in-place step rounds. Index, mask and scatter twins keep the receiver's dtype or raise on a
    source of another dtype exactly as their in-place forms do, and unary twins keep it.

    ## Limitations
    Receivers must be names or attributes: `t[i].add_(1)` is an index write, and a call's
    result (`f(x).add_(1)`) is left alone. A call inside a lambda, comprehension, conditional
    expression, `and`/`or`, or a compound statement's header is reported without a fix, except in
    a branch of a `return` (`return x.mul_(y) if inplace else x.mul(y)`): its twin takes its place
    when the returned value reads the receiver nowhere else. An
    argument of unknown dtype keeps the cast even where it shares the receiver's in practice.
    """

    ID = "IP102"
    NAME = "inplace-method"
    FIX_TITLE = "Rebind the receiver to the out-of-place result"
    PREFILTER = re.compile(r"_\s*\(")
    PREFILTER_AFTER = identifier_end
    TRIGGERS = (Trigger("Call", lambda c: c.method in torch_tables().inplace_methods and c.func.kind == "Attribute",
                        "check_call", later=False),)

    @classmethod
    def plausible(cls, node: ast.AST, file: FileFacts) -> bool:
        return may_write_tensor(node, file)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._done: set[int] = set()  # calls already reported as part of a chain
        self._twins = MethodTwins(context)

    def visit_Expr(self, node: cst.Expr) -> None:
        super().visit_Expr(node)  # the statement a rewrite replaces
        if isinstance(node.value, cst.Call):
            self._check(node.value, node, bare=True)

    def check_call(self, node: cst.Call) -> None:
        self._check(node, *self.placement())  # its statement, and the `return` branches holding it

    def _check(self, call: cst.Call, statement: cst.BaseSmallStatement | None, branches: tuple = (), *, bare: bool = False) -> None:
        root, links = chain(call, self.context.tables.inplace_methods)
        if not links or id(call) in self._done:
            return  # no in-place method, or a link of a chain already reported
        self._done.update(id(c) for c, _ in links)
        if is_assignable(root) and not is_data(root):
            self.later(self._decide, call, root, links, statement, bare, branches)
        elif isinstance(root, cst.Call) and statement is not None and not branches:
            self.later(self._decide_result, call, root, links, statement)

    def _decide_result(self, call: cst.Call, root: cst.Call, links: list[Link], statement: cst.BaseSmallStatement) -> None:
        """`torch.tanh(z).mul_(2)`: a write into what a call returns, which no name holds; an error when the call saved
        its result. The twin in its place is the fix, safe when the call surely returns new memory no one else sees."""
        assert self.context.risks is not None
        found = saved_result(root, call, links, self.context.facts, self.context.risks)
        if found is None:
            return
        (message, fresh), value = found, self._twins.result_value(root, links, call)
        if value is None:
            self.report(call, message, replacement=None, safety=Safety.DISPLAY_ONLY, severity=Severity.ERROR)
            return
        self.report(statement, message + ("" if fresh else "; fix unsafe: the call may return a tensor something else holds"),
                    replacement=statement.deep_replace(call, value), safety=Safety.SAFE if fresh else Safety.UNSAFE,
                    severity=Severity.ERROR)

    def _decide(self, call: cst.Call, root: cst.BaseExpression, links: list[Link], statement: cst.BaseSmallStatement | None,
                bare: bool, branches: tuple[cst.IfExp, ...] = ()) -> None:
        """`branches`: the conditional expressions of a `return` whose branch holds the write."""
        values = [a.value for c, _ in links for a in c.args]
        if self.kind(root, call) is Kind.NOT_TENSOR or self.updates_grad_leaf(root, values, call):
            return  # not a tensor; or IP108's parameter update, which belongs in `torch.no_grad()`
        risk = self.risk(root, call, values, statement)
        if risk is None:
            return
        message, imports = f"{method_names(links)} writes `{code(root)}` in place", self._twins.imports(links)
        fixes, blocked = self._twins.statements(root, links, call)
        if fixes is not None and len(fixes) == 1 and returned_alone(root, call, statement, branches):
            self.report_risk(statement, risk, message, replacement=statement.deep_replace(call, fixes[0].value), imports=imports)
            return
        if fixes is None or statement is None or branches:
            note = blocked or "no out-of-place form here"
        elif not bare and read_before(statement, call, [root], self.scope(call)):
            note = f"the statement reads `{code(root)}` before the write: rebinding it first would change that read"
        else:
            rest = [] if bare or rebinds(statement, root, call) else [statement.deep_replace(call, root)]
            cut = graph_cut(links) if risk.safety is Safety.SAFE else None
            self.report_risk(statement, risk, message, replacement=fixes + rest, imports=imports,
                             safety=Safety.UNSAFE if cut else None, note=cut)
            return
        self.report_risk(call, risk, message, replacement=None, safety=Safety.DISPLAY_ONLY, note=note)
