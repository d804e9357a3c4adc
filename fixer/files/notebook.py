"""Jupyter notebooks: code cells joined into one module, IPython syntax masked, fixes put back.

The code cells are joined, each after a marker line, so the analysis sees names defined in
earlier cells (a tensor made in cell 2 and written in cell 5). Lines of IPython syntax
(`%timeit`, `!pip`, `x = !ls`, `obj?`) become `pass` for parsing and are restored verbatim
afterwards; a cell run by a non-Python cell magic (`%%bash`) is left out. Fixes are written
back by replacing only the JSON value of each changed cell's `source`, so every other byte of
the file (outputs, metadata, key order, indentation, escapes) stays as it was.

Findings carry `cell` (1-based position among all cells, as a reader counts them) and lines
relative to that cell, and `file_span`, the same place in the notebook's JSON text: the line a
tool that reads the file as text (GitHub annotations, SARIF viewers) can show.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from json.decoder import scanstring

from fixer.core.types import ErrorKind, FileError, FileResult, FileStatus, Finding, Span

# A line IPython rewrites before Python sees it: a magic, a shell escape, or a help request.
IPYTHON_LINE = re.compile(
    r"[ \t]*(?:[%!]|[?]{1,2}[\w.]"  # %magic, !cmd, ?obj
    r"|[\w.]+[?]{1,2}[ \t]*$"  # obj?, obj??
    r"|[\w.,\[\] \t]+=[ \t]*[%!])"  # x = !ls, t = %timeit -o f()
)
# Cell magics whose body is still Python: only their first line is masked.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3", "pypy"})
MASK = re.compile(r"^[ \t]*pass  # outplace-ipython (\d+)$")
MARKER = re.compile(r"^# outplace-cell (\d+)\n", re.MULTILINE)
LINE_MENTION = re.compile(r"\bline (\d+)\b")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class NotebookError(Exception):
    """The text is not a notebook outplace can read or write back."""


@dataclass(frozen=True, slots=True)
class Joined:
    """The code cells as one module: `text`, and what is needed to split it back."""

    text: str
    cells: tuple[int, ...]  # 0-based index in the notebook of each joined cell, in order
    masked: tuple[str, ...]  # the original line behind each `pass  # outplace-ipython N`
    newline_added: tuple[bool, ...]  # per joined cell: a final "\n" was added for joining


@dataclass(frozen=True, slots=True)
class JoinedNotebook:
    """A notebook planned as one module, for `fix -i`: what is needed to show and write back a joined text."""

    original: str  # the notebook's JSON text as read
    joined: Joined
    count: int  # how many cells the notebook has

    def cell_line(self, text: str, line: int) -> tuple[int, int]:
        """(cell number, line in that cell) of `line` of a joined `text`."""
        at, cell = _cell_of(line, _markers(text))
        return cell, line - at

    def in_cell(self, finding: Finding, text: str) -> Finding:
        """`finding`, planned on the joined `text`, in cell coordinates (its message's lines too)."""
        return _in_cell(finding, _markers(text))

    def sources(self, text: str) -> list[str | None]:
        """Each cell's source in a joined `text` (None for cells that are not joined); NotebookError when the markers moved."""
        return split_cells(text, self.joined, self.count)

    def file_text(self, text: str) -> str:
        """The notebook's JSON with the cells of the joined `text`, every other byte as read."""
        old, new = self.sources(self.joined.text), self.sources(text)
        return write_sources(self.original, {i: s for i, s in enumerate(new) if s != old[i]})


def is_notebook(path: str) -> bool:
    return path.endswith(".ipynb")


def plan(text: str, path: str, work: Callable[[str], FileResult]) -> tuple[FileResult, JoinedNotebook | None]:
    """`work` (a plan) over the joined code, the result left in joined coordinates so that its
    fixes can be applied by key (`fix -i`), and the notebook to write the joined text back into."""
    try:
        sources, language = read_cells(text)
    except NotebookError as error:
        return FileResult(path, FileStatus.FAILED, error=FileError(ErrorKind.PARSE, str(error))), None
    if language not in (None, "python"):
        return FileResult(path, FileStatus.SKIPPED), None
    joined = join_cells(sources)
    result = work(joined.text)
    if result.error is not None:
        result = dataclasses.replace(result, error=_cell_error(result.error, joined.text))
    return result, JoinedNotebook(text, joined, len(sources))


def process(text: str, path: str, work: Callable[[str], FileResult]) -> FileResult:
    """`work` (plan or fix) over the notebook's joined code; the result in cell coordinates."""
    try:
        sources, language = read_cells(text)
        if language not in (None, "python"):
            return FileResult(path, FileStatus.SKIPPED)
        joined = join_cells(sources)
        result = work(joined.text)
        if result.error is not None:  # a fix reverted, a rule that failed: the rest of the result still holds
            result = dataclasses.replace(result, error=_cell_error(result.error, joined.text))
            if result.status is FileStatus.FAILED:
                return result
        new_text = None
        if result.new_text is not None:
            new_sources = split_cells(result.new_text, joined, len(sources))
            new_text = write_sources(text, {i: s for i, s in enumerate(new_sources) if s != sources[i]})
    except NotebookError as error:
        return FileResult(path, FileStatus.FAILED, error=FileError(ErrorKind.PARSE, str(error)))
    applied = set(result.applied)
    # Applied fixes are located in the text they were planned on, the rest in the final text.
    before, after = _markers(joined.text), _markers(result.new_text or joined.text)
    final = new_text if new_text is not None else text
    place = {True: (before, text, _source_spans(text)), False: (after, final, _source_spans(final))}

    def located(finding: Finding) -> Finding:
        markers, notebook, spans = place[finding.key in applied]
        return _in_file(_in_cell(finding, markers), notebook, spans)

    findings = [located(f) for f in result.findings]
    keys = {old.key: new.key for old, new in zip(result.findings, findings)}
    return dataclasses.replace(  # unused noqa comments are not reported in cells (their lines are the joined text's)
        result, findings=tuple(findings), applied=tuple(keys[k] for k in result.applied), new_text=new_text,
        unused_noqa=(),
    )


def read_cells(text: str) -> tuple[list[str | None], str | None]:
    """Each cell's source (None for a cell that is not code), and the kernel's language."""
    from nbformat import NBFormatError, ValidationError, reader  # 0.4 s to import: notebooks only

    try:
        notebook = reader.reads(text)
    except (ValueError, ValidationError, NBFormatError, AttributeError, KeyError, TypeError) as error:
        reason = (str(error).splitlines() or [type(error).__name__])[0]  # nbformat's errors for bad shapes
        raise NotebookError(f"not a readable Jupyter notebook: {reason}") from None
    version = notebook.get("nbformat") if isinstance(notebook, dict) else None
    if version != 4 or not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"not a Jupyter notebook of format 4 (format: {version})")
    metadata = notebook.get("metadata", {})
    language = metadata.get("language_info", {}).get("name") or metadata.get("kernelspec", {}).get("language")
    sources = [cell.source if cell.cell_type == "code" else None for cell in notebook.cells]
    return sources, language.lower() if isinstance(language, str) else None


