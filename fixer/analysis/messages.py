"""Messages the analyses build: text with line numbers the engine fills in once positions are known."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True, slots=True)
class LineOf:
    """Stands in a message for the line `node` starts on (known once positions are resolved)."""

    node: cst.CSTNode


Message = tuple[str | LineOf, ...]


def code(node: cst.CSTNode) -> str:
    """The source of a node on its own."""
    return cst.Module(body=[]).code_for_node(node)
