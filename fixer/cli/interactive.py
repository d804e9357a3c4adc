"""`outplace fix -i`: review each change at the terminal and write only the accepted ones.

Files are planned in worker processes (runner PLAN mode); every decision is taken here, in the
main process. The errors of every file are reviewed first, then the warnings (code that may train
today); a file is written atomically after the last decision of each of the two passes. Ctrl-C or
a closed terminal therefore leaves every file either as it was or with exactly the changes accepted.

Fixes are applied by key with `engine.apply_fixes`, which never applies two overlapping fixes:
when a change overlaps one accepted earlier in the same file, the accepted ones are applied, the
new text is planned again, and the review goes on with the findings of the rewritten code (those
already decided are recognised through a line diff and not asked twice).

This module consumes `Finding`s and `FileResult`s only; it never touches LibCST nodes.
"""

from __future__ import annotations

import ast
import difflib
import enum
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.text import Text

from fixer.core import diff
from fixer.cli import report
from fixer.files import runner
from fixer.files.notebook import JoinedNotebook, NotebookError
from fixer.files.runner import Outcome
from fixer.files.selection import rules_for
from fixer.files.sourcefile import SourceError, decode_source, read_source, split_lines
from fixer.files.written import write_fixed
from fixer.core.types import ExitPolicy, Finding, Options, Safety, Severity

KEYS = """\
y - apply this change
n - skip this change
a - apply this change and the rest in this file
d - skip this change and the rest in this file
r - skip this rule everywhere from now on
A - apply everything that remains
e - edit the proposed result in $EDITOR, then take what is saved
? - explain the rule (x does the same)
q - quit: write what was accepted so far, nothing else
(a and A apply unsafe fixes only with --unsafe-fixes; otherwise each one is still asked)
"""
PROMPT = "[y,n,a,d,r,A,e,?,q]"
UNSAFE_NOTE = (
    "UNSAFE fix: it can change behaviour (an alias, a view, an attribute, a caller or a dtype may "
    "see the difference); press ? for this rule's fix safety."
)


class Hangup(BaseException):
    """The terminal went away (SIGHUP, SIGTERM, end of input): stop without writing the open file."""


class Verdict(enum.Enum):
    APPLY = "apply"
    SKIP = "skip"
    DISPLAY = "display"  # display-only: shown, never applied
    EDIT = "edit"  # the user's own text replaces the file
    STOP = "stop"  # `q`: this change and the rest are not reviewed


@dataclass(frozen=True, slots=True)
class Mark:
    """A finding already skipped, located in the current text: exactly, or anywhere in a rewritten block."""

    rule_id: str
    first: int
    last: int
    original: str | None  # None: the block was rewritten; any finding of the rule inside it

    def covers(self, finding: Finding) -> bool:
        span = finding.span
        if finding.rule_id != self.rule_id:
            return False
        if self.original is None:
            return self.first <= span.start_line and span.end_line <= self.last
        return (span.start_line, span.end_line, finding.original) == (self.first, self.last, self.original)


@dataclass(slots=True)
class Tally:
    """What the review did, per rule, for the summary."""

    applied: Counter[str] = field(default_factory=Counter)
    edited: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    display: Counter[str] = field(default_factory=Counter)
    names: dict[str, str] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    not_reviewed: int = 0
    left: Counter[Severity] = field(default_factory=Counter)  # findings skipped, display-only or not reviewed
    errors: int = 0

    def count(self, finding: Finding, verdict: Verdict) -> None:
        self.names[finding.rule_id] = finding.rule_name
        counter = {Verdict.APPLY: self.applied, Verdict.SKIP: self.skipped, Verdict.DISPLAY: self.display}
        if verdict is Verdict.EDIT:
            self.applied[finding.rule_id] += 1
            self.edited[finding.rule_id] += 1
        elif verdict in counter:
            counter[verdict][finding.rule_id] += 1
        if verdict in (Verdict.SKIP, Verdict.DISPLAY):
            self.left[finding.severity] += 1

    def not_reviewed_of(self, findings: Sequence[Finding]) -> None:
        """Count `findings` as left without a decision (after `q`)."""
        self.not_reviewed += len(findings)
        self.left.update(f.severity for f in findings)


