"""The aliasing analysis, proven by execution: every fix it withholds would change what the program
computes, and every fix it calls safe computes the same values."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from fixer.core import engine, registry  # noqa: E402
from fixer.core.types import Finding, Safety  # noqa: E402

RULES = registry.all_rules()

# (case, body of `run(x)`, the in-place line, the rebinding an unsound fixer would write, verdict)
WITHHELD = [
    ("function_view_narrow", "rows = torch.narrow(h, 0, 0, 2)", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("function_view_moveaxis", "rows = torch.moveaxis(h, 0, 1)", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("function_view_select", "rows = torch.select(h, 1, 0)", "h += 1", "h = h + 1", Safety.DISPLAY_ONLY),
    ("method_view_ravel", "rows = h.ravel()", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("method_view_unflatten", "rows = h.unflatten(1, (2, 3))", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("attribute_view_mT", "rows = h.mT", "h.sub_(1)", "h = h.sub(1)", Safety.DISPLAY_ONLY),
    ("detach_shares_storage", "rows = h.detach()", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("maybe_view_reshape", "rows = h.reshape(-1)", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("maybe_view_flatten", "rows = torch.flatten(h)", "h += 1", "h = h + 1", Safety.DISPLAY_ONLY),
    ("expand", "rows = h[:1].expand(3, 6)", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("split_views", "rows = torch.split(h, 2)", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("unpacked_unbind", "lo, hi = h.view(2, -1).unbind(0)\n    rows = (lo, hi)", "h.mul_(2)", "h = h.mul(2)",
     Safety.DISPLAY_ONLY),
    ("target_is_a_view", "rows = h\n    h = rows[0]", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("list_extend", "rows = []\n    rows.extend([h])", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("list_augmented", "rows = []\n    rows += [h]", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("dict_item", "rows = {}\n    rows['h'] = h", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("tuple", "rows = (h, 1)", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("chained_assignment", "rows = h = torch.sigmoid(x)", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("appended_in_the_loop", "rows = []\n    for _ in range(2):\n        rows.append(h)\n        PLACEHOLDER",
     "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("view_of_an_earlier_binding", "rows = []\n    rows.append(h)\n    h = h.permute(1, 0)", "h += 1", "h = h + 1",
     Safety.DISPLAY_ONLY),
    ("origin_kept_before_the_view", "keep(h)\n    rows = STORE\n    h = h.view(-1)", "h.mul_(2)", "h = h.mul(2)",
     Safety.UNSAFE),
    ("view_read_in_the_next_iteration", "g = torch.zeros_like(h)\n    for _ in range(3):\n        PLACEHOLDER\n        rows = g * 1\n        g = h.detach()",
     "h += 1", "h = h + 1", Safety.DISPLAY_ONLY),
    ("returned_by_an_inplace_flag", "rows = torch.nn.functional.relu(h, inplace=True)", "h.mul_(2)", "h = h.mul(2)",
     Safety.DISPLAY_ONLY),
    ("returned_by_out", "rows = torch.mul(h, 1, out=h)", "h.sub_(1)", "h = h.sub(1)", Safety.DISPLAY_ONLY),
    ("kept_by_a_helper", "keep(h)\n    rows = STORE", "h.mul_(2)", "h = h.mul(2)", Safety.UNSAFE),
    ("kept_by_a_torch_class", "rows = torch.nn.Parameter(h, requires_grad=False)", "h.mul_(2)", "h = h.mul(2)",
     Safety.UNSAFE),
    ("closure_over_a_view", "v = h[0]\n    rows = lambda: v * 1", "h.mul_(2)", "h = h.mul(2)", Safety.DISPLAY_ONLY),
    ("closure_called_before_keeps_it", "remember = lambda: keep(h)\n    remember()\n    rows = STORE", "h.mul_(2)",
     "h = h.mul(2)", Safety.UNSAFE),
]
PRELUDE = "import torch\n\nSTORE = []\n\n\ndef keep(t):\n    STORE.append(t)\n\n\n"


def program(setup: str, write: str) -> str:
    body = f"h = torch.sigmoid(x)\n    {setup}\n    {write}\n    return h, rows\n"
    if "PLACEHOLDER" in setup:
        body = f"h = torch.sigmoid(x)\n    {setup.replace('PLACEHOLDER', write)}\n    return h, rows\n"
    if setup.startswith("rows = h = "):
        body = f"{setup}\n    {write}\n    return h, rows\n"
    return PRELUDE + "def run(x):\n    " + body


def execute(source: str) -> list[Any]:
    """Run `run` on a fixed input without grad and flatten everything it returns into tensors."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "<case>", "exec"), namespace)
    torch.manual_seed(0)
    with torch.no_grad():
        result = namespace["run"](torch.randn(4, 6))
    return list(_tensors(result))


