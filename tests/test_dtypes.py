"""Dtype evidence (fixer/analysis/dtypes.py): its promotion table is torch's, and it casts a
rewrite back only where an operand may be wider than the target."""

from __future__ import annotations

import itertools
import textwrap

import pytest
import torch

from fixer import engine, registry
from fixer.analysis.dtypes import FLOATS, INTS, promote

RULES = registry.all_rules()


@pytest.mark.parametrize("a, b", list(itertools.product([*FLOATS, *INTS], repeat=2)))
def test_promotion_matches_torch(a: str, b: str):
    assert promote(a, b) == str(torch.promote_types(getattr(torch, a), getattr(torch, b))).removeprefix("torch.")


def replacement(source: str) -> str:
    (finding,) = [f for f in engine.plan(textwrap.dedent(source), "t.py", RULES).findings if f.replacement]
    return finding.replacement


@pytest.mark.parametrize("line, expected", [
    ("h += v", "h = (h + v).to(h.dtype)"),  # half target, operand of unknown dtype
    ("h += v.half()", "h = h + v.half()"),  # both half
    ("h += 2.5", "h = h + 2.5"),  # a Python number never widens
    ("h += v > 0", "h = h + (v > 0)"),  # bool never widens
    ("h.mul_(v)", "h = h.mul(v).to(h.dtype)"),
    ("h.masked_fill_(v > 0, 1.0)", "h = h.masked_fill(v > 0, 1.0)"),  # keeps the receiver's dtype anyway
])
def test_a_half_target_is_cast_back_only_when_the_operand_may_be_wider(line: str, expected: str):
    source = f"""
    import torch

    def f(z, v):
        h = torch.exp(z.half())
        {line}
        return h
    """
    assert replacement(source) == expected


@pytest.mark.parametrize("line, expected", [
    ("h += v", "h = h + v"),  # no dtype spelled on either side: one dtype assumed
    ("h += v.double()", "h = (h + v.double()).to(h.dtype)"),  # spelled wider
    ("h += torch.randn(3)", "h = h + torch.randn(3)"),  # float32 default, target unknown
])
def test_without_evidence_on_the_target_only_a_spelled_cast_is_kept(line: str, expected: str):
    source = f"""
    import torch

    def f(z, v):
        h = torch.exp(z)
        {line}
        return h
    """
    assert replacement(source) == expected
