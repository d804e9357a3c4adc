"""The analysis sees through the file's own modules and functions: submodules built in `__init__`,
summaries of the file's functions and classes, callers, and defs only ever run without grad.
Each snippet also runs under torch: the code flagged `error` really fails at backward."""

from __future__ import annotations

import textwrap

import pytest
import torch

from fixer.core import engine, registry
from fixer.analysis.modules import Submodule, call_effect
from fixer.analysis.tables import torch_tables
from fixer.core.types import Severity


def errors(source: str) -> dict[int, str]:
    text = textwrap.dedent(source)
    found = {}
    for fast in (True, False):  # the fast path and the whole-module pass agree
        result = engine.plan(text, "t.py", registry.all_rules(), fast=fast)
        found[fast] = {f.span.start_line: f.message for f in result.findings if f.severity is Severity.ERROR}
    assert found[True] == found[False]
    return found[True]


def fails_at_backward(source: str, call: str) -> bool:
    scope: dict[str, object] = {}
    exec(textwrap.dedent(source), scope)  # noqa: S102
    torch.manual_seed(0)
    try:
        eval(call, scope).sum().backward()  # noqa: S307
    except RuntimeError as error:
        return "inplace operation" in str(error) or "in-place operation" in str(error)  # saved value or leaf
    return False


BLOCK = """
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.attn = nn.Linear(d, d)
        self.body = nn.Sequential(nn.Linear(d, d), nn.ReLU())
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        x += self.attn(self.norm(x))
        return x


class Tail(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, d), nn.ReLU())
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        skip = self.proj(x)
        x = self.body(x)
        x += skip
        return x
"""


def test_submodules_from_init_save_what_torch_says() -> None:
    found = errors(BLOCK)
    assert sorted(found) == [15, 28]
    assert "`self.norm`, a `nn.LayerNorm`" in found[15]
    assert "`self.body`, a `nn.Sequential` ending in `nn.ReLU`" in found[28]
    assert fails_at_backward(BLOCK, "Block(4)(torch.randn(2, 4).exp())")
    assert fails_at_backward(BLOCK, "Tail(4)(torch.randn(2, 4))")


def test_an_empty_or_starred_sequential_is_unknown_not_a_crash() -> None:
    effect = call_effect(Submodule("torch.nn.Sequential", 1), torch_tables().module_saves)
    assert not effect.known and not effect.saves_output


SUMMARIES = """
import torch
from torch import nn


def squash(z):
    return torch.sigmoid(z)


class Gate(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)

    def forward(self, x):
        return torch.tanh(self.fc(x))


class Net(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.gate = Gate(d)

    def forward(self, x):
        g = self.gate(x)
        g *= 2
        s = squash(x)
        s += 1
        return g + s
"""


def test_calls_of_the_files_own_code_use_their_summaries() -> None:
    found = errors(SUMMARIES)
    assert sorted(found) == [26, 28]
    assert "`self.gate` through `torch.tanh`" in found[26] and "`squash` through `torch.sigmoid`" in found[28]
    assert fails_at_backward(SUMMARIES, "Net(3)(torch.randn(2, 3))")


CALLERS = """
import torch


def normalise(h):
    h -= h.mean()
    return h


def shift(e):
    e += 1
    return e


def run(x):
    y = torch.tanh(x * 2)
    z = normalise(y)
    w = shift(x * 3)
    return z + w
"""


def test_a_parameter_written_in_place_is_an_error_when_a_caller_passes_a_saved_value() -> None:
    found = errors(CALLERS)
    assert sorted(found) == [6] and "the call at line 17" in found[6]
    assert fails_at_backward(CALLERS, "run(torch.randn(3, requires_grad=True))")


NO_GRAD_CALLERS = """
import torch


def orthogonalise(g):
    x = g.exp()
    x.div_(x.norm())
    return x


class Step:
    @torch.no_grad()
    def step(self, grads):
        return [orthogonalise(g) for g in grads]


def helper(g):
    x = g.exp()
    x.div_(x.norm())
    return x


def train(g):
    with torch.no_grad():
        a = helper(g)
    return helper(g) + a
"""


def test_a_def_every_caller_runs_without_grad_has_no_finding() -> None:
    result = engine.plan(textwrap.dedent(NO_GRAD_CALLERS), "t.py", registry.all_rules())
    lines = sorted(f.span.start_line for f in result.findings)
    assert lines == [19]  # `helper` has one caller with grad on: its write stays an error


