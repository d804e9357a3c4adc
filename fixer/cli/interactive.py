"""`outplace fix -i`: review each change at the terminal and write only the accepted ones.

Files are planned in worker processes (runner PLAN mode); every decision is taken here, in the
main process. The errors of every file are reviewed first, then the warnings (code that may train
today); a file is written atomically after the last decision of each of the two passes. Ctrl-C or
a closed terminal therefore leaves every file either as it was or with exactly the changes accepted.

The review of a file is the engine's fix loop (`engine.fix`) asking `Review.accept` about each
finding. A pass ends where a change overlaps one accepted earlier in it: the engine applies the
accepted ones, plans the new text again, and the review goes on with the findings of the
rewritten code (those already decided are recognised through a line diff and not asked twice).
The keys are read by fixer/cli/terminal.py; a change is drawn by fixer/cli/change_view.py.

This module consumes `Finding`s and `FileResult`s only; it never touches LibCST nodes.
"""

from __future__ import annotations

import ast
import enum
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fixer.cli import change_view, progress, report
from fixer.cli.decided import Mark, carry
from fixer.cli.terminal import Hangup, Terminal, hangup_raises, signals_held, silence
from fixer.core import engine
from fixer.core.types import ExitPolicy, FileResult, FileStatus, Finding, Options, Safety, Severity
from fixer.files import runner
from fixer.files.notebook import JoinedNotebook, NotebookError
from fixer.files.runner import Outcome
from fixer.files.selection import rules_for
from fixer.files.sourcefile import SourceError, read_source
from fixer.files.written import write_fixed

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


class Verdict(enum.Enum):
    APPLY = "apply"
    SKIP = "skip"
    DISPLAY = "display"  # display-only: shown, never applied
    EDIT = "edit"  # the user's own text replaces the file
    STOP = "stop"  # `q`: this change and the rest are not reviewed


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

    def first_plan(self, path: str, text: str, outcome: Outcome) -> FileResult | None:
        """The plan of `text`: the workers' when it is the text they planned, else planned again (None: it failed)."""
        return outcome.result if text == outcome.text else self.replan(path, text)

    def replan(self, path: str, text: str) -> FileResult | None:
        rules, project = runner.planned_with(path, self.options)  # as the workers planned the first text
        result = engine.plan(text, path, rules, project=project)
        return None if result.error is not None else result

    def file(self, path: str, text: str, first: FileResult, cells: JoinedNotebook | None = None) -> str:
        """The text of `path` after its changes of `severity` are decided, `first` being the plan of `text`.

        For a notebook, `text` is its joined cells (`cells` says how to show and write them back).
        """
        return FileReview(self, path, cells, (text, first)).decided(text, len(first.findings))

    def explain(self, finding: Finding) -> None:
        from fixer.core.registry import find_rule

        rule = find_rule(finding.rule_id)
        self.term.show(report.explain(rule) if rule else finding.why)
        self.term.show(KEYS, "dim")


