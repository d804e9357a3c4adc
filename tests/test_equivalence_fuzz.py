"""A bounded run of the differential fuzzer (`scripts/equivalence_fuzz.py`), and its comparer's own tests.

The bounded run fixes a fixed set of generated programs (the same every run) and requires that no
safe fix changes what any of them computes, and that outplace never fails on one. The comparer's
tests make sure the fuzzer cannot pass by seeing nothing.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch


from tests import equivalence
from tests.equivalence import (
    Fixed,
    Observed,
    check_seeds,
    differences,
    fix,
    load,
    observe,
    reference_without_grad,
    tensor_difference,
)
from tests.equivalence_shrink import classify, shrink
from tests.equivalence_programs import HEADER, Program, Unit, generate, module_source

BOUNDED = range(400)  # about 20 s on one idle core


# the comparer -----------------------------------------------------------------------------------
def test_a_changed_value_is_a_difference() -> None:
    assert tensor_difference(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.5])) is not None


def test_a_changed_dtype_is_a_difference_even_with_equal_values() -> None:
    ones = torch.ones(3, dtype=torch.float16)
    assert tensor_difference(ones, ones.float()) == "dtype torch.float16 -> torch.float32"


def test_a_changed_shape_is_a_difference() -> None:
    assert tensor_difference(torch.zeros(2, 3), torch.zeros(3, 2)) is not None


def test_nan_equals_nan_in_the_same_places_only() -> None:
    nan = math.nan
    assert tensor_difference(torch.tensor([nan, 1.0]), torch.tensor([nan, 1.0])) is None
    assert tensor_difference(torch.tensor([nan, 1.0], dtype=torch.bfloat16),
                             torch.tensor([nan, 1.0], dtype=torch.bfloat16)) is None
    assert tensor_difference(torch.tensor([nan, 1.0]), torch.tensor([1.0, nan])) is not None
    assert tensor_difference(torch.tensor([nan]), torch.tensor([0.0])) is not None


def test_the_comparison_is_exact_not_approximate() -> None:
    x = torch.tensor([1.0], dtype=torch.float64)
    assert tensor_difference(x, x + 1e-15) is not None


def test_integer_and_bool_tensors_are_compared() -> None:
    assert tensor_difference(torch.tensor([1, 2]), torch.tensor([1, 3])) is not None
    assert tensor_difference(torch.tensor([True]), torch.tensor([False])) is not None


PROGRAM = """
def run():
    torch.manual_seed(0)
    w = torch.randn(3, requires_grad=True)
    h = torch.sigmoid(w)
    rows = h[:2]
    outs = [h * 1]
    box = types.SimpleNamespace(t=h)
    {write}
    loss = h.sum()
    loss.backward()
    return rows
"""


def _observe(write: str) -> Observed:
    return observe(load(HEADER + PROGRAM.format(write=write), "<test>")["run"])


def test_every_reachable_tensor_is_read_containers_namespaces_and_gradients() -> None:
    seen = _observe("pass")
    assert {"w", "w.grad", "h", "rows", "outs[0]", "box.t", "loss", "<return>"} <= set(seen.values)
    assert seen.error is None


def test_a_write_seen_only_through_a_view_is_a_difference() -> None:
    before, after = _observe("h.mul_(2)"), _observe("h = h.mul(2)")
    assert before.failed_in_backward  # sigmoid saved `h`: what outplace is for
    assert any(d.startswith("rows:") for d in differences(before, after))
    assert any(d.startswith("box.t:") for d in differences(before, after))


def test_gradients_are_compared_when_both_run_backward() -> None:
    before, after = _observe("w.grad = None"), _observe("h = h * 1.5")
    assert "w.grad: values differ" in " ".join(differences(before, after))


def test_a_tensor_that_no_longer_requires_grad_is_a_difference() -> None:
    in_graph = torch.ones(2, requires_grad=True) * 0
    assert differences(Observed({"h": in_graph}), Observed({"h": torch.zeros(2)})) == ["h: requires_grad True -> False"]


def test_a_new_exception_is_a_difference() -> None:
    before, after = _observe("pass"), _observe("h = h.nothing()")
    assert differences(before, after) == [
        "raised nothing -> AttributeError: 'Tensor' object has no attribute 'nothing'"]


def test_identical_programs_have_no_difference() -> None:
    assert differences(_observe("h = h * 2"), _observe("h = h * 2")) == []


LEAF_PROGRAM = """
def run():
    torch.manual_seed(0)
    w = torch.randn(3, requires_grad=True)
    rows = w[:2]
    {write}
    loss = (w * 2).sum()
    loss.backward()
