import torch


def make_inputs():
    return (torch.randn(5, requires_grad=True),)


def run(x: torch.Tensor):
    h = x * 2
    y = h.sum() + h.mul_(3)  # h.sum() runs before the write: hoisting the rebinding would change it
    return y.sum()
