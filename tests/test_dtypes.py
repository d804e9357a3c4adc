"""Dtype proofs (fixer/analysis/dtypes.py): its promotion table is torch's, a rewrite leaves out the
cast back to the target's dtype only where no operand is proven able to widen it, and the torch
facts those proofs rest on hold."""

from __future__ import annotations

import itertools
import textwrap

import pytest
import torch

from fixer.core import engine, registry
from fixer.analysis.dtypes import FLOAT_KEEPS, FLOATS, INTS, KEEPS_DTYPE, REDUCTIONS, promote

RULES = registry.all_rules()


@pytest.mark.parametrize("a, b", list(itertools.product([*FLOATS, *INTS], repeat=2)))
def test_promotion_matches_torch(a: str, b: str):
    assert promote(a, b) == str(torch.promote_types(getattr(torch, a), getattr(torch, b))).removeprefix("torch.")


def replacement(source: str) -> str:
    (finding,) = [f for f in engine.plan(textwrap.dedent(source), "t.py", RULES).findings if f.replacement]
    return finding.replacement


@pytest.mark.parametrize("line, expected", [
    ("h += v", "h = (h + v).to(h.dtype)"),  # no dtype known: nothing is assumed
    ("h += v.double()", "h = (h + v.double()).to(h.dtype)"),
    ("h += torch.randn(3)", "h = (h + torch.randn(3)).to(h.dtype)"),  # the default dtype, `h` unknown
    ("h += 2.5", "h = h + 2.5"),  # a Python number never widens within the category
    ("h += v > 0", "h = h + (v > 0)"),  # promote_types(T, bool) is T
    ("h += h * 2", "h = h + h * 2"),  # made from `h`: its dtype
    ("h -= h.mean(-1, keepdim=True)", "h = h - h.mean(-1, keepdim=True)"),
    ("h.mul_(h.detach())", "h = h.mul(h.detach())"),
    ("h += torch.zeros_like(h)", "h = h + torch.zeros_like(h)"),
    ("h += h.new_ones(3)", "h = h + h.new_ones(3)"),
    ("h += v.to(h.dtype)", "h = h + v.to(h.dtype)"),
    ("h += v.type_as(h)", "h = h + v.type_as(h)"),
    ("h += v.to(h)", "h = h + v.to(h)"),
    ("h += torch.exp(h)[0]", "h = h + torch.exp(h)[0]"),
    ("h.add_(h.T, alpha=0.5)", "h = h.add(h.T, alpha=0.5)"),
    ("h += v.to(h.device)", "h = (h + v.to(h.device)).to(h.dtype)"),
    ("h += h.sum()", "h = (h + h.sum()).to(h.dtype)"),  # an int32 sum is int64
    ("h /= h.sum(-1, keepdim=True)", "h = h / h.sum(-1, keepdim=True)"),  # `/=` raises on integers
    ("h.div_(h.sum() + 1e-9)", "h = h.div(h.sum() + 1e-9)"),
    ("h += torch.from_numpy(a)", "h = (h + torch.from_numpy(a)).to(h.dtype)"),  # float64 numpy data
])
def test_a_cast_is_left_out_only_when_proven_needless(line: str, expected: str):
    source = f"""
    import torch

    def f(z, v, a):
        h = torch.exp(z)
        {line}
        return h
    """
    assert replacement(source) == expected


@pytest.mark.parametrize("body, expected", [
    # `g` was made from the `h` of an earlier binding: another tensor, maybe another dtype.
    ("g = h * 2\n        h = torch.tanh(w)\n        h += g", "h = (h + g).to(h.dtype)"),
    ("g = h * 2\n        h = torch.sigmoid(z)\n        h += g", "h = h + g"),  # `exp(z)` and `sigmoid(z)`: one dtype
    ("g = h * 2\n        h += g", "h = h + g"),  # the same binding of `h`
    # Two bindings of `g`, of different dtypes: no single one.
    ("g = h.half()\n        if c:\n            g = h.double()\n        h += g", "h = (h + g).to(h.dtype)"),
    ("g = h.detach()\n        if c:\n            g = h.clone()\n        h += g", "h = h + g"),
    # In a loop, `g` may come from the previous iteration's `h`.
    ("for _ in range(3):\n            h += g\n            g = h.detach().clone()", "h = h + g"),  # always `exp(z)`'s
    # Each `t` may have its own dtype: `g` holds the previous one's.
    ("for t in w:\n            h = torch.exp(t * 1)\n            h += g\n            g = h.detach()", "h = (h + g).to(h.dtype)"),
])
def test_a_symbolic_dtype_is_that_of_one_binding(body: str, expected: str):
    source = f"""
    import torch

    def f(z, c, w):
        h = torch.exp(z)
        g = z
        {body}
        return h
    """
    assert replacement(source) == expected


