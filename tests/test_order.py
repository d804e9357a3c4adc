"""Evaluation order: a hoisted rebinding must not move before a read, a folded chain must not
read the receiver before the writes it saw in place (fixer/analysis/order.py)."""

from __future__ import annotations

import pytest

from fixer.core import engine, registry
from fixer.core.types import Safety

RULES = registry.all_rules()
HEADER = "import torch\n\n\ndef f(z, g, s):\n    x = torch.exp(z)\n"


def only_finding(body: str):
    (finding,) = engine.plan(HEADER + body, "t.py", RULES).findings
    return finding


@pytest.mark.parametrize(
    "statement",
    [
        "y = x.sum() + torch.relu_(x)",  # a method of x before the write
        "y = x * 2 + torch.relu_(x)",  # an operation on x before the write
        "y = x[0] + torch.relu_(x)",  # an index of x, which may copy
        "y = x.sum() + x.add_(1)",
        "s[x.argmax()] += x.add_(1)",  # an augmented target is evaluated first
    ],
)
def test_a_read_before_the_write_leaves_no_fix(statement: str) -> None:
    finding = only_finding(f"    {statement}\n    return y\n")
    assert finding.safety is Safety.DISPLAY_ONLY
    assert "reads `x` before the write" in finding.message


@pytest.mark.parametrize(
    "statement",
    [
        "y = torch.relu_(x) + x.sum()",  # reads after the write see it either way
        "y = torch.cat([x, torch.relu_(x)])",  # the list holds the tensor the write changes
        "y = torch.stack((x, x.add_(1)))",
        "y = g(z) + torch.relu_(x)",  # a call before the write, but nothing outside reaches `x`
    ],
)
def test_no_read_before_the_write_keeps_the_fix(statement: str) -> None:
    assert only_finding(f"    {statement}\n    return y\n").fixable


def test_a_call_before_the_write_reads_a_name_a_closure_captures() -> None:
    body = "    peek = lambda: x.sum()\n    y = peek() + torch.relu_(x)\n    return y\n"
    assert only_finding(body).safety is Safety.DISPLAY_ONLY


def test_a_chain_is_split_where_a_later_argument_reads_the_receiver() -> None:
    finding = only_finding("    x.add_(1).mul_(2).div_(x.std()).sub_(1)\n    return x\n")
    assert finding.replacement == "x = x.add(1).mul(2)\n    x = x.div(x.std()).sub(1)"


def test_a_chain_calling_only_what_cannot_reach_the_receiver_is_folded() -> None:
    finding = only_finding("    x.mul_(g(z)).add_(torch.ones(3))\n    return x\n")
    assert finding.replacement == "x = x.mul(g(z)).to(x.dtype).add(torch.ones(3)).to(x.dtype)"  # g(z): any dtype


def test_a_chain_on_an_attribute_is_split_at_any_call() -> None:
    source = "import torch\n\n\nclass M(torch.nn.Module):\n    def forward(self, z):\n        self.h = torch.exp(z)\n        self.h.add_(1).mul_(self.scale())\n        return self.h\n"
    (finding,) = engine.plan(source, "t.py", RULES).findings
    assert finding.replacement == "self.h = self.h.add(1)\n        self.h = self.h.mul(self.scale()).to(self.h.dtype)"


@pytest.mark.parametrize(
    "statement",
    [
        "y = x + torch.relu_(x)",  # the addition runs after the write, on the written tensor
        "y = x.mul(torch.relu_(x))",  # so does the method
        "y = torch.stack((x, x.add_(1))).sum(0)",
    ],
)
def test_a_reference_consumed_after_the_write_is_no_read_before_it(statement: str) -> None:
    assert only_finding(f"    {statement}\n    return y\n").fixable


@pytest.mark.parametrize("statement", ["y = x.grad + x.add_(1)", "y = x.T.sum() + x.add_(1)"])
def test_an_attribute_read_before_the_write_is_a_read(statement: str) -> None:
    assert only_finding(f"    {statement}\n    return y\n").safety is Safety.DISPLAY_ONLY


def test_a_write_inside_an_assignment_target_is_reported_without_a_fix() -> None:
    finding = only_finding("    s[x.add_(1).argmax()] = 0\n    return s\n")
    assert finding.safety is Safety.DISPLAY_ONLY
