"""From what the watcher saw to what to change: each harmful line's finding, planned with the run's evidence."""

from __future__ import annotations

import re

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fixer.core import engine, registry
from fixer.analysis.evidence import Evidence
from fixer.files.sourcefile import read_source
from fixer.files.written import write_fixed
from fixer.trace.violation import Violation
from fixer.core.types import FileStatus, Finding, Safety

INSTALLED = ("site-packages", "dist-packages")


@dataclass(frozen=True, slots=True)
class LineFix:
    """What `trace --fix` does about one harmful write: the findings it applies, or why none."""

    violation: Violation
    findings: tuple[Finding, ...] = ()
    missing: str | None = None  # why the line gets no fix, when it gets none


def evidence_of(violation: Violation) -> Evidence:
    """The engine's view of a violation: plain data, no trace types."""
    saved_at = f"{violation.saved_at.path}:{violation.saved_at.line}" if violation.saved_at else None
    inside = violation.inside if violation.kind == "saved" else None  # a leaf's module is named, not a write it saved
    return Evidence(
        path=violation.write.path, line=violation.write.line, kind=violation.kind, written=violation.written,
        saved_by=violation.saved_node or violation.saved_op, saved_in=violation.saved_in, saved_at=saved_at,
        inside=inside.split("(")[0] if inside else None, inside_path=violation.inside_path if inside else None,
        failed=violation.failed,
    )


def plan_fixes(violations: Iterable[Violation], *, unsafe: bool) -> Iterator[LineFix]:
    """For each violation, the fix of the finding at its line: safe ones, unsafe ones with `unsafe`."""
    by_path: dict[str, list[Violation]] = {}
    for violation in violations:
        by_path.setdefault(violation.write.path, []).append(violation)
    for path, seen in sorted(by_path.items()):
        if any(part in INSTALLED for part in Path(path).parts):
            yield from (LineFix(v, missing="the line is in an installed package, not in your project") for v in seen)
            continue
        evidence: dict[int, Evidence] = {}
        for violation in sorted(seen, key=lambda v: not v.failed):  # a failed backward is the stronger evidence
            evidence.setdefault(violation.write.line, evidence_of(violation))
        result = engine.plan(read_source(Path(path)).text, path, registry.all_rules(), evidence=evidence)
        if result.status is FileStatus.FAILED:
            reason = f"outplace could not analyse the file: {result.error.message if result.error else 'unknown error'}"
            yield from (LineFix(v, missing=reason) for v in seen)
            continue
        for violation in seen:
            yield _decided(violation, _findings_at(violation, result.findings), unsafe)


def findings_for(violations: Iterable[Violation]) -> Iterator[Finding]:
    """Each fixable finding at a line that did a harmful write, safe or not."""
    for line_fix in plan_fixes(violations, unsafe=True):
        yield from line_fix.findings


def _findings_at(violation: Violation, findings: Iterable[Finding]) -> list[Finding]:
    """The findings of the write: at its line, or, for a write a torch module did (`ReLU(inplace=True)`
    in a Sequential, called at that line), the `inplace=True` argument of that module class."""
    if violation.kind == "saved" and violation.inside and "inplace=True" in violation.inside:
        module = violation.inside.split("(")[0]
        return [f for f in findings if f.rule_id == "IP105" and f"{module}(" in f.original]
    line = violation.write.line
    found = [f for f in findings if f.span.start_line <= line <= f.span.end_line]
    if found:
        return found
    # a module built with inplace=True elsewhere, called at this line: its finding names the call's line
    return [f for f in findings if f.rule_id == "IP105" and re.search(rf"\bat line {line}\b", f.message)]


def _decided(violation: Violation, found: list[Finding], unsafe: bool) -> LineFix:
    fixable = [f for f in found if f.fixable]
    chosen = tuple(f for f in fixable if unsafe or f.safety is Safety.SAFE)
    if chosen:
        return LineFix(violation, chosen)
    if fixable:
        because = fixable[0].message.partition("fix unsafe: ")[2].partition(". Fix: `")[0]
        why = f" ({because})" if because else ""
        return LineFix(violation, missing=f"its fix is unsafe{why}; rerun with --unsafe-fixes to apply it")
    if found:
        return LineFix(violation, missing=f"outplace has no rewrite here: {found[0].message}")
    if violation.inside and violation.kind == "saved":
        return LineFix(violation, missing=f"the write happens inside `{violation.inside}`, whose construction outplace cannot rewrite")
    return LineFix(violation, missing="outplace found no in-place write it can rewrite on this line")


def apply(findings: Iterable[Finding]) -> dict[str, int]:
    """Write the chosen fixes, file by file, atomically; the count applied per file."""
    by_path: dict[str, dict[str, Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, {})[finding.key] = finding
    applied: dict[str, int] = {}
    for path, chosen in by_path.items():
        source = read_source(Path(path))
        new_text, keys = engine.apply_fixes(source.text, list(chosen.values()), set(chosen))
        write_fixed(path, new_text, source.encoding, mode=source.mode, record=False)  # as before: trace leaves no record
        applied[path] = len(keys)
    return applied