def join_cells(sources: list[str | None]) -> Joined:
    """The code cells as one module, each after `# outplace-cell N`, IPython lines masked."""
    parts, cells, masked, added = [], [], [], []
    for index, source in enumerate(sources):
        if source is None:
            continue
        lines = source.splitlines(keepends=True)
        body = _mask(lines, masked)
        if body is None:
            continue  # a cell in another language, kept as it is
        cells.append(index)
        added.append(bool(body) and not body.endswith("\n"))
        parts.append(f"# outplace-cell {index + 1}\n{body}{chr(10) if added[-1] else ''}")
    return Joined("".join(parts), tuple(cells), tuple(masked), tuple(added))


def _mask(lines: list[str], masked: list[str]) -> str | None:
    """The cell with IPython lines masked, or None when a cell magic makes it non-Python."""
    out = []
    magic = re.match(r"%%(\w+)", lines[0]) if lines else None
    if magic and magic.group(1) not in PYTHON_CELL_MAGICS:
        return None
    continued, indent = False, ""
    for number, line in enumerate(lines):
        if continued or (magic and number == 0) or IPYTHON_LINE.match(line):
            body = line.rstrip("\r\n")
            if not continued:  # a continuation line takes the indent of the line it continues
                indent = body[: len(body) - len(body.lstrip(" \t"))]
            continued = body.endswith("\\")
            out.append(f"{indent}pass  # outplace-ipython {len(masked)}{line[len(body):]}")
            masked.append(body)
        else:
            out.append(line)
    return "".join(out)


