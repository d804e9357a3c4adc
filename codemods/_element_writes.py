"""IP104's fix for a write into an element of a sequence: the sequence rebuilt around the element
written out of place (`out = (out[0].select_scatter(...), *out[1:])`)."""

from __future__ import annotations

import libcst as cst

from fixer.rule import literal_index


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


def _sliced(name: str, *, lower: int | None = None, upper: int | None = None) -> cst.Subscript:
    """`name[lower:]` or `name[:upper]`."""
    def number(n: int | None) -> cst.BaseExpression | None:
        if n is None:
            return None
        return cst.Integer(str(n)) if n >= 0 else cst.UnaryOperation(cst.Minus(), cst.Integer(str(-n)))
    bounds = cst.Slice(lower=number(lower), upper=number(upper))
    return cst.Subscript(value=cst.Name(name), slice=[cst.SubscriptElement(bounds)])
