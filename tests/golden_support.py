"""Helpers for the golden harness: discovering cases, running the fixer, diffs, executing cases.

A case lives in `golden/<rule-name>/` as either
- `<case>.before.py` + `<case>.after.py`: fixing `before` gives `after` exactly, or
- `<case>.noop.py`: fixing it (unsafe fixes included) gives it back byte-identical,
plus an optional `<case>.findings.txt` snapshot of what check mode reports on the input.

Flags go in comment lines at the top of the input, `# outplace-golden: flag, flag`:
- `unsafe-fixes`: apply unsafe fixes too (`outplace fix --unsafe-fixes`); default is safe only.
- `before-fails`: the input's backward really raises "modified by an inplace operation".
- `no-findings`: (noop cases) check mode reports nothing at all, not merely nothing fixable.
- `safe-fixes-only`: (noop cases) checked with safe fixes only; by default a noop case must
  survive unsafe fixes too. Pair it with a findings snapshot showing the unsafe fix left alone.

A case is executed when its input defines `make_inputs()` and `run(*inputs)`; see `execute`.
"""

from __future__ import annotations

import difflib
import importlib.util
import itertools
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import torch
import unidiff
from unidiff.constants import LINE_TYPE_NO_NEWLINE

from fixer.core import engine, registry
from fixer.core.codemod import Codemod
from fixer.files.sourcefile import split_lines
from fixer.core.types import FileResult, Finding, Safety

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "golden"
FLAG_LINE = re.compile(r"^#\s*outplace-golden:\s*(?P<flags>.*?)\s*$")
KNOWN_FLAGS = frozenset({"unsafe-fixes", "safe-fixes-only", "before-fails", "no-findings"})
EXECUTED = re.compile(r"^def make_inputs\(.*^def run\(", re.MULTILINE | re.DOTALL)


# files ------------------------------------------------------------------------------------------
def read_text(path: Path) -> str:
    """The file's text with its newlines untouched (CRLF cases stay CRLF)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


@dataclass(frozen=True)
class Case:
    """One golden case: `source` is the input (`before` or `noop`), `expected` the output file."""

    rule_name: str
    name: str
    source: Path
    expected: Path | None  # None for a noop case: the output is the input
    findings: Path

    @property
    def id(self) -> str:
        return f"{self.rule_name}/{self.name}"

    @property
    def noop(self) -> bool:
        return self.expected is None

    @property
    def text(self) -> str:
        return read_text(self.source)

    @property
    def flags(self) -> frozenset[str]:
        return flags_of(self.text)

    @property
    def executed(self) -> bool:
        return EXECUTED.search(self.text) is not None

    def rule(self) -> type[Codemod]:
        rule = registry.find_rule(self.rule_name)
        assert rule is not None, f"golden/{self.rule_name}/ names no rule"
        return rule


def discover(root: Path = GOLDEN) -> list[Case]:
    """Every case under `root`, sorted by id; a `before` without an `after` is still a case."""
    cases = []
    for path in sorted(root.glob("*/*")):
        name, kind = _split_name(path.name)
        if kind == "before":
            expected = path.with_name(f"{name}.after.py")
        elif kind == "noop":
            expected = None
        else:
            continue
        cases.append(Case(path.parent.name, name, path, expected, path.with_name(f"{name}.findings.txt")))
    return cases


def stray_files(root: Path = GOLDEN) -> list[Path]:
    """Files that belong to no case: an `after` or snapshot without its input, or an unknown kind."""
    inputs = {(c.rule_name, c.name) for c in discover(root)}
    return [
        path
        for path in sorted(root.glob("*/*"))
        if _split_name(path.name)[1] not in {"before", "after", "noop", "findings"}
        or (path.parent.name, _split_name(path.name)[0]) not in inputs
    ]


def _split_name(filename: str) -> tuple[str, str]:
    for kind, suffix in (("before", ".before.py"), ("after", ".after.py"), ("noop", ".noop.py"),
                         ("findings", ".findings.txt")):
        if filename.endswith(suffix):
            return filename[: -len(suffix)], kind
    return filename, "unknown"


def flags_of(text: str) -> frozenset[str]:
    """The flags of the leading `# outplace-golden:` comment lines; unknown flags are an error."""
    found: set[str] = set()
    for line in split_lines(text):
        match = FLAG_LINE.match(line.rstrip("\r\n"))
        if match is None:
            break
        found |= {f.strip() for f in match.group("flags").split(",") if f.strip()}
    unknown = found - KNOWN_FLAGS
    assert not unknown, f"unknown golden flags: {sorted(unknown)}"
    return frozenset(found)


# the fixer --------------------------------------------------------------------------------------
def accept(unsafe: bool) -> Callable[[Finding], bool]:
    """What `outplace fix` applies: safe fixes, plus unsafe ones with `--unsafe-fixes`."""
    allowed = {Safety.SAFE, Safety.UNSAFE} if unsafe else {Safety.SAFE}
    return lambda finding: finding.safety in allowed


def run_fix(text: str, path: str, rule: type[Codemod], *, unsafe: bool) -> str:
    """The fixed text (the input itself when nothing changed); fails the test on a file error."""
    result = engine.fix(text, path, [rule], accept(unsafe))
    assert result.error is None, result.error.describe(path)
    return text if result.new_text is None else result.new_text


def run_plan(text: str, path: str, rule: type[Codemod]) -> FileResult:
    result = engine.plan(text, path, [rule])
    assert result.error is None, result.error.describe(path)
    return result


def format_findings(findings: Sequence[Finding]) -> str:
    """The snapshot: `line:col ID [severity, safety] message`, columns 1-based like any linter."""
    return "".join(
        f"{f.span.start_line}:{f.span.start_col + 1} {f.rule_id} [{f.severity.value}, {f.safety.value}] "
        f"{f.message}\n"
        for f in findings
    )


# diffs ------------------------------------------------------------------------------------------
def unified_diff(path: str, old: str, new: str) -> str:
    """The project's diff when `fixer.core.diff` exists, else difflib's with a/ b/ headers."""
    if importlib.util.find_spec("fixer.core.diff") is not None:
        from fixer.core import diff  # type: ignore[attr-defined]

        return str(diff.unified_diff(path, old, new))
    lines = difflib.unified_diff(split_lines(old), split_lines(new), f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def apply_patch(old: str, patch: str) -> str:
    """Apply a one-file unified diff, parsed by unidiff, to `old`; context must match exactly."""
    patched = unidiff.PatchSet(patch)
    assert len(patched) == 1, f"expected a one-file patch, got {len(patched)} files"
    source = split_lines(old)
    out: list[str] = []
    position = 0  # index into `source` of the next line not yet copied
    for hunk in patched[0]:
        start = hunk.source_start - 1 if hunk.source_length else hunk.source_start
        assert start >= position, "hunks overlap or are out of order"
        out += source[position:start]
        position = start
        lines = list(hunk)
        for line, following in zip(lines, lines[1:] + [None]):
            value = line.value
            if following is not None and following.line_type == LINE_TYPE_NO_NEWLINE:
                value = value.removesuffix("\n")  # the marker: this line ends its file bare
            if line.is_context or line.is_removed:
                assert source[position] == value, f"line {position + 1} does not match the patch"
                position += 1
            if line.is_context or line.is_added:
                out.append(value)
    out += source[position:]
    return "".join(out)


# executing --------------------------------------------------------------------------------------
_loaded = itertools.count()


def load_module(path: Path) -> ModuleType:
    """Import `path` as a fresh module each time (never cached in sys.modules)."""
    name = f"golden_case_{next(_loaded)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up while they execute
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def corpus_cases(corpus: Path) -> list[Path]:
    """A corpus's cases: each `*.py` file, and each folder holding a `main.py` (a folder case)."""
    folders = [p for p in corpus.iterdir() if (p / "main.py").is_file()]
    return sorted([*corpus.glob("*.py"), *folders], key=lambda p: p.name)


