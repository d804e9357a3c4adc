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
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixer import engine, registry  # noqa: E402
from fixer.types import Finding, Safety, Severity  # noqa: E402
from tests.golden_support import input_and_parameter_grads, load_module  # noqa: E402

EXPECT = re.compile(r"^# expect: (error|clean|same)$", re.MULTILINE)
MARK = "# <- error"


@dataclass(frozen=True)
class Score:
    """What outplace did on one snippet."""

    name: str
    kind: str  # error, clean or same
    findings: tuple[Finding, ...]
    marked: tuple[int, ...]
    safe: bool = False
    unsafe: bool = False

    @property
    def found(self) -> bool:
        errors = [f for f in self.findings if f.severity is Severity.ERROR]
        return bool(self.marked) and all(any(covers(f, line) for f in errors) for line in self.marked)

    @property
    def extra(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not any(covers(f, line) for line in self.marked))

    @property
    def kept(self) -> bool:
        return not self.findings


def covers(finding: Finding, line: int) -> bool:
    """The finding's span includes the line (a `with torch.no_grad():` fix spans its whole loop)."""
    return finding.span.start_line <= line <= finding.span.end_line


def same(a: torch.Tensor | None, b: torch.Tensor | None) -> bool:
    """Equal within float rounding (a rewrite may reorder a sum), or both absent."""
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and torch.allclose(a, b, rtol=1e-6, atol=1e-7, equal_nan=True)


def runs_like_reference(path: Path, original: Path) -> bool:
    """The fixed snippet's backward runs and its value and gradients equal the reference's."""
    try:
        program = load_module(path)  # its own make_inputs: module inputs must be the fixed classes
        inputs = program.make_inputs()
        value = program.run(*inputs)
        value.backward()
        reference_inputs = load_module(original).make_inputs()
        want = load_module(original).reference(*reference_inputs)
        want.backward()
    except Exception:  # noqa: BLE001 - a fix that breaks the program in any way is no fix
        return False
    grads, want_grads = input_and_parameter_grads(inputs), input_and_parameter_grads(reference_inputs)
    return same(value.detach(), want.detach()) and len(grads) == len(want_grads) and all(
        same(g, w) for g, w in zip(grads, want_grads))


def fixed(text: str, original: Path, unsafe: bool, folder: Path) -> bool:
    allowed = {Safety.SAFE, Safety.UNSAFE} if unsafe else {Safety.SAFE}
    result = engine.fix(text, "snippet.py", registry.all_rules(), lambda f: f.safety in allowed)
    if result.error is not None or result.new_text is None:
        return False
    path = folder / f"{original.stem}_{'unsafe' if unsafe else 'safe'}.py"
    path.write_text(result.new_text)
    return runs_like_reference(path, original)


def score(path: Path, folder: Path) -> Score:
    text = path.read_text()
    match = EXPECT.search(text)
    kind = match.group(1) if match else "same"
    findings = tuple(engine.plan(text, "snippet.py", registry.all_rules()).findings)
    marked = tuple(i for i, line in enumerate(text.splitlines(), 1) if MARK in line)
    if kind != "error":
        return Score(path.stem, kind, findings, marked)
    return Score(path.stem, kind, findings, marked,
                 safe=fixed(text, path, False, folder), unsafe=fixed(text, path, True, folder))


def describe(s: Score) -> str:
    """One line for `--list`: the verdicts, then each finding as line:severity:rule."""
    lines = " ".join(f"{f.span.start_line}:{f.severity.value}:{f.rule_id}" for f in s.findings) or "-"
    if s.kind == "clean":
        return f"{s.name:48s} {'kept' if s.kept else 'FLAGGED':8s} findings {lines}"
    verdict = (f"{'found' if s.found else 'MISSED':7s} "
               f"safe:{'yes' if s.safe else 'no ':3s} unsafe:{'yes' if s.unsafe else 'no ':3s}")
    return f"{s.name:48s} {verdict} marked {','.join(map(str, s.marked))} findings {lines}"


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
        scores = [score(path, Path(tmp)) for path in sorted(args.corpus.glob("*.py"))]
    if args.list:
        for s in scores:
            if s.kind != "same":
                print(describe(s))
    print(summary(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