FUNCTION_FORWARD = """
import torch


class Scale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits):
        logits = logits.float()
        logits -= logits.max()
        return logits.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Marked(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits):
        logits -= 1
        ctx.mark_dirty(logits)
        return logits

    @staticmethod
    def backward(ctx, grad):
        return grad


def run(x):
    y = x.exp()
    return Scale.apply(y) + y
"""


def test_autograd_function_forward_writing_its_input_without_mark_dirty() -> None:
    found = errors(FUNCTION_FORWARD)
    assert sorted(found) == [9] and "ctx.mark_dirty" in found[9]
    assert fails_at_backward(FUNCTION_FORWARD, "run(torch.randn(3, requires_grad=True))")


@pytest.mark.parametrize("source", [
    # add, BatchNorm and Linear outputs are never saved: `+=` on them trains
    "import torch\nfrom torch import nn\n\nclass B(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.bn = nn.BatchNorm1d(3)\n\n    def forward(self, x):\n        shortcut = x\n        x = self.bn(x)\n"
    "        x += shortcut\n        return x\n",
    "import torch\n\ndef f(x, w):\n    h = x @ w\n    h += 1\n    return h.sum()\n",
])
def test_a_value_no_op_saved_is_no_finding(source: str) -> None:
    assert engine.plan(source, "t.py", registry.all_rules()).findings == ()


SHAPES = """
import torch
from torch import nn


def call_result(z):
    return torch.tanh(z).mul_(2)


class Attn(nn.Module):
    def forward(self, scores, t):
        self.w = scores.softmax(-1)
        self.w.div_(t)
        return self.w


def view_op(x):
    z = torch.exp(x)
    z.t_()
    return z


def indices(x, base):
    values, order = x.sort(dim=-1)
    order.add_(base)
    return values


def top(x):
    v, i = torch.topk(x, 2)
    i += 1
    return v
"""


@pytest.mark.parametrize("call, line", [
    ("call_result(torch.randn(3, requires_grad=True))", 7),
    ("Attn()(torch.randn(2, 3, requires_grad=True), 2.0)", 13),
    ("view_op(torch.randn(2, 3, requires_grad=True))", 19),
    ("indices(torch.randn(2, 3, requires_grad=True), 1)", 25),
    ("top(torch.randn(3, requires_grad=True))", 31),
])
def test_shapes_outside_plain_names_are_errors(call: str, line: int) -> None:
    assert line in errors(SHAPES)
    assert fails_at_backward(SHAPES, call)


def test_a_call_result_written_in_place_is_fixed_in_place() -> None:
    result = engine.fix(textwrap.dedent(SHAPES), "t.py", registry.all_rules(), lambda f: f.span.start_line == 7)
    assert "return torch.tanh(z).mul(2)" in (result.new_text or "")


KEPT = """
import torch
from torch import nn


class LayerScale(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x.mul_(self.gamma)


class Stats(nn.Module):
    def __init__(self, dim, decay=0.9):
        super().__init__()
        self.decay = decay
        self.register_buffer("mean", torch.zeros(dim))
        self.fc = nn.Linear(dim, dim)
        self.ls = LayerScale(dim)

    def forward(self, x):
        self.mean.mul_(self.decay).add_(x.detach().mean(0), alpha=1 - self.decay)
        return x + self.ls(self.fc(x))
"""


def test_buffers_and_arguments_every_caller_makes_fresh_are_kept() -> None:
    assert engine.plan(textwrap.dedent(KEPT), "t.py", registry.all_rules()).findings == ()
    scope: dict[str, object] = {}
    exec(textwrap.dedent(KEPT), scope)  # noqa: S102
    scope["Stats"](3)(torch.randn(2, 3, requires_grad=True)).sum().backward()  # type: ignore[operator]


def test_pipeline_classes_run_without_grad() -> None:
    source = textwrap.dedent("""
        import torch


        class DetectionImageProcessor(BaseBackend):
            def post_process(self, outputs, threshold=0.1):
                scores = torch.sigmoid(outputs.logits)
                scores[scores < threshold] = 0.0
                return scores


        def post_process(outputs, threshold=0.1):
            scores = torch.sigmoid(outputs.logits)
            scores[scores < threshold] = 0.0
            return scores
    """)
    lines = [f.span.start_line for f in engine.plan(source, "t.py", registry.all_rules()).findings]
    assert lines == [14]  # the same code outside a processor class is still reported


