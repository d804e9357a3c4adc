# outplace-golden: before-fails, unsafe-fixes
import torch


def make_inputs():
    return (torch.randn(2, 6, requires_grad=True),)


def run(w):
    t = torch.sigmoid(w)
    t = torch.as_tensor(True, dtype=t.dtype, device=t.device).expand_as(t).clone()  # a Python number has no `.to()`: the twin is a fill
    u = torch.exp(w)
    u = torch.as_tensor((-2.5), dtype=u.dtype, device=u.device).expand_as(u).clone().abs()
    v = torch.exp(w)
    v = torch.as_tensor(float("inf"), dtype=v.dtype, device=v.device).expand_as(v).clone()  # a number spelled as a call
    return (t * w).sum() + (u * w).sum() + (v * w).sum()