def split_cells(text: str, joined: Joined, count: int) -> list[str | None]:
    """The source of every cell (None for those not joined) from a fixed joined text."""
    markers = list(MARKER.finditer(text))
    numbers = [int(m.group(1)) - 1 for m in markers]
    if numbers != list(joined.cells):
        raise NotebookError("a fix moved the boundaries between cells")
    sources: list[str | None] = [None] * count
    for n, (index, marker) in enumerate(zip(numbers, markers)):
        end = markers[n + 1].start() if n + 1 < len(markers) else len(text)
        body = text[marker.end() : end]
        if n == 0:
            body = text[: marker.start()] + body  # imports a fix added above the first cell
        if joined.newline_added[n] and body.endswith("\n"):
            body = body[:-1]
        sources[index] = _unmask(body, joined.masked)
    return sources


def _unmask(body: str, masked: tuple[str, ...]) -> str:
    lines = body.splitlines(keepends=True)
    for i, line in enumerate(lines):
        content = line.rstrip("\r\n")
        match = MASK.match(content)
        if match:
            lines[i] = masked[int(match.group(1))] + line[len(content) :]
    return "".join(lines)


def _markers(text: str) -> list[tuple[int, int]]:
    """(line, cell number) of each cell marker of a joined text."""
    return [(text.count("\n", 0, m.start()) + 1, int(m.group(1))) for m in MARKER.finditer(text)]


def _cell_of(line: int, markers: list[tuple[int, int]]) -> tuple[int, int]:
    """(marker line, cell number) of the cell holding `line` of the joined text."""
    return max(((at, cell) for at, cell in markers if at < line), default=(0, 0))


def _in_cell(finding: Finding, markers: list[tuple[int, int]]) -> Finding:
    """`finding` (in joined coordinates) with its cell number and lines relative to the cell."""
    at, cell = _cell_of(finding.span.start_line, markers)
    s = finding.span
    span = Span(s.start_line - at, s.start_col, s.end_line - at, s.end_col)

    def cell_line(match: re.Match[str]) -> str:  # messages name other lines ("saved at line 6")
        other_at, other = _cell_of(int(match.group(1)), markers)
        where = "" if other == cell else f"cell {other}, "
        return f"{where}line {int(match.group(1)) - other_at}"

    message, why = (LINE_MENTION.sub(cell_line, text) for text in (finding.message, finding.why))
    return dataclasses.replace(finding, span=span, cell=cell or None, message=message, why=why, key="")


def _in_file(finding: Finding, notebook: str, spans: dict[int, tuple[int, int]]) -> Finding:
    """`finding` (in cell coordinates) with `file_span`: where it lies in the notebook's JSON text."""
    if finding.cell is None or finding.cell - 1 not in spans:
        return finding
    start, end = spans[finding.cell - 1]
    s = finding.span
    first = _file_position(notebook, _offset_in_json(notebook, start, end, s.start_line, s.start_col))
    last = _file_position(notebook, _offset_in_json(notebook, start, end, s.end_line, s.end_col))
    return dataclasses.replace(finding, file_span=Span(first[0], first[1], last[0], last[1]))


def _offset_in_json(text: str, start: int, end: int, line: int, col: int) -> int:
    """The offset in `text` of the character at (line, col) of the JSON string or list of strings at text[start:end]."""
    at_line, at_col, offset = 1, 0, start
    for char, offset in _json_characters(text, start, end):
        if (at_line, at_col) >= (line, col):
            return offset
        at_line, at_col = (at_line + 1, 0) if char == "\n" else (at_line, at_col + 1)
    return offset + 1  # just past the last character: the end of the cell


