"""What a function does to the tensors passed to it, as a caller sees it: the summary `FileModel` computes."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from fixer.analysis.project import FileModel
    from fixer.analysis.scope import FunctionFacts

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True, slots=True)
class Summary:
    """What a function does to the tensors passed to it, and what it returns."""

    params: tuple[str, ...]  # positional parameters a caller fills, `self` left out
    saves: Mapping[str, str]  # parameter -> the op that saves it for backward
    result: str | None  # the op whose saved output it returns
    writes: frozenset[str]  # parameters it writes in place
    result_unsaved: bool = False  # every return is a known op's new output that op does not save
    result_grad_free: bool = False  # every return is a value made without grad
    origin: str = ""  # the other file of the run that defines it (`layers.py`); "" for the file's own
    results: tuple[str | None, ...] = ()  # every return a tuple this long: the op whose saved output each element is


def unpacked_result(name: str, statement: cst.CSTNode, scope: FunctionFacts,
                    file: FileModel | None) -> tuple[cst.Call, str] | None:
    """`a, b = self.pair(x)`: the call `name` takes an element of, and the op whose saved output
    that element is (from the callee's summary, when every return of it is a tuple that long)."""
    if file is None or not (isinstance(statement, cst.Assign) and len(statement.targets) == 1):
        return None
    target, value = statement.targets[0].target, statement.value
    if not isinstance(target, (cst.Tuple, cst.List)) or not isinstance(value, cst.Call):
        return None
    elements = target.elements
    index = next((i for i, e in enumerate(elements) if isinstance(e.value, cst.Name) and e.value.value == name), None)
    if index is None or any(isinstance(e, cst.StarredElement) for e in elements):
        return None
    summary = file.summary_of(value.func, scope)
    if summary is None or len(summary.results) != len(elements) or summary.results[index] is None:
        return None
    return value, summary.results[index]  # type: ignore[return-value]