class Terminal:
    """The prompt's input (single keys, raw mode) and output (rich, coloured unless NO_COLOR)."""

    def __init__(self) -> None:
        self.fd = sys.stdin.fileno()
        self.out = Console(file=sys.stdout, highlight=False, soft_wrap=True, no_color=bool(os.environ.get("NO_COLOR")))

    def show(self, text: str | Text = "", style: str | None = None) -> None:
        self.out.print(text if isinstance(text, Text) else Text(text, style=style or ""))

    def key(self, prompt: str) -> str:
        """One key press, without Enter; Ctrl-C raises KeyboardInterrupt, a closed terminal Hangup."""
        import termios
        import tty

        self.out.print(Text(prompt + " ", style="bold blue"), end="")
        sys.stdout.flush()
        saved = termios.tcgetattr(self.fd)
        try:
            tty.setraw(self.fd)  # no echo, no line buffering, and Ctrl-C arrives as a byte
            try:
                data = os.read(self.fd, 1)
            except OSError:  # EIO: the terminal was closed
                data = b""
            if data == b"\x1b" or data[:1] >= b"\x80":  # an arrow key or a multi-byte character
                with suppress(termios.error):
                    termios.tcflush(self.fd, termios.TCIFLUSH)
        finally:
            with suppress(termios.error, OSError):
                termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)
        if not data:
            raise Hangup
        if data == b"\x03":
            self.show("^C")
            raise KeyboardInterrupt
        key = "q" if data == b"\x04" else data.decode("latin-1")
        self.show(key if key.isprintable() else "")
        return key


