"""What a rule looks at, told the same way on an `ast` node and on a LibCST node."""

from __future__ import annotations

import ast

import libcst as cst

# Operands a tensor raises on (`hidden += (h,)`, `s += "..."`), named alike in both trees but strings.
NEVER_TENSOR_OPERANDS = frozenset({"Tuple", "List", "Dict", "Set", "ListComp", "SetComp", "DictComp", "JoinedStr",
                                   "SimpleString", "ConcatenatedString", "FormattedString"})


def never_tensor_operand(value: ast.expr | cst.BaseExpression) -> bool:
    """`s += "..."`, `hidden += (h,)`: a tensor raises on these, so the target is no tensor."""
    if isinstance(value, ast.Constant):
        return isinstance(value.value, (str, bytes))
    return type(value).__name__ in NEVER_TENSOR_OPERANDS
