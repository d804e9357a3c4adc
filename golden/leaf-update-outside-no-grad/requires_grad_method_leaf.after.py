# outplace-golden: before-fails
import torch


def make_inputs():
    return (torch.randn(3, requires_grad=True),)


def run(x):
    w = torch.zeros(3).requires_grad_()
    with torch.no_grad():
        w += 1.5  # a number carries no gradient: an update, not a computation
    return (w * x).sum()


def reference(x):
    return (1.5 * x).sum()
