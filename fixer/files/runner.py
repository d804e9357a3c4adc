"""Running the engine over files: reading, planning or fixing, writing, in parallel. No printing.

`_guarded` is the one place where a file's failure is caught: whatever goes wrong becomes a
FAILED `FileResult`, so one bad file never stops a run.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fixer.files.sourcefile import SourceError, SourceFile, decode_source, read_bytes, read_source, remove_stale_temps
from fixer.core.types import ErrorKind, FileError, FileResult, FileStatus, Mode, Options
from fixer.files.selection import rules_for
from fixer.files.walk import common_folder, discover, force_excluded, project_root

if TYPE_CHECKING:
    from fixer.analysis.imported import ProjectFiles
    from fixer.core.codemod import Codemod
    from fixer.files.notebook import JoinedNotebook

# Below this many files a process pool costs more to start than it saves.
MIN_FILES_FOR_POOL = 8


@dataclass(frozen=True, slots=True)
class Outcome:
    """A file's result, plus its unified diff (bytes in the file's encoding) in DIFF mode."""

    result: FileResult
    diff: bytes = b""
    encoding: str = "utf-8"
    text: str | None = None  # the text that was planned, in PLAN mode (a notebook's joined cells)
    notebook: JoinedNotebook | None = None  # PLAN mode, a notebook: how to write `text` back into it


def process_file(path: str, options: Options) -> Outcome:
    """Read, plan or fix, and (in FIX mode) write one file; never raises."""
    return _guarded(path, lambda: _process_file(path, options))


def process_stdin(data: bytes, filename: str, options: Options) -> Outcome:
    """Plan or fix the bytes read from standard input as the file `filename`; never raises."""

    def work() -> Outcome:
        if options.force_exclude and force_excluded(Path(filename), options.exclude, _force_root(options)):
            return Outcome(FileResult(filename, FileStatus.SKIPPED))
        text, encoding = decode_source(data)
        return process_text(text, filename, options, encoding)

    return _guarded(filename, work)


def _guarded(path: str, work: Callable[[], Outcome]) -> Outcome:
    """`work()`, or a FAILED outcome for `path` when it raises."""
    try:
        return work()
    except SourceError as error:
        return Outcome(FileResult(path, FileStatus.FAILED, error=error.error))
    except Exception as error:  # noqa: BLE001 -- the one per-file boundary: a bug must not stop the run
        return Outcome(crashed(path, error))


def _process_file(path: str, options: Options) -> Outcome:
    if options.cache_dir is not None and options.mode is not Mode.PLAN:
        return _process_cached(path, options)
    source = read_source(Path(path))
    outcome = process_text(source.text, path, options, source.encoding)
    return _write_fixed(path, options, outcome, source)


def _process_cached(path: str, options: Options) -> Outcome:
    """`_process_file`, storing the result under the key of the very bytes that were processed."""
    from fixer.files import cache

    data, mode = read_bytes(Path(path))  # the bytes themselves: the cache key is theirs
    text, encoding = decode_source(data)
    source = SourceFile(Path(path), text, encoding, mode)
    outcome = _write_fixed(path, options, process_text(text, path, options, encoding), source)
    if cache.cacheable(outcome.result, options):
        cache.Cache(Path(options.cache_dir)).store(cache.entry_key(path, data, options), outcome.result)  # type: ignore[arg-type]
    return outcome


def _write_fixed(path: str, options: Options, outcome: Outcome, source: SourceFile) -> Outcome:
    """In FIX mode, write the fixed text of `outcome` (unless `fix` refused the file)."""
    new_text = outcome.result.new_text
    if options.mode is Mode.FIX and new_text is not None:
        refusal = dict(options.refused).get(os.path.realpath(path)) if options.refused else None
        if refusal is not None:
            return Outcome(FileResult(path, FileStatus.FAILED, error=FileError(ErrorKind.VCS, refusal)))
        from fixer.files.written import write_fixed

        # without --allow-dirty git held the file clean (or it is outside git): its only change is ours
        write_fixed(path, new_text, source.encoding, mode=source.mode, record=not options.allow_dirty)
    return outcome


def process_text(text: str, path: str, options: Options, encoding: str = "utf-8") -> Outcome:
    """Plan or fix `text` as the file `path` (which is not read nor written); may raise."""
    from fixer.core import diff, engine  # the engine pulls in libcst: keep `--help` fast
    from fixer.files import notebook

    rules, project = planned_with(path, options)
    if notebook.is_notebook(path):  # cells joined into one module
        if options.mode is Mode.PLAN:  # in joined coordinates, where keys apply
            result, cells = notebook.plan(text, path, lambda code: engine.plan(code, path, rules, project=project))
            return Outcome(result, encoding=encoding, text=cells.joined.text if cells else None, notebook=cells)
        if options.mode is Mode.CHECK:
            return Outcome(notebook.process(text, path, lambda code: engine.plan(code, path, rules, project=project)),
                           encoding=encoding)
        result = notebook.process(text, path, lambda code: engine.fix(code, path, rules, options.accept, project=project))
    elif options.mode is Mode.CHECK:
        return Outcome(engine.plan(text, path, rules, project=project), encoding=encoding)
    elif options.mode is Mode.PLAN:
        return Outcome(engine.plan(text, path, rules, project=project), encoding=encoding, text=text)
    else:
        result = engine.fix(text, path, rules, options.accept, project=project)
    if options.mode is Mode.DIFF and result.new_text is not None:
        return Outcome(result, diff.diff_bytes(path, text, result.new_text, encoding), encoding)
    return Outcome(result, encoding=encoding)


def planned_with(path: str, options: Options) -> tuple[tuple[type[Codemod], ...], ProjectFiles | None]:
    """What the run plans `path` with: its rules, and the project's other files (None: none)."""
    project = _project(options.project_root)
    if project is not None and project.files is not options.run_files and project.files != options.run_files:
        project.files = options.run_files
    return rules_for(path, options), project


