"""Writes into a tensor no name holds, `out[0][:, j] = out[0][:, j] * w`: only a proven failure is
reported. The proof is the write's own value: an op in it that saves an operand read from the
written tensor (`out[0][:, j]` read by `* w`) runs first, then the write changes what it saved.

IP104's fix (fixer/rewrite/element_rebind.py) rebinds the sequence when the element is a literal
position of a name; a view of a view, an attribute's element or a computed position gets no fix.
"""

from __future__ import annotations

import libcst as cst

from fixer.analysis.element_holders import builds_list, element_rebind_safety, literal_index
from fixer.analysis.flow import inside
from fixer.analysis.messages import LineOf, Message, code
from fixer.analysis.risk import Risk, RiskAnalysis
from fixer.analysis.saved import operand_candidates, quoted
from fixer.analysis.scope import FunctionFacts
from fixer.core.types import Safety, Severity


def root_name(expr: cst.BaseExpression) -> str | None:
    """`out` in `out[0]`, `out.x[1]`."""
    while isinstance(expr, (cst.Subscript, cst.Attribute)):
        expr = expr.value
    return expr.value if isinstance(expr, cst.Name) else None


def saved_by_own_value(risks: RiskAnalysis, target: cst.BaseExpression, node: cst.CSTNode,
                       value: cst.BaseExpression, scope: FunctionFacts) -> tuple[cst.CSTNode, Message] | None:
    """The op in the write's value that saves a part of `target`, the tensor the write changes."""
    base = root_name(target)
    if base is None:
        return None
    spelled = code(target)
    parents = risks.flow.parents(scope)
    for op in scope.ops:
        if id(op) in risks.facts.grad_off or not inside(op, value, parents):
            continue
        if not any(_reads(e, spelled) for e in operand_candidates(op)):
            continue  # `out[1] * w` reads another element of the container
        label = risks.saved.saves_input(op, {base}, scope, risks.flow.order(node)) or _times_parameter(op, spelled, scope)
        if label is not None:
            return op, (f"`{spelled}` is an input of `{label}` (line ", LineOf(op),
                        f"), which saves it for backward; `{quoted(node)}` at line ", LineOf(node),
                        " then writes it and makes backward fail")
    return None


def element_write_risk(risks: RiskAnalysis, target: cst.BaseExpression, node: cst.CSTNode,
                       value: cst.BaseExpression, scope: FunctionFacts) -> tuple[Risk, bool | None] | None:
    """The risk of a write into the element `target` when its own value saved a part of it, and
    whether the sequence is a list the function built (None: no literal position of a name)."""
    found = saved_by_own_value(risks, target, node, value, scope)
    if found is None:
        return None
    element = literal_index(target)
    safety, because = Safety.DISPLAY_ONLY, (f"`{code(target)}` is no name a rewrite can rebind",)
    in_list = None
    if element is not None:
        safety, because = element_rebind_safety(risks.aliases, *element, node, scope)
        in_list = builds_list(risks.aliases, element[0], node, scope)
    return Risk(Severity.ERROR, found[1], safety, because, found[0]), in_list


def _times_parameter(op: cst.CSTNode, spelled: str, scope: FunctionFacts) -> str | None:
    """`t[:, j] * self.scale[j]`: a product or quotient with an nn.Parameter of the class, which
    requires grad, saves the other operand for the parameter's gradient."""
    if not isinstance(op, cst.BinaryOperation) or not isinstance(op.operator, (cst.Multiply, cst.Divide)):
        return None
    for mine, other in ((op.left, op.right), (op.right, op.left)):
        while isinstance(other, cst.Subscript):
            other = other.value
        held = (isinstance(other, cst.Attribute) and isinstance(other.value, cst.Name) and other.value.value == "self"
                and other.attr.value in scope.class_parameters)
        if held and _reads(mine, spelled):
            return "*" if isinstance(op.operator, cst.Multiply) else "/"
    return None


def _reads(operand: cst.BaseExpression, spelled: str) -> bool:
    """`operand` is `spelled` or an index or view of it: `out[0][:, j]`, `out[0].view(-1)`."""
    text = code(operand)
    return text == spelled or text.startswith(spelled) and text[len(spelled)] in "[."