"""


def test_a_write_autograd_refuses_is_compared_with_what_no_grad_computes() -> None:
    def run(write: str) -> Any:
        return load(HEADER + LEAF_PROGRAM.format(write=write), "<test>")["run"]

    refused = observe(run("w.mul_(2)"))
    assert refused.refused_by_autograd
    reference = reference_without_grad(run("w.mul_(2)"))
    assert reference is not None and reference.forward_only
    assert differences(reference, observe(run("with torch.no_grad():\n        w.mul_(2)"))) == []
    assert [d.split(":")[0] for d in differences(reference, observe(run("w = w.mul(2)")))] == ["rows"]


# the generator and the shrinker -----------------------------------------------------------------
def test_a_program_is_reproduced_from_its_seed() -> None:
    assert generate(7) == generate(7)
    assert generate(7) != generate(8)


def test_a_program_run_twice_computes_the_same_so_a_difference_is_never_noise() -> None:
    programs = [generate(seed) for seed in range(60)]
    first, second = load(module_source(programs), "<first>"), load(module_source(programs), "<second>")
    assert all(differences(observe(first[p.name]), observe(second[p.name])) == [] for p in programs)


def test_the_shrinker_keeps_the_difference_and_drops_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    # a stand-in for outplace that makes the view-alias mistake, so the test holds whatever outplace does
    def rebinding_fix(text: str, unsafe: bool) -> Fixed:
        return Fixed(text.replace("h.mul_(2)", "h = h.mul(2)"), safe=1)

    monkeypatch.setattr(equivalence, "fix", rebinding_fix)
    units = ["w = torch.randn(3, requires_grad=True)", "a = torch.ones(2)", "h = torch.sigmoid(w)",
             "b = a * 2", "rows = h[:2]", "a.add_(1)", "h.mul_(2)", "return b"]
    program = Program(5, tuple(Unit(code, frozenset({"view"} if "[" in code else ())) for code in units))
    found = equivalence.check([program], unsafe=False).differences
    assert [[detail.split(" (")[0] for detail in d.details] for d in found] == [["rows: values differ"]]
    shrunk = shrink(found[0], unsafe=False)
    assert [u.code for u in shrunk.program.units] == [units[0], units[2], units[4], units[6]]
    assert classify(shrunk) == "view-alias"


# the bounded run --------------------------------------------------------------------------------
def test_safe_fixes_never_change_what_generated_programs_compute() -> None:
    result = check_seeds(BOUNDED, unsafe=False)
    assert result.changed > len(BOUNDED) // 5, "the generated programs must give outplace work"
    if result.differences:
        shown = [shrink(d, unsafe=False) for d in result.differences[:3]]
        pytest.fail(f"{len(result.differences)} of {result.changed} fixed programs compute something else; "
                    f"the first ones, shrunk:\n\n"
                    + "\n".join(f"[{classify(d)}] {d.summary}\n{d.program.source()}--- fixed:\n{d.after}"
                                for d in shown),
                    pytrace=False)


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_outplace_never_fails_on_a_generated_program_laid_over_lines(unsafe: bool) -> None:
    # the same programs with some calls' arguments over lines: every rewrite must still print
    for first in range(0, len(BOUNDED), 50):
        fixed = fix(module_source([generate(seed, multiline=True) for seed in range(first, first + 50)]), unsafe)
        assert fixed.crash is None, fixed.crash


# scripts/fuzz_findings.py, the findings a refactor must keep --------------------------------------
def test_fuzz_findings_prints_each_finding_of_each_program_in_seed_order() -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "fuzz_findings.py"
    out = subprocess.run([sys.executable, str(script), "--programs", "40"], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    seeds = [int(line.split(" ", 1)[0]) for line in out]
    assert len(out) > 40 and seeds == sorted(seeds) and set(seeds) <= set(range(40))
    assert all(line.split(" ")[1].startswith("IP") and line.split(" ")[3] in ("safe", "unsafe", "display-only")
               for line in out)