@dataclass(slots=True)
class FileReview:
    """One file's review: the engine's fix loop planning through `plan` and asking `accept`, pass by pass."""

    run: Review
    path: str
    cells: JoinedNotebook | None  # the file is a notebook: its text is the joined cells
    planned: tuple[str, FileResult] | None  # the text the workers planned, and their plan
    marks: list[Mark] = field(default_factory=list)
    base: str | None = None  # the text of the pass
    queue: list[Finding] = field(default_factory=list)  # its findings of the severity under review
    accepted: list[Finding] = field(default_factory=list)
    asked: bool = False  # `accept` was asked about the pass (the engine does not ask on its last pass)
    held: bool = False  # the rest of the pass is not asked: it waits for the next pass, or for nothing
    ended: bool = False  # the file's review ends with this pass: nothing was put off, or `q`, or an edit
    edited: str | None = None  # `e`: the user's text, which the review goes on from
    more_after_edit: bool = False

    def decided(self, text: str, findings: int) -> str:
        """The text once every change is decided: the engine's loop, again from an edit or past its last pass."""
        rules = rules_for(self.path, self.run.options)
        for _ in range(2 * findings + 4):  # bounds a fix that never converges
            self.ended, self.edited = False, None
            result = engine.fix(text, self.path, rules, self.accept, replan=self.plan)
            if self.edited is not None:
                if not self.more_after_edit:
                    return self.edited
                text = self.edited
                continue
            text = result.new_text or text
            if self.asked or not self.queue:
                return text
        return text

    def plan(self, text: str) -> FileResult:
        """The engine's plan of `text`, which starts a pass; no finding once the review of the file has ended."""
        if self.ended:
            return FileResult(self.path, FileStatus.CLEAN)
        if self.base is not None:
            self.marks = carry(self.base, text, self.marks)
        result = self.planned[1] if self.planned and text == self.planned[0] else self.run.replan(self.path, text)
        self.planned = None  # only the text the workers planned is theirs
        self.base, self.accepted, self.asked, self.held, self.ended = text, [], False, False, True
        self.queue = [] if result is None else [f for f in result.findings if f.severity is self.run.severity]
        return FileResult(self.path, FileStatus.CLEAN) if result is None else result

    def accept(self, finding: Finding) -> bool:
        """Whether the fix of `finding` is applied: asked at the terminal, or decided by a policy."""
        self.asked = True
        if finding.severity is not self.run.severity or self.held:
            return False
        if any(engine.overlaps(a, finding) for a in self.accepted):
            self.held, self.ended = True, False  # asked again once the accepted ones are applied
            return False
        if any(mark.covers(finding) for mark in self.marks):
            return False  # decided before the text was rewritten
        index = self.queue.index(finding)
        verdict, edited = self.decide(finding)
        if verdict is Verdict.STOP:
            self.run.tally.not_reviewed_of([f for f in self.queue[index:] if not any(m.covers(f) for m in self.marks)])
            self.held = self.ended = True
            return False
        self.run.tally.count(finding, verdict)
        if verdict is Verdict.APPLY:
            self.accepted.append(finding)
            return True
        if verdict is Verdict.EDIT:
            self.edited, self.more_after_edit = edited, index < len(self.queue) - 1
            self.held = self.ended = True
            return False
        self.marks.append(Mark(finding.rule_id, finding.span.start_line, finding.span.end_line, finding.original))
        return False

    # one change -------------------------------------------------------------------------------
    def decide(self, finding: Finding) -> tuple[Verdict, str | None]:
        """The verdict on `finding` (asked, or from a policy), and the edited text."""
        run, term = self.run, self.run.term
        policy = run.file_policies.get(self.path)
        if finding.rule_id in run.skip_rules or policy is Verdict.SKIP:
            return Verdict.SKIP, None
        auto_apply = run.apply_all or policy is Verdict.APPLY
        base, queue, accepted = self.base or "", self.queue, self.accepted
        if finding.safety is Safety.DISPLAY_ONLY:
            if not auto_apply:
                self.header(finding, _apply(base, queue, accepted))
                term.show("display-only: no automatic fix; shown and skipped.", "dim")
            return Verdict.DISPLAY, None
        try:
            after = _apply(base, queue, [*accepted, finding])
        except _Broken:
            self.header(finding, _apply(base, queue, accepted))
            term.show("this fix would not parse together with the changes accepted before it; skipped.", "yellow")
            return Verdict.SKIP, None
        if auto_apply and (finding.safety is Safety.SAFE or run.options.unsafe_fixes):
            return Verdict.APPLY, None
        before = _apply(base, queue, accepted)
        self.show_change(finding, before, after)
        while True:
            key = term.key(f"Apply this {'UNSAFE ' if finding.safety is Safety.UNSAFE else ''}change? {PROMPT}")
            if key in ("y", "n", "a", "d"):
                if key in ("a", "d"):
                    run.file_policies[self.path] = Verdict.APPLY if key == "a" else Verdict.SKIP
                return (Verdict.APPLY if key in ("y", "a") else Verdict.SKIP), None
            if key == "r":
                run.skip_rules.add(finding.rule_id)
                return Verdict.SKIP, None
            if key == "A":
                run.apply_all = True
                return Verdict.APPLY, None
            if key == "q":
                run.stopped = True
                return Verdict.STOP, None
            if key == "e":
                edited = self.edit(after)
                if edited is None:
                    continue
                return (Verdict.SKIP, None) if edited == before else (Verdict.EDIT, edited)
            if key in ("?", "x"):
                run.explain(finding)
                self.show_change(finding, before, after)  # the help scrolled it away
            else:
                term.show(KEYS, "dim")

    def show_change(self, finding: Finding, before: str, after: str) -> None:
        """The header, the reason and the diff of one change."""
        self.header(finding, before)
        self.run.term.show(change_view.change_diff(self.path, before, after, self.cells))

    def header(self, finding: Finding, before: str) -> None:
        for line in change_view.header(finding, self.base or "", before, self.cells):
            self.run.term.show(line)

    def edit(self, proposal: str) -> str | None:
        """The proposal as saved in $EDITOR, when it parses; None (after saying why) otherwise."""
        term = self.run.term
        # A notebook's cells are edited as one Python module, between their `# outplace-cell N` lines.
        text = term.edit(Path(self.path).stem + ".py" if self.cells is not None else Path(self.path).name, proposal)
        if text is None:
            return None
        try:
            ast.parse(text)
        except (SyntaxError, ValueError) as error:
            where = f" (line {error.lineno}: {error.msg})" if isinstance(error, SyntaxError) else ""
            term.show(f"the edited code does not parse{where}; nothing taken, asked again.", "yellow")
            return None
        if self.cells is not None:
            try:
                self.cells.sources(text)
            except NotebookError:
                term.show("the edit changed the `# outplace-cell N` lines between cells; nothing taken, asked again.", "yellow")
                return None
        return text


