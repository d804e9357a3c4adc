"""Risk analysis on a corpus of realistic snippets (`tests/risk_corpus/*.py`), run under torch.

Each snippet starts with `# expect: <kind>`:
- `error`: the lines marked `# <- error` get an `error` finding (and no other line does); the
  snippet's backward raises "modified by an inplace operation"; after `fix --unsafe-fixes` it runs
  backward, and its value and input gradients equal the hand-written `reference`.
- `clean`: intentional in-place code (optimizer steps, EMA, init, mask tables, ...): no finding.
- `same`: nothing is saved, so findings may be warnings, but the fixed code gives the same value
  and gradients as the original.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import libcst as cst
import torch

from fixer.core import engine
from fixer.analysis.regions import collect_imports
from fixer.analysis.scope import FactsCollector
from fixer.analysis.tensors import Kind, TensorKinds
from fixer.core.registry import find_rule
from fixer.core.types import Safety, Severity
from golden_support import accept, assert_same, input_grads, load_module

CORPUS = Path(__file__).parent / "risk_corpus"
RULES = [find_rule("IP101"), find_rule("IP102")]
EXPECT = re.compile(r"^# expect: (error|clean|same)$", re.MULTILINE)
INPLACE_ERROR = "modified by an inplace operation"


def plan(text: str):
    result = engine.plan(text, "snippet.py", RULES)
    assert result.error is None, result.error
    return result.findings


def fix(text: str) -> str:
    result = engine.fix(text, "snippet.py", RULES, accept(True))
    assert result.error is None, result.error
    return text if result.new_text is None else result.new_text


def run(path: Path, inputs: tuple[torch.Tensor, ...], attr: str = "run") -> tuple[torch.Tensor, list]:
    value = getattr(load_module(path), attr)(*inputs)
    value.backward()
    return value.detach(), input_grads(inputs)


def fresh(path: Path) -> tuple[torch.Tensor, ...]:
    return load_module(path).make_inputs()


SNIPPETS = sorted(CORPUS.glob("*.py"))


def test_corpus_is_big_enough() -> None:
    kinds = [EXPECT.search(p.read_text()).group(1) for p in SNIPPETS]  # type: ignore[union-attr]
    assert len(SNIPPETS) >= 40 and kinds.count("error") >= 25 and kinds.count("clean") >= 15


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.stem)
def test_snippet(path: Path, tmp_path: Path) -> None:
    text = path.read_text()
    match = EXPECT.search(text)
    assert match, f"{path.name} has no '# expect:' line"
    expect = match.group(1)
    findings = plan(text)
    errors = sorted(f.span.start_line for f in findings if f.severity is Severity.ERROR)
    if expect == "clean":
        assert [f"{f.span.start_line}: {f.message}" for f in findings] == []
        return
    if expect == "error":
        marked = [i for i, line in enumerate(text.splitlines(), 1) if "# <- error" in line]
        assert errors == marked, [f"{f.span.start_line}: {f.message}" for f in findings]
        assert all("makes backward fail" in f.message for f in findings if f.severity is Severity.ERROR)
        with pytest.raises(RuntimeError, match=INPLACE_ERROR):
            run(path, fresh(path))
    else:
        assert errors == []
    fixed = tmp_path / path.name
    fixed.write_text(fix(text))
    assert fixed.read_text() != text or expect == "same" and not findings
    value, grads = run(fixed, fresh(path))
    if expect == "error":
        want_value, want_grads = run(path, fresh(path), "reference")
    else:
        want_value, want_grads = run(path, fresh(path))
    assert_same(value, want_value, "forward value")
    assert len(grads) == len(want_grads)
    for got, want in zip(grads, want_grads):
        assert_same(got, want, "input gradient")


def single(source: str):
    (finding,) = plan(source)
    return finding


def test_optimizer_state_alias_is_never_safe() -> None:
    finding = single(
        "import torch\n\n"
        "def ema_update(state, value: torch.Tensor, decay: float):\n"
        "    exp_avg = state['exp_avg']\n"
        "    exp_avg.mul_(decay).add_(value, alpha=1 - decay)\n"
    )
    assert finding.safety is not Safety.SAFE
    assert "state['exp_avg']" in finding.message and "(line 4)" in finding.message


def test_parameter_attribute_is_never_rewritten() -> None:
    finding = single("import torch\n\ndef scale(m: torch.nn.Linear, s: float):\n    m.weight.mul_(s)\n")
    assert finding.safety is Safety.DISPLAY_ONLY and not finding.fixable


def test_new_tensor_is_safe_module_output_is_not() -> None:
    findings = plan(
        "import torch\n\n"
        "class Block(torch.nn.Module):\n"
        "    def forward(self, x: torch.Tensor):\n"
        "        h = x.exp()\n"
        "        h.relu_()\n"
        "        y = self.drop(x)\n"
        "        y += 1\n"
        "        return h, y\n"
    )
    by_line = {f.span.start_line: f for f in findings}
    assert by_line[6].safety is Safety.SAFE
    assert by_line[8].safety is Safety.UNSAFE and "self.drop(x)" in by_line[8].message


def test_saved_input_names_the_op_and_line() -> None:
    finding = single(
        "import torch\n\n"
        "def f(x: torch.Tensor, w: torch.Tensor):\n"
        "    h = x * 2\n"
        "    y = torch.matmul(h, w)\n"
        "    h += 1\n"
        "    return y, h\n"
    )
    assert finding.severity is Severity.ERROR
    assert finding.message.startswith("`h` is an input of `torch.matmul` (line 5), which saves it for backward")


def kinds_of_returns(source: str) -> list[Kind]:
    """The tensor kind of each `return` value of `source`'s last function."""
    module = cst.parse_module(source)
    collector = FactsCollector(collect_imports(ast.parse(source)))
    returns: list[cst.Return] = []

    class Returns(cst.BatchableCSTVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            returns.append(node)

    cst.visit_batched(module, [collector, Returns()])
    kinds = TensorKinds(collector.facts)
    return [kinds.kind(r.value, collector.facts.scope(r)) for r in returns if r.value is not None]


def test_comparison_is_a_tensor_unless_no_side_can_be() -> None:
    source = (
        "import torch\n\n"
        "def f(t: torch.Tensor, n: int, w, xs: list):\n"
        "    return t > 0\n"
        "    return w > 0\n"  # `w` may be a tensor: a bool tensor then
        "    return n > 0\n"
        "    return w is None\n"
        "    return w in xs\n"
        "    return 0 < w\n"
    )
    assert kinds_of_returns(source) == [Kind.TENSOR, Kind.UNKNOWN, Kind.NOT_TENSOR, Kind.NOT_TENSOR,
                                        Kind.NOT_TENSOR, Kind.UNKNOWN]


def test_error_message_ends_with_the_fix() -> None:
    finding = single(
        "import torch\n\n"
        "def f(z: torch.Tensor):\n"
        "    h = torch.sigmoid(z)\n"
        "    h.add_(1)\n"
        "    return h\n"
    )
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "`h` is the output of `torch.sigmoid` (line 4), which saves its result for backward; "
        "`h.add_(1)` at line 5 makes backward fail. Fix: `h = h.add(1)`."
    )


