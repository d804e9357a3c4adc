"""What the server keeps between edits: each folder's configuration and each project's file models.

The configuration of a document is that of `outplace check` on its file, read again when a
`pyproject.toml` above it changes (its modification time is compared on every check). The other
files of a project are modelled once per content (fixer/analysis/imported.py) and read through the
editor first, so what a document imports from an open, unsaved file is what the editor shows.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fixer.core import engine
from fixer.cli import report
from fixer.files import runner, walk
from fixer.analysis.imported import ProjectFiles
from fixer.files.config import ConfigError, load_config
from fixer.core.registry import all_rules, unknown_codes
from fixer.core.types import FileResult, FileStatus, Options
from fixer.files.selection import rules_for
from fixer.files.walk import force_excluded

OpenText = Callable[[str], "str | None"]  # an absolute path -> the editor's text of it, None when not open
KEEP_REGIONS = 512  # parsed regions (functions, classes) kept between edits: a few large files' worth
Stamp = tuple[tuple[str, int | None], ...]  # (pyproject.toml, modification time or None) at and above a folder


@dataclass(frozen=True, slots=True)
class Settings:
    """How the files of one folder are checked: the run's options, and the configuration's error if any."""

    options: Options
    error: str | None = None


class Checker:
    """Plans and fixes documents as `outplace check` and `outplace fix` would their files, keeping state warm."""

    def __init__(self, open_text: OpenText) -> None:
        self._open_text = open_text
        self._settings: dict[str, tuple[Stamp, Settings]] = {}  # folder -> settings, valid while its stamp holds
        self._projects: dict[str, ProjectFiles] = {}  # project root -> its files' models
        self._roots: dict[str, str] = {}  # folder -> project root
        self.open_files: tuple[str, ...] = ()  # the open documents: where the importers of a def are looked for
        self._docs: dict[str, str] | None = None

    def settings(self, path: str) -> Settings:
        """The settings of the file at `path`, read again when a pyproject.toml at or above it changed."""
        folder = os.path.dirname(os.path.abspath(path))
        stamp = _stamp(folder)
        cached = self._settings.get(folder)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        settings = _read_settings(path, self.root(path))
        self._settings[folder] = (stamp, settings)
        return settings

    def forget_settings(self) -> None:
        """A pyproject.toml changed: read every configuration again."""
        self._settings.clear()

    def root(self, path: str) -> str:
        """The project root of `path`, as `outplace check` finds it."""
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._roots:
            self._roots[folder] = str(walk.project_root([path]) or walk.common_folder([path]))
        return self._roots[folder]

    def check(self, path: str, text: str) -> FileResult:
        """The findings in `text` as the file at `path`; never raises."""
        return self._guarded(path, lambda options, project: engine.plan(text, path, rules_for(path, options), project=project))

    def fix_all(self, path: str, text: str) -> FileResult:
        """What `outplace fix` makes of `text` as the file at `path`: its `new_text`, or None; never raises."""
        return self._guarded(path, lambda options, project: engine.fix(text, path, rules_for(path, options),
                                                                       options.accept, project=project))

    def _guarded(self, path: str, work: Callable[[Options, ProjectFiles], FileResult]) -> FileResult:
        options = self.settings(path).options
        if options.force_exclude and force_excluded(Path(path), options.exclude, Path(options.root or os.getcwd())):
            return FileResult(path, FileStatus.SKIPPED)
        try:
            return work(options, self.project(path))
        except Exception as error:  # noqa: BLE001 -- the one per-document boundary: a bug must not stop the server
            return runner.crashed(path, error)

    def project(self, path: str) -> ProjectFiles:
        """The warm models of the files of `path`'s project."""
        root = self.root(path)
        project = self._projects.get(root)
        if project is None:
            project = self._projects[root] = engine.project_files(self._reader(root), KEEP_REGIONS)
        if project.files != self.open_files:
            project.files = self.open_files
        return project

    def _reader(self, root: str) -> Callable[[str], str | None]:
        """The project's files as `outplace check` reads them, an open one as the editor holds it."""
        from_disk = runner.project_reader(root)
        prefix = os.path.join(os.path.realpath(root), "")

        def read(path: str) -> str | None:
            if path.endswith(".py") and os.path.realpath(path).startswith(prefix):
                text = self._open_text(path)
                if text is not None:
                    return text
            return from_disk(path)

        return read

    def rule_docs(self) -> dict[str, str]:
        """Each rule's `outplace explain` text as a file URI, written once per server, for diagnostics to link to."""
        if self._docs is None:
            folder = Path(tempfile.gettempdir()) / f"outplace-rules-{os.getuid() if hasattr(os, 'getuid') else 0}"
            self._docs = {}
            try:
                folder.mkdir(exist_ok=True)
                for rule in all_rules():
                    page = folder / f"{rule.ID}.md"
                    page.write_text(report.explain(rule), encoding="utf-8")
                    self._docs[rule.ID] = page.as_uri()
            except OSError:
                self._docs = {}  # no link rather than no diagnostics
        return self._docs


def _stamp(folder: str) -> Stamp:
    """The pyproject.toml files that could configure `folder`, with their modification times."""
    stamps = []
    current = folder
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        try:
            stamps.append((candidate, os.stat(candidate).st_mtime_ns))
        except OSError:
            stamps.append((candidate, None))
        parent = os.path.dirname(current)
        if parent == current:
            return tuple(stamps)
        current = parent


def _read_settings(path: str, root: str) -> Settings:
    """The options `outplace check PATH` runs with; the defaults, and why, when the configuration is invalid."""
    try:
        config = load_config([path], unknown_codes)
    except ConfigError as error:
        return Settings(Options(project_root=root), str(error))
    options = Options(
        select=config.selected,
        ignore=config.ignored,
        unsafe_fixes=bool(config.unsafe_fixes),
        fix_warnings=bool(config.fix_warnings),
        exclude=config.exclude or (),
        force_exclude=bool(config.force_exclude),
        per_file_ignores=config.per_file_ignores,
        root=str(config.root) if config.root else None,
        project_root=root,
    )
    return Settings(options)
