"""Which files `fix` must leave alone so that git can always undo it: those with uncommitted work.

As `cargo fix` decides: a file with changes in the working tree or in the index, and a file git
does not track (untracked: git holds no copy to go back to), is refused unless `--allow-dirty`.
Files that git ignores, and files outside any git work tree, are written as usual. A file whose
bytes are exactly what outplace last wrote to it is not refused (`refused_files` in fixer/files/written.py): `fix` then
`fix --unsafe-fixes` works without --allow-dirty.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

ALLOW = "commit or stash them first, or pass --allow-dirty"  # the way out, as cargo fix says it
MODIFIED = f"has uncommitted changes; {ALLOW}"
UNTRACKED = "is untracked: git could not undo the fix; commit it first, or pass --allow-dirty"


def dirty_files(files: Iterable[str]) -> dict[str, str]:
    """The real paths of the `files` that git holds uncommitted work in, each with the reason."""
    by_root: dict[Path, list[Path]] = {}
    roots: dict[Path, Path | None] = {}
    for file in files:
        real = Path(os.path.realpath(file))
        if real.parent not in roots:
            roots[real.parent] = _work_tree(real.parent)
        root = roots[real.parent]
        if root is not None:
            by_root.setdefault(root, []).append(real)
    dirty: dict[str, str] = {}
    for root, paths in by_root.items():
        try:
            status = _status(root)
        except OSError as error:  # git missing or failing: we cannot tell, so we do not write
            reason = f"cannot ask git about uncommitted changes ({error}); pass --allow-dirty"
            dirty.update((str(path), reason) for path in paths)
            continue
        dirty.update((str(path), status[path]) for path in paths if path in status)
    return dirty


def work_tree_of(path: str) -> Path | None:
    """The root of the git work tree that holds the file `path`, or None."""
    return _work_tree(Path(os.path.realpath(path)).parent)


def _work_tree(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` that holds a `.git` (folder or worktree file)."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def _status(root: Path) -> dict[Path, str]:
    """Every path of the work tree at `root` that is modified, staged, deleted or untracked."""
    command = ["git", "-C", str(root), "status", "--porcelain=v1", "-z", "--no-renames",
               "--untracked-files=all", "--ignored=no"]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, check=False)
    except OSError as error:
        raise OSError(f"git: {error.strerror or error}") from None
    if done.returncode != 0:
        message = (done.stderr.decode(errors="replace").strip().splitlines() or ["failed"])[-1]
        raise OSError(f"git status: {message}")
    top = Path(os.path.realpath(root))
    status = {}
    for entry in done.stdout.split(b"\0"):
        if len(entry) > 3:
            code, name = entry[:2], os.fsdecode(entry[3:])
            status[top / name] = UNTRACKED if code == b"??" else MODIFIED
    return status
