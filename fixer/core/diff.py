"""Unified diffs that `git apply` and `patch -p1` accept, checked by parsing them back with unidiff.

Lines are split on "\\n" only, as git and patch split them, so "\\r\\n" endings stay in the
diff's lines and a lone "\\r" stays inside a line. A file that does not end with a newline gets
the `\\ No newline at end of file` marker.

Patch tools compare bytes. `diff_bytes` therefore encodes the hunks in the file's own encoding
(a latin-1 file gives latin-1 bytes, a UTF-8 file with a BOM keeps the BOM on its first line) and
the header paths in the file-system encoding; `outplace diff` writes those bytes to stdout
unchanged, so its output applies to the files whatever their encoding (like `git diff`).
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
from pathlib import Path

import unidiff
from unidiff.constants import LINE_TYPE_NO_NEWLINE

_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_NO_NEWLINE = "\\ No newline at end of file\n"


class DiffError(Exception):
    """The diff made by difflib does not read back as the change it describes (a bug)."""


def diff_path(path: str) -> str:
    """The path as a diff names it: relative to the working folder when inside it, "/"-separated."""
    if os.path.isabs(path):
        try:
            return Path(path).relative_to(Path.cwd()).as_posix()
        except ValueError:
            return Path(path).as_posix().lstrip("/")
    return Path(path).as_posix().removeprefix("./")


def unified_diff(path: str, old_text: str, new_text: str) -> str:
    """The diff from `old_text` to `new_text` with `a/path` and `b/path` headers; "" when equal."""
    if old_text == new_text:
        return ""
    name = diff_path(path)
    old_lines, new_lines = lines_of(old_text), lines_of(new_text)
    out = []
    for line in difflib.unified_diff(old_lines, new_lines, f"a/{name}", f"b/{name}", n=3):
        out.append(line if line.endswith("\n") else line + "\n" + _NO_NEWLINE)
    diff = "".join(out)
    check(diff, old_lines, new_text)
    return diff


def diff_bytes(path: str, old_text: str, new_text: str, encoding: str) -> bytes:
    """`unified_diff` as bytes: hunks in the file's `encoding` (BOM included), headers as paths."""
    bom = "\ufeff" if codecs.lookup(encoding).name == "utf-8-sig" else ""
    diff = unified_diff(path, bom + old_text, bom + new_text)
    if not diff:
        return b""
    header_end = diff.index("\n", diff.index("\n") + 1) + 1  # the "---" and "+++" lines
    body_encoding = "utf-8" if bom else encoding
    return os.fsencode(diff[:header_end]) + diff[header_end:].encode(body_encoding)


def lines_of(text: str) -> list[str]:
    """`text` split after each "\\n", ends kept; joining gives `text` back."""
    return _LINE.findall(text)


def check(diff: str, old_lines: list[str], new_text: str) -> None:
    """Raise DiffError unless unidiff reads `diff` as one file turning `old_lines` into `new_text`."""
    try:
        patch = unidiff.PatchSet(diff)
    except unidiff.UnidiffParseError as error:
        raise DiffError(f"unidiff cannot parse the diff: {error}") from None
    if len(patch) != 1:
        raise DiffError(f"unidiff reads {len(patch)} files in the diff of one file")
    out: list[str] = []
    position = 0
    for hunk in patch[0]:
        start = hunk.source_start if hunk.source_length == 0 else hunk.source_start - 1
        source, target = _sides(hunk)
        if old_lines[start : start + len(source)] != source or start < position:
            raise DiffError(f"hunk at line {hunk.source_start} does not match the old text")
        out += old_lines[position:start] + target
        position = start + len(source)
    if "".join(out + old_lines[position:]) != new_text:
        raise DiffError("applying the diff does not give the new text")


def _sides(hunk: unidiff.Hunk) -> tuple[list[str], list[str]]:
    """The old and new lines of a hunk, with no-newline markers applied."""
    source: list[str] = []
    target: list[str] = []
    previous = ""
    for line in hunk:
        kind = line.line_type
        if kind == LINE_TYPE_NO_NEWLINE:
            for side in (source,) * (previous in " -") + (target,) * (previous in " +"):
                side[-1] = side[-1].removesuffix("\n")
            continue
        if kind in " -":
            source.append(line.value)
        if kind in " +":
            target.append(line.value)
        previous = kind
    return source, target
