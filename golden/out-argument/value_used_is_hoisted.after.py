# outplace-golden: unsafe-fixes
import torch


def make_inputs():
    return torch.randn(3, requires_grad=True), torch.randn(3, requires_grad=True)


def run(a, b):
    c = torch.empty(3)
    c = torch.add(a, b).to(c.dtype)
    y = c  # y and c are one tensor
    return (y * c).sum()


def reference(a, b):
    return ((a + b) ** 2).sum()
