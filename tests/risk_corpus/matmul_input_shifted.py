# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(3, 4, requires_grad=True), torch.randn(4, 2, requires_grad=True))


def run(x, w):
    h = x * 2
    y = h @ w
    h += 1  # <- error
    return y.sum() + h.sum()


def reference(x, w):
    h = x * 2
    return (h @ w).sum() + (h + 1).sum()
