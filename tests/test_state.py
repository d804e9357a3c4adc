"""State carried from one call to the next (`fixer/analysis/state.py`): a tensor a call writes in
place and then saves, which the next call writes again. Each snippet runs under torch too: what
is flagged `error` fails at backward once the def runs twice, and what is left alone trains."""

from __future__ import annotations

import textwrap

import torch

from fixer.core import engine, registry
from fixer.core.types import Severity


def errors(source: str) -> dict[int, str]:
    result = engine.plan(textwrap.dedent(source), "t.py", registry.all_rules())
    return {f.span.start_line: f.message for f in result.findings if f.severity is Severity.ERROR}


def backward_fails(source: str, call: str) -> bool:
    scope: dict[str, object] = {}
    exec(textwrap.dedent(source), scope)  # noqa: S102
    torch.manual_seed(0)
    try:
        eval(call, scope).backward()  # noqa: S307
    except RuntimeError as error:
        return "inplace operation" in str(error)
    return False


NOISY = """
import torch
from torch import nn
import torch.nn.functional as F


class Noisy(nn.Linear):
    def __init__(self, n, m):
        super().__init__(n, m)
        self.sigma = nn.Parameter(torch.full((m, n), 0.1))
        self.register_buffer("eps", torch.zeros(m, n))
        self.register_buffer("calls", torch.zeros(()))

    def forward(self, x):
        self.eps.normal_()
        self.calls += 1
        return F.linear(x, self.weight + self.sigma * self.eps, self.bias)


def twice(x):
    net = Noisy(3, 2)
    return (net(x) + net(x)).sum()
"""


def test_a_buffer_written_then_saved_by_forward_fails_on_the_second_call() -> None:
    found = errors(NOISY)
    assert list(found) == [15]
    assert "keeps its tensor from one call to the next" in found[15] and "line 17" in found[15]
    assert backward_fails(NOISY, "twice(torch.randn(4, 3))")


def test_a_buffer_nothing_saves_is_left_alone() -> None:
    source = NOISY.replace("self.sigma * self.eps", "self.sigma * 2")  # the counter and the unused noise
    assert errors(source) == {}
    assert not backward_fails(source, "twice(torch.randn(4, 3))")


RECURRENT = """
import torch
from torch import nn


class Step(nn.Module):
    def forward(self, q, k, state=None):
        if state is None:
            s = q.new_zeros(q.shape)
        else:
            s = state
        s += k
        return torch.einsum("nd,nd->n", q, s), s


def loop(q, k):
    step, state, total = Step(), None, 0
    for _ in range(3):
        out, state = step(q, k, state)
        total = total + out.sum()
    return total
"""


def test_a_returned_state_written_then_saved_fails_in_a_recurrent_loop() -> None:
    found = errors(RECURRENT)
    assert list(found) == [12]
    assert "`s` is the state this def receives (`state`) and returns" in found[12]
    assert "`torch.einsum` (line 13)" in found[12]
    assert backward_fails(RECURRENT, "loop(torch.randn(2, 3, requires_grad=True), torch.randn(2, 3, requires_grad=True))")


def test_a_state_nothing_saves_after_the_write_is_no_error() -> None:
    source = RECURRENT.replace('torch.einsum("nd,nd->n", q, s)', "q + s")  # add saves nothing
    assert errors(source) == {}
    assert not backward_fails(source, "loop(torch.randn(2, 3, requires_grad=True), torch.randn(2, 3, requires_grad=True))")


def test_a_state_not_returned_is_no_recurrent_error() -> None:
    source = RECURRENT.replace("return torch.einsum(\"nd,nd->n\", q, s), s", "return torch.einsum(\"nd,nd->n\", q, s), None")
    assert not any("the state this def receives" in m for m in errors(source).values())


def test_einsum_of_one_operand_saves_nothing() -> None:
    source = """
    import torch

    def f(x):
        y = x * 2
        t = torch.einsum("ij->ji", y)
        y += 1
        return t, y
    """
    assert errors(source) == {}
