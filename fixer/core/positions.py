"""Where each node of a module is: LibCST's `PositionProvider`, at a third of its cost.

`PositionProvider` runs a codegen pass that splits every token with a regular expression, wraps
every node in a generator-based context manager and builds two dataclasses per node. This pass
gives the same ranges (a test compares them node for node) with plain tuples, a newline count
per token and a class-based context manager. Sources must use "\\n" newlines, as the engine's
regions do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType

import libcst as cst
from libcst._nodes.internal import CodegenState

Point = tuple[int, int]  # (line, column): 1-based line, 0-based column
Range = tuple[Point, Point]


def positions(module: cst.Module) -> dict[cst.CSTNode, Range]:
    """The syntactic range of every node in `module`, as `PositionProvider` computes it."""
    state = _State(default_indent=module.default_indent, default_newline=module.default_newline)
    module._codegen(state)
    return state.computed


@dataclass
class _State(CodegenState):
    line: int = 1
    column: int = 0
    computed: dict[cst.CSTNode, Range] = field(default_factory=dict)
    _stack: list[Point] = field(default_factory=list)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)  # Module's codegen looks at them
        newlines = value.count("\n")
        if newlines:
            self.line += newlines
            self.column = len(value) - value.rfind("\n") - 1
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._stack.pop()
        if node not in self.computed:  # a syntactic position, recorded inside, wins
            self.computed[node] = (start, (self.line, self.column))

    def record_syntactic_position(  # type: ignore[override]
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> _Recording:
        return _Recording(self, node, start_node, end_node)


class _Recording:
    """`with state.record_syntactic_position(node, ...)`, without a generator."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _State, node: cst.CSTNode, start_node: cst.CSTNode | None,
                 end_node: cst.CSTNode | None) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = (self.state.line, self.state.column)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        state = self.state
        start = state.computed[self.start_node][0] if self.start_node is not None else self.start
        end = state.computed[self.end_node][1] if self.end_node is not None else (state.line, state.column)
        state.computed[self.node] = (start, end)
