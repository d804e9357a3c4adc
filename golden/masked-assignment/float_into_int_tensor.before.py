# outplace-golden: unsafe-fixes
import torch


def make_inputs():
    z = torch.randn(3, 4, requires_grad=True)
    return z, (z.detach() * 10).long()


def run(z: torch.Tensor, t: torch.Tensor):
    t[t > 5] = 7.9  # cast to the int tensor's dtype: 7, not promoted to float
    assert t.dtype == torch.long
    return (z * t).sum()


def reference(z, t):
    t = torch.where(t > 5, torch.full_like(t, 7), t)
    return (z * t).sum()
