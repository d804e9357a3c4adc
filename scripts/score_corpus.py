"""Score outplace on a corpus of executed snippets: found, fixed (safe only, then with unsafe
fixes) and kept, each fix proven by running the snippet under torch.

    python scripts/score_corpus.py [CORPUS_DIR] [--list]

CORPUS_DIR defaults to `tests/risk_corpus/`; `tests/real_failures/` is the other corpus. A failing
snippet (`# expect: error`) is *found* when every line marked `# <- error` lies in an `error` finding's span;
findings on other lines are allowed and counted apart as extra. It is *fixed* when, after
`outplace fix` (safe fixes only, or with `--unsafe-fixes`), its backward runs and its value and
gradients (input tensors and every parameter of every module among the inputs) equal its
`reference`. An intentional snippet (`# expect: clean`) is *kept* when it gets no finding at all.
`--list` prints one line per snippet, so the cases missed can be read at a glance.

A case is a file, or a folder (`tests/real_failures/<name>/`): a small project without a package,
whose `main.py` has the header lines, `make_inputs`/`run`/`reference` and the entry point of a
one-file case, and imports 1-3 sibling modules as research code run as scripts does
(`from layers import Block`, at the top of the file). Its culprit lines may be in any of its files.
A folder case is planned file by file with one `engine.project_files` reading that folder only, so
what a file imports from its siblings is followed as `outplace check` on the folder follows it; it
is found when every marked line of every file lies in an `error` finding's span in that file. It is
fixed when, after each file of a copy of the folder is fixed with that project and written back,
the copy's `main.py` (imported with the copy first on `sys.path`, its sibling modules never taken
from another case) runs like the original's `reference`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixer.core import engine, registry  # noqa: E402
from fixer.analysis.imported import ProjectFiles  # noqa: E402
from fixer.core.types import Finding, Safety, Severity  # noqa: E402
from tests.golden_support import corpus_cases, input_and_parameter_grads, load_program, main_file  # noqa: E402

EXPECT = re.compile(r"^# expect: (error|clean|same)$", re.MULTILINE)
MARK = "# <- error"
SNIPPET = "snippet.py"  # the name a one-file case is planned under


@dataclass(frozen=True)
class Score:
    """What outplace did on one snippet; lines are (file name, line): `snippet.py` for a one-file case."""

    name: str
    kind: str  # error, clean or same
    findings: tuple[Finding, ...]
    marked: tuple[tuple[str, int], ...]
    safe: bool = False
    unsafe: bool = False
    folder: bool = False

    @property
    def found(self) -> bool:
        errors = [f for f in self.findings if f.severity is Severity.ERROR]
        return bool(self.marked) and all(any(covers(f, mark) for f in errors) for mark in self.marked)

    @property
    def extra(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not any(covers(f, mark) for mark in self.marked))

    @property
    def kept(self) -> bool:
        return not self.findings

    def where(self, name: str, line: int) -> str:
        """`12` in a one-file case, `layers.py:12` in a folder case."""
        return f"{name}:{line}" if self.folder else str(line)


def covers(finding: Finding, mark: tuple[str, int]) -> bool:
    """The finding is in the marked file and its span includes the line (a `with torch.no_grad():`
    fix spans its whole loop)."""
    name, line = mark
    return os.path.basename(finding.path) == name and finding.span.start_line <= line <= finding.span.end_line


def same(a: torch.Tensor | None, b: torch.Tensor | None) -> bool:
    """Equal within float rounding (a rewrite may reorder a sum), or both absent."""
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-6, atol=1e-7, equal_nan=True)


def runs_like_reference(fixed_case: Path, original: Path) -> bool:
    """The fixed snippet's backward runs and its value and gradients equal the reference's."""
    try:
        program = load_program(fixed_case)  # its own make_inputs: module inputs must be the fixed classes
        inputs = program.make_inputs()
        value = program.run(*inputs)
        value.backward()
        reference_program = load_program(original)
        reference_inputs = reference_program.make_inputs()
        want = reference_program.reference(*reference_inputs)
        want.backward()
    except Exception:  # noqa: BLE001 - a fix that breaks the program in any way is no fix
        return False
    grads, want_grads = input_and_parameter_grads(inputs), input_and_parameter_grads(reference_inputs)
    return same(value.detach(), want.detach()) and len(grads) == len(want_grads) and all(
        same(g, w) for g, w in zip(grads, want_grads))


def case_files(case: Path) -> dict[str, str]:
    """The case's files by name, `main.py` first: one `snippet.py` for a one-file case."""
    if not case.is_dir():
        return {SNIPPET: case.read_text()}
    paths = sorted(case.glob("*.py"), key=lambda p: (p.name != "main.py", p.name))
    return {p.name: p.read_text() for p in paths}


