"""IP107 inplace-function: `torch.relu_(x)`, `F.relu_(x)` and every in-place function in the table."""

from __future__ import annotations

import re

import libcst as cst

from fixer.rule import (
    Codemod, Safety, Statement, StatementStack, Trigger, code, hoisted, identifier_end, is_assignable, qualified,
    read_before, torch_tables,
)


# Twins whose result keeps their first argument's dtype (or raise on a source of another).
KEEP_DTYPE_TWINS = frozenset({"torch.index_put", "torch.fill", "torch.zeros_like"})


class InplaceFunction(StatementStack, Codemod):
    """
    ## What it does
    Finds calls of in-place functions of `torch` and `torch.nn.functional` (`torch.relu_(x)`,
    `torch.sigmoid_(x)`, `F.relu_(x)`, `F.elu_(x)`, ... every one in the generated table) and
    rewrites `torch.relu_(x)` as `x = torch.relu(x)`. When the call's value is used
    (`y = F.relu_(x)`), `x` is rebound first and the use reads `x`. `nn.init` functions, which
    fill parameters under `no_grad` by design, are never findings.

    ## Why is this risky
    `torch.relu_(x)` overwrites `x`. When autograd saved `x` for backward (the output of
    `sigmoid`, `exp`, `tanh`, `softmax`, or an input of `mul`, `matmul`, `pow`, ...), backward
    raises "one of the variables needed for gradient computation has been modified by an
    inplace operation".

    ## Example
    ```python
    h = torch.exp(z)
    torch.relu_(h)  # exp saved h for backward
    ```

    ## Use instead
    ```python
    h = torch.exp(z)
    h = torch.relu(h)
    ```

    ## Fix safety
    Safe only when nothing else can hold the written tensor: a local name bound to a tensor built
    here that no other name, view, container, attribute, callee or generator took. A holder read
    after the write (`v = x.view(-1); torch.relu_(x); return v`) would miss it after the rewrite:
    no fix is offered. A function parameter, an attribute or a call that may keep the tensor makes
    the fix unsafe. When the value is used in a statement that reads the tensor before the write
    (`y = x.sum() + torch.relu_(x)`), no fix is offered: the rebinding would move before that read
    and change what it sees (reads after the write, `y = torch.relu_(x) + x`, see it either way). Dtype
    is kept exactly: when a tensor argument may be wider than the written tensor
    (`torch.clamp_(x, low)` with a float32 `low` and a bfloat16 `x`), the result is cast back,
    `x = torch.clamp(x, low).to(x.dtype)`, as the in-place function does; numbers, bool tensors
    and tensors proven of `x`'s dtype need no cast, and `index_put_`, `fill_`, `zero_` keep it.

    ## Limitations
    The written tensor must be a name or an attribute (`torch.relu_(t[0])` is reported without a
    fix), and so must the call be outside lambdas, comprehensions, conditional expressions and
    `and`/`or`. Functions imported by their bare name are rewritten through `torch.`.
    """

    ID = "IP107"
    NAME = "inplace-function"
    FIX_TITLE = "Rebind the tensor to the out-of-place result"
    PREFILTER = re.compile(r"_\s*\(")
    PREFILTER_AFTER = identifier_end
    TRIGGERS = (Trigger("Call", lambda c: c.method is not None and c.method.endswith("_") and c.first is not None
                        and _inplace_function(c.qualified), "check_call", later=False),)

    def check_call(self, node: cst.Call) -> None:
        twin = self.context.tables.inplace_functions[qualified(node.func, self.context.facts.imports) or ""]
        self.later(self._check, node, node.args[0].value, twin, self.statement())

    def _check(self, call: cst.Call, target: cst.BaseExpression, twin: str, statement: Statement | None) -> None:
        if code(target).endswith(".data"):
            return
        risk = self.risk(target, call, [], statement, tensor=True)  # torch functions take nothing else
        if risk is None:
            return
        message = f"`{code(call.func)}()` writes `{code(target)}` in place"
        if statement is None or not is_assignable(target):
            self.report_risk(call, risk, f"{message} (no out-of-place form here)", replacement=None,
                             safety=Safety.DISPLAY_ONLY)
            return
        value = self.kept_in_dtype(target, call.with_changes(func=self._func(call, twin)), self._operands(call, twin), call)
        rebind = cst.Assign(targets=[cst.AssignTarget(target=target)], value=value)
        if read_before(statement, call, [target], self.scope(call)):
            note = f"the statement reads `{code(target)}` before the write: rebinding it first would change that read"
            self.report_risk(call, risk, message, replacement=None, safety=Safety.DISPLAY_ONLY, note=note)
            return
        self.report_risk(statement, risk, message, replacement=hoisted(statement, call, rebind), imports=self._imports(call))

    def _operands(self, call: cst.Call, twin: str) -> list[cst.BaseExpression]:
        """The arguments that may promote the result past the written tensor's dtype (`torch.clamp_(x, lo)`
        with a float32 `lo` and a half `x`); index and fill functions keep the tensor's dtype or raise."""
        return [] if twin in KEEP_DTYPE_TWINS else [a.value for a in call.args[1:]]

    def _func(self, call: cst.Call, twin: str) -> cst.BaseExpression:
        """The twin, spelled like the call (`F.relu_` -> `F.relu`), or through `torch.`."""
        last = twin.rsplit(".", 1)[-1]
        if isinstance(call.func, cst.Attribute):
            return call.func.with_changes(attr=cst.Name(last))
        return cst.parse_expression(re.sub(r"^torch\b", self.context.torch_name or "torch", twin))

    def _imports(self, call: cst.Call) -> tuple[str, ...]:
        return ("torch",) if isinstance(call.func, cst.Name) and self.context.torch_name is None else ()


def _inplace_function(name: str | None) -> bool:
    """An in-place function of the table (its name ends with "_"), not one of `nn.init`'s."""
    tables = torch_tables()
    return name in tables.inplace_functions and name not in tables.init_functions
