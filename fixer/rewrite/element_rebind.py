"""IP104's fix for a write into an element of a sequence: the sequence rebuilt around the element
written out of place (`out = (out[0].select_scatter(...), *out[1:])`)."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from fixer.analysis.element_holders import literal_index
from fixer.analysis.index_writes import Write
from fixer.analysis.messages import code
from fixer.analysis.risk import Risk
from fixer.core.types import Safety


def rebound_element(element: cst.Subscript, fixed: cst.BaseExpression, *, in_list: bool) -> cst.Assign:
    """`out = (<fixed>, *out[1:])` for the element `out[0]` (any literal position), or
    `out[0] = <fixed>` when `out` is a list this function built: the sequence with the new tensor."""
    if in_list:
        return cst.Assign(targets=[cst.AssignTarget(target=element)], value=fixed)
    found = literal_index(element)
    assert found is not None
    name, index = found
    before = [cst.StarredElement(_sliced(name, upper=index))] if index != 0 else []
    after = [cst.StarredElement(_sliced(name, lower=index + 1))] if index != -1 else []
    rebuilt = cst.Tuple(elements=[*before, cst.Element(fixed), *after])
    return cst.Assign(targets=[cst.AssignTarget(target=cst.Name(name))], value=rebuilt)


def element_fix(write: Write, fixed: cst.BaseExpression | None, risk: Risk,
                in_list: bool) -> tuple[Risk, str, list[cst.BaseSmallStatement] | None]:
    """(risk, message, lines) of a write into `out[k]`, with `out` rebound around the element's
    out-of-place form; no fix without one: a copy written in place would fail the same way, as the
    value reads it."""
    _, sub, _, op = write
    lines = None
    if fixed is None and risk.safety is not Safety.DISPLAY_ONLY:
        risk = replace(risk, safety=Safety.DISPLAY_ONLY, unsafe_because=(
            f"no out-of-place form of this index, and the value reads `{code(sub.value)}`, "
            "so a copy written in place fails too",))
    elif fixed is not None:
        lines = [rebound_element(sub.value, fixed, in_list=in_list)]  # type: ignore[arg-type]
    operator = code(op).strip() if op is not None else "="
    message = f"`{code(sub)} {operator}` writes an element of the sequence `{code(sub.value)}` in place"
    return risk, message, lines


def _sliced(name: str, *, lower: int | None = None, upper: int | None = None) -> cst.Subscript:
    """`name[lower:]` or `name[:upper]`."""
    def number(n: int | None) -> cst.BaseExpression | None:
        if n is None:
            return None
        return cst.Integer(str(n)) if n >= 0 else cst.UnaryOperation(cst.Minus(), cst.Integer(str(-n)))
    bounds = cst.Slice(lower=number(lower), upper=number(upper))
    return cst.Subscript(value=cst.Name(name), slice=[cst.SubscriptElement(bounds)])