def test_written_result_whose_topk_values_are_returned_is_still_an_error() -> None:
    finding = single(
        "import torch\n\n"
        "def f(scores: torch.Tensor, k: int):\n"
        "    block = scores.amax(dim=-1)\n"
        "    block.clamp_(min=0)\n"
        "    values, indices = block.topk(k, dim=-1)\n"
        "    return values, indices\n"
    )
    assert finding.severity is Severity.ERROR and "`.amax()` (line 4)" in finding.message


def test_saved_input_whose_op_output_is_returned_is_still_an_error() -> None:
    finding = single(
        "import torch\n\n"
        "def f(module: torch.nn.Linear, scale: torch.Tensor):\n"
        "    weight = module.weight.data\n"
        "    extra = weight @ scale\n"
        "    weight.mul_(2)\n"
        "    return extra\n"
    )
    assert finding.severity is Severity.ERROR and "`@` (line 5)" in finding.message


def test_tensor_handed_to_a_call_before_the_write_is_not_safe() -> None:
    findings = plan(
        "import torch\n\n"
        "def build(cache: dict, x: torch.Tensor):\n"
        "    h = x.exp()\n"
        "    remember(cache, h)\n"  # may keep `h`: the in-place write shows through it, a rebinding not
        "    h.add_(1)\n"
        "    g = x.exp()\n"
        "    g.add_(1)\n"
        "    remember(cache, g)\n"  # after the write: nothing kept sees the difference
        "    return h, g\n"
    )
    by_line = {f.span.start_line: f for f in findings}
    assert by_line[6].safety is Safety.UNSAFE and "`remember(cache, h)` (line 5)" in by_line[6].message
    assert by_line[8].safety is Safety.SAFE

