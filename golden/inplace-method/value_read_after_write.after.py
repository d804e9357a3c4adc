# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(5, requires_grad=True),)


def run(x: torch.Tensor):
    h = torch.sigmoid(x)
    h = h.mul(3)
    y = h + h  # h is read after the write: hoisting the rebinding keeps what it sees
    return y.sum()


def reference(x):
    return (6 * torch.sigmoid(x)).sum()
