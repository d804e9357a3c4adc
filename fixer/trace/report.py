"""What the trace watcher saw, as plain data: no torch needed to read or print it."""

from __future__ import annotations

import json
import linecache
import os
from dataclasses import asdict, dataclass, field, replace


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
        return cls.from_list(json.loads(text))

    @classmethod
    def from_list(cls, seen: list[dict[str, object]]) -> TraceReport:
        """The report from its JSON form, already parsed."""
        report = cls()
        for raw in seen:
            raw["write"] = Location(**raw["write"])
            raw["saved_at"] = Location(**raw["saved_at"]) if raw["saved_at"] else None
            raw["inside_built_at"] = Location(**raw["inside_built_at"]) if raw.get("inside_built_at") else None
            raw["versions"] = tuple(raw["versions"]) if raw["versions"] else None
            raw["written"] = tuple(raw.get("written", ()))
            report.violations.append(Violation(**raw))
        return report


def render(report: TraceReport) -> list[str]:
    """The lines printed after a traced run: one entry per line of code that wrote, each thing it
    overwrote below it (a loop's repeated writes of the same value counted once)."""
    if not report.violations:
        return ["outplace trace: no in-place write broke autograd."]
    by_line: dict[Location, dict[tuple[object, ...], list[Violation]]] = {}
    for v in report.violations:
        same = (v.kind, v.saved_role, v.saved_at, v.saved_expr or v.saved_op, v.inside, v.saved_in)  # the same value again
        by_line.setdefault(v.write, {}).setdefault(same, []).append(v)
    count = len(by_line)
    lines = [f"outplace trace: in-place writes on {count} line{'s' if count > 1 else ''} break autograd:"]
    for where in sorted(by_line, key=lambda w: (w.path, w.line)):
        lines.append(f"  {where.show()}  {where.code()}")
        for repeats in by_line[where].values():
            lines.append(f"    {_repeated(repeats)}")
    return lines


def _repeated(writes: list[Violation]) -> str:
    """One write's sentence; for the same value written again and again, the count and the versions it went through."""
    shown = next((w for w in writes if w.failed), writes[0])  # a failed backward named the op best
    versions = [w.versions for w in writes if w.versions is not None]
    if len(writes) == 1 or not versions:
        return shown.what()
    sentence = replace(shown, versions=(min(v[0] for v in versions), max(v[1] for v in versions))).what()
    return sentence.replace("(version ", f"({len(writes)} times, version ", 1)
