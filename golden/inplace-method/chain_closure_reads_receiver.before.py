# outplace-golden: before-fails, unsafe-fixes
import torch


def make_inputs():
    return (torch.randn(5, requires_grad=True),)


def run(x: torch.Tensor):
    h = torch.tanh(x)
    centre = lambda: h.mean()  # reads h when called, after add_
    h.add_(1).sub_(centre())
    return h.pow(2).sum()


def reference(x):
    t = torch.tanh(x) + 1
    return (t - t.mean()).pow(2).sum()
