"""Rendering results as text or JSON. Returns strings; the CLI prints them.

Columns are shown 1-based (`path:line:col:`, as Ruff, flake8 and compilers print them), in the
text and the JSON output alike, while `Span` keeps LibCST's 0-based columns.
"""

from __future__ import annotations

import inspect
import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fixer.core.types import ExitPolicy, FileResult, FileStatus, Finding, Mode, Options, RunSummary, Safety, Severity, UnusedNoqa

if TYPE_CHECKING:
    from rich.text import Text

    from fixer.cli.interactive import Tally
    from fixer.core.codemod import Codemod


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def finding_line(finding: Finding) -> str:
    """`path:line:col: IP101 [warning] message (fix: safe)`, with a 1-based column."""
    return (
        f"{location(finding)}: {finding.rule_id} "
        f"[{finding.severity.value}] {finding.message} (fix: {finding.safety.label})"
    )


def location(finding: Finding) -> str:
    """`path:line:col`, or `notebook.ipynb:cell 3:2:5` for line 2, column 5 of a notebook's cell 3 (as Ruff)."""
    span = finding.span
    if finding.cell is not None:
        return f"{finding.path}:cell {finding.cell}:{span.start_line}:{span.start_col + 1}"
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
    """The findings, one per line, the unused noqa comments, and a summary line."""
    findings = [f for r in results for f in r.findings]
    lines = [finding_line(f) + "\n" for f in findings]
    return "".join(lines) + unused_noqa_lines(results) + check_summary(results, options) + "\n"


def unused_noqa_lines(results: Sequence[FileResult]) -> str:
    """`path:line:col: note: unused `# noqa: IP102` (no IP102 finding on this line)`, one per comment."""
    return "".join(
        f"{r.path}:{u.line}:{u.col + 1}: note: unused `{u.comment.strip()}` "
        f"(no {', '.join(u.codes)} finding on this line)\n"
        for r in results
        for u in r.unused_noqa
    )


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
    from fixer.cli.leftover import fix_commands

    fixable = fix_commands(findings, options)
    detail = f" ({', '.join(fixable)})" if fixable else ""
    return plural(len(findings), severity.value) + detail


def check_json(results: Sequence[FileResult], policy: ExitPolicy = ExitPolicy()) -> str:
    """`{"findings": [...], "errors": [...], "unused_noqa": [...], "summary": {...}}`, columns 1-based."""
    summary = summarize(results)
    findings = [f for r in results for f in r.findings]
    errors = [
        {"path": r.path, "kind": r.error.kind.value, "message": r.error.message, "line": r.error.line}
        for r in results
        if r.error is not None
    ]
    data = {
        "findings": [_json_finding(f) for f in findings],
        "errors": errors,
        "unused_noqa": [_json_unused(r.path, u) for r in results for u in r.unused_noqa],
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


def _json_finding(finding: Finding) -> dict[str, object]:
    """`Finding.to_json` with 1-based columns, as the text, SARIF and GitHub formats count them."""
    data = finding.to_json()
    for field, span in (("span", finding.span), ("file_span", finding.file_span)):
        if span is not None:
            data[field] = {"start_line": span.start_line, "start_col": span.start_col + 1,
                           "end_line": span.end_line, "end_col": span.end_col + 1}
    return data


def _json_unused(path: str, unused: UnusedNoqa) -> dict[str, object]:
    return {"path": path, "line": unused.line, "col": unused.col + 1, "comment": unused.comment, "codes": list(unused.codes)}


def applied_fixes(results: Sequence[FileResult]) -> str:
    """`fix --show-fixes`: per file, the fixes applied per rule, as `ruff check --fix --show-fixes` lists them."""
    lines = []
    for result in results:
        done = set(result.applied)
        counts = Counter((f.rule_id, f.rule_name) for f in result.findings if f.key in done)
        if counts:
            lines.append(f"- {result.path}:")
            lines += [f"    {count} \N{MULTIPLICATION SIGN} {rule} ({name})" for (rule, name), count in sorted(counts.items())]
    if not lines:
        return "No fixes applied.\n"
    total = sum(len(r.applied) for r in results)
    return f"Fixed {plural(total, 'finding')}:\n" + "".join(line + "\n" for line in lines) + "\n"


def fix_text(results: Sequence[FileResult], options: Options | None = None, paths: Sequence[str] = (".",)) -> str:
    """`fixed N in path` per file, the fixes per rule, each error left and why, and the warnings left."""
    from fixer.cli import leftover

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
    from fixer.cli.leftover import WARNINGS_FLAG

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


def review_summary(tally: Tally) -> str:
    """`Applied 3 changes, skipped 2, 1 display-only; wrote 2 files.` and one line per rule, after `fix -i`."""
    applied, skipped, display = (sum(c.values()) for c in (tally.applied, tally.skipped, tally.display))
    edited = sum(tally.edited.values())
    head = f"Applied {plural(applied, 'change')}" + (f" ({edited} edited)" if edited else "")
    head += f", skipped {skipped}" + (f", {display} display-only" if display else "")
    head += f"; wrote {plural(len(tally.written), 'file')}."
    lines = ["", head]
    for rule in sorted(tally.names):
        parts = [f"{tally.applied[rule]} applied", f"{tally.skipped[rule]} skipped"]
        if tally.display[rule]:
            parts.append(f"{tally.display[rule]} display-only")
        lines.append(f"  {rule} {tally.names[rule]}: {', '.join(parts)}")
    if tally.not_reviewed:
        lines.append(f"Stopped early: {plural(tally.not_reviewed, 'change')} not reviewed.")
    return "\n".join(lines)


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
    out.highlight_regex(re.compile(r"^[^\s:][^:\n]*(:cell \d+:\d+:\d+|:\d+(:\d+)?):", re.MULTILINE), "bold")
    out.highlight_regex(r"\bIP\d{3}\b", "bold red")
    out.highlight_regex(r"\[error\]", "red")
    out.highlight_regex(r"\[warning\]", "yellow")
    out.highlight_regex(r"\(fix: safe\)", "green")
    return out
