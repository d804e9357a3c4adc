"""IP101 augmented-assignment: `x += y` on a tensor writes it in place."""

from __future__ import annotations

import ast
import re

import libcst as cst

from codemods._common import AUGMENTED_TO_BINARY, code, never_tensor_operand, right_operand
from fixer.analysis.tensors import Kind
from fixer.analysis.regions import SAME_TENSOR_ATTRIBUTES, FileFacts, never_tensor_operand as never_tensor_value, self_parameter
from fixer.codemod import Codemod
from fixer.types import Severity

class AugmentedAssignment(Codemod):
    """
    ## What it does
    Finds augmented assignments (`+=`, `-=`, `*=`, `/=`, `//=`, `%=`, `**=`, `@=`, `&=`, `|=`,
    `^=`, `<<=`, `>>=`) whose target is a tensor, and rewrites `x += y` as `x = x + y`.

    ## Why is this risky
    On a tensor, `x += y` is `x.add_(y)`: it overwrites `x` in place. When autograd saved `x`
    for backward (`x` is the output of `sigmoid`, `exp`, `tanh`, `softmax`, or an input of
    `mul`, `matmul`, `pow`, ...), backward raises "one of the variables needed for gradient
    computation has been modified by an inplace operation".

    ## Example
    ```python
    h = torch.sigmoid(self.fc(x))
    h += 1  # sigmoid saved h for backward
    ```

    ## Use instead
    ```python
    h = torch.sigmoid(self.fc(x))
    h = h + 1
    ```

    ## Fix safety
    The fix rebinds `x`, so it is safe only when nothing else can hold `x`'s tensor at the write:
    `x` is a local name bound to a tensor built here, and no other name, view (`x.view(-1)`,
    `torch.narrow(x, ...)`, `x.mT`, `x.reshape(...)`), container, attribute, callee that may keep
    it or generator took it. A holder read after the write (`v = x.view(-1); x += 1; return v`)
    would miss the write after the rewrite: no fix is offered; likewise for a loop variable
    (`for p in (a, b): p += 1`). A holder outside the function (a parameter, an attribute such as
    `self.h`, a call that may keep its argument, a `yield`) makes the fix unsafe. Dtype is kept exactly: in place, the promoted result is cast
    back to `x`'s dtype (a bfloat16 `y` minus a float32 parameter stays bfloat16), so the rewrite
    is `x = (x + y).to(x.dtype)`, and the cast is left out only where it is proven needless: `y`
    is a Python number (a number never widens a tensor within its category; where it would cross
    one, an integer `x` and a float, the in-place form raises), a bool tensor, a tensor whose
    known dtype promotes to `x`'s, or one made from `x` (`x * 2`, `x.mean()`, `x.detach()`,
    `torch.zeros_like(x)`, `v.to(x.dtype)`, `v.type_as(x)`) through the one binding of each name
    that reaches the write; for `/=`, which raises in place on integers, `x.sum()` too. The cast
    does not change the fix's safety.

    ## Limitations
    Only names and attributes are handled; subscripts (`t[i] += v`) are index writes. Two tensors
    of unknown dtype are never taken to share one, so the cast stays where the code gives no proof
    (`x += self.bias`, `x *= scale` with a `scale` of unknown type), even where the dtypes agree
    in practice. Targets the analysis cannot prove to be tensors are left alone.
    """

    ID = "IP101"
    NAME = "augmented-assignment"
    FIX_TITLE = "Rewrite as an out-of-place assignment"
    PREFILTER = re.compile(r"(?:\+|-|\*\*?|//?|%|@|&|\||\^|<<|>>)=(?!=)")
    AST_NODES = (ast.AugAssign,)

    @classmethod
    def prefilter(cls, text: str) -> bool:
        return ("torch" in text or "Tensor" in text) and super().prefilter(text)

    @classmethod
    def is_candidate(cls, node: ast.AST, file: FileFacts) -> bool:
        target = node.target  # type: ignore[attr-defined]
        if never_tensor_value(node.value):  # type: ignore[attr-defined]
            return False
        if isinstance(target, ast.Attribute):  # a tensor by its attribute (`x.T`), or a parameter (`self.w`)
            return target.attr in SAME_TENSOR_ATTRIBUTES or self_parameter(target, file)
        return isinstance(target, ast.Name) and not file.is_module(target.id) and not file.is_plain(target.id)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, (cst.Name, cst.Attribute)):
            self.later(self.check, node)

    def check(self, node: cst.AugAssign) -> None:
        target = node.target
        kind = self.kind(target, node)
        if kind is Kind.NOT_TENSOR or never_tensor_operand(node.value) or self.updates_grad_leaf(target, [node.value], node):
            return  # not a tensor; or IP108's parameter update, which belongs in `torch.no_grad()`
        risk = self.risk(target, node, [node.value])
        if risk is None or kind is Kind.UNKNOWN and risk.severity is not Severity.ERROR:
            return  # an unknown target is reported only when a saved value proves it a tensor
        operator = AUGMENTED_TO_BINARY[type(node.operator)]()
        value = cst.BinaryOperation(left=target, operator=operator, right=right_operand(node.value, operator))
        value = self.kept_in_dtype(target, value, [node.value], node, divides=isinstance(node.operator, cst.DivideAssign))
        self.report_risk(
            node, risk,
            f"`{code(target)} {code(node.operator).strip()}` writes the tensor `{code(target)}` in place",
            replacement=cst.Assign(targets=[cst.AssignTarget(target=target)], value=value),
        )
