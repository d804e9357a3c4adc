"""Finding the files to process: explicit files as given, folders walked as git would see them."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

from fixer.files.sourcefile import describe_os_error
from fixer.core.types import ErrorKind, FileError

# Folders that never hold code of the project being fixed: tooling, caches, builds, installs.
SKIPPED_FOLDERS = frozenset(
    {
        ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox", ".eggs",
        "node_modules", "build", "dist", "site-packages", ".mypy_cache", ".pytest_cache",
        ".outplace_cache",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class WalkItem:
    """A file to process, or a path that could not be walked (then `error` says why)."""

    path: Path  # as given, or joined under the given folder; never resolved
    error: FileError | None = None


@dataclass(frozen=True, slots=True)
class _Layer:
    """One ignore file in force, and the path from its folder to the folder being walked."""

    spec: GitIgnoreSpec
    prefix: str  # "" in the ignore file's own folder, else "sub/dir/"

    def below(self, name: str) -> _Layer:
        return _Layer(self.spec, f"{self.prefix}{name}/")


def _prefix(relative: Path) -> str:
    """The gitignore-style prefix of a relative folder: "" for itself, else "a/b/"."""
    return "" if relative == Path(".") else relative.as_posix() + "/"


def _is_skipped_folder(name: str) -> bool:
    return name in SKIPPED_FOLDERS or name.endswith(".egg-info")


def _read_spec(path: Path) -> GitIgnoreSpec | None:
    """The patterns of one ignore file, or None when it is missing, unreadable or empty."""
    try:
        lines = path.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except OSError:
        return None  # git itself skips an ignore file it cannot read
    spec = GitIgnoreSpec.from_lines(lines)
    return spec if len(spec) else None


def _is_ignored(layers: tuple[_Layer, ...], name: str, is_dir: bool) -> bool:
    """Whether gitignore rules ignore `name` in the current folder; deeper files take precedence."""
    suffix = "/" if is_dir else ""
    for layer in reversed(layers):
        include = layer.spec.check_file(f"{layer.prefix}{name}{suffix}").include
        if include is not None:
            return include
    return False


def _git_dir(root: Path) -> Path:
    """The git folder of a work tree; a `.git` file (worktree, submodule) points elsewhere."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    try:
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        git_dir = root / text.removeprefix("gitdir:").strip()
        common = git_dir / "commondir"  # linked worktrees keep info/exclude in the main repository
        return git_dir / common.read_text(encoding="utf-8").strip() if common.is_file() else git_dir
    except OSError:
        return dot_git  # unreadable: its info/exclude will simply not be found


