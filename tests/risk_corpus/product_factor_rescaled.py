# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(5, requires_grad=True), torch.randn(5, requires_grad=True))


def run(x: torch.Tensor, g: torch.Tensor):
    a = x + 1
    z = a * g
    a.mul_(2)  # <- error
    return z.sum() + a.sum()


def reference(x, g):
    a = x + 1
    return (a * g).sum() + (a * 2).sum()