@pytest.mark.parametrize("line, expected", [
    ("h *= y", "h = h * y"),  # both half
    ("h *= y.float()", "h = (h * y.float()).to(h.dtype)"),
    ("h.clamp_(min=y.float())", "h = h.clamp(min=y.float()).to(h.dtype)"),  # a keyword tensor promotes too
    ("h.masked_fill_(y > 0, 1.0)", "h = h.masked_fill(y > 0, 1.0)"),  # keeps the receiver's dtype anyway
    ("h.cumsum_(0, dtype=torch.float32)", "h = h.cumsum(0, dtype=torch.float32).to(h.dtype)"),
])
def test_known_dtypes_promote_as_torch_does(line: str, expected: str):
    source = f"""
    import torch

    def f(z):
        h = torch.exp(z.half())
        y = z.half()
        {line}
        return h
    """
    assert replacement(source) == expected


def test_an_attribute_is_its_own_dtype_only_within_one_statement():
    source = """
    import torch

    class M(torch.nn.Module):
        def forward(self, x):
            y = torch.exp(x)
            y -= self.shift
            self.h = torch.exp(x)
            self.h.mul_(self.h * 2)
            return y
    """
    fixes = [f.replacement for f in engine.plan(textwrap.dedent(source), "t.py", RULES).findings if f.replacement]
    assert fixes == ["y = (y - self.shift).to(y.dtype)", "self.h = self.h.mul(self.h * 2)"]


def test_a_module_called_like_a_tensor_method_proves_no_dtype():
    source = """
    import torch

    def f(layer, x, y):
        h = torch.exp(x)
        h += layer.norm(y)  # a submodule, not `Tensor.norm`
        h += torch.exp(h).norm()
        return h
    """
    fixes = [f.replacement for f in engine.plan(textwrap.dedent(source), "t.py", RULES).findings if f.replacement]
    assert fixes == ["h = (h + layer.norm(y)).to(h.dtype)", "h = h + torch.exp(h).norm()"]


@pytest.mark.parametrize("source, expected", [
    ("h[h > 1] += v", "h = h.index_put((h > 1,), (h[h > 1] + v).to(h.dtype))"),
    ("h[h > 1] += 1.5", "h = h.index_put((h > 1,), h[h > 1] + 1.5)"),
    ("h[i] += v", "h = h.index_put((i,), (h[i] + v).to(h.dtype))"),
    ("h[0] += v", "h = h.select_scatter(h[0] + v, 0, 0)"),  # select_scatter casts `src` itself
    ("torch.clamp_(h, v)", "h = torch.clamp(h, v).to(h.dtype)"),
    ("torch.clamp_(h, 0.0, 1.0)", "h = torch.clamp(h, 0.0, 1.0)"),
    ("torch.add(h, v, out=h)", "h = torch.add(h, v).to(h.dtype)"),
    ("torch.mul(h, 2, out=h)", "h = torch.mul(h, 2)"),  # `h.mul_(2)`
    ("torch.mul(h, v, out=h)", "h = torch.mul(h, v).to(h.dtype)"),
    ("torch.mul(v, 2, out=h)", "h = torch.mul(v, 2).to(h.dtype)"),  # out= casts to `h`'s dtype
    ("torch.argmax(h, out=h)", "h = torch.argmax(h).to(h.dtype)"),  # int64 stored into a float
])
def test_every_rule_keeps_the_target_dtype(source: str, expected: str):
    text = f"""
    import torch

    def f(z, v, i: torch.Tensor):
        h = torch.exp(z)
        {source}
        return h
    """
    fixes = [f.replacement for f in engine.plan(textwrap.dedent(text), "t.py", RULES).findings if f.replacement]
    assert fixes == ([expected] if expected else [])


# The torch facts the proofs above rest on.
DTYPES = [*FLOATS, *INTS]


@pytest.mark.parametrize("name", DTYPES)
def test_bool_never_widens(name: str):
    dtype = getattr(torch, name)
    assert torch.promote_types(dtype, torch.bool) == dtype


@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("number", [3, 2.5, True])
def test_a_python_number_widens_only_where_the_inplace_form_raises(name: str, number: object):
    x = torch.ones(3, dtype=getattr(torch, name))
    out_of_place = (x + number).dtype
    try:
        x.clone().add_(number)
    except RuntimeError:
        assert out_of_place != x.dtype
    else:
        assert out_of_place == x.dtype


