# outplace-golden: unsafe-fixes
import torch


def make_inputs():
    return (torch.randn(3, requires_grad=True),)


def run(z: torch.Tensor):
    h = z.exp()
    h = normalise(h)
    return h.sum()


def normalise(h: torch.Tensor):
    h = h / h.sum()  # the caller's tensor
    return h
