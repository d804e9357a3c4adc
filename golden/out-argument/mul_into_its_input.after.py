# outplace-golden: unsafe-fixes
import torch


def make_inputs():
    return (torch.randn(6, requires_grad=True),)


def run(z):
    h = torch.sigmoid(z)
    h = torch.mul(h, 2)  # raises: out= does not support autograd
    return h.sum()


def reference(z):
    return (torch.sigmoid(z) * 2).sum()
