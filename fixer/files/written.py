"""Writing a fixed file (`write_fixed`, for every front end), and what outplace last wrote to each
file, so that its own fix is not taken for uncommitted work.

`fix` refuses a file with uncommitted changes (fixer/files/vcs.py); right after `fix`, the only change
in a fixed file is outplace's. When `fix` writes a file that git held clean, it records the hash
of the bytes it wrote under `.outplace_cache/written/` at the root of the git work tree (the same
place whatever paths the run was given); a later `fix` accepts a file whose bytes are exactly
that, so `fix` then `fix --unsafe-fixes` (or `--fix-warnings`) works without `--allow-dirty`, and
any edit made since (by hand or by another tool) is refused as before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from fixer.files import vcs
from fixer.files.sourcefile import encode_source, write_atomic

if TYPE_CHECKING:
    from fixer.files.notebook import JoinedNotebook

FOLDER = "written"


def write_fixed(path: str, text: str, encoding: str, *, record: bool, mode: int | None = None,
                cells: JoinedNotebook | None = None) -> str:
    """Write a front end's fixed `text` over the file at `path`; the file's text as written.

    Every front end writes through here: the bytes in the file's own `encoding` (BOM and newlines
    are in `text` as read), a temp file renamed over the original (the file is whole or unchanged),
    with `mode` (None: the file's own), and, with `record`, the record that lets a later `fix`
    tell this write from uncommitted work. With `cells`, `text` is a notebook's joined cells.
    Raises SourceError (and NotebookError when the cells cannot be told apart).
    """
    file_text = cells.file_text(text) if cells is not None else text
    data = encode_source(file_text, encoding)
    write_atomic(Path(path), data, mode)
    if record:
        remember(path, data)
    return file_text


def remember(path: str, data: bytes) -> None:
    """Record that outplace wrote `data` to `path` (in a git work tree: elsewhere nothing is refused)."""
    from fixer.files.cache import make_cache_folder

    cache = _cache_folder(path)
    if cache is None:
        return
    folder = cache / FOLDER
    try:
        make_cache_folder(cache)
        folder.mkdir(exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write(_digest(data) + "\n")
            os.replace(temp, _record(folder, path))
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:  # a read-only tree: the next `fix` asks for --allow-dirty, as without the record
        pass


def refused_files(files: Iterable[str]) -> dict[str, str]:
    """`dirty_files`, less those whose only uncommitted change is outplace's own last write."""
    dirty = vcs.dirty_files(files)
    own = own_writes([path for path, reason in dirty.items() if reason == vcs.MODIFIED])
    return {path: reason for path, reason in dirty.items() if path not in own}


def own_writes(real_paths: Iterable[str]) -> set[str]:
    """Those of `real_paths` whose bytes on disk are exactly what outplace last wrote to them."""
    own = set()
    for path in real_paths:
        cache = _cache_folder(path)
        if cache is None:
            continue
        try:
            recorded = _record(cache / FOLDER, path).read_text(encoding="ascii").strip()
            with open(path, "rb") as handle:
                current = _digest(handle.read())
        except (OSError, UnicodeDecodeError):
            continue
        if recorded == current:
            own.add(path)
    return own


def _cache_folder(path: str) -> Path | None:
    """`.outplace_cache/` at the root of the git work tree that holds `path`; None outside git."""
    from fixer.files.cache import CACHE_FOLDER
    root = vcs.work_tree_of(path)
    return None if root is None else root / CACHE_FOLDER


def _record(folder: Path, path: str) -> Path:
    """The record of `path`, named by a hash of its real path."""
    return folder / hashlib.sha256(os.fsencode(os.path.realpath(path))).hexdigest()[:32]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