def main_file(case: Path) -> Path:
    """The file a case runs: the case itself, or a folder case's `main.py`."""
    return case / "main.py" if case.is_dir() else case


def load_program(case: Path) -> ModuleType:
    """A corpus case's program, fresh: a folder case's `main.py` imports its sibling modules
    (`from layers import Block`) from its own folder, never another case's modules of the same name."""
    if not case.is_dir():
        return load_module(case)
    siblings = {p.stem for p in case.glob("*.py")} - {"main"}
    hidden = {name: sys.modules.pop(name) for name in siblings if name in sys.modules}
    sys.path.insert(0, str(case))
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in the corpus
    try:
        return load_module(case / "main.py")
    finally:
        sys.dont_write_bytecode = writes_bytecode
        sys.path.remove(str(case))
        for name in siblings:
            sys.modules.pop(name, None)
        sys.modules.update(hidden)


def fresh_inputs(module: ModuleType) -> tuple[Any, ...]:
    """`module.make_inputs()` under seed 0: new leaf tensors on every call, never shared."""
    torch.manual_seed(0)
    made = module.make_inputs()
    return tuple(made) if isinstance(made, (tuple, list)) else (made,)


def differentiable(value: Any) -> bool:
    """Whether backward applies: a float or complex tensor (integer and bool results do not)."""
    return isinstance(value, torch.Tensor) and (value.is_floating_point() or value.is_complex())


def input_grads(inputs: Sequence[Any]) -> list[torch.Tensor | None]:
    return [t.grad for t in inputs if isinstance(t, torch.Tensor) and t.requires_grad]


def input_and_parameter_grads(inputs: Sequence[Any]) -> list[torch.Tensor | None]:
    """The gradients of every input tensor that requires grad, then of every module input's parameters."""
    params = [p for m in inputs if isinstance(m, torch.nn.Module) for p in m.parameters() if p.requires_grad]
    return input_grads(inputs) + [p.grad for p in params]


def forward_value(module: ModuleType, inputs_from: ModuleType) -> torch.Tensor:
    """`module.run`'s value, in grad mode when it can be computed so, else under `no_grad`.

    Code that writes a leaf requiring grad in place raises already in the forward pass; its
    value is still well defined without autograd, and that is what the fix must keep.
    """
    try:
        return module.run(*fresh_inputs(inputs_from)).detach()
    except RuntimeError:
        with torch.no_grad():
            return module.run(*fresh_inputs(inputs_from))


def assert_same(actual: Any, expected: Any, what: str) -> None:
    """Equal for integer and bool tensors, all-close within float rounding otherwise."""
    assert isinstance(actual, torch.Tensor) and isinstance(expected, torch.Tensor), what
    assert actual.shape == expected.shape and actual.dtype == expected.dtype, (
        f"{what}: {actual.dtype}{list(actual.shape)} != {expected.dtype}{list(expected.shape)}"
    )
    if differentiable(actual):
        assert torch.allclose(actual, expected, rtol=1e-6, atol=1e-7, equal_nan=True), (
            f"{what}: {actual} != {expected}"
        )
    else:
        assert torch.equal(actual, expected), f"{what}: {actual} != {expected}"