def _tensors(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        yield value.clone()
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item)
    elif callable(value):
        yield from _tensors(value())


def same(a: list[Any], b: list[Any]) -> bool:
    return len(a) == len(b) and all(x.dtype == y.dtype and x.shape == y.shape and torch.equal(x, y) for x, y in zip(a, b))


def the_finding(source: str, write: str) -> Finding:
    line = next(i for i, text in enumerate(source.splitlines(), 1) if text.strip() == write)
    found = [f for f in engine.plan(source, "case.py", RULES).findings if f.span.start_line == line]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("setup", "write", "naive", "verdict"), [c[1:] for c in WITHHELD], ids=[c[0] for c in WITHHELD])
def test_withheld_fix_would_change_the_values(setup: str, write: str, naive: str, verdict: Safety) -> None:
    source = program(setup, write)
    finding = the_finding(source, write)
    assert finding.safety is verdict, finding.message
    if verdict is Safety.DISPLAY_ONLY:
        assert finding.replacement is None
        on_the_write = lambda f: f.span.start_line == finding.span.start_line  # noqa: E731
        assert engine.fix(source, "case.py", RULES, on_the_write).new_text is None
    rebound = source.replace(write, naive)
    assert not same(execute(source), execute(rebound)), "the rebinding keeps the values: the verdict is too strict"


SAFE = [
    ("fresh_result_read_by_ops", "rows = torch.cat([h, h]) * h.shape[0]", "h.mul_(2)"),
    ("view_consumed_at_once", "rows = h.view(-1).sum() + h.t().mean()", "h.add_(1)"),
    ("view_dead_before_the_write", "rows = h.view(-1)\n    rows = rows * 2", "h += 1"),
    ("split_stacked", "rows = torch.stack(h.chunk(2, dim=1), 0).sum(0)", "h.mul_(3)"),
    ("rebound_after_loop", "rows = [h[i] * 2 for i in range(2)]", "h.sub_(1)"),
    ("view_tied_again_after_each_write",
     "g = torch.zeros_like(h)\n    rows = []\n    for _ in range(3):\n        PLACEHOLDER\n        g = h.detach()", "h += g"),
    ("closure_reads_the_rebound_name", "rows = lambda: h * 1", "h.mul_(2)"),
    ("unbind_read_before_the_write", "lo, hi = h.view(2, -1).unbind(0)\n    rows = lo + hi", "h.mul_(2)"),
]


@pytest.mark.parametrize(("setup", "write"), [c[1:] for c in SAFE], ids=[c[0] for c in SAFE])
def test_safe_fix_keeps_the_values(setup: str, write: str) -> None:
    source = program(setup, write)
    finding = the_finding(source, write)
    assert finding.safety is Safety.SAFE, finding.message
    fixed = engine.fix(source, "case.py", RULES, lambda f: f.safety is Safety.SAFE).new_text
    assert fixed is not None and write not in fixed
    assert same(execute(source), execute(fixed))


def test_issue_examples_are_not_safe() -> None:
    """The issue's examples, each one program."""
    source = textwrap.dedent("""\
        import torch

        def f(x, s):
            feat = torch.sigmoid(x)
            rows = torch.narrow(feat, 0, 0, 4)
            feat.mul_(s)
            return rows

        def g(a, b):
            for p in (a, b):
                p.clamp_(min=0)
            return a, b
        """)
    findings = engine.plan(source, "case.py", RULES).findings
    assert [f.safety for f in findings] == [Safety.DISPLAY_ONLY, Safety.DISPLAY_ONLY]
