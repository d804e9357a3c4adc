"""One harmful write the trace watcher saw, and the line of code it happened at: plain data, no torch."""

from __future__ import annotations

import linecache
import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A line of the user's code."""

    path: str
    line: int

    def code(self) -> str:
        return linecache.getline(self.path, self.line).strip()

    def show(self) -> str:
        path = os.path.relpath(self.path) if os.path.isabs(self.path) else self.path
        return f"{path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Violation:
    """One in-place write that autograd cannot survive, with what it overwrote."""

    write: Location
    op: str  # the in-place aten op, e.g. "add_"
    kind: str  # "saved" (a value saved for backward), "leaf", "multi-view"
    saved_op: str | None = None  # the op that saved the value, e.g. "sigmoid"
    saved_role: str | None = None  # "output" or "input"
    saved_at: Location | None = None
    versions: tuple[int, int] | None = None  # (saved version, version after the write)
    failed: bool = False  # backward (or the forward op) really raised because of it
    inside: str | None = None  # the torch module whose code did the write, e.g. "ReLU(inplace=True)"
    written: tuple[str, ...] = ()  # the local names holding the written tensor at the write
    saved_node: str | None = None  # the autograd node that saved the value, e.g. "NativeLayerNormBackward0"
    saved_in: str | None = None  # the torch module whose code saved the value, e.g. "LayerNorm"
    inside_path: str | None = None  # how the user's code reaches `inside`, e.g. "self.act", "model.2"
    saved_expr: str | None = None  # the user's expression that saved the value, e.g. "x * w", "self.norm(x)"
    inside_built_at: Location | None = None  # where the user's code built `inside`, e.g. `nn.ReLU(inplace=True)`

    def describe(self) -> str:
        """`train.py:14  h.add_(1)  wrote to the output of `torch.sigmoid(x)` saved at train.py:12 ...`."""
        return f"{self.write.show()}  {self.write.code()}  {self.what()}"

    def what(self) -> str:
        """What the write did, without its line: `wrote to the input of `x * w` (MulBackward0) saved at ...`."""
        head = self.by_module()
        if self.kind == "leaf":
            return head + "wrote in place to a leaf tensor that requires grad, outside torch.no_grad()"
        if self.kind == "multi-view":
            made = f" made at {self.saved_at.show()}" if self.saved_at else ""
            op = as_written(self.saved_expr, self.saved_op) if self.saved_expr else self.saved_op
            return head + f"wrote in place to an output of {op}{made}; such views may not be modified"
        assert self.saved_at is not None and self.versions is not None
        before, after = self.versions
        return head + (
            f"wrote to the {self.saved_role} of {self.saver()} saved at {self.saved_at.show()} "
            f"(version {before} -> {after}); backward needs it"
        )

    def by_module(self) -> str:
        """The torch module that did the write, its path and the line that built it: `self.act`, a ReLU(inplace=True) built at net.py:9, ."""
        if not self.inside:
            return ""
        path = f"`{self.inside_path}`, " if self.inside_path else ""
        built = f" built at {self.inside_built_at.show()}" if self.inside_built_at else ""
        return f"{path}a {self.inside}{built}, "

    def saver(self) -> str:
        """The op that saved the value as the user wrote it (`x * w`), with autograd's name for it."""
        op = self.saved_op or "an op"
        if not self.saved_expr:
            return f"{op} (in {self.saved_in})" if self.saved_in else op
        named = self.saved_in or self.saved_node or (None if self.failed else op)  # unconfirmed: the op dispatched last
        return as_written(self.saved_expr, named)


def as_written(expression: str, named: str | None) -> str:
    """The user's expression in backquotes, with autograd's name for its op where the expression does not
    already say it: `x * w` (MulBackward0), `self.norm(x)` (LayerNorm), but `torch.sigmoid(x)` alone."""
    if named is None or named.lower().removesuffix("backward0").removesuffix("backward1") in expression.lower():
        return f"`{expression}`"
    return f"`{expression}` ({named})"
