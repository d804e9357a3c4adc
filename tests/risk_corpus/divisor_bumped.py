# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(5, requires_grad=True), torch.randn(5, requires_grad=True))


def run(a: torch.Tensor, x: torch.Tensor):
    d = x.abs() + 1
    r = a / d
    d += 1  # <- error
    return r.sum() + d.sum()


def reference(a, x):
    d = x.abs() + 1
    return (a / d).sum() + (d + 1).sum()
