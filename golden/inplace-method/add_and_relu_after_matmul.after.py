# outplace-golden: before-fails
import torch


def make_inputs():
    x = torch.randn(4, 3, requires_grad=True)
    w = torch.randn(3, 2, requires_grad=True)
    b = torch.randn(2, requires_grad=True)
    return x, w, b


def run(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor):
    h = x @ w
    h.add_(b)
    h = h.relu()
    h = h.mul(h)  # relu saved its output
    return h.sum()


def reference(x, w, b):
    h = torch.relu(x @ w + b)
    return (h * h).sum()
