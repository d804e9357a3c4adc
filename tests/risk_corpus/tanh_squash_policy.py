# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(4, 2, requires_grad=True),)


def run(mu):
    a = torch.tanh(mu)
    a.mul_(2.0).sub_(0.5)  # <- error
    return (a ** 2).sum()


def reference(mu):
    return ((torch.tanh(mu) * 2.0 - 0.5) ** 2).sum()
