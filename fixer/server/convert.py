"""Findings as LSP diagnostics, code actions, hovers and text edits: pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lsprotocol import types as lsp

from fixer.core.suppress import NOQA
from fixer.core.types import ErrorKind, FileResult, Finding, Safety, Severity, Span

SOURCE = "outplace"
FIX_ALL = "source.fixAll.outplace"
SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error, Severity.WARNING: lsp.DiagnosticSeverity.Warning}
# "`h` is the output of `torch.sigmoid` (line 12)": the clause naming the line that saved or holds the value
NAMED_LINE = re.compile(r"(?P<clause>[^;]*?`[^`]+`[^;]*?) \(line (?P<line>\d+)\)")


def units(text: str, encoding: str) -> int:
    """How many code units of `encoding` (an LSP position encoding) `text` takes."""
    if encoding == lsp.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == lsp.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def position(lines: Sequence[str], line: int, column: int, encoding: str) -> lsp.Position:
    """The LSP position of a 1-based line and a 0-based column in characters."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return lsp.Position(line - 1, units(text[:column], encoding))


def span_range(lines: Sequence[str], span: Span, encoding: str) -> lsp.Range:
    return lsp.Range(position(lines, span.start_line, span.start_col, encoding),
                     position(lines, span.end_line, span.end_col, encoding))


def line_range(lines: Sequence[str], line: int, encoding: str) -> lsp.Range:
    """The code of one 1-based line, indentation and newline left out."""
    text = lines[line - 1].rstrip("\r\n") if 0 < line <= len(lines) else ""
    start = len(text) - len(text.lstrip())
    return lsp.Range(position(lines, line, start, encoding), position(lines, line, len(text), encoding))


def diagnostics(result: FileResult, lines: Sequence[str], uri: str, encoding: str,
                docs: dict[str, str] | None = None) -> list[lsp.Diagnostic]:
    """The diagnostics of a file's result: one per finding, or one for a file that could not be read."""
    if result.error is not None and not result.findings:
        return [error_diagnostic(result, lines, encoding)]
    return [diagnostic(f, lines, uri, encoding, (docs or {}).get(f.rule_id)) for f in result.findings]


def diagnostic(finding: Finding, lines: Sequence[str], uri: str, encoding: str, doc: str | None = None) -> lsp.Diagnostic:
    """A finding as a diagnostic; `doc` is the URI of its rule's documentation (`outplace explain`)."""
    related = [
        lsp.DiagnosticRelatedInformation(lsp.Location(uri, line_range(lines, line, encoding)), clause)
        for clause, line in named_lines(finding.message)
        if 0 < line <= len(lines) and line != finding.span.start_line
    ]
    return lsp.Diagnostic(
        range=span_range(lines, finding.span, encoding),
        message=finding.message,
        severity=SEVERITY[finding.severity],
        code=finding.rule_id,
        code_description=lsp.CodeDescription(doc) if doc else None,
        source=SOURCE,
        related_information=related or None,
        data={"key": finding.key, "safety": finding.safety.value, "explain": f"outplace explain {finding.rule_id}"},
    )


def error_diagnostic(result: FileResult, lines: Sequence[str], encoding: str) -> lsp.Diagnostic:
    """The one diagnostic of a file outplace could not check: a syntax error is an error, a crash a warning."""
    error = result.error
    assert error is not None
    line = error.line if error.line and 0 < error.line <= len(lines) else 1
    severity = lsp.DiagnosticSeverity.Error if error.kind is ErrorKind.PARSE else lsp.DiagnosticSeverity.Warning
    return lsp.Diagnostic(range=line_range(lines, line, encoding) if lines else lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
                          message=f"{error.kind.value} error: {error.message}", severity=severity, source=SOURCE)


def named_lines(message: str) -> list[tuple[str, int]]:
    """The lines the first clause of `message` names (what saved the value), e.g.
    ("`h` is the output of `torch.sigmoid`", 12); the clauses after `; ` say why a fix is unsafe or missing."""
    head = message.split("; ")[0].split(". Fix: `")[0]
    return [(m.group("clause").lstrip(" ,").strip(), int(m.group("line"))) for m in NAMED_LINE.finditer(head)]


