"""IP105's flag helpers: finding a literal `inplace=True` in a call.

The node builders and statement helpers this module held live in fixer (fixer/core/builders.py,
fixer/core/statements.py) and reach rules through fixer.rule; the names below the flag helpers are
re-exported only for the modules RULES-SIZE is reworking, until they import fixer.rule.
"""

from __future__ import annotations

import libcst as cst

from fixer.rule import (  # noqa: F401  (re-exports, see above)
    ATOM, StatementStack, code, drop_flag, grouped, hoisted, is_assignable, never_tensor_operand, parenthesize,
    precedence,
)


def inplace_flag(call: cst.Call, index: int) -> int | None:
    """The position in `call.args` of a literal `inplace=True` (keyword or at `index`), else None."""
    if any(a.star for a in call.args):
        return None
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == "inplace":
            return i if is_true(arg.value) else None
    positional = [i for i, a in enumerate(call.args) if a.keyword is None]
    if index < len(positional) and is_true(call.args[positional[index]].value):
        return positional[index]
    return None


def is_true(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True"
