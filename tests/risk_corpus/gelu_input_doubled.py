# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(8, requires_grad=True),)


def run(x):
    h = x - 0.1
    g = F.gelu(h)
    h *= 2  # <- error
    return g.sum() + h.sum()


def reference(x):
    h = x - 0.1
    return F.gelu(h).sum() + (h * 2).sum()
