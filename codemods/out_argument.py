"""IP106 out-argument: `torch.add(a, b, out=c)` writes the result into `c`."""

from __future__ import annotations

import ast
import re

import libcst as cst

from codemods._common import StatementStack, code, drop_flag, hoisted, is_assignable
from fixer.analysis.order import read_before
from fixer.analysis.scope import qualified
from fixer.analysis.regions import FileFacts
from fixer.codemod import Codemod, word_start
from fixer.analysis.risk import Risk
from fixer.types import Safety, Severity


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
    container (`buf = state["buf"]`), since the write updates a tensor held elsewhere. `out=` casts the result to the dtype of `c` (a float16 `c` given a float32
    result keeps float16; `torch.add(i, j, out=f)` with integer inputs and a float `c` gives
    floats), while the rewrite keeps the op's own result dtype; and every view or alias of `c`
    sees the write, while the rewrite rebinds the name only. Review that `c` has the result's
    dtype and is not shared. No fix either when the call's value is used in a statement that
    reads `c` before the write (`y = c.sum() + torch.mul(a, b, out=c)`): rebinding `c` first
    would change that read.

    ## Limitations
    Only functions reached through `torch` are handled, not tensor methods or numpy's `out=`.
    An output that is not a name or attribute (`out=buf[0]`), and calls inside lambdas,
    comprehensions, conditional expressions or `and`/`or`, are reported without a fix.
    """

    ID = "IP106"
    SAFETY = Safety.UNSAFE  # out= casts to the target's dtype; the rewrite may promote
    NAME = "out-argument"
    FIX_TITLE = "Assign the result instead of writing into out="
    PREFILTER = re.compile(r"out\s*=(?!=)")
    PREFILTER_AFTER = word_start
    AST_NODES = (ast.Call,)

    @classmethod
    def is_candidate(cls, node: ast.AST, file: FileFacts) -> bool:
        if not any(k.arg == "out" for k in node.keywords):  # type: ignore[attr-defined]
            return False
        return (file.qualified(node.func) or "").startswith("torch.")  # type: ignore[attr-defined]

    def visit_Call(self, node: cst.Call) -> None:
        out = next((a for a in node.args if a.keyword is not None and a.keyword.value == "out"), None)
        name = qualified(node.func, self.context.facts.imports) or ""
        if out is not None and name.startswith("torch.") and code(out.value) != "None":
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
        rebind = cst.Assign(targets=[cst.AssignTarget(target=target)], value=drop_flag(call, list(call.args).index(out)))
        if read_before(statement, call, outputs, self.scope(call)):
            reason = "the statement reads it before the write: rebinding it first would change that read"
            self.report_risk(call, risk, message, replacement=None, safety=Safety.DISPLAY_ONLY, note=reason)
            return
        self.report_risk(statement, risk, f"{message}; `out=` also casts to its dtype",
                         replacement=hoisted(statement, call, rebind), safety=Safety.UNSAFE)

    def _held_elsewhere(self, output: cst.BaseExpression, call: cst.Call) -> bool:
        """An attribute, a parameter, or a name bound from a container (`buf = state["buf"]`)."""
        if not isinstance(output, cst.Name):
            return True
        scope = self.scope(call)
        values = scope.bindings.get(output.value, [])
        return output.value in scope.params or any(isinstance(v, (cst.Subscript, cst.Attribute)) for v in values)
