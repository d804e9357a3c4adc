"""Machine formats for `check`: SARIF 2.1.0, GitHub workflow annotations, per-rule statistics.

Strings in, strings out, like `report`. SARIF and GitHub columns are 1-based, counted in
characters (SARIF's `unicodeCodePoints`), while `Span` columns are 0-based.

Both read a file as text, so a notebook finding is located by its `file_span`, the line of the
.ipynb JSON that holds the cell's line: that is the line GitHub shows an annotation on and a
SARIF viewer opens; a cell's own line number is a different line of that file. The message
names the cell and its line, as the text output does.
"""

from __future__ import annotations

import inspect
import json
from collections import Counter
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from fixer.core.types import FileResult, Finding, Safety, Severity

if TYPE_CHECKING:
    from fixer.core.codemod import Codemod

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/outplace/"


def tool_version() -> str:
    """outplace's installed version (`outplace --version`, SARIF's driver version)."""
    try:
        return version("outplace")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


# SARIF -----------------------------------------------------------------------------------------
def sarif(results: Sequence[FileResult], rules: Sequence[type[Codemod]]) -> str:
    """A SARIF 2.1.0 log: every rule, one result per finding with its fix, unprocessed files as notifications."""
    index = {rule.ID: i for i, rule in enumerate(rules)}
    findings = [f for r in results for f in r.findings]
    errors = [r for r in results if r.error is not None]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "outplace",
                "version": tool_version(),
                "informationUri": INFORMATION_URI,
                "rules": [_sarif_rule(rule) for rule in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The folder outplace ran in."}}},
        "invocations": [
            {
                "executionSuccessful": not errors,
                "toolExecutionNotifications": [
                    {
                        "level": "error",
                        "message": {"text": f"{r.error.kind.value} error: {r.error.message}"},
                        "locations": [_location(r.path, {"startLine": r.error.line} if r.error.line else None)],
                    }
                    for r in errors
                    if r.error is not None
                ],
            }
        ],
        "results": [_sarif_result(f, index.get(f.rule_id)) for f in findings],
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _sarif_rule(rule: type[Codemod]) -> dict[str, Any]:
    doc = inspect.cleandoc(rule.__doc__ or "")
    summary = doc.split("\n\n")[0].replace("\n", " ") if doc else rule.NAME
    return {
        "id": rule.ID,
        "name": rule.NAME,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": doc or summary},
        "help": {"text": doc or summary, "markdown": doc or summary},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"fix": rule.FIX_TITLE},
    }


def _region(finding: Finding) -> dict[str, int]:
    s = finding.file_span or finding.span
    return {"startLine": s.start_line, "startColumn": s.start_col + 1, "endLine": s.end_line, "endColumn": s.end_col + 1}


def _location(path: str, region: dict[str, int] | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"}}
    if region is not None:
        physical["region"] = region
    return {"physicalLocation": physical}


def _uri(path: str) -> str:
    """A relative URI reference for a path (SARIF wants `/` and percent-escapes)."""
    from urllib.parse import quote

    return quote(path.replace("\\", "/").removeprefix("./"))


def _sarif_result(finding: Finding, rule_index: int | None) -> dict[str, Any]:
    in_cell = finding.cell is not None
    where = f"cell {finding.cell}, line {finding.span.start_line}: " if in_cell else ""
    located = not in_cell or finding.file_span is not None
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": "error" if finding.severity is Severity.ERROR else "warning",
        "message": {"text": f"{where}{finding.message}. {finding.why}".strip()},
        "locations": [_location(finding.path, _region(finding) if located else None)],
        "partialFingerprints": {"outplaceKey/v1": finding.key},
        "properties": {"safety": finding.safety.value, **({"cell": finding.cell} if in_cell else {})},
    }
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    # Fixes that also add an import, or live in a notebook cell, cannot be one plain replacement.
    if finding.fixable and finding.replacement is not None and not finding.imports and not in_cell:
        label = "" if finding.safety is Safety.SAFE else " (unsafe: may change behaviour)"
        result["fixes"] = [
            {
                "description": {"text": f"{finding.fix_title or 'Fix'}{label}"},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": _uri(finding.path), "uriBaseId": "%SRCROOT%"},
                        "replacements": [
                            {"deletedRegion": _region(finding), "insertedContent": {"text": finding.replacement}}
                        ],
                    }
                ],
            }
        ]
    return result


# GitHub workflow commands ----------------------------------------------------------------------
def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (`escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, escaped as GitHub's toolkit does (`escapeProperty`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{level} {props}::{escape_data(message)}\n"


def github(results: Sequence[FileResult]) -> str:
    """One `::error`/`::warning` annotation per finding and per file that could not be processed."""
    lines = []
    for result in results:
        if result.error is not None:
            props: dict[str, object] = {"file": result.path}
            if result.error.line:
                props["line"] = result.error.line
            props["title"] = f"outplace {result.error.kind.value} error"
            lines.append(_command("error", props, result.error.message))
        for finding in result.findings:
            lines.append(_annotation(finding))
    return "".join(lines)


def _annotation(finding: Finding) -> str:
    level = "error" if finding.severity is Severity.ERROR else "warning"
    props: dict[str, object] = {"file": finding.path}
    prefix = "" if finding.cell is None else f"cell {finding.cell}, line {finding.span.start_line}: "
    s = finding.file_span if finding.cell is not None else finding.span
    if s is not None:
        props.update(line=s.start_line, endLine=s.end_line)
        if s.start_line == s.end_line:  # GitHub ignores columns on multi-line annotations
            props.update(col=s.start_col + 1, endColumn=s.end_col + 1)
    props["title"] = f"outplace {finding.rule_id} ({finding.rule_name})"
    return _command(level, props, f"{prefix}{finding.message} (fix: {finding.safety.label})")


# statistics ------------------------------------------------------------------------------------
def statistics(results: Sequence[FileResult], as_json: bool = False, unsafe_fixes: bool = False) -> str:
    """Findings counted per rule, most frequent first: `count  id  name  (n fixable)`; with
    `unsafe_fixes`, unsafe fixes count as fixable."""
    findings = [f for r in results for f in r.findings]
    counts = Counter(f.rule_id for f in findings)
    available = (Safety.SAFE, Safety.UNSAFE) if unsafe_fixes else (Safety.SAFE,)
    fixable = Counter(f.rule_id for f in findings if f.fixable and f.safety in available)
    names = {f.rule_id: f.rule_name for f in findings}
    order = sorted(counts, key=lambda rule: (-counts[rule], rule))
    if as_json:
        rows = [{"code": r, "name": names[r], "count": counts[r], "fixable": fixable[r]} for r in order]
        return json.dumps(rows, indent=2) + "\n"
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "".join(
        f"{counts[r]:>{width}}  {r}  {names[r]}" + (f"  ({fixable[r]} fixable)" if fixable[r] else "") + "\n"
        for r in order
    )
