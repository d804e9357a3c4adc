"""The result cache: `.outplace_cache/` at the project root (see `cache_root`), one entry per (file content, run setup).

An entry is the pickled `FileResult` of one file, stored under a key that hashes everything the
result depends on: the file's bytes, its path as given (findings name it), the run's mode, the
rule selection for that file (select, ignore and its per-file ignores), `--unsafe-fixes`,
`--fix-warnings`, and a
fingerprint of outplace's own code and data, which stands for its version (so an edited rule or
table never serves an old result), of the Python version and of libcst's and nbformat's. An entry is used only when its key matches exactly and each other file its findings were computed
from (what the file imports from the project: `FileResult.depends`) still has the text it had; a missing,
unreadable or corrupt entry is a miss. Entries are written atomically (temp file + rename), so a
reader never sees half of one. `fix` and `diff` store a result only when the file had nothing to
fix: a cached file is then one that needs neither a write nor a diff.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from fixer.core.types import FileResult, Mode, Options
from fixer.files.selection import ignored_codes

CACHE_FOLDER = ".outplace_cache"
FORMAT = b"outplace-cache 2\n"  # the header of every entry; bump when the layout changes
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # holds fixer/ and codemods/


def cache_root(paths: Sequence[str], config_root: str | None) -> Path:
    """The folder that holds the cache, at the project root as `.ruff_cache` is: the configuration's
    folder, else the nearest folder with a `pyproject.toml`, `setup.py` or `.git` at or above the paths' common
    root, else the current directory (so it never lands inside a package that would ship it)."""
    if config_root is not None:
        return Path(config_root) / CACHE_FOLDER
    from fixer.files.walk import project_root

    return (project_root(paths) or Path(os.getcwd())) / CACHE_FOLDER


@functools.cache
def code_fingerprint() -> str:
    """What outplace's results depend on besides the input: the Python version, the size and mtime
    of each of outplace's own source and data files (so any release or edit of outplace changes it:
    this stands for outplace's version, which `importlib.metadata` takes 0.1-0.3 s to read), and the
    same for the version files of libcst and nbformat (found, not imported)."""
    from importlib.util import find_spec

    digest = hashlib.sha256(f"{FORMAT!r} {sys.version}\n".encode())
    files = []
    for package in ("fixer", "codemods"):
        for folder, dirs, names in os.walk(_PACKAGE_ROOT / package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            files += [os.path.join(folder, name) for name in sorted(names) if name.endswith((".py", ".json"))]
    for dependency, version_file in (("libcst", "_version.py"), ("nbformat", "_version.py")):
        spec = find_spec(dependency)
        if spec is not None and spec.origin:
            files.append(os.path.join(os.path.dirname(spec.origin), version_file))
    for path in files:
        try:
            info = os.stat(path)
            digest.update(f"{path}:{info.st_size}:{info.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{path}: missing\n".encode())
    return digest.hexdigest()


def entry_key(path: str, data: bytes, options: Options) -> str:
    """The key of `path` holding `data` in a run with `options`."""
    setup = repr((
        code_fingerprint(), options.mode.value, path, options.select,
        options.ignore + ignored_codes(path, options), options.unsafe_fixes, options.fix_warnings,
    ))  # fmt: skip
    digest = hashlib.sha256(setup.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


class Cache:
    """Reading and writing entries under one `.outplace_cache/` folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / key[2:]

    def load(self, key: str) -> FileResult | None:
        """The stored result for `key`, or None when it is missing or unusable."""
        try:
            data = self._entry(key).read_bytes()
        except OSError:
            return None
        if not data.startswith(FORMAT):
            return None
        try:
            stored_key, result = pickle.loads(data[len(FORMAT):])
        except Exception:  # noqa: BLE001 -- a corrupt entry is a miss, whatever unpickling raised
            return None
        if stored_key != key or not isinstance(result, FileResult):
            return None
        return result

    def store(self, key: str, result: FileResult) -> None:
        """Write the entry atomically; a failure to write (read-only tree, full disk) is ignored."""
        target = self._entry(key)
        try:
            self._prepare(target.parent)
            handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(FORMAT + pickle.dumps((key, result), protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            pass

    def _prepare(self, folder: Path) -> None:
        if folder.is_dir():
            return
        make_cache_folder(self.folder)
        folder.mkdir(exist_ok=True)


def make_cache_folder(folder: Path) -> None:
    """Create the cache folder, with a `.gitignore` that keeps it out of git; may raise OSError."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Created by outplace automatically.\n*\n", encoding="utf-8")


def lookup(path: str, options: Options) -> tuple[str | None, FileResult | None]:
    """The key of `path` as it is on disk now, and its cached result if any (None, None: unreadable)."""
    if options.cache_dir is None:
        return None, None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None, None
    key = entry_key(path, data, options)
    result = Cache(Path(options.cache_dir)).load(key)
    if result is not None and not all(_digest_now(p) == d for p, d in result.depends):
        return key, None  # a file it imports from changed: what it imports may have too
    return key, result


def _digest_now(path: str) -> str | None:
    """The digest of the file's text as the engine computed it, for a dependency of an entry."""
    from fixer.analysis.imported import digest
    from fixer.files.sourcefile import decode_source

    try:
        with open(path, "rb") as handle:
            return digest(decode_source(handle.read())[0])
    except Exception:  # noqa: BLE001 -- unreadable or undecodable now: the entry cannot be trusted
        return None


def cacheable(result: FileResult, options: Options) -> bool:
    """Whether `result` may be stored: no error, and (in diff and fix) nothing was changed."""
    if result.error is not None or options.mode is Mode.PLAN:
        return False
    return options.mode is Mode.CHECK or result.new_text is None
