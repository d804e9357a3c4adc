"""The data that crosses every boundary of outplace: plain, frozen, picklable, JSON-able.

Coordinates are documented once, here: lines are 1-based, columns are 0-based and count
characters (not bytes) of the decoded source, as `ast` and LibCST report them.
"""

from __future__ import annotations

import enum
import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    """How sure we are that the write breaks autograd."""

    ERROR = "error"  # proved to raise: a saved value or a leaf is written
    WARNING = "warning"  # may require grad and cannot be proved safe


class Safety(str, enum.Enum):
    """What applying the fix can do to behaviour (Ruff's applicability levels)."""

    SAFE = "safe"  # keeps behaviour
    UNSAFE = "unsafe"  # an alias, view, attribute or caller could observe the change
    DISPLAY_ONLY = "display-only"  # shown, never applied

    @property
    def label(self) -> str:
        return "none" if self is Safety.DISPLAY_ONLY else self.value


class FileStatus(str, enum.Enum):
    CLEAN = "clean"  # parsed, nothing to report
    FINDINGS = "findings"  # findings reported, text unchanged
    CHANGED = "changed"  # fixes applied (findings may remain)
    SKIPPED = "skipped"  # not parsed: the pre-filter or a skip-file marker ruled it out
    FAILED = "failed"  # could not be processed; see `error`


class ErrorKind(str, enum.Enum):
    PARSE = "parse"  # the input is not valid Python
    DECODE = "decode"  # the bytes are not text in the declared encoding
    IO = "io"  # reading or writing failed
    FIX_BROKE_SYNTAX = "fix-broke-syntax"  # a fix produced code that does not parse; reverted
    CRASH = "crash"  # a bug in outplace; the file is left alone
    VCS = "vcs"  # `fix` refused a file with uncommitted changes in git (see fixer/files/vcs.py)


@dataclass(frozen=True, slots=True)
class Span:
    """A region of source: 1-based lines, 0-based columns, end exclusive."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One risky in-place write, with the fix that replaces `span` by `replacement`."""

    rule_id: str
    rule_name: str
    path: str
    span: Span
    severity: Severity
    message: str
    why: str
    fix_title: str | None
    safety: Safety
    replacement: str | None  # new text for `span`; None when there is no fix
    original: str  # the text `span` covers now
    imports: tuple[str, ...] = ()  # modules `replacement` names, imported by the fix when missing
    key: str = ""
    cell: int | None = None  # in a notebook: the 1-based cell, and `span` is relative to it
    file_span: Span | None = None  # in a notebook: where `span` lies in the .ipynb file's own text (its JSON)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", finding_key(self))

    @property
    def fixable(self) -> bool:
        return self.replacement is not None and self.safety is not Safety.DISPLAY_ONLY

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data["safety"] = self.safety.value
        data["fixable"] = self.fixable
        return data


def finding_key(finding: Finding) -> str:
    """Stable across processes and runs on the same text: rule, place and the code itself."""
    s = finding.span
    raw = f"{finding.rule_id}:{s.start_line}:{s.start_col}:{s.end_line}:{s.end_col}:{finding.original}"
    if finding.cell is not None:
        raw = f"cell {finding.cell}:{raw}"
    return f"{finding.rule_id}-{hashlib.sha1(raw.encode()).hexdigest()[:10]}"


@dataclass(frozen=True, slots=True)
class FileError:
    kind: ErrorKind
    message: str  # one line, without the path
    line: int | None = None

    def describe(self, path: str) -> str:
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.kind.value} error: {self.message}"


@dataclass(frozen=True, slots=True)
class UnusedNoqa:
    """A suppression comment (`# noqa: IP102`, `# outplace: ignore[...]`) some of whose codes silence nothing."""

    line: int  # 1-based
    col: int  # 0-based, where the comment starts
    comment: str  # the comment as written
    codes: tuple[str, ...]  # the codes that silence nothing; () for a bare `# outplace: ignore`


