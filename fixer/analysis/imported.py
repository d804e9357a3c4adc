"""The other files of one run: what `from .layers import Block` brings into a file.

A region that calls `self.block(x)` with `Block` imported from the project's own `layers.py`
needs `Block.forward`'s summary, as it would for a class of its own file. The front end hands
over a reader (the engine does no I/O); the files it reads are modelled once per content, and
each result names the files it was computed from, so a cache can check them before it serves it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from fixer.analysis.project import FileModel

Reader = Callable[[str], "str | None"]  # an absolute path -> the text of that file of the project, None if none
Builder = Callable[[str, str, "ProjectFiles"], "FileModel | None"]  # (path, text, project) -> its model

MAX_FILES_DEPTH = 2  # a summary asked from another file may ask one more file, no further
MAX_REEXPORTS = 4  # `from .mlp import Mlp` in a package's `__init__.py`, followed this many times
MAX_MODELS = 256  # files kept modelled at once in a run (the least recently used are dropped)
MAX_IMPORTERS = 16  # a def imported by more files than this is a library's: its callers are not followed
FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", re.MULTILINE)
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def digest(text: str) -> str:
    """The content key of a file's text (the cache compares it with the file on disk)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ProjectFiles:
    """The run's other files, read through `read` and modelled by `build`, by absolute path."""

    def __init__(self, read: Reader, build: Builder, keep_regions: int = 0) -> None:
        self._read, self._build = read, build
        self._keep_regions = keep_regions
        self._regions: OrderedDict[str, cst.Module] = OrderedDict()  # region source -> its LibCST tree (immutable)
        self._files: tuple[str, ...] = ()
        self._import_words: dict[str, frozenset[str]] | None = None  # file -> the names its `from` imports bind
        self._importers: dict[tuple[str, str], tuple[tuple[str, str], ...] | None] = {}
        self._models: OrderedDict[str, tuple[str, FileModel | None]] = OrderedDict()  # path -> (digest, model)
        self._fresh: dict[str, FileModel | None] = {}  # read during the current file's plan
        self._found: dict[tuple[str, str], tuple[str, str] | None] = {}  # (folder, qualified) -> (path, name)
        self._asked: dict[str, set[str]] = {}  # path -> the files its model asked
        self._depth = 0

    @property
    def files(self) -> tuple[str, ...]:
        """The run's files (absolute paths): where the importers of a def are looked for."""
        return self._files

    @files.setter
    def files(self, files: tuple[str, ...]) -> None:
        self._files, self._import_words = files, None
        self._importers.clear()

    def parse_region(self, source: str) -> cst.Module:
        """The LibCST tree of a region's source, kept for the next plan when `keep_regions` allows:
        an edit in one function of a file planned again re-parses that function, not the others."""
        module = self._regions.get(source)
        if module is not None:
            self._regions.move_to_end(source)
            return module
        module = cst.parse_module(source)
        if self._keep_regions:
            self._regions[source] = module
            if len(self._regions) > self._keep_regions:
                self._regions.popitem(last=False)
        return module

    def begin(self) -> None:
        """A new plan: files are read again, as the previous plan (a fix) may have written one."""
        self._fresh.clear()

    def finish(self) -> None:
        """The plan is done: the models drop their analyses (their summaries stay)."""
        for model in self._fresh.values():
            if model is not None:
                model.close()

    def resolve(self, importer: str, qualified: str) -> tuple[FileModel, str] | None:
        """The file of the project that defines what `importer` imports as `qualified`
        (`.layers.Block`, `timm.layers.Mlp`), with the name it has there."""
        importer = os.path.abspath(importer)
        for _ in range(MAX_REEXPORTS):
            found = self._find(importer, qualified)
            if found is None:
                return None
            path, name = found
            model = self.model(path)
            if model is None or path == importer:
                return None
            self._asked.setdefault(importer, set()).add(path)
            if name in model.functions or name in model.class_nodes:
                return model, name
            qualified = model.imports.get(name, "")  # re-exported: `from .mlp import Mlp` in `__init__.py`
            if not qualified:
                return None
            importer = path
        return None

    def importers(self, path: str, name: str) -> list[tuple[FileModel, str]] | None:
        """The run's other files that import the def or class `name` of the file at `path`, each
        with the name it has there; None when too many do to follow them all."""
        key = (path, name)
        if key not in self._importers:
            self._importers[key] = self._importers_now(path, name)
        found = self._importers[key]
        if found is None:
            return None
        models = [(self.model(p), local) for p, local in found]
        self._asked.setdefault(path, set()).update(p for p, _ in found)
        return [(m, local) for m, local in models if m is not None]

    def _importers_now(self, path: str, name: str) -> tuple[tuple[str, str], ...] | None:
        if self._import_words is None:
            self._import_words = {f: _imported_words(self._read(f) or "") for f in self._files if f.endswith(".py")}
        candidates = [f for f, words in self._import_words.items() if name in words and f != path]
        if len(candidates) > MAX_IMPORTERS:
            return None
        found = []
        for other in candidates:
            model = self.model(other)
            for local, qualified in (model.imports.items() if model is not None else ()):
                if qualified.rsplit(".", 1)[-1] == name and (hit := self.resolve(other, qualified)) is not None \
                        and hit[0].path == path and hit[1] == name:
                    found.append((other, local))
        return tuple(found)

    @contextmanager
    def deeper(self) -> Iterator[bool]:
        """One file further from the one being planned: whether that is still allowed."""
        self._depth += 1
        try:
            yield self._depth <= MAX_FILES_DEPTH
        finally:
            self._depth -= 1

    def model(self, path: str) -> FileModel | None:
        """The model of the file at `path` as it is now (read once per plan)."""
        if path in self._fresh:
            return self._fresh[path]
        text = self._read(path)
        model = None
        if text is not None:
            key = digest(text)
            cached = self._models.get(path)
            if cached is not None and cached[0] == key:
                model = cached[1]
                self._models.move_to_end(path)
            else:
                model = self._build(path, text, self)
                self._asked.pop(path, None)
                self._models[path] = (key, model)
                if len(self._models) > MAX_MODELS:
                    self._models.popitem(last=False)
        self._fresh[path] = model
        return model

    def dependencies(self, importer: str) -> tuple[tuple[str, str], ...]:
        """Every file the plan of `importer` read, directly or through another file's summary,
        with the digest of the text it read."""
        start = os.path.abspath(importer)
        seen: set[str] = {start}  # its own text is in the entry's key
        todo = [start]
        while todo:
            for path in self._asked.get(todo.pop(), ()):
                if path not in seen:
                    seen.add(path)
                    todo.append(path)
        return tuple(sorted((p, self._models[p][0]) for p in seen - {start} if p in self._models))

    def _find(self, importer: str, qualified: str) -> tuple[str, str] | None:
        key = (os.path.dirname(importer), qualified)
        if key not in self._found:
            self._found[key] = next(((p, n) for p, n in _candidates(importer, qualified) if self._exists(p)), None)
        return self._found[key]

    def _exists(self, path: str) -> bool:
        return path in self._models or self.model(path) is not None


def _imported_words(text: str) -> frozenset[str]:
    """The names the file's `from ... import` statements spell (a cheap filter: no parse)."""
    return frozenset(w for m in FROM_IMPORT.finditer(text) for w in WORD.findall(m.group(1)))


def _candidates(importer: str, qualified: str) -> Iterator[tuple[str, str]]:
    """Where the module holding `qualified`'s last name may be: for `.layers.Block`, the importer's
    `layers.py` or `layers/__init__.py`; for `pkg.layers.Block`, the same under each folder above it."""
    level = len(qualified) - len(qualified.lstrip("."))
    *parts, name = qualified[level:].split(".")
    if not name or not all(parts):
        return
    if level:
        base = os.path.dirname(importer)
        for _ in range(level - 1):
            base = os.path.dirname(base)
        bases = [base]
    else:
        if not parts:
            return  # `import x` binds a module, not a def
        bases, base = [], os.path.dirname(importer)
        while True:
            bases.append(base)
            parent = os.path.dirname(base)
            if parent == base:
                break
            base = parent
    for base in bases:
        folder = os.path.join(base, *parts)
        if parts:
            yield folder + ".py", name
        yield os.path.join(folder, "__init__.py"), name