# the run ----------------------------------------------------------------------------------------
def review(paths: Sequence[str], options: Options, policy: ExitPolicy = ExitPolicy()) -> int:
    """Plan `paths`, ask about each change, write the accepted ones; the exit code."""
    term = Terminal()
    session = Review(options, term)
    with hangup_raises():
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
                session.severity = severity
                for outcome in todo:
                    current = outcome.result.path
                    if session.stopped:
                        session.tally.not_reviewed_of([f for f in outcome.result.findings if f.severity is severity])
                        continue
                    text = texts[current]
                    assert text is not None
                    first = session.first_plan(current, text, outcome)
                    asks = first is not None and any(f.severity is severity for f in first.findings)
                    new = session.file(current, text, first, outcome.notebook) if asks else text  # type: ignore[arg-type]
                    if new != text and (written := _write(session, outcome, disk[current], new)) is not None:
                        texts[current], disk[current] = new, written
                current = ""
        except KeyboardInterrupt:
            return _abort(session, current, "interrupted", 130)
        except Hangup:
            silence()
            return 129
    term.show(report.review_summary(session.tally))
    if session.tally.errors:
        return 2
    return policy.code(session.tally.left)  # as `fix`: errors left fail, warnings past --max-warnings


def _plan(paths: Sequence[str], options: Options) -> list[Outcome]:
    """Every file's plan, in path order, with a progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return list(runner.run(paths, options))
    return list(progress.tracked(sys.stderr, lambda on_total: runner.run(paths, options, on_total), "planning", min_files=0))


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
    path = outcome.result.path
    try:
        if read_source(Path(path)).text != old:
            reason = "the file changed on disk during the review"
        else:
            with signals_held():  # a file is written, or not; the count printed after is exact
                text = write_fixed(path, new, outcome.encoding, cells=outcome.notebook, record=not session.options.allow_dirty)
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


# helpers ----------------------------------------------------------------------------------------
class _Broken(Exception):
    pass


def _apply(text: str, findings: Sequence[Finding], chosen: Sequence[Finding]) -> str:
    if not chosen:
        return text
    new, applied = engine.apply_fixes(text, findings, {f.key for f in chosen})
    if len(applied) < len(chosen):  # one of them does not parse with the others: apply_fixes left it out
        raise _Broken
    return new