@dataclass(slots=True)
class Review:
    """The decisions of one run: policies set by a/d/r/A/q and what happened so far."""

    options: Options
    term: Terminal
    tally: Tally = field(default_factory=Tally)
    skip_rules: set[str] = field(default_factory=set)
    file_policies: dict[str, Verdict] = field(default_factory=dict)  # a/d hold for the file's warnings too
    severity: Severity = Severity.ERROR  # the findings under review: errors, then warnings
    apply_all: bool = False
    stopped: bool = False
    cells: JoinedNotebook | None = None  # the file under review is a notebook: its text is the joined cells

    def findings(self, path: str, text: str, outcome: Outcome, severity: Severity) -> list[Finding]:
        """The findings of `severity` in `text`: as planned, or planned again once the file was rewritten."""
        self.severity = severity
        if text == outcome.text:
            return [f for f in outcome.result.findings if f.severity is severity]
        return self.replan(path, text) or []

    # one file ---------------------------------------------------------------------------------
    def file(self, path: str, text: str, findings: Sequence[Finding], cells: JoinedNotebook | None = None) -> str:
        """The text of `path` after its changes are decided (rounds end where fixes overlap).

        For a notebook, `text` is its joined cells (`cells` says how to show and write them back).
        """
        self.cells = cells
        base, queue, marks = text, list(findings), []
        file_policy = self.file_policies.get(path)
        rounds = 2 * len(findings) + 4  # every round asks or applies something; this bounds a fix that never converges
        for _ in range(rounds):
            accepted: list[Finding] = []
            edited: str | None = None
            left = 0
            for index, finding in enumerate(queue):
                if any(_overlaps(a, finding) for a in accepted):
                    left = len(queue) - index
                    break
                if any(mark.covers(finding) for mark in marks):
                    continue  # decided before the text was rewritten
                verdict, edited, file_policy = self.decide(path, base, queue, accepted, finding, file_policy)
                if verdict is Verdict.STOP:
                    self.tally.not_reviewed_of([f for f in queue[index:] if not any(m.covers(f) for m in marks)])
                    break
                self.tally.count(finding, verdict)
                if verdict is Verdict.APPLY:
                    accepted.append(finding)
                elif verdict is Verdict.EDIT:
                    left = len(queue) - index - 1
                    break
                else:
                    marks.append(Mark(finding.rule_id, finding.span.start_line, finding.span.end_line, finding.original))
            if file_policy is not None:
                self.file_policies[path] = file_policy
            new = edited if edited is not None else _apply(base, queue, accepted)
            if not left or self.stopped:
                return new
            replanned = self.replan(path, new)
            if replanned is None:
                return new
            marks = _carry(base, new, marks)
            base, queue = new, replanned
        return base

    def replan(self, path: str, text: str) -> list[Finding] | None:
        from fixer.core import engine

        result = engine.plan(text, path, rules_for(path, self.options))
        return None if result.error is not None else [f for f in result.findings if f.severity is self.severity]

    # one change -------------------------------------------------------------------------------
    def decide(
        self, path: str, base: str, queue: list[Finding], accepted: list[Finding], finding: Finding,
        file_policy: Verdict | None,
    ) -> tuple[Verdict, str | None, Verdict | None]:
        """The verdict on `finding` (asked, or from a policy), the edited text, the file's policy."""
        if finding.rule_id in self.skip_rules or file_policy is Verdict.SKIP:
            return Verdict.SKIP, None, file_policy
        auto_apply = self.apply_all or file_policy is Verdict.APPLY
        if finding.safety is Safety.DISPLAY_ONLY:
            if not auto_apply:
                self.header(finding, base, _apply(base, queue, accepted))
                self.term.show("display-only: no automatic fix; shown and skipped.", "dim")
            return Verdict.DISPLAY, None, file_policy
        try:
            after = _apply(base, queue, [*accepted, finding])
        except _Broken:
            self.header(finding, base, _apply(base, queue, accepted))
            self.term.show("this fix would not parse together with the changes accepted before it; skipped.", "yellow")
            return Verdict.SKIP, None, file_policy
        if auto_apply and (finding.safety is Safety.SAFE or self.options.unsafe_fixes):
            return Verdict.APPLY, None, file_policy
        before = _apply(base, queue, accepted)
        self.show_change(path, finding, base, before, after)
        while True:
            key = self.term.key(f"Apply this {'UNSAFE ' if finding.safety is Safety.UNSAFE else ''}change? {PROMPT}")
            if key == "y":
                return Verdict.APPLY, None, file_policy
            if key == "n":
                return Verdict.SKIP, None, file_policy
            if key == "a":
                return Verdict.APPLY, None, Verdict.APPLY
            if key == "d":
                return Verdict.SKIP, None, Verdict.SKIP
            if key == "r":
                self.skip_rules.add(finding.rule_id)
                return Verdict.SKIP, None, file_policy
            if key == "A":
                self.apply_all = True
                return Verdict.APPLY, None, file_policy
            if key == "q":
                self.stopped = True
                return Verdict.STOP, None, file_policy
            if key == "e":
                edited = self.edit(path, after)
                if edited is None:
                    continue
                return (Verdict.SKIP, None, file_policy) if edited == before else (Verdict.EDIT, edited, file_policy)
            if key in ("?", "x"):
                self.explain(finding)
                self.show_change(path, finding, base, before, after)  # the help scrolled it away
            else:
                self.term.show(KEYS, "dim")

    def show_change(self, path: str, finding: Finding, base: str, before: str, after: str) -> None:
        """The header, the reason and the diff of one change."""
        self.header(finding, base, before)
        self.term.show(_diff_text(path, before, after) if self.cells is None else _cells_diff_text(path, self.cells, before, after))

    def header(self, finding: Finding, base: str, before: str) -> None:
        """`path:line  IP102 inplace-method  [error, safe fix]` (`nb.ipynb:cell 3:2  ...` in a notebook), then the reason.

        `finding` was planned in `base`; `before` is `base` with the changes accepted before it.
        """
        line = _line_in(before, base, finding)
        where, message = f"{finding.path}:{line}", finding.message
        if self.cells is not None:
            cell, line = self.cells.cell_line(before, line)
            where, message = f"{finding.path}:cell {cell}:{line}", self.cells.in_cell(finding, base).message
        fix = "display-only" if finding.safety is Safety.DISPLAY_ONLY else f"{finding.safety.value} fix"
        safety_style = {Safety.SAFE: "green", Safety.UNSAFE: "bold red"}.get(finding.safety, "dim")
        out = Text()
        out.append(where, "bold")
        out.append(f"  {finding.rule_id} {finding.rule_name}  ")
        out.append(f"[{finding.severity.value}, ", "red" if finding.severity.value == "error" else "yellow")
        out.append(fix, safety_style)
        out.append("]")
        self.term.show()
        self.term.show(out)
        self.term.show(message + ("" if message.endswith(".") else "."))
        if finding.safety is Safety.UNSAFE:
            self.term.show(UNSAFE_NOTE, "bold red")

    def explain(self, finding: Finding) -> None:
        from fixer.core.registry import find_rule

        rule = find_rule(finding.rule_id)
        self.term.show(report.explain(rule) if rule else finding.why)
        self.term.show(KEYS, "dim")

    def edit(self, path: str, proposal: str) -> str | None:
        """The proposal as saved in $EDITOR, when it parses; None (after saying why) otherwise."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.TemporaryDirectory(prefix="outplace-edit-") as folder:
            # A notebook's cells are edited as one Python module, between their `# outplace-cell N` lines.
            temp = Path(folder) / (Path(path).stem + ".py" if self.cells is not None else Path(path).name)
            temp.write_bytes(proposal.encode("utf-8"))
            try:
                done = subprocess.run([*shlex.split(editor), str(temp)], check=False)
            except OSError as error:
                self.term.show(f"cannot run the editor {editor!r}: {error.strerror}; asked again.", "yellow")
                return None
            if done.returncode != 0:
                self.term.show(f"the editor exited with status {done.returncode}; asked again.", "yellow")
                return None
            try:
                text, _ = decode_source(temp.read_bytes())
            except (OSError, SourceError) as error:
                self.term.show(f"cannot read the edited file: {error}; asked again.", "yellow")
                return None
        try:
            ast.parse(text)
        except (SyntaxError, ValueError) as error:
            where = f" (line {error.lineno}: {error.msg})" if isinstance(error, SyntaxError) else ""
            self.term.show(f"the edited code does not parse{where}; nothing taken, asked again.", "yellow")
            return None
        if self.cells is not None:
            try:
                self.cells.sources(text)
            except NotebookError:
                self.term.show("the edit changed the `# outplace-cell N` lines between cells; nothing taken, asked again.", "yellow")
                return None
        return text


# the run ----------------------------------------------------------------------------------------
def review(paths: Sequence[str], options: Options, policy: ExitPolicy = ExitPolicy()) -> int:
    """Plan `paths`, ask about each change, write the accepted ones; the exit code."""
    term = Terminal()
    session = Review(options, term)
    with _hangup_raises():
        try:
            outcomes = _plan(paths, options)
        except KeyboardInterrupt:
            sys.stderr.write("interrupted while planning: nothing was written.\n")
            return 130
        errors = report.error_lines([o.result for o in outcomes])
        sys.stderr.write(errors)
        session.tally.errors = errors.count("\n")
        dirty = {} if options.allow_dirty else _dirty([o.result.path for o in outcomes if o.text is not None and o.result.findings])
        todo = [o for o in outcomes if o.result.findings and _reviewable(session, o, dirty)]
        if not todo:
            term.show(f"Nothing to review in {report.plural(len(outcomes), 'file')}.")
            return 2 if session.tally.errors else 0
        current = ""
        texts = {o.result.path: o.text for o in todo}  # each file's text (a notebook's joined cells) as last written
        disk = {o.result.path: o.notebook.original if o.notebook else o.text for o in todo}  # ... and as on disk
        try:
            for severity in Severity:  # errors first: a `q` after them keeps every error fix accepted
                for outcome in todo:
                    current = outcome.result.path
                    if session.stopped:
                        session.tally.not_reviewed_of([f for f in outcome.result.findings if f.severity is severity])
                        continue
                    text = texts[current]
                    assert text is not None
                    findings = session.findings(current, text, outcome, severity)
                    new = session.file(current, text, findings, outcome.notebook) if findings else text
                    if new != text and (written := _write(session, outcome, disk[current], new)) is not None:
                        texts[current], disk[current] = new, written
                current = ""
        except KeyboardInterrupt:
            return _abort(session, current, "interrupted", 130)
        except Hangup:
            _silence()
            return 129
    term.show(_summary(session.tally))
    if session.tally.errors:
        return 2
    return policy.code(session.tally.left)  # as `fix`: errors left fail, warnings past --max-warnings


def _plan(paths: Sequence[str], options: Options) -> list[Outcome]:
    """Every file's plan, in path order, with a progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return list(runner.run(paths, options))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(file=sys.stderr, no_color=bool(os.environ.get("NO_COLOR")))
    with Progress(TextColumn("planning"), BarColumn(), MofNCompleteColumn(), console=console, transient=True) as bar:
        task = bar.add_task("planning", total=None)
        outcomes = []
        for outcome in runner.run(paths, options, on_total=lambda total: bar.update(task, total=total)):
            outcomes.append(outcome)
            bar.advance(task)
    return outcomes