def folder_project(folder: Path) -> ProjectFiles:
    """The run's other files for a folder case: the `.py` files of that folder, read from disk."""
    root = folder.resolve()

    def read(path: str) -> str | None:
        candidate = Path(path)
        if candidate.parent != root or candidate.suffix != ".py" or not candidate.is_file():
            return None
        return candidate.read_text()

    project = engine.project_files(read)
    project.files = tuple(str(p) for p in sorted(root.glob("*.py")))
    return project


def plan_case(case: Path) -> tuple[Finding, ...]:
    """Every finding in the case: a folder case file by file, with its siblings as the project."""
    if not case.is_dir():
        return tuple(engine.plan(case.read_text(), SNIPPET, registry.all_rules()).findings)
    project, root = folder_project(case), case.resolve()
    return tuple(f for name, text in case_files(case).items()
                 for f in engine.plan(text, str(root / name), registry.all_rules(), project=project).findings)


def fixed(case: Path, unsafe: bool, folder: Path) -> bool:
    """The case runs like its reference after `outplace fix` (with `--unsafe-fixes` when `unsafe`)."""
    allowed = {Safety.SAFE, Safety.UNSAFE} if unsafe else {Safety.SAFE}

    def accept(finding: Finding) -> bool:
        return finding.safety in allowed

    copy = folder / f"{case.stem}_{'unsafe' if unsafe else 'safe'}"
    if not case.is_dir():
        result = engine.fix(case.read_text(), SNIPPET, registry.all_rules(), accept)
        if result.error is not None or result.new_text is None:
            return False
        path = copy.with_suffix(".py")
        path.write_text(result.new_text)
        return runs_like_reference(path, case)
    shutil.copytree(case, copy, ignore=shutil.ignore_patterns("__pycache__"))
    project, root = folder_project(copy), copy.resolve()
    for name in case_files(copy):  # each written before the next is fixed, as `outplace fix` writes them
        result = engine.fix((root / name).read_text(), str(root / name), registry.all_rules(), accept, project=project)
        if result.error is not None:
            return False
        if result.new_text is not None:
            (root / name).write_text(result.new_text)
    return runs_like_reference(copy, case)


def score(path: Path, folder: Path) -> Score:
    match = EXPECT.search(main_file(path).read_text())
    kind = match.group(1) if match else "same"
    findings = plan_case(path)
    marked = tuple((name, i) for name, text in case_files(path).items()
                   for i, line in enumerate(text.splitlines(), 1) if MARK in line)
    if kind != "error":
        return Score(path.stem, kind, findings, marked, folder=path.is_dir())
    return Score(path.stem, kind, findings, marked, safe=fixed(path, False, folder), unsafe=fixed(path, True, folder),
                 folder=path.is_dir())


def describe(s: Score) -> str:
    """One line for `--list`: the verdicts, then each finding as line:severity:rule."""
    lines = " ".join(f"{s.where(os.path.basename(f.path), f.span.start_line)}:{f.severity.value}:{f.rule_id}"
                     for f in s.findings) or "-"
    if s.kind == "clean":
        return f"{s.name:48s} {'kept' if s.kept else 'FLAGGED':8s} findings {lines}"
    verdict = (f"{'found' if s.found else 'MISSED':7s} "
               f"safe:{'yes' if s.safe else 'no ':3s} unsafe:{'yes' if s.unsafe else 'no ':3s}")
    return f"{s.name:48s} {verdict} marked {','.join(s.where(*m) for m in s.marked)} findings {lines}"


def summary(scores: Sequence[Score]) -> str:
    errors = [s for s in scores if s.kind == "error"]
    clean = [s for s in scores if s.kind == "clean"]
    n = len(errors)
    extra = [f for s in errors for f in s.extra]
    extra_errors = sum(f.severity is Severity.ERROR for f in extra)
    return (f"found {sum(s.found for s in errors)}/{n} (error at the culprit line), "
            f"fixed {sum(s.safe for s in errors)}/{n} with safe fixes, "
            f"{sum(s.unsafe for s in errors)}/{n} with --unsafe-fixes, "
            f"kept {sum(s.kept for s in clean)}/{len(clean)}\n"
            f"extra findings on unmarked lines of failing cases: {len(extra)} "
            f"({extra_errors} errors, {len(extra) - extra_errors} warnings)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT / "tests" / "risk_corpus")
    parser.add_argument("--list", action="store_true", help="print each case's verdicts and findings")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        scores = [score(path, Path(tmp)) for path in corpus_cases(args.corpus)]
    if args.list:
        for s in scores:
            if s.kind != "same":
                print(describe(s))
    print(summary(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
