# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(5, requires_grad=True),)


def run(x):
    d = x.abs() + 1
    inv = torch.reciprocal(d)
    inv *= 2  # <- error
    return inv.sum()


def reference(x):
    return (torch.reciprocal(x.abs() + 1) * 2).sum()