def unsafe_reason(finding: Finding) -> str:
    """Why the fix of `finding` is unsafe, as its message says after `fix unsafe:`."""
    return finding.message.partition("fix unsafe: ")[2].partition(". Fix: `")[0].rstrip(".")


def fix_title(finding: Finding) -> str:
    """`Rewrite as an out-of-place assignment (safe)`, `... (unsafe: `x` is a parameter)`."""
    title = finding.fix_title or "Apply the fix"
    if finding.safety is Safety.SAFE:
        return f"{title} ({finding.rule_id}, safe)"
    reason = unsafe_reason(finding)
    return f"{title} ({finding.rule_id}, unsafe: {reason})" if reason else f"{title} ({finding.rule_id}, unsafe)"


def noqa_edit(finding: Finding, lines: Sequence[str], encoding: str) -> lsp.TextEdit:
    """The edit adding `# noqa: IPxxx` to the finding's last line, or its code to a `# noqa:` already there."""
    number = finding.span.end_line
    text = lines[number - 1].rstrip("\r\n")
    for match in NOQA.finditer(text):
        if match.group("noqa"):
            at = match.end("noqa")
            return lsp.TextEdit(lsp.Range(position(lines, number, at, encoding), position(lines, number, at, encoding)),
                                f", {finding.rule_id}")
    end = position(lines, number, len(text), encoding)
    spacing = "" if not text.strip() else "  "
    return lsp.TextEdit(lsp.Range(end, end), f"{spacing}# noqa: {finding.rule_id}")


def text_edit(old: str, new: str, encoding: str) -> lsp.TextEdit:
    """One edit turning `old` into `new`: the span between their common prefix and suffix."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return lsp.TextEdit(lsp.Range(offset_position(old, start, encoding), offset_position(old, len(old) - end, encoding)),
                        new[start : len(new) - end])


def offset_position(text: str, offset: int, encoding: str) -> lsp.Position:
    """The LSP position of a character offset into `text` (lines end at \\n, \\r\\n or \\r, as LSP counts them)."""
    before = text[:offset]
    line_start = max(before.rfind("\n"), before.rfind("\r")) + 1
    line = before.count("\n") + before.count("\r") - before.count("\r\n")
    return lsp.Position(line, units(before[line_start:], encoding))


def workspace_edit(uri: str, version: int | None, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
    """Edits to one document at `version`, refused by the client when the document has changed since."""
    document = lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
    return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(document, edits)])


def hover_text(finding: Finding, doc: str | None = None) -> str:
    """The hover of a finding (markdown): the rule, severity and fix safety, the message and its chain."""
    name = f"[{finding.rule_id}]({doc})" if doc else finding.rule_id
    lines = [f"**{name}** `{finding.rule_name}` · {finding.severity.value} · fix: {finding.safety.label}", "", finding.message]
    chain = named_lines(finding.message)
    if chain:
        lines += ["", "Saved or held by:", *(f"- line {line}: {clause}" for clause, line in chain)]
    lines += ["", f"`outplace explain {finding.rule_id}` for the rule's documentation."]
    return "\n".join(lines)


def contains(span: Span, line: int, column: int) -> bool:
    """Whether 1-based `line`, 0-based `column` (characters) lies in `span` (its end included, as editors hover)."""
    return (span.start_line, span.start_col) <= (line, column) <= (span.end_line, span.end_col)


def overlaps(span: Span, start: tuple[int, int], end: tuple[int, int]) -> bool:
    """Whether `span` meets the (line, column) range from `start` to `end` (both included)."""
    return (span.start_line, span.start_col) <= end and start <= (span.end_line, span.end_col)


def character(lines: Sequence[str], where: lsp.Position, encoding: str) -> tuple[int, int]:
    """The 1-based line and 0-based column in characters of an LSP position."""
    text = lines[where.line] if where.line < len(lines) else ""
    count = 0
    for index, char in enumerate(text):
        if count >= where.character:
            return where.line + 1, index
        count += units(char, encoding)
    return where.line + 1, len(text)
