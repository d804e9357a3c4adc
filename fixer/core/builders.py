"""Node builders the rules share: operator tables, parenthesising, and the small nodes a fix is made of."""

from __future__ import annotations

import ast

import libcst as cst

from fixer.analysis.messages import code
from fixer.core.batched import contains

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


class CannotBuild(Exception):
    """A rule could not build one finding's rewrite: that finding is shown without a fix."""

    @property
    def reason(self) -> str:
        """What the finding's message says instead of offering the fix."""
        return f"outplace could not build this rewrite: {self}"


def build_expression(source: str) -> cst.BaseExpression:
    """`source`, code a rule filled in (a template), parsed; CannotBuild when it is no expression."""
    try:
        return cst.parse_expression(source)
    except cst.ParserSyntaxError as error:
        shown = " ".join(source.split())
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        raise CannotBuild(f"`{shown}` does not parse") from error


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


def is_assignable(expr: cst.BaseExpression) -> bool:
    """A plain name or an attribute chain on a name: something `x = ...` can rebind."""
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return isinstance(expr, cst.Name) and not expr.lpar


def pure(expr: cst.CSTNode) -> bool:
    """Safe to evaluate twice: no calls, walrus, await or yield."""
    return not contains(expr, lambda n: isinstance(n, (cst.Call, cst.NamedExpr, cst.Await, cst.Yield)))


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


def is_true(expr: cst.BaseExpression) -> bool:
    """The literal `True`."""
    return isinstance(expr, cst.Name) and expr.value == "True"


def assign(target: cst.BaseExpression, value: cst.BaseExpression) -> cst.Assign:
    """`target = value`."""
    return cst.Assign(targets=[cst.AssignTarget(target=target)], value=value)


def method(receiver: cst.BaseExpression, name: str, *args: cst.BaseExpression) -> cst.Call:
    """`receiver.name(*args)`, the receiver parenthesised unless it is an atom."""
    receiver = receiver if precedence(receiver) == ATOM else parenthesize(receiver)
    return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name(name)), args=[cst.Arg(a) for a in args])


def one_tuple(expr: cst.BaseExpression) -> cst.Tuple:
    """`(expr,)`."""
    return cst.Tuple(elements=[cst.Element(expr, comma=cst.Comma())])


def cast_to(value: cst.BaseExpression, target: cst.BaseExpression) -> cst.Call:
    """`value.to(target.dtype)`, parenthesised where needed: what an in-place write stores."""
    dtype = cst.Attribute(value=target, attr=cst.Name("dtype"))
    receiver = value if isinstance(value, (cst.Call, cst.Name, cst.Attribute, cst.Subscript)) or value.lpar else \
        value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Call(func=cst.Attribute(value=receiver, attr=cst.Name("to")), args=[cst.Arg(dtype)])
