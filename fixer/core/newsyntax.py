"""Naming the newer Python a syntax error comes from: `type X = ...` fails on 3.11 because it is 3.12 syntax.

LibCST's parser accepts the grammar of every Python it supports, whatever Python runs it; when it
parses what `ast` rejected, the nodes only a newer grammar has say which version the code needs.
Without such a node the original error stands: LibCST also accepts a few things no Python does.
"""

from __future__ import annotations

import ast
import sys

import libcst as cst

Version = tuple[int, int]


class _NewSyntax(cst.CSTVisitor):
    """Collects (version, feature) for each construct newer than the running Python."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.found: list[tuple[Version, str]] = []

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        self.found.append(((3, 12), "a `type` statement (PEP 695)"))

    def visit_TypeParameters(self, node: cst.TypeParameters) -> None:
        self.found.append(((3, 12), "type parameters `[T]` (PEP 695)"))

    def visit_TypeParam(self, node: cst.TypeParam) -> None:
        if node.default is not None:
            self.found.append(((3, 13), "a type parameter default (PEP 696)"))

    def visit_TemplatedString(self, node: cst.TemplatedString) -> None:
        self.found.append(((3, 14), "a template string `t\"...\"` (PEP 750)"))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if isinstance(node.type, cst.Tuple) and not node.type.lpar:
            self.found.append(((3, 14), "`except` with unparenthesized types (PEP 758)"))

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        try:  # quotes reused inside, backslashes, comments: what PEP 701 allowed in 3.12
            ast.parse(self.module.code_for_node(node).strip(), mode="eval")
        except SyntaxError:
            self.found.append(((3, 12), "this f-string (PEP 701: quotes, backslashes or comments inside `{}`)"))
        return False  # a nested f-string is part of this one


def newer_syntax(text: str, running: Version | None = None) -> str | None:
    """`"a `type` statement (PEP 695) needs Python 3.12; outplace runs on 3.11"`, or None when `text`
    is not valid in a Python newer than `running` (default: this one)."""
    running = running or (sys.version_info.major, sys.version_info.minor)
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None
    visitor = _NewSyntax(module)
    module.visit(visitor)
    newer = [(version, feature) for version, feature in visitor.found if version > running]
    if not newer:
        return None
    (major, minor), feature = max(newer, key=lambda item: item[0])
    return f"{feature} needs Python {major}.{minor}; outplace runs on {running[0]}.{running[1]}"
