"""What the trace watcher saw, as plain data: no torch needed to read or print it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace

from fixer.trace.violation import Location, Violation


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
