"""Golden cases: every file in `golden/<rule-name>/` is fixed by that rule alone and checked.

Each case is checked for
1. the exact output (`after`, or the input itself for a noop case);
2. stability: fixing the output changes nothing;
3. the output parsing with `compile()` and LibCST;
4. the unified diff of input -> output, parsed by unidiff, reproducing the output;
5. the findings snapshot (`<case>.findings.txt`), when there is one;
and, when the input defines `make_inputs()` and `run(*inputs)`, for executing under torch:
- the output's `run(*inputs).backward()` succeeds, when `run` returns a float tensor;
  a run returning an integer or bool tensor (bit operations) is compared forward only;
- the output's value equals the input's (computed under `no_grad` if grad mode raises);
- with `reference(*inputs)` in the input (an independent out-of-place formulation), the output's
  value and input gradients equal the reference's;
- with the flag `before-fails`, the input's backward raises "modified by an inplace operation"
  (or its forward "a leaf Variable that requires grad is being used in an in-place operation"):
  the case proves the bug it fixes.
Flags and file kinds are described in `tests/golden_support.py`.

`OUTPLACE_UPDATE_GOLDEN=1 pytest tests/test_golden.py` rewrites the `after` files and the existing
findings snapshots from what the fixer does now; review the diff before committing it.
"""

from __future__ import annotations

import os

import libcst as cst
import pytest
import torch

from golden_support import (  # tests/ is on sys.path: pytest prepends a test file's folder
    Case,
    assert_same,
    apply_patch,
    differentiable,
    discover,
    format_findings,
    forward_value,
    fresh_inputs,
    input_grads,
    load_module,
    read_text,
    run_fix,
    run_plan,
    unified_diff,
    write_text,
)

UPDATE = os.environ.get("OUTPLACE_UPDATE_GOLDEN") == "1"  # never for KNOWN_BUGS: they hold the intent
# The variable autograd saved was written; or a leaf that requires grad was (raised at once).
INPLACE_ERROR = "modified by an inplace operation|a leaf Variable that requires grad is being used in an in-place"

# Cases that show a bug in a rule or the engine: `<rule-name>/<case>` -> what goes wrong.
# Strict, so a fix makes the case pass and the entry must then be removed.
KNOWN_BUGS: dict[str, str] = {}


def _params() -> list[object]:
    return [
        pytest.param(case, id=case.id, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[case.id]))
        if case.id in KNOWN_BUGS
        else pytest.param(case, id=case.id)
        for case in discover()
    ]


@pytest.mark.parametrize("case", _params())
def test_golden(case: Case) -> None:
    text = case.text
    rule = case.rule()
    unsafe = "unsafe-fixes" in case.flags or case.noop and "safe-fixes-only" not in case.flags
    path = f"golden/{case.id}.py"
    output = run_fix(text, path, rule, unsafe=unsafe)
    update = UPDATE and case.id not in KNOWN_BUGS

    if case.noop:
        assert output == text, "a noop case changed"
        if "no-findings" in case.flags:
            assert format_findings(run_plan(text, path, rule).findings) == ""
    else:
        assert case.expected is not None
        if update:
            write_text(case.expected, output)
        assert output != text, "nothing was fixed: name the case `.noop.py` if that is right"
        assert output == read_text(case.expected)
        assert run_fix(output, path, rule, unsafe=unsafe) == output, "a second run changed the output"
        compile(output, path, "exec")
        cst.parse_module(output)
        assert apply_patch(text, unified_diff(path, text, output)) == output

    if case.findings.exists():
        snapshot = format_findings(run_plan(text, path, rule).findings)
        if update:
            write_text(case.findings, snapshot)
        assert snapshot == read_text(case.findings)

    if case.executed:
        if case.noop:
            _check_noop_runs(case)
        else:
            assert case.expected is not None
            _check_fix_runs(case)


def _check_fix_runs(case: Case) -> None:
    assert case.expected is not None
    before, after = load_module(case.source), load_module(case.expected)
    inputs = fresh_inputs(before)
    value = after.run(*inputs)
    assert isinstance(value, torch.Tensor) and value.dim() == 0, "`run` must return a scalar tensor"
    if differentiable(value):
        assert value.requires_grad, "`run` must depend on an input that requires grad"
        value.backward()
    assert_same(value.detach(), forward_value(before, before), "the fix changed the forward value")

    if hasattr(before, "reference"):
        reference_inputs = fresh_inputs(before)
        expected = before.reference(*reference_inputs)
        assert_same(value.detach(), expected.detach(), "the fixed value differs from the reference")
        if differentiable(expected):
            expected.backward()
            for got, want in zip(input_grads(inputs), input_grads(reference_inputs), strict=True):
                assert (got is None) == (want is None), "a gradient is missing on one side"
                if got is not None:
                    assert_same(got, want, "an input gradient differs from the reference")

    if "before-fails" in case.flags:
        with pytest.raises(RuntimeError, match=INPLACE_ERROR):
            before.run(*fresh_inputs(before)).backward()


def _check_noop_runs(case: Case) -> None:
    """Code left alone must run as it is: backward works unless the case says it fails."""
    module = load_module(case.source)
    value = module.run(*fresh_inputs(module))
    if "before-fails" in case.flags:
        with pytest.raises(RuntimeError, match=INPLACE_ERROR):
            value.backward()
    elif differentiable(value) and value.requires_grad:
        value.backward()


def test_harness_finds_cases() -> None:
    assert discover(), "no golden cases found"
