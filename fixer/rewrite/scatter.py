"""The out-of-place forms of an index write `t[...] = v` / `t[...] op= v`: the value stored, and
the torch calls that store it (`select_scatter`, `slice_scatter`, `index_put`; `masked_fill` and
`index_put` through a mask)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from fixer.analysis.index_writes import Write, shaped_like
from fixer.analysis.python_numbers import is_int, is_scalar
from fixer.analysis.scope import FunctionFacts
from fixer.analysis.tensors import Kind
from fixer.core.builders import AUGMENTED_TO_BINARY, method, one_tuple, pure, right_operand

KeptInDtype = Callable[[cst.BaseExpression, cst.BaseExpression, Sequence[cst.BaseExpression], cst.CSTNode],
                       cst.BaseExpression]
KindOf = Callable[[cst.BaseExpression, cst.CSTNode], Kind]  # a rule's `kind`: the kind of an expression at a node


def written(write: Write, kept_in_dtype: KeptInDtype, *, cast: bool = False) -> cst.BaseExpression:
    """The value stored: `v`, or `t[i] op v` for an augmented write. `cast`: the value goes to
    `index_put`, which refuses a source of another dtype, where the in-place `t[i] op= v` rounds
    `t[i] op v` back to `t`'s dtype: `(t[i] op v).to(t.dtype)` unless proven the same."""
    node, sub, value, op = write
    if op is None:
        return value
    operator = AUGMENTED_TO_BINARY[type(op)]()
    stored = cst.BinaryOperation(left=sub, operator=operator, right=right_operand(value, operator))
    return kept_in_dtype(sub.value, stored, [value], node) if cast else stored


def torch_attribute(torch_name: str | None, name: str) -> cst.Attribute:
    """`torch.<name>` as the file spells the module."""
    return cst.Attribute(value=cst.Name(torch_name or "torch"), attr=cst.Name(name))


def scatter(write: Write, dim: int, index: cst.BaseSlice, kind: KindOf, scope: FunctionFacts,
            kept_in_dtype: KeptInDtype, torch_name: str | None) -> cst.BaseExpression | None:
    """`t.select_scatter(src, dim, i)`, `t.slice_scatter(src, dim, start, end, step)` or
    `t.index_put((idx,), v)` for a write whose one index `index` is at `dim`; None when none fits."""
    node, sub, value, op = write
    target = sub.value
    if isinstance(index, cst.Index) and kind(index.value, node) is Kind.TENSOR:
        if dim != 0 or len(sub.slice) != 1:
            return None
        if op is None and kind(value, node) is not Kind.TENSOR:
            new = method(target, "new_tensor", value)
            return method(target, "index_put", one_tuple(index.value), new) if is_scalar(value) else None
        return method(target, "index_put", one_tuple(index.value), written(write, kept_in_dtype, cast=True))
    if isinstance(index, cst.Index) and not is_int(index.value, scope):
        return None  # `t[i]` with `i` maybe a tensor or a bool: advanced indexing, not a select
    src = _source(write, kind, kept_in_dtype, torch_name)
    if src is None:
        return None
    number = cst.Integer(str(dim)) if dim >= 0 else cst.UnaryOperation(cst.Minus(), cst.Integer(str(-dim)))
    if isinstance(index, cst.Index):
        return method(target, "select_scatter", src, number, index.value)
    bounds = [index.lower or cst.Name("None"), index.upper or cst.Name("None")]
    step = [index.step] if index.step is not None else []
    return method(target, "slice_scatter", src, number, *bounds, *step)


def masked_write(write: Write, kind: KindOf, scope: FunctionFacts, kept_in_dtype: KeptInDtype,
                 torch_name: str | None) -> cst.BaseExpression | None:
    """`t.masked_fill(m, v)` for a number written through a mask made from `t` alone, else
    `t.index_put((m,), v)`; None when the value's kind is unknown or an `op=` mask has side effects."""
    node, sub, value, op = write
    target = sub.value
    mask = sub.slice[0].slice.value  # type: ignore[attr-defined]
    if op is None and is_scalar(value) and shaped_like(mask, target, scope, torch_name):
        return method(target, "masked_fill", mask, value)
    if op is None and kind(value, node) is Kind.NOT_TENSOR:
        return method(target, "index_put", one_tuple(mask), method(target, "new_tensor", value))
    if (op is None and kind(value, node) is Kind.TENSOR) or (op is not None and pure(mask)):
        return method(target, "index_put", one_tuple(mask), written(write, kept_in_dtype, cast=True))
    return None


def _source(write: Write, kind: KindOf, kept_in_dtype: KeptInDtype, torch_name: str | None) -> cst.BaseExpression | None:
    """The written value with the slice's shape: `full_like(t[i], v)`, `v.expand_as(t[i])`, `t[i] op v`."""
    node, sub, value, op = write
    if op is not None:
        return written(write, kept_in_dtype)
    if is_scalar(value):
        return cst.Call(func=torch_attribute(torch_name, "full_like"), args=[cst.Arg(sub), cst.Arg(value)])
    if kind(value, node) is Kind.TENSOR:
        return method(value, "expand_as", sub)
    return None