def _dirty(paths: list[str]) -> dict[str, str]:
    """Real path -> reason, for the files `fix` must not write so that git can undo it (fixer/files/vcs.py)."""
    from fixer.files.written import refused_files

    return refused_files(paths) if paths else {}


def _reviewable(session: Review, outcome: Outcome, dirty: dict[str, str]) -> bool:
    """Whether the changes of `outcome` can be asked about and written; says why not when not."""
    path, count = outcome.result.path, len(outcome.result.findings)
    reason = dirty.get(os.path.realpath(path), "")
    if not reason:
        return True
    sys.stderr.write(f"{path}: not reviewed ({report.plural(count, 'change')}): {reason}\n")
    session.tally.errors += 1
    return False


def _write(session: Review, outcome: Outcome, old: str, new: str) -> str | None:
    """Write `new` (a notebook's joined cells, for a notebook) over the file, unless its text changed
    on disk since it was `old`; the text written, or None."""
    path, cells = outcome.result.path, outcome.notebook
    try:
        if read_source(Path(path)).text != old:
            reason = "the file changed on disk during the review"
        else:
            with _signals_held():  # a file is written, or not; the count printed after is exact
                text = write_fixed(path, new, outcome.encoding, cells=cells, record=not session.options.allow_dirty)
            reason = ""
    except SourceError as error:
        reason = error.error.message
    except NotebookError as error:  # a fix moved a `# outplace-cell N` line: the cells cannot be told apart
        reason = str(error)
    if reason:
        sys.stderr.write(f"{path}: not written: {reason}\n")
        session.tally.errors += 1
        return None
    if path not in session.tally.written:
        session.tally.written.append(path)
    session.term.show(f"wrote {path}", "green")
    return text


