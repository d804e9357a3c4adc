"""`check --add-noqa`: a `# noqa: IPxxx` comment on each line with a finding, as `ruff check --add-noqa`.

The comment goes on the finding's first line, or its last when the first ends inside a string or
after a backslash (where a comment would change the code); a line that already has a `# noqa:`
list gets the new codes added to it. Notebook findings are left alone: their lines are in cells.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from fixer.files.sourcefile import SourceError, read_source, split_lines
from fixer.files.written import write_fixed
from fixer.core.types import FileResult, Finding

# An existing `# noqa: A1, B2` list, which the new codes join (a bare `# noqa` silences all already).
_NOQA_LIST = re.compile(r"#[ \t]*noqa:[ \t]*(?P<codes>[A-Z]+[0-9]*(?:[ \t]*,[ \t]*[A-Z]+[0-9]*)*)", re.IGNORECASE)


def with_noqa(text: str, findings: Iterable[Finding]) -> tuple[str, int]:
    """`text` with the comments that silence `findings`, and how many lines got one."""
    commentable = _commentable_lines(text)
    codes: dict[int, set[str]] = defaultdict(set)
    for finding in findings:
        line = next((n for n in (finding.span.start_line, finding.span.end_line) if n in commentable), None)
        if line is not None and finding.cell is None:
            codes[line].add(finding.rule_id)
    lines = split_lines(text)
    for number, new in codes.items():
        lines[number - 1] = _commented(lines[number - 1], new)
    return "".join(lines), len(codes)


def _commented(line: str, codes: set[str]) -> str:
    body = line.rstrip("\r\n")
    end = line[len(body):]
    existing = _NOQA_LIST.search(body)
    if existing is None:
        return f"{body.rstrip()}  # noqa: {', '.join(sorted(codes))}{end}"
    old = [c.strip() for c in existing["codes"].split(",")]
    merged = ", ".join([*old, *sorted(codes - {c.upper() for c in old})])
    return f"{body[:existing.start('codes')]}{merged}{body[existing.end('codes'):]}{end}"


def _commentable_lines(text: str) -> set[int]:
    """The lines whose end is outside any string and not continued by a backslash."""
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return {token.start[0] for token in tokens if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT)}


def add_to_files(results: Sequence[FileResult]) -> tuple[int, list[str]]:
    """Add the comments to every file with findings, written atomically; (lines changed, error lines)."""
    added, errors = 0, []
    for result in results:
        findings = [f for f in result.findings if f.cell is None]
        if not findings or result.path == "-":
            continue
        try:
            source = read_source(Path(result.path))
            text, count = with_noqa(source.text, findings)
            if count:
                write_fixed(result.path, text, source.encoding, mode=source.mode, record=False)  # as before: no record
        except SourceError as error:
            errors.append(error.error.describe(result.path))
            continue
        except (tokenize.TokenError, SyntaxError) as error:  # the file changed since it was checked
            errors.append(f"{result.path}: no noqa added: {error}")
            continue
        added += count
    return added, errors
