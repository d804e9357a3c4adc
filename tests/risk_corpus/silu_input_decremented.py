# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(8, requires_grad=True),)


def run(x):
    h = x + 0.3
    s = F.silu(h)
    h.sub_(1)  # <- error
    return s.sum() + h.sum()


def reference(x):
    h = x + 0.3
    return F.silu(h).sum() + (h - 1).sum()
