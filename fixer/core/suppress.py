"""Suppression comments: `# noqa`, `# noqa: IP101`, `# outplace: ignore[IP101]`, `# outplace: skip-file`."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Collection, Sequence

from fixer.core.types import Finding, UnusedNoqa

SKIP_FILE = re.compile(r"^[ \t\f]*#[ \t]*outplace:[ \t]*skip-file\b", re.MULTILINE)
NOQA = re.compile(
    r"#[ \t]*(?:noqa(?::[ \t]*(?P<noqa>[A-Z]+[0-9]*(?:[ \t]*,[ \t]*[A-Z]+[0-9]*)*))?"
    r"|outplace:[ \t]*ignore(?:\[(?P<ignore>[^\]]*)\])?)",
    re.IGNORECASE,
)


def skips_file(text: str) -> bool:
    return "outplace:" in text and SKIP_FILE.search(text) is not None  # the literal first: 20x faster


def suppressed(finding: Finding, lines: list[str]) -> bool:
    """True when the finding's first or last line carries a comment that silences its rule."""
    span = finding.span
    for number in {span.start_line, span.end_line}:
        for match in NOQA.finditer(lines[number - 1]):
            codes = match.group("noqa") or match.group("ignore")
            if codes is None:
                return True  # a bare noqa silences every rule
            if any(finding.rule_id.startswith(c.strip().upper()) for c in codes.split(",") if c.strip()):
                return True
    return False


def unused(text: str, findings: Sequence[Finding], ran: Collection[str]) -> tuple[UnusedNoqa, ...]:
    """The comments naming a rule of `ran` (by full id) that silences none of `findings` on its line.

    Like Ruff's RUF100, but only for codes outplace can judge: a bare `# noqa`, another linter's
    codes and rules that did not run are left alone. Only real comments count (not a string's text).
    """
    named = {c.strip().upper() for m in NOQA.finditer(text) for c in (m.group("noqa") or m.group("ignore") or "").split(",")}
    if not named & set(ran):
        return ()  # no comment-like text names a rule that ran (`# noqa: F401`): no need to tokenize
    on_line: dict[int, set[str]] = {}
    for finding in findings:
        for number in {finding.span.start_line, finding.span.end_line}:
            on_line.setdefault(number, set()).add(finding.rule_id)
    found = []
    for line, col, comment in _comments(text):
        for match in NOQA.finditer(comment):
            codes = match.group("noqa") or match.group("ignore") or ""
            named = [c.strip().upper() for c in codes.split(",") if c.strip()]
            idle = tuple(c for c in named if c in ran and c not in on_line.get(line, ()))
            if idle:
                found.append(UnusedNoqa(line, col, comment, idle))
    return tuple(found)


def _comments(text: str) -> list[tuple[int, int, str]]:
    """(line, column, text) of every comment; none when the text does not tokenize."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    return [(t.start[0], t.start[1], t.string) for t in tokens if t.type == tokenize.COMMENT]