@dataclass(frozen=True, slots=True)
class FileResult:
    """What happened to one file; `new_text` is None when the text is unchanged."""

    path: str
    status: FileStatus
    findings: tuple[Finding, ...] = ()
    applied: tuple[str, ...] = ()  # keys of the findings whose fix is in `new_text`
    new_text: str | None = None
    error: FileError | None = None
    depends: tuple[tuple[str, str], ...] = ()  # (absolute path, text digest) of other files the findings used
    unused_noqa: tuple[UnusedNoqa, ...] = ()  # in plan results: suppression comments that silence nothing

    @property
    def remaining(self) -> tuple[Finding, ...]:
        """Findings not fixed by `new_text`."""
        done = set(self.applied)
        return tuple(f for f in self.findings if f.key not in done)


class Mode(enum.Enum):
    """What a run does with the fixes: report them, show them as a diff, or write them."""

    CHECK = "check"
    DIFF = "diff"
    FIX = "fix"
    PLAN = "plan"  # findings plus the text they were found in, for a front end that decides


@dataclass(frozen=True, slots=True)
class Options:
    """Everything a run needs, built once from the flags and the configuration; picklable."""

    mode: Mode = Mode.CHECK
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    fix_warnings: bool = False  # fix `warning` findings too; by default only `error` ones are changed
    exclude: tuple[str, ...] = ()
    force_exclude: bool = False  # apply `exclude` to paths named explicitly too (pre-commit names every file)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, codes) pairs
    root: str | None = None  # the folder per-file-ignore globs are relative to
    jobs: int | None = None  # None: one per CPU
    allow_dirty: bool = False  # FIX: also write files that git holds uncommitted changes to
    refused: tuple[tuple[str, str], ...] = ()  # FIX: (real path, reason) of files not to write; set by `run`
    cache_dir: str | None = None  # the `.outplace_cache/` folder (see fixer/files/cache.py); None: no cache
    project_root: str | None = None  # files under it are read for what a file imports from them; None: none
    run_files: tuple[str, ...] = ()  # every file of the run (absolute): where a def's importers are looked for

    def accept(self, finding: Finding) -> bool:
        """Whether the fix of `finding` may be applied in this run."""
        if finding.severity is Severity.WARNING and not self.fix_warnings:
            return False
        return finding.safety is Safety.SAFE or (self.unsafe_fixes and finding.safety is Safety.UNSAFE)


@dataclass(frozen=True, slots=True)
class ExitPolicy:
    """When findings fail a run, as ESLint decides: errors always, warnings only past a limit."""

    max_warnings: int | None = None  # more warnings than this fail the run; None: warnings never do
    exit_zero: bool = False  # findings never fail the run (a file that could not be processed still does)

    def code(self, left: Counter[Severity]) -> int:
        """1 when the findings `left` (per severity) fail the run, else 0."""
        if self.exit_zero:
            return 0
        too_many = self.max_warnings is not None and left[Severity.WARNING] > self.max_warnings
        return 1 if left[Severity.ERROR] or too_many else 0


@dataclass(slots=True)
class RunSummary:
    """Counts over a run, and the exit code they imply."""

    files: Counter[str] = field(default_factory=Counter)  # per FileStatus value
    findings: Counter[str] = field(default_factory=Counter)  # per rule id
    fixed: Counter[str] = field(default_factory=Counter)  # per rule id
    left: Counter[Severity] = field(default_factory=Counter)  # findings not fixed, per severity
    errors: int = 0  # files that could not be processed

    def add(self, result: FileResult) -> None:
        self.files[result.status.value] += 1
        if result.error is not None:
            self.errors += 1
        applied = set(result.applied)
        for f in result.findings:
            self.findings[f.rule_id] += 1
            if f.key in applied:
                self.fixed[f.rule_id] += 1
            else:
                self.left[f.severity] += 1

    def exit_code(self, policy: ExitPolicy = ExitPolicy()) -> int:
        """2 when a file could not be processed, else 1 when errors (or too many warnings) remain, else 0."""
        return 2 if self.errors else policy.code(self.left)