def _abort(session: Review, current: str, what: str, code: int) -> int:
    left = f"; {current} left unchanged" if current else ""
    written = report.plural(len(session.tally.written), "file")
    sys.stderr.write(f"{what}{left}; {written} written before.\n")
    return code


def _summary(tally: Tally) -> str:
    """`Applied 3 changes, skipped 2, 1 display-only; wrote 2 files.` and one line per rule."""
    applied, skipped, display = (sum(c.values()) for c in (tally.applied, tally.skipped, tally.display))
    edited = sum(tally.edited.values())
    head = f"Applied {report.plural(applied, 'change')}" + (f" ({edited} edited)" if edited else "")
    head += f", skipped {skipped}" + (f", {display} display-only" if display else "")
    head += f"; wrote {report.plural(len(tally.written), 'file')}."
    lines = ["", head]
    for rule in sorted(tally.names):
        parts = [f"{tally.applied[rule]} applied", f"{tally.skipped[rule]} skipped"]
        if tally.display[rule]:
            parts.append(f"{tally.display[rule]} display-only")
        lines.append(f"  {rule} {tally.names[rule]}: {', '.join(parts)}")
    if tally.not_reviewed:
        lines.append(f"Stopped early: {report.plural(tally.not_reviewed, 'change')} not reviewed.")
    return "\n".join(lines)


