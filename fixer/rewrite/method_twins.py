"""The out-of-place form of a chain of in-place Tensor methods: `x.mul_(a).add_(b)` -> `x = x.mul(a).add(b)`."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

import libcst as cst

from fixer.core.builders import ATOM, assign, grouped, parenthesize, precedence
from fixer.analysis.dtypes import PROMOTING_METHODS, TRUE_DIVISIONS
from fixer.analysis.messages import code
from fixer.analysis.method_chains import Link
from fixer.analysis.order import reads
from fixer.analysis.tables import InplaceMethod as Entry
from fixer.analysis.tables import torch_tables
from fixer.analysis.tensors import Kind
from fixer.core.builders import CannotBuild, build_expression
from fixer.core.codemod import RuleContext, kept_in_dtype



class MethodTwins:
    """Builds the twins of in-place method calls in the region a rule visits."""

    def __init__(self, context: RuleContext) -> None:
        self.context = context  # not the rule: a bound method of it here would make a cycle that keeps the region's nodes

    def statements(self, root: cst.BaseExpression, links: list[Link], node: cst.CSTNode) -> tuple[list[cst.Assign] | None, str | None]:
        """(the statements that replace the chain's write, why there are none): a random fill of a
        dense buffer draws into new memory; a link without a faithful twin, or a template that
        does not parse, leaves none."""
        blocked = next((e.reason for _, e in links if e.kind == "display_only"), None)
        fresh_fill = self._fill_of_a_dense_buffer(root, links)
        try:
            fixes = [assign(root, grouped(fresh_fill))] if fresh_fill is not None else None if blocked else self._rebind(root, links, node)
        except CannotBuild as error:  # this finding loses its fix, never the file its findings
            blocked, fixes = error.reason, None
        return fixes, None if fresh_fill is not None else blocked

    def result_value(self, root: cst.Call, links: list[Link], call: cst.Call) -> cst.BaseExpression | None:
        """`torch.tanh(z).mul_(2)` -> `torch.tanh(z).mul(2)`: the chain's twins on a call's result, when
        each keeps the dtype (no tensor argument of a promoting method) and has the same name."""
        value: cst.BaseExpression | None = root
        for link, entry in links:
            widens = entry.kind == "same" and entry.twin in PROMOTING_METHODS and any(
                self._kind(a.value, call) is not Kind.NOT_TENSOR for a in link.args)
            value = None if value is None or widens or entry.kind != "same" else self._twin(value, link, entry)
        return value

    def imports(self, links: list[Link]) -> tuple[str, ...]:
        """`torch` when a special twin names it and the file never imports it."""
        spelled = any(e.kind == "special" and "torch." in (e.template or "") for _, e in links)
        return ("torch",) if spelled and self.context.torch_name is None else ()

    def _kind(self, expr: cst.BaseExpression, node: cst.CSTNode) -> Kind:
        return self.context.kinds.kind(expr, self.context.facts.scope(node))

    def _rebind(self, root: cst.BaseExpression, links: list[Link], node: cst.CSTNode) -> list[cst.Assign] | None:
        """`root = <out-of-place chain>` statements. A special twin starts a new statement, and so
        does a call whose arguments may read the receiver: in place they see the earlier writes."""
        statements: list[cst.Assign] = []
        value: cst.BaseExpression = root
        for call, entry in links:
            if value is not root and (entry.kind == "special" or self._reads(call, root)):
                statements.append(assign(root, grouped(value)))
                value = root
            twin = self._twin(value, call, entry)
            if twin is None:
                return None
            divides = entry.twin in TRUE_DIVISIONS and not any(a.keyword is not None for a in call.args)
            value = kept_in_dtype(self.context, root, twin, _operands(call, entry, twin), node, divides=divides)
        return statements + [assign(root, grouped(value))]

    def _reads(self, call: cst.Call, root: cst.BaseExpression) -> bool:
        """Whether an argument of `call` may read `root`: it must run after the writes before it."""
        return any(reads(arg.value, root, self.context.facts.scope(call)) for arg in call.args)

    def _twin(self, receiver: cst.BaseExpression, call: cst.Call, entry: Entry) -> cst.BaseExpression | None:
        if entry.kind == "same":
            func = call.func.with_changes(value=receiver, attr=cst.Name(entry.twin))  # type: ignore[attr-defined]
            return call.with_changes(func=func)
        values = _bind(call, entry)
        if values is None or entry.template is None:
            return None
        source = next((a.value for a in call.args if a.keyword is None or a.keyword.value == "src"), None)
        number = source is not None and self._kind(source, call) is Kind.NOT_TENSOR
        if entry.params[:1] == ("src",) and (number or _scalar_literal(values["src"])):
            entry, values = torch_tables().inplace_methods["fill_"], {"value": values["src"]}  # `copy_(3.0)`, `copy_(float(v))`: a fill
        values["self"] = _atom(receiver)
        for name, value in values.items():
            if value.isdigit() and f"{{{name}}}." in entry.template:
                values[name] = f"({value})"  # `1.to(...)` would read as a float literal
        source = entry.template.format(**values)
        source = re.sub(r"\btorch\.", f"{self.context.torch_name or 'torch'}.", source)
        return build_expression(source)

    def _fill_of_a_dense_buffer(self, root: cst.BaseExpression, links: list[Link]) -> cst.BaseExpression | None:
        """`self.eps.normal_()` on a buffer a torch factory built contiguous (and nothing rebinds):
        `torch.empty_like(self.eps).normal_()` draws the same numbers into new memory (same shape,
        strides, dtype and kernel), which no earlier op saved."""
        if len(links) != 1 or not (links[0][1].reason or "").startswith("random fill"):
            return None
        info = self.context.facts.scope(links[0][0]).class_info
        if not (isinstance(root, cst.Attribute) and isinstance(root.value, cst.Name) and root.value.value == "self"
                and info is not None and root.attr.value in info.dense_buffers):
            return None
        call = links[0][0]
        empty = cst.Call(func=cst.Attribute(value=cst.Name(self.context.torch_name or "torch"), attr=cst.Name("empty_like")),
                         args=[cst.Arg(root)])
        return call.with_changes(func=call.func.with_changes(value=empty))  # type: ignore[attr-defined]


def _operands(call: cst.Call, entry: Entry, twin: cst.BaseExpression) -> Sequence[cst.BaseExpression]:
    """What may promote the twin past the receiver's dtype: a promoting method's arguments, or the
    twin itself when a `dtype=` asks for one (`x.cumsum_(0, dtype=d)`). Other twins keep the
    receiver's dtype (unary math, index, mask and scatter methods) or raise as the in-place one does."""
    if entry.kind != "same":
        return []  # special twins spell the receiver's dtype in their template
    if any(a.keyword is not None and a.keyword.value == "dtype" for a in call.args):
        return [twin]
    return [a.value for a in call.args] if entry.twin in PROMOTING_METHODS else []


def _scalar_literal(source: str) -> bool:
    """`3.0`, `-1`, `True`: a Python number, which has no `.to()`."""
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return False
    return isinstance(value, (bool, int, float, complex))


def _bind(call: cst.Call, entry: Entry) -> dict[str, str] | None:
    """Argument source per template parameter, or None when the call can't be matched."""
    values = dict(entry.defaults)
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args) or len(positional) > len(entry.params):
        return None
    for param, arg in zip(entry.params, positional):
        values[param] = _atom(arg.value)
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value not in entry.params:
                return None
            values[arg.keyword.value] = _atom(arg.value)
    return values if all(p in values for p in entry.params) else None


def _atom(expr: cst.BaseExpression) -> str:
    """Source that stays one operand anywhere in a template."""
    return code(grouped(expr) if precedence(expr) == ATOM else parenthesize(expr))