@pytest.mark.parametrize("method, args", [
    ("index_add", lambda s: (0, torch.tensor([0]), s[:1])), ("index_copy", lambda s: (0, torch.tensor([0]), s[:1])),
    ("index_fill", lambda s: (0, torch.tensor([0]), s[0, 0])), ("scatter", lambda s: (0, torch.zeros(2, 3, dtype=torch.long), s)),
    ("scatter_add", lambda s: (0, torch.zeros(2, 3, dtype=torch.long), s)), ("masked_fill", lambda s: (s > 0, s[0, 0])),
    ("masked_scatter", lambda s: (s > 0, s)), ("put", lambda s: (torch.tensor([0]), s[0, :1])),
    ("index_put", lambda s: ((torch.tensor([0]),), s[0])), ("lerp", lambda s: (s, 0.5)),
])
def test_index_and_scatter_twins_keep_the_receiver_dtype_or_raise_as_the_inplace_form(method, args):
    receiver, source = torch.ones(2, 3, dtype=torch.half), torch.ones(2, 3)
    outcomes = []
    for call in (lambda: getattr(receiver.clone(), method + "_")(*args(source)), lambda: getattr(receiver, method)(*args(source))):
        try:
            outcomes.append(call().dtype)
        except RuntimeError:
            outcomes.append("raises")
    assert outcomes[0] == outcomes[1] and outcomes[0] in ("raises", torch.half)


def test_index_put_takes_no_source_of_another_dtype_where_the_inplace_write_casts():
    h = torch.ones(4, dtype=torch.half)
    m = torch.tensor([True, False, True, False])
    h.clone()[m] += torch.ones(1)  # in place: `t[m]` gets `(t[m] + v)` rounded to half
    with pytest.raises(RuntimeError, match="dtypes match"):
        h.index_put((m,), h[m] + torch.ones(1))
    assert h.index_put((m,), (h[m] + torch.ones(1)).to(h.dtype)).dtype == torch.half
    assert torch.where(m, torch.ones(4), h).dtype == torch.float32  # why IP103 never uses torch.where


@pytest.mark.parametrize("name", list(INTS))
def test_a_true_division_raises_in_place_on_an_integer_target(name: str):
    x = torch.ones(3, dtype=getattr(torch, name))
    with pytest.raises(RuntimeError, match="can't be cast"):
        x.div_(torch.ones(3, dtype=getattr(torch, name)))


@pytest.mark.parametrize("line, expected", [
    ("h += h * SCALE", "h = (h + h * SCALE).to(h.dtype)"),  # a global: outside the function's facts
    ("h += h * BIAS", "h = (h + h * BIAS).to(h.dtype)"),  # a global float64 array promotes
    ("h += h * np.sqrt(2.0)", "h = (h + h * np.sqrt(2.0)).to(h.dtype)"),  # numpy may give an array
    ("h += h * (d ** -0.5)", "h = h + h * (d ** -0.5)"),  # `d` is `z.shape[-1]`
    ("h += h * h.size(0)", "h = h + h * h.size(0)"),
    ("h += h * c", "h = h + h * c"),  # a parameter annotated `float`
    ("h += h * (2 if c > 1 else 3)", "h = (h + h * (2 if c > 1 else 3)).to(h.dtype)"),
    ("h += h * len(z)", "h = h + h * len(z)"),
])
def test_only_python_numbers_never_widen_inside_an_operand(line: str, expected: str):
    source = f"""
    import numpy as np
    import torch

    SCALE = 0.5
    BIAS = np.ones(4)

    def f(z, c: float):
        h = torch.exp(z)
        d = z.shape[-1]
        {line}
        return h
    """
    assert replacement(source) == expected


def _outcome(op, x):
    try:
        result = getattr(torch, op)(x)
    except RuntimeError:
        return "raises"
    return result[0].dtype if isinstance(result, tuple) else result.dtype  # `unbind`: one dtype


SAMPLES = [torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int8, torch.int32, torch.int64, torch.bool]


def _unary(names):
    """The ops of a family that torch offers as `torch.<op>(x)` with no other argument."""
    found = []
    for op in sorted(names):
        try:
            getattr(torch, op)(torch.ones(2, 2))
        except (AttributeError, TypeError, RuntimeError):
            continue
        found.append(op)
    return found


@pytest.mark.parametrize("op", _unary(KEEPS_DTYPE))
def test_ops_that_keep_the_dtype_keep_it_or_raise(op: str):
    for dtype in SAMPLES:
        assert _outcome(op, torch.ones(2, 2, dtype=dtype)) in (dtype, "raises"), dtype


@pytest.mark.parametrize("op", _unary(FLOAT_KEEPS))
def test_float_ops_keep_a_float_and_make_anything_else_the_default_float(op: str):
    for dtype in SAMPLES:
        expected = dtype if dtype.is_floating_point else torch.get_default_dtype()
        assert _outcome(op, torch.ones(2, 2, dtype=dtype)) in (expected, "raises"), dtype


@pytest.mark.parametrize("op", _unary(REDUCTIONS))
def test_sums_keep_a_float_and_make_an_integer_int64(op: str):
    for dtype in SAMPLES:
        expected = dtype if dtype.is_floating_point else torch.int64
        assert _outcome(op, torch.ones(2, 2, dtype=dtype)) in (expected, "raises"), dtype