@functools.cache
def _project(root: str | None) -> ProjectFiles | None:
    """The run's other files (one model cache per process and project root), read from disk."""
    if root is None:
        return None
    from fixer.core import engine

    return engine.project_files(project_reader(root))


def project_reader(root: str) -> Callable[[str], str | None]:
    """What a run reads of its project's other files: the text of a .py file under `root`, else None."""
    prefix = os.path.join(os.path.realpath(root), "")

    def read(path: str) -> str | None:
        if not path.endswith(".py") or not os.path.realpath(path).startswith(prefix):
            return None
        try:
            return read_source(Path(path)).text
        except (SourceError, OSError):
            return None

    return read


def crashed(path: str, error: Exception) -> FileResult:
    """The result for a file on which outplace itself failed."""
    first_line = (str(error).splitlines() or [""])[0]
    message = f"internal error: {type(error).__name__}: {first_line}".rstrip(": ")
    return FileResult(path, FileStatus.FAILED, error=FileError(ErrorKind.CRASH, message))


def run(
    paths: Sequence[str], options: Options, on_total: Callable[[int], None] | None = None
) -> Iterator[Outcome]:
    """The outcome of every file under `paths`, in path order; walk errors are FAILED results.

    `on_total`, when given, is told how many outcomes will follow once discovery is done.
    """
    if options.project_root is None:
        options = dataclasses.replace(options, project_root=str(project_root(paths) or common_folder(paths)))
    force_root = _force_root(options) if options.force_exclude else None
    items = discover([Path(p) for p in paths], options.exclude, (".py", ".ipynb"), force_root)
    if on_total is not None:
        on_total(len(items))
    files = [str(item.path) for item in items if item.error is None]
    options = dataclasses.replace(options, run_files=tuple(os.path.abspath(f) for f in files))
    if options.mode is Mode.FIX:  # a fix killed before its rename left a temp file beside the original
        for folder in sorted({Path(os.path.realpath(f)).parent for f in files}):
            remove_stale_temps(folder)
    if options.mode is Mode.FIX and not options.allow_dirty:
        from fixer.files.written import refused_files

        options = dataclasses.replace(options, refused=tuple(sorted(refused_files(files).items())))
    processed = _process_all(files, options)
    for item in items:
        if item.error is not None:
            yield Outcome(FileResult(str(item.path), FileStatus.FAILED, error=item.error))
        else:
            yield next(processed)


def _force_root(options: Options) -> Path:
    """What --force-exclude matches explicit paths relative to: the configuration's folder, else the current one."""
    return Path(options.root) if options.root else Path.cwd()


def _process_all(files: list[str], options: Options) -> Iterator[Outcome]:
    """`process_file` over `files`, in order; results found in the cache are not recomputed."""
    if options.cache_dir is None or options.mode is Mode.PLAN:
        yield from _compute_all(files, options)
        return
    from fixer.files.cache import lookup

    hits = [lookup(path, options)[1] for path in files]
    computed = _compute_all([path for path, hit in zip(files, hits) if hit is None], options)
    for hit in hits:
        yield Outcome(hit) if hit is not None else next(computed)


def _compute_all(files: list[str], options: Options) -> Iterator[Outcome]:
    """`process_file` over `files`, in order, in a process pool when it pays off."""
    jobs = options.jobs or os.cpu_count() or 1
    work = functools.partial(process_file, options=options)
    if jobs <= 1 or len(files) < MIN_FILES_FOR_POOL:
        yield from map(work, files)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    workers = min(jobs, len(files))
    done = 0
    with ProcessPoolExecutor(max_workers=workers) as pool:
        try:
            for outcome in pool.map(work, files, chunksize=max(1, len(files) // (workers * 4))):
                done += 1
                yield outcome
        except BrokenProcessPool:  # a worker died (a native crash, out of memory): not one file's error
            message = "internal error: a worker process died; the file was not processed"
            for path in files[done:]:
                yield Outcome(FileResult(path, FileStatus.FAILED, error=FileError(ErrorKind.CRASH, message)))