SCRIPT = """
import torch
from torch import nn


def shifted(c):
    c += 1
    return (c * c).sum()


def run(c):
    return shifted(c)


def make_inputs():
    return (torch.randn(3, requires_grad=True),)


if __name__ == "__main__":
    run(*make_inputs()).backward()
"""


def test_a_script_entry_point_passes_its_leaf_through_the_callers() -> None:
    found = errors(SCRIPT)
    assert list(found) == [7]
    assert "requires_grad=True)` is a leaf tensor that requires grad" in found[7]
    assert fails_at_backward(SCRIPT.replace('if __name__ == "__main__":', "if False:"), "run(*make_inputs())")


def test_a_script_that_passes_a_fresh_tensor_is_no_error() -> None:
    source = SCRIPT.replace("torch.randn(3, requires_grad=True)", "torch.randn(3)")
    assert errors(source) == {}
    assert not fails_at_backward(source.replace('if __name__ == "__main__":', "if False:"), "run(*make_inputs())")


INSTANCES = """
import torch
from torch import nn


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))


def center(scores):
    scores -= 0.5


def train(x):
    head = Head()
    y = head(x)
    center(y)
    return y.sum()
"""


def test_a_local_instance_of_a_class_of_the_file_runs_its_forward() -> None:
    found = errors(INSTANCES)
    assert list(found) == [16]
    assert "`head` through `torch.sigmoid`" in found[16]
    assert fails_at_backward(INSTANCES, "train(torch.randn(4, 3))")


def test_a_parameter_every_caller_fills_with_an_instance() -> None:
    source = INSTANCES.replace("""def train(x):
    head = Head()
    y = head(x)""", """def step(head, x):
    y = head(x)""") + """

def train(x):
    return step(Head(), x)
"""
    found = errors(source)
    assert list(found) == [16]
    assert fails_at_backward(source, "train(torch.randn(4, 3))")
    other = source.replace("step(Head(), x)", "step(nn.Linear(3, 2), x)")  # a Linear saves no output
    assert errors(other) == {}
    assert not fails_at_backward(other, "train(torch.randn(4, 3))")


GUARDED = """
import torch
from torch import nn


class Combine(nn.Module):
    def _combine(self, a, b, _chunk=None):
        if _chunk is not None:
            for i in range(0, a.shape[0], _chunk):
                a[i : i + _chunk] = torch.matmul(a[i : i + _chunk], b[i : i + _chunk])
            return a
        return torch.matmul(a, b)

    def forward(self, x):
        a = torch.sigmoid(x)
        return self._combine(a, x)
"""


def test_a_branch_no_call_in_the_file_takes_is_no_finding() -> None:
    """Every call of the private `_combine` leaves `_chunk` at None: the write never runs."""
    assert errors(GUARDED) == {}
    assert not fails_at_backward(GUARDED, "Combine()(torch.randn(2, 3, 3, requires_grad=True))")
    chunked = GUARDED.replace("self._combine(a, x)", "self._combine(a, x, 1)")
    assert list(errors(chunked)) == [10]
    assert fails_at_backward(chunked, "Combine()(torch.randn(2, 3, 3, requires_grad=True))")


TOP_LEVEL = """
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        x += 1
        return self.fc(x).sigmoid()


def shift(c):
    c -= 0.5
    return c


net = Net()
x = torch.randn(2, 3, requires_grad=True)
y = torch.tanh(torch.randn(2, 3, requires_grad=True))
loss = net(x).sum() + shift(y).sum()
"""


def test_a_script_top_level_code_is_a_caller() -> None:
    """`net = Net(); net(x)` and `shift(y)` at the module's top level: a leaf and a saved output reach the writes."""
    found = errors(TOP_LEVEL)
    assert list(found) == [12, 17]
    assert "the call at line 24 passes a value autograd needs: `x` is a leaf tensor" in found[12]
    assert "`y` is the output of `torch.tanh` (line 23)" in found[17]
    for fresh in (TOP_LEVEL.replace("requires_grad=True)\ny", ")\ny"),
                  TOP_LEVEL.replace("torch.tanh(torch.randn(2, 3, requires_grad=True))", "torch.randn(2, 3)")):
        assert len(errors(fresh)) == 1  # a plain tensor, a value nothing saved: that write is no error
    try:
        exec(textwrap.dedent(TOP_LEVEL), {})  # noqa: S102  the leaf is written at once
    except RuntimeError as error:
        assert "in-place operation" in str(error)
    else:
        raise AssertionError("the script should fail")
