"""Rendering results as text or JSON. Returns strings; the CLI prints them.

Columns are shown 1-based (`path:line:col:`, as Ruff, flake8 and compilers print them), while
`Span` and the JSON output keep LibCST's 0-based columns.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fixer.runner import Mode, Options
from fixer.types import ExitPolicy, FileResult, FileStatus, Finding, RunSummary, Safety, Severity

if TYPE_CHECKING:
    from rich.text import Text

    from fixer.codemod import Codemod


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def finding_line(finding: Finding) -> str:
    """`path:line:col: IP101 [warning] message (fix: safe)`, with a 1-based column."""
    span = finding.span
    return (
        f"{location(finding)}: {finding.rule_id} "
        f"[{finding.severity.value}] {finding.message} (fix: {finding.safety.label})"
    )


def location(finding: Finding) -> str:
    """`path:line:col`, or `notebook.ipynb:cell 3:line 2:col 5` for a notebook cell."""
    span = finding.span
    if finding.cell is not None:
        return f"{finding.path}:cell {finding.cell}:line {span.start_line}:col {span.start_col + 1}"
    return f"{finding.path}:{span.start_line}:{span.start_col + 1}"


def error_lines(results: Sequence[FileResult]) -> str:
    """One line per file that could not be processed: `path:line: parse error: reason`."""
    return "".join(r.error.describe(r.path) + "\n" for r in results if r.error is not None)


def summarize(results: Sequence[FileResult]) -> RunSummary:
    summary = RunSummary()
    for result in results:
        summary.add(result)
    return summary


def check_text(results: Sequence[FileResult], options: Options | None = None) -> str:
    """The findings, one per line, and a summary line."""
    findings = [f for r in results for f in r.findings]
    lines = [finding_line(f) + "\n" for f in findings]
    return "".join(lines) + check_summary(results, options) + "\n"


def check_summary(results: Sequence[FileResult], options: Options | None = None) -> str:
    """`Found 3 findings in 2 files: 1 error (1 fixable with `outplace fix`), 2 warnings (...).`"""
    checked = sum(r.status is not FileStatus.FAILED for r in results)
    failed = len(results) - checked
    findings = [f for r in results for f in r.findings]
    not_done = f" {plural(failed, 'file')} could not be processed." if failed else ""
    if not findings:
        lead = "All checked" if not failed else "Checked"
        return f"{lead}: no findings in {plural(checked, 'file')}.{not_done}"
    options = options or Options()
    files = sum(bool(r.findings) for r in results)
    parts = [
        _severity_part(severity, [f for f in findings if f.severity is severity], options)
        for severity in Severity
        if any(f.severity is severity for f in findings)
    ]
    return f"Found {plural(len(findings), 'finding')} in {plural(files, 'file')}: {', '.join(parts)}.{not_done}"


def _severity_part(severity: Severity, findings: list[Finding], options: Options) -> str:
    """`2 warnings (1 fixable with `outplace fix --fix-warnings`, 1 with `outplace fix --fix-warnings --unsafe-fixes`)`."""
    from fixer.leftover import fix_commands

    fixable = fix_commands(findings, options)
    detail = f" ({', '.join(fixable)})" if fixable else ""
    return plural(len(findings), severity.value) + detail


def check_json(results: Sequence[FileResult], policy: ExitPolicy = ExitPolicy()) -> str:
    """`{"findings": [...], "errors": [...], "summary": {...}}`, columns 0-based as in `Span`."""
    summary = summarize(results)
    findings = [f for r in results for f in r.findings]
    errors = [
        {"path": r.path, "kind": r.error.kind.value, "message": r.error.message, "line": r.error.line}
        for r in results
        if r.error is not None
    ]
    data = {
        "findings": [f.to_json() for f in findings],
        "errors": errors,
        "summary": {
            "files": sum(r.status is not FileStatus.FAILED for r in results),
            "files_with_findings": sum(bool(r.findings) for r in results),
            "findings": len(findings),
            "fixable": sum(f.fixable and f.safety is Safety.SAFE for f in findings),
            "unsafe_fixable": sum(f.fixable and f.safety is Safety.UNSAFE for f in findings),
            "by_rule": dict(sorted(summary.findings.items())),
            "by_severity": {s.value: sum(f.severity is s for f in findings) for s in Severity},
            "errors": len(errors),
            "exit_code": summary.exit_code(policy),
        },
    }
    return json.dumps(data, indent=2) + "\n"


def fix_text(results: Sequence[FileResult], options: Options | None = None, paths: Sequence[str] = (".",)) -> str:
    """`fixed N in path` per file, the fixes per rule, each error left and why, and the warnings left."""
    from fixer import leftover

    options = options or Options(mode=Mode.FIX)
    summary = summarize(results)
    names = {f.rule_id: f.rule_name for r in results for f in r.findings}
    lines = [f"fixed {len(r.applied)} in {r.path}" for r in results if r.applied]
    fixed_files = len(lines)
    if summary.fixed:
        lines.append(f"Fixed {plural(sum(summary.fixed.values()), 'finding')} in {plural(fixed_files, 'file')}:")
        lines += [f"  {rule} {names[rule]}: {count}" for rule, count in sorted(summary.fixed.items())]
    else:
        checked = sum(r.status is not FileStatus.FAILED for r in results)
        lines.append(f"Nothing fixed in {plural(checked, 'file')}.")
    errors = leftover.remaining_errors(results, options)
    if errors:
        lines.append(f"Autograd will still fail at {plural(len(errors), 'place')}:")
        lines += ["  " + leftover.error_line(held, location(held.finding)) for held in errors]
    warnings = leftover.warnings_line(results, options, paths)
    if warnings:
        lines.append(warnings)
    if summary.errors:
        lines.append(f"{plural(summary.errors, 'file')} could not be processed.")
    return "".join(line + "\n" for line in lines)


def diff_summary(results: Sequence[FileResult], options: Options | None = None) -> str:
    """What `outplace fix` would do, for the end of `outplace diff` (printed on stderr)."""
    from fixer.leftover import WARNINGS_FLAG

    options = options or Options(mode=Mode.DIFF)
    would = sum(len(r.applied) for r in results)
    files = sum(bool(r.applied) for r in results)
    lead = f"Would fix {plural(would, 'finding')} in {plural(files, 'file')}." if would else "No changes."
    left = [f for r in results for f in r.remaining]
    errors = sum(f.severity is Severity.ERROR for f in left)
    warnings = len(left) - errors
    if errors:
        lead += f" {plural(errors, 'error')} would be left."
    if warnings and not options.fix_warnings:
        lead += f" {plural(warnings, 'warning')} left as they are ({WARNINGS_FLAG} shows their fixes)."
    elif warnings:
        lead += f" {plural(warnings, 'warning')} would be left."
    return lead + "\n"


def rules_table(rules: Sequence[type[Codemod]]) -> str:
    """One row per rule: id, name, default fix safety, fix title."""
    rows = [("ID", "NAME", "SAFETY", "FIX")] + [(r.ID, r.NAME, r.SAFETY.value, r.FIX_TITLE) for r in rules]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "".join(
        f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d}".rstrip() + "\n" for a, b, c, d in rows
    )


def explain(rule: type[Codemod]) -> str:
    """The rule's documentation: its id and name, then its docstring."""
    return f"{rule.ID} {rule.NAME}\n\n{inspect.cleandoc(rule.__doc__ or '')}\n"


def styled(text: str) -> Text:
    """`text` with rule ids, severities and paths coloured, for a terminal."""
    from rich.text import Text

    out = Text(text)
    out.highlight_regex(re.compile(r"^[^\s:][^:\n]*(:cell \d+:line \d+:col \d+|:\d+(:\d+)?):", re.MULTILINE), "bold")
    out.highlight_regex(r"\bIP\d{3}\b", "bold red")
    out.highlight_regex(r"\[error\]", "red")
    out.highlight_regex(r"\[warning\]", "yellow")
    out.highlight_regex(r"\(fix: safe\)", "green")
    return out
