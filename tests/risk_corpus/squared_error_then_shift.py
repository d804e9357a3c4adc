# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(6, requires_grad=True),)


def run(x: torch.Tensor):
    h = x * 3
    y = h ** 2
    h -= 1  # <- error
    return y.sum() + h.sum()


def reference(x):
    h = x * 3
    return (h ** 2).sum() + (h - 1).sum()