# helpers ----------------------------------------------------------------------------------------
class _Broken(Exception):
    pass


def _apply(text: str, findings: Sequence[Finding], chosen: Sequence[Finding]) -> str:
    from fixer.core import engine

    if not chosen:
        return text
    new, applied = engine.apply_fixes(text, findings, {f.key for f in chosen})
    if len(applied) < len(chosen):  # one of them does not parse with the others: apply_fixes left it out
        raise _Broken
    return new


def _line_in(before: str, base: str, finding: Finding) -> int:
    """The line of `finding` (planned in `base`) in `before`, which has the earlier accepted fixes applied."""
    return finding.span.start_line + len(split_lines(before)) - len(split_lines(base))


def _overlaps(a: Finding, b: Finding) -> bool:
    first, second = sorted((a, b), key=lambda f: (f.span.start_line, f.span.start_col))
    return (second.span.start_line, second.span.start_col) < (first.span.end_line, first.span.end_col)


def _carry(old: str, new: str, marks: list[Mark]) -> list[Mark]:
    """`marks` moved to the lines of `new`: shifted where untouched, widened to the block where rewritten."""
    opcodes = difflib.SequenceMatcher(None, diff.lines_of(old), diff.lines_of(new), autojunk=False).get_opcodes()
    carried = []
    for mark in marks:
        touched = [op for op in opcodes if op[1] < mark.last and mark.first - 1 < op[2]]
        if len(touched) == 1 and touched[0][0] == "equal":
            shift = touched[0][3] - touched[0][1]
            carried.append(Mark(mark.rule_id, mark.first + shift, mark.last + shift, mark.original))
        elif touched:
            first, last = min(op[3] for op in touched) + 1, max(op[4] for op in touched)
            if first <= last:
                carried.append(Mark(mark.rule_id, first, last, None))
    return carried


def _cells_diff_text(path: str, cells: JoinedNotebook, before: str, after: str) -> Text:
    """The hunks of each notebook cell that changes from `before` to `after` (joined texts), cell by cell."""
    try:
        pairs = list(zip(cells.sources(before), cells.sources(after)))
    except NotebookError:  # a fix moved a cell boundary: show the joined code (writing it will be refused)
        return _diff_text(path, before, after)
    out = Text()
    for number, (old, new) in enumerate(pairs, start=1):
        if old != new:  # a cell's last line has no newline: not worth a "\ No newline" line
            old, new = ((s or "") + ("" if (s or "").endswith("\n") else "\n") for s in (old, new))
            out.append(f"cell {number}\n", "bold")
            out.append_text(_diff_text(f"{path}:cell {number}", old, new))
            out.append("\n")
    out.rstrip()
    return out


def _diff_text(path: str, before: str, after: str) -> Text:
    """The hunks from `before` to `after`, without the file header, coloured."""
    out = Text()
    for line in diff.unified_diff(path, before, after).splitlines(keepends=True)[2:]:
        style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
        out.append(line.replace("\r", ""), style)
    out.rstrip()
    return out


@contextmanager
def _hangup_raises() -> Iterator[None]:
    """SIGHUP and SIGTERM raise Hangup, so an open temp file is removed and nothing half-done is kept."""

    def handler(signum: int, frame: object) -> None:
        raise Hangup

    saved = {sig: signal.signal(sig, handler) for sig in (signal.SIGHUP, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


@contextmanager
def _signals_held() -> Iterator[None]:
    held = {signal.SIGINT, signal.SIGHUP, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def _silence() -> None:
    """Point stdout and stderr at /dev/null: the terminal is gone and writing to it would fail."""
    with suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
