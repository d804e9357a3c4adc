"""Run-time evidence: a write `outplace trace` saw break autograd, handed to the static rules.

The engine takes it per file, keyed by line (`engine.plan(..., evidence={line: Evidence})`). A
write at an evidenced line is an `error` whatever the static analysis proved, with a message
naming what the run saw; its fix safety is still the static aliasing analysis's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from fixer.analysis.messages import LineOf, Message, code
from fixer.core.positions import Range, positions
from fixer.core.types import Safety


@dataclass(frozen=True, slots=True)
class Evidence:
    """One in-place write seen at run time, and what it overwrote."""

    path: str
    line: int  # 1-based, in `path`
    kind: str = "saved"  # "saved" (a value saved for backward), "leaf", "multi-view"
    written: tuple[str, ...] = ()  # local names holding the written tensor, when the watcher saw them
    saved_by: str | None = None  # the op that saved it: its autograd node ("NativeLayerNormBackward0") or aten name
    saved_in: str | None = None  # the torch.nn module whose code saved it ("LayerNorm")
    saved_at: str | None = None  # where it was saved, "block.py:12"
    inside: str | None = None  # the torch.nn module whose code did the write ("ReLU"), called at `line`
    inside_path: str | None = None  # how the code at `line` reaches that module: "self.act", "model.2"
    failed: bool = True  # backward (or the forward op) really raised because of it

    def reason(self, target: cst.BaseExpression, write: cst.CSTNode) -> Message:
        """The finding's sentence: what the run saw, naming the op that saved the value."""
        head = "backward failed at run time" if self.failed else "seen at run time"
        written = f"`{code(target)}`"
        if self.kind == "leaf":
            what = f"{written} is a leaf tensor that requires grad"
        elif self.kind == "multi-view":
            what = f"{written} is an output of `{self.saved_by}`{self._where()}, which may not be written in place"
        else:
            what = f"{written} was saved by {self.saved_by or 'an op'}{self._where()}"
        return (f"{head}: {what}; `{_first_line(write)}` at line ", LineOf(write), " wrote it in place")

    def holds(self, target: cst.BaseExpression) -> bool:
        """Whether the run saw the name `target` hold the written tensor: it is a tensor there."""
        return isinstance(target, cst.Name) and target.value in self.written

    def safety(self, safety: Safety, because: Message, *, no_grad: bool) -> tuple[Safety, Message]:
        """The aliasing analysis's verdict, made unsafe for a write under no_grad, whose out-of-place
        result would no longer require grad (the in-place one kept the tensor's graph)."""
        if no_grad and safety is Safety.SAFE:
            return Safety.UNSAFE, ("the write runs without grad: out of place, the result no longer requires grad",)
        return safety, because

    def module_reason(self) -> str:
        """The sentence for a torch.nn module built with `inplace=True` that did the write."""
        head = "backward failed at run time" if self.failed else "seen at run time"
        saved = f" a value {self.saved_by} saved{self._where()}" if self.saved_by else ""
        return f"{head}: `nn.{self.inside}` with inplace=True, called at line {self.line}, wrote in place{saved}"

    def _where(self) -> str:
        """` (in `LayerNorm`, line 12)`: the module and line that saved the value, as far as known."""
        parts = [f"in `{self.saved_in}`"] if self.saved_in else []
        if self.saved_at:
            path, _, line = self.saved_at.rpartition(":")
            same_file = os.path.basename(path) == os.path.basename(self.path)
            parts.append(f"line {line}" if same_file else f"at {self.saved_at}")
        return f" ({', '.join(parts)})" if parts else ""


class RegionEvidence:
    """A region's view of its file's evidence: found by node, once positions are known."""

    def __init__(self, evidence: Mapping[int, Evidence], offset: int = 0) -> None:
        """`offset`: the file line of the region's line 0."""
        self.evidence, self.offset = evidence, offset
        self._where: dict[cst.CSTNode, Range] | None = None

    def at(self, module: cst.Module | None, node: cst.CSTNode, target: cst.BaseExpression) -> Evidence | None:
        """The evidence of a write into `target` done by `node` itself (not inside a torch module)."""
        if not self.evidence or module is None:
            return None
        if self._where is None:
            self._where = positions(module)
        span = self._where.get(node)
        if span is None:
            return None
        lines = range(span[0][0] + self.offset, span[1][0] + self.offset + 1)
        found = [e for line in lines if (e := self.evidence.get(line)) is not None and e.inside is None]
        root = _root_name(target)
        return next((e for e in found if not e.written or root is None or root in e.written), None)

    def by_module(self, module_class: str, path: str | None) -> Evidence | None:
        """The evidence of a write done inside a torch.nn module of class `module_class` in this file,
        reached as `path` (`self.act`, `model.2`) when both the run and the code tell."""
        return next((e for e in self.evidence.values() if e.inside == module_class
                     and (path is None or e.inside_path is None or e.inside_path == path)), None)


NO_EVIDENCE = RegionEvidence({})


def _root_name(target: cst.BaseExpression) -> str | None:
    """`x` for `x`, `x[i]`, `x.view(-1)`; None for an attribute (`self.w`), whose holder is no tensor."""
    while isinstance(target, (cst.Subscript, cst.Call)):
        target = target.value if isinstance(target, cst.Subscript) else target.func  # type: ignore[assignment]
        if isinstance(target, cst.Attribute):
            target = target.value
    return target.value if isinstance(target, cst.Name) else None


def _first_line(node: cst.CSTNode, width: int = 60) -> str:
    lines = code(node).strip().splitlines() or [""]
    first = " ".join(lines[0].split())
    return first if len(first) <= width and len(lines) == 1 else first[: width - 1] + "…"
