# outplace-golden: before-fails
import torch


def make_inputs():
    return torch.randn(3, requires_grad=True), torch.randn(3, requires_grad=True)


def run(x: torch.Tensor, w: torch.Tensor):
    a = x + 1
    b = a * w  # mul saves `a` to compute the gradient of `w`
    a += 1
    return (a + b).sum()


def reference(x, w):
    a = x + 1
    return (a + 1 + a * w).sum()
