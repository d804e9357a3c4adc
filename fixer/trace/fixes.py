"""From what the watcher saw to what to change: the static findings at the harmful lines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from fixer import engine, registry
from fixer.sourcefile import encode_source, read_source, write_atomic
from fixer.trace.report import Violation
from fixer.types import Finding


def findings_for(violations: Iterable[Violation]) -> Iterator[Finding]:
    """Each fixable static finding at a line that did a harmful write.

    A write done inside a torch module (`ReLU(inplace=True)` in a Sequential) happens at the line
    calling the model; its finding is the `inplace=True` argument of that module class in the file.
    """
    lines_by_path: dict[str, set[int]] = {}
    modules_by_path: dict[str, set[str]] = {}
    for violation in violations:
        lines_by_path.setdefault(violation.write.path, set()).add(violation.write.line)
        if violation.inside and "inplace=True" in violation.inside:
            modules_by_path.setdefault(violation.write.path, set()).add(violation.inside.split("(")[0])
    for path, lines in sorted(lines_by_path.items()):
        text = read_source(Path(path)).text
        modules = modules_by_path.get(path, set())
        for finding in engine.plan(text, path, registry.all_rules()).findings:
            covered = range(finding.span.start_line, finding.span.end_line + 1)
            by_module = finding.rule_id == "IP105" and any(f"{m}(" in finding.original for m in modules)
            if finding.fixable and (by_module or any(line in covered for line in lines)):
                yield finding


def apply(findings: Iterable[Finding]) -> dict[str, int]:
    """Write the chosen fixes, file by file, atomically; the count applied per file."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    applied: dict[str, int] = {}
    for path, chosen in by_path.items():
        source = read_source(Path(path))
        new_text, keys = engine.apply_fixes(source.text, chosen, {f.key for f in chosen})
        write_atomic(Path(path), encode_source(new_text, source.encoding), source.mode)
        applied[path] = len(keys)
    return applied
