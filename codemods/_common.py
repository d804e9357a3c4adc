"""Building blocks the rules share: operator tables, parenthesising, rendering nodes."""

from __future__ import annotations

import ast

import libcst as cst

from fixer.analysis.messages import code

AUGMENTED_TO_BINARY: dict[type[cst.BaseAugOp], type[cst.BaseBinaryOp]] = {
    cst.AddAssign: cst.Add, cst.SubtractAssign: cst.Subtract, cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide, cst.FloorDivideAssign: cst.FloorDivide,
    cst.ModuloAssign: cst.Modulo, cst.PowerAssign: cst.Power,
    cst.MatrixMultiplyAssign: cst.MatrixMultiply, cst.LeftShiftAssign: cst.LeftShift,
    cst.RightShiftAssign: cst.RightShift, cst.BitAndAssign: cst.BitAnd,
    cst.BitOrAssign: cst.BitOr, cst.BitXorAssign: cst.BitXor,
}

# Python's binding strength, weakest first (the language reference's precedence table).
BINARY_PRECEDENCE: dict[type[cst.BaseBinaryOp], int] = {
    cst.BitOr: 6, cst.BitXor: 7, cst.BitAnd: 8, cst.LeftShift: 9, cst.RightShift: 9,
    cst.Add: 10, cst.Subtract: 10, cst.Multiply: 11, cst.Divide: 11, cst.FloorDivide: 11,
    cst.Modulo: 11, cst.MatrixMultiply: 11, cst.Power: 13,
}
UNARY = 12
ATOM = 15


def precedence(expr: cst.BaseExpression) -> int:
    """How tightly `expr` binds; parenthesised expressions are atoms."""
    if expr.lpar:
        return ATOM
    if isinstance(expr, cst.BinaryOperation):
        return BINARY_PRECEDENCE[type(expr.operator)]
    if isinstance(expr, cst.UnaryOperation):
        return 4 if isinstance(expr.operator, cst.Not) else UNARY
    if isinstance(expr, cst.Comparison):
        return 5
    if isinstance(expr, cst.BooleanOperation):
        return 3 if isinstance(expr.operator, cst.And) else 2
    if isinstance(expr, cst.Await):
        return 14
    if isinstance(expr, (cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Yield)):
        return 0
    return ATOM


def right_operand(expr: cst.BaseExpression, operator: cst.BaseBinaryOp) -> cst.BaseExpression:
    """`expr` as the right operand of `operator`, parenthesised when it would bind differently.

    An operand of equal strength is parenthesised too: `x -= a - b` means `x - (a - b)`, and even
    `x += a + b` keeps `x + (a + b)`, since float addition is not associative.
    """
    strength = BINARY_PRECEDENCE[type(operator)]
    needed = precedence(expr) < UNARY if isinstance(operator, cst.Power) else precedence(expr) <= strength
    return parenthesize(expr) if needed else expr


def parenthesize(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def grouped(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`expr`, parenthesised when it spans lines that only brackets around it held together.

    `acc.flatten()\n    .reshape(2, 3)` taken out of `out.copy_(...)` is no expression on its own.
    """
    source = code(expr)
    if "\n" not in source and "\r" not in source:
        return expr
    try:
        ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        return parenthesize(expr)
    return expr


def is_text(expr: cst.BaseExpression) -> bool:
    """A string literal: `s += "..."` and `d["key"] = v` never involve a tensor."""
    return isinstance(expr, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))


def never_tensor_operand(expr: cst.BaseExpression) -> bool:
    """`s += "..."`, `hidden += (h,)`: a tensor raises on these, so the target is no tensor."""
    return is_text(expr) or isinstance(expr, (cst.Tuple, cst.List, cst.Dict, cst.Set, cst.ListComp,
                                              cst.SetComp, cst.DictComp))


def is_assignable(expr: cst.BaseExpression) -> bool:
    """A plain name or an attribute chain on a name: something `x = ...` can rebind."""
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return isinstance(expr, cst.Name) and not expr.lpar


def drop_flag(call: cst.Call, position: int) -> cst.Call:
    """`call` without its flag; a positional flag before other positional arguments becomes False."""
    args = list(call.args)
    flag = args[position]
    if flag.keyword is None and any(a.keyword is None for a in args[position + 1 :]):
        args[position] = flag.with_changes(value=cst.Name("False"))
        return call.with_changes(args=args)
    del args[position]
    if args and position == len(args):  # the flag was last: its comma (or none) moves to the new last
        args[-1] = args[-1].with_changes(comma=flag.comma)
    return call.with_changes(args=args)


Statement = cst.BaseSmallStatement


class StatementStack:
    """A rule mix-in: the small statement a node sits in, or None inside code that may not run, or
    runs more than once (lambdas, comprehensions, conditional expressions, `and`/`or`)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._statements: list[Statement | None] = []

    def statement(self) -> Statement | None:
        return self._statements[-1] if self._statements else None

    def visit_Assign(self, node: Statement) -> None:
        self._statements.append(node)

    def visit_IfExp(self, node: cst.CSTNode) -> None:
        self._statements.append(None)

    def leave_Assign(self, original_node: cst.CSTNode) -> None:
        self._statements.pop()

    # LibCST finds visitors by their function's __name__, so aliases must share a real name.
    visit_AnnAssign = visit_AugAssign = visit_Return = visit_Expr = visit_Assign  # type: ignore[assignment]
    visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_IfExp
    visit_BooleanOperation = visit_IfExp
    leave_AnnAssign = leave_AugAssign = leave_Return = leave_Expr = leave_IfExp = leave_Lambda = leave_Assign
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = leave_BooleanOperation = leave_Assign


def hoisted(statement: Statement, call: cst.Call, rebind: cst.Assign) -> list[Statement]:
    """`rebind` before `statement`, which then reads the rebound target instead of `call`.

    What the rest of the statement reads before the call then sees the write: the rule asks
    `fixer.analysis.order.read_before` first.
    """
    if isinstance(statement, cst.Expr) and statement.value is call:
        return [rebind]
    target = rebind.targets[0].target
    value = parenthesize(target) if isinstance(target, cst.Tuple) else target
    rest = statement.deep_replace(call, value)
    same = isinstance(rest, cst.Assign) and [code(t.target) for t in rest.targets] == [code(target)]
    return [rebind] if same and code(rest.value) == code(value) else [rebind, rest]  # type: ignore[attr-defined]