def _json_characters(text: str, start: int, end: int) -> Iterator[tuple[str, int]]:
    """Each character the JSON string(s) at text[start:end] stand for, with the offset of its escape or itself."""
    tokens = [(start, end)] if text[start] == '"' else _array_spans(text, start)
    for token_start, token_end in tokens:
        i = token_start + 1
        while i < token_end - 1:
            size = 1
            if text[i] == "\\":
                size = 6 if text[i + 1] == "u" else 2
                if size == 6 and 0xD800 <= int(text[i + 2 : i + 6], 16) < 0xDC00 and text[i + 6 : i + 8] == "\\u":
                    size = 12  # a surrogate pair: one character
            yield _DECODER.decode(f'"{text[i : i + size]}"') if size > 1 else text[i], i
            i += size


def _file_position(text: str, offset: int) -> tuple[int, int]:
    """(1-based line, 0-based column) of `offset` in `text`."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1)


def _cell_error(error: FileError, text: str) -> FileError:
    """A parse error located by cell and line instead of its line in the joined text."""
    if error.line is None:
        return error
    at, cell = _cell_of(error.line, _markers(text))
    if not cell:
        return error
    return FileError(error.kind, f"cell {cell}, line {error.line - at}: {error.message}")


# writing back --------------------------------------------------------------------------------------
def write_sources(text: str, sources: dict[int, str | None]) -> str:
    """`text` with the `source` of the cells in `sources` replaced, every other byte kept."""
    ascii_only = text.isascii()
    pieces, last = [], 0
    for index, (start, end) in sorted(_source_spans(text).items()):
        if index in sources and sources[index] is not None:
            pieces += [text[last:start], _source_json(text[start:end], sources[index] or "", ascii_only)]
            last = end
    return "".join(pieces) + text[last:]


def _source_json(old: str, source: str, ascii_only: bool) -> str:
    """The JSON for `source` in the layout of `old` (one string, or a list of lines)."""
    if old.startswith('"'):
        return json.dumps(source, ensure_ascii=ascii_only)
    items = _array_spans(old, 0)
    tokens = [old[a:b] for a, b in items]
    lines = source.splitlines(keepends=True)  # as nbformat splits them
    if not items:  # `[]`: no layout to copy, use Jupyter's
        return json.dumps(lines, ensure_ascii=ascii_only)
    lead, trail = old[1 : items[0][0]], old[items[-1][1] : -1]
    old_lines = [_DECODER.decode(token) for token in tokens]
    new_tokens = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, lines, autojunk=False).get_opcodes():
        if tag == "equal":
            new_tokens += tokens[i1:i2]  # untouched lines keep their exact escapes
        else:
            new_tokens += [json.dumps(line, ensure_ascii=ascii_only) for line in lines[j1:j2]]
    if not new_tokens:
        return "[]"
    return "[" + lead + ("," + lead).join(new_tokens) + trail + "]"


def _skip(text: str, i: int) -> int:
    return _WHITESPACE.match(text, i).end()  # type: ignore[union-attr]  # matches the empty string


def _value_end(text: str, i: int) -> int:
    return _DECODER.raw_decode(text, i)[1]


def _members(text: str, i: int) -> list[tuple[str, int, int]]:
    """The (key, value start, value end) of the JSON object starting at `i`."""
    if text[i] != "{":
        raise NotebookError("expected a JSON object")
    found, i = [], _skip(text, i + 1)
    while text[i] != "}":
        key, i = scanstring(text, i + 1)
        i = _skip(text, _skip(text, i) + 1)  # the colon
        end = _value_end(text, i)
        found.append((key, i, end))
        i = _skip(text, end)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return found


def _array_spans(text: str, i: int) -> list[tuple[int, int]]:
    """The (start, end) of each item of the JSON array starting at `i`."""
    if text[i] != "[":
        raise NotebookError("expected a JSON array")
    found, i = [], _skip(text, i + 1)
    while text[i] != "]":
        end = _value_end(text, i)
        found.append((i, end))
        i = _skip(text, end)
        if text[i] == ",":
            i = _skip(text, i + 1)
    return found


def _source_spans(text: str) -> dict[int, tuple[int, int]]:
    """Where the `source` value of each cell lies in the notebook's JSON text."""
    top = {key: (start, end) for key, start, end in _members(text, _skip(text, 0))}
    if "cells" not in top:
        raise NotebookError("the notebook has no cells array")
    spans = {}
    for index, (start, _) in enumerate(_array_spans(text, top["cells"][0])):
        for key, value_start, value_end in _members(text, start):
            if key == "source":
                spans[index] = (value_start, value_end)
    return spans
