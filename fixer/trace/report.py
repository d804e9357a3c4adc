"""What the trace watcher saw, as plain data: no torch needed to read or print it."""

from __future__ import annotations

import json
import linecache
import os
from dataclasses import asdict, dataclass, field


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

    def describe(self) -> str:
        """`train.py:14  h.add_(1)  wrote to the output of sigmoid saved at train.py:12 ...`."""
        head = f"{self.write.show()}  {self.write.code()}  "
        if self.inside:
            head += f"(in {self.inside}) "
        if self.kind == "leaf":
            return head + "wrote in place to a leaf tensor that requires grad, outside torch.no_grad()"
        if self.kind == "multi-view":
            made = f" made at {self.saved_at.show()}" if self.saved_at else ""
            return head + f"wrote in place to an output of {self.saved_op}{made}; such views may not be modified"
        assert self.saved_at is not None and self.versions is not None
        before, after = self.versions
        module = f" (in {self.saved_in})" if self.saved_in else ""
        return head + (
            f"wrote to the {self.saved_role} of {self.saved_op}{module} saved at {self.saved_at.show()} "
            f"(version {before} -> {after}); backward needs it"
        )


@dataclass(slots=True)
class TraceReport:
    """Every violation seen while watching, in the order they happened."""

    violations: list[Violation] = field(default_factory=list)

    def add(self, violation: Violation) -> None:
        if violation not in self.violations:
            self.violations.append(violation)

    @property
    def failed(self) -> list[Violation]:
        return [v for v in self.violations if v.failed]

    @property
    def findings(self) -> list[object]:
        """The fixable findings at the lines that did the harmful writes, planned with this evidence (see fixer.trace.fixes)."""
        from fixer.trace.fixes import findings_for

        return list(findings_for(self.violations))

    def to_json(self) -> str:
        return json.dumps([asdict(v) for v in self.violations], indent=1)

    @classmethod
    def from_json(cls, text: str) -> TraceReport:
        report = cls()
        for raw in json.loads(text):
            raw["write"] = Location(**raw["write"])
            raw["saved_at"] = Location(**raw["saved_at"]) if raw["saved_at"] else None
            raw["versions"] = tuple(raw["versions"]) if raw["versions"] else None
            raw["written"] = tuple(raw.get("written", ()))
            report.violations.append(Violation(**raw))
        return report
