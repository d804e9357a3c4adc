# expect: error
import torch
import torch.nn.functional as F


def make_inputs():
    torch.manual_seed(0)
    return (torch.randn(8, requires_grad=True),)


def run(x):
    h = x * 2
    a = F.leaky_relu(h, 0.2)
    h.add_(1)  # <- error
    return a.sum() + h.sum()


def reference(x):
    h = x * 2
    return F.leaky_relu(h, 0.2).sum() + (h + 1).sum()
