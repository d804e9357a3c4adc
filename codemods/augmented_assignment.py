"""IP101 augmented-assignment: `x += y` on a tensor writes it in place."""

from __future__ import annotations

import ast
import re

import libcst as cst

from fixer.rule import (
    AUGMENTED_TO_BINARY, SAME_TENSOR_ATTRIBUTES, Codemod, FileFacts, Kind, Risk, Safety, Severity, Trigger, code,
    holds_module_outputs, pure, right_operand, saved_element, self_parameter,
)


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
    `self.h`, a call that may keep its argument, a `yield`) makes the fix unsafe; a parameter the
    function reads nowhere after the write (`def sub_mean(batch): batch -= m`) gets no fix, since
    the write is all the caller gets from it. Two slices on either side of one bound
    (`w = p[..., :n]`, `h = p[..., n:]`) share no element: writing one leaves the other as it
    was. Dtype is kept exactly: in place, the promoted result is cast
    back to `x`'s dtype (a bfloat16 `y` minus a float32 parameter stays bfloat16), so the rewrite
    is `x = (x + y).to(x.dtype)`, and the cast is left out only where it is proven needless: `y`
    is a Python number (a number never widens a tensor within its category; where it would cross
    one, an integer `x` and a float, the in-place form raises), a bool tensor, a tensor whose
    known dtype promotes to `x`'s, or one made from `x` (`x * 2`, `x.mean()`, `x.detach()`,
    `torch.zeros_like(x)`, `v.to(x.dtype)`, `v.type_as(x)`) through the one binding of each name
    that reaches the write; for `/=`, which raises in place on integers, `x.sum()` too. The cast
    does not change the fix's safety. An element of a local list of submodule outputs
    (`laterals[i] += v` after `laterals = [conv(f) for conv, f in zip(self.convs, feats)]`) becomes
    `laterals[i] = laterals[i] + v`, exact for the list; always unsafe, since another name may
    hold the element's tensor and the sum is not cast back to the element's dtype.

    ## Limitations
    Names, attributes and elements of lists of submodule outputs are handled; other subscripts
    (`t[i] += v`) are index writes. A write into such a list element is an error only when every
    element is the output of a module that saves its output (a `ModuleList` of one class whose
    `forward` ends in a ReLU) and nothing in the function puts another tensor in the list; else a
    warning. Two tensors
    of unknown dtype are never taken to share one, so the cast stays where the code gives no proof
    (`x += self.bias`, `x *= scale` with a `scale` of unknown type), even where the dtypes agree
    in practice. Targets the analysis cannot prove to be tensors are left alone.
    """

    ID = "IP101"
    NAME = "augmented-assignment"
    FIX_TITLE = "Rewrite as an out-of-place assignment"
    PREFILTER = re.compile(r"(?:\+|-|\*\*?|//?|%|@|&|\||\^|<<|>>)=(?!=)")
    TRIGGERS = (
        Trigger("AugAssign", lambda w: w.target.kind in ("Name", "Attribute") and not w.value.never_tensor),
        Trigger("AugAssign", lambda w: w.target.kind == "Subscript" and w.target.value.kind == "Name"
                and not w.value.never_tensor, "check_element"),  # an element of a list (a tensor is IP104's)
    )

    @classmethod
    def prefilter(cls, text: str) -> bool:
        return ("torch" in text or "Tensor" in text) and super().prefilter(text)

    @classmethod
    def plausible(cls, node: ast.AST, file: FileFacts) -> bool:
        target = node.target  # type: ignore[attr-defined]
        if isinstance(target, ast.Attribute):  # a tensor by its attribute (`x.T`), or a parameter (`self.w`)
            return target.attr in SAME_TENSOR_ATTRIBUTES or self_parameter(target, file)
        if isinstance(target, ast.Subscript):
            return not file.may_be_tensor_name(target.value.id)
        return not file.is_module(target.id) and not file.is_plain(target.id)

    def check_element(self, node: cst.AugAssign) -> None:
        """`laterals[i] += v` on a list of submodule outputs: the element's tensor is written."""
        target, scope, risks = node.target, self.scope(node), self.context.risks
        assert isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and risks is not None
        if self.context.facts.in_no_grad(node) or not pure(target):
            return
        if not holds_module_outputs(risks.flow, target.value.value, node, scope):
            return
        operator = AUGMENTED_TO_BINARY[type(node.operator)]()
        value = cst.BinaryOperation(left=target, operator=operator, right=right_operand(node.value, operator))
        because = (f"another name may hold the tensor `{code(target)}` holds, and would miss the write",)
        saved = saved_element(risks, target, node, scope)
        risk = Risk(Severity.ERROR, saved[1], Safety.UNSAFE, because, saved[0]) if saved else Risk(Severity.WARNING, (), Safety.UNSAFE, because)
        what = (f"`{code(target)} {code(node.operator).strip()}` writes in place the tensor a submodule returned "
                f"into the list `{target.value.value}`")
        self.report_risk(node, risk, what, replacement=cst.Assign(targets=[cst.AssignTarget(target=target)], value=value))

    def check(self, node: cst.AugAssign) -> None:
        target = node.target
        kind = self.kind(target, node)
        if kind is Kind.NOT_TENSOR or self.updates_grad_leaf(target, [node.value], node):
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
