# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(5, requires_grad=True),)


def run(x: torch.Tensor):
    h = torch.tanh(x)
    h = h.add(1)
    h = h.mul(h.mean())  # h.mean() reads h after add_: one statement per call keeps that
    return h.pow(2).sum()


def reference(x):
    t = torch.tanh(x) + 1
    return (t * t.mean()).pow(2).sum()
