"""IP106 out-argument: `torch.add(a, b, out=c)` writes the result into `c`."""

from __future__ import annotations

import re

import libcst as cst

from fixer.rule import (
    FLOAT_KEEPS, KEEPS_DTYPE, PROMOTING_METHODS, Codemod, Risk, RuleContext, Safety, Severity, StatementStack,
    Trigger, cast_to, code, drop_flag, hoisted, is_assignable, qualified, read_before, word_start,
)


class OutArgument(StatementStack, Codemod):
    """
    ## What it does
    Finds calls of `torch` functions with an `out=` argument and rewrites
    `torch.add(a, b, out=c)` as `c = torch.add(a, b)`. A tuple of outputs
    (`torch.max(x, 1, out=(v, i))`) becomes `v, i = torch.max(x, 1)`. When the call's value is
    used (`y = torch.mul(a, b, out=c)`), `c` is rebound first and the use reads `c`.

    ## Why is this risky
    `out=` writes the result into an existing tensor's storage. Autograd does not support it:
    when an input requires grad, the call raises "functions with out=... arguments don't support
    automatic differentiation", and when `c` itself was saved for backward, backward raises
    "one of the variables needed for gradient computation has been modified by an inplace
    operation".

    ## Example
    ```python
    h = torch.sigmoid(z)
    torch.mul(h, 2, out=h)
    ```

    ## Use instead
    ```python
    h = torch.sigmoid(z)
    h = torch.mul(h, 2)
    ```

    ## Fix safety
    Always unsafe; no fix when the output is an attribute, a parameter or a name bound from a
    container (`buf = state["buf"]`), since the write updates a tensor held elsewhere. Every view
    or alias of `c` sees the write, while the rewrite rebinds the name only: review that `c` is
    not shared. Dtype is kept: `out=` stores the result in `c`'s dtype (a float16 `c` given a
    float32 result keeps float16), so the rewrite is `c = torch.add(a, b).to(c.dtype)` unless the
    result is proven to have `c`'s dtype (`torch.mul(c, 2, out=c)`). No fix either when the call's
    value is used in a statement that reads `c` before the write
    (`y = c.sum() + torch.mul(a, b, out=c)`): rebinding `c` first would change that read.

    ## Limitations
    Only functions reached through `torch` are handled, not tensor methods or numpy's `out=`.
    An output that is not a name or attribute (`out=buf[0]`), and calls inside lambdas,
    comprehensions, conditional expressions or `and`/`or`, are reported without a fix. A tuple
    of outputs (`out=(v, i)`) is rebound without a cast: review that each has its result's dtype.
    """

    ID = "IP106"
    SAFETY = Safety.UNSAFE  # views and holders of the output see out='s write, not the rebinding
    NAME = "out-argument"
    FIX_TITLE = "Assign the result instead of writing into out="
    PREFILTER = re.compile(r"out\s*=(?!=)")
    PREFILTER_AFTER = word_start
    TRIGGERS = (Trigger("Call", lambda c: "out" in c.keywords and (c.qualified or "").startswith("torch."),
                        "check_call", later=False),)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._from_container: dict[tuple[int, str], bool] = {}  # (id(scope), name) -> bound from a subscript or attribute

    def check_call(self, node: cst.Call) -> None:
        out = next(a for a in node.args if a.keyword is not None and a.keyword.value == "out")
        if code(out.value) != "None":
            self.later(self._check, node, out, self.statement())

    def _check(self, call: cst.Call, out: cst.Arg, statement: cst.BaseSmallStatement | None) -> None:
        value = out.value
        outputs = [e.value for e in value.elements] if isinstance(value, (cst.Tuple, cst.List)) else [value]
        if not any(self.grad_may_flow(o, call) for o in outputs):
            return  # a fresh `out` still fails when an input requires grad: the risk decides severity only
        risks = [r for o in outputs if (r := self.risk(o, call, [], statement, tensor=True)) is not None]
        risk = max(risks, key=lambda r: r.severity is Severity.ERROR, default=Risk(Severity.WARNING, (), Safety.UNSAFE))
        shown = ", ".join(code(o) for o in outputs)
        message = f"`{code(call.func)}(..., out=...)` writes its result into `{shown}` in place"
        if statement is None or not outputs or not all(is_assignable(o) for o in outputs):
            self.report_risk(call, risk, f"{message} (no out-of-place form here)", replacement=None,
                             safety=Safety.DISPLAY_ONLY)
            return
        held = next((o for o in outputs if self._held_elsewhere(o, call)), None)
        if held is not None:
            reason = f"`{code(held)}` is a tensor held elsewhere: rebinding the name would not update it"
            self.report_risk(call, risk, f"{message} ({reason})", replacement=None, safety=Safety.DISPLAY_ONLY)
            return
        target = outputs[0] if len(outputs) == 1 else cst.Tuple([cst.Element(o) for o in outputs], lpar=[], rpar=[])
        result: cst.BaseExpression = drop_flag(call, list(call.args).index(out))
        if len(outputs) == 1:
            result = self._in_dtype_of(target, result, call)
        rebind = cst.Assign(targets=[cst.AssignTarget(target=target)], value=result)
        if read_before(statement, call, outputs, self.scope(call)):
            reason = "the statement reads it before the write: rebinding it first would change that read"
            self.report_risk(call, risk, message, replacement=None, safety=Safety.DISPLAY_ONLY, note=reason)
            return
        self.report_risk(statement, risk, f"{message}; `out=` also casts to its dtype",
                         replacement=hoisted(statement, call, rebind), safety=Safety.UNSAFE)

    def _in_dtype_of(self, output: cst.BaseExpression, result: cst.Call, call: cst.Call) -> cst.BaseExpression:
        """`result` cast to `output`'s dtype, as `out=` stores it, unless proven of that dtype: both
        named the same, or `output` is an input of an op whose result promotes its inputs
        (`torch.mul(h, 2, out=h)` is `h.mul_(2)`: only a wider other argument needs the cast)."""
        assert self.context.dtypes is not None
        if self.context.dtypes.same(result, output, call):
            return result
        op = (qualified(call.func, self.context.facts.imports) or "").rsplit(".", 1)[-1]
        inputs = [a.value for a in result.args]
        if op in PROMOTING_METHODS | FLOAT_KEEPS | KEEPS_DTYPE and any(code(i) == code(output) for i in inputs):
            return self.kept_in_dtype(output, result, [i for i in inputs if code(i) != code(output)], call)
        return cast_to(result, output)

    def _held_elsewhere(self, output: cst.BaseExpression, call: cst.Call) -> bool:
        """An attribute, a parameter, or a name bound from a container (`buf = state["buf"]`)."""
        if not isinstance(output, cst.Name):
            return True
        scope = self.scope(call)
        if output.value in scope.params:
            return True
        key = (id(scope), output.value)
        if key not in self._from_container:  # once per name: a long function has many `out=` calls
            values = scope.bindings.get(output.value, [])
            self._from_container[key] = any(isinstance(v, (cst.Subscript, cst.Attribute)) for v in values)
        return self._from_container[key]