def _repo_root(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` (absolute) that holds a `.git`."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


class _Walker:
    """Walks folders with their ignore rules, reading each ignore file at most once."""

    def __init__(self, exclude: Sequence[str], extensions: tuple[str, ...], force_root: Path | None = None) -> None:
        self.exclude = GitIgnoreSpec.from_lines(exclude) if exclude else None
        self.extensions = extensions
        self.force_root = force_root  # --force-exclude: paths named explicitly are matched relative to it
        self.specs: dict[Path, GitIgnoreSpec | None] = {}

    def spec_of(self, ignore_file: Path) -> GitIgnoreSpec | None:
        """The patterns of `ignore_file`, read on first use only."""
        if ignore_file not in self.specs:
            self.specs[ignore_file] = _read_spec(ignore_file)
        return self.specs[ignore_file]

    def outer_layers(self, folder: Path) -> tuple[_Layer, ...]:
        """The rules from above `folder`: the repo's info/exclude, then each parent .gitignore."""
        folder = folder.resolve()
        root = _repo_root(folder)
        if root is None:
            return ()
        parents = [parent for parent in folder.parents if parent.is_relative_to(root)]
        # Lowest precedence first: info/exclude, then .gitignore files from the root down.
        sources = [(root, _git_dir(root) / "info" / "exclude")]
        sources += [(parent, parent / ".gitignore") for parent in reversed(parents)]
        layers = []
        for base, ignore_file in sources:
            spec = self.spec_of(ignore_file)
            if spec is not None:
                layers.append(_Layer(spec, _prefix(folder.relative_to(base))))
        return tuple(layers)

    def is_excluded(self, relative: str, name: str, is_dir: bool) -> bool:
        """Whether an --exclude pattern matches the path under the given folder or the name."""
        if self.exclude is None:
            return False
        suffix = "/" if is_dir else ""
        return self.exclude.match_file(relative + suffix) or self.exclude.match_file(name + suffix)

    def is_force_excluded(self, path: Path, is_dir: bool) -> bool:
        """With --force-exclude, whether an exclude pattern matches a path named explicitly or a folder above it."""
        if self.exclude is None or self.force_root is None:
            return False
        absolute = Path(os.path.abspath(path))
        try:
            parts = absolute.relative_to(os.path.abspath(self.force_root)).parts
        except ValueError:  # outside the project: matched as given
            parts = tuple(part for part in path.as_posix().split("/") if part not in ("", "."))
        for depth, name in enumerate(parts, start=1):
            last = depth == len(parts)
            if self.is_excluded("/".join(parts[:depth]), name, is_dir or not last):
                return True
        return False

    def walk_folder(self, folder: Path) -> Iterator[WalkItem]:
        """Every wanted file under a folder named explicitly (the folder itself is never skipped)."""
        yield from self.walk(folder, "", self.outer_layers(folder))

    def walk(self, folder: Path, relative: str, layers: tuple[_Layer, ...]) -> Iterator[WalkItem]:
        """The wanted files in `folder` and below; `relative` is its path under the given folder."""
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError as exc:
            yield WalkItem(folder, FileError(ErrorKind.IO, describe_os_error(exc, folder)))
            return
        names = {entry.name for entry in entries}
        if relative and "pyvenv.cfg" in names:
            return  # a virtualenv, whatever its name
        if ".gitignore" in names and (spec := self.spec_of(folder / ".gitignore")) is not None:
            layers = (*layers, _Layer(spec, ""))
        for entry in entries:
            yield from self.visit(folder, entry, relative, layers)

    def visit(
        self, folder: Path, entry: os.DirEntry[str], relative: str, layers: tuple[_Layer, ...]
    ) -> Iterator[WalkItem]:
        """The wanted files reached through one folder entry."""
        name, path, child = entry.name, folder / entry.name, f"{relative}{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            if not _is_skipped_folder(name) and not self.is_hidden(layers, child, name, True):
                yield from self.walk(path, child + "/", tuple(layer.below(name) for layer in layers))
        elif name.endswith(self.extensions) and not self.is_hidden(layers, child, name, False):
            if entry.is_symlink():
                yield from _linked_file(path)
            elif entry.is_file(follow_symlinks=False):
                yield WalkItem(path)

    def is_hidden(self, layers: tuple[_Layer, ...], relative: str, name: str, is_dir: bool) -> bool:
        """Whether gitignore rules or an --exclude pattern leave this entry out."""
        return _is_ignored(layers, name, is_dir) or self.is_excluded(relative, name, is_dir)


def _linked_file(path: Path) -> Iterator[WalkItem]:
    """A symlink found in a folder: its file if it points to one; folders are not followed."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        yield WalkItem(path, FileError(ErrorKind.IO, describe_os_error(exc, path)))
        return
    if stat.S_ISREG(mode):
        yield WalkItem(path)


def _walk_given(walker: _Walker, path: Path) -> Iterator[WalkItem]:
    """The items for one path named by the user: a file as is, a folder walked."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        yield WalkItem(path, FileError(ErrorKind.IO, describe_os_error(exc, path)))
        return
    if walker.is_force_excluded(path, stat.S_ISDIR(mode)):
        return
    if stat.S_ISDIR(mode):
        yield from walker.walk_folder(path)
    elif stat.S_ISREG(mode):
        yield WalkItem(path)  # named explicitly: processed even if ignored or not *.py
    else:
        yield WalkItem(path, FileError(ErrorKind.IO, "not a regular file"))


def common_folder(paths: Sequence[str]) -> Path:
    """The folder holding every path given (the current one when none is)."""
    folders = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))) for p in paths]
    return Path(os.path.commonpath(folders) if folders else os.getcwd())


def project_root(paths: Sequence[str]) -> Path | None:
    """The nearest folder with a `pyproject.toml`, `setup.py` or `.git` at or above the folder holding `paths`."""
    start = common_folder(paths)
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() or (folder / "setup.py").is_file() or (folder / ".git").exists():
            return folder
    return None


def force_excluded(path: Path, exclude: Sequence[str], root: Path) -> bool:
    """Whether --force-exclude leaves out `path` (a file, possibly not on disk: `--stdin-filename`)."""
    return _Walker(exclude, (), root).is_force_excluded(path, False)


def _identity(item: WalkItem) -> object:
    """Two items are the same when they reach the same file (symlinks, overlapping paths)."""
    if item.error is not None:
        return str(item.path)
    try:
        info = os.stat(item.path)
    except OSError:
        return str(item.path)  # vanished since: keep it, reading will report why
    return (info.st_dev, info.st_ino)


def discover(
    paths: Sequence[Path], exclude: Sequence[str] = (), extensions: Sequence[str] = (".py",),
    force_root: Path | None = None,
) -> list[WalkItem]:
    """The files to process under `paths`, once each, sorted by path, errors included.

    Paths named explicitly are taken even when excluded, unless `force_root` is given (Ruff's
    --force-exclude, for pre-commit, which names every file): then `exclude` applies to them too,
    matched against their path relative to `force_root` and to each folder above them.
    """
    walker = _Walker(exclude, tuple(extensions), force_root)
    found = [item for path in paths for item in _walk_given(walker, Path(path))]
    seen: set[object] = set()
    unique = []
    for item in sorted(found, key=lambda item: str(item.path)):
        identity = _identity(item)
        if identity not in seen:
            seen.add(identity)
            unique.append(item)
    return unique
